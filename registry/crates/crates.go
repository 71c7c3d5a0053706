// Package crates reads crate metadata from the crates.io web API
// (GET <base>/api/v1/crates/<name>, its versions — inline, or paged through
// /versions and meta.next_page when the crate answer leaves them out — and
// /owners). Each version carries its publish time, yank state and message,
// SHA-256 checksum, publisher (published_by) and trusted-publishing record
// (trustpub_data). Per-version dependencies are a request per version on
// this API and are not read (nil); build scripts (build.rs) and proc
// macros do not show in it either.
//
// crates.io asks API clients for at most one request a second
// (crates.io/data-access): give this registry an httpx client with
// MaxInFlight 1. Alternative registries rarely serve this web API (Cargo
// needs only their index).
package crates

import (
	"context"
	"fmt"
	"net/url"
	"regexp"
	"strings"
	"time"

	"github.com/tollgate-dev/tollgate/registry"
	"github.com/tollgate-dev/tollgate/registry/internal/fetch"
)

// DefaultBaseURL is crates.io.
const DefaultBaseURL = "https://crates.io"

// Client reads crates from one crates.io-compatible web API.
type Client struct {
	get *fetch.Getter
}

// New returns a client for the API of opts (default DefaultBaseURL).
func New(opts registry.Options) (*Client, error) {
	g, err := fetch.New("crates", DefaultBaseURL, opts)
	if err != nil {
		return nil, err
	}
	return &Client{get: g}, nil
}

// Ecosystem returns registry.EcosystemCrates.
func (c *Client) Ecosystem() string { return registry.EcosystemCrates }

var validName = regexp.MustCompile(`^[A-Za-z0-9][A-Za-z0-9_-]{0,63}$`)

type crateDoc struct {
	Crate *struct {
		Name            string `json:"name"`
		CreatedAt       string `json:"created_at"`
		UpdatedAt       string `json:"updated_at"`
		Downloads       int64  `json:"downloads"`
		RecentDownloads *int64 `json:"recent_downloads"`
		MaxStable       string `json:"max_stable_version"`
		MaxVersion      string `json:"max_version"`
		Repository      string `json:"repository"`
	} `json:"crate"`
	// Versions is absent when the API leaves them to /versions.
	Versions *[]version `json:"versions"`
}

type version struct {
	Num         string  `json:"num"`
	DLPath      string  `json:"dl_path"`
	CreatedAt   string  `json:"created_at"`
	Yanked      bool    `json:"yanked"`
	YankMessage *string `json:"yank_message"`
	Checksum    string  `json:"checksum"`
	PublishedBy *struct {
		Login string `json:"login"`
	} `json:"published_by"`
	TrustpubData *struct {
		Provider   string `json:"provider"`
		Repository string `json:"repository"`
	} `json:"trustpub_data"`
}

type versionsPage struct {
	Versions []version `json:"versions"`
	Meta     struct {
		Total    int     `json:"total"`
		NextPage *string `json:"next_page"`
	} `json:"meta"`
}

type ownersDoc struct {
	Users []struct {
		Login string `json:"login"`
	} `json:"users"`
}

// Package returns the crate's metadata (see registry.Client).
func (c *Client) Package(ctx context.Context, name string) (*registry.Package, error) {
	if !validName.MatchString(name) {
		return nil, &registry.Error{Registry: "crates", Package: name, Err: fmt.Errorf("not a crate name")}
	}
	return c.get.Cached(ctx, registry.EcosystemCrates, strings.ToLower(name), func(ctx context.Context) (*registry.Package, time.Duration, error) {
		u := c.get.URL("api", "v1", "crates", name)
		var doc crateDoc
		resp, err := c.get.GetJSON(ctx, name, u, "application/json", &doc)
		if err != nil {
			return nil, 0, err
		}
		if doc.Crate == nil || doc.Crate.Name == "" {
			return nil, 0, c.get.Fail(name, resp.URL, fmt.Errorf("%w: no crate object", registry.ErrMalformed))
		}
		var versions []version
		if doc.Versions != nil {
			versions = *doc.Versions
		} else if versions, err = c.pages(ctx, name); err != nil {
			return nil, 0, err
		}
		if err := c.get.CheckVersions(len(versions)); err != nil {
			return nil, 0, c.get.Fail(name, resp.URL, err)
		}
		cr := doc.Crate
		p := &registry.Package{
			Name: cr.Name, Created: fetch.ParseTime(cr.CreatedAt), Modified: fetch.ParseTime(cr.UpdatedAt),
			Latest: cr.MaxStable, Repository: strings.TrimSpace(cr.Repository),
			Downloads: cr.Downloads, DownloadsPeriod: registry.DownloadsTotal,
		}
		if p.Latest == "" {
			p.Latest = cr.MaxVersion
		}
		if cr.RecentDownloads != nil {
			p.Downloads, p.DownloadsPeriod = *cr.RecentDownloads, registry.Downloads90Days
		}
		for _, v := range versions {
			p.Versions = append(p.Versions, c.normalise(v))
		}
		var owners ownersDoc
		ou := c.get.URL("api", "v1", "crates", name, "owners")
		if _, err := c.get.GetJSON(ctx, name, ou, "application/json", &owners); err != nil {
			if ctx.Err() != nil {
				return nil, 0, err
			}
			p.Incomplete = append(p.Incomplete, "maintainers: "+err.Error())
		}
		for _, o := range owners.Users {
			p.Maintainers = append(p.Maintainers, o.Login)
		}
		return p, resp.MaxAge, nil
	})
}

func (c *Client) normalise(raw version) registry.Version {
	v := registry.Version{
		Version: raw.Num, Published: fetch.ParseTime(raw.CreatedAt), Yanked: raw.Yanked,
		Provenance: registry.ProvenanceNone,
	}
	if raw.Yanked && raw.YankMessage != nil {
		v.YankedReason = *raw.YankMessage
	}
	if raw.Checksum != "" {
		v.Digest = "sha256:" + strings.ToLower(raw.Checksum)
	}
	if raw.DLPath != "" {
		if ref, err := url.Parse(raw.DLPath); err == nil {
			v.ArtifactURL = c.get.Base.ResolveReference(ref).String()
		}
	}
	if raw.PublishedBy != nil {
		v.Publisher = raw.PublishedBy.Login
	}
	if tp := raw.TrustpubData; tp != nil {
		v.Provenance = registry.ProvenanceTrustedPublisher
		if v.Publisher == "" {
			// No account published it: the CI workflow did.
			v.Publisher = tp.Provider + ":" + tp.Repository
		}
	}
	return v
}

// pages reads /api/v1/crates/<name>/versions, following meta.next_page (a
// query string) up to MaxPages pages.
func (c *Client) pages(ctx context.Context, name string) ([]version, error) {
	base := c.get.URL("api", "v1", "crates", name, "versions")
	u := base + "?per_page=100"
	var out []version
	for page := 1; ; page++ {
		if page > c.get.Opts.MaxPages {
			return nil, c.get.Fail(name, u, fmt.Errorf("%w: more than %d pages of versions", registry.ErrTooManyVersions, c.get.Opts.MaxPages))
		}
		var doc versionsPage
		resp, err := c.get.GetJSON(ctx, name, u, "application/json", &doc)
		if err != nil {
			return nil, err
		}
		out = append(out, doc.Versions...)
		if err := c.get.CheckVersions(len(out)); err != nil {
			return nil, c.get.Fail(name, resp.URL, err)
		}
		if doc.Meta.NextPage == nil || *doc.Meta.NextPage == "" || len(doc.Versions) == 0 {
			return out, nil
		}
		next := *doc.Meta.NextPage
		if !strings.HasPrefix(next, "?") {
			return nil, c.get.Fail(name, resp.URL, fmt.Errorf("%w: next_page %q is not a query string", registry.ErrMalformed, next))
		}
		u = base + next
	}
}
