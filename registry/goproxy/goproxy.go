// Package goproxy reads module metadata from a Go module proxy
// (proxy.golang.org, Athens, Artifactory, a GOPROXY of one's own) through
// the GOPROXY protocol (go.dev/ref/mod#goproxy-protocol): @v/list for the
// versions, @v/<version>.info for the time and origin of the newest ones
// and the oldest (LookupVersion for any other), @latest when
// the list is empty (a module with pseudo-versions only), and the latest
// version's go.mod for its requirements, its retractions (the Go
// counterpart of a yank) and its Deprecated comment. Module paths and
// versions are case-encoded ("!" before a lower-cased capital) as the
// protocol requires.
package goproxy

import (
	"context"
	"errors"
	"fmt"
	"io"
	"strings"
	"sync"
	"time"

	"golang.org/x/mod/modfile"
	"golang.org/x/mod/module"
	"golang.org/x/mod/semver"

	"github.com/tollgate-dev/tollgate/registry"
	"github.com/tollgate-dev/tollgate/registry/internal/fetch"
)

// DefaultBaseURL is the public Go module proxy.
const DefaultBaseURL = "https://proxy.golang.org"

// infoWorkers bounds the .info requests of one module in flight (the
// registry's HTTP client bounds all of them together).
const infoWorkers = 8

// maxSmall bounds .info, @latest and go.mod answers.
const maxSmall = 4 << 20

// DefaultMaxInfos bounds the .info requests of one Package call: the
// newest versions by semver and the oldest one (for Created) get theirs;
// the rest are listed without a publish time, for LookupVersion to answer
// one by one (aws-sdk-go lists some 1,900 versions).
const DefaultMaxInfos = 100

// Client reads modules from one proxy.
type Client struct {
	get      *fetch.Getter
	maxInfos int
}

// An Option adjusts a Client.
type Option func(*Client)

// WithMaxInfos sets how many versions' .info one Package call fetches
// (default DefaultMaxInfos; at least 2).
func WithMaxInfos(n int) Option {
	return func(c *Client) { c.maxInfos = max(n, 2) }
}

// New returns a client for the proxy of opts (default DefaultBaseURL).
func New(opts registry.Options, options ...Option) (*Client, error) {
	g, err := fetch.New("go", DefaultBaseURL, opts)
	if err != nil {
		return nil, err
	}
	c := &Client{get: g, maxInfos: DefaultMaxInfos}
	for _, o := range options {
		o(c)
	}
	return c, nil
}

// LookupVersion answers one version from its .info (registry.VersionLookup):
// its publish time, origin and zip URL, for a pseudo-version or a version
// Package listed without a time.
func (c *Client) LookupVersion(ctx context.Context, modulePath, version string) (*registry.Version, error) {
	info, err := c.Info(ctx, modulePath, version)
	if err != nil {
		return nil, err
	}
	v := c.version(modulePath, info)
	return &v, nil
}

func (c *Client) version(modulePath string, info *Info) registry.Version {
	v := registry.Version{Version: info.Version, Published: info.Time.UTC()}
	if info.Origin != nil {
		v.Repository = info.Origin.URL
	}
	escVersion, _ := module.EscapeVersion(info.Version)
	v.ArtifactURL, _ = c.modURL(modulePath, "@v", escVersion+".zip")
	return v
}

// Ecosystem returns registry.EcosystemGo.
func (c *Client) Ecosystem() string { return registry.EcosystemGo }

// Info is the answer to @v/<version>.info and @latest.
type Info struct {
	// Version is the canonical version.
	Version string `json:"Version"`
	// Time is the version's commit time, as the proxy records it.
	Time time.Time `json:"Time"`
	// Origin is where the proxy fetched it from, when it says.
	Origin *struct {
		VCS  string `json:"VCS"`
		URL  string `json:"URL"`
		Ref  string `json:"Ref"`
		Hash string `json:"Hash"`
	} `json:"Origin"`
}

// modURL returns <base>/<case-encoded path>/<rest...>. The encoded path
// and versions hold only letters, digits and -._~!+/ (module.CheckPath),
// written as the go command writes them, "!" unescaped.
func (c *Client) modURL(modulePath string, rest ...string) (string, error) {
	esc, err := module.EscapePath(modulePath)
	if err != nil {
		return "", err
	}
	return c.get.RawURL(esc + "/" + strings.Join(rest, "/")), nil
}

// Info returns one version's .info: for a pseudo-version a lockfile
// names, which @v/list never lists.
func (c *Client) Info(ctx context.Context, modulePath, version string) (*Info, error) {
	escVersion, err := module.EscapeVersion(version)
	if err != nil {
		return nil, &registry.Error{Registry: "go", Package: modulePath, Err: fmt.Errorf("version %q: %w", version, err)}
	}
	u, err := c.modURL(modulePath, "@v", escVersion+".info")
	if err != nil {
		return nil, &registry.Error{Registry: "go", Package: modulePath, Err: err}
	}
	return c.info(ctx, modulePath, u)
}

func (c *Client) info(ctx context.Context, modulePath, u string) (*Info, error) {
	var info Info
	if _, err := c.small().GetJSON(ctx, modulePath, u, "application/json", &info); err != nil {
		return nil, err
	}
	if info.Version == "" || !semver.IsValid(info.Version) {
		return nil, c.get.Fail(modulePath, u, fmt.Errorf("%w: Version %q is not a semantic version", registry.ErrMalformed, info.Version))
	}
	return &info, nil
}

// small is the getter with the byte limit of small documents.
func (c *Client) small() *fetch.Getter {
	g := *c.get
	g.Opts.MaxDocumentBytes = min(g.Opts.MaxDocumentBytes, maxSmall)
	return &g
}

// Package returns the module's metadata (see registry.Client); name is the
// module path.
func (c *Client) Package(ctx context.Context, name string) (*registry.Package, error) {
	if err := module.CheckPath(name); err != nil {
		return nil, &registry.Error{Registry: "go", Package: name, Err: err}
	}
	return c.get.Cached(ctx, registry.EcosystemGo, name, func(ctx context.Context) (*registry.Package, time.Duration, error) {
		listURL, _ := c.modURL(name, "@v", "list")
		versions, maxAge, err := c.list(ctx, name, listURL)
		if err != nil {
			return nil, 0, err
		}
		var infos []*Info
		if len(versions) == 0 {
			latestURL, _ := c.modURL(name, "@latest")
			info, err := c.info(ctx, name, latestURL)
			if err != nil {
				return nil, 0, err
			}
			infos = []*Info{info}
		} else {
			semver.Sort(versions)
			// The oldest and the newest maxInfos-1 get their .info.
			wanted := versions
			if len(versions) > c.maxInfos {
				wanted = append([]string{versions[0]}, versions[len(versions)-c.maxInfos+1:]...)
			}
			if infos, err = c.infos(ctx, name, wanted); err != nil {
				return nil, 0, err
			}
		}
		p := &registry.Package{Name: name, Downloads: -1}
		all := append([]string(nil), versions...)
		if len(all) == 0 {
			all = []string{infos[0].Version}
		}
		// The highest release; the highest pre-release only when there is none.
		release, highest := "", ""
		for _, v := range all {
			if highest == "" || semver.Compare(v, highest) > 0 {
				highest = v
			}
			if semver.Prerelease(v) == "" && (release == "" || semver.Compare(v, release) > 0) {
				release = v
			}
		}
		latest := release
		if latest == "" {
			latest = highest
		}
		p.Latest = latest
		byVersion := map[string]*Info{}
		for _, info := range infos {
			byVersion[info.Version] = info
		}
		for _, ver := range all {
			if info := byVersion[ver]; info != nil {
				p.Versions = append(p.Versions, c.version(name, info))
				continue
			}
			escVersion, _ := module.EscapeVersion(ver)
			zip, _ := c.modURL(name, "@v", escVersion+".zip")
			p.Versions = append(p.Versions, registry.Version{Version: ver, ArtifactURL: zip})
		}
		if err := c.applyGoMod(ctx, name, latest, p); err != nil {
			return nil, 0, err
		}
		if lv, ok := p.Version(latest); ok {
			p.Repository = lv.Repository
		}
		if p.Repository == "" && strings.HasPrefix(name, "github.com/") {
			if parts := strings.Split(name, "/"); len(parts) >= 3 {
				p.Repository = "https://" + strings.Join(parts[:3], "/")
			}
		}
		return p, maxAge, nil
	})
}

// list reads @v/list: one version a line; non-semver lines are refused.
func (c *Client) list(ctx context.Context, name, u string) ([]string, time.Duration, error) {
	resp, err := c.get.Get(ctx, name, u, "text/plain")
	if err != nil {
		return nil, 0, err
	}
	defer resp.Body.Close()
	// Read whole (the body is bounded by MaxDocumentBytes) before judging
	// any line: a list cut by the limit must say too large, not show its
	// cut-off last line as a malformed version.
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		return nil, 0, c.get.Fail(name, resp.URL, err)
	}
	var versions []string
	seen := map[string]bool{}
	for raw := range strings.SplitSeq(string(body), "\n") {
		line := strings.TrimSpace(raw)
		if line == "" || seen[line] {
			continue
		}
		if !semver.IsValid(line) {
			return nil, 0, c.get.Fail(name, resp.URL, fmt.Errorf("%w: @v/list line %q is not a version", registry.ErrMalformed, truncate(line)))
		}
		seen[line] = true
		versions = append(versions, line)
		if err := c.get.CheckVersions(len(versions)); err != nil {
			return nil, 0, c.get.Fail(name, resp.URL, err)
		}
	}
	return versions, resp.MaxAge, nil
}

// infos fetches every version's .info, infoWorkers at a time; the first
// error cancels the rest.
func (c *Client) infos(ctx context.Context, name string, versions []string) ([]*Info, error) {
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	out := make([]*Info, len(versions))
	var (
		wg       sync.WaitGroup
		once     sync.Once
		firstErr error
	)
	next := make(chan int)
	for range min(infoWorkers, len(versions)) {
		wg.Go(func() {
			for i := range next {
				info, err := c.Info(ctx, name, versions[i])
				if err != nil {
					once.Do(func() { firstErr = err; cancel() })
					continue
				}
				if info.Version != versions[i] {
					once.Do(func() {
						u, _ := c.modURL(name, "@v", versions[i]+".info")
						firstErr = c.get.Fail(name, u, fmt.Errorf("%w: .info for %s names %s", registry.ErrMalformed, versions[i], info.Version))
						cancel()
					})
					continue
				}
				out[i] = info
			}
		})
	}
	for i := range versions {
		if ctx.Err() != nil {
			break
		}
		next <- i
	}
	close(next)
	wg.Wait()
	if firstErr != nil {
		return nil, firstErr
	}
	if err := ctx.Err(); err != nil {
		return nil, &registry.Error{Registry: "go", Package: name, Err: err}
	}
	return out, nil
}

// applyGoMod reads the latest version's go.mod: its requirements (that
// version's Dependencies), its retract directives (Yanked, with the
// rationale) and its Deprecated comment. A module without a go.mod (a
// +incompatible one) has none of them.
func (c *Client) applyGoMod(ctx context.Context, name, latest string, p *registry.Package) error {
	escVersion, _ := module.EscapeVersion(latest)
	u, _ := c.modURL(name, "@v", escVersion+".mod")
	resp, err := c.small().Get(ctx, name, u, "text/plain")
	if err != nil {
		if errors.Is(err, registry.ErrNotFound) {
			return nil
		}
		return err
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		return c.get.Fail(name, resp.URL, err)
	}
	f, err := modfile.ParseLax("go.mod", b, nil)
	if err != nil {
		return c.get.Fail(name, resp.URL, fmt.Errorf("%w: %w", registry.ErrMalformed, err))
	}
	if f.Module != nil {
		p.Deprecated = f.Module.Deprecated
	}
	if lv, ok := p.Version(latest); ok {
		lv.Dependencies = map[string]string{}
		for _, r := range f.Require {
			if !r.Indirect {
				lv.Dependencies[r.Mod.Path] = r.Mod.Version
			}
		}
	}
	for _, r := range f.Retract {
		for i := range p.Versions {
			v := &p.Versions[i]
			if semver.Compare(v.Version, r.Low) >= 0 && semver.Compare(v.Version, r.High) <= 0 {
				v.Yanked, v.YankedReason = true, r.Rationale
				if v.YankedReason == "" {
					v.YankedReason = "retracted"
				}
			}
		}
	}
	return nil
}

func truncate(s string) string {
	if len(s) > 80 {
		return s[:80] + "…"
	}
	return s
}
