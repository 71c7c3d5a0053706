// Package lockfilestest holds helpers shared by the lockfile parsers' tests:
// parsing a file from disk, checking hand-picked entries, and seeding fuzzers.
package lockfilestest

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"reflect"
	"testing"

	"github.com/tollgate-dev/tollgate/internal/shareddata"
	"github.com/tollgate-dev/tollgate/lockfiles"
	"github.com/tollgate-dev/tollgate/lockfiles/tomltree"
	yaml "go.yaml.in/yaml/v3"
)

// ParseFile parses the file at path on disk with p, with the file's directory
// as the FS root (so sibling files and includes resolve). It fails tb on error.
func ParseFile(tb testing.TB, p lockfiles.Parser, path string) []lockfiles.Package {
	tb.Helper()
	pkgs, err := TryParseFile(p, path)
	if err != nil {
		tb.Fatalf("parse %s: %v", path, err)
	}
	return pkgs
}

// TryParseFile is ParseFile returning the error instead of failing.
func TryParseFile(p lockfiles.Parser, path string) ([]lockfiles.Package, error) {
	dir, base := filepath.Split(path)
	if dir == "" {
		dir = "."
	}
	return lockfiles.ParseFile(context.Background(), os.DirFS(dir), base, p, lockfiles.Limits{})
}

// ParseBytes parses content as a file named name, with no FS for siblings.
func ParseBytes(p lockfiles.Parser, name string, content []byte) ([]lockfiles.Package, error) {
	return p.Parse(context.Background(), &lockfiles.Input{Path: name, Content: content, Limits: lockfiles.Limits{}.WithDefaults()})
}

// Want is a hand-checked entry expected among parsed packages. Zero-valued
// fields other than Name are not compared, except Version and Line, which
// are always compared.
type Want struct {
	Name, Version string
	Line          int
	Direct, Dev   *bool
	Source        *string
	Integrity     string
	PURL          string
}

// Bool returns a pointer to b, for Want fields.
func Bool(b bool) *bool { return &b }

// Str returns a pointer to s, for Want fields.
func Str(s string) *string { return &s }

// Check asserts that every want is among pkgs (matched by name, version and line).
func Check(tb testing.TB, pkgs []lockfiles.Package, wants []Want) {
	tb.Helper()
	for _, w := range wants {
		found := false
		for _, p := range pkgs {
			if p.Name != w.Name || p.Version != w.Version || p.Line != w.Line {
				continue
			}
			found = true
			if w.Direct != nil && p.Direct != *w.Direct {
				tb.Errorf("%s@%s line %d: direct = %v, want %v", w.Name, w.Version, w.Line, p.Direct, *w.Direct)
			}
			if w.Dev != nil && p.Dev != *w.Dev {
				tb.Errorf("%s@%s line %d: dev = %v, want %v", w.Name, w.Version, w.Line, p.Dev, *w.Dev)
			}
			if w.Source != nil && p.Source != *w.Source {
				tb.Errorf("%s@%s line %d: source = %q, want %q", w.Name, w.Version, w.Line, p.Source, *w.Source)
			}
			if w.Integrity != "" && p.Integrity != w.Integrity {
				tb.Errorf("%s@%s line %d: integrity = %q, want %q", w.Name, w.Version, w.Line, p.Integrity, w.Integrity)
			}
			if w.PURL != "" && p.PURL != w.PURL {
				tb.Errorf("%s@%s line %d: purl = %q, want %q", w.Name, w.Version, w.Line, p.PURL, w.PURL)
			}
			break
		}
		if !found {
			var near []lockfiles.Package
			for _, p := range pkgs {
				if p.Name == w.Name {
					near = append(near, p)
				}
			}
			tb.Errorf("no entry %s@%s at line %d; entries named %s: %+v", w.Name, w.Version, w.Line, w.Name, near)
		}
	}
}

// AssertParseError asserts err is a *lockfiles.ParseError naming path and, when
// line > 0, that line.
func AssertParseError(tb testing.TB, err error, path string, line int) {
	tb.Helper()
	var pe *lockfiles.ParseError
	if !errors.As(err, &pe) {
		tb.Fatalf("error %v (%T) is not a *lockfiles.ParseError", err, err)
	}
	if pe.Path != path {
		tb.Errorf("error names %q, want %q", pe.Path, path)
	}
	if line > 0 && pe.Line != line {
		tb.Errorf("error at line %d, want %d (%v)", pe.Line, line, err)
	}
}

// AddSeeds adds every file matching the globs to a fuzz corpus, skipping
// silently when none exist (the shared corpus may be absent).
func AddSeeds(f *testing.F, globs ...string) {
	f.Helper()
	for _, g := range globs {
		matches, _ := filepath.Glob(g)
		for _, m := range matches {
			data, err := os.ReadFile(m)
			if err == nil && len(data) < 256<<10 {
				f.Add(data)
			}
		}
	}
}

// BenchmarkParse benchmarks p on one file of the shared corpus
// (../shared/data/<elem...>), parsed under the name name; it skips cleanly when
// the corpus is absent.
func BenchmarkParse(b *testing.B, p lockfiles.Parser, name string, elem ...string) {
	b.Helper()
	data, err := os.ReadFile(shareddata.Path(b, elem...))
	if err != nil {
		b.Fatal(err)
	}
	b.SetBytes(int64(len(data)))
	b.ReportAllocs()
	for b.Loop() {
		if _, err := ParseBytes(p, name, data); err != nil {
			b.Fatal(err)
		}
	}
}

// CheckWellFormed fails tb for any package without a name or with a line
// below 1: what every parser must guarantee, fuzzed input included.
func CheckWellFormed(tb testing.TB, pkgs []lockfiles.Package) {
	tb.Helper()
	for _, p := range pkgs {
		if p.Name == "" || p.Line < 1 {
			tb.Fatalf("malformed package %+v", p)
		}
	}
}

// CheckMatch asserts p.Match for each path: true for the files the parser
// reads, false for the look-alikes it must leave alone.
func CheckMatch(tb testing.TB, p lockfiles.Parser, want map[string]bool) {
	tb.Helper()
	for path, w := range want {
		if got := p.Match(path); got != w {
			tb.Errorf("%s: Match(%q) = %v, want %v", p.Name(), path, got, w)
		}
	}
}

// Fixture is what one edge-case file must yield: an error at ErrLine (> 0),
// or Count packages including Wants.
type Fixture struct {
	Count   int
	ErrLine int
	Wants   []Want
}

// CheckFixtures parses every file of dir with p and checks it against its
// entry in cases; a file without an entry fails, so none goes unchecked.
func CheckFixtures(t *testing.T, p lockfiles.Parser, dir string, cases map[string]Fixture) {
	t.Helper()
	entries, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range entries {
		c, ok := cases[e.Name()]
		if !ok {
			t.Errorf("fixture %s has no expectation", e.Name())
			continue
		}
		t.Run(e.Name(), func(t *testing.T) {
			pkgs, err := TryParseFile(p, filepath.Join(dir, e.Name()))
			if c.ErrLine > 0 {
				AssertParseError(t, err, e.Name(), c.ErrLine)
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if len(pkgs) != c.Count {
				t.Errorf("got %d packages, want %d", len(pkgs), c.Count)
			}
			Check(t, pkgs, c.Wants)
		})
	}
}

// SameTOMLReadings asserts that, when tomltree's subset reader and fromTree
// accept data, they yield what the complete decoder (tomltree.Full) yields,
// header lines included. It reports whether the fast path accepted.
func SameTOMLReadings[T any](tb testing.TB, name string, data []byte, table string, fromTree func(*tomltree.Value) (T, []int, bool), count func(*T) int) bool {
	tb.Helper()
	in := &lockfiles.Input{Path: name, Content: data, Limits: lockfiles.Limits{}.WithDefaults()}
	root, ok := tomltree.Parse(data, in.Limits.MaxDepth)
	if !ok {
		return false
	}
	fast, fastLines, ok := fromTree(root)
	if !ok {
		return false
	}
	slow, slowLines, err := tomltree.Full(in, table, count)
	if err != nil {
		tb.Fatalf("fast path accepted what the full decoder rejects: %v", err)
	}
	if !reflect.DeepEqual(fast, slow) {
		tb.Fatalf("fast and full decoders differ:\nfast %+v\nslow %+v", fast, slow)
	}
	if !reflect.DeepEqual(fastLines, slowLines) {
		tb.Fatalf("header lines differ: fast %v, slow %v", fastLines, slowLines)
	}
	return true
}

// DiffYAML compares two YAML trees as the lockfile parsers read them (kind,
// value, line, number of children, null or not) and describes the first
// difference, or returns "" when they agree.
func DiffYAML(a, b *yaml.Node) string {
	return diffYAML(a, b, "$")
}

func diffYAML(a, b *yaml.Node, at string) string {
	if a == nil || b == nil {
		if a != b {
			return fmt.Sprintf("%s: %v vs %v", at, a, b)
		}
		return ""
	}
	if a.Kind != b.Kind || a.Value != b.Value || a.Line != b.Line || len(a.Content) != len(b.Content) {
		return fmt.Sprintf("%s: kind %v/%v value %q/%q line %d/%d children %d/%d",
			at, a.Kind, b.Kind, a.Value, b.Value, a.Line, b.Line, len(a.Content), len(b.Content))
	}
	if a.Kind == yaml.ScalarNode && (a.Tag == "!!null") != (b.Tag == "!!null") {
		return fmt.Sprintf("%s: tag %s/%s", at, a.Tag, b.Tag)
	}
	for i := range a.Content {
		if msg := diffYAML(a.Content[i], b.Content[i], fmt.Sprintf("%s/%d", at, i)); msg != "" {
			return msg
		}
	}
	return ""
}
