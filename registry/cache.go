package registry

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"github.com/tollgate-dev/tollgate/internal/atomicfile"
)

// Cache freshness.
const (
	// DefaultCacheTTL is how long a cached package stays fresh when the
	// registry sent no Cache-Control max-age.
	DefaultCacheTTL = 30 * time.Minute
	// MaxCacheTTL caps the registry's own max-age: a release published
	// after the package was cached must show within this time.
	MaxCacheTTL = 24 * time.Hour
	// IncompleteCacheTTL caps the freshness of a package with Incomplete
	// parts, so that a passing outage (a download-count API down) is not
	// remembered for the registry's whole max-age.
	IncompleteCacheTTL = 5 * time.Minute
	// NotFoundCacheTTL is how long "no such package" is remembered: long
	// enough that one CI job's steps and re-runs ask once (typosquat's
	// mid-tail discovery asks about many names that do not exist), short
	// enough that a name registered since is seen within the hour.
	NotFoundCacheTTL = time.Hour
	// maxCacheEntry bounds a cache file read back (a normalised package of
	// DefaultMaxVersions versions is a few MB).
	maxCacheEntry = 64 << 20
	// cacheSchema changes whenever Package's JSON shape changes, so that
	// entries of an older tollgate are refetched rather than misread.
	cacheSchema = 2
)

// Cache keeps normalised packages on disk, one file per registry base URL,
// credential and package name, never the raw registry document (a packument
// can be tens of MB; its normalised form is a small fraction). Writes are
// atomic; an entry that cannot be read or decoded is ignored and
// refetched. It is safe for concurrent use.
type Cache struct {
	dir string
	now func() time.Time
}

// NewCache returns a cache under dir (created on first write). now replaces
// the clock in tests (nil: time.Now).
func NewCache(dir string, now func() time.Time) *Cache {
	if now == nil {
		now = time.Now
	}
	return &Cache{dir: dir, now: now}
}

type cacheEntry struct {
	Schema   int       `json:"schema"`
	Registry string    `json:"registry"`
	Name     string    `json:"name"`
	Expires  time.Time `json:"expires"`
	Package  *Package  `json:"package"`
	// Missing records that the registry answered "no such package".
	Missing bool `json:"missing,omitempty"`
}

// key names an entry: the credential's hash keeps one token's view of a
// private registry from answering another's, and keeps the token itself
// out of the file name.
func (c *Cache) path(registry, name string, cred Credentials) string {
	h := sha256.New()
	fmt.Fprintf(h, "%d\n%s\n%s\n%s\n%s\n%s", cacheSchema, registry, name, cred.Token, cred.Username, cred.Password)
	return filepath.Join(c.dir, hex.EncodeToString(h.Sum(nil))+".json")
}

// Get returns the fresh cached package, or nil. A nil Cache has nothing.
func (c *Cache) Get(registry, name string, cred Credentials) *Package {
	e := c.entry(registry, name, cred)
	if e == nil || e.Package == nil {
		return nil
	}
	e.Package.Finish()
	return e.Package
}

// Missing reports whether the cache remembers, freshly, that the registry
// has no such package.
func (c *Cache) Missing(registry, name string, cred Credentials) bool {
	e := c.entry(registry, name, cred)
	return e != nil && e.Missing
}

// PutMissing remembers for NotFoundCacheTTL that the registry has no such
// package.
func (c *Cache) PutMissing(registry, name string, cred Credentials) {
	c.write(registry, name, cred, cacheEntry{Missing: true}, NotFoundCacheTTL)
}

// entry reads the fresh entry for a package, or nil.
func (c *Cache) entry(registry, name string, cred Credentials) *cacheEntry {
	if c == nil {
		return nil
	}
	f, err := os.Open(c.path(registry, name, cred))
	if err != nil {
		return nil
	}
	defer f.Close()
	b, err := io.ReadAll(io.LimitReader(f, maxCacheEntry+1))
	if err != nil || len(b) > maxCacheEntry {
		return nil
	}
	var e cacheEntry
	if json.Unmarshal(b, &e) != nil || e.Schema != cacheSchema || e.Registry != registry || e.Name != name || (e.Package == nil) == !e.Missing {
		return nil
	}
	if !c.now().Before(e.Expires) {
		return nil
	}
	return &e
}

// Put stores p for ttl (capped at MaxCacheTTL); ttl <= 0 stores nothing. A
// failed write only costs a later request, so it is not reported.
func (c *Cache) Put(registry, name string, cred Credentials, p *Package, ttl time.Duration) {
	if c == nil || ttl <= 0 || p == nil {
		return
	}
	c.write(registry, name, cred, cacheEntry{Package: p}, ttl)
}

// write stores e for ttl (capped at MaxCacheTTL).
func (c *Cache) write(registry, name string, cred Credentials, e cacheEntry, ttl time.Duration) {
	if c == nil || ttl <= 0 {
		return
	}
	e.Schema, e.Registry, e.Name = cacheSchema, registry, name
	e.Expires = c.now().Add(min(ttl, MaxCacheTTL)).UTC()
	var buf bytes.Buffer
	if err := json.NewEncoder(&buf).Encode(e); err != nil {
		return
	}
	_ = atomicfile.Write(c.path(registry, name, cred), buf.Bytes())
}

// Freshness reads how long an answer may be cached from its Cache-Control
// header: s-maxage, else max-age; 0 for no-store or no-cache, and def when
// the header names no age. "private" does not stop it: the cache is the
// user's own and keyed by credential.
func Freshness(h http.Header, def time.Duration) time.Duration {
	cc := strings.ToLower(strings.Join(h.Values("Cache-Control"), ","))
	if cc == "" {
		return def
	}
	age, sAge := -1, -1
	for _, d := range strings.Split(cc, ",") {
		name, value, _ := strings.Cut(strings.TrimSpace(d), "=")
		value = strings.Trim(strings.TrimSpace(value), `"`)
		switch strings.TrimSpace(name) {
		case "no-store", "no-cache":
			return 0
		case "max-age":
			if n, err := strconv.Atoi(value); err == nil && n >= 0 {
				age = n
			}
		case "s-maxage":
			if n, err := strconv.Atoi(value); err == nil && n >= 0 {
				sAge = n
			}
		}
	}
	switch {
	case sAge >= 0:
		return time.Duration(sAge) * time.Second
	case age >= 0:
		return time.Duration(age) * time.Second
	}
	return def
}
