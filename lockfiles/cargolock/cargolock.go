// Package cargolock reads Cargo.lock files (versions 1 to 4) into crates.io
// packages.
package cargolock

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/tollgate-dev/tollgate/lockfiles"
	"github.com/tollgate-dev/tollgate/lockfiles/tomltree"
)

// Parser reads Cargo.lock. The zero value is ready to use.
type Parser struct{}

// New returns a Parser.
func New() Parser { return Parser{} }

// Name identifies the format.
func (Parser) Name() string { return "crates/Cargo.lock" }

// Match accepts files named Cargo.lock, in any directory.
func (Parser) Match(path string) bool { return lockfiles.Base(path) == "Cargo.lock" }

// rawPackage is one [[package]] (or the v1 [root]) table.
type rawPackage struct {
	Name         string   `toml:"name"`
	Version      string   `toml:"version"`
	Source       string   `toml:"source"`
	Checksum     string   `toml:"checksum"`
	Dependencies []string `toml:"dependencies"`
	line         int
}

// rawLock is the part of a Cargo.lock that matters here.
type rawLock struct {
	Version  int               `toml:"version"`
	Root     *rawPackage       `toml:"root"`
	Package  []rawPackage      `toml:"package"`
	Metadata map[string]string `toml:"metadata"`
}

// Parse returns one package per [[package]] table, plus the [root] table of
// version 1 files. Line is the table's header line. Source: a registry+ or
// sparse+ source is a registry package (Resolved keeps the index URL, so an
// alternative registry shows), git+ is git (Resolved is the git URL with its
// commit fragment), path+ or no source at all is a workspace member (local).
// Integrity is "checksum", or for version 1 the [metadata] "checksum name
// version (source)" entry. Direct is inferred, as the format does not record
// it: a package is Direct when a workspace member lists it in "dependencies"
// (that includes dev- and build-dependencies).
func (Parser) Parse(ctx context.Context, in *lockfiles.Input) ([]lockfiles.Package, error) {
	if err := ctx.Err(); err != nil {
		return nil, fmt.Errorf("parse %s: %w", in.Path, err)
	}
	lock, err := decode(in)
	if err != nil {
		return nil, err
	}
	return build(in.Path, lock, in.Limits.WithDefaults())
}

// decode reads the file through tomltree (its subset reader for the layout
// Cargo writes, BurntSushi/toml for any other TOML) and places the tables
// on their header lines.
func decode(in *lockfiles.Input) (rawLock, error) {
	lock, lines, err := tomltree.Decode(in, "package", fromTree, packageCount)
	var unpaired *tomltree.HeaderCountError
	if errors.As(err, &unpaired) {
		// Packages written as an inline array of tables (Cargo reads them
		// too) have no header lines: they are kept, at line 0 (unknown).
		lines, err = nil, nil
	}
	if err != nil {
		return lock, err
	}
	if lines != nil {
		for i := range lock.Package {
			lock.Package[i].line = lines[i]
		}
	}
	if lock.Root != nil {
		lock.Root.line = tomltree.TableHeaderLine(in.Content, "root")
	}
	return lock, nil
}

// packageCount is the number of [[package]] entries of a decoded file.
func packageCount(lock *rawLock) int { return len(lock.Package) }

func build(path string, lock rawLock, limits lockfiles.Limits) ([]lockfiles.Package, error) {
	raws := lock.Package
	if lock.Root != nil {
		raws = append([]rawPackage{*lock.Root}, raws...)
	}
	if len(raws) > limits.MaxPackages {
		return nil, lockfiles.LimitErrorf(path, raws[limits.MaxPackages].line, "more than %d packages", limits.MaxPackages)
	}
	pkgs := make([]lockfiles.Package, 0, len(raws))
	byName := map[string][]int{}
	for i := range raws {
		r := &raws[i]
		if r.Name == "" || r.Version == "" {
			return nil, lockfiles.Errorf(path, r.line, "package without a name or a version")
		}
		p := lockfiles.Package{
			Ecosystem: lockfiles.EcosystemCrates,
			Name:      r.Name,
			Version:   r.Version,
			PURL:      lockfiles.PURL(lockfiles.EcosystemCrates, r.Name, r.Version, nil),
			Path:      path,
			Line:      r.line,
			Integrity: r.Checksum,
		}
		if p.Integrity == "" && lock.Metadata != nil {
			sum := lock.Metadata["checksum "+r.Name+" "+r.Version+" ("+r.Source+")"]
			if sum != "<none>" {
				p.Integrity = sum
			}
		}
		kind, _, _ := strings.Cut(r.Source, "+")
		switch {
		case r.Source == "" || kind == "path":
			p.Source = lockfiles.SourceLocal
		case kind == "git":
			p.Source = lockfiles.SourceGit
			p.Resolved = r.Source
			if _, frag, ok := strings.Cut(r.Source, "#"); ok {
				p.PinnedSHA = lockfiles.IsCommitSHA(frag)
			}
		case kind == "registry" || kind == "sparse":
			p.Resolved = r.Source
		default:
			p.Source = lockfiles.SourceURL
			p.Resolved = r.Source
		}
		byName[r.Name] = append(byName[r.Name], i)
		pkgs = append(pkgs, p)
	}
	for i := range raws {
		if pkgs[i].Source != lockfiles.SourceLocal {
			continue
		}
		for _, dep := range raws[i].Dependencies {
			if j := resolveDep(dep, raws, byName); j >= 0 {
				pkgs[j].Direct = true
			}
		}
	}
	return pkgs, nil
}

// resolveDep finds the package a "dependencies" entry names: "name",
// "name version" or "name version (source)", each as precise as Cargo needed
// to disambiguate. It returns -1 when none or several match.
func resolveDep(dep string, raws []rawPackage, byName map[string][]int) int {
	name, rest, _ := strings.Cut(dep, " ")
	version, source, _ := strings.Cut(rest, " ")
	source = strings.TrimSuffix(strings.TrimPrefix(source, "("), ")")
	found := -1
	for _, j := range byName[name] {
		if version != "" && raws[j].Version != version {
			continue
		}
		if source != "" && raws[j].Source != source {
			continue
		}
		if found >= 0 {
			return -1
		}
		found = j
	}
	return found
}
