package registry

import (
	"net/http"
	"path/filepath"

	"github.com/tollgate-dev/tollgate/config"
	"github.com/tollgate-dev/tollgate/internal/httpx"
	"github.com/tollgate-dev/tollgate/lockfiles"
	reg "github.com/tollgate-dev/tollgate/registry"
	regall "github.com/tollgate-dev/tollgate/registry/all"
)

// registryKey maps a lockfile ecosystem to its config registries: key.
var registryKey = map[string]string{
	lockfiles.EcosystemNPM:       "npm",
	lockfiles.EcosystemPyPI:      "pypi",
	lockfiles.EcosystemRubyGems:  "rubygems",
	lockfiles.EcosystemNuGet:     "nuget",
	lockfiles.EcosystemCrates:    "crates",
	lockfiles.EcosystemGo:        "go",
	lockfiles.EcosystemPackagist: "packagist",
}

// NewClients builds one registry client per ecosystem (keyed by lockfiles
// ecosystem: npm, PyPI, RubyGems, NuGet, crates.io, Go, Packagist), each on
// its own HTTP client (its own concurrency limit), with normalised answers
// cached under cacheDir ("" for none). urls are the config registries: base
// URLs by key (npm, pypi, ...).
func NewClients(urls map[string]string, hc *http.Client, userAgent, cacheDir string) (map[string]reg.Client, error) {
	cfg := regall.Config{Registries: urls, HTTP: httpx.Options{HTTPClient: hc, UserAgent: userAgent}}
	if cacheDir != "" {
		cfg.CacheDir = filepath.Join(cacheDir, "registry")
	}
	return regall.New(cfg)
}

// RegistryURLs are the base URLs of cfg's registries: the public defaults
// where it names none.
func RegistryURLs(cfg *config.Config) map[string]string {
	urls := map[string]string{}
	for k, v := range config.DefaultRegistries() {
		urls[k] = v
		if cfg != nil && cfg.Registries[k] != "" {
			urls[k] = cfg.Registries[k]
		}
	}
	return urls
}

// perRegistry is the requests in flight at once to one registry in the
// benchmark (registry/all's default, 16): 500 lookups at 50 ms each take
// about 1.6 s.
const perRegistry = 16
