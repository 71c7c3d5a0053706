package typosquat

import (
	"cmp"
	"math"
	"slices"
	"strings"
	"unicode"

	"github.com/tollgate-dev/tollgate/checks/typosquat/popular"
	"github.com/tollgate-dev/tollgate/lockfiles"
)

// maxVariantsPerName bounds the registry lookups of one name's variants in
// mid-tail discovery: the confident inversions (look-alike letters,
// separators changed, dropped or inserted between known words, reordered
// words, an affix removed, a repeated letter undoubled) come first and are
// all asked for when there are at most this many; the likeliest
// one-character edits fill the rest. Twelve covers the confident
// inversions of every one of the ~33,000 benign npm, RubyGems and crates.io
// names measured (TestVariantsAmongBenignNames), so the limit cuts only
// unusual names, and says so.
const maxVariantsPerName = 12

// variant is a name a candidate may imitate: the candidate with one squat
// transformation undone.
type variant struct {
	// Name is the target name to ask the registry about.
	Name string
	// Kind says how the candidate differs from it, with %s for the quoted
	// target ("two adjacent letters swapped from %s").
	Kind string
	// confident marks the inversions of confusions no honest name makes;
	// the one-character edits that fill the rest are not.
	confident bool
	score     float64
}

// Classes of one-character edits, with the prior added to the character
// model's gain: a swapped or repeated letter is the commonest typo (and a
// squat's favourite), a neighbouring key next.
var editPrior = map[string]float64{
	"swap":   0.6,
	"double": 0.4,
	"key":    0.2,
}

// variantGen makes the ranked variants of names. Its character model,
// learnt from the popularity snapshot's names (trigrams interpolated with
// bigrams and single characters), ranks one-character edits by how much
// more like a real package name they make the candidate: "reqeusts" becomes
// "requests" (q is followed by u), not "rqeeusts". Its words, the parts of
// the snapshot's names between separators, say where a name without
// separators may be split ("crossenv": cross-env).
type variantGen struct {
	uni   [alphabet]float32
	bi    [alphabet][alphabet]float32
	tri   [alphabet][alphabet][alphabet]float32
	words map[string]bool
}

// The character model's alphabet: a-z, 0-9, one separator class, any other
// character, and the start or end of a name.
const (
	symSep   = 36
	symOther = 37
	symEdge  = 38
	alphabet = 39
)

func symbol(r rune) int {
	switch {
	case r >= 'a' && r <= 'z':
		return int(r - 'a')
	case r >= 'A' && r <= 'Z':
		return int(r - 'A')
	case r >= '0' && r <= '9':
		return 26 + int(r-'0')
	case isSep(r):
		return symSep
	}
	return symOther
}

// Interpolation weights of the character model (trigram, bigram, single
// character), the usual shape for short strings.
const (
	weightTri = 0.6
	weightBi  = 0.3
	weightUni = 0.1
)

// newVariantGen learns the character model from every name of the first
// snapshot, and the words from all of them.
func newVariantGen(snaps ...*popular.Snapshot) *variantGen {
	g := &variantGen{words: map[string]bool{}}
	var c1 [alphabet]float64
	var c2 [alphabet][alphabet]float64
	var c3 [alphabet][alphabet][alphabet]float64
	var total float64
	for i, snap := range snaps {
		for _, names := range snap.Names {
			for _, n := range names {
				for _, w := range strings.FieldsFunc(strings.ToLower(n), isSep) {
					if len(w) >= 2 {
						g.words[w] = true
					}
				}
				if i > 0 {
					continue
				}
				a, b := symEdge, symEdge
				for _, r := range n + "\x00" {
					c := symEdge
					if r != 0 {
						c = symbol(r)
					}
					c1[c]++
					c2[b][c]++
					c3[a][b][c]++
					total++
					a, b = b, c
				}
			}
		}
	}
	for a := range alphabet {
		g.uni[a] = float32((c1[a] + 1) / (total + alphabet))
		var row float64
		for b := range alphabet {
			row += c2[a][b]
		}
		for b := range alphabet {
			g.bi[a][b] = float32(c2[a][b] / max(row, 1))
			var pair float64
			for c := range alphabet {
				pair += c3[a][b][c]
			}
			for c := range alphabet {
				g.tri[a][b][c] = float32(c3[a][b][c] / max(pair, 1))
			}
		}
	}
	return g
}

// score is the mean log-probability of s's characters under the model:
// higher is more like a package name. The mean, not the sum, so that names
// of different lengths compare.
func (g *variantGen) score(s string) float64 {
	var sum float64
	n := 0
	a, b := symEdge, symEdge
	for _, r := range s + "\x00" {
		c := symEdge
		if r != 0 {
			c = symbol(r)
		}
		p := weightTri*g.tri[a][b][c] + weightBi*g.bi[b][c] + weightUni*g.uni[c]
		sum += math.Log(float64(p))
		n++
		a, b = b, c
	}
	return sum / float64(n)
}

// discoveryAffixes are the affixes undone per ecosystem: the matcher's
// (affixes), and RubyGems' own.
var discoveryAffixes = map[string]struct{ prefixes, suffixes []string }{
	lockfiles.EcosystemRubyGems: {prefixes: []string{"ruby-"}, suffixes: []string{"-ruby", "-rb", "_rb"}},
	lockfiles.EcosystemNuGet:    {suffixes: []string{".Net", ".NET", "Net"}},
	lockfiles.EcosystemNPM:      {suffixes: []string{"js"}},
}

// joiners are the separators an ecosystem joins words with, most usual
// first.
var joiners = map[string][]string{
	lockfiles.EcosystemNPM:       {"-"},
	lockfiles.EcosystemPyPI:      {"-"},
	lockfiles.EcosystemRubyGems:  {"_", "-"},
	lockfiles.EcosystemCrates:    {"_", "-"},
	lockfiles.EcosystemNuGet:     {"."},
	lockfiles.EcosystemPackagist: {"-"},
	lockfiles.EcosystemPub:       {"_"},
}

// Variants returns the names that name may imitate, most likely first, at
// most maxVariantsPerName, and how many confident inversions there were in
// all (more than maxVariantsPerName: some were not returned). Names folded
// like name by the ecosystem (PyPI's "a_b" and "a-b" are one project) are
// never variants: a name is not a squat of itself. For a scoped npm name
// only the scope is varied: under one scope, one owner publishes both names.
func (g *variantGen) Variants(eco, name string) (out []variant, confident int) {
	part, wrap := name, func(v string) string { return v }
	if eco == lockfiles.EcosystemNPM && strings.HasPrefix(name, "@") {
		scope, rest, ok := strings.Cut(name[1:], "/")
		if !ok || scope == "" || rest == "" {
			return nil, 0
		}
		part, wrap = scope, func(v string) string { return "@" + v + "/" + rest }
	}
	seen := map[string]bool{fold(eco, name): true}
	var sure, edits []variant
	add := func(list *[]variant, v, kind string, score float64) {
		if !validVariant(eco, v) || runeLen(strings.Map(dropSep, v)) < minKey {
			return
		}
		full := wrap(v)
		if f := fold(eco, full); !seen[f] {
			seen[f] = true
			*list = append(*list, variant{Name: full, Kind: kind, confident: list == &sure, score: score})
		}
	}
	g.sureVariants(eco, part, func(v, kind string) { add(&sure, v, kind, 0) })
	confident = len(sure)
	if len(sure) < maxVariantsPerName {
		// Look-alike letters and one typo together (Мircosоft): the edits
		// are made on the name as it reads.
		typed := skeleton(part)
		base := g.score(strings.ToLower(typed))
		oneEdits(typed, func(v, class, kind string) {
			add(&edits, v, kind, g.score(strings.ToLower(v))-base+editPrior[class])
		})
		slices.SortStableFunc(edits, func(a, b variant) int { return cmp.Compare(b.score, a.score) })
	}
	out = append(sure, edits...)
	if len(out) > maxVariantsPerName {
		out = out[:maxVariantsPerName]
	}
	return out, confident
}

// sureVariants calls add for each confident inversion of s, in order of
// confidence: look-alike letters mapped back, separators changed, dropped
// or inserted between two words of the snapshot's names, words reordered,
// an affix removed, a repeated letter undoubled. An appended number or
// plural "s", and one affix for another, are not undone: honest names do
// that (sqlite3, options, posthog-js beside posthog-node).
func (g *variantGen) sureVariants(eco, s string, add func(v, kind string)) {
	if v := skeleton(s); v != s {
		add(v, "look-alike letters (Cyrillic or Greek) imitating %s")
	}
	if v := visual(s); v != s {
		add(v, "look-alike characters imitating %s")
	}
	if strings.ContainsAny(s, "-_.") {
		seps := map[rune]bool{}
		for _, r := range s {
			if r == '-' || r == '_' || r == '.' {
				seps[r] = true
			}
		}
		for _, to := range []rune{'_', '-', '.'} {
			if len(seps) == 1 && seps[to] {
				continue
			}
			add(strings.Map(func(r rune) rune {
				if r == '-' || r == '_' || r == '.' {
					return to
				}
				return r
			}, s), "the separators of %s changed")
		}
		add(strings.Map(func(r rune) rune {
			if r == '-' || r == '_' || r == '.' {
				return -1
			}
			return r
		}, s), "separators added to %s")
		// Adjacent words swapped back: python-cos-sdk-v5, cos-python-sdk-v5.
		if w := strings.FieldsFunc(s, isSep); len(w) >= 2 && len(w) <= 4 {
			sep := string(s[len(w[0])])
			for i := 0; i+1 < len(w); i++ {
				v := slices.Clone(w)
				v[i], v[i+1] = v[i+1], v[i]
				add(strings.Join(v, sep), "the words of %s reordered")
			}
		}
	} else {
		// No separator: the squat may have dropped one (crossenv,
		// lazystatic). Split where both halves are words of the snapshot's
		// names, joined as the ecosystem joins words.
		lower := strings.ToLower(s)
		for i := 2; i+2 <= len(s); i++ {
			if g.words[lower[:i]] && g.words[lower[i:]] {
				for _, sep := range joiners[eco] {
					add(s[:i]+sep+s[i:], "the separators of %s changed")
				}
			}
		}
	}
	lower := strings.ToLower(s)
	if lower != s && eco == lockfiles.EcosystemRubyGems {
		add(lower, "the case of %s changed")
	}
	for _, list := range []map[string]struct{ prefixes, suffixes []string }{affixes, discoveryAffixes} {
		a := list[eco]
		for _, p := range a.prefixes {
			if strings.HasPrefix(lower, strings.ToLower(p)) && len(s) > len(p)+2 {
				add(s[len(p):], "an affix added to %s")
			}
		}
		for _, x := range a.suffixes {
			if strings.HasSuffix(s, x) && len(s) > len(x)+2 {
				add(s[:len(s)-len(x)], "an affix added to %s")
			}
		}
	}
	r := []rune(s)
	for i := 1; i < len(r); i++ {
		if r[i] == r[i-1] && unicode.IsLetter(r[i]) && (i+1 >= len(r) || r[i+1] != r[i]) {
			add(string(r[:i])+string(r[i+1:]), "a repeated letter in %s")
		}
	}
}

// Shortest names (letters and digits, separators not counted) whose
// one-character edits are asked about: honest short names one letter apart
// abound (cpio and clio, umask and imask).
const (
	minSwapKey = 6 // a swap or a pair's letter left out
	minKeyKey  = 7 // a neighbouring key
)

// oneEdits calls add for each one-character edit of s that undoes a typo:
// two adjacent letters swapped back, a letter doubled (the squat left one
// of a pair out), a neighbouring key replaced. Separators and digits are
// left alone (versions, not typos). A letter deleted (the squat added one)
// is not tried: an honest name is often another plus a letter (fuse and
// fuser, logger and loggerv), and the measurement on benign names showed
// it as the largest source of false alarms.
func oneEdits(s string, add func(v, class, kind string)) {
	r := []rune(s)
	letter := func(c rune) bool { return c < 0x80 && (c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z') }
	n := runeLen(strings.Map(dropSep, s))
	if n < minSwapKey {
		return
	}
	for i := 0; i+1 < len(r); i++ {
		if letter(r[i]) && letter(r[i+1]) && r[i] != r[i+1] {
			v := slices.Clone(r)
			v[i], v[i+1] = v[i+1], v[i]
			add(string(v), "swap", "two adjacent letters swapped from %s")
		}
	}
	for i := range r {
		if !letter(r[i]) || (i > 0 && r[i-1] == r[i]) || (i+1 < len(r) && r[i+1] == r[i]) {
			continue
		}
		add(string(r[:i+1])+string(r[i:]), "double", "one letter of a pair left out of %s")
	}
	if n < minKeyKey {
		return
	}
	for i := range r {
		if !letter(r[i]) {
			continue
		}
		lower := r[i] | 0x20
		for _, row := range keyboard {
			for _, k := range row {
				if k >= 'a' && k <= 'z' && k != lower && adjacentKeys(lower, k) {
					v := slices.Clone(r)
					v[i] = k
					if r[i] >= 'A' && r[i] <= 'Z' {
						v[i] = k - 0x20
					}
					add(string(v), "key", "one character changed ("+string(r[i])+" for "+string(v[i])+") from %s")
				}
			}
		}
	}
}

// validVariant reports whether v can be a package name of eco at all.
func validVariant(eco, v string) bool {
	if v == "" || !isASCII(v) {
		return false
	}
	for i := range len(v) {
		c := v[i]
		switch {
		case c >= 'a' && c <= 'z', c >= '0' && c <= '9', c == '-', c == '_', c == '.':
		case c >= 'A' && c <= 'Z':
			if eco == lockfiles.EcosystemNPM {
				return false // npm names are lower case
			}
		default:
			return false
		}
	}
	return !isSep(rune(v[0])) && !isSep(rune(v[len(v)-1]))
}
