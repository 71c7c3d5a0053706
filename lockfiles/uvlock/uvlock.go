// Package uvlock reads uv's uv.lock: a TOML document with one [[package]]
// table per locked distribution, including the project itself and the other
// workspace members.
package uvlock

import (
	"context"

	"github.com/tollgate-dev/tollgate/lockfiles"
)

// Parser reads uv.lock files. The zero value is ready to use.
type Parser struct{}

// Name identifies the format.
func (Parser) Name() string { return "pypi/uv.lock" }

// Match accepts files named uv.lock.
func (Parser) Match(p string) bool { return lockfiles.Base(p) == "uv.lock" }

type lockFile struct {
	Manifest struct {
		Members []string `toml:"members"`
	} `toml:"manifest"`
	Package []lockPackage `toml:"package"`
}

type lockPackage struct {
	Name    string `toml:"name"`
	Version string `toml:"version"`
	Source  struct {
		Registry  string `toml:"registry"`
		Editable  string `toml:"editable"`
		Virtual   string `toml:"virtual"`
		Directory string `toml:"directory"`
		Path      string `toml:"path"`
		Git       string `toml:"git"`
		URL       string `toml:"url"`
	} `toml:"source"`
	Dependencies         []dependency            `toml:"dependencies"`
	OptionalDependencies map[string][]dependency `toml:"optional-dependencies"`
	DevDependencies      map[string][]dependency `toml:"dev-dependencies"`
	Sdist                *artifact               `toml:"sdist"`
	Wheels               []artifact              `toml:"wheels"`
}

type dependency struct {
	Name    string   `toml:"name"`
	Version string   `toml:"version"`
	Extra   []string `toml:"extra"`
}

type artifact struct {
	URL  string `toml:"url"`
	Path string `toml:"path"`
	Hash string `toml:"hash"`
}

// Parse returns one package per [[package]] table, Line being its header.
//
// Sources: registry packages are registry packages; editable, virtual,
// directory and path sources are local (the project itself is one); git
// sources are git (Resolved as written, "<url>#<commit>"); url sources are url.
// Integrity is the sdist hash, or the wheel hashes joined with spaces when
// there is no sdist; Resolved of a registry package is its sdist (or first
// wheel) URL.
//
// The roots are the workspace members ([manifest] members, or else the
// packages whose source is editable or virtual "."). Direct marks packages a
// root lists in `dependencies`. Dev marks packages reachable only through a
// root's `dev-dependencies` or `optional-dependencies` groups, never through
// its plain dependencies.
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
	for i, lp := range lf.Package {
		if lp.Name == "" {
			return nil, lockfiles.Errorf(in.Path, headers[i], "package without a name")
		}
	}
	direct, dev := classify(lf)
	pkgs := make([]lockfiles.Package, 0, len(lf.Package))
	for i, lp := range lf.Package {
		p := lockfiles.Package{
			Ecosystem: lockfiles.EcosystemPyPI,
			Name:      lp.Name,
			Version:   lp.Version,
			Path:      in.Path,
			Line:      headers[i],
			Direct:    direct[i],
			Dev:       dev[i],
		}
		s := lp.Source
		switch {
		case s.Git != "":
			p.Source = lockfiles.SourceGit
			p.Resolved = s.Git
			if _, frag, ok := cutLast(s.Git, '#'); ok {
				p.PinnedSHA = lockfiles.IsCommitSHA(frag)
			}
		case s.URL != "":
			p.Source = lockfiles.SourceURL
			p.Resolved = s.URL
		case s.Editable != "" || s.Virtual != "" || s.Directory != "" || s.Path != "":
			p.Source = lockfiles.SourceLocal
			for _, r := range []string{s.Editable, s.Virtual, s.Directory, s.Path} {
				if r != "" {
					p.Resolved = r
					break
				}
			}
		}
		if lp.Sdist != nil && lp.Sdist.Hash != "" {
			p.Integrity = lp.Sdist.Hash
		} else {
			for _, w := range lp.Wheels {
				if w.Hash != "" {
					if p.Integrity != "" {
						p.Integrity += " "
					}
					p.Integrity += w.Hash
				}
			}
		}
		if p.Source == lockfiles.SourceRegistry {
			switch {
			case lp.Sdist != nil && lp.Sdist.URL != "":
				p.Resolved = lp.Sdist.URL
			case len(lp.Wheels) > 0:
				p.Resolved = lp.Wheels[0].URL
			}
			if p.Version == "" {
				p.Source = lockfiles.SourceUnpinned
			}
		}
		p.PURL = lockfiles.PURL(p.Ecosystem, p.Name, p.Version, nil)
		pkgs = append(pkgs, p)
	}
	return pkgs, nil
}

// classify computes Direct and Dev for every package index (see Parse).
func classify(lf lockFile) (direct, dev []bool) {
	n := len(lf.Package)
	direct, dev = make([]bool, n), make([]bool, n)
	byName := make(map[string][]int, n)
	for i, lp := range lf.Package {
		k := norm(lp.Name)
		byName[k] = append(byName[k], i)
	}
	isRoot := make([]bool, n)
	if len(lf.Manifest.Members) > 0 {
		for _, m := range lf.Manifest.Members {
			for _, i := range byName[norm(m)] {
				isRoot[i] = true
			}
		}
	} else {
		for i, lp := range lf.Package {
			isRoot[i] = lp.Source.Editable == "." || lp.Source.Virtual == "."
		}
	}
	// targets resolves a dependency entry to package indices: all of that name,
	// or only the matching version when the entry names one.
	targets := func(d dependency) []int {
		idx := byName[norm(d.Name)]
		if d.Version == "" {
			return idx
		}
		var out []int
		for _, i := range idx {
			if lf.Package[i].Version == d.Version {
				out = append(out, i)
			}
		}
		return out
	}
	// reach marks every package reachable from deps, following extras; each
	// package and each (package, extra) pair is expanded once, so cycles end.
	type extraKey struct {
		pkg   int
		extra string
	}
	reach := func(seen []bool, seenExtra map[extraKey]bool, deps []dependency) {
		queue := append([]dependency(nil), deps...)
		for len(queue) > 0 {
			d := queue[len(queue)-1]
			queue = queue[:len(queue)-1]
			for _, i := range targets(d) {
				lp := &lf.Package[i]
				if !seen[i] {
					seen[i] = true
					queue = append(queue, lp.Dependencies...)
				}
				for _, e := range d.Extra {
					if k := (extraKey{i, e}); !seenExtra[k] {
						seenExtra[k] = true
						queue = append(queue, lp.OptionalDependencies[e]...)
					}
				}
			}
		}
	}
	mainSeen, devSeen := make([]bool, n), make([]bool, n)
	mainExtras, devExtras := map[extraKey]bool{}, map[extraKey]bool{}
	for i, lp := range lf.Package {
		if !isRoot[i] {
			continue
		}
		mainSeen[i] = true
		for _, d := range lp.Dependencies {
			for _, j := range targets(d) {
				direct[j] = true
			}
		}
		reach(mainSeen, mainExtras, lp.Dependencies)
		for _, group := range lp.DevDependencies {
			reach(devSeen, devExtras, group)
		}
		for _, group := range lp.OptionalDependencies {
			reach(devSeen, devExtras, group)
		}
	}
	for i := range dev {
		dev[i] = devSeen[i] && !mainSeen[i]
	}
	return direct, dev
}

func norm(name string) string { return lockfiles.NormalizeName(lockfiles.EcosystemPyPI, name) }

func cutLast(s string, sep byte) (before, after string, ok bool) {
	for i := len(s) - 1; i >= 0; i-- {
		if s[i] == sep {
			return s[:i], s[i+1:], true
		}
	}
	return s, "", false
}
