module example.com/app

go 1.22

toolchain go1.22.4

require github.com/single/line v1.0.0

require (
	golang.org/x/net v0.17.0
	github.com/forked/lib v1.2.3 // indirect
	github.com/local/thing v0.4.0
	github.com/anyver/mod v2.0.0+incompatible
	github.com/excluded/mod v1.5.0 // indirect
	github.com/short/mod v0.3
	github.com/nosum/mod v0.1.0
)

replace github.com/forked/lib v1.2.3 => github.com/myfork/lib v1.2.4

replace (
	github.com/local/thing => ../thing
	github.com/anyver/mod => example.org/anyver v1.0.1
	golang.org/x/net v0.16.0 => golang.org/x/net v0.99.0 // other version: not applied
)

exclude github.com/excluded/mod v1.5.0

retract v0.9.0
