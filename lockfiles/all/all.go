// Package all lists every lockfile parser tollgate ships, in match order.
// Adding a format is one new package and one line here.
package all

import (
	"github.com/tollgate-dev/tollgate/lockfiles"
	"github.com/tollgate-dev/tollgate/lockfiles/bunlock"
	"github.com/tollgate-dev/tollgate/lockfiles/cargolock"
	"github.com/tollgate-dev/tollgate/lockfiles/composerlock"
	"github.com/tollgate-dev/tollgate/lockfiles/gemfilelock"
	"github.com/tollgate-dev/tollgate/lockfiles/ghactions"
	"github.com/tollgate-dev/tollgate/lockfiles/gomod"
	"github.com/tollgate-dev/tollgate/lockfiles/gradlelock"
	"github.com/tollgate-dev/tollgate/lockfiles/npmlock"
	"github.com/tollgate-dev/tollgate/lockfiles/nugetlock"
	"github.com/tollgate-dev/tollgate/lockfiles/pdmlock"
	"github.com/tollgate-dev/tollgate/lockfiles/pipfilelock"
	"github.com/tollgate-dev/tollgate/lockfiles/pnpmlock"
	"github.com/tollgate-dev/tollgate/lockfiles/poetrylock"
	"github.com/tollgate-dev/tollgate/lockfiles/pubspeclock"
	"github.com/tollgate-dev/tollgate/lockfiles/requirements"
	"github.com/tollgate-dev/tollgate/lockfiles/uvlock"
	"github.com/tollgate-dev/tollgate/lockfiles/yarnlock"
)

// Parsers returns a new list of every parser.
func Parsers() []lockfiles.Parser {
	return []lockfiles.Parser{
		npmlock.Parser{},
		yarnlock.Parser{},
		pnpmlock.Parser{},
		bunlock.Parser{},
		requirements.Parser{},
		pipfilelock.Parser{},
		poetrylock.Parser{},
		uvlock.Parser{},
		pdmlock.Parser{},
		gemfilelock.Parser{},
		nugetlock.Parser{},
		gomod.Parser{},
		gomod.WorkParser{},
		cargolock.Parser{},
		composerlock.Parser{},
		pubspeclock.Parser{},
		gradlelock.Parser{},
		ghactions.Parser{},
	}
}
