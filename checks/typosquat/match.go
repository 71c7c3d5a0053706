package typosquat

import (
	"cmp"
	"fmt"
	"hash/maphash"
	"iter"
	"slices"
	"strings"

	"github.com/tollgate-dev/tollgate/lockfiles"
)

// Limits of the name comparison.
const (
	// minKey is the shortest key compared at all: shorter names have too
	// many one-letter neighbours to call any of them a squat.
	minKey = 4
	// minEditTarget is the shortest target key an edit is measured against.
	minEditTarget = 5
	// twoEditKey is the key length from which two edits are allowed, for
	// the most popular targets only (rankTight).
	twoEditKey = 12
)

// Match is a popular (or already used) name a candidate imitates.
type Match struct {
	// Target is the imitated name, as its list spells it.
	Target string
	// Rank is the target's place in the snapshot (1 = most popular), 0 for
	// a target that is one of the repository's own dependencies.
	Rank int
	// Kind says in words how the names differ.
	Kind string
	// Confident marks confusions no honest name makes: look-alike letters,
	// separators or affixes only, a swapped or repeated letter, a changed
	// owner of the same repository.
	Confident bool
	// Distance is the edit distance between the two keys (0 for a key match).
	Distance int
	// maxRank is the least popular target this kind of confusion is
	// reported for: honest names one letter from a name ranked 3,000 are
	// common, look-alike letters never are.
	maxRank int
}

// Ranks up to which each kind of confusion is reported. Measured on the
// benign names of the shared popular lists beyond the snapshot (see
// eval_test.go): the looser a kind, the more popular its target must be.
const (
	anyRank      = 1 << 30
	rankTight    = 100
	rankMedium   = 300
	rankWide     = 1000
	rankSeverity = 1000 // confident matches of targets up to here are high
)

// keyRanks are the target ranks up to which separator and affix changes are
// reported, per ecosystem. npm's list holds only packages with a million
// weekly downloads or more, and its old separator habits were folded into
// the scope rule (migrationPair), so it goes deeper; elsewhere an affix is
// how honest wrappers are named (kafka and kafka-python, ulid and
// python-ulid) and only the most popular targets are judged.
var keyRanks = map[string]struct{ separators, affix int }{
	lockfiles.EcosystemNPM: {3000, 3000},
}

func separatorRank(eco string) int {
	if r, ok := keyRanks[eco]; ok {
		return r.separators
	}
	return rankWide
}

func affixRank(eco string) int {
	if r, ok := keyRanks[eco]; ok {
		return r.affix
	}
	return rankMedium
}

// migrationPair reports whether a and b are one npm project's unscoped
// and scoped names (babel-preset-env and @babel/preset-env,
// esbuild-linux-arm64 and @esbuild/linux-arm64): the move to scopes, not a
// squat.
func migrationPair(eco, a, b string) bool {
	if eco != lockfiles.EcosystemNPM {
		return false
	}
	a, b = strings.ToLower(a), strings.ToLower(b)
	if strings.HasPrefix(b, "@") {
		a, b = b, a
	}
	if !strings.HasPrefix(a, "@") || strings.HasPrefix(b, "@") {
		return false
	}
	scope, rest, ok := strings.Cut(a[1:], "/")
	return ok && (b == scope+"-"+rest || strings.HasPrefix(b, scope+"-") && strings.HasSuffix(b, rest))
}

// index holds one ecosystem's names for lookups.
type index struct {
	eco     string
	names   []string
	keys    []string
	popular map[string]bool  // folded names (Go: without /vN)
	byKey   map[string]int32 // key -> most popular name with it
	byWords map[string]int32 // sorted words -> name
	// dels pairs the hash of each deletion variant of each key with its
	// name, sorted by hash: a sorted slice rather than a map of slices,
	// which cost 50,000 small allocations for npm's 5,000 names. A lookup's
	// candidates are then checked by edit distance, so a collision costs
	// nothing but a comparison.
	dels     []deletion
	delStart map[uint64]int32 // hash -> its first pair in dels
	seed     maphash.Seed
	byRest   map[string][]int32 // key of the owned part's rest -> names
	long     []int32            // targets two edits are measured against
}

func newIndex(eco string, names []string) *index {
	ix := &index{eco: eco, names: names, keys: make([]string, len(names)),
		popular: make(map[string]bool, len(names)), byKey: make(map[string]int32, len(names)),
		byWords: map[string]int32{}, dels: make([]deletion, 0, 10*len(names)), seed: maphash.MakeSeed(), byRest: map[string][]int32{}}
	for i, n := range names {
		id := int32(i)
		f := fold(eco, n)
		ix.popular[f] = true
		if eco == lockfiles.EcosystemGo {
			ix.popular[goPath(f)] = true
		}
		k := key(eco, n)
		ix.keys[i] = k
		for _, kk := range []string{k, sepKey(eco, n)} {
			if _, ok := ix.byKey[kk]; !ok {
				ix.byKey[kk] = id
			}
		}
		if w := words(f); len(w) >= 2 {
			slices.Sort(w)
			wk := strings.Join(w, " ")
			if _, ok := ix.byWords[wk]; !ok {
				ix.byWords[wk] = id
			}
		}
		if _, rest, ok := owned(eco, n); ok {
			rk := key(eco, rest)
			ix.byRest[rk] = append(ix.byRest[rk], id)
		}
		if runeLen(k) >= minEditTarget {
			for d := range ix.deletionHashes(k) {
				ix.dels = append(ix.dels, deletion{d, id})
			}
			if i < rankTight && runeLen(k) >= twoEditKey {
				ix.long = append(ix.long, id)
			}
		}
	}
	slices.SortFunc(ix.dels, func(a, b deletion) int {
		if c := cmp.Compare(a.hash, b.hash); c != 0 {
			return c
		}
		return cmp.Compare(a.id, b.id)
	})
	ix.dels = slices.Compact(ix.dels)
	ix.delStart = make(map[uint64]int32, len(ix.dels))
	for i := len(ix.dels) - 1; i >= 0; i-- {
		ix.delStart[ix.dels[i].hash] = int32(i)
	}
	return ix
}

// deletion is one deletion variant's hash and the name whose key it is of.
type deletion struct {
	hash uint64
	id   int32
}

// withDeletion calls fn for each name one of whose key's deletion variants
// hashes to h.
func (ix *index) withDeletion(h uint64, fn func(id int32)) {
	i, ok := ix.delStart[h]
	if !ok {
		return
	}
	for ; int(i) < len(ix.dels) && ix.dels[i].hash == h; i++ {
		fn(ix.dels[i].id)
	}
}

// deletions returns k and every distinct string made by deleting one of
// its characters (the symmetric-delete trick: two strings one edit apart
// share a deletion variant). deletionHashes calls it for keys with
// non-ASCII letters only; ASCII keys' variants are hashed without being
// built.
func deletions(k string) []string {
	r := []rune(k)
	out := []string{k}
	seen := map[string]bool{k: true}
	for i := range r {
		if d := string(r[:i]) + string(r[i+1:]); !seen[d] {
			seen[d] = true
			out = append(out, d)
		}
	}
	return out
}

// deletionHashes yields the hashes of k's one-deletion variants (and of k),
// as deletions(k, 1) would list them, without building the strings for an
// ASCII key: the index of 5,000 names was 48 ms and 157,000 allocations a
// scan when every variant was a string map key. A collision only adds a
// candidate, which the edit distance then rejects.
func (ix *index) deletionHashes(k string) iter.Seq[uint64] {
	return func(yield func(uint64) bool) {
		if !isASCII(k) {
			for _, d := range deletions(k) {
				if !yield(maphash.String(ix.seed, d)) {
					return
				}
			}
			return
		}
		if !yield(maphash.String(ix.seed, k)) {
			return
		}
		var h maphash.Hash
		h.SetSeed(ix.seed)
		for i := range len(k) {
			if i > 0 && k[i] == k[i-1] {
				continue // deleting either of a doubled letter gives one string
			}
			h.Reset()
			h.WriteString(k[:i])
			h.WriteString(k[i+1:])
			if !yield(h.Sum64()) {
				return
			}
		}
	}
}

func isASCII(s string) bool {
	for i := range len(s) {
		if s[i] >= 0x80 {
			return false
		}
	}
	return true
}

// Popular reports whether name is in the index (then it is never a squat).
func (ix *index) Popular(name string) bool {
	f := fold(ix.eco, name)
	if ix.popular[f] {
		return true
	}
	return ix.eco == lockfiles.EcosystemGo && ix.popular[goPath(f)]
}

// Match returns the most popular name that name imitates, or nil.
func (ix *index) Match(name string) *Match {
	if ix.Popular(name) {
		return nil
	}
	owner, rest, hasOwner := owned(ix.eco, name)
	var best *Match
	consider := func(id int32, m Match) {
		t := ix.names[id]
		if hasOwner {
			if to, _, ok := owned(ix.eco, t); ok && to == owner {
				return // the same owner publishes both
			}
		}
		if migrationPair(ix.eco, name, t) {
			return
		}
		m.Target, m.Rank = t, int(id)+1
		if m.maxRank > 0 && m.Rank > m.maxRank {
			return
		}
		if best == nil || m.Rank < best.Rank || (m.Rank == best.Rank && m.Distance < best.Distance) {
			best = &m
		}
	}
	if hasOwner {
		ix.matchOwner(owner, rest, consider)
	}
	if hostedRepo(ix.eco, hasOwner) {
		// A GitHub Action or a github.com module: only someone else's
		// account can imitate it; the owner rule above is the whole test.
		return best
	}
	k := key(ix.eco, name)
	if runeLen(k) < minKey {
		return best
	}
	for _, kk := range []string{k, sepKey(ix.eco, name)} {
		if id, ok := ix.byKey[kk]; ok {
			kind, maxRank := keyKind(ix.eco, name, ix.names[id])
			consider(id, Match{Kind: kind, Confident: true, maxRank: maxRank})
		}
	}
	if v := visual(name); v != name {
		if vk := key(ix.eco, v); vk != k {
			if id, ok := ix.byKey[vk]; ok {
				consider(id, Match{Kind: "look-alike characters imitating " + quote(ix.names[id]), Confident: true, maxRank: anyRank})
			}
		}
	}
	if w := words(fold(ix.eco, name)); len(w) >= 2 {
		slices.Sort(w)
		if id, ok := ix.byWords[strings.Join(w, " ")]; ok {
			consider(id, Match{Kind: "the words of " + quote(ix.names[id]) + " reordered", Confident: true, maxRank: rankWide})
		}
	}
	if base := strings.TrimRight(k, "0123456789"); base != k && runeLen(base) >= minEditTarget {
		if id, ok := ix.byKey[base]; ok {
			consider(id, Match{Kind: "a number appended to " + quote(ix.names[id]), Distance: len(k) - len(base), maxRank: rankMedium})
		}
	}
	ix.matchEdits(k, consider)
	return best
}

// hostedRepo reports whether names of eco with an owner are repository
// paths on a code host (only the host's account owner can publish there).
func hostedRepo(eco string, hasOwner bool) bool {
	return hasOwner && (eco == lockfiles.EcosystemGitHubActions || eco == lockfiles.EcosystemGo)
}

// matchOwner finds targets whose owned part is the same but whose owner is
// within one edit (or one affix, or look-alike letters) of name's owner.
func (ix *index) matchOwner(owner, rest string, consider func(int32, Match)) {
	// npm scopes are organisations that honestly carry affixes (@swc and
	// @swc-node); repository owners on a code host imitate with them
	// (boltdb and boltdb-go).
	ownerKey := key
	if ix.eco == lockfiles.EcosystemNPM {
		ownerKey = sepKey
	}
	ok := ownerKey(ix.eco, owner)
	for _, id := range ix.byRest[key(ix.eco, rest)] {
		to, _, _ := owned(ix.eco, ix.names[id])
		if to == owner {
			continue
		}
		tk := ownerKey(ix.eco, to)
		switch {
		case tk == ok:
			consider(id, Match{Kind: fmt.Sprintf("the owner %s imitates %s", quote(owner), quote(to)), Confident: true, maxRank: anyRank})
		case runeLen(tk) >= minKey && runeLen(ok) >= minKey-1:
			if d := distance(ok, tk, 1); d == 1 {
				consider(id, Match{Kind: fmt.Sprintf("the owner %s is %s from %s", quote(owner), editKind(ok, tk), quote(to)), Confident: true, Distance: 1, maxRank: anyRank})
			}
		}
	}
}

// matchEdits finds targets whose key is one edit from k (through the
// shared deletion variants), and, for long keys, the most popular targets
// two edits away.
func (ix *index) matchEdits(k string, consider func(int32, Match)) {
	seen := map[int32]bool{}
	for d := range ix.deletionHashes(k) {
		ix.withDeletion(d, func(id int32) {
			if seen[id] {
				return
			}
			seen[id] = true
			tk := ix.keys[id]
			if tk == k || digitsOnly(k, tk) || distance(k, tk, 1) != 1 {
				return
			}
			kind, class := classify(k, tk)
			m := Match{Distance: 1, Kind: kind + " from " + quote(ix.names[id])}
			switch class {
			case editSwap, editRepeat:
				m.Confident, m.maxRank = true, anyRank
			case editKeyboard:
				m.maxRank = rankWide
			default:
				m.maxRank = rankTight
			}
			consider(id, m)
		})
	}
	if runeLen(k) < twoEditKey {
		return
	}
	for _, id := range ix.long {
		if seen[id] {
			continue
		}
		tk := ix.keys[id]
		if tk != k && !digitsOnly(k, tk) && distance(k, tk, 2) == 2 {
			consider(id, Match{Distance: 2, Kind: "two characters from " + quote(ix.names[id]), maxRank: rankTight})
		}
	}
}

// digitsOnly reports whether a and b differ only in digits (vue2 and vue3,
// es5-shim and es6-shim: versions, not squats).
func digitsOnly(a, b string) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range len(a) {
		if a[i] != b[i] && !(isDigit(a[i]) && isDigit(b[i])) {
			return false
		}
	}
	return true
}

func isDigit(c byte) bool { return '0' <= c && c <= '9' }

// keyKind says how two names with one key differ, and up to which target
// rank that is reported.
func keyKind(eco, name, target string) (string, int) {
	switch {
	case hasConfusable(name):
		return "look-alike letters (Cyrillic or Greek) imitating " + quote(target), anyRank
	case strings.EqualFold(name, target):
		return "the case of " + quote(target) + " changed", anyRank
	case strings.Map(dropSep, strings.ToLower(name)) == strings.Map(dropSep, strings.ToLower(target)):
		return "the separators of " + quote(target) + " changed", separatorRank(eco)
	}
	return "an affix added to or removed from " + quote(target), affixRank(eco)
}

// sepKey is the key without affixes stripped: "rustdecimal" and
// "rust_decimal" differ only in a separator, though the affix rule strips
// "rust-" from one of them.
func sepKey(eco, name string) string {
	return strings.Map(dropSep, skeleton(fold(eco, name)))
}

func dropSep(r rune) rune {
	if isSep(r) {
		return -1
	}
	return r
}

// editClass sorts one-character edits by how typo-like they are.
type editClass int

const (
	editOther    editClass = iota
	editKeyboard           // a neighbouring key typed instead, or as well
	editSwap               // two adjacent letters swapped
	editRepeat             // a letter doubled or undoubled
)

// classify names the one edit that turns a into b, and its class.
func classify(a, b string) (string, editClass) {
	kind := editKind(a, b)
	ra, rb := []rune(a), []rune(b)
	i := 0
	for i < len(ra) && i < len(rb) && ra[i] == rb[i] {
		i++
	}
	switch {
	case strings.HasPrefix(kind, "two adjacent"):
		return kind, editSwap
	case strings.HasPrefix(kind, "a repeated"):
		return kind, editRepeat
	case len(ra) == len(rb) && adjacentKeys(ra[i], rb[i]):
		return kind, editKeyboard
	case len(ra) == len(rb)+1 && ((i > 0 && adjacentKeys(ra[i], ra[i-1])) || (i+1 < len(ra) && adjacentKeys(ra[i], ra[i+1]))):
		return kind, editKeyboard
	}
	// One letter of a doubled pair left out ("mattplotlib" -> "matplotlib"
	// read backwards) is a repeat in the other direction.
	if len(rb) == len(ra)+1 && ((i > 0 && rb[i] == rb[i-1]) || (i+1 < len(rb) && rb[i] == rb[i+1])) {
		return kind, editRepeat
	}
	return kind, editOther
}

// keyboard rows of a QWERTY keyboard, for neighbouring-key typos.
var keyboard = []string{"1234567890-", "qwertyuiop", "asdfghjkl", "zxcvbnm"}

// adjacentKeys reports whether a and b are neighbours on a QWERTY keyboard
// (same row, or the row above or below at an offset of zero or one).
func adjacentKeys(a, b rune) bool {
	pos := func(r rune) (int, int) {
		for row, keys := range keyboard {
			if col := strings.IndexRune(keys, r); col >= 0 {
				return row, col
			}
		}
		return -1, -1
	}
	ar, ac := pos(a)
	br, bc := pos(b)
	if ar < 0 || br < 0 || a == b {
		return false
	}
	switch ar - br {
	case 0:
		return ac-bc == 1 || bc-ac == 1
	case 1: // a is below b: the lower row is offset to the right
		return ac == bc || ac+1 == bc
	case -1:
		return bc == ac || bc+1 == ac
	}
	return false
}

// editKind names the one edit that turns a into b.
func editKind(a, b string) string {
	ra, rb := []rune(a), []rune(b)
	i := 0
	for i < len(ra) && i < len(rb) && ra[i] == rb[i] {
		i++
	}
	switch {
	case len(ra) == len(rb):
		if i+1 < len(ra) && ra[i] == rb[i+1] && ra[i+1] == rb[i] {
			return "two adjacent letters swapped"
		}
		return fmt.Sprintf("one character changed (%c for %c)", ra[i], rb[i])
	case len(ra) == len(rb)+1:
		if (i > 0 && ra[i] == ra[i-1]) || (i+1 < len(ra) && ra[i] == ra[i+1]) {
			return "a repeated letter"
		}
		return fmt.Sprintf("one character added (%c)", ra[i])
	default:
		return fmt.Sprintf("one character left out (%c)", rb[i])
	}
}

// distance is the optimal-string-alignment edit distance of a and b
// (insertions, deletions, substitutions, adjacent transpositions), or
// limit+1 when it exceeds limit.
func distance(a, b string, limit int) int {
	ra, rb := []rune(a), []rune(b)
	if d := len(ra) - len(rb); d > limit || -d > limit {
		return limit + 1
	}
	prev2 := make([]int, len(rb)+1)
	prev := make([]int, len(rb)+1)
	cur := make([]int, len(rb)+1)
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(ra); i++ {
		cur[0] = i
		rowMin := cur[0]
		for j := 1; j <= len(rb); j++ {
			cost := 1
			if ra[i-1] == rb[j-1] {
				cost = 0
			}
			v := min(prev[j]+1, cur[j-1]+1, prev[j-1]+cost)
			if i > 1 && j > 1 && ra[i-1] == rb[j-2] && ra[i-2] == rb[j-1] {
				v = min(v, prev2[j-2]+1)
			}
			cur[j] = v
			rowMin = min(rowMin, v)
		}
		if rowMin > limit {
			return limit + 1
		}
		prev2, prev, cur = prev, cur, prev2
	}
	return prev[len(rb)]
}

// quote writes a name for a message.
func quote(s string) string { return "`" + s + "`" }
