// Package fetch is the request side shared by the registry clients: GET a
// registry URL through the HTTP layer with the registry's credentials (only
// to its own origin), map statuses to registry errors, bound the body, and
// read the answer's freshness.
package fetch

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/tollgate-dev/tollgate/internal/httpx"
	"github.com/tollgate-dev/tollgate/registry"
)

// maxErrorBody is how much of an error answer is read before closing it.
const maxErrorBody = 64 << 10

// Getter sends one registry's requests.
type Getter struct {
	// Registry is the config key ("npm", "pypi", ...), for errors.
	Registry string
	// Base is the registry's base URL; credentials go only to its origin.
	Base *url.URL
	// Opts are the client's options, with defaults filled.
	Opts registry.Options
}

// New checks opts.BaseURL (after defaults, def being the public endpoint)
// and returns a Getter.
func New(name, def string, opts registry.Options) (*Getter, error) {
	opts = opts.WithDefaults(def)
	u, err := registry.CheckBaseURL(name, opts.BaseURL)
	if err != nil {
		return nil, err
	}
	return &Getter{Registry: name, Base: u, Opts: opts}, nil
}

// URL joins the base URL and path segments, each escaped as one segment
// (a "/" inside a segment becomes %2F). The base's own path is kept.
func (g *Getter) URL(segments ...string) string {
	u := *g.Base
	raw := strings.TrimRight(u.EscapedPath(), "/")
	plain := strings.TrimRight(u.Path, "/")
	for _, s := range segments {
		raw += "/" + url.PathEscape(s)
		plain += "/" + s
	}
	u.Path, u.RawPath = plain, raw
	return u.String()
}

// RawURL joins the base URL and an already escaped path (no leading
// slash): for protocols whose paths carry their own encoding (the Go
// proxy's "!" case-encoding, which percent-encoding would hide).
func (g *Getter) RawURL(escaped string) string {
	return strings.TrimRight(g.Base.String(), "/") + "/" + escaped
}

// Response is a successful answer: its body is bounded by MaxDocumentBytes
// (reading past it fails with registry.ErrTooLarge).
type Response struct {
	Body io.ReadCloser
	// Header is the answer's header.
	Header http.Header
	// URL is the URL that answered (after redirects), redacted.
	URL string
	// MaxAge is how long the answer may be cached (registry.Freshness with
	// registry.DefaultCacheTTL).
	MaxAge time.Duration
}

// Fail wraps err as the registry's *Error for pkg and rawURL. A decoding
// error becomes ErrMalformed unless it is already a registry sentinel or
// a context error.
func (g *Getter) Fail(pkg, rawURL string, err error) error {
	var re *registry.Error
	if errors.As(err, &re) {
		return err
	}
	switch {
	case errors.Is(err, registry.ErrTooLarge):
		// Read through a decoder, the limit may arrive wrapped as malformed.
		err = fmt.Errorf("%w: more than %d bytes", registry.ErrTooLarge, g.Opts.MaxDocumentBytes)
	case errors.Is(err, registry.ErrTooManyVersions),
		errors.Is(err, registry.ErrMalformed), errors.Is(err, registry.ErrNotFound),
		errors.Is(err, context.Canceled), errors.Is(err, context.DeadlineExceeded):
	case errors.Is(err, io.ErrUnexpectedEOF):
		err = fmt.Errorf("%w: the document ends early", registry.ErrMalformed)
	default:
		var he *httpx.Error
		if !errors.As(err, &he) {
			err = fmt.Errorf("%w: %w", registry.ErrMalformed, err)
		}
	}
	return &registry.Error{Registry: g.Registry, Package: pkg, URL: httpx.RedactURL(rawURL), Err: err}
}

// Get sends GET rawURL with accept as the Accept header. 404 and 410 are
// registry.ErrNotFound; any other status outside 2xx is registry.ErrStatus.
func (g *Getter) Get(ctx context.Context, pkg, rawURL, accept string) (*Response, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, rawURL, nil)
	if err != nil {
		return nil, &registry.Error{Registry: g.Registry, Package: pkg, URL: httpx.RedactURL(rawURL), Err: err}
	}
	if accept != "" {
		req.Header.Set("Accept", accept)
	}
	if sameOrigin(g.Base, req.URL) {
		g.Opts.Credentials.Apply(req)
	}
	// The HTTP layer's own byte cache is off: the registry cache keeps the
	// normalised package instead.
	resp, err := g.Opts.HTTP.Do(req, httpx.NoCache())
	if err != nil {
		return nil, &registry.Error{Registry: g.Registry, Package: pkg, URL: httpx.RedactURL(rawURL), Err: err}
	}
	final := rawURL
	if resp.Request != nil && resp.Request.URL != nil {
		final = resp.Request.URL.String()
	}
	if resp.StatusCode < 200 || resp.StatusCode > 299 {
		_, _ = io.Copy(io.Discard, io.LimitReader(resp.Body, maxErrorBody))
		resp.Body.Close()
		kind := registry.ErrStatus
		if resp.StatusCode == http.StatusNotFound || resp.StatusCode == http.StatusGone {
			kind = registry.ErrNotFound
		}
		return nil, &registry.Error{Registry: g.Registry, Package: pkg, URL: httpx.RedactURL(final), Status: resp.StatusCode, Err: kind}
	}
	limit := g.Opts.MaxDocumentBytes
	if resp.ContentLength > limit {
		resp.Body.Close()
		return nil, &registry.Error{Registry: g.Registry, Package: pkg, URL: httpx.RedactURL(final),
			Err: fmt.Errorf("%w: more than %d bytes (Content-Length %d)", registry.ErrTooLarge, limit, resp.ContentLength)}
	}
	return &Response{
		Body:   &limitedBody{rc: resp.Body, left: limit, limit: limit},
		Header: resp.Header,
		URL:    httpx.RedactURL(final),
		MaxAge: registry.Freshness(resp.Header, registry.DefaultCacheTTL),
	}, nil
}

// GetJSON gets rawURL and decodes its whole body into v (for documents
// whose size the byte limit bounds well; npm packuments stream instead).
func (g *Getter) GetJSON(ctx context.Context, pkg, rawURL, accept string, v any) (*Response, error) {
	resp, err := g.Get(ctx, pkg, rawURL, accept)
	if err != nil {
		return nil, err
	}
	return resp, g.Decode(pkg, resp, v)
}

// Decode decodes resp's whole body into v and closes it; anything but white
// space after the document is garbage.
func (g *Getter) Decode(pkg string, resp *Response, v any) error {
	defer resp.Body.Close()
	dec := json.NewDecoder(resp.Body)
	if err := dec.Decode(v); err != nil {
		return g.Fail(pkg, resp.URL, err)
	}
	if _, err := dec.Token(); err != io.EOF {
		if err == nil {
			err = errors.New("data after the JSON document")
		}
		return g.Fail(pkg, resp.URL, err)
	}
	return nil
}

// sameOrigin reports whether u has base's scheme, host and port.
func sameOrigin(base, u *url.URL) bool {
	return strings.EqualFold(base.Scheme, u.Scheme) && strings.EqualFold(base.Host, u.Host)
}

// limitedBody fails a read past the limit with registry.ErrTooLarge.
type limitedBody struct {
	rc          io.ReadCloser
	left, limit int64
}

func (b *limitedBody) Read(p []byte) (int, error) {
	if b.left <= 0 {
		// One byte more tells a body of exactly the limit from a larger one.
		var one [1]byte
		n, err := b.rc.Read(one[:])
		if n > 0 {
			return 0, fmt.Errorf("%w (%d bytes)", registry.ErrTooLarge, b.limit)
		}
		return 0, err
	}
	if int64(len(p)) > b.left {
		p = p[:b.left]
	}
	n, err := b.rc.Read(p)
	b.left -= int64(n)
	return n, err
}

func (b *limitedBody) Close() error { return b.rc.Close() }

// Cached returns the cached package for name when fresh (and ctx does not
// ask for a refresh), else calls load, completes its answer (Ecosystem,
// Registry, Fetched, Finish) and caches it for the freshness load returns.
func (g *Getter) Cached(ctx context.Context, ecosystem, name string, load func(ctx context.Context) (*registry.Package, time.Duration, error)) (*registry.Package, error) {
	cache := g.Opts.Cache
	if !registry.Refresh(ctx) {
		if p := cache.Get(g.Base.String(), name, g.Opts.Credentials); p != nil {
			return p, nil
		}
		if cache.Missing(g.Base.String(), name, g.Opts.Credentials) {
			return nil, &registry.Error{Registry: g.Registry, Package: name, Err: fmt.Errorf("%w (remembered from an earlier answer)", registry.ErrNotFound)}
		}
	}
	p, maxAge, err := load(ctx)
	if errors.Is(err, registry.ErrNotFound) {
		cache.PutMissing(g.Base.String(), name, g.Opts.Credentials)
	}
	if err != nil {
		return nil, err
	}
	p.Ecosystem, p.Registry, p.Fetched = ecosystem, g.Base.String(), g.Opts.Now().UTC()
	p.Finish()
	if len(p.Incomplete) > 0 {
		maxAge = min(maxAge, registry.IncompleteCacheTTL)
	}
	cache.Put(g.Base.String(), name, g.Opts.Credentials, p, maxAge)
	return p, nil
}

// CheckVersions fails with registry.ErrTooManyVersions when n exceeds the
// limit.
func (g *Getter) CheckVersions(n int) error {
	if n > g.Opts.MaxVersions {
		return fmt.Errorf("%w: %d versions, limit %d", registry.ErrTooManyVersions, n, g.Opts.MaxVersions)
	}
	return nil
}

// ParseTime reads the registries' timestamps: RFC 3339 with or without
// fractional seconds and zone ("2014-08-29T16:21:42.095Z",
// "2024-12-13T09:45:48.065000+00:00", PyPI's "2019-10-25T12:00:00").
// Empty or unparseable: zero.
func ParseTime(s string) time.Time {
	s = strings.TrimSpace(s)
	if s == "" {
		return time.Time{}
	}
	for _, layout := range []string{time.RFC3339Nano, "2006-01-02T15:04:05.999999999", "2006-01-02 15:04:05.999999999Z07:00", "2006-01-02 15:04:05.999999999"} {
		if t, err := time.Parse(layout, s); err == nil {
			return t.UTC()
		}
	}
	return time.Time{}
}
