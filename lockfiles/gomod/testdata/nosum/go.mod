module example.com/nosum

go 1.21

require (
	github.com/a/b v1.0.0
	github.com/c/d v0.2.0 // indirect
)
