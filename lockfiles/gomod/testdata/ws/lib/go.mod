module example.com/acme/lib

go 1.23
