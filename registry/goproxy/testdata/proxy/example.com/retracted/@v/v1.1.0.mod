// Deprecated: use example.com/retracted/v2 instead.
module example.com/retracted

go 1.21

require (
	golang.org/x/mod v0.20.0
	golang.org/x/sys v0.25.0 // indirect
)

retract (
	v1.0.1 // Published with a credential-stealing init function.
	[v1.0.0, v1.0.0]
)
