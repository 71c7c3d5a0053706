// Package nuget reads package metadata from a NuGet v3 feed (nuget.org,
// Azure Artifacts, GitHub Packages, a private feed) starting from its
// service index (the base URL, e.g. https://api.nuget.org/v3/index.json):
// the RegistrationsBaseUrl resource gives every version's publish time,
// listing, deprecation, project URL and dependency groups (pages inline or
// fetched one by one), the PackageBaseAddress resource (the flat
// container) gives the version list and the .nupkg URL, and the
// SearchQueryService, when the feed has one, gives the total download
// count and the owners.
//
// An unlisted version (NuGet's yank) has listed false and a published time
// of 1900-01-01: Yanked, with Published zero. The registration shows no
// package hash, publisher or install-time script (tools/install.ps1), so
// Digest, Publisher and InstallScripts stay empty and provenance unknown.
package nuget

import (
	"context"
	"encoding/json"
	"fmt"
	"regexp"
	"strings"
	"sync"
	"time"

	"github.com/tollgate-dev/tollgate/registry"
	"github.com/tollgate-dev/tollgate/registry/internal/fetch"
)

// DefaultBaseURL is nuget.org's service index.
const DefaultBaseURL = "https://api.nuget.org/v3/index.json"

// Client reads packages from one NuGet v3 feed.
type Client struct {
	get *fetch.Getter

	mu        sync.Mutex
	resources *resources // nil until the service index was read
}

type resources struct {
	registration, flat, search string
}

// New returns a client for the feed whose service index is opts.BaseURL
// (default DefaultBaseURL).
func New(opts registry.Options) (*Client, error) {
	g, err := fetch.New("nuget", DefaultBaseURL, opts)
	if err != nil {
		return nil, err
	}
	return &Client{get: g}, nil
}

// Ecosystem returns registry.EcosystemNuGet.
func (c *Client) Ecosystem() string { return registry.EcosystemNuGet }

var validID = regexp.MustCompile(`^[A-Za-z0-9_]([A-Za-z0-9_.-]*[A-Za-z0-9_])?$`)

type serviceIndex struct {
	Version   string `json:"version"`
	Resources []struct {
		ID   string `json:"@id"`
		Type string `json:"@type"`
	} `json:"resources"`
}

// resourceTypes are the @type values accepted for each resource, newest
// first (learn.microsoft.com/nuget/api/overview#versioning). Semver 2
// registrations are preferred: the others hide SemVer 2.0.0 versions.
var resourceTypes = map[string][]string{
	"registration": {"RegistrationsBaseUrl/3.6.0", "RegistrationsBaseUrl/Versioned", "RegistrationsBaseUrl/3.4.0", "RegistrationsBaseUrl/3.0.0-rc", "RegistrationsBaseUrl/3.0.0-beta", "RegistrationsBaseUrl"},
	"flat":         {"PackageBaseAddress/3.0.0"},
	"search":       {"SearchQueryService/3.5.0", "SearchQueryService/3.0.0-rc", "SearchQueryService/3.0.0-beta", "SearchQueryService"},
}

// service reads the service index once per client (again after a failure).
func (c *Client) service(ctx context.Context, id string) (*resources, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.resources != nil {
		return c.resources, nil
	}
	var idx serviceIndex
	u := c.get.Base.String()
	resp, err := c.get.GetJSON(ctx, id, u, "application/json", &idx)
	if err != nil {
		return nil, err
	}
	if !strings.HasPrefix(idx.Version, "3.") {
		return nil, c.get.Fail(id, resp.URL, fmt.Errorf("%w: service index version %q, want 3.x", registry.ErrMalformed, idx.Version))
	}
	pick := func(kind string) string {
		for _, t := range resourceTypes[kind] {
			for _, r := range idx.Resources {
				if r.Type == t && r.ID != "" {
					return strings.TrimRight(r.ID, "/")
				}
			}
		}
		return ""
	}
	res := &resources{registration: pick("registration"), flat: pick("flat"), search: pick("search")}
	if res.registration == "" || res.flat == "" {
		return nil, c.get.Fail(id, resp.URL, fmt.Errorf("%w: the service index has no RegistrationsBaseUrl or PackageBaseAddress resource", registry.ErrMalformed))
	}
	c.resources = res
	return res, nil
}

type registrationIndex struct {
	Count int                `json:"count"`
	Items []registrationPage `json:"items"`
}

type registrationPage struct {
	ID    string `json:"@id"`
	Count int    `json:"count"`
	// Items is absent when the page must be fetched from ID.
	Items *[]leaf `json:"items"`
}

type leaf struct {
	// CatalogEntry is an object inline; a bare link (some feeds) carries
	// no metadata and is skipped.
	CatalogEntry   json.RawMessage `json:"catalogEntry"`
	PackageContent string          `json:"packageContent"`
}

type catalogEntry struct {
	ID          string `json:"id"`
	Version     string `json:"version"`
	Published   string `json:"published"`
	Listed      *bool  `json:"listed"`
	ProjectURL  string `json:"projectUrl"`
	Deprecation *struct {
		Reasons []string `json:"reasons"`
		Message string   `json:"message"`
	} `json:"deprecation"`
	DependencyGroups []struct {
		TargetFramework string `json:"targetFramework"`
		Dependencies    []struct {
			ID    string `json:"id"`
			Range string `json:"range"`
		} `json:"dependencies"`
	} `json:"dependencyGroups"`
}

type flatIndex struct {
	Versions []string `json:"versions"`
}

type searchResult struct {
	Data []struct {
		ID             string          `json:"id"`
		TotalDownloads int64           `json:"totalDownloads"`
		Owners         json.RawMessage `json:"owners"`
	} `json:"data"`
}

// Package returns the package's metadata (see registry.Client). NuGet ids
// are case-insensitive; Name is the id as the registration spells it.
func (c *Client) Package(ctx context.Context, name string) (*registry.Package, error) {
	if !validID.MatchString(name) || strings.Contains(name, "..") {
		return nil, &registry.Error{Registry: "nuget", Package: name, Err: fmt.Errorf("not a NuGet package id")}
	}
	lower := strings.ToLower(name)
	return c.get.Cached(ctx, registry.EcosystemNuGet, lower, func(ctx context.Context) (*registry.Package, time.Duration, error) {
		res, err := c.service(ctx, name)
		if err != nil {
			return nil, 0, err
		}
		var flat flatIndex
		fresp, err := c.get.GetJSON(ctx, name, res.flat+"/"+lower+"/index.json", "application/json", &flat)
		if err != nil {
			return nil, 0, err
		}
		if err := c.get.CheckVersions(len(flat.Versions)); err != nil {
			return nil, 0, c.get.Fail(name, fresp.URL, err)
		}
		entries, leaves, maxAge, err := c.registration(ctx, name, res.registration+"/"+lower+"/index.json")
		if err != nil {
			return nil, 0, err
		}
		p := &registry.Package{Name: name, Downloads: -1}
		byVersion := map[string]int{}
		for _, fv := range flat.Versions {
			byVersion[strings.ToLower(fv)] = len(p.Versions)
			p.Versions = append(p.Versions, registry.Version{
				Version:     fv,
				ArtifactURL: res.flat + "/" + lower + "/" + strings.ToLower(fv) + "/" + lower + "." + strings.ToLower(fv) + ".nupkg",
			})
		}
		for i, e := range entries {
			if e.ID != "" {
				p.Name = e.ID
			}
			key := strings.ToLower(normalizeVersion(e.Version))
			idx, ok := byVersion[key]
			if !ok {
				// In the registration, not in the flat container (a feed
				// whose two resources disagree): keep it.
				idx = len(p.Versions)
				byVersion[key] = idx
				p.Versions = append(p.Versions, registry.Version{Version: e.Version, ArtifactURL: leaves[i].PackageContent})
			}
			v := &p.Versions[idx]
			v.Version = normalizeVersion(e.Version)
			if leaves[i].PackageContent != "" {
				v.ArtifactURL = leaves[i].PackageContent
			}
			published := fetch.ParseTime(e.Published)
			if published.Year() > 1900 {
				v.Published = published
			}
			if (e.Listed != nil && !*e.Listed) || (!published.IsZero() && published.Year() <= 1900) {
				v.Yanked, v.YankedReason = true, "unlisted"
			}
			if d := e.Deprecation; d != nil {
				v.Deprecated = d.Message
				if v.Deprecated == "" {
					v.Deprecated = "deprecated: " + strings.Join(d.Reasons, ", ")
				}
			}
			v.Repository = forge(e.ProjectURL)
			v.Dependencies = map[string]string{}
			for _, g := range e.DependencyGroups {
				for _, d := range g.Dependencies {
					if _, seen := v.Dependencies[d.ID]; !seen {
						v.Dependencies[d.ID] = d.Range
					}
				}
			}
			if !v.Yanked && e.Version != "" {
				// The latest listed release (registration order is ascending).
				if !strings.Contains(v.Version, "-") || p.Latest == "" || strings.Contains(p.Latest, "-") {
					p.Latest = v.Version
				}
			}
		}
		if lv, ok := p.Version(p.Latest); ok {
			p.Repository = lv.Repository
		}
		if res.search != "" {
			if err := c.searchInfo(ctx, name, res.search, p); err != nil {
				if ctx.Err() != nil {
					return nil, 0, err
				}
				p.Incomplete = append(p.Incomplete, "downloads and owners: "+err.Error())
			}
		}
		return p, min(maxAge, fresp.MaxAge), nil
	})
}

// registration reads the registration index and every page not inline.
func (c *Client) registration(ctx context.Context, name, u string) ([]catalogEntry, []leaf, time.Duration, error) {
	var idx registrationIndex
	resp, err := c.get.GetJSON(ctx, name, u, "application/json", &idx)
	if err != nil {
		return nil, nil, 0, err
	}
	if len(idx.Items) > c.get.Opts.MaxPages {
		return nil, nil, 0, c.get.Fail(name, resp.URL, fmt.Errorf("%w: %d registration pages, limit %d", registry.ErrTooManyVersions, len(idx.Items), c.get.Opts.MaxPages))
	}
	var entries []catalogEntry
	var leaves []leaf
	for _, page := range idx.Items {
		items := page.Items
		if items == nil {
			if page.ID == "" {
				return nil, nil, 0, c.get.Fail(name, resp.URL, fmt.Errorf("%w: a registration page with neither items nor @id", registry.ErrMalformed))
			}
			var full registrationPage
			if _, err := c.get.GetJSON(ctx, name, page.ID, "application/json", &full); err != nil {
				return nil, nil, 0, err
			}
			if full.Items == nil {
				return nil, nil, 0, c.get.Fail(name, page.ID, fmt.Errorf("%w: the registration page has no items", registry.ErrMalformed))
			}
			items = full.Items
		}
		for _, l := range *items {
			var e catalogEntry
			if len(l.CatalogEntry) > 0 && l.CatalogEntry[0] == '{' {
				if err := json.Unmarshal(l.CatalogEntry, &e); err != nil {
					return nil, nil, 0, c.get.Fail(name, resp.URL, fmt.Errorf("%w: catalogEntry: %w", registry.ErrMalformed, err))
				}
			}
			if e.Version == "" {
				continue
			}
			entries = append(entries, e)
			leaves = append(leaves, l)
			if err := c.get.CheckVersions(len(entries)); err != nil {
				return nil, nil, 0, c.get.Fail(name, resp.URL, err)
			}
		}
	}
	return entries, leaves, resp.MaxAge, nil
}

// searchInfo reads totalDownloads and owners from the search service.
func (c *Client) searchInfo(ctx context.Context, name, search string, p *registry.Package) error {
	u := search + "?q=packageid:" + strings.ToLower(name) + "&prerelease=true&semVerLevel=2.0.0&take=1"
	var res searchResult
	if _, err := c.get.GetJSON(ctx, name, u, "application/json", &res); err != nil {
		return err
	}
	for _, d := range res.Data {
		if !strings.EqualFold(d.ID, name) {
			continue
		}
		p.Downloads, p.DownloadsPeriod = d.TotalDownloads, registry.DownloadsTotal
		// owners is a string or an array of strings.
		var one string
		var many []string
		switch {
		case json.Unmarshal(d.Owners, &many) == nil:
			p.Maintainers = many
		case json.Unmarshal(d.Owners, &one) == nil && one != "":
			p.Maintainers = []string{one}
		}
		return nil
	}
	return nil // the search index lags new packages: no count yet
}

// normalizeVersion drops SemVer build metadata, as NuGet compares versions.
func normalizeVersion(v string) string {
	if i := strings.IndexByte(v, '+'); i >= 0 {
		return v[:i]
	}
	return v
}

func forge(u string) string {
	for _, f := range []string{"://github.com/", "://gitlab.com/", "://dev.azure.com/", "://bitbucket.org/", "://codeberg.org/"} {
		if strings.Contains(u, f) {
			return strings.TrimSpace(u)
		}
	}
	return ""
}
