module example.com/unknown

go 1.21

require github.com/a/b v1.0.0

frobnicate github.com/a/b
