package pnpmlock

import (
	"context"
	"fmt"
	"strings"

	"github.com/tollgate-dev/tollgate/lockfiles/yamltree"
	yaml "go.yaml.in/yaml/v3"
)

// Reachability marks of markDev.
const (
	reachedProd uint8 = 1 << iota // from an importer's dependencies or optionalDependencies
	reachedDev                    // from an importer's devDependencies only
)

// markDev sets Dev on the packages of a 9.x lockfile: those the dependency
// graph reaches from a devDependency of some importer and from no production
// dependency (b.roots). The graph's nodes are the keys of snapshots (one per
// peer-dependency variant, "name@1.0.0(peer@2.0.0)"); its edges are each
// snapshot's dependencies and optionalDependencies, whose values are a
// version ("1.0.0(peer@2.0.0)", the key being name@value), an npm alias's
// target ("string-width@4.2.3", the key itself) or "link:dir", which leads
// nowhere (see Parse). A node whose snapshot is missing (a partial lockfile)
// is its packages entry, without edges; a snapshots section that is not a
// mapping gives no edges at all.
//
// The production walk runs first, so that the dev walk can stop at any
// production node: all it reaches is production too. Every snapshot is thus
// expanded once at most, and peer variants merge into their package by OR:
// one production variant makes the package production.
func (b *builder) markDev(ctx context.Context, snapshots *yaml.Node) error {
	if snapshots != nil && snapshots.Kind != yaml.MappingNode {
		snapshots = nil
	}
	var pairs []*yaml.Node
	if snapshots != nil {
		pairs = snapshots.Content
	}
	n := len(pairs) / 2
	index := make(map[string]int, n) // snapshot key -> node
	for s := range n {
		key := pairs[2*s].Value
		if _, dup := index[key]; !dup {
			index[key] = s // the first, as yamltree.Get reads
		}
	}
	nodeMark := make([]uint8, n)
	pkgMark := make([]uint8, len(b.pkgs))
	var (
		buf      []byte
		stack    []int
		expanded int
	)
	// target resolves a dependency to a snapshot (node >= 0) or, without
	// one, to a package (pkg >= 0).
	target := func(name, version string) (node, pkg int) {
		if strings.HasPrefix(version, "link:") {
			return -1, -1
		}
		buf = append(append(append(buf[:0], name...), '@'), version...)
		if s, ok := index[string(buf)]; ok {
			return s, -1
		}
		if s, ok := index[version]; ok {
			return s, -1
		}
		if i, ok := b.lookup("", name, version); ok {
			return -1, i
		}
		return -1, -1
	}
	walk := func(start int, bit uint8) error {
		stack = append(stack[:0], start)
		for len(stack) > 0 {
			s := stack[len(stack)-1]
			stack = stack[:len(stack)-1]
			if nodeMark[s] != 0 {
				continue // seen, or production (when bit is reachedDev)
			}
			nodeMark[s] = bit
			if expanded++; expanded&0x3ff == 0 {
				if err := ctx.Err(); err != nil {
					return fmt.Errorf("parse %s: %w", b.path, err)
				}
			}
			v := yamltree.Resolve(pairs[2*s+1])
			if v == nil || v.Kind != yaml.MappingNode {
				continue
			}
			seen := 0 // the first of each group only, as yamltree.Get reads
			for k := 0; k+1 < len(v.Content); k += 2 {
				group := 0
				switch v.Content[k].Value {
				case "dependencies":
					group = 1
				case "optionalDependencies":
					group = 2
				}
				if group == 0 || seen&group != 0 {
					continue
				}
				seen |= group
				deps := yamltree.Resolve(v.Content[k+1])
				if deps == nil || deps.Kind != yaml.MappingNode {
					continue
				}
				for j := 0; j+1 < len(deps.Content); j += 2 {
					ver := yamltree.Resolve(deps.Content[j+1])
					if ver == nil || ver.Kind != yaml.ScalarNode {
						continue
					}
					node, pkg := target(deps.Content[j].Value, ver.Value)
					if node >= 0 {
						stack = append(stack, node)
					} else if pkg >= 0 {
						pkgMark[pkg] |= bit
					}
				}
			}
		}
		return nil
	}
	for _, bit := range [...]uint8{reachedProd, reachedDev} {
		for _, r := range b.roots {
			if r.dev != (bit == reachedDev) {
				continue
			}
			pkgMark[r.pkg] |= bit
			if node, _ := target(r.name, r.version); node >= 0 {
				if err := walk(node, bit); err != nil {
					return err
				}
			}
		}
	}
	for s, mark := range nodeMark {
		if mark == 0 {
			continue
		}
		if i, ok := b.byKey[stripPeers(pairs[2*s].Value, b.major)]; ok {
			pkgMark[i] |= mark
		}
	}
	for i := range b.pkgs {
		b.pkgs[i].Dev = pkgMark[i] == reachedDev
	}
	return nil
}
