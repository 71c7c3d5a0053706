// Package pdmlock reads PDM's pdm.lock: a TOML document with one [[package]]
// table per locked package (one per extras combination).
package pdmlock

import (
	"context"
	"slices"
	"strings"

	"github.com/tollgate-dev/tollgate/lockfiles"
)

// Parser reads pdm.lock files. The zero value is ready to use.
type Parser struct{}

// Name identifies the format.
func (Parser) Name() string { return "pypi/pdm.lock" }

// Match accepts files named pdm.lock.
func (Parser) Match(p string) bool { return lockfiles.Base(p) == "pdm.lock" }

type lockFile struct {
	Package []lockPackage `toml:"package"`
}

type lockPackage struct {
	Name     string      `toml:"name"`
	Version  string      `toml:"version"`
	Groups   []string    `toml:"groups"`
	Git      string      `toml:"git"`
	Ref      string      `toml:"ref"`
	Revision string      `toml:"revision"`
	URL      string      `toml:"url"`
	Path     string      `toml:"path"`
	Editable bool        `toml:"editable"`
	Files    []fileEntry `toml:"files"`
}

type fileEntry struct {
	File string `toml:"file"`
	URL  string `toml:"url"`
	Hash string `toml:"hash"`
}

// Parse returns one package per [[package]] table, Line being its header.
// Dev is set when the package's groups do not include "default" (it is only
// needed by dev or optional groups). pdm.lock does not say which packages are
// direct: Direct is always false. Integrity is the `files` hashes joined with
// spaces. `git` entries are Source git (Resolved "<url>@<revision>"), `path`
// and editable entries local, `url` entries url.
func (Parser) Parse(ctx context.Context, in *lockfiles.Input) ([]lockfiles.Package, error) {
	lf, headers, err := decode(in)
	if err != nil {
		return nil, err
	}
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	if len(lf.Package) > in.Limits.MaxPackages {
		return nil, lockfiles.LimitErrorf(in.Path, 0, "more than %d packages", in.Limits.MaxPackages)
	}
	pkgs := make([]lockfiles.Package, 0, len(lf.Package))
	for i, lp := range lf.Package {
		if lp.Name == "" {
			return nil, lockfiles.Errorf(in.Path, headers[i], "package without a name")
		}
		p := lockfiles.Package{
			Ecosystem: lockfiles.EcosystemPyPI,
			Name:      lp.Name,
			Version:   lp.Version,
			Path:      in.Path,
			Line:      headers[i],
			Dev:       len(lp.Groups) > 0 && !slices.Contains(lp.Groups, "default"),
		}
		hashes := make([]string, 0, len(lp.Files))
		for _, f := range lp.Files {
			if f.Hash != "" {
				hashes = append(hashes, f.Hash)
			}
		}
		p.Integrity = strings.Join(hashes, " ")
		switch {
		case lp.Git != "":
			p.Source = lockfiles.SourceGit
			p.Resolved = lp.Git
			ref := lp.Revision
			if ref == "" {
				ref = lp.Ref
			}
			if ref != "" {
				p.Resolved += "@" + ref
			}
			p.PinnedSHA = lockfiles.IsCommitSHA(lp.Revision)
		case lp.Path != "" || lp.Editable:
			p.Source = lockfiles.SourceLocal
			p.Resolved = lp.Path
		case lp.URL != "":
			p.Source = lockfiles.SourceURL
			p.Resolved = lp.URL
		case p.Version == "":
			p.Source = lockfiles.SourceUnpinned
		}
		p.PURL = lockfiles.PURL(p.Ecosystem, p.Name, p.Version, nil)
		pkgs = append(pkgs, p)
	}
	return pkgs, nil
}
