// Package npmlock reads npm's package-lock.json and npm-shrinkwrap.json
// (lockfileVersion 1, 2 and 3).
//
// Version 2 and 3 files are read from their "packages" map, keyed by install
// location ("node_modules/a/node_modules/b"), which npm treats as authoritative;
// version 1 files (and files that only carry "dependencies") from the nested
// "dependencies" tree. Workspace members, links and file: dependencies are
// marked lockfiles.SourceLocal, git dependencies SourceGit and tarballs from
// outside a registry SourceURL.
package npmlock

import (
	"context"
	"fmt"
	"net/url"
	"strings"

	"github.com/tollgate-dev/tollgate/lockfiles"
	"github.com/tollgate-dev/tollgate/lockfiles/jsontree"
)

// Parser reads package-lock.json and npm-shrinkwrap.json. The zero value is
// ready to use.
type Parser struct{}

// New returns a Parser.
func New() Parser { return Parser{} }

// Name identifies the format.
func (Parser) Name() string { return "npm/package-lock.json" }

// Match accepts files named package-lock.json or npm-shrinkwrap.json outside
// node_modules (npm's hidden node_modules/.package-lock.json never matches, nor
// does a lockfile shipped inside an installed package).
func (Parser) Match(path string) bool {
	base := lockfiles.Base(path)
	if base != "package-lock.json" && base != "npm-shrinkwrap.json" {
		return false
	}
	return !strings.HasPrefix(path, "node_modules/") && !strings.Contains(path, "/node_modules/")
}

// ctxCheckEvery is how many entries are read between context checks.
const ctxCheckEvery = 1024

// Parse returns the packages of a package-lock.json or npm-shrinkwrap.json.
func (Parser) Parse(ctx context.Context, in *lockfiles.Input) ([]lockfiles.Package, error) {
	limits := in.Limits.WithDefaults()
	root, err := jsontree.Parse(in.Content, jsontree.Options{MaxDepth: limits.MaxDepth})
	if err != nil {
		return nil, treeError(in.Path, err)
	}
	if root.Kind != jsontree.Object {
		return nil, lockfiles.Errorf(in.Path, root.Line, "top-level value is %s, want an object", root.Kind)
	}
	r := &reader{ctx: ctx, path: in.Path, maxPackages: limits.MaxPackages}
	if pkgs := root.Get("packages"); pkgs != nil {
		if pkgs.Kind != jsontree.Object {
			return nil, lockfiles.Errorf(in.Path, pkgs.Line, `"packages" is %s, want an object`, pkgs.Kind)
		}
		err = r.readPackages(pkgs)
	} else if deps := root.Get("dependencies"); deps != nil {
		if deps.Kind != jsontree.Object {
			return nil, lockfiles.Errorf(in.Path, deps.Line, `"dependencies" is %s, want an object`, deps.Kind)
		}
		err = r.readDependencies(deps, true)
	}
	if err != nil {
		return nil, err
	}
	return r.out, nil
}

// treeError turns a jsontree error into a *lockfiles.ParseError at its line.
func treeError(path string, err error) error {
	if se, ok := err.(*jsontree.SyntaxError); ok {
		if se.Msg == jsontree.ErrDepth || strings.HasPrefix(se.Msg, jsontree.ErrDepth) {
			return lockfiles.LimitErrorf(path, se.Line, "%s", se.Msg)
		}
		return lockfiles.Errorf(path, se.Line, "%s", se.Msg)
	}
	return lockfiles.Errorf(path, 0, "%v", err)
}

type reader struct {
	ctx         context.Context
	path        string
	maxPackages int
	out         []lockfiles.Package
	seen        int
}

// tick counts an entry, checking the package limit and, now and then, the context.
func (r *reader) tick(line int) error {
	r.seen++
	if r.seen > r.maxPackages {
		return lockfiles.LimitErrorf(r.path, line, "more than %d packages", r.maxPackages)
	}
	if r.seen%ctxCheckEvery == 0 {
		if err := r.ctx.Err(); err != nil {
			return fmt.Errorf("parse %s: %w", r.path, err)
		}
	}
	return nil
}

// readPackages reads the v2/v3 "packages" map.
func (r *reader) readPackages(pkgs *jsontree.Value) error {
	// Install locations, to resolve which entry each declared dependency of
	// the root and of the workspace members lands on (node's lookup order).
	byKey := make(map[string]*jsontree.Value, len(pkgs.Members))
	for _, m := range pkgs.Members {
		byKey[m.Key] = m.Value
	}
	direct := directKeys(byKey)

	r.out = make([]lockfiles.Package, 0, len(pkgs.Members))
	for _, m := range pkgs.Members {
		if m.Key == "" {
			continue // the project itself
		}
		if err := r.tick(m.Line); err != nil {
			return err
		}
		e := m.Value
		if e.Kind != jsontree.Object {
			return lockfiles.Errorf(r.path, m.Line, "entry %q is %s, want an object", m.Key, e.Kind)
		}
		p := lockfiles.Package{
			Ecosystem: lockfiles.EcosystemNPM,
			Path:      r.path,
			Line:      m.Line,
			Version:   e.GetString("version"),
			Integrity: e.GetString("integrity"),
			Resolved:  e.GetString("resolved"),
			Dev:       e.GetBool("dev") || e.GetBool("devOptional"),
			Direct:    direct[m.Key],
		}
		installed, isModule := installedName(m.Key)
		switch {
		case !isModule:
			// A key without node_modules/ is a workspace member (or a
			// file: dependency's folder): code that lives in the repository.
			p.Name = e.GetString("name")
			if p.Name == "" {
				p.Name = lastSegment(m.Key)
			}
			p.Source = lockfiles.SourceLocal
			if p.Resolved == "" {
				p.Resolved = m.Key
			}
		case e.GetBool("link"):
			// A link points at a folder (usually a workspace member) whose
			// own entry carries the package's name and version.
			p.Name = installed
			p.Source = lockfiles.SourceLocal
			if target := byKey[p.Resolved]; target != nil && target.Kind == jsontree.Object {
				if n := target.GetString("name"); n != "" {
					p.Name = n
				}
				if p.Version == "" {
					p.Version = target.GetString("version")
				}
			}
		default:
			p.Name = installed
			if n := e.GetString("name"); n != "" {
				p.Name = n // npm: alias, installed under another name
			}
			p.Source = sourceOf(p.Resolved)
		}
		if p.Name == "" {
			return lockfiles.Errorf(r.path, m.Line, "entry %q has no package name", m.Key)
		}
		if p.Name != installed && isModule {
			p.Alias = installed
		}
		finish(&p)
		r.out = append(r.out, p)
	}
	return nil
}

// readDependencies reads the v1 nested "dependencies" tree; top marks the
// top level, whose entries are the project's direct dependencies.
func (r *reader) readDependencies(deps *jsontree.Value, top bool) error {
	for _, m := range deps.Members {
		if err := r.tick(m.Line); err != nil {
			return err
		}
		e := m.Value
		if e.Kind != jsontree.Object {
			return lockfiles.Errorf(r.path, m.Line, "dependency %q is %s, want an object", m.Key, e.Kind)
		}
		if m.Key == "" {
			return lockfiles.Errorf(r.path, m.Line, "dependency with an empty name")
		}
		p := lockfiles.Package{
			Ecosystem: lockfiles.EcosystemNPM,
			Name:      m.Key,
			Path:      r.path,
			Line:      m.Line,
			Version:   e.GetString("version"),
			Integrity: e.GetString("integrity"),
			Resolved:  e.GetString("resolved"),
			Dev:       e.GetBool("dev"),
			Direct:    top,
		}
		// v1 writes the source of non-registry packages into "version".
		switch src := sourceOf(p.Version); {
		case strings.HasPrefix(p.Version, "npm:"):
			// "npm:real-name@1.2.3": an alias installed under the key.
			if name, version, ok := splitSpec(p.Version[len("npm:"):]); ok {
				p.Name, p.Version, p.Alias = name, version, m.Key
			}
			p.Source = sourceOf(p.Resolved)
		case src != lockfiles.SourceRegistry:
			p.Source = src
			if p.Resolved == "" {
				p.Resolved = p.Version
			}
		default:
			p.Source = sourceOf(p.Resolved)
		}
		finish(&p)
		r.out = append(r.out, p)
		if nested := e.Get("dependencies"); nested != nil {
			if nested.Kind != jsontree.Object {
				return lockfiles.Errorf(r.path, nested.Line, `"dependencies" of %q is %s, want an object`, m.Key, nested.Kind)
			}
			if err := r.readDependencies(nested, false); err != nil {
				return err
			}
		}
	}
	return nil
}

// finish sets PinnedSHA and the purl, with the purl spec's vcs_url or
// download_url qualifier for packages that do not come from the registry.
func finish(p *lockfiles.Package) {
	var q map[string]string
	version := p.Version
	switch p.Source {
	case lockfiles.SourceGit:
		// The purl of a git dependency carries the commit as its version and
		// the repository in vcs_url (purl spec, "Known qualifiers").
		if _, ref, ok := strings.Cut(p.Resolved, "#"); ok && ref != "" {
			p.PinnedSHA = isFullSHA(ref)
			version = ref
		}
		q = map[string]string{"vcs_url": p.Resolved}
	case lockfiles.SourceURL:
		q = map[string]string{"download_url": p.Resolved}
	}
	p.PURL = lockfiles.PURL(p.Ecosystem, p.Name, version, q)
}

// installedName returns the package name of an install location key: the
// part after the last "node_modules/" (scoped names keep their scope), and
// whether the key is such a location at all.
func installedName(key string) (string, bool) {
	const nm = "node_modules/"
	i := strings.LastIndex(key, nm)
	if i < 0 || (i > 0 && key[i-1] != '/') {
		return "", false
	}
	return key[i+len(nm):], true
}

// lastSegment returns the last slash-separated part of p.
func lastSegment(p string) string {
	p = strings.TrimRight(p, "/")
	if i := strings.LastIndexByte(p, '/'); i >= 0 {
		return p[i+1:]
	}
	return p
}

// directKeys resolves every dependency declared by the root entry and by the
// workspace members to the entry node would load for it: the declarer's own
// node_modules first, then each ancestor folder's, up to the root's.
func directKeys(byKey map[string]*jsontree.Value) map[string]bool {
	direct := map[string]bool{}
	for key, e := range byKey {
		if _, isModule := installedName(key); isModule || e.Kind != jsontree.Object {
			continue
		}
		for _, field := range [...]string{"dependencies", "devDependencies", "optionalDependencies", "peerDependencies"} {
			deps := e.Get(field)
			if deps == nil || deps.Kind != jsontree.Object {
				continue
			}
			for _, d := range deps.Members {
				if k, ok := resolve(byKey, key, d.Key); ok {
					direct[k] = true
				}
			}
		}
	}
	return direct
}

// resolve finds the install location of dependency name as seen from the
// folder dir ("" for the project root).
func resolve(byKey map[string]*jsontree.Value, dir, name string) (string, bool) {
	for {
		k := "node_modules/" + name
		if dir != "" {
			k = dir + "/" + k
		}
		if _, ok := byKey[k]; ok {
			return k, true
		}
		if dir == "" {
			return "", false
		}
		if i := strings.LastIndexByte(dir, '/'); i >= 0 {
			dir = dir[:i]
		} else {
			dir = ""
		}
	}
}

// splitSpec splits "name@version" (the name may be scoped: "@scope/name@1.0").
func splitSpec(spec string) (name, version string, ok bool) {
	if len(spec) < 2 {
		return "", "", false
	}
	i := strings.IndexByte(spec[1:], '@')
	if i < 0 {
		return "", "", false
	}
	return spec[:i+1], spec[i+2:], true
}

// sourceOf classifies a resolved URL or v1 version string.
func sourceOf(ref string) string {
	switch {
	case ref == "":
		return lockfiles.SourceRegistry
	case hasAnyPrefix(ref, "file:", "link:", "workspace:"):
		return lockfiles.SourceLocal
	case hasAnyPrefix(ref, "git+", "git:", "git@", "github:", "gitlab:", "bitbucket:", "gist:"):
		return lockfiles.SourceGit
	case hasAnyPrefix(ref, "http://", "https://"):
		if isRegistryTarball(ref) {
			return lockfiles.SourceRegistry
		}
		return lockfiles.SourceURL
	}
	return lockfiles.SourceRegistry
}

// isRegistryTarball reports whether a tarball URL is a registry's: the public
// registry's hosts, or the "<name>/-/<file>.tgz" layout every npm-compatible
// registry (Artifactory, Verdaccio, GitHub Packages, ...) serves tarballs under.
func isRegistryTarball(raw string) bool {
	u, err := url.Parse(raw)
	if err != nil {
		return false
	}
	switch strings.ToLower(u.Hostname()) {
	case "registry.npmjs.org", "registry.yarnpkg.com", "registry.npmjs.com":
		return true
	}
	return strings.Contains(u.Path, "/-/") && strings.HasSuffix(u.Path, ".tgz")
}

func hasAnyPrefix(s string, prefixes ...string) bool {
	for _, p := range prefixes {
		if strings.HasPrefix(s, p) {
			return true
		}
	}
	return false
}

// isFullSHA reports whether s is a 40-hex-digit git commit id.
func isFullSHA(s string) bool {
	if len(s) != 40 {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !('0' <= c && c <= '9' || 'a' <= c && c <= 'f' || 'A' <= c && c <= 'F') {
			return false
		}
	}
	return true
}
