package yamltree

import (
	"encoding/json"
	"errors"
	"strings"
	"testing"

	"github.com/tollgate-dev/tollgate/lockfiles"
	yaml "go.yaml.in/yaml/v3"
)

// toJSON writes a normalized node as JSON, keys in order, as
// JSON.stringify writes what js-yaml loads.
func toJSON(n *yaml.Node) string {
	n = Resolve(n)
	var b strings.Builder
	switch {
	case n == nil:
		b.WriteString("null")
	case n.Kind == yaml.MappingNode:
		b.WriteByte('{')
		for i := 0; i+1 < len(n.Content); i += 2 {
			if i > 0 {
				b.WriteByte(',')
			}
			b.WriteString(jsonString(n.Content[i].Value))
			b.WriteByte(':')
			b.WriteString(toJSON(n.Content[i+1]))
		}
		b.WriteByte('}')
	case n.Kind == yaml.SequenceNode:
		b.WriteByte('[')
		for i, c := range n.Content {
			if i > 0 {
				b.WriteByte(',')
			}
			b.WriteString(toJSON(c))
		}
		b.WriteByte(']')
	default:
		switch n.ShortTag() {
		case "!!int", "!!bool":
			b.WriteString(n.Value)
		case "!!null":
			b.WriteString("null")
		default:
			b.WriteString(jsonString(n.Value))
		}
	}
	return b.String()
}

// jsonString quotes s as JSON.stringify does (no HTML escapes).
func jsonString(s string) string {
	var b strings.Builder
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false)
	_ = enc.Encode(s)
	return strings.TrimSuffix(b.String(), "\n")
}

// jsYAMLCases are inputs with what @zkochan/js-yaml 0.0.11 (pnpm 10.34.9's
// loader) load() returned for them, as JSON.stringify printed it under
// node 20, or the line of its error.
var jsYAMLCases = []struct {
	name, src string
	want      string
	errLine   int
}{
	{"dupTop", "lockfileVersion: '9.0'\npackages:\n  a@1.0.0: {}\npackages:\n  evil@6.6.6: {}\n", "", 4},
	{"dupPkg", "packages:\n  a@1.0.0: {resolution: {integrity: x}}\n  a@1.0.0: {resolution: {integrity: y}}\n", "", 3},
	{"mergeAfter", "base: &b\n  evil@6.6.6: {}\npackages:\n  a@1.0.0: {}\n  <<: *b\n",
		`{"base":{"evil@6.6.6":{}},"packages":{"a@1.0.0":{},"evil@6.6.6":{}}}`, 0},
	{"mergeOverride", "base: &b\n  a@1.0.0: {v: merged}\npackages:\n  a@1.0.0: {v: own}\n  <<: *b\n",
		`{"base":{"a@1.0.0":{"v":"merged"}},"packages":{"a@1.0.0":{"v":"own"}}}`, 0},
	{"mergeOverrideBefore", "base: &b\n  a@1.0.0: {v: merged}\npackages:\n  <<: *b\n  a@1.0.0: {v: own}\n",
		`{"base":{"a@1.0.0":{"v":"merged"}},"packages":{"a@1.0.0":{"v":"own"}}}`, 0},
	{"mergeSeq", "x: &x {k: 1, a: x}\ny: &y {k: 2, b: y}\nm:\n  <<: [*x, *y]\n",
		`{"x":{"k":1,"a":"x"},"y":{"k":2,"b":"y"},"m":{"k":1,"a":"x","b":"y"}}`, 0},
	{"mergeTwice", "x: &x {k: 1}\ny: &y {k: 2}\nm:\n  <<: *x\n  <<: *y\n", `{"x":{"k":1},"y":{"k":2},"m":{"k":1}}`, 0},
	{"dupAfterMerge", "x: &x {k: 1}\nm:\n  <<: *x\n  k: 2\n  k: 3\n", "", 5},
	{"mergeQuoted", "x: &x {k: 1}\nm:\n  '<<': *x\n", `{"x":{"k":1},"m":{"<<":{"k":1}}}`, 0},
	{"mergeInline", "m:\n  <<: {k: 1}\n  j: 2\n", `{"m":{"k":1,"j":2}}`, 0},
	{"mergeScalar", "m:\n  <<: 1\n", "", 2},
	{"dupNumStr", "m:\n  1: a\n  '1': b\n", "", 3},
	{"dupCase", "m:\n  a: 1\n  A: 2\n", `{"m":{"a":1,"A":2}}`, 0},
	{"nested", "x: &x {k: 1}\ny: &y {<<: *x, j: 2}\nm:\n  <<: *y\n", `{"x":{"k":1},"y":{"k":1,"j":2},"m":{"k":1,"j":2}}`, 0},
	// js-yaml 4 rejects an explicit "!!merge <<" key ("bad indentation of a
	// mapping entry"); tollgate expands it, reading more, never less.
}

func TestNormalizeAsJSYAML(t *testing.T) {
	for _, c := range jsYAMLCases {
		t.Run(c.name, func(t *testing.T) {
			docs, err := Parse("x.yaml", []byte(c.src), lockfiles.Limits{})
			if err != nil {
				t.Fatal(err)
			}
			err = Normalize("x.yaml", docs, PNPM, lockfiles.Limits{})
			if c.errLine != 0 {
				var pe *lockfiles.ParseError
				if !errors.As(err, &pe) || pe.Line != c.errLine || pe.Path != "x.yaml" {
					t.Fatalf("error %v, want one at x.yaml:%d", err, c.errLine)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if got := toJSON(docs[0]); got != c.want {
				t.Errorf("read %s\nwant %s (js-yaml)", got, c.want)
			}
		})
	}
}

func TestNormalizeRefusingConsumers(t *testing.T) {
	for _, c := range []struct {
		name     string
		consumer Consumer
		src      string
		errLine  int // 0: accepted
	}{
		{"github folds ASCII case", GitHubActions, "jobs:\n  a: {}\n  A: {}\n", 3},
		{"github keeps the Kelvin sign apart", GitHubActions, "env:\n  K: 1\n  \"\u212a\": 2\n", 0},
		{"github: 1 and '1' are one key", GitHubActions, "env:\n  1: a\n  '1': b\n", 3},
		{"github refuses a merge", GitHubActions, "x: &x {a: 1}\ny:\n  <<: *x\n", 3},
		{"github: << naming a string is a key", GitHubActions, "env:\n  <<: x\n", 0},
		{"pub: 1 and '1' are two keys", Pub, "m:\n  1: a\n  '1': b\n", 0},
		{"pub: a and a are one", Pub, "m:\n  a: 1\n  b: 2\n  a: 3\n", 4},
		{"pub: case matters", Pub, "m:\n  a: 1\n  A: 2\n", 0},
		{"pub refuses a merge", Pub, "m:\n  <<: {a: 1}\n", 2},
		{"large mapping", Pub, "m:\n" + strings.Repeat("", 0) + manyKeys(20) + "  k3: again\n", 22},
		{"non-scalar keys are never compared", Pub, "m:\n  ? [a]\n  : 1\n  ? [a]\n  : 2\n", 0},
	} {
		t.Run(c.name, func(t *testing.T) {
			for _, fast := range []bool{false, true} {
				docs, err := Parse("x.yaml", []byte(c.src), lockfiles.Limits{})
				if fast {
					var ok bool
					if docs, ok = FastParse([]byte(c.src), lockfiles.Limits{}, nil); !ok {
						continue
					}
				}
				if err != nil {
					t.Fatal(err)
				}
				err = Normalize("x.yaml", docs, c.consumer, lockfiles.Limits{})
				var pe *lockfiles.ParseError
				switch {
				case c.errLine == 0 && err != nil:
					t.Errorf("fast=%v: %v, want it read", fast, err)
				case c.errLine != 0 && (!errors.As(err, &pe) || pe.Line != c.errLine):
					t.Errorf("fast=%v: error %v, want one at line %d", fast, err, c.errLine)
				}
			}
		})
	}
}

func manyKeys(n int) string {
	var b strings.Builder
	for i := range n {
		b.WriteString("  k" + itoa(i) + ": v\n")
	}
	return b.String()
}

func TestNormalizeMergeBudget(t *testing.T) {
	// A wide anchor merged into many mappings copies their product.
	var b strings.Builder
	b.WriteString("w: &w {")
	for i := range 200 {
		if i > 0 {
			b.WriteString(", ")
		}
		b.WriteString("k" + itoa(i) + ": 1")
	}
	b.WriteString("}\n")
	for i := range 100 {
		b.WriteString("m" + itoa(i) + ": {<<: *w}\n")
	}
	docs, err := Parse("x.yaml", []byte(b.String()), lockfiles.Limits{})
	if err != nil {
		t.Fatal(err)
	}
	err = Normalize("x.yaml", docs, PNPM, lockfiles.Limits{MaxPackages: 10000})
	if !errors.Is(err, lockfiles.ErrLimit) {
		t.Fatalf("20000 merged pairs under a limit of 10000: %v", err)
	}
	docs, _ = Parse("x.yaml", []byte(b.String()), lockfiles.Limits{})
	if err := Normalize("x.yaml", docs, PNPM, lockfiles.Limits{MaxPackages: 20000}); err != nil {
		t.Fatalf("20000 merged pairs under a limit of 20000: %v", err)
	}
}

func FuzzNormalize(f *testing.F) {
	for _, c := range jsYAMLCases {
		f.Add([]byte(c.src))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		for _, c := range []Consumer{PNPM, GitHubActions, Pub} {
			docs, err := Parse("x.yaml", data, lockfiles.Limits{})
			if err != nil {
				return
			}
			if err := Normalize("x.yaml", docs, c, lockfiles.Limits{}); err != nil {
				var pe *lockfiles.ParseError
				if !errors.As(err, &pe) || pe.Path != "x.yaml" {
					t.Fatalf("%s: error %v is not a ParseError naming the file", c.Name, err)
				}
				continue
			}
			if c.ExpandMerge {
				// Nothing merge-shaped is left, and no key repeats.
				var check func(n *yaml.Node, depth int)
				check = func(n *yaml.Node, depth int) {
					n = Resolve(n)
					if n == nil || depth > 300 {
						return
					}
					if n.Kind == yaml.MappingNode {
						seen := map[string]bool{}
						for i := 0; i+1 < len(n.Content); i += 2 {
							k := n.Content[i]
							if isMergeKey(k) {
								t.Fatalf("merge key left at line %d", k.Line)
							}
							if k.Kind == yaml.ScalarNode {
								if seen[k.Value] {
									t.Fatalf("key %q twice after Normalize", k.Value)
								}
								seen[k.Value] = true
							}
						}
					}
					for _, ch := range n.Content {
						check(ch, depth+1)
					}
				}
				for _, d := range docs {
					check(d, 0)
				}
			}
		}
	})
}
