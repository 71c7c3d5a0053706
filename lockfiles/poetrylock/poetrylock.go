// Package poetrylock reads Poetry's poetry.lock (lock-version 1.1, 2.0 and 2.1):
// a TOML document with one [[package]] table per locked package.
package poetrylock

import (
	"context"
	"slices"
	"strings"

	"github.com/tollgate-dev/tollgate/lockfiles"
)

// Parser reads poetry.lock files. The zero value is ready to use.
type Parser struct{}

// Name identifies the format.
func (Parser) Name() string { return "pypi/poetry.lock" }

// Match accepts files named poetry.lock.
func (Parser) Match(p string) bool { return lockfiles.Base(p) == "poetry.lock" }

type lockFile struct {
	Package  []lockPackage `toml:"package"`
	Metadata struct {
		// Files holds the hashes of lock-version 1.1 files, keyed by package name.
		Files map[string][]fileEntry `toml:"files"`
	} `toml:"metadata"`
}

type lockPackage struct {
	Name     string      `toml:"name"`
	Version  string      `toml:"version"`
	Category string      `toml:"category"`
	Groups   []string    `toml:"groups"`
	Files    []fileEntry `toml:"files"`
	Source   *struct {
		Type              string `toml:"type"`
		URL               string `toml:"url"`
		Reference         string `toml:"reference"`
		ResolvedReference string `toml:"resolved_reference"`
	} `toml:"source"`
}

type fileEntry struct {
	File string `toml:"file"`
	Hash string `toml:"hash"`
}

// Parse returns one package per [[package]] table, with Line the line of its
// header. Dev is set for `category = "dev"` (1.x) and for packages whose
// `groups` (2.x) do not include "main"; lock-version 2.0 files carry neither,
// so Dev stays false there. poetry.lock does not say which packages are
// direct: Direct is always false. Integrity is the package's file hashes
// (from `files`, or from [metadata.files] in 1.1) joined with spaces.
// [package.source] type git is Source git (Resolved "<url>@<commit>"),
// directory and file are local, url is url; other types (legacy, a private
// index) stay registry packages with Resolved the index URL.
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
			Dev:       lp.Category == "dev" || (len(lp.Groups) > 0 && !slices.Contains(lp.Groups, "main")),
		}
		files := lp.Files
		if files == nil && lf.Metadata.Files != nil {
			files = lf.Metadata.Files[lp.Name]
			if files == nil {
				files = lookupNormalized(lf.Metadata.Files, lp.Name)
			}
		}
		hashes := make([]string, 0, len(files))
		for _, f := range files {
			if f.Hash != "" {
				hashes = append(hashes, f.Hash)
			}
		}
		p.Integrity = strings.Join(hashes, " ")
		if s := lp.Source; s != nil {
			switch s.Type {
			case "git":
				p.Source = lockfiles.SourceGit
				ref := s.ResolvedReference
				if ref == "" {
					ref = s.Reference
				}
				p.Resolved = s.URL
				if ref != "" {
					p.Resolved += "@" + ref
				}
				p.PinnedSHA = lockfiles.IsCommitSHA(s.ResolvedReference)
			case "directory", "file":
				p.Source = lockfiles.SourceLocal
				p.Resolved = s.URL
			case "url":
				p.Source = lockfiles.SourceURL
				p.Resolved = s.URL
			default:
				p.Resolved = s.URL
			}
		}
		if p.Version == "" && p.Source == lockfiles.SourceRegistry {
			p.Source = lockfiles.SourceUnpinned
		}
		p.PURL = lockfiles.PURL(p.Ecosystem, p.Name, p.Version, nil)
		pkgs = append(pkgs, p)
	}
	return pkgs, nil
}

// lookupNormalized finds name in [metadata.files] under its PEP 503 form, as
// some Poetry 1.x versions wrote the keys normalised.
func lookupNormalized(files map[string][]fileEntry, name string) []fileEntry {
	want := lockfiles.NormalizeName(lockfiles.EcosystemPyPI, name)
	for k, v := range files {
		if lockfiles.NormalizeName(lockfiles.EcosystemPyPI, k) == want {
			return v
		}
	}
	return nil
}
