// Package pipfilelock reads pipenv's Pipfile.lock: a JSON document whose
// "default" and "develop" objects map package names to their pinned version,
// hashes and, for VCS and local requirements, their source.
package pipfilelock

import (
	"context"
	"errors"
	"strings"

	"github.com/tollgate-dev/tollgate/lockfiles"
	"github.com/tollgate-dev/tollgate/lockfiles/jsontree"
)

// Parser reads Pipfile.lock files. The zero value is ready to use.
type Parser struct{}

// Name identifies the format.
func (Parser) Name() string { return "pypi/Pipfile.lock" }

// Match accepts files named Pipfile.lock.
func (Parser) Match(p string) bool { return lockfiles.Base(p) == "Pipfile.lock" }

// Parse returns one package per entry of "default" and "develop" (the latter
// marked Dev). An entry present in both sections is reported twice, once per
// line. Pipfile.lock does not say which packages are direct, so Direct is
// always false. Git entries carry Source git and Resolved "<url>@<ref>"; path
// entries and local "file" entries are local; remote "file" entries are url.
// Entries without an exact "==" version are reported with Version "" and
// Source unpinned. An empty (or blank) file holds no packages.
func (Parser) Parse(ctx context.Context, in *lockfiles.Input) ([]lockfiles.Package, error) {
	if len(strings.TrimSpace(string(in.Content))) == 0 {
		return nil, nil
	}
	root, err := jsontree.Parse(in.Content, jsontree.Options{MaxDepth: in.Limits.MaxDepth})
	if err != nil {
		var se *jsontree.SyntaxError
		if errors.As(err, &se) {
			return nil, lockfiles.Errorf(in.Path, se.Line, "%s", se.Msg)
		}
		return nil, lockfiles.Errorf(in.Path, 0, "%v", err)
	}
	if root.Kind != jsontree.Object {
		return nil, lockfiles.Errorf(in.Path, root.Line, "top-level value is a %s, want an object", root.Kind)
	}
	var pkgs []lockfiles.Package
	for _, section := range []string{"default", "develop"} {
		sec := root.Get(section)
		if sec == nil {
			continue
		}
		if sec.Kind != jsontree.Object {
			return nil, lockfiles.Errorf(in.Path, sec.Line, "%q is a %s, want an object", section, sec.Kind)
		}
		if err := ctx.Err(); err != nil {
			return nil, err
		}
		for _, m := range sec.Members {
			if m.Value.Kind != jsontree.Object {
				return nil, lockfiles.Errorf(in.Path, m.Line, "entry %q is a %s, want an object", m.Key, m.Value.Kind)
			}
			if m.Key == "" {
				return nil, lockfiles.Errorf(in.Path, m.Line, "entry with an empty name")
			}
			pkgs = append(pkgs, entry(in.Path, m, section == "develop"))
		}
	}
	return pkgs, nil
}

// entry converts one "name": {...} member.
func entry(path string, m jsontree.Member, dev bool) lockfiles.Package {
	v := m.Value
	p := lockfiles.Package{
		Ecosystem: lockfiles.EcosystemPyPI,
		Name:      m.Key,
		Path:      path,
		Line:      m.Line,
		Dev:       dev,
	}
	if hashes := v.Get("hashes"); hashes != nil && hashes.Kind == jsontree.Array {
		hs := make([]string, 0, len(hashes.Items))
		for _, h := range hashes.Items {
			if h.Kind == jsontree.String && h.Str != "" {
				hs = append(hs, h.Str)
			}
		}
		p.Integrity = strings.Join(hs, " ")
	}
	version := v.GetString("version")
	switch {
	case strings.HasPrefix(version, "==="):
		p.Version = strings.TrimSpace(version[3:])
	case strings.HasPrefix(version, "=="):
		p.Version = strings.TrimSpace(version[2:])
	}
	if strings.ContainsAny(p.Version, "*,<>!~ ") {
		p.Version = "" // a wildcard or range is not a pin
	}
	switch {
	case v.GetString("git") != "":
		p.Source = lockfiles.SourceGit
		p.Resolved = v.GetString("git")
		if ref := v.GetString("ref"); ref != "" {
			p.Resolved += "@" + ref
			p.PinnedSHA = lockfiles.IsCommitSHA(ref)
		}
	case v.GetString("path") != "":
		p.Source = lockfiles.SourceLocal
		p.Resolved = v.GetString("path")
	case v.GetString("file") != "":
		p.Resolved = v.GetString("file")
		if isRemote(p.Resolved) {
			p.Source = lockfiles.SourceURL
		} else {
			p.Source = lockfiles.SourceLocal
		}
	case p.Version == "":
		p.Source = lockfiles.SourceUnpinned
	}
	p.PURL = lockfiles.PURL(p.Ecosystem, p.Name, p.Version, nil)
	return p
}

func isRemote(u string) bool {
	scheme, _, ok := strings.Cut(u, "://")
	return ok && scheme != "file"
}
