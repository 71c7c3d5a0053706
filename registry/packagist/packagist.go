// Package packagist reads Composer package metadata from Packagist or a
// Composer repository (Private Packagist, Satis, Artifactory) through the
// Composer 2 metadata: the repository's packages.json names its
// metadata-url (default /p2/%package%.json), which serves the tagged
// versions, and the same URL with "~dev" the branches
// (getcomposer.org/doc/05-repositories.md#metadata-url). The files are
// minified ("minified": "composer/2.0"): each version lists only the keys
// that differ from the version before it, "__unset" removing one; they are
// expanded here the way Composer's MetadataMinifier does.
//
// Composer runs no scripts of dependencies, but a composer-plugin package
// runs its code in every composer install: InstallScripts holds
// "composer-plugin" for those. Download counts and maintainers live on
// packagist.org's own API, not in the metadata: Downloads is -1.
package packagist

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/url"
	"regexp"
	"strings"
	"sync"
	"time"

	"github.com/tollgate-dev/tollgate/registry"
	"github.com/tollgate-dev/tollgate/registry/internal/fetch"
)

// DefaultBaseURL is Packagist's metadata repository.
const DefaultBaseURL = "https://repo.packagist.org"

// defaultMetadataURL is Packagist's metadata-url.
const defaultMetadataURL = "/p2/%package%.json"

// unset is the minified form's "remove this key".
const unset = "__unset"

// Client reads packages from one Composer repository.
type Client struct {
	get *fetch.Getter

	mu          sync.Mutex
	metadataURL string // resolved template; "" until packages.json was read
}

// New returns a client for the repository of opts (default DefaultBaseURL).
func New(opts registry.Options) (*Client, error) {
	g, err := fetch.New("packagist", DefaultBaseURL, opts)
	if err != nil {
		return nil, err
	}
	return &Client{get: g}, nil
}

// Ecosystem returns registry.EcosystemPackagist.
func (c *Client) Ecosystem() string { return registry.EcosystemPackagist }

var validName = regexp.MustCompile(`^[a-z0-9]([_.-]?[a-z0-9]+)*/[a-z0-9](([_.]|-{1,2})?[a-z0-9]+)*$`)

// metadataTemplate reads packages.json once per client for its
// metadata-url; a repository without packages.json (404) or without the
// key gets Packagist's default.
func (c *Client) metadataTemplate(ctx context.Context, name string) (string, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.metadataURL != "" {
		return c.metadataURL, nil
	}
	var doc struct {
		MetadataURL string `json:"metadata-url"`
	}
	u := c.get.URL("packages.json")
	tmpl := defaultMetadataURL
	if _, err := c.get.GetJSON(ctx, name, u, "application/json", &doc); err != nil {
		if !errors.Is(err, registry.ErrNotFound) {
			return "", err
		}
	} else if doc.MetadataURL != "" {
		tmpl = doc.MetadataURL
	}
	if doc.MetadataURL == "" {
		// No packages.json, or no metadata-url in it: below the base URL,
		// its path prefix kept.
		c.metadataURL = strings.TrimRight(c.get.Base.String(), "/") + tmpl
		return c.metadataURL, nil
	}
	// "%package%" is no valid percent-encoding: swap it out to resolve the
	// template (absolute, or relative to the repository URL) as Composer does.
	const placeholder = "tollgate-package-placeholder"
	ref, err := url.Parse(strings.ReplaceAll(tmpl, "%package%", placeholder))
	if err != nil || !strings.Contains(tmpl, "%package%") || (ref.Scheme != "" && ref.Scheme != "https" && ref.Scheme != "http") {
		return "", c.get.Fail(name, u, fmt.Errorf("%w: metadata-url %q", registry.ErrMalformed, tmpl))
	}
	c.metadataURL = strings.ReplaceAll(c.get.Base.ResolveReference(ref).String(), placeholder, "%package%")
	return c.metadataURL, nil
}

type p2Doc struct {
	Minified string                       `json:"minified"`
	Packages map[string][]json.RawMessage `json:"packages"`
}

type entry struct {
	Name    string `json:"name"`
	Version string `json:"version"`
	Time    string `json:"time"`
	Type    string `json:"type"`
	Source  *struct {
		URL string `json:"url"`
	} `json:"source"`
	Dist *struct {
		URL    string `json:"url"`
		Shasum string `json:"shasum"`
	} `json:"dist"`
	Require   map[string]string `json:"require"`
	Abandoned json.RawMessage   `json:"abandoned"`
}

// Package returns the package's metadata (see registry.Client); name is
// vendor/package.
func (c *Client) Package(ctx context.Context, name string) (*registry.Package, error) {
	name = strings.ToLower(name)
	if !validName.MatchString(name) {
		return nil, &registry.Error{Registry: "packagist", Package: name, Err: fmt.Errorf("not a Composer package name (vendor/package)")}
	}
	return c.get.Cached(ctx, registry.EcosystemPackagist, name, func(ctx context.Context) (*registry.Package, time.Duration, error) {
		tmpl, err := c.metadataTemplate(ctx, name)
		if err != nil {
			return nil, 0, err
		}
		tagged, maxAge, err := c.versions(ctx, name, strings.ReplaceAll(tmpl, "%package%", name))
		if err != nil {
			return nil, 0, err
		}
		dev, _, err := c.versions(ctx, name, strings.ReplaceAll(tmpl, "%package%", name+"~dev"))
		if err != nil && !errors.Is(err, registry.ErrNotFound) {
			return nil, 0, err
		}
		all := append(tagged, dev...)
		if err := c.get.CheckVersions(len(all)); err != nil {
			return nil, 0, c.get.Fail(name, strings.ReplaceAll(tmpl, "%package%", name), err)
		}
		p := &registry.Package{Name: name, Downloads: -1}
		for i, e := range all {
			v := registry.Version{Version: e.Version, Published: fetch.ParseTime(e.Time)}
			if e.Source != nil {
				v.Repository = e.Source.URL
			}
			if e.Dist != nil {
				v.ArtifactURL = e.Dist.URL
				if e.Dist.Shasum != "" {
					v.Digest = "sha1:" + strings.ToLower(e.Dist.Shasum)
				}
			}
			if e.Type == "composer-plugin" {
				v.InstallScripts = []string{"composer-plugin"}
			}
			v.Dependencies = map[string]string{}
			for dep, constraint := range e.Require {
				if !platformPackage(dep) {
					v.Dependencies[dep] = constraint
				}
			}
			if i == 0 && i < len(tagged) {
				// The first tagged entry is the newest release.
				p.Latest, p.Repository = v.Version, v.Repository
				p.Deprecated = abandoned(e.Abandoned)
			}
			p.Versions = append(p.Versions, v)
		}
		return p, maxAge, nil
	})
}

// versions fetches one p2 file and expands its entries.
func (c *Client) versions(ctx context.Context, name, u string) ([]entry, time.Duration, error) {
	var doc p2Doc
	resp, err := c.get.GetJSON(ctx, name, u, "application/json", &doc)
	if err != nil {
		return nil, 0, err
	}
	raw, ok := doc.Packages[name]
	if !ok {
		return nil, 0, c.get.Fail(name, resp.URL, fmt.Errorf("%w: packages has no %q", registry.ErrMalformed, name))
	}
	if err := c.get.CheckVersions(len(raw)); err != nil {
		return nil, 0, c.get.Fail(name, resp.URL, err)
	}
	expanded, err := Expand(raw, doc.Minified != "")
	if err != nil {
		return nil, 0, c.get.Fail(name, resp.URL, err)
	}
	out := make([]entry, 0, len(expanded))
	for i, obj := range expanded {
		b, _ := json.Marshal(obj)
		var e entry
		if err := json.Unmarshal(b, &e); err != nil {
			return nil, 0, c.get.Fail(name, resp.URL, fmt.Errorf("%w: version %d: %w", registry.ErrMalformed, i, err))
		}
		if e.Version == "" {
			return nil, 0, c.get.Fail(name, resp.URL, fmt.Errorf("%w: version %d has no version", registry.ErrMalformed, i))
		}
		out = append(out, e)
	}
	return out, resp.MaxAge, nil
}

// Expand undoes Composer 2 minification: each entry inherits every key of
// the expanded entry before it, overrides the keys it has, and drops the
// keys whose value is "__unset". Unminified entries are returned as they
// are.
func Expand(raw []json.RawMessage, minified bool) ([]map[string]json.RawMessage, error) {
	out := make([]map[string]json.RawMessage, 0, len(raw))
	var prev map[string]json.RawMessage
	for i, r := range raw {
		var obj map[string]json.RawMessage
		if err := json.Unmarshal(r, &obj); err != nil || obj == nil {
			if err == nil {
				err = errors.New("null")
			}
			return nil, fmt.Errorf("%w: version entry %d: %w", registry.ErrMalformed, i, err)
		}
		if minified && prev != nil {
			merged := make(map[string]json.RawMessage, len(prev)+len(obj))
			for k, v := range prev {
				merged[k] = v
			}
			for k, v := range obj {
				if string(v) == `"`+unset+`"` {
					delete(merged, k)
				} else {
					merged[k] = v
				}
			}
			obj = merged
		}
		out = append(out, obj)
		prev = obj
	}
	return out, nil
}

// platformPackage reports a requirement on the platform (php, extensions,
// libraries, composer itself) rather than on a package.
func platformPackage(name string) bool {
	return name == "php" || name == "php-64bit" || name == "hhvm" || name == "composer" || name == "composer-plugin-api" ||
		name == "composer-runtime-api" || strings.HasPrefix(name, "ext-") || strings.HasPrefix(name, "lib-")
}

// abandoned reads "abandoned": true, or the name of the replacement.
func abandoned(raw json.RawMessage) string {
	var b bool
	if json.Unmarshal(raw, &b) == nil && b {
		return "abandoned"
	}
	var s string
	if json.Unmarshal(raw, &s) == nil && s != "" {
		return "abandoned: use " + s
	}
	return ""
}
