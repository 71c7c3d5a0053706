package registry

import "github.com/tollgate-dev/tollgate/lockfiles"

// perRegistry is the requests in flight at once to one registry in the
// benchmark (registry/all's default, 16): 500 lookups at 50 ms each take
// about 1.6 s.
const perRegistry = 16

// registryKey maps a lockfile ecosystem to its config registries: key, for
// messages.
var registryKey = map[string]string{
	lockfiles.EcosystemNPM:       "npm",
	lockfiles.EcosystemPyPI:      "pypi",
	lockfiles.EcosystemRubyGems:  "rubygems",
	lockfiles.EcosystemNuGet:     "nuget",
	lockfiles.EcosystemCrates:    "crates",
	lockfiles.EcosystemGo:        "go",
	lockfiles.EcosystemPackagist: "packagist",
}
