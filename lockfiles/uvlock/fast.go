package uvlock

import (
	"github.com/tollgate-dev/tollgate/lockfiles"
	"github.com/tollgate-dev/tollgate/lockfiles/tomltree"
)

// decode reads the lockfile and the header line of each package: through
// tomltree's subset reader and fromTree when the file is in the subset (the
// common, fast case), else through BurntSushi/toml (tomltree.Full).
func decode(in *lockfiles.Input) (lockFile, []int, error) {
	return tomltree.Decode(in, "package", fromTree, packageCount)
}

// packageCount is the number of [[package]] entries of a decoded file.
func packageCount(lf *lockFile) int { return len(lf.Package) }

// fromTree fills a lockFile as BurntSushi/toml would; ok is false on any
// type mismatch (the slow path then reports it).
func fromTree(root *tomltree.Value) (lf lockFile, lines []int, ok bool) {
	if !root.Strict("manifest", "package") {
		return lf, nil, false
	}
	manifest, ok := root.Table("manifest")
	if !ok || !manifest.Strict("members") {
		return lf, nil, false
	}
	if lf.Manifest.Members, ok = manifest.Strings("members"); !ok {
		return lf, nil, false
	}
	pv := root.Get("package")
	if pv == nil {
		return lf, nil, true
	}
	if !pv.FromHeaders() {
		// "package = []" holds no packages; a non-empty inline array has
		// no header lines, which the slow path reports.
		lf.Package = []lockPackage{}
		return lf, nil, pv.Kind == tomltree.Array && len(pv.Items) == 0
	}
	lf.Package = make([]lockPackage, len(pv.Items))
	lines = make([]int, len(pv.Items))
	for i, t := range pv.Items {
		lines[i] = t.Line
		if !packageFromTree(t, &lf.Package[i]) {
			return lf, nil, false
		}
	}
	return lf, lines, true
}

func packageFromTree(t *tomltree.Value, lp *lockPackage) bool {
	if !t.Strict("name", "version", "source", "dependencies", "optional-dependencies", "dev-dependencies", "sdist", "wheels") {
		return false
	}
	ok1, ok2 := true, true
	if lp.Name, ok1 = t.String("name"); !ok1 {
		return false
	}
	if lp.Version, ok2 = t.String("version"); !ok2 {
		return false
	}
	src, ok := t.Table("source")
	if !ok || !src.Strict("registry", "editable", "virtual", "directory", "path", "git", "url") {
		return false
	}
	for _, f := range []struct {
		key string
		dst *string
	}{
		{"registry", &lp.Source.Registry}, {"editable", &lp.Source.Editable}, {"virtual", &lp.Source.Virtual},
		{"directory", &lp.Source.Directory}, {"path", &lp.Source.Path}, {"git", &lp.Source.Git}, {"url", &lp.Source.URL},
	} {
		if *f.dst, ok = src.String(f.key); !ok {
			return false
		}
	}
	if lp.Dependencies, ok = dependencies(t.Get("dependencies")); !ok {
		return false
	}
	if lp.OptionalDependencies, ok = groups(t, "optional-dependencies"); !ok {
		return false
	}
	if lp.DevDependencies, ok = groups(t, "dev-dependencies"); !ok {
		return false
	}
	sdist, ok := t.Table("sdist")
	if !ok {
		return false
	}
	if sdist != nil {
		lp.Sdist = &artifact{}
		if !artifactFromTree(sdist, lp.Sdist) {
			return false
		}
	}
	wheels, ok := t.Tables("wheels")
	if !ok {
		return false
	}
	if wheels != nil {
		lp.Wheels = make([]artifact, len(wheels))
		for i, w := range wheels {
			if !artifactFromTree(w, &lp.Wheels[i]) {
				return false
			}
		}
	}
	return true
}

func artifactFromTree(t *tomltree.Value, a *artifact) bool {
	if !t.Strict("url", "path", "hash") {
		return false
	}
	var ok1, ok2, ok3 bool
	a.URL, ok1 = t.String("url")
	a.Path, ok2 = t.String("path")
	a.Hash, ok3 = t.String("hash")
	return ok1 && ok2 && ok3
}

// dependencies reads an array of dependency tables (nil when absent).
func dependencies(v *tomltree.Value) ([]dependency, bool) {
	if v == nil {
		return nil, true
	}
	items, ok := tomltree.TablesOf(v)
	if !ok {
		return nil, false
	}
	deps := make([]dependency, len(items))
	for i, d := range items {
		if !d.Strict("name", "version", "extra") {
			return nil, false
		}
		var ok1, ok2, ok3 bool
		deps[i].Name, ok1 = d.String("name")
		deps[i].Version, ok2 = d.String("version")
		deps[i].Extra, ok3 = d.Strings("extra")
		if !ok1 || !ok2 || !ok3 {
			return nil, false
		}
	}
	return deps, true
}

// groups reads a table of group name -> dependencies (nil when absent).
func groups(t *tomltree.Value, key string) (map[string][]dependency, bool) {
	g, ok := t.Table(key)
	if !ok || g == nil {
		return nil, ok
	}
	out := make(map[string][]dependency, len(g.Fields))
	for name, v := range g.Fields {
		deps, ok := dependencies(v)
		if !ok {
			return nil, false
		}
		out[name] = deps
	}
	return out, true
}
