package registry

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/tollgate-dev/tollgate/internal/httpx"
)

// Ecosystem names, as OSV spells them (DESIGN.md's Package.ecosystem).
const (
	EcosystemNpm       = "npm"
	EcosystemPyPI      = "PyPI"
	EcosystemRubyGems  = "RubyGems"
	EcosystemNuGet     = "NuGet"
	EcosystemCrates    = "crates.io"
	EcosystemGo        = "Go"
	EcosystemPackagist = "Packagist"
)

// Client answers what the registry checks need about one package of one
// registry. Implementations are safe for concurrent use.
type Client interface {
	// Ecosystem is the OSV ecosystem name of the packages the client serves.
	Ecosystem() string
	// Package returns the normalised metadata of the named package. A
	// package the registry does not know is an *Error wrapping ErrNotFound;
	// any other failure (network, status, garbage, a limit) is an *Error
	// wrapping its cause.
	Package(ctx context.Context, name string) (*Package, error)
}

// VersionLookup is implemented by clients whose Package cannot carry every
// version in full (the Go proxy: a pseudo-version is never listed, and
// .info is one request per version): it answers one version exactly. A
// check that finds a locked version missing from Package.Versions, or
// listed without a publish time, asks here when the client has it.
type VersionLookup interface {
	LookupVersion(ctx context.Context, name, version string) (*Version, error)
}

// Sentinels wrapped by *Error, for errors.Is.
var (
	// ErrNotFound: the registry answered that no such package (or version)
	// exists (HTTP 404 or 410). Checks treat it apart from "registry down".
	ErrNotFound = errors.New("no such package")
	// ErrTooLarge: the document is larger than the client's byte limit.
	ErrTooLarge = errors.New("document larger than the limit")
	// ErrTooManyVersions: the package lists more versions than the client's
	// version limit.
	ErrTooManyVersions = errors.New("more versions than the limit")
	// ErrMalformed: the answer is not the document the registry documents
	// (not JSON, a field of the wrong type, a required field missing).
	ErrMalformed = errors.New("malformed answer")
	// ErrStatus: an HTTP status other than success or not-found (after the
	// HTTP layer's retries).
	ErrStatus = errors.New("unexpected HTTP status")
)

// Error is every failure of a registry client: which registry, which
// package, which URL (credentials redacted) and why.
type Error struct {
	// Registry names the registry ("npm", "pypi", ...: the config key).
	Registry string
	// Package is the package name asked for.
	Package string
	// URL is the request URL, redacted (httpx.RedactURL).
	URL string
	// Status is the HTTP status, when one came.
	Status int
	// Err is the cause: one of the sentinels above, an *httpx.Error, or a
	// decoding error wrapping ErrMalformed.
	Err error
}

// Error says "<registry> registry: package <name>: <url>: <cause>".
func (e *Error) Error() string {
	var b strings.Builder
	fmt.Fprintf(&b, "%s registry: package %q", e.Registry, e.Package)
	if e.URL != "" {
		b.WriteString(": " + e.URL)
	}
	if e.Status != 0 {
		fmt.Fprintf(&b, ": HTTP %d", e.Status)
	}
	if e.Err != nil {
		b.WriteString(": " + httpx.RedactText(e.Err.Error()))
	}
	return b.String()
}

// Unwrap returns the cause.
func (e *Error) Unwrap() error { return e.Err }

// Credentials are sent with every request to the origin (scheme, host and
// port) of the registry's base URL and to no other; the HTTP layer also
// drops them on a redirect to another origin. The zero value sends none.
type Credentials struct {
	// Token is sent as "Authorization: Bearer <Token>" (npm, private
	// registries).
	Token string
	// Username and Password are sent as HTTP Basic authentication when
	// Token is empty (Artifactory, Nexus, private PyPI and NuGet feeds).
	Username, Password string
}

// Apply sets the credentials' Authorization header on req.
func (c Credentials) Apply(req *http.Request) {
	switch {
	case c.Token != "":
		req.Header.Set("Authorization", "Bearer "+c.Token)
	case c.Username != "" || c.Password != "":
		req.SetBasicAuth(c.Username, c.Password)
	}
}

// IsZero reports whether no credential is set.
func (c Credentials) IsZero() bool { return c.Token == "" && c.Username == "" && c.Password == "" }

// Default limits of Options.
const (
	// DefaultMaxDocumentBytes bounds one registry document (a packument of
	// a package with thousands of versions runs to tens of MB).
	DefaultMaxDocumentBytes = 200 << 20
	// DefaultMaxVersions bounds the versions of one package.
	DefaultMaxVersions = 20000
	// DefaultMaxPages bounds the pages (NuGet registration pages, crates.io
	// version pages) fetched for one package.
	DefaultMaxPages = 200
	// DefaultConcurrency is the requests in flight at once to one registry,
	// when the client builds its own HTTP client.
	DefaultConcurrency = 16
)

// Options configure one registry client; every subpackage's New takes them.
type Options struct {
	// BaseURL is the registry's base URL (config registries.<key>); empty
	// means the public endpoint (config.DefaultRegistries). A path prefix
	// is kept: https://mirror.example/api/npm/npm-remote works as well.
	BaseURL string
	// HTTP sends every request. Give each registry its own client: its
	// MaxInFlight is the registry's concurrency limit. Nil: a client with
	// httpx defaults and DefaultConcurrency.
	HTTP *httpx.Client
	// Credentials for this registry, sent only to its base URL's origin.
	Credentials Credentials
	// Cache keeps normalised packages on disk (nil: no cache).
	Cache *Cache
	// MaxDocumentBytes bounds one document (default DefaultMaxDocumentBytes).
	MaxDocumentBytes int64
	// MaxVersions bounds the versions of one package (default
	// DefaultMaxVersions).
	MaxVersions int
	// MaxPages bounds paged documents (default DefaultMaxPages).
	MaxPages int
	// Now replaces the clock in tests (nil: time.Now).
	Now func() time.Time
}

// WithDefaults returns o with every zero field filled: def is the
// registry's public base URL.
func (o Options) WithDefaults(def string) Options {
	if o.BaseURL == "" {
		o.BaseURL = def
	}
	o.BaseURL = strings.TrimRight(o.BaseURL, "/")
	if o.HTTP == nil {
		o.HTTP = httpx.New(httpx.Options{MaxInFlight: DefaultConcurrency})
	}
	if o.MaxDocumentBytes <= 0 {
		o.MaxDocumentBytes = DefaultMaxDocumentBytes
	}
	if o.MaxVersions <= 0 {
		o.MaxVersions = DefaultMaxVersions
	}
	if o.MaxPages <= 0 {
		o.MaxPages = DefaultMaxPages
	}
	if o.Now == nil {
		o.Now = time.Now
	}
	return o
}

// CheckBaseURL validates a base URL: absolute http or https, no query or
// fragment. Credentials in the URL itself are refused: they belong in
// Credentials, where they cannot leak into logs and cache keys.
func CheckBaseURL(registry, raw string) (*url.URL, error) {
	u, err := url.Parse(raw)
	if err != nil {
		return nil, fmt.Errorf("%s registry: base URL %q: %w", registry, httpx.RedactURL(raw), err)
	}
	switch {
	case u.Scheme != "http" && u.Scheme != "https":
		return nil, fmt.Errorf("%s registry: base URL %q: scheme must be http or https", registry, httpx.RedactURL(raw))
	case u.Host == "":
		return nil, fmt.Errorf("%s registry: base URL %q: no host", registry, httpx.RedactURL(raw))
	case u.User != nil:
		return nil, fmt.Errorf("%s registry: base URL %q: put credentials in the registry's credentials, not the URL", registry, httpx.RedactURL(raw))
	case u.RawQuery != "" || u.Fragment != "":
		return nil, fmt.Errorf("%s registry: base URL %q: no query or fragment allowed", registry, httpx.RedactURL(raw))
	}
	return u, nil
}

type refreshKey struct{}

// WithRefresh returns a context under which clients skip cached packages
// and ask the registry (the answer is cached again): for a check that finds
// a locked version missing from a cached package, which may predate it.
func WithRefresh(ctx context.Context) context.Context {
	return context.WithValue(ctx, refreshKey{}, true)
}

// Refresh reports whether ctx asks to skip cached packages (WithRefresh).
func Refresh(ctx context.Context) bool {
	v, _ := ctx.Value(refreshKey{}).(bool)
	return v
}
