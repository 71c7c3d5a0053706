// Package bunlock reads bun's text lockfile, bun.lock (lockfileVersion 0 and
// 1): JSONC with trailing commas, whose "packages" map each install location
// to a tuple ["name@version", registry, {dependencies...}, "sha512-..."].
package bunlock

import (
	"context"
	"fmt"
	"strings"

	"github.com/tollgate-dev/tollgate/lockfiles"
	"github.com/tollgate-dev/tollgate/lockfiles/jsontree"
)

// Parser reads bun.lock files. The zero value is ready to use.
type Parser struct{}

// New returns a Parser.
func New() Parser { return Parser{} }

// Name identifies the format.
func (Parser) Name() string { return "npm/bun.lock" }

// Match accepts files named bun.lock outside node_modules. (The binary
// bun.lockb is not read.)
func (Parser) Match(path string) bool {
	if lockfiles.Base(path) != "bun.lock" {
		return false
	}
	return !strings.HasPrefix(path, "node_modules/") && !strings.Contains(path, "/node_modules/")
}

// ctxCheckEvery is how many entries are read between context checks.
const ctxCheckEvery = 1024

// Parse returns the packages of a bun.lock file.
func (Parser) Parse(ctx context.Context, in *lockfiles.Input) ([]lockfiles.Package, error) {
	limits := in.Limits.WithDefaults()
	root, err := jsontree.Parse(in.Content, jsontree.Options{MaxDepth: limits.MaxDepth, JSONC: true})
	if err != nil {
		if se, ok := err.(*jsontree.SyntaxError); ok {
			if strings.HasPrefix(se.Msg, jsontree.ErrDepth) {
				return nil, lockfiles.LimitErrorf(in.Path, se.Line, "%s", se.Msg)
			}
			return nil, lockfiles.Errorf(in.Path, se.Line, "%s", se.Msg)
		}
		return nil, lockfiles.Errorf(in.Path, 0, "%v", err)
	}
	if root.Kind != jsontree.Object {
		return nil, lockfiles.Errorf(in.Path, root.Line, "top-level value is %s, want an object", root.Kind)
	}

	// Names declared by any workspace (the root "" and the members): direct
	// dependencies; dev when only ever declared as devDependencies.
	declared := map[string]bool{} // name -> declared outside devDependencies
	workspaceVersion := map[string]string{}
	if ws := root.Get("workspaces"); ws != nil {
		if ws.Kind != jsontree.Object {
			return nil, lockfiles.Errorf(in.Path, ws.Line, `"workspaces" is %s, want an object`, ws.Kind)
		}
		for _, w := range ws.Members {
			if w.Value.Kind != jsontree.Object {
				return nil, lockfiles.Errorf(in.Path, w.Line, "workspace %q is %s, want an object", w.Key, w.Value.Kind)
			}
			if v := w.Value.GetString("version"); v != "" {
				workspaceVersion[w.Key] = v
			}
			for _, field := range [...]string{"dependencies", "devDependencies", "optionalDependencies", "peerDependencies"} {
				deps := w.Value.Get(field)
				if deps == nil || deps.Kind != jsontree.Object {
					continue
				}
				for _, d := range deps.Members {
					declared[d.Key] = declared[d.Key] || field != "devDependencies"
				}
			}
		}
	}

	pkgs := root.Get("packages")
	if pkgs == nil {
		return nil, nil
	}
	if pkgs.Kind != jsontree.Object {
		return nil, lockfiles.Errorf(in.Path, pkgs.Line, `"packages" is %s, want an object`, pkgs.Kind)
	}
	if len(pkgs.Members) > limits.MaxPackages {
		return nil, lockfiles.LimitErrorf(in.Path, pkgs.Line, "more than %d packages", limits.MaxPackages)
	}
	out := make([]lockfiles.Package, 0, len(pkgs.Members))
	for i, m := range pkgs.Members {
		if i%ctxCheckEvery == ctxCheckEvery-1 {
			if err := ctx.Err(); err != nil {
				return nil, fmt.Errorf("parse %s: %w", in.Path, err)
			}
		}
		p, err := entry(in.Path, m, workspaceVersion)
		if err != nil {
			return nil, err
		}
		if nonDev, ok := declared[m.Key]; ok && isTopLevel(m.Key) {
			p.Direct = true
			p.Dev = !nonDev
		}
		out = append(out, p)
	}
	return out, nil
}

// entry reads one "packages" member.
func entry(path string, m jsontree.Member, workspaceVersion map[string]string) (lockfiles.Package, error) {
	t := m.Value
	if t.Kind != jsontree.Array || len(t.Items) == 0 || t.Items[0].Kind != jsontree.String {
		return lockfiles.Package{}, lockfiles.Errorf(path, m.Line, "package %q is not a [\"name@version\", ...] tuple", m.Key)
	}
	name, version, ok := splitSpec(t.Items[0].Str)
	if !ok {
		return lockfiles.Package{}, lockfiles.Errorf(path, m.Line, "package %q: %q is not name@version", m.Key, t.Items[0].Str)
	}
	p := lockfiles.Package{
		Ecosystem: lockfiles.EcosystemNPM,
		Name:      name,
		Version:   version,
		Path:      path,
		Line:      m.Line,
	}
	if installed := installedName(m.Key); installed != name {
		p.Alias = installed
	}
	// The integrity is the last string that is a Subresource Integrity hash;
	// git and tarball entries end with a directory name instead.
	for i := len(t.Items) - 1; i >= 1; i-- {
		if it := t.Items[i]; it.Kind == jsontree.String && isIntegrity(it.Str) {
			p.Integrity = it.Str
			break
		}
	}
	var q map[string]string
	purlVersion := ""
	switch {
	case hasAnyPrefix(version, "workspace:"):
		p.Source = lockfiles.SourceLocal
		p.Resolved = version
		if v, ok := workspaceVersion[strings.TrimPrefix(version, "workspace:")]; ok {
			p.Version = v
		}
	case hasAnyPrefix(version, "file:", "link:"):
		p.Source = lockfiles.SourceLocal
		p.Resolved = version
	case hasAnyPrefix(version, "git+", "git:", "git@", "github:", "gitlab:", "bitbucket:"):
		p.Source = lockfiles.SourceGit
		p.Resolved = version
		// The purl of a git dependency carries the commit as its version and
		// the repository in vcs_url (purl spec, "Known qualifiers").
		if _, ref, ok := strings.Cut(version, "#"); ok && ref != "" {
			p.PinnedSHA = isFullSHA(ref)
			purlVersion = ref
		}
		q = map[string]string{"vcs_url": version}
	case hasAnyPrefix(version, "http://", "https://"):
		p.Source = lockfiles.SourceURL
		p.Resolved = version
		q = map[string]string{"download_url": version}
	default:
		// Registry package: the second element names a non-default registry
		// ("" means the default one).
		if len(t.Items) > 1 && t.Items[1].Kind == jsontree.String {
			p.Resolved = t.Items[1].Str
		}
	}
	if purlVersion == "" {
		purlVersion = p.Version
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
	return hasAnyPrefix(s, "sha512-", "sha384-", "sha256-", "sha1-")
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
