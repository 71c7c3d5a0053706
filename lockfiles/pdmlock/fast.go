package pdmlock

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
	if !root.Strict("package") {
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
	if !t.Strict("name", "version", "groups", "git", "ref", "revision", "url", "path", "editable", "files") {
		return false
	}
	ok := true
	for _, f := range []struct {
		key string
		dst *string
	}{
		{"name", &lp.Name}, {"version", &lp.Version}, {"git", &lp.Git}, {"ref", &lp.Ref},
		{"revision", &lp.Revision}, {"url", &lp.URL}, {"path", &lp.Path},
	} {
		if *f.dst, ok = t.String(f.key); !ok {
			return false
		}
	}
	if lp.Groups, ok = t.Strings("groups"); !ok {
		return false
	}
	if lp.Editable, ok = t.Bool("editable"); !ok {
		return false
	}
	files, ok := t.Tables("files")
	if !ok {
		return false
	}
	if files != nil {
		lp.Files = make([]fileEntry, len(files))
		for i, f := range files {
			if !f.Strict("file", "url", "hash") {
				return false
			}
			var ok1, ok2, ok3 bool
			lp.Files[i].File, ok1 = f.String("file")
			lp.Files[i].URL, ok2 = f.String("url")
			lp.Files[i].Hash, ok3 = f.String("hash")
			if !ok1 || !ok2 || !ok3 {
				return false
			}
		}
	}
	return true
}
