package yamltree

import (
	"errors"
	"strconv"
	"strings"
	"testing"

	"github.com/tollgate-dev/tollgate/lockfiles"
	yaml "go.yaml.in/yaml/v3"
)

func TestParseStream(t *testing.T) {
	src := "---\nfirst: 1\n---\nlockfileVersion: '9.0'\npackages:\n  a@1.0.0:\n    resolution: {integrity: sha512-x}\n"
	docs, err := Parse("pnpm-lock.yaml", []byte(src), lockfiles.Limits{})
	if err != nil {
		t.Fatal(err)
	}
	if len(docs) != 2 {
		t.Fatalf("documents = %d, want 2", len(docs))
	}
	if got := String(docs[1], "lockfileVersion"); got != "9.0" {
		t.Errorf("lockfileVersion = %q", got)
	}
	var keys []string
	var lines []int
	Pairs(Get(docs[1], "packages"), func(k, v *yaml.Node) {
		keys = append(keys, k.Value)
		lines = append(lines, k.Line)
		if String(Get(v, "resolution"), "integrity") != "sha512-x" {
			t.Errorf("integrity not found under %s", k.Value)
		}
	})
	if len(keys) != 1 || keys[0] != "a@1.0.0" || lines[0] != 6 {
		t.Errorf("keys %v at lines %v", keys, lines)
	}
}

func TestAliasesResolved(t *testing.T) {
	src := "base: &b {version: '1.0'}\nuse: *b\n"
	docs, err := Parse("x.yaml", []byte(src), lockfiles.Limits{})
	if err != nil {
		t.Fatal(err)
	}
	if got := String(Get(docs[0], "use"), "version"); got != "1.0" {
		t.Errorf("alias not resolved: %q", got)
	}
}

func TestLimits(t *testing.T) {
	// A "billion laughs" document: each level doubles the expansion.
	var sb strings.Builder
	sb.WriteString("a0: &a0 [x, x]\n")
	for i := 1; i < 40; i++ {
		sb.WriteString("a" + itoa(i) + ": &a" + itoa(i) + " [*a" + itoa(i-1) + ", *a" + itoa(i-1) + "]\n")
	}
	deep := strings.Repeat("[", 300) + strings.Repeat("]", 300) + "\n"
	var docs strings.Builder
	for i := 0; i < 20; i++ {
		docs.WriteString("---\na: 1\n")
	}
	tests := []struct {
		name, src string
		limits    lockfiles.Limits
		want      string
	}{
		{"aliases", sb.String(), lockfiles.Limits{}, "alias expansion"},
		{"depth", deep, lockfiles.Limits{}, "nesting deeper"},
		{"documents", docs.String(), lockfiles.Limits{}, "YAML documents"},
		{"small alias limit", "a: &a [1]\nb: [*a, *a, *a]\n", lockfiles.Limits{MaxYAMLAlias: 2}, "alias expansion"},
	}
	for _, tt := range tests {
		_, err := Parse("bomb.yaml", []byte(tt.src), tt.limits)
		if !errors.Is(err, lockfiles.ErrLimit) || !strings.Contains(err.Error(), tt.want) || !strings.Contains(err.Error(), "bomb.yaml") {
			t.Errorf("%s: got %v, want a limit error about %q naming the file", tt.name, err, tt.want)
		}
	}
	if _, err := Parse("ok.yaml", []byte("a: &a [1]\nb: [*a, *a, *a]\n"), lockfiles.Limits{MaxYAMLAlias: 3}); err != nil {
		t.Errorf("three aliases under a limit of three: %v", err)
	}
}

func TestSyntaxErrorLine(t *testing.T) {
	_, err := Parse("pubspec.lock", []byte("packages:\n  a:\n    version: \"1\n  b: [\n"), lockfiles.Limits{})
	var pe *lockfiles.ParseError
	if !errors.As(err, &pe) || pe.Path != "pubspec.lock" || pe.Line == 0 {
		t.Fatalf("got %v, want a ParseError naming the file with a line", err)
	}
}

func FuzzParseYAML(f *testing.F) {
	f.Add([]byte("a: &x [1, 2]\nb: *x\n"))
	f.Add([]byte("---\nlockfileVersion: 5.4\n---\n- 1\n"))
	f.Fuzz(func(t *testing.T, data []byte) {
		docs, err := Parse("f.yaml", data, lockfiles.Limits{})
		if err != nil {
			var pe *lockfiles.ParseError
			if !errors.As(err, &pe) {
				t.Fatalf("error %T is not a ParseError", err)
			}
			return
		}
		for _, d := range docs {
			Pairs(d, func(k, v *yaml.Node) { _ = Describe(v) })
		}
	})
}

func itoa(i int) string { return strconv.Itoa(i) }
