package pipeline

import (
	"sort"

	"github.com/tollgate-dev/tollgate/lockfiles"
)

// Ecosystems lists the ecosystems of packages, sorted.
func Ecosystems(pkgs []lockfiles.Package) []string {
	seen := map[string]bool{}
	for _, p := range pkgs {
		seen[p.Ecosystem] = true
	}
	out := make([]string, 0, len(seen))
	for e := range seen {
		out = append(out, e)
	}
	sort.Strings(out)
	return out
}
