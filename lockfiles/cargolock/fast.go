package cargolock

import (
	"strconv"

	"github.com/tollgate-dev/tollgate/lockfiles/tomltree"
)

// fromTree fills a rawLock from tomltree's reading as BurntSushi/toml would
// decode it, with the header line of each [[package]]; ok is false on any
// shape or type it does not take (the full decoder then reads the file and
// reports what is wrong). Lines are set by decode, not here.
func fromTree(root *tomltree.Value) (lock rawLock, lines []int, ok bool) {
	if !root.Strict("version", "root", "package", "metadata") {
		return lock, nil, false
	}
	if v := root.Get("version"); v != nil {
		if v.Kind != tomltree.Integer {
			return lock, nil, false
		}
		n, err := strconv.Atoi(v.Str)
		if err != nil {
			return lock, nil, false
		}
		lock.Version = n
	}
	rt, ok := root.Table("root")
	if !ok {
		return lock, nil, false
	}
	if rt != nil {
		lock.Root = &rawPackage{}
		if !packageFromTree(rt, lock.Root) {
			return lock, nil, false
		}
	}
	md, ok := root.Table("metadata")
	if !ok {
		return lock, nil, false
	}
	if md != nil {
		lock.Metadata = make(map[string]string, len(md.Fields))
		for k, v := range md.Fields {
			if v.Kind != tomltree.String {
				return lock, nil, false
			}
			lock.Metadata[k] = v.Str
		}
	}
	pv := root.Get("package")
	if pv == nil {
		return lock, nil, true
	}
	if !pv.FromHeaders() {
		// "package = []" holds no packages; a non-empty inline array has no
		// header lines, which the full path (see decode) deals with.
		lock.Package = []rawPackage{}
		return lock, nil, pv.Kind == tomltree.Array && len(pv.Items) == 0
	}
	lock.Package = make([]rawPackage, len(pv.Items))
	lines = make([]int, len(pv.Items))
	for i, t := range pv.Items {
		lines[i] = t.Line
		if !packageFromTree(t, &lock.Package[i]) {
			return lock, nil, false
		}
	}
	return lock, lines, true
}

// packageFromTree fills one [[package]] (or [root]) table.
func packageFromTree(t *tomltree.Value, rp *rawPackage) bool {
	if !t.Strict("name", "version", "source", "checksum", "dependencies") {
		return false
	}
	ok := true
	for _, f := range []struct {
		key string
		dst *string
	}{
		{"name", &rp.Name}, {"version", &rp.Version}, {"source", &rp.Source}, {"checksum", &rp.Checksum},
	} {
		if *f.dst, ok = t.String(f.key); !ok {
			return false
		}
	}
	rp.Dependencies, ok = t.Strings("dependencies")
	return ok
}
