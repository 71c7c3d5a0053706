// Package nugetlock reads NuGet packages.lock.json files into NuGet packages.
package nugetlock

import (
	"context"
	"errors"
	"fmt"

	"github.com/tollgate-dev/tollgate/lockfiles"
	"github.com/tollgate-dev/tollgate/lockfiles/jsontree"
)

// Parser reads packages.lock.json. The zero value is ready to use.
type Parser struct{}

// New returns a Parser.
func New() Parser { return Parser{} }

// Name identifies the format.
func (Parser) Name() string { return "nuget/packages.lock.json" }

// Match accepts files named packages.lock.json, in any directory.
func (Parser) Match(path string) bool { return lockfiles.Base(path) == "packages.lock.json" }

// Parse returns the packages of every target framework ("net8.0") and runtime
// graph ("net8.0/win-x64") under "dependencies". The same package and
// resolved version appearing under several frameworks is reported once, at
// its first line, Direct when it is Direct in any framework. "Project" entries
// (other projects of the solution) are local. Version is "resolved",
// Integrity is "contentHash".
func (Parser) Parse(ctx context.Context, in *lockfiles.Input) ([]lockfiles.Package, error) {
	if err := ctx.Err(); err != nil {
		return nil, fmt.Errorf("parse %s: %w", in.Path, err)
	}
	limits := in.Limits.WithDefaults()
	root, err := jsontree.Parse(in.Content, jsontree.Options{MaxDepth: limits.MaxDepth})
	if err != nil {
		var se *jsontree.SyntaxError
		if errors.As(err, &se) {
			return nil, lockfiles.Errorf(in.Path, se.Line, "%s", se.Msg)
		}
		return nil, lockfiles.Errorf(in.Path, 0, "%v", err)
	}
	if root.Kind != jsontree.Object {
		return nil, lockfiles.Errorf(in.Path, root.Line, "top-level value is a %s, not an object", root.Kind)
	}
	deps := root.Get("dependencies")
	if deps == nil {
		return nil, nil
	}
	if deps.Kind != jsontree.Object {
		return nil, lockfiles.Errorf(in.Path, deps.Line, "\"dependencies\" is a %s, not an object", deps.Kind)
	}
	var pkgs []lockfiles.Package
	seen := map[string]int{} // normalised name + "@" + resolved -> index in pkgs
	for _, fw := range deps.Members {
		if fw.Value.Kind != jsontree.Object {
			return nil, lockfiles.Errorf(in.Path, fw.Line, "framework %q is a %s, not an object", fw.Key, fw.Value.Kind)
		}
		for _, m := range fw.Value.Members {
			entry := m.Value
			if entry.Kind != jsontree.Object {
				return nil, lockfiles.Errorf(in.Path, m.Line, "package %q is a %s, not an object", m.Key, entry.Kind)
			}
			if m.Key == "" {
				return nil, lockfiles.Errorf(in.Path, m.Line, "package with an empty name")
			}
			typ := entry.GetString("type")
			resolved := entry.GetString("resolved")
			key := lockfiles.NormalizeName(lockfiles.EcosystemNuGet, m.Key) + "@" + resolved
			if i, ok := seen[key]; ok {
				if typ == "Direct" {
					pkgs[i].Direct = true
				}
				continue
			}
			if len(pkgs) >= limits.MaxPackages {
				return nil, lockfiles.LimitErrorf(in.Path, m.Line, "more than %d packages", limits.MaxPackages)
			}
			p := lockfiles.Package{
				Ecosystem: lockfiles.EcosystemNuGet,
				Name:      m.Key,
				Version:   resolved,
				PURL:      lockfiles.PURL(lockfiles.EcosystemNuGet, m.Key, resolved, nil),
				Path:      in.Path,
				Line:      m.Line,
				Direct:    typ == "Direct",
				Integrity: entry.GetString("contentHash"),
			}
			if typ == "Project" {
				p.Source = lockfiles.SourceLocal
			}
			seen[key] = len(pkgs)
			pkgs = append(pkgs, p)
		}
	}
	return pkgs, nil
}
