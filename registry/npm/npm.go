// Package npm reads package metadata from an npm registry (the public one,
// a mirror or a private registry: Verdaccio, Artifactory, GitHub Packages)
// through the full packument, GET <base>/<name> (scoped names as
// @scope%2Fname). The abbreviated form (application/vnd.npm.install-v1+json)
// does not suffice: it carries no publish time per version, no publisher,
// no repository and no maintainers.
//
// A packument can be tens of MB (thousands of versions, each with its
// readme in old ones): it is decoded as a stream, token by token at the top
// level and one version object at a time, so memory is bounded by the
// largest single value, not by the document; a byte limit and a version
// limit bound the rest.
//
// Real packuments vary in shape across a decade of publishing tools; the
// fields known to vary (repository: string or object; maintainers and
// _npmUser: objects or "name <email>" strings; deprecated: string or
// false; dependencies: object, or an empty array in very old versions) are
// read leniently, every other field strictly. Some mirrors omit _npmUser,
// maintainers and time.created: those fields are then empty, not errors.
package npm

import (
	"context"
	"errors"
	"fmt"
	"net/url"
	"strings"
	"time"

	"github.com/tollgate-dev/tollgate/internal/httpx"
	"github.com/tollgate-dev/tollgate/registry"
	"github.com/tollgate-dev/tollgate/registry/internal/fetch"
)

// DefaultBaseURL is the public npm registry.
const DefaultBaseURL = "https://registry.npmjs.org"

// DefaultDownloadsURL is the public npm download-count API, used when the
// registry is the public one.
const DefaultDownloadsURL = "https://api.npmjs.org"

// Client reads packuments from one npm registry.
type Client struct {
	get       *fetch.Getter
	downloads *fetch.Getter // nil: no download counts
}

// An Option adjusts a Client.
type Option func(*config)

type config struct {
	downloadsURL  string
	downloadsSet  bool
	downloadsHTTP *httpx.Client
}

// WithDownloads reads weekly download counts from the npm download-count
// API at baseURL (GET <baseURL>/downloads/point/last-week/<name>) through
// hc (nil: the registry's HTTP client). No credentials are sent there. An
// empty baseURL turns counts off. By default counts are read from
// DefaultDownloadsURL when the registry is the public one, and not at all
// for mirrors and private registries, which have no such API.
func WithDownloads(baseURL string, hc *httpx.Client) Option {
	return func(c *config) { c.downloadsURL, c.downloadsSet, c.downloadsHTTP = baseURL, true, hc }
}

// New returns a client for the registry of opts (default DefaultBaseURL).
func New(opts registry.Options, options ...Option) (*Client, error) {
	g, err := fetch.New("npm", DefaultBaseURL, opts)
	if err != nil {
		return nil, err
	}
	var cfg config
	for _, o := range options {
		o(&cfg)
	}
	if !cfg.downloadsSet && strings.TrimRight(g.Base.String(), "/") == DefaultBaseURL {
		cfg.downloadsURL = DefaultDownloadsURL
	}
	c := &Client{get: g}
	if cfg.downloadsURL != "" {
		dopts := g.Opts
		dopts.BaseURL, dopts.Credentials, dopts.Cache = cfg.downloadsURL, registry.Credentials{}, nil
		if cfg.downloadsHTTP != nil {
			dopts.HTTP = cfg.downloadsHTTP
		}
		dopts.MaxDocumentBytes = 1 << 20
		if c.downloads, err = fetch.New("npm downloads", "", dopts); err != nil {
			return nil, err
		}
	}
	return c, nil
}

// Ecosystem returns registry.EcosystemNpm.
func (c *Client) Ecosystem() string { return registry.EcosystemNpm }

// Package returns the package's metadata (see registry.Client).
func (c *Client) Package(ctx context.Context, name string) (*registry.Package, error) {
	if err := checkName(name); err != nil {
		return nil, &registry.Error{Registry: "npm", Package: name, Err: err}
	}
	return c.get.Cached(ctx, registry.EcosystemNpm, name, func(ctx context.Context) (*registry.Package, time.Duration, error) {
		u := c.get.URL(name)
		resp, err := c.get.Get(ctx, name, u, "application/json")
		if err != nil {
			return nil, 0, err
		}
		defer resp.Body.Close()
		p, err := Decode(resp.Body, c.get.Opts.MaxVersions)
		if err != nil {
			return nil, 0, c.get.Fail(name, resp.URL, err)
		}
		if p.Name != "" && p.Name != name {
			return nil, 0, c.get.Fail(name, resp.URL, fmt.Errorf("%w: the packument is for %q", registry.ErrMalformed, p.Name))
		}
		p.Name = name
		p.Downloads = -1
		if c.downloads != nil && !p.Unpublished {
			n, err := c.weeklyDownloads(ctx, name)
			if err != nil {
				p.Incomplete = append(p.Incomplete, "downloads: "+err.Error())
			} else {
				p.Downloads, p.DownloadsPeriod = n, registry.DownloadsLastWeek
			}
		}
		return p, resp.MaxAge, nil
	})
}

// checkName refuses names that could not be a package and would change the
// request's path ("..", empty parts).
func checkName(name string) error {
	bare := name
	if strings.HasPrefix(name, "@") {
		scope, pkg, ok := strings.Cut(name[1:], "/")
		if !ok || scope == "" || pkg == "" {
			return fmt.Errorf("not an npm package name (a scoped name is @scope/name)")
		}
		bare = pkg
	}
	if bare == "" || bare == "." || bare == ".." || strings.ContainsAny(bare, "/\\") {
		return fmt.Errorf("not an npm package name")
	}
	return nil
}

type downloadsPoint struct {
	Downloads *int64 `json:"downloads"`
}

func (c *Client) weeklyDownloads(ctx context.Context, name string) (int64, error) {
	// The API takes a scoped name with its slash as is.
	u := c.downloads.URL("downloads", "point", "last-week") + "/" + strings.ReplaceAll(url.PathEscape(name), "%2F", "/")
	var doc downloadsPoint
	if _, err := c.downloads.GetJSON(ctx, name, u, "application/json", &doc); err != nil {
		if errors.Is(err, registry.ErrNotFound) {
			return 0, nil // the API knows no downloads yet: a package too new to count
		}
		return 0, err
	}
	if doc.Downloads == nil || *doc.Downloads < 0 {
		return 0, c.downloads.Fail(name, u, fmt.Errorf("%w: no downloads count", registry.ErrMalformed))
	}
	return *doc.Downloads, nil
}
