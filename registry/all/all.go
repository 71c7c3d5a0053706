// Package all builds a client for every registry from the config's
// registries: map, each with its own HTTP client so that each registry has
// its own concurrency limit, and its own cache directory.
package all

import (
	"fmt"
	"path/filepath"
	"sort"

	"github.com/tollgate-dev/tollgate/internal/httpx"
	"github.com/tollgate-dev/tollgate/registry"
	"github.com/tollgate-dev/tollgate/registry/crates"
	"github.com/tollgate-dev/tollgate/registry/goproxy"
	"github.com/tollgate-dev/tollgate/registry/npm"
	"github.com/tollgate-dev/tollgate/registry/nuget"
	"github.com/tollgate-dev/tollgate/registry/packagist"
	"github.com/tollgate-dev/tollgate/registry/pypi"
	"github.com/tollgate-dev/tollgate/registry/rubygems"
)

// Concurrency limits per registry key when Config.Concurrency names none:
// registry.DefaultConcurrency, except crates.io, whose data-access policy
// asks for one request at a time.
var defaultConcurrency = map[string]int{"crates": 1}

type constructor func(registry.Options) (registry.Client, error)

// constructors maps the config keys (config.DefaultRegistries) to clients.
var constructors = map[string]constructor{
	"npm":       func(o registry.Options) (registry.Client, error) { return npm.New(o) },
	"pypi":      func(o registry.Options) (registry.Client, error) { return pypi.New(o) },
	"rubygems":  func(o registry.Options) (registry.Client, error) { return rubygems.New(o) },
	"nuget":     func(o registry.Options) (registry.Client, error) { return nuget.New(o) },
	"crates":    func(o registry.Options) (registry.Client, error) { return crates.New(o) },
	"go":        func(o registry.Options) (registry.Client, error) { return goproxy.New(o) },
	"packagist": func(o registry.Options) (registry.Client, error) { return packagist.New(o) },
}

// Keys returns the config keys of the registries, sorted.
func Keys() []string {
	keys := make([]string, 0, len(constructors))
	for k := range constructors {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}

// Config configures New.
type Config struct {
	// Registries maps config keys to base URLs (config registries:); a key
	// absent or empty means the registry's public endpoint.
	Registries map[string]string
	// PublicRegistries replaces the official public endpoints Set.Public
	// asks (tests point them at httptest); empty means the official ones.
	PublicRegistries map[string]string
	// Credentials maps config keys to each registry's credentials.
	Credentials map[string]registry.Credentials
	// CacheDir, when set, holds one cache directory per registry key.
	CacheDir string
	// HTTP is the template of every registry's HTTP client (timeouts,
	// retries, User-Agent); MaxInFlight is replaced per registry.
	HTTP httpx.Options
	// Concurrency maps config keys to requests in flight at once (default
	// registry.DefaultConcurrency; crates 1).
	Concurrency map[string]int
	// Limits applied to every client (zero: the registry package defaults).
	MaxDocumentBytes int64
	MaxVersions      int
	MaxPages         int
}

// New returns a client per registry keyed by OSV ecosystem name (npm,
// PyPI, RubyGems, NuGet, crates.io, Go, Packagist). An unknown key or a
// bad base URL is an error naming the key.
func New(cfg Config) (map[string]registry.Client, error) {
	byKey, err := newByKey(cfg)
	if err != nil {
		return nil, err
	}
	out := map[string]registry.Client{}
	for _, c := range byKey {
		out[c.Ecosystem()] = c
	}
	return out, nil
}

// newByKey returns a client per registry keyed by config key (npm, pypi,
// ...).
func newByKey(cfg Config) (map[string]registry.Client, error) {
	for k := range cfg.Registries {
		if constructors[k] == nil {
			return nil, fmt.Errorf("registries: %q is not a known registry (known: %v)", k, Keys())
		}
	}
	out := map[string]registry.Client{}
	for _, key := range Keys() {
		hopts := cfg.HTTP
		hopts.CacheDir = "" // the registry cache keeps normalised packages instead
		hopts.MaxInFlight = registry.DefaultConcurrency
		if n, ok := defaultConcurrency[key]; ok {
			hopts.MaxInFlight = n
		}
		if n := cfg.Concurrency[key]; n > 0 {
			hopts.MaxInFlight = n
		}
		opts := registry.Options{
			BaseURL:          cfg.Registries[key],
			HTTP:             httpx.New(hopts),
			Credentials:      cfg.Credentials[key],
			MaxDocumentBytes: cfg.MaxDocumentBytes,
			MaxVersions:      cfg.MaxVersions,
			MaxPages:         cfg.MaxPages,
		}
		if cfg.CacheDir != "" {
			opts.Cache = registry.NewCache(filepath.Join(cfg.CacheDir, key), nil)
		}
		c, err := constructors[key](opts)
		if err != nil {
			return nil, fmt.Errorf("registries.%s: %w", key, err)
		}
		out[key] = c
	}
	return out, nil
}
