// Package gowork reads Go workspace files (go.work). In workspace mode the
// go command builds the modules a go.work uses together, and the go.work's
// replace directives override every module's own: a replace added there
// changes what is built for the whole workspace, so each one is a package.
//
// Files are read with golang.org/x/mod/modfile.ParseWork.
package gowork

import (
	"context"
	"errors"
	"fmt"
	"path"

	"github.com/tollgate-dev/tollgate/lockfiles"
	"golang.org/x/mod/modfile"
)

// Parser reads go.work files. The zero value is ready to use.
type Parser struct{}

// Name identifies the format.
func (Parser) Name() string { return "go/go.work" }

// Match accepts files named go.work, in any directory.
func (Parser) Match(p string) bool { return path.Base(p) == "go.work" }

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
func (Parser) Parse(ctx context.Context, in *lockfiles.Input) ([]lockfiles.Package, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	f, err := parseWork(in.Path, in.Content)
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

// parseWork parses with modfile, turning its errors (and, defensively, a
// panic) into a *lockfiles.ParseError with the line.
func parseWork(name string, data []byte) (f *modfile.WorkFile, err error) {
	defer func() {
		if r := recover(); r != nil {
			f, err = nil, lockfiles.Errorf(name, 0, "go.work: %v", r)
		}
	}()
	f, err = modfile.ParseWork(name, data, nil)
	if err == nil {
		return f, nil
	}
	var list modfile.ErrorList
	var one *modfile.Error
	switch {
	case errors.As(err, &list) && len(list) > 0:
		return nil, workError(name, &list[0])
	case errors.As(err, &one):
		return nil, workError(name, one)
	}
	return nil, lockfiles.Errorf(name, 0, "%v", err)
}

// workError converts one modfile error; its own Error() repeats file and
// line, which the ParseError already carries.
func workError(name string, e *modfile.Error) error {
	msg := e.Err.Error()
	switch {
	case e.ModPath != "":
		msg = fmt.Sprintf("%s %s: %s", e.Verb, e.ModPath, msg)
	case e.Verb != "":
		msg = e.Verb + ": " + msg
	}
	return &lockfiles.ParseError{Path: name, Line: e.Pos.Line, Err: errors.New(msg)}
}

func lineOf(l *modfile.Line) int {
	if l == nil {
		return 0
	}
	return l.Start.Line
}
