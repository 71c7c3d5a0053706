package lockfiles

import "sort"

// Change kinds of a Delta.
const (
	ChangeAdded    = "added"
	ChangeUpdated  = "updated"
	ChangeRemoved  = "removed"
	ChangeRehashed = "rehashed"
)

// Change is one difference between a base and a head inventory.
type Change struct {
	Kind string `json:"kind"`
	// Package is the head entry (the base entry for a removal).
	Package Package `json:"package"`
	// Previous is the base entry for updates and re-hashes.
	Previous *Package `json:"previous,omitempty"`
}

type deltaKey struct{ path, ecosystem, name string }

// Delta compares two inventories lockfile by lockfile. renames maps a head
// lockfile path to its base path when a lockfile moved, so that a moved
// lockfile is compared with its old self instead of reading as all new.
//
// Within one lockfile and package name: a version present on both sides is
// unchanged, or re-hashed when its integrity or download URL differs (a
// tampering signal); head versions not in the base pair with base versions
// not in the head as updates; what is left is added or removed.
func Delta(base, head []Package, renames map[string]string) []Change {
	group := func(pkgs []Package, rename func(string) string) map[deltaKey][]Package {
		m := map[deltaKey][]Package{}
		for _, p := range pkgs {
			k := deltaKey{rename(p.Path), p.Ecosystem, NormalizeName(p.Ecosystem, p.Name)}
			m[k] = append(m[k], p)
		}
		return m
	}
	same := func(s string) string { return s }
	baseGroups := group(base, same)
	headGroups := group(head, func(p string) string {
		if old, ok := renames[p]; ok {
			return old
		}
		return p
	})

	var changes []Change
	for k, hs := range headGroups {
		bs := baseGroups[k]
		var newHeads []Package
		usedBase := make([]bool, len(bs))
		for _, h := range hs {
			matched := false
			for i, b := range bs {
				if usedBase[i] || b.Version != h.Version {
					continue
				}
				usedBase[i], matched = true, true
				if rehashed(b, h) {
					prev := b
					changes = append(changes, Change{Kind: ChangeRehashed, Package: h, Previous: &prev})
				}
				break
			}
			if !matched {
				newHeads = append(newHeads, h)
			}
		}
		var oldBases []Package
		for i, b := range bs {
			if !usedBase[i] {
				oldBases = append(oldBases, b)
			}
		}
		for i, h := range newHeads {
			if i < len(oldBases) {
				prev := oldBases[i]
				changes = append(changes, Change{Kind: ChangeUpdated, Package: h, Previous: &prev})
				continue
			}
			changes = append(changes, Change{Kind: ChangeAdded, Package: h})
		}
		for i := len(newHeads); i < len(oldBases); i++ {
			changes = append(changes, Change{Kind: ChangeRemoved, Package: oldBases[i]})
		}
	}
	for k, bs := range baseGroups {
		if _, ok := headGroups[k]; ok {
			continue
		}
		for _, b := range bs {
			changes = append(changes, Change{Kind: ChangeRemoved, Package: b})
		}
	}
	sort.SliceStable(changes, func(i, j int) bool {
		a, b := &changes[i].Package, &changes[j].Package
		if a.Path != b.Path {
			return a.Path < b.Path
		}
		if a.Line != b.Line {
			return a.Line < b.Line
		}
		if a.Name != b.Name {
			return a.Name < b.Name
		}
		return changes[i].Kind < changes[j].Kind
	})
	return changes
}

// rehashed reports whether the same name and version now carries a different
// integrity hash or comes from a different download location. A hash that
// appears where there was none (or disappears) is not a re-hash: lockfile
// tools add and drop hashes on upgrade; only two different hashes are.
func rehashed(b, h Package) bool {
	if b.Integrity != "" && h.Integrity != "" && b.Integrity != h.Integrity {
		return true
	}
	return b.Resolved != "" && h.Resolved != "" && b.Resolved != h.Resolved
}
