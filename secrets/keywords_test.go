package secrets

import (
	"math/rand/v2"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	aho "github.com/petar-dambovaliev/aho-corasick"

	"github.com/tollgate-dev/tollgate/internal/shareddata"
)

// builtinKeywords are the distinct lowercased keywords of the built-in rules,
// in the engine's order.
func builtinKeywords() []string {
	seen := map[string]bool{}
	var out []string
	for _, r := range Builtin() {
		for _, k := range r.Keywords {
			k = strings.ToLower(k)
			if !seen[k] {
				seen[k] = true
				out = append(out, k)
			}
		}
	}
	return out
}

type keywordHit struct{ keyword, start int }

func automatonHits(a *keywordAutomaton, data []byte) []keywordHit {
	var out []keywordHit
	for k, p := range a.hits(data) {
		out = append(out, keywordHit{k, p})
	}
	return out
}

// libraryAutomaton builds petar-dambovaliev/aho-corasick's automaton with the
// options the engine used.
func libraryAutomaton(keywords []string) aho.AhoCorasick {
	b := aho.NewAhoCorasickBuilder(aho.Opts{AsciiCaseInsensitive: true, MatchKind: aho.StandardMatch, DFA: true})
	return b.Build(keywords)
}

// libraryHits are the hits of petar-dambovaliev/aho-corasick, which the
// engine used before keywordAutomaton.
func libraryHits(ac aho.AhoCorasick, data []byte) []keywordHit {
	var out []keywordHit
	it := ac.IterOverlappingByte(data)
	for m := it.Next(); m != nil; m = it.Next() {
		out = append(out, keywordHit{m.Pattern(), m.Start()})
	}
	return out
}

// randomText mixes keywords in random case, pieces of them and random bytes.
func randomText(rng *rand.Rand, keywords []string, n int) []byte {
	var b []byte
	for len(b) < n {
		switch rng.IntN(4) {
		case 0:
			k := []byte(keywords[rng.IntN(len(keywords))])
			for i := range k {
				if rng.IntN(2) == 0 && 'a' <= k[i] && k[i] <= 'z' {
					k[i] -= 'a' - 'A'
				}
			}
			b = append(b, k...)
		case 1:
			k := keywords[rng.IntN(len(keywords))]
			b = append(b, k[:rng.IntN(len(k))]...)
		case 2:
			b = append(b, byte(rng.IntN(256)))
		default:
			b = append(b, " =:\n\"_-"[rng.IntN(7)])
		}
	}
	return b
}

// TestKeywordAutomatonMatchesLibrary: the same hits, in the same order, as
// the library the engine used before, on the built-in keywords.
func TestKeywordAutomatonMatchesLibrary(t *testing.T) {
	keywords := builtinKeywords()
	a, err := newKeywordAutomaton(keywords)
	if err != nil {
		t.Fatal(err)
	}
	lib := libraryAutomaton(keywords)
	rng := rand.New(rand.NewPCG(1, 2))
	inputs := [][]byte{nil, []byte("x"), []byte("GHP_ghp_GhP_"), []byte(strings.Repeat("aaaa", 100))}
	for range 50 {
		inputs = append(inputs, randomText(rng, keywords, 4000))
	}
	// The package's own source: the rule tables are full of keywords.
	if p, err := filepath.Glob("*.go"); err == nil {
		for _, f := range p {
			if data, err := os.ReadFile(f); err == nil {
				inputs = append(inputs, data)
			}
		}
	}
	for i, in := range inputs {
		got, want := automatonHits(a, in), libraryHits(lib, in)
		if !slices.Equal(got, want) {
			t.Fatalf("input %d (%d bytes): %d hits, library %d; first difference at %d", i, len(in), len(got), len(want), firstDiff(got, want))
		}
	}
}

// TestKeywordAutomatonRealLockfile compares the two on the largest pnpm
// lockfile of the shared corpus.
func TestKeywordAutomatonRealLockfile(t *testing.T) {
	data, err := os.ReadFile(shareddata.Path(t, "lockfiles", "pnpm-lock-yaml", "TanStack-router", "pnpm-lock.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	keywords := builtinKeywords()
	a, err := newKeywordAutomaton(keywords)
	if err != nil {
		t.Fatal(err)
	}
	got, want := automatonHits(a, data), libraryHits(libraryAutomaton(keywords), data)
	if !slices.Equal(got, want) {
		t.Fatalf("%d hits, library %d; first difference at %d", len(got), len(want), firstDiff(got, want))
	}
}

func firstDiff(a, b []keywordHit) int {
	for i := range min(len(a), len(b)) {
		if a[i] != b[i] {
			return i
		}
	}
	return min(len(a), len(b))
}

func TestKeywordAutomatonSmall(t *testing.T) {
	a, err := newKeywordAutomaton([]string{"he", "she", "his", "hers", "s-"})
	if err != nil {
		t.Fatal(err)
	}
	got := automatonHits(a, []byte("uSHERS-his"))
	want := []keywordHit{{1, 1}, {0, 2}, {3, 2}, {4, 5}, {2, 7}}
	if !slices.Equal(got, want) {
		t.Errorf("hits = %v, want %v", got, want)
	}
	if _, err := newKeywordAutomaton([]string{"a", ""}); err == nil {
		t.Error("empty keyword accepted")
	}
}

// FuzzKeywordAutomaton compares the automaton with the library on any input,
// over the built-in keywords and over short keyword sets taken from it.
func FuzzKeywordAutomaton(f *testing.F) {
	f.Add([]byte("ghp_xoxb-AKIA sk-ant- hf_"), "ab,abc,bc")
	f.Add([]byte("aaaaaaa"), "a,aa,aaa")
	builtin := builtinKeywords()
	full, err := newKeywordAutomaton(builtin)
	if err != nil {
		f.Fatal(err)
	}
	fullLib := libraryAutomaton(builtin)
	f.Fuzz(func(t *testing.T, data []byte, set string) {
		if got, want := automatonHits(full, data), libraryHits(fullLib, data); !slices.Equal(got, want) {
			t.Fatalf("built-in keywords: %v, library %v", got, want)
		}
		var keywords []string
		for _, k := range strings.Split(set, ",") {
			if k != "" && !slices.Contains(keywords, k) {
				keywords = append(keywords, k)
			}
		}
		if len(keywords) == 0 {
			return
		}
		a, err := newKeywordAutomaton(keywords)
		if err != nil {
			t.Fatal(err)
		}
		if got, want := automatonHits(a, data), libraryHits(libraryAutomaton(keywords), data); !slices.Equal(got, want) {
			t.Fatalf("keywords %q: %v, library %v", keywords, got, want)
		}
	})
}
