package gomod

import (
	"context"
	"path"

	"github.com/tollgate-dev/tollgate/lockfiles"
	"golang.org/x/mod/modfile"
)

// WorkParser reads Go workspace files (go.work). In workspace mode the go
// command builds the modules a go.work uses together, and the go.work's
// replace directives override every module's own: a replace added there
// changes what is built for the whole workspace, so each one is a package.
// The zero value is ready to use.
type WorkParser struct{}

// Name identifies the format.
func (WorkParser) Name() string { return "go/go.work" }

// Match accepts files named go.work, in any directory.
func (WorkParser) Match(p string) bool { return path.Base(p) == "go.work" }

// Parse returns one package per replace and per use directive.
//
//   - A replace by a module version reports the replacement module (Name and
//     Version the new module's, Resolved "replaces old[@version] in go.work"),
//     the module the workspace builds instead of the one required.
//   - A replace by a directory reports the replaced module as local code
//     (Version "", Source local, Resolved the directory).
//   - A use reports the workspace module as local code: Name is its module
//     path, read from the directory's go.mod through in.FS (the directory
//     itself when that go.mod cannot be read), Resolved the directory.
//
// Line is the directive's line (inside a block, the entry's own line). A
// malformed file is a *lockfiles.ParseError with modfile's line.
func (WorkParser) Parse(ctx context.Context, in *lockfiles.Input) ([]lockfiles.Package, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	f, err := parseWith(in.Path, in.Content, modfile.ParseWork)
	if err != nil {
		return nil, err
	}
	limits := in.Limits.WithDefaults()
	if n := len(f.Use) + len(f.Replace); n > limits.MaxPackages {
		return nil, lockfiles.LimitErrorf(in.Path, 0, "more than %d use and replace directives", limits.MaxPackages)
	}
	var pkgs []lockfiles.Package
	for _, u := range f.Use {
		dir := path.Join(path.Dir(in.Path), u.Path)
		name := modulePath(in, dir, limits.MaxFileSize)
		if name == "" {
			name = u.Path
		}
		pkgs = append(pkgs, lockfiles.Package{
			Ecosystem: lockfiles.EcosystemGo,
			Name:      name,
			Line:      lineOf(u.Syntax),
			Direct:    true,
			Source:    lockfiles.SourceLocal,
			Resolved:  u.Path,
		})
	}
	for _, r := range f.Replace {
		p := lockfiles.Package{Ecosystem: lockfiles.EcosystemGo, Line: lineOf(r.Syntax), Direct: true}
		if r.New.Version == "" {
			p.Name, p.Source, p.Resolved = r.Old.Path, lockfiles.SourceLocal, r.New.Path
		} else {
			old := r.Old.Path
			if r.Old.Version != "" {
				old += "@" + r.Old.Version
			}
			p.Name, p.Version, p.Resolved = r.New.Path, r.New.Version, "replaces "+old+" in go.work"
			p.PURL = lockfiles.PURL(lockfiles.EcosystemGo, p.Name, p.Version, nil)
		}
		pkgs = append(pkgs, p)
	}
	return pkgs, nil
}

// modulePath reads the module path of dir's go.mod, or "".
func modulePath(in *lockfiles.Input, dir string, maxSize int64) string {
	if in.FS == nil {
		return ""
	}
	data, err := lockfiles.ReadFileLimited(in.FS, path.Join(dir, "go.mod"), maxSize)
	if err != nil {
		return ""
	}
	return modfile.ModulePath(data)
}
