package pnpmlock

import "github.com/tollgate-dev/tollgate/lockfiles/yamltree"

// The places of a pnpm lockfile's mappings for yamltree.FastParse (see keep).
const (
	placePackages  = yamltree.Top + 1 + iota // packages:
	placePackage                             // one entry of packages:
	placeImporters                           // importers:
	placeImporter                            // one importer
	placeGroup                               // dependencies:, devDependencies:, optionalDependencies:
	placeDep                                 // one dependency of a group (6.x/9.x {specifier, version})
	placeSnapshots                           // snapshots: (9.x)
	placeSnapshot                            // one entry of snapshots:
)

// keep reports whether the value of key in a mapping at place at is read by
// the parser (fromDocs), and the place of that value: the fast reader builds
// only those, and skips the rest (settings, each package's engines, each
// snapshot's transitivePeerDependencies...).
func keep(at yamltree.Place, key string) (bool, yamltree.Place) {
	switch at {
	case yamltree.Top:
		switch key {
		case "lockfileVersion":
			return true, yamltree.All
		case "packages":
			return true, placePackages
		case "importers":
			return true, placeImporters
		case "snapshots":
			return true, placeSnapshots
		case "dependencies", "devDependencies", "optionalDependencies":
			return true, placeGroup
		}
		return false, yamltree.All
	case placePackages:
		return true, placePackage
	case placePackage:
		switch key {
		case "name", "version", "dev", "resolution":
			return true, yamltree.All
		}
		return false, yamltree.All
	case placeImporters:
		return true, placeImporter
	case placeImporter:
		switch key {
		case "dependencies", "devDependencies", "optionalDependencies":
			return true, placeGroup
		}
		return false, yamltree.All
	case placeGroup:
		return true, placeDep
	case placeSnapshots:
		return true, placeSnapshot
	case placeSnapshot:
		// the edges of the dependency graph that tells dev-only packages
		return key == "dependencies" || key == "optionalDependencies", yamltree.All
	case placeDep:
		return key == "version", yamltree.All
	}
	return true, yamltree.All
}
