// Package pypi reads project metadata from PyPI or a mirror (devpi,
// Artifactory, Nexus) through two documents: the JSON API,
// GET <base>/pypi/<project>/json (releases with their files, upload times,
// digests and yank state; the latest release's requirements and project
// URLs), and the JSON form of the simple API (PEP 691),
// GET <base>/simple/<project>/ with Accept
// application/vnd.pypi.simple.v1+json, whose files carry PEP 740
// provenance (api-version 1.3) and whose project-status (PEP 792,
// api-version 1.4) says archived, deprecated or quarantined. A mirror
// without the simple JSON form still answers: provenance is then unknown
// and Package.Incomplete says why.
package pypi

import (
	"context"
	"encoding/json"
	"fmt"
	"mime"
	"regexp"
	"slices"
	"strings"
	"time"

	"github.com/tollgate-dev/tollgate/registry"
	"github.com/tollgate-dev/tollgate/registry/internal/fetch"
)

// DefaultBaseURL is the public PyPI.
const DefaultBaseURL = "https://pypi.org"

// simpleJSON is the PEP 691 content type.
const simpleJSON = "application/vnd.pypi.simple.v1+json"

// Client reads projects from one PyPI-compatible index.
type Client struct {
	get *fetch.Getter
}

// New returns a client for the index of opts (default DefaultBaseURL).
func New(opts registry.Options) (*Client, error) {
	g, err := fetch.New("pypi", DefaultBaseURL, opts)
	if err != nil {
		return nil, err
	}
	return &Client{get: g}, nil
}

// Ecosystem returns registry.EcosystemPyPI.
func (c *Client) Ecosystem() string { return registry.EcosystemPyPI }

var separators = regexp.MustCompile(`[-_.]+`)

// Normalize returns the PEP 503 normalised project name.
func Normalize(name string) string {
	return strings.ToLower(separators.ReplaceAllString(name, "-"))
}

var validName = regexp.MustCompile(`^(?i)[a-z0-9]([a-z0-9._-]*[a-z0-9])?$`)

type jsonAPI struct {
	Info struct {
		Name         string            `json:"name"`
		Version      string            `json:"version"`
		ProjectURLs  map[string]string `json:"project_urls"`
		HomePage     string            `json:"home_page"`
		RequiresDist []string          `json:"requires_dist"`
		Downloads    *struct {
			LastMonth int64 `json:"last_month"`
		} `json:"downloads"`
	} `json:"info"`
	Releases map[string][]file `json:"releases"`
}

type file struct {
	Filename     string            `json:"filename"`
	PackageType  string            `json:"packagetype"`
	URL          string            `json:"url"`
	UploadTime   string            `json:"upload_time_iso_8601"`
	Digests      map[string]string `json:"digests"`
	Yanked       bool              `json:"yanked"`
	YankedReason *string           `json:"yanked_reason"`
}

type simpleAPI struct {
	Meta struct {
		APIVersion string `json:"api-version"`
	} `json:"meta"`
	Name          string `json:"name"`
	ProjectStatus *struct {
		Status string `json:"status"`
		Reason string `json:"reason"`
	} `json:"project-status"`
	Files []struct {
		Filename string `json:"filename"`
		// Provenance is a URL string, null, or absent (an index before
		// PEP 740): raw, to tell null from absent.
		Provenance json.RawMessage `json:"provenance"`
	} `json:"files"`
}

// Package returns the project's metadata (see registry.Client). name may
// be written in any PEP 503 spelling.
func (c *Client) Package(ctx context.Context, name string) (*registry.Package, error) {
	if !validName.MatchString(name) {
		return nil, &registry.Error{Registry: "pypi", Package: name, Err: fmt.Errorf("not a PyPI project name")}
	}
	norm := Normalize(name)
	return c.get.Cached(ctx, registry.EcosystemPyPI, norm, func(ctx context.Context) (*registry.Package, time.Duration, error) {
		u := c.get.URL("pypi", norm, "json")
		var doc jsonAPI
		resp, err := c.get.GetJSON(ctx, name, u, "application/json", &doc)
		if err != nil {
			return nil, 0, err
		}
		if doc.Info.Name == "" || Normalize(doc.Info.Name) != norm {
			return nil, 0, c.get.Fail(name, resp.URL, fmt.Errorf("%w: info.name is %q", registry.ErrMalformed, doc.Info.Name))
		}
		if err := c.get.CheckVersions(len(doc.Releases)); err != nil {
			return nil, 0, c.get.Fail(name, resp.URL, err)
		}
		p, files := normalise(&doc)
		if err := c.addProvenance(ctx, name, norm, p, files); err != nil {
			if ctx.Err() != nil {
				return nil, 0, err
			}
			p.Incomplete = append(p.Incomplete, "provenance: "+err.Error())
		}
		return p, resp.MaxAge, nil
	})
}

// normalise builds the package from the JSON API document; files maps each
// file name to its release.
func normalise(doc *jsonAPI) (p *registry.Package, files map[string]string) {
	p = &registry.Package{Name: doc.Info.Name, Latest: doc.Info.Version, Downloads: -1}
	files = map[string]string{}
	if d := doc.Info.Downloads; d != nil && d.LastMonth >= 0 {
		p.Downloads, p.DownloadsPeriod = d.LastMonth, registry.DownloadsLastMonth
	}
	p.Repository = repository(doc.Info.ProjectURLs, doc.Info.HomePage)
	for ver, released := range doc.Releases {
		v := registry.Version{Version: ver}
		yanked, wheel := len(released) > 0, false
		var artifact *file
		for i := range released {
			f := &released[i]
			files[f.Filename] = ver
			if t := fetch.ParseTime(f.UploadTime); !t.IsZero() && (v.Published.IsZero() || t.Before(v.Published)) {
				v.Published = t
			}
			if !f.Yanked {
				yanked = false
			} else if f.YankedReason != nil && v.YankedReason == "" {
				v.YankedReason = *f.YankedReason
			}
			if f.PackageType != "sdist" {
				wheel = true
			}
			a := registry.Artifact{Name: f.Filename, URL: f.URL, Kind: f.PackageType}
			if h := f.Digests["sha256"]; h != "" {
				a.Digest = "sha256:" + strings.ToLower(h)
			}
			v.Artifacts = append(v.Artifacts, a)
			// The sdist is the artifact: the source a content review compares.
			if artifact == nil || (f.PackageType == "sdist" && artifact.PackageType != "sdist") {
				artifact = f
			}
		}
		v.Yanked = yanked
		if !yanked {
			v.YankedReason = ""
		}
		if len(released) > 0 && !wheel {
			// No built distribution: pip builds the sdist, running its build
			// backend (setup.py) on the installing machine.
			v.InstallScripts = []string{"sdist-only"}
		}
		if artifact != nil {
			v.ArtifactURL = artifact.URL
			if h := artifact.Digests["sha256"]; h != "" {
				v.Digest = "sha256:" + strings.ToLower(h)
			}
		}
		if ver == doc.Info.Version {
			v.Repository = p.Repository
			v.Dependencies = requirements(doc.Info.RequiresDist)
		}
		p.Versions = append(p.Versions, v)
	}
	// Map order is random: sort by version string first so that versions
	// without files (no time) keep one order.
	slices.SortFunc(p.Versions, func(a, b registry.Version) int { return strings.Compare(a.Version, b.Version) })
	return p, files
}

// addProvenance reads the simple API's JSON form for PEP 740 provenance and
// PEP 792 project status. An error leaves every version's provenance
// unknown.
func (c *Client) addProvenance(ctx context.Context, name, norm string, p *registry.Package, files map[string]string) error {
	u := c.get.URL("simple", norm) + "/"
	resp, err := c.get.Get(ctx, name, u, simpleJSON)
	if err != nil {
		return err
	}
	if mt, _, _ := mime.ParseMediaType(resp.Header.Get("Content-Type")); mt != simpleJSON {
		resp.Body.Close()
		return fmt.Errorf("the simple API at %s answered %q, not its JSON form", resp.URL, mt)
	}
	var doc simpleAPI
	if err := c.get.Decode(name, resp, &doc); err != nil {
		return err
	}
	if s := doc.ProjectStatus; s != nil && s.Status != "" && s.Status != "active" {
		p.Deprecated = s.Status
		if s.Reason != "" {
			p.Deprecated += ": " + s.Reason
		}
	}
	attested := map[string]bool{}
	shown := apiAtLeast(doc.Meta.APIVersion, 1, 3)
	for _, f := range doc.Files {
		if len(f.Provenance) == 0 {
			continue
		}
		shown = true
		var u string
		if json.Unmarshal(f.Provenance, &u) == nil && u != "" {
			if v, ok := files[f.Filename]; ok {
				attested[v] = true
			}
		}
	}
	if !shown {
		return fmt.Errorf("the simple API at %s (api-version %q) shows no PEP 740 provenance", resp.URL, doc.Meta.APIVersion)
	}
	for i := range p.Versions {
		v := &p.Versions[i]
		switch {
		case attested[v.Version]:
			// PyPI accepts attestations only through a trusted publisher
			// (docs.pypi.org/attestations), so one implies the other.
			v.Provenance = registry.ProvenanceTrustedPublisher
		default:
			v.Provenance = registry.ProvenanceNone
		}
	}
	return nil
}

// apiAtLeast compares a "major.minor" api-version.
func apiAtLeast(v string, major, minor int) bool {
	var ma, mi int
	if _, err := fmt.Sscanf(v, "%d.%d", &ma, &mi); err != nil {
		return false
	}
	return ma > major || (ma == major && mi >= minor)
}

// repositoryKeys are project_urls labels that name the source repository,
// in order of preference (compared lower-cased, without spaces).
var repositoryKeys = []string{"source", "sourcecode", "repository", "code", "github", "gitlab"}

// repository picks the source repository from project_urls, else a code
// forge URL among them or the home page.
func repository(urls map[string]string, home string) string {
	norm := map[string]string{}
	for k, v := range urls {
		norm[strings.ToLower(strings.ReplaceAll(k, " ", ""))] = strings.TrimSpace(v)
	}
	for _, k := range repositoryKeys {
		if v := norm[k]; v != "" {
			return v
		}
	}
	candidates := []string{home}
	keys := make([]string, 0, len(urls))
	for k := range urls {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	for _, k := range keys {
		candidates = append(candidates, urls[k])
	}
	for _, v := range candidates {
		for _, forge := range []string{"://github.com/", "://gitlab.com/", "://codeberg.org/", "://bitbucket.org/"} {
			if strings.Contains(v, forge) {
				return strings.TrimSpace(v)
			}
		}
	}
	return ""
}

// requirements reads requires_dist (PEP 508) into name -> specifier,
// keeping only requirements without an extra marker (the runtime ones).
func requirements(reqs []string) map[string]string {
	if reqs == nil {
		return nil
	}
	out := map[string]string{}
	for _, r := range reqs {
		spec, marker, _ := strings.Cut(r, ";")
		if strings.Contains(marker, "extra") {
			continue
		}
		spec = strings.TrimSpace(spec)
		i := strings.IndexFunc(spec, func(r rune) bool {
			return !(r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || r == '-' || r == '_' || r == '.')
		})
		name, rest := spec, ""
		if i >= 0 {
			name, rest = spec[:i], strings.TrimSpace(spec[i:])
		}
		if name == "" {
			continue
		}
		// "[socks]" extras of the dependency itself stay with the specifier.
		out[Normalize(name)] = strings.Trim(strings.TrimSpace(rest), "()")
	}
	return out
}
