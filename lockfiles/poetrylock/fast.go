package poetrylock

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
	if !root.Strict("package", "metadata") {
		return lf, nil, false
	}
	meta, ok := root.Table("metadata")
	if !ok || !meta.Strict("files") {
		return lf, nil, false
	}
	files, ok := meta.Table("files")
	if !ok {
		return lf, nil, false
	}
	if files != nil {
		lf.Metadata.Files = make(map[string][]fileEntry, len(files.Fields))
		for name, v := range files.Fields {
			entries, ok := fileEntries(v)
			if !ok {
				return lf, nil, false
			}
			lf.Metadata.Files[name] = entries
		}
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
	if !t.Strict("name", "version", "category", "groups", "files", "source") {
		return false
	}
	var ok1, ok2, ok3, ok4, ok5 bool
	lp.Name, ok1 = t.String("name")
	lp.Version, ok2 = t.String("version")
	lp.Category, ok3 = t.String("category")
	lp.Groups, ok4 = t.Strings("groups")
	if f := t.Get("files"); f != nil {
		lp.Files, ok5 = fileEntries(f)
	} else {
		ok5 = true
	}
	if !ok1 || !ok2 || !ok3 || !ok4 || !ok5 {
		return false
	}
	src, ok := t.Table("source")
	if !ok || !src.Strict("type", "url", "reference", "resolved_reference") {
		return false
	}
	if src != nil {
		lp.Source = &struct {
			Type              string `toml:"type"`
			URL               string `toml:"url"`
			Reference         string `toml:"reference"`
			ResolvedReference string `toml:"resolved_reference"`
		}{}
		lp.Source.Type, ok1 = src.String("type")
		lp.Source.URL, ok2 = src.String("url")
		lp.Source.Reference, ok3 = src.String("reference")
		lp.Source.ResolvedReference, ok4 = src.String("resolved_reference")
		if !ok1 || !ok2 || !ok3 || !ok4 {
			return false
		}
	}
	return true
}

// fileEntries reads an array of {file, hash} tables.
func fileEntries(v *tomltree.Value) ([]fileEntry, bool) {
	items, ok := tomltree.TablesOf(v)
	if !ok {
		return nil, false
	}
	out := make([]fileEntry, len(items))
	for i, it := range items {
		if !it.Strict("file", "hash") {
			return nil, false
		}
		var ok1, ok2 bool
		out[i].File, ok1 = it.String("file")
		out[i].Hash, ok2 = it.String("hash")
		if !ok1 || !ok2 {
			return nil, false
		}
	}
	return out, true
}
