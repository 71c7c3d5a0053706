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
	"errors"
	"fmt"
	"io/fs"
	"net/url"
	"path"
	"strings"

	"github.com/tollgate-dev/tollgate/lockfiles"
	"github.com/tollgate-dev/tollgate/lockfiles/jsonscan"
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
func (Parser) Match(p string) bool {
	base := lockfiles.Base(p)
	if base != "package-lock.json" && base != "npm-shrinkwrap.json" {
		return false
	}
	return !strings.HasPrefix(p, "node_modules/") && !strings.Contains(p, "/node_modules/")
}

// ctxCheckEvery is how many entries are read between context checks.
const ctxCheckEvery = 1024

// Parse returns the packages of a package-lock.json or npm-shrinkwrap.json.
// A package-lock.json with an npm-shrinkwrap.json beside it (looked up in
// in.FS) gives no packages, as npm installs from the shrinkwrap.
func (Parser) Parse(ctx context.Context, in *lockfiles.Input) ([]lockfiles.Package, error) {
	// npm ignores package-lock.json when npm-shrinkwrap.json sits beside it;
	// reading both would report every package twice.
	if in.FS != nil && path.Base(in.Path) == "package-lock.json" {
		if _, err := fs.Stat(in.FS, path.Join(path.Dir(in.Path), "npm-shrinkwrap.json")); err == nil {
			return nil, nil
		}
	}
	if line, ok := lockfiles.MergeConflictLine(in.Content); ok {
		return nil, lockfiles.MergeConflictError(in.Path, line, "npm")
	}
	limits := in.Limits.WithDefaults()
	r := &reader{
		ctx:         ctx,
		path:        in.Path,
		maxPackages: limits.MaxPackages,
		s:           jsonscan.New(in.Content, jsonscan.Options{MaxDepth: limits.MaxDepth}),
	}
	pkgs, err := r.read()
	if err != nil {
		var se *jsonscan.SyntaxError
		if errors.As(err, &se) {
			if se.Depth {
				return nil, lockfiles.LimitErrorf(in.Path, se.Line, "%s", se.Msg)
			}
			return nil, lockfiles.Errorf(in.Path, se.Line, "%s", se.Msg)
		}
		return nil, err
	}
	return pkgs, nil
}

type reader struct {
	ctx         context.Context
	path        string
	maxPackages int
	s           *jsonscan.Scanner
	out         []lockfiles.Package
	seen        int
}

// entry is what is kept of one v2/v3 "packages" member.
type entry struct {
	key                          string
	line                         int
	version, resolved, integrity string
	name                         string
	dev, link                    bool
	// declared lists the dependency names of the root and of workspace
	// members (entries whose key has no node_modules/).
	declared []string
}

// read walks the top-level object: "packages" (v2/v3) wins over the legacy
// "dependencies" tree (v1), whichever comes first in the file.
func (r *reader) read() ([]lockfiles.Package, error) {
	s := r.s
	k, err := s.Peek()
	if err != nil {
		return nil, err
	}
	if k != jsonscan.Object {
		return nil, lockfiles.Errorf(r.path, s.Line(), "top-level value is %s, want an object", k)
	}
	var (
		entries     []entry
		hasPackages bool
		v1Err       error // a bad "dependencies" matters only without "packages"
	)
	err = s.Object(func(key []byte, _ int) error {
		switch string(key) {
		case "packages":
			k, err := s.Peek()
			if err != nil {
				return err
			}
			if k != jsonscan.Object {
				return lockfiles.Errorf(r.path, s.Line(), `"packages" is %s, want an object`, k)
			}
			hasPackages = true
			r.out, r.seen = nil, 0
			entries, err = r.readPackages()
			return err
		case "dependencies":
			if hasPackages {
				return nil
			}
			k, err := s.Peek()
			if err != nil {
				return err
			}
			if k != jsonscan.Object {
				v1Err = lockfiles.Errorf(r.path, s.Line(), `"dependencies" is %s, want an object`, k)
				return nil
			}
			return r.readDependencies(true)
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	if err := s.End(); err != nil {
		return nil, err
	}
	if hasPackages {
		return r.packagesOut(entries)
	}
	if v1Err != nil {
		return nil, v1Err
	}
	return r.out, nil
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

// optString reads a string value, or leaves any other value (to be skipped)
// and returns "".
func optString(s *jsonscan.Scanner) (string, error) {
	if k, err := s.Peek(); err != nil || k != jsonscan.String {
		return "", err
	}
	return s.String()
}

// optTrue reports whether the value is the literal true, leaving any other
// non-boolean value to be skipped.
func optTrue(s *jsonscan.Scanner) (bool, error) {
	if k, err := s.Peek(); err != nil || k != jsonscan.Bool {
		return false, err
	}
	return s.Bool()
}

// readPackages reads the v2/v3 "packages" map, keeping the fields it needs
// and skipping the rest.
func (r *reader) readPackages() ([]entry, error) {
	s := r.s
	var entries []entry
	err := s.Object(func(key []byte, line int) error {
		e := entry{key: string(key), line: line}
		if e.key != "" {
			if err := r.tick(line); err != nil {
				return err
			}
		}
		k, err := s.Peek()
		if err != nil {
			return err
		}
		if k != jsonscan.Object {
			return lockfiles.Errorf(r.path, line, "entry %q is %s, want an object", e.key, k)
		}
		_, isModule := installedName(e.key)
		err = s.Object(func(field []byte, _ int) error {
			var err error
			switch string(field) {
			case "version":
				e.version, err = optString(s)
			case "resolved":
				e.resolved, err = optString(s)
			case "integrity":
				e.integrity, err = optString(s)
			case "name":
				e.name, err = optString(s)
			case "dev":
				e.dev, err = optTrue(s)
			case "devOptional":
				var b bool
				b, err = optTrue(s)
				e.dev = e.dev || b
			case "link":
				e.link, err = optTrue(s)
			case "dependencies", "devDependencies", "optionalDependencies", "peerDependencies":
				if isModule {
					return nil
				}
				if k, err := s.Peek(); err != nil || k != jsonscan.Object {
					return err
				}
				err = s.Object(func(dep []byte, _ int) error {
					e.declared = append(e.declared, string(dep))
					return nil
				})
			}
			return err
		})
		if err != nil {
			return err
		}
		entries = append(entries, e)
		return nil
	})
	return entries, err
}

// packagesOut turns v2/v3 entries into packages.
func (r *reader) packagesOut(entries []entry) ([]lockfiles.Package, error) {
	byKey := make(map[string]int, len(entries))
	for i := range entries {
		byKey[entries[i].key] = i
	}
	// Which entry each dependency declared by the root or a workspace member
	// lands on, in node's lookup order: the declarer's own node_modules first,
	// then each ancestor folder's, up to the root's.
	direct := make(map[string]bool)
	for i := range entries {
		for _, name := range entries[i].declared {
			if k, ok := resolve(byKey, entries[i].key, name); ok {
				direct[k] = true
			}
		}
	}

	out := make([]lockfiles.Package, 0, len(entries))
	for i := range entries {
		e := &entries[i]
		if e.key == "" {
			continue // the project itself
		}
		p := lockfiles.Package{
			Ecosystem: lockfiles.EcosystemNPM,
			Path:      r.path,
			Line:      e.line,
			Version:   e.version,
			Integrity: e.integrity,
			Resolved:  e.resolved,
			Dev:       e.dev,
			Direct:    direct[e.key],
		}
		installed, isModule := installedName(e.key)
		switch {
		case !isModule:
			// A key without node_modules/ is a workspace member (or a
			// file: dependency's folder): code that lives in the repository.
			p.Name = e.name
			if p.Name == "" {
				p.Name = lastSegment(e.key)
			}
			p.Source = lockfiles.SourceLocal
			if p.Resolved == "" {
				p.Resolved = e.key
			}
		case e.link:
			// A link points at a folder (usually a workspace member) whose
			// own entry carries the package's name and version.
			p.Name = installed
			p.Source = lockfiles.SourceLocal
			if t, ok := byKey[p.Resolved]; ok {
				if n := entries[t].name; n != "" {
					p.Name = n
				}
				if p.Version == "" {
					p.Version = entries[t].version
				}
			}
		default:
			p.Name = installed
			if e.name != "" {
				p.Name = e.name // npm: alias, installed under another name
			}
			p.Source = sourceOf(p.Resolved)
		}
		if p.Name == "" {
			return nil, lockfiles.Errorf(r.path, e.line, "entry %q has no package name", e.key)
		}
		if isModule && p.Name != installed {
			p.Alias = installed
		}
		finish(&p)
		out = append(out, p)
	}
	return out, nil
}

// readDependencies reads a v1 "dependencies" map, recursively; top marks the
// top level, whose entries are the project's direct dependencies.
func (r *reader) readDependencies(top bool) error {
	s := r.s
	return s.Object(func(key []byte, line int) error {
		if err := r.tick(line); err != nil {
			return err
		}
		name := string(key)
		k, err := s.Peek()
		if err != nil {
			return err
		}
		if k != jsonscan.Object {
			return lockfiles.Errorf(r.path, line, "dependency %q is %s, want an object", name, k)
		}
		if name == "" {
			return lockfiles.Errorf(r.path, line, "dependency with an empty name")
		}
		// The entry goes before its nested dependencies, whichever order
		// the fields come in.
		idx := len(r.out)
		r.out = append(r.out, lockfiles.Package{})
		p := lockfiles.Package{
			Ecosystem: lockfiles.EcosystemNPM,
			Name:      name,
			Path:      r.path,
			Line:      line,
			Direct:    top,
		}
		err = s.Object(func(field []byte, _ int) error {
			var err error
			switch string(field) {
			case "version":
				p.Version, err = optString(s)
			case "resolved":
				p.Resolved, err = optString(s)
			case "integrity":
				p.Integrity, err = optString(s)
			case "dev":
				p.Dev, err = optTrue(s)
			case "dependencies":
				k, err := s.Peek()
				if err != nil {
					return err
				}
				if k != jsonscan.Object {
					return lockfiles.Errorf(r.path, s.Line(), `"dependencies" of %q is %s, want an object`, name, k)
				}
				return r.readDependencies(false)
			}
			return err
		})
		if err != nil {
			return err
		}
		// v1 writes the source of non-registry packages into "version".
		switch src := sourceOf(p.Version); {
		case strings.HasPrefix(p.Version, "npm:"):
			// "npm:real-name@1.2.3": an alias installed under the key.
			if real, version, ok := splitSpec(p.Version[len("npm:"):]); ok {
				p.Name, p.Version, p.Alias = real, version, name
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
		r.out[idx] = p
		return nil
	})
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
			p.PinnedSHA = lockfiles.IsCommitSHA(ref)
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

// resolve finds the install location of dependency name as seen from the
// folder dir ("" for the project root).
func resolve(byKey map[string]int, dir, name string) (string, bool) {
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
	case lockfiles.HasAnyPrefix(ref, "file:", "link:", "workspace:"):
		return lockfiles.SourceLocal
	case lockfiles.HasAnyPrefix(ref, "git+", "git:", "git@", "github:", "gitlab:", "bitbucket:", "gist:"):
		return lockfiles.SourceGit
	case lockfiles.HasAnyPrefix(ref, "http://", "https://"):
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
