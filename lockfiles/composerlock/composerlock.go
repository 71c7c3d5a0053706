// Package composerlock reads PHP Composer lockfiles (composer.lock) into
// Packagist packages.
package composerlock

import (
	"context"
	"errors"
	"fmt"
	"path"
	"strings"

	"github.com/tollgate-dev/tollgate/lockfiles"
	"github.com/tollgate-dev/tollgate/lockfiles/jsontree"
)

// Parser reads composer.lock. The zero value is ready to use.
type Parser struct{}

// New returns a Parser.
func New() Parser { return Parser{} }

// Name identifies the format.
func (Parser) Name() string { return "packagist/composer.lock" }

// Match accepts files named composer.lock, in any directory.
func (Parser) Match(path string) bool { return lockfiles.Base(path) == "composer.lock" }

// Parse returns the entries of "packages" and of "packages-dev" (Dev). Line
// is the line of the package object's opening "{".
//
// Version is normalised for OSV: Composer keeps tags as written ("v6.4.0"),
// while OSV's Packagist records use bare versions ("6.4.0"), so one leading
// "v" followed by a digit is dropped; anything else ("dev-main", "1.x-dev")
// is kept as written.
//
// Integrity is dist.shasum when non-empty (Composer leaves it empty for
// GitHub archives), Resolved is dist.url. A package with a git source and no
// dist is a git dependency (Resolved url@reference); a dist of type "path" is
// local. Direct is set when a composer.json beside the lockfile (read through
// Input.FS, when present) requires the package in "require" or "require-dev";
// the lockfile alone does not say.
func (Parser) Parse(ctx context.Context, in *lockfiles.Input) ([]lockfiles.Package, error) {
	if err := ctx.Err(); err != nil {
		return nil, fmt.Errorf("parse %s: %w", in.Path, err)
	}
	limits := in.Limits.WithDefaults()
	root, err := parseJSON(in.Path, in.Content, limits)
	if err != nil {
		return nil, err
	}
	if root.Kind != jsontree.Object {
		return nil, lockfiles.Errorf(in.Path, root.Line, "top-level value is %s, not an object", root.Kind)
	}
	direct := directNames(in, limits)
	var pkgs []lockfiles.Package
	for _, list := range [...]struct {
		key string
		dev bool
	}{{"packages", false}, {"packages-dev", true}} {
		arr := root.Get(list.key)
		if arr == nil || arr.Kind == jsontree.Null {
			continue
		}
		items, ok := phpList(arr)
		if !ok {
			return nil, lockfiles.Errorf(in.Path, arr.Line, "%q is %s, not an array", list.key, arr.Kind)
		}
		for _, obj := range items {
			if obj.Kind != jsontree.Object {
				return nil, lockfiles.Errorf(in.Path, obj.Line, "entry of %q is %s, not an object", list.key, obj.Kind)
			}
			name := obj.GetString("name")
			if name == "" {
				return nil, lockfiles.Errorf(in.Path, obj.Line, "package without a name")
			}
			if len(pkgs) >= limits.MaxPackages {
				return nil, lockfiles.LimitErrorf(in.Path, obj.Line, "more than %d packages", limits.MaxPackages)
			}
			pkgs = append(pkgs, newPackage(in.Path, obj, name, list.dev, direct))
		}
	}
	return pkgs, nil
}

func newPackage(file string, obj *jsontree.Value, name string, dev bool, direct map[string]bool) lockfiles.Package {
	version := NormalizeVersion(obj.GetString("version"))
	p := lockfiles.Package{
		Ecosystem: lockfiles.EcosystemPackagist,
		Name:      name,
		Version:   version,
		PURL:      lockfiles.PURL(lockfiles.EcosystemPackagist, name, version, nil),
		Path:      file,
		Line:      obj.Line,
		Dev:       dev,
		Direct:    direct[strings.ToLower(name)],
	}
	dist := obj.Get("dist")
	source := obj.Get("source")
	switch {
	case dist != nil && dist.Kind == jsontree.Object:
		p.Integrity = dist.GetString("shasum")
		p.Resolved = dist.GetString("url")
		if dist.GetString("type") == "path" {
			p.Source = lockfiles.SourceLocal
		}
	case source != nil && source.GetString("type") == "git":
		p.Source = lockfiles.SourceGit
		p.Resolved = source.GetString("url")
		if ref := source.GetString("reference"); ref != "" {
			p.Resolved += "@" + ref
			p.PinnedSHA = lockfiles.IsCommitSHA(ref)
		}
	case source != nil && source.GetString("type") == "path":
		p.Source = lockfiles.SourceLocal
		p.Resolved = source.GetString("url")
	}
	return p
}

// NormalizeVersion drops one leading "v" (or "V") when a digit follows, the
// form OSV uses for Packagist versions; other versions are returned as is.
func NormalizeVersion(v string) string {
	if len(v) >= 2 && (v[0] == 'v' || v[0] == 'V') && v[1] >= '0' && v[1] <= '9' {
		return v[1:]
	}
	return v
}

// directNames returns the lower-cased package names that the composer.json
// beside the lockfile requires, or nil when there is none to read.
func directNames(in *lockfiles.Input, limits lockfiles.Limits) map[string]bool {
	if in.FS == nil {
		return nil
	}
	manifest := path.Join(path.Dir(in.Path), "composer.json")
	data, err := lockfiles.ReadFileLimited(in.FS, manifest, limits.MaxFileSize)
	if err != nil {
		// No manifest (or an unreadable one) only means Direct stays unknown.
		return nil
	}
	root, err := jsontree.Parse(data, jsontree.Options{MaxDepth: limits.MaxDepth})
	if err != nil || root.Kind != jsontree.Object {
		return nil
	}
	names := map[string]bool{}
	for _, key := range [...]string{"require", "require-dev"} {
		if req := root.Get(key); req != nil {
			for _, m := range req.Members {
				names[strings.ToLower(m.Key)] = true
			}
		}
	}
	return names
}

func parseJSON(file string, data []byte, limits lockfiles.Limits) (*jsontree.Value, error) {
	root, err := jsontree.Parse(data, jsontree.Options{MaxDepth: limits.MaxDepth})
	if err != nil {
		var se *jsontree.SyntaxError
		if errors.As(err, &se) {
			return nil, lockfiles.Errorf(file, se.Line, "%s", se.Msg)
		}
		return nil, lockfiles.Errorf(file, 0, "%v", err)
	}
	return root, nil
}

// phpList returns the entries of a package list as Composer iterates them:
// json_decode makes JSON arrays and objects alike PHP arrays, and Composer
// 2.5.5 installs the packages of a "packages" written as an object (a reader
// of arrays only refused the file). Of an object's repeated keys PHP keeps
// the first one's place and the last one's value.
func phpList(v *jsontree.Value) ([]*jsontree.Value, bool) {
	switch v.Kind {
	case jsontree.Array:
		return v.Items, true
	case jsontree.Object:
		at := make(map[string]int, len(v.Members))
		items := make([]*jsontree.Value, 0, len(v.Members))
		for _, m := range v.Members {
			if i, ok := at[m.Key]; ok {
				items[i] = m.Value
				continue
			}
			at[m.Key] = len(items)
			items = append(items, m.Value)
		}
		return items, true
	}
	return nil, false
}
