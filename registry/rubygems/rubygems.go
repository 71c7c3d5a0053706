// Package rubygems reads gem metadata from rubygems.org or a compatible
// server (Gemstash, Artifactory) through the JSON API: GET
// <base>/api/v1/versions/<name>.json (every version and platform, with its
// publish time, SHA-256 and metadata), <base>/api/v1/gems/<name>.json (the
// latest version's runtime dependencies and URIs, the total download
// count) and <base>/api/v1/gems/<name>/owners.json.
//
// RubyGems removes yanked versions from the versions list: a locked version
// missing from Package.Versions was yanked or never published. The API
// shows neither the pusher of a version nor whether a gem builds native
// extensions, so Publisher and InstallScripts stay empty and provenance
// unknown.
package rubygems

import (
	"context"
	"fmt"
	"regexp"
	"strings"
	"time"

	"github.com/tollgate-dev/tollgate/registry"
	"github.com/tollgate-dev/tollgate/registry/internal/fetch"
)

// DefaultBaseURL is rubygems.org.
const DefaultBaseURL = "https://rubygems.org"

// Client reads gems from one RubyGems-compatible server.
type Client struct {
	get *fetch.Getter
}

// New returns a client for the server of opts (default DefaultBaseURL).
func New(opts registry.Options) (*Client, error) {
	g, err := fetch.New("rubygems", DefaultBaseURL, opts)
	if err != nil {
		return nil, err
	}
	return &Client{get: g}, nil
}

// Ecosystem returns registry.EcosystemRubyGems.
func (c *Client) Ecosystem() string { return registry.EcosystemRubyGems }

var validName = regexp.MustCompile(`^[A-Za-z0-9][A-Za-z0-9._-]*$`)

type versionDoc struct {
	Number     string            `json:"number"`
	Platform   string            `json:"platform"`
	CreatedAt  string            `json:"created_at"`
	SHA        string            `json:"sha"`
	Metadata   map[string]string `json:"metadata"`
	Prerelease bool              `json:"prerelease"`
}

type gemDoc struct {
	Name          string            `json:"name"`
	Downloads     int64             `json:"downloads"`
	Version       string            `json:"version"`
	Platform      string            `json:"platform"`
	Metadata      map[string]string `json:"metadata"`
	SourceCodeURI string            `json:"source_code_uri"`
	HomepageURI   string            `json:"homepage_uri"`
	Dependencies  struct {
		Runtime []struct {
			Name         string `json:"name"`
			Requirements string `json:"requirements"`
		} `json:"runtime"`
	} `json:"dependencies"`
}

type owner struct {
	Handle string `json:"handle"`
}

// Package returns the gem's metadata (see registry.Client).
func (c *Client) Package(ctx context.Context, name string) (*registry.Package, error) {
	if !validName.MatchString(name) || strings.Contains(name, "..") {
		return nil, &registry.Error{Registry: "rubygems", Package: name, Err: fmt.Errorf("not a gem name")}
	}
	return c.get.Cached(ctx, registry.EcosystemRubyGems, name, func(ctx context.Context) (*registry.Package, time.Duration, error) {
		var gem gemDoc
		resp, err := c.get.GetJSON(ctx, name, c.get.URL("api", "v1", "gems", name+".json"), "application/json", &gem)
		if err != nil {
			return nil, 0, err
		}
		if gem.Name != name {
			return nil, 0, c.get.Fail(name, resp.URL, fmt.Errorf("%w: the document is for gem %q", registry.ErrMalformed, gem.Name))
		}
		var versions []versionDoc
		vresp, err := c.get.GetJSON(ctx, name, c.get.URL("api", "v1", "versions", name+".json"), "application/json", &versions)
		if err != nil {
			return nil, 0, err
		}
		if err := c.get.CheckVersions(len(versions)); err != nil {
			return nil, 0, c.get.Fail(name, vresp.URL, err)
		}
		p := &registry.Package{Name: gem.Name, Latest: gem.Version, Downloads: gem.Downloads, DownloadsPeriod: registry.DownloadsTotal}
		p.Repository = repository(gem.Metadata, gem.SourceCodeURI, gem.HomepageURI)
		for _, raw := range versions {
			if raw.Number == "" {
				return nil, 0, c.get.Fail(name, vresp.URL, fmt.Errorf("%w: a version without a number", registry.ErrMalformed))
			}
			v := registry.Version{Version: spelled(raw.Number, raw.Platform), Published: fetch.ParseTime(raw.CreatedAt)}
			v.Repository = repository(raw.Metadata, "", "")
			if raw.SHA != "" {
				v.Digest = "sha256:" + strings.ToLower(raw.SHA)
			}
			v.ArtifactURL = c.get.URL("gems", name+"-"+v.Version+".gem")
			if raw.Number == gem.Version && (raw.Platform == gem.Platform || raw.Platform == "" || raw.Platform == "ruby") {
				v.Dependencies = map[string]string{}
				for _, d := range gem.Dependencies.Runtime {
					v.Dependencies[d.Name] = d.Requirements
				}
			}
			p.Versions = append(p.Versions, v)
		}
		var owners []owner
		if _, err := c.get.GetJSON(ctx, name, c.get.URL("api", "v1", "gems", name, "owners.json"), "application/json", &owners); err != nil {
			if ctx.Err() != nil {
				return nil, 0, err
			}
			p.Incomplete = append(p.Incomplete, "maintainers: "+err.Error())
		}
		for _, o := range owners {
			if o.Handle != "" {
				p.Maintainers = append(p.Maintainers, o.Handle)
			}
		}
		return p, min(resp.MaxAge, vresp.MaxAge), nil
	})
}

// spelled writes a version as Gemfile.lock does: the number, and
// "-<platform>" for a platform other than ruby.
func spelled(number, platform string) string {
	if platform == "" || platform == "ruby" {
		return number
	}
	return number + "-" + platform
}

// repository picks source_code_uri, else a code forge home page.
func repository(meta map[string]string, source, home string) string {
	if s := strings.TrimSpace(meta["source_code_uri"]); s != "" {
		return s
	}
	if s := strings.TrimSpace(source); s != "" {
		return s
	}
	for _, h := range []string{meta["homepage_uri"], home} {
		for _, forge := range []string{"://github.com/", "://gitlab.com/", "://codeberg.org/"} {
			if strings.Contains(h, forge) {
				return strings.TrimSpace(h)
			}
		}
	}
	return ""
}
