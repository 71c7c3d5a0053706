package yamltree

import (
	"fmt"

	"github.com/tollgate-dev/tollgate/lockfiles"
	yaml "go.yaml.in/yaml/v3"
)

// Consumer is how the program that reads a YAML format treats duplicate
// mapping keys and "<<" merge keys, two places where go.yaml.in/yaml/v3's
// node tree (which keeps every pair as written) and the helpers above (which
// take the first of duplicate keys and see "<<" as an ordinary key) would
// otherwise read something other than what gets installed or run.
type Consumer struct {
	// Name names the consumer in error messages ("pnpm", "GitHub Actions").
	Name string
	// ExpandMerge expands "<<" merge keys as js-yaml does (see Normalize);
	// when false, a "<<" whose value is a mapping, an alias or a sequence is
	// refused, as the consumer would not merge it.
	ExpandMerge bool
	// Key returns the identity of a scalar key for the duplicate check: two
	// keys with the same identity in one mapping are refused. It must never
	// call two keys the same that the consumer tells apart, so that no file
	// the consumer reads is refused. Keys that are not scalars are never
	// compared.
	Key func(key *yaml.Node) string
}

// The consumers of the YAML formats tollgate reads.
var (
	// PNPM is pnpm's reading of pnpm-lock.yaml: @zkochan/js-yaml 0.0.11 (a
	// js-yaml 4 fork) load(), which refuses a duplicate key with
	// "duplicated mapping key" after converting keys to strings (1 and '1'
	// are one key) and expands merge keys (pnpm 10.34.9 installs a package
	// listed only through "packages: {<<: *extra}", and calls a lockfile
	// with a duplicate key broken).
	PNPM = Consumer{Name: "pnpm", ExpandMerge: true, Key: ValueKey}
	// GitHubActions is GitHub's workflow and action parser
	// (actions/languageservices workflow-parser, the published form of the
	// service's reader): keys are compared upper-cased, a repeated one is
	// "'x' is already defined", and the YAML library runs with YAML 1.2's
	// core schema, where "<<" is an ordinary key (GitHub staff in
	// actions/runner#1182: anchors and aliases are supported, merge keys
	// are not).
	GitHubActions = Consumer{Name: "GitHub Actions", Key: ASCIIFoldKey}
	// Pub is Dart's package:yaml as pub reads pubspec.lock: a duplicate key
	// (by deep equality of the loaded value, so 1 and '1' differ) is
	// "Duplicate mapping key.", and "<<" is an ordinary key (the loader has
	// no merge type).
	Pub = Consumer{Name: "pub", Key: TypedKey}
)

// ValueKey is a key's text, as js-yaml compares keys once made strings.
func ValueKey(k *yaml.Node) string { return k.Value }

// TypedKey is a key's resolved tag and text: a string "1" and an integer 1
// are different keys, as in Dart. The tag is resolved from the text unless
// the key is quoted or tagged (FastParse tags every plain number !!str).
func TypedKey(k *yaml.Node) string {
	tag := k.Tag
	if k.Style&(yaml.TaggedStyle|yaml.SingleQuotedStyle|yaml.DoubleQuotedStyle|yaml.LiteralStyle|yaml.FoldedStyle) == 0 {
		tag = (&yaml.Node{Kind: yaml.ScalarNode, Value: k.Value}).ShortTag()
	}
	return tag + "\x00" + k.Value
}

// ASCIIFoldKey is a key's text with ASCII letters upper-cased. GitHub
// compares JavaScript toUpperCase() forms; folding only ASCII never makes
// two keys one that toUpperCase() keeps apart (strings.EqualFold would: the
// Kelvin sign and K).
func ASCIIFoldKey(k *yaml.Node) string {
	b := []byte(k.Value)
	for i, c := range b {
		if 'a' <= c && c <= 'z' {
			b[i] = c - 'a' + 'A'
		}
	}
	return string(b)
}

// isMergeKey reports whether k is a "<<" merge key: plain (a quoted '<<' is
// a string in every consumer) or tagged !!merge.
func isMergeKey(k *yaml.Node) bool {
	return k.Kind == yaml.ScalarNode && k.ShortTag() == "!!merge"
}

// Normalize rewrites the mappings of docs in place to what consumer c reads,
// so that Get, String and Pairs see the consumer's view: with ExpandMerge,
// every "<<" pair is replaced by the pairs it merges, as js-yaml does (the
// mapping's own keys win wherever they stand; of several merged mappings,
// the first holding a key wins; a merged value that is not a mapping, or a
// sequence of mappings, is refused). Without it, a "<<" holding a mapping,
// an alias or a sequence is refused, naming the line. A duplicate key is
// refused in both cases, at the line of its second occurrence.
//
// Aliased nodes are shared, so each mapping is rewritten once. The pairs
// merges add are bounded by limits.MaxPackages: a merge copies pairs, and a
// wide anchor merged into many mappings would otherwise cost their product.
func Normalize(path string, docs []*yaml.Node, c Consumer, limits lockfiles.Limits) error {
	limits = limits.WithDefaults()
	n := normalizer{path: path, c: c, budget: limits.MaxPackages, maxDepth: limits.MaxDepth + 2,
		state: map[*yaml.Node]uint8{}}
	for _, d := range docs {
		if err := n.walk(d, 0); err != nil {
			return err
		}
	}
	return nil
}

type normalizer struct {
	path     string
	c        Consumer
	budget   int                  // pairs merges may still add
	maxDepth int                  // Parse already checked the depth: a backstop
	state    map[*yaml.Node]uint8 // anchored nodes: 1 while being rewritten, 2 once done
}

func (n *normalizer) walk(node *yaml.Node, depth int) error {
	if node == nil {
		return nil
	}
	if node.Kind == yaml.AliasNode {
		return n.walk(node.Alias, depth)
	}
	if node.Kind == yaml.ScalarNode {
		return nil
	}
	// Only an anchored node can be reached twice (through its aliases), so
	// only those are tracked: a lockfile without anchors costs no map.
	shared := node.Anchor != ""
	if shared {
		switch n.state[node] {
		case 1:
			// The decoder refuses an anchor that contains itself; this is a backstop.
			return lockfiles.Errorf(n.path, node.Line, "YAML alias refers to a node that contains it")
		case 2:
			return nil
		}
		n.state[node] = 1
	}
	if depth > n.maxDepth {
		return lockfiles.LimitErrorf(n.path, node.Line, "YAML nesting deeper than %d", n.maxDepth)
	}
	for _, ch := range node.Content {
		if err := n.walk(ch, depth+1); err != nil {
			return err
		}
	}
	if node.Kind == yaml.MappingNode {
		if err := n.mapping(node); err != nil {
			return err
		}
	}
	if shared {
		n.state[node] = 2
	}
	return nil
}

// mapping rewrites one mapping whose children are already normalized.
func (n *normalizer) mapping(m *yaml.Node) error {
	hasMerge := false
	for i := 0; i+1 < len(m.Content); i += 2 {
		if isMergeKey(m.Content[i]) {
			hasMerge = true
			break
		}
	}
	if !hasMerge {
		return n.checkDuplicates(m)
	}
	if !n.c.ExpandMerge {
		for i := 0; i+1 < len(m.Content); i += 2 {
			k := m.Content[i]
			if !isMergeKey(k) {
				continue
			}
			if v := Resolve(m.Content[i+1]); v != nil && v.Kind != yaml.ScalarNode {
				return lockfiles.Errorf(n.path, k.Line,
					"YAML merge key <<: %s does not expand merge keys, so this file does not say what it runs or installs", n.c.Name)
			}
		}
		return n.checkDuplicates(m)
	}
	// js-yaml: own keys are set in order and replace a merged value of the
	// same key; a second own key is a duplicate; merged keys fill in only
	// keys not yet present.
	out := make([]*yaml.Node, 0, len(m.Content))
	index := map[string]int{} // identity -> position of the key in out
	own := map[string]bool{}
	for i := 0; i+1 < len(m.Content); i += 2 {
		k, v := m.Content[i], m.Content[i+1]
		if !isMergeKey(k) {
			id, ok := n.key(k)
			if !ok {
				out = append(out, k, v)
				continue
			}
			if own[id] {
				return n.duplicate(k)
			}
			own[id] = true
			if at, ok := index[id]; ok {
				out[at], out[at+1] = k, v
				continue
			}
			index[id] = len(out)
			out = append(out, k, v)
			continue
		}
		sources := []*yaml.Node{Resolve(v)}
		if s := sources[0]; s != nil && s.Kind == yaml.SequenceNode {
			sources = sources[:0]
			for _, item := range s.Content {
				sources = append(sources, Resolve(item))
			}
		}
		for _, src := range sources {
			if src == nil || src.Kind != yaml.MappingNode {
				return lockfiles.Errorf(n.path, k.Line,
					"YAML merge key <<: merges %s, not a mapping (%s refuses the file)", Describe(src), n.c.Name)
			}
			if n.budget -= len(src.Content) / 2; n.budget < 0 {
				return lockfiles.LimitErrorf(n.path, k.Line, "YAML merge keys copy more pairs than the package limit")
			}
			for j := 0; j+1 < len(src.Content); j += 2 {
				id, ok := n.key(src.Content[j])
				if _, seen := index[id]; ok && seen {
					continue
				}
				if ok {
					index[id] = len(out)
				}
				out = append(out, src.Content[j], src.Content[j+1])
			}
		}
	}
	m.Content = out
	return nil
}

// checkDuplicates refuses a mapping holding two keys of one identity.
func (n *normalizer) checkDuplicates(m *yaml.Node) error {
	pairs := len(m.Content) / 2
	if pairs < 2 {
		return nil
	}
	if pairs <= 8 { // the common small mapping: no map to allocate
		for i := 2; i+1 < len(m.Content); i += 2 {
			id, ok := n.key(m.Content[i])
			for j := 0; ok && j < i; j += 2 {
				if other, ok := n.key(m.Content[j]); ok && other == id {
					return n.duplicate(m.Content[i])
				}
			}
		}
		return nil
	}
	seen := make(map[string]struct{}, pairs)
	for i := 0; i+1 < len(m.Content); i += 2 {
		id, ok := n.key(m.Content[i])
		if !ok {
			continue
		}
		if _, dup := seen[id]; dup {
			return n.duplicate(m.Content[i])
		}
		seen[id] = struct{}{}
	}
	return nil
}

// key returns the identity of a scalar key, ok=false for any other key.
func (n *normalizer) key(k *yaml.Node) (string, bool) {
	k = Resolve(k)
	if k == nil || k.Kind != yaml.ScalarNode {
		return "", false
	}
	return n.c.Key(k), true
}

func (n *normalizer) duplicate(k *yaml.Node) error {
	return lockfiles.Errorf(n.path, k.Line, "duplicate key %s: %s refuses a mapping that repeats a key", describeKey(k), n.c.Name)
}

// describeKey quotes a key for an error message, bounded in length.
func describeKey(k *yaml.Node) string {
	if k.Kind != yaml.ScalarNode {
		return Describe(k)
	}
	v := k.Value
	if len(v) > 80 {
		v = v[:80] + "..."
	}
	return fmt.Sprintf("%q", v)
}
