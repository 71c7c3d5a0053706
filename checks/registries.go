package checks

import (
	"os"
	"path/filepath"

	"github.com/tollgate-dev/tollgate/config"
	"github.com/tollgate-dev/tollgate/internal/httpx"
	"github.com/tollgate-dev/tollgate/lockfiles"
	"github.com/tollgate-dev/tollgate/registry"
	regall "github.com/tollgate-dev/tollgate/registry/all"
)

// RegistrySet returns d.Registries, or, when it is nil, a new set built from
// d (NewRegistrySet): a check constructed alone (in its tests) then still
// reaches its registries.
func (d Deps) RegistrySet() *regall.Set {
	if d.Registries != nil {
		return d.Registries
	}
	return NewRegistrySet(d)
}

// NewRegistrySet builds the registry clients of one run from d: the base
// URLs of config registries: (the public endpoints where it names none),
// the credentials of config registry-auth read from the environment, the
// run's HTTP client and User-Agent, and a normalised-package cache under
// d.CacheDir/registry. The pipeline builds one per run and puts it in
// Deps.Registries.
func NewRegistrySet(d Deps) *regall.Set {
	cfg := regall.Config{HTTP: httpx.Options{HTTPClient: d.HTTPClient, UserAgent: d.UserAgent}}
	if d.Config != nil {
		cfg.Registries = d.Config.Registries
		cfg.Credentials = Credentials(d.Config, d.Getenv)
	}
	if d.CacheDir != "" {
		cfg.CacheDir = filepath.Join(d.CacheDir, "registry")
	}
	return regall.NewSet(cfg)
}

// Credentials reads the credentials config registry-auth names from the
// environment (getenv nil: os.Getenv). A variable that is unset or empty
// gives no credential: the registry then answers as it does anonymously,
// and a private registry's refusal is reported as that registry skipped.
func Credentials(cfg *config.Config, getenv func(string) string) map[string]registry.Credentials {
	if getenv == nil {
		getenv = os.Getenv
	}
	out := map[string]registry.Credentials{}
	for key, a := range cfg.RegistryAuth {
		var c registry.Credentials
		if a.TokenEnv != "" {
			c.Token = getenv(a.TokenEnv)
		} else {
			c.Username, c.Password = getenv(a.UsernameEnv), getenv(a.PasswordEnv)
		}
		if !c.IsZero() {
			out[key] = c
		}
	}
	return out
}

// registryKeys map lockfile ecosystems to their config registries: keys.
var registryKeys = map[string]string{
	lockfiles.EcosystemNPM:       "npm",
	lockfiles.EcosystemPyPI:      "pypi",
	lockfiles.EcosystemRubyGems:  "rubygems",
	lockfiles.EcosystemNuGet:     "nuget",
	lockfiles.EcosystemCrates:    "crates",
	lockfiles.EcosystemGo:        "go",
	lockfiles.EcosystemPackagist: "packagist",
}

// RegistryKey is the config registries: key of a lockfile ecosystem (npm,
// pypi, rubygems, nuget, crates, go, packagist), the name messages give a
// registry; "" for an ecosystem without a registry client.
func RegistryKey(ecosystem string) string { return registryKeys[ecosystem] }
