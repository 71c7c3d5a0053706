// Package gomod reads Go module requirements from go.mod, with the h1: hashes
// of the sibling go.sum as integrity, and Go workspace files, go.work
// (WorkParser).
//
// Every require directive is one package. replace directives of the main
// module are honoured: a replacement by another module reports that module;
// a replacement by a directory reports the required module as local code.
// exclude directives do not remove packages (see Parser.Parse).
//
// Files are read with golang.org/x/mod/modfile.
package gomod

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io/fs"
	"path"
	"strings"

	"github.com/tollgate-dev/tollgate/lockfiles"
	"golang.org/x/mod/modfile"
	"golang.org/x/mod/module"
)

// Parser reads go.mod files. The zero value is ready to use.
//
// Package.Version holds the module version exactly as go.mod, go.sum and the
// Go module proxy write it, with its leading "v" (v1.2.3,
// v0.0.0-20220715151400-c0bba94af5f8, v2.0.0+incompatible). OSV Go records
// (golang/vulndb) write versions without the "v" ("fixed": "1.6.0"), so an
// OSV lookup must strip it; the purl keeps it (pkg:golang/...@v1.2.3).
type Parser struct{}

// Name identifies the format.
func (Parser) Name() string { return "go/go.mod" }

// Match accepts files named go.mod, in any directory.
func (Parser) Match(p string) bool { return path.Base(p) == "go.mod" }

// Parse returns one package per require directive of in.Content.
//
//   - Line is the line of the require (inside a require block, the module's
//     own line); Direct is false when the line carries "// indirect".
//   - A replace of the required module (same version, or any version when the
//     replace names none) by another module reports the replacement: Name and
//     Version are the new module's, Resolved is "replaces old@version".
//   - A replace by a directory (=> ../fork) keeps the required module's Name,
//     with Version "", Source local and Resolved the directory: the code built
//     is the repository's own, not any published version.
//   - An exclude naming a required module@version does not remove it: since Go
//     1.16 the go command ignores such a requirement and may select a higher
//     version that only the build list knows, so the entry stays (it is what the
//     file declares, and hiding it could hide a risky package) and Resolved says
//     "excluded by go.mod line N".
//   - A version that is not a semantic version (a branch name such as
//     "master") is a *lockfiles.ParseError, as it is for the go command unless
//     it may rewrite go.mod over the network; "v1.2" is read as "v1.2.0".
//
// Integrity is the "h1:" hash of "module version" in go.sum beside the go.mod
// (read through in.FS; absent go.sum or a module missing from it leaves
// Integrity empty, as go.sum may lag behind go.mod). The main module and the
// go and toolchain lines are not packages.
func (Parser) Parse(ctx context.Context, in *lockfiles.Input) ([]lockfiles.Package, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	f, err := parseWith(in.Path, in.Content, modfile.Parse)
	if err != nil {
		return nil, err
	}
	if len(f.Require) > in.Limits.WithDefaults().MaxPackages {
		return nil, lockfiles.LimitErrorf(in.Path, 0, "more than %d requirements", in.Limits.WithDefaults().MaxPackages)
	}

	sums, err := readGoSum(in)
	if err != nil {
		return nil, err
	}

	// Replacements: exact module@version first, then module (any version).
	exact := map[module.Version]module.Version{}
	anyVersion := map[string]module.Version{}
	for _, r := range f.Replace {
		if r.Old.Version == "" {
			anyVersion[r.Old.Path] = r.New
		} else {
			exact[r.Old] = r.New
		}
	}
	excluded := map[module.Version]int{}
	for _, x := range f.Exclude {
		excluded[x.Mod] = lineOf(x.Syntax)
	}

	pkgs := make([]lockfiles.Package, 0, len(f.Require))
	for _, req := range f.Require {
		p := lockfiles.Package{
			Ecosystem: lockfiles.EcosystemGo,
			Name:      req.Mod.Path,
			Version:   req.Mod.Version,
			Path:      in.Path,
			Line:      lineOf(req.Syntax),
			Direct:    !req.Indirect,
		}
		var notes []string
		if xl, ok := excluded[req.Mod]; ok {
			notes = append(notes, fmt.Sprintf("excluded by go.mod line %d", xl))
		}
		t, ok := exact[req.Mod]
		if !ok {
			t, ok = anyVersion[req.Mod.Path]
		}
		switch {
		case ok && t.Version == "":
			// A replacement without a version is a directory (modfile enforces it).
			p.Version = ""
			p.Source = lockfiles.SourceLocal
			notes = append([]string{t.Path}, notes...)
		case ok:
			p.Name, p.Version = t.Path, t.Version
			notes = append([]string{"replaces " + req.Mod.Path + "@" + req.Mod.Version}, notes...)
		}
		if p.Source != lockfiles.SourceLocal {
			p.Integrity = sums[p.Name+" "+p.Version]
		}
		p.Resolved = strings.Join(notes, "; ")
		p.PURL = lockfiles.PURL(lockfiles.EcosystemGo, p.Name, p.Version, nil)
		pkgs = append(pkgs, p)
	}
	return pkgs, nil
}

// parseWith runs a modfile parser (modfile.Parse, modfile.ParseWork),
// turning its errors (and any panic of the library) into a
// *lockfiles.ParseError naming the file and line.
func parseWith[F any](name string, data []byte, parse func(string, []byte, modfile.VersionFixer) (*F, error)) (f *F, err error) {
	defer func() {
		if r := recover(); r != nil {
			f, err = nil, lockfiles.Errorf(name, 0, "%s: %v", path.Base(name), r)
		}
	}()
	f, err = parse(name, data, nil)
	if err == nil {
		return f, nil
	}
	var list modfile.ErrorList
	var one *modfile.Error
	switch {
	case errors.As(err, &list) && len(list) > 0:
		return nil, modError(name, &list[0])
	case errors.As(err, &one):
		return nil, modError(name, one)
	}
	return nil, lockfiles.Errorf(name, 0, "%v", err)
}

// modError converts one modfile error; its own Error() repeats file and line,
// which the ParseError already carries.
func modError(name string, e *modfile.Error) error {
	msg := e.Err.Error()
	switch {
	case e.ModPath != "":
		msg = e.Verb + " " + e.ModPath + ": " + msg
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

// readGoSum returns the h1: hashes of go.sum beside in.Path, keyed by
// "module version" (the "/go.mod" hashes are left out). A missing FS or
// go.sum yields an empty map.
func readGoSum(in *lockfiles.Input) (map[string]string, error) {
	if in.FS == nil {
		return nil, nil
	}
	name := path.Join(path.Dir(in.Path), "go.sum")
	limit := in.Limits.WithDefaults().MaxFileSize
	st, err := fs.Stat(in.FS, name)
	if err != nil {
		if errors.Is(err, fs.ErrNotExist) {
			return nil, nil
		}
		return nil, &lockfiles.ParseError{Path: name, Err: err}
	}
	if st.Size() > limit {
		return nil, lockfiles.LimitErrorf(name, 0, "go.sum is %d bytes, larger than %d", st.Size(), limit)
	}
	// fs.ReadFile sizes its buffer from Stat (os.DirFS reads in one call).
	data, err := fs.ReadFile(in.FS, name)
	if err != nil {
		return nil, &lockfiles.ParseError{Path: name, Err: err}
	}
	if int64(len(data)) > limit {
		return nil, lockfiles.LimitErrorf(name, 0, "go.sum larger than %d bytes", limit)
	}
	return parseGoSum(data), nil
}

// parseGoSum is written by hand: golang.org/x/mod has no go.sum reader (the
// go command's is internal), and the format is three space-separated fields a
// line. Lines that are not "module version h1:hash" are skipped, since go.sum
// only contributes integrity here.
func parseGoSum(data []byte) map[string]string {
	sums := make(map[string]string, bytes.Count(data, []byte{'\n'})/2+1)
	for len(data) > 0 {
		var line []byte
		line, data, _ = bytes.Cut(data, []byte{'\n'})
		mod, rest, ok := bytes.Cut(bytes.TrimSpace(line), []byte{' '})
		if !ok {
			continue
		}
		vers, hash, ok := bytes.Cut(rest, []byte{' '})
		if !ok || bytes.HasSuffix(vers, []byte("/go.mod")) || !bytes.HasPrefix(hash, []byte("h1:")) || bytes.IndexByte(hash, ' ') >= 0 {
			continue
		}
		sums[string(mod)+" "+string(vers)] = string(hash)
	}
	return sums
}
