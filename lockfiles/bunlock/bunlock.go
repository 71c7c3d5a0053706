// Package bunlock reads bun's text lockfile, bun.lock (lockfileVersion 0 and
// 1): JSONC with trailing commas, whose "packages" map each install location
// to a tuple ["name@version", registry, {dependencies...}, "sha512-..."].
package bunlock

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/tollgate-dev/tollgate/lockfiles"
	"github.com/tollgate-dev/tollgate/lockfiles/jsonscan"
)

// Parser reads bun.lock files. The zero value is ready to use.
type Parser struct{}

// New returns a Parser.
func New() Parser { return Parser{} }

// Name identifies the format.
func (Parser) Name() string { return "npm/bun.lock" }

// Match accepts files named bun.lock outside node_modules. (The binary
// bun.lockb is not read.)
func (Parser) Match(p string) bool {
	if lockfiles.Base(p) != "bun.lock" {
		return false
	}
	return !strings.HasPrefix(p, "node_modules/") && !strings.Contains(p, "/node_modules/")
}

// ctxCheckEvery is how many entries are read between context checks.
const ctxCheckEvery = 1024

// Parse returns the packages of a bun.lock file.
func (Parser) Parse(ctx context.Context, in *lockfiles.Input) ([]lockfiles.Package, error) {
	limits := in.Limits.WithDefaults()
	r := &reader{
		ctx:       ctx,
		path:      in.Path,
		limits:    limits,
		s:         jsonscan.New(in.Content, jsonscan.Options{MaxDepth: limits.MaxDepth, JSONC: true}),
		declared:  map[string]bool{},
		wsVersion: map[string]string{},
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
	ctx    context.Context
	path   string
	limits lockfiles.Limits
	s      *jsonscan.Scanner
	// declared holds the names any workspace (the root "" and the members)
	// declares: direct dependencies; the value is true when one declares it
	// outside devDependencies.
	declared map[string]bool
	// wsVersion maps a workspace path to its version.
	wsVersion map[string]string
	out       []lockfiles.Package
	keys      []string // the "packages" key of each out entry
}

// read walks the top-level object. Direct and dev flags and workspace
// versions are applied at the end, as "workspaces" may come after "packages".
func (r *reader) read() ([]lockfiles.Package, error) {
	s := r.s
	k, err := s.Peek()
	if err != nil {
		return nil, err
	}
	if k != jsonscan.Object {
		return nil, lockfiles.Errorf(r.path, s.Line(), "top-level value is %s, want an object", k)
	}
	err = s.Object(func(key []byte, _ int) error {
		switch string(key) {
		case "workspaces":
			return r.readWorkspaces()
		case "packages":
			return r.readPackages()
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	if err := s.End(); err != nil {
		return nil, err
	}
	for i := range r.out {
		p := &r.out[i]
		if nonDev, ok := r.declared[r.keys[i]]; ok && isTopLevel(r.keys[i]) {
			p.Direct = true
			p.Dev = !nonDev
		}
		if p.Source == lockfiles.SourceLocal && strings.HasPrefix(p.Resolved, "workspace:") {
			if v, ok := r.wsVersion[strings.TrimPrefix(p.Resolved, "workspace:")]; ok {
				p.Version = v
				p.PURL = lockfiles.PURL(p.Ecosystem, p.Name, p.Version, nil)
			}
		}
	}
	return r.out, nil
}

func (r *reader) readWorkspaces() error {
	s := r.s
	k, err := s.Peek()
	if err != nil {
		return err
	}
	if k != jsonscan.Object {
		return lockfiles.Errorf(r.path, s.Line(), `"workspaces" is %s, want an object`, k)
	}
	return s.Object(func(key []byte, line int) error {
		ws := string(key)
		k, err := s.Peek()
		if err != nil {
			return err
		}
		if k != jsonscan.Object {
			return lockfiles.Errorf(r.path, line, "workspace %q is %s, want an object", ws, k)
		}
		return s.Object(func(field []byte, _ int) error {
			f := string(field)
			switch f {
			case "version":
				if k, err := s.Peek(); err != nil || k != jsonscan.String {
					return err
				}
				v, err := s.String()
				r.wsVersion[ws] = v
				return err
			case "dependencies", "devDependencies", "optionalDependencies", "peerDependencies":
				if k, err := s.Peek(); err != nil || k != jsonscan.Object {
					return err
				}
				return s.Object(func(dep []byte, _ int) error {
					name := string(dep)
					r.declared[name] = r.declared[name] || f != "devDependencies"
					return nil
				})
			}
			return nil
		})
	})
}

func (r *reader) readPackages() error {
	s := r.s
	k, err := s.Peek()
	if err != nil {
		return err
	}
	if k != jsonscan.Object {
		return lockfiles.Errorf(r.path, s.Line(), `"packages" is %s, want an object`, k)
	}
	// bun 1.4.5 refuses a "packages" object that repeats a key ("Duplicate
	// package path"), where a reader of every member would list both.
	seen := map[string]bool{}
	return s.Object(func(key []byte, line int) error {
		if seen[string(key)] {
			return lockfiles.Errorf(r.path, line, "duplicate package path %q: bun refuses the lockfile", key)
		}
		seen[string(key)] = true
		if len(r.out) >= r.limits.MaxPackages {
			return lockfiles.LimitErrorf(r.path, line, "more than %d packages", r.limits.MaxPackages)
		}
		if len(r.out)%ctxCheckEvery == ctxCheckEvery-1 {
			if err := r.ctx.Err(); err != nil {
				return fmt.Errorf("parse %s: %w", r.path, err)
			}
		}
		p, err := r.entry(string(key), line)
		if err != nil {
			return err
		}
		r.out = append(r.out, p)
		r.keys = append(r.keys, string(key))
		return nil
	})
}

// entry reads one "packages" tuple: ["name@version", registry, {...}, "sha512-..."]
// for registry packages, shorter forms for git, tarball, file and workspace ones.
func (r *reader) entry(key string, line int) (lockfiles.Package, error) {
	s := r.s
	notTuple := func() error {
		return lockfiles.Errorf(r.path, line, "package %q is not a [\"name@version\", ...] tuple", key)
	}
	if k, err := s.Peek(); err != nil {
		return lockfiles.Package{}, err
	} else if k != jsonscan.Array {
		return lockfiles.Package{}, notTuple()
	}
	var spec, second, integrity string
	var specOK bool
	err := s.Array(func(i, _ int) error {
		k, err := s.Peek()
		if err != nil {
			return err
		}
		if i == 0 && k != jsonscan.String {
			return notTuple()
		}
		if k != jsonscan.String {
			return nil
		}
		v, err := s.String()
		switch {
		case i == 0:
			spec, specOK = v, true
		case i == 1:
			second = v
		}
		// The integrity is the last string that is a Subresource Integrity
		// hash; git and tarball entries end with a directory name instead.
		if i > 0 && isIntegrity(v) {
			integrity = v
		}
		return err
	})
	if err != nil {
		return lockfiles.Package{}, err
	}
	if !specOK {
		return lockfiles.Package{}, notTuple()
	}
	name, version, ok := splitSpec(spec)
	if !ok {
		return lockfiles.Package{}, lockfiles.Errorf(r.path, line, "package %q: %q is not name@version", key, spec)
	}
	p := lockfiles.Package{
		Ecosystem: lockfiles.EcosystemNPM,
		Name:      name,
		Version:   version,
		Path:      r.path,
		Line:      line,
		Integrity: integrity,
	}
	if installed := installedName(key); installed != name {
		p.Alias = installed
	}
	var q map[string]string
	purlVersion := version
	switch {
	case lockfiles.HasAnyPrefix(version, "workspace:", "file:", "link:"):
		p.Source = lockfiles.SourceLocal
		p.Resolved = version
	case lockfiles.HasAnyPrefix(version, "git+", "git:", "git@", "github:", "gitlab:", "bitbucket:"):
		p.Source = lockfiles.SourceGit
		p.Resolved = version
		// The purl of a git dependency carries the commit as its version and
		// the repository in vcs_url (purl spec, "Known qualifiers").
		if _, ref, ok := strings.Cut(version, "#"); ok && ref != "" {
			p.PinnedSHA = lockfiles.IsCommitSHA(ref)
			purlVersion = ref
		}
		q = map[string]string{"vcs_url": version}
	case lockfiles.HasAnyPrefix(version, "http://", "https://"):
		p.Source = lockfiles.SourceURL
		p.Resolved = version
		q = map[string]string{"download_url": version}
	default:
		// Registry package: the second element names a non-default registry
		// ("" means the default one).
		p.Resolved = second
	}
	p.PURL = lockfiles.PURL(p.Ecosystem, p.Name, purlVersion, q)
	return p, nil
}

// installedName returns the last package name of a bun install-location key
// ("parent/@scope/child" -> "@scope/child"): the name it is installed under.
func installedName(key string) string {
	i := strings.LastIndexByte(key, '/')
	if i < 0 {
		return key
	}
	// A scoped name spans two segments.
	if j := strings.LastIndexByte(key[:i], '/'); strings.HasPrefix(key[j+1:], "@") {
		return key[j+1:]
	}
	return key[i+1:]
}

// isTopLevel reports whether key is hoisted to the top node_modules, i.e. it
// is a bare (possibly scoped) name, not "parent/child".
func isTopLevel(key string) bool {
	n := strings.Count(key, "/")
	if strings.HasPrefix(key, "@") {
		return n == 1
	}
	return n == 0
}

// splitSpec splits "name@version"; a scoped name keeps its leading "@".
func splitSpec(spec string) (name, version string, ok bool) {
	if len(spec) < 2 {
		return "", "", false
	}
	i := strings.IndexByte(spec[1:], '@')
	if i < 0 {
		return "", "", false
	}
	name, version = spec[:i+1], spec[i+2:]
	return name, version, name != ""
}

// isIntegrity reports whether s looks like a Subresource Integrity value.
func isIntegrity(s string) bool {
	return lockfiles.HasAnyPrefix(s, "sha512-", "sha384-", "sha256-", "sha1-")
}
