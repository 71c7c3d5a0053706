package version

import (
	"errors"
	"strings"
	"unicode"
	"unicode/utf8"
)

// --- Maven: ComparableVersion (org.apache.maven.artifact.versioning, Maven 3.9) ---
//
// Written by hand after maven-3.9.x's ComparableVersion.java: the Go port
// github.com/masahiro331/go-mvn-version truncates numeric parts above int range
// (strconv.Atoi) and slices strings by rune index on non-ASCII input.
//
// A version is a list of items split on '.', '-' and digit/non-digit
// transitions. A '-', a digit→letter transition and (since MNG-7644) a
// letter→digit transition in a list that already has items each open a
// nested list, so "1.0.RC1" and "1.0-RC1" both read [1, [rc, [1]]]. Trailing
// null items (0, "", "ga", "final", "release", empty lists) are dropped from
// every list, innermost first. Items compare as
//
//	list vs list      item by item, a missing item being null
//	number vs number  numerically
//	string vs string  alpha < beta < milestone < rc = cr < snapshot < "" = ga =
//	                  final = release < sp < unknown (lexical)
//	string < list < number
//	x vs null         a number is > null unless 0; a string against ""; a
//	                  list by its first item that is not equal to null
//
// Like Maven's, this order is not transitive where a string and a sublist
// meet at one position: 1 < 1.sp.x < 1-alpha < 1 (TestMavenIntransitive).
//
// Where this differs from Java, on input no real version has: numbers compare
// by value alone (Java first ranks a number by its length once ASCII '0's
// are stripped, so an all-zero part of 10 or more digits such as
// "0000000000", or one padded with non-ASCII zeros, ranks above every
// shorter number); non-ASCII letters
// are lowercased with Go's simple case mapping (Java's toLowerCase turns "İ"
// into "i̇" and a word-final "Σ" into "ς"); bytes that are not UTF-8 read as
// U+FFFD, as they would once decoded for Java.

// maxMavenVersion bounds the work spent on one version string: real Maven
// versions are well under 100 bytes.
const maxMavenVersion = 256

type mavenKind uint8

const (
	mavenNumber mavenKind = iota
	mavenString
	mavenList
)

// mavenUnknown is the rank of a qualifier Maven does not know; unknown
// qualifiers order among themselves by their text.
const mavenUnknown = 7

// mavenRelease is the rank of "" (a release): the null string item.
const mavenRelease = 5

// mavenQualifierRank ranks a lowercased qualifier as StringItem.QUALIFIERS
// does after its aliases (ga, final, release → ""; cr → rc).
func mavenQualifierRank(q string) int {
	switch q {
	case "alpha":
		return 0
	case "beta":
		return 1
	case "milestone":
		return 2
	case "rc", "cr":
		return 3
	case "snapshot":
		return 4
	case "", "ga", "final", "release":
		return mavenRelease
	case "sp":
		return 6
	}
	return mavenUnknown
}

type mavenItem struct {
	kind mavenKind
	num  string // mavenNumber: ASCII decimal digits without leading zeros; "" is 0
	rank int    // mavenString: index in the qualifier order, or mavenUnknown
	text string // mavenString: the lowercased qualifier, when unknown
	list []mavenItem
}

func (it *mavenItem) isNull() bool {
	switch it.kind {
	case mavenNumber:
		return it.num == ""
	case mavenString:
		return it.rank == mavenRelease
	}
	return len(it.list) == 0
}

type mavenVersion struct {
	raw   string
	items []mavenItem
}

func parseMaven(s string) (Version, error) {
	if s == "" {
		return nil, errors.New("empty version")
	}
	if len(s) > maxMavenVersion {
		return nil, errors.New("longer than 256 bytes")
	}
	// levels[d+1] is the list that ends levels[d]: every new list is appended
	// to the current one and becomes current, so the lists form a chain.
	levels := [][]mavenItem{nil}
	cur := 0
	open := func() {
		levels = append(levels, nil)
		cur++
	}
	add := func(it mavenItem) { levels[cur] = append(levels[cur], it) }

	isDigit := false
	start := 0
	for i := 0; i < len(s); {
		r, size := utf8.DecodeRuneInString(s[i:])
		switch {
		case r == '.' || r == '-':
			if i == start {
				add(mavenItem{kind: mavenNumber})
			} else {
				add(mavenSegment(isDigit, s[start:i], false))
			}
			start = i + size
			if r == '-' {
				open()
			}
		case mavenDigit(r) >= 0:
			if !isDigit && i > start {
				// MNG-7644: ".X1" reads as "-X1", so 1.0.0.X1 < 1.0.0-X2.
				if len(levels[cur]) > 0 {
					open()
				}
				add(mavenSegment(false, s[start:i], true))
				start = i
				open()
			}
			isDigit = true
		default:
			if isDigit && i > start {
				add(mavenSegment(true, s[start:i], false))
				start = i
				open()
			}
			isDigit = false
		}
		i += size
	}
	if start < len(s) {
		if !isDigit && len(levels[cur]) > 0 {
			open()
		}
		add(mavenSegment(isDigit, s[start:], false))
	}

	// Normalise innermost first, so an inner list emptied by normalising is
	// itself null in its parent.
	var inner []mavenItem
	for d := len(levels) - 1; d >= 0; d-- {
		items := levels[d]
		if d < len(levels)-1 {
			items = append(items, mavenItem{kind: mavenList, list: inner})
		}
		inner = mavenNormalize(items)
	}
	return mavenVersion{raw: s, items: inner}, nil
}

// mavenNormalize removes null items from the end of a list, looking past a
// final sublist as ListItem.normalize does ([1, 0, [rc]] becomes [1, [rc]]).
func mavenNormalize(items []mavenItem) []mavenItem {
	for i := len(items) - 1; i >= 0; i-- {
		if items[i].isNull() {
			items = append(items[:i], items[i+1:]...)
		} else if items[i].kind != mavenList {
			break
		}
	}
	return items
}

// mavenSegment makes the item for one run of digits or of other characters.
// followedByDigit turns the one-letter forms a, b and m into alpha, beta and
// milestone ("1a1" is "1-alpha-1").
func mavenSegment(digits bool, seg string, followedByDigit bool) mavenItem {
	if digits {
		if ascii := strings.TrimLeft(seg, "0"); isDecimal(ascii) {
			return mavenItem{kind: mavenNumber, num: ascii}
		}
		var b strings.Builder
		for _, r := range seg {
			d := mavenDigit(r)
			if d == 0 && b.Len() == 0 {
				continue // leading zero
			}
			b.WriteByte(byte('0' + d))
		}
		return mavenItem{kind: mavenNumber, num: b.String()}
	}
	q := mavenLower(seg)
	if followedByDigit {
		switch q {
		case "a":
			q = "alpha"
		case "b":
			q = "beta"
		case "m":
			q = "milestone"
		}
	}
	rank := mavenQualifierRank(q)
	if rank != mavenUnknown {
		q = ""
	}
	return mavenItem{kind: mavenString, rank: rank, text: q}
}

func isDecimal(s string) bool {
	for i := 0; i < len(s); i++ {
		if !isDigit(s[i]) {
			return false
		}
	}
	return true
}

// mavenDigit returns the value of r if Java's Character.isDigit(char) holds
// for it (a decimal digit of any script in the Basic Multilingual Plane), or -1.
func mavenDigit(r rune) int {
	if r >= '0' && r <= '9' {
		return int(r - '0')
	}
	if r < 0x80 || r > 0xFFFF || !unicode.IsDigit(r) {
		return -1
	}
	// Decimal digits come in contiguous runs of whole 0-9 blocks.
	for _, rg := range unicode.Nd.R16 {
		if rune(rg.Lo) <= r && r <= rune(rg.Hi) {
			return int(r-rune(rg.Lo)) % 10
		}
	}
	return -1
}

func mavenLower(s string) string {
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c >= utf8.RuneSelf {
			// Each byte that is not UTF-8 becomes U+FFFD.
			return strings.ToLower(s)
		}
		if 'A' <= c && c <= 'Z' {
			return strings.ToLower(s)
		}
	}
	return s
}

func (a mavenVersion) String() string { return a.raw }

func (a mavenVersion) Compare(other Version) int {
	b, ok := other.(mavenVersion)
	if !ok {
		return mismatch(a, other)
	}
	return mavenCompareLists(a.items, b.items)
}

// mavenCompare compares item x with item y; a nil item is null (the missing
// counterpart in a shorter list).
func mavenCompare(x, y *mavenItem) int {
	if y == nil {
		switch x.kind {
		case mavenNumber:
			if x.num == "" {
				return 0
			}
			return 1
		case mavenString:
			return cmpInt(x.rank, mavenRelease)
		}
		// MNG-6964: the whole list counts, not only its first item.
		for i := range x.list {
			if c := mavenCompare(&x.list[i], nil); c != 0 {
				return c
			}
		}
		return 0
	}
	if x.kind != y.kind {
		// string < list < number
		order := [...]int{mavenNumber: 2, mavenString: 0, mavenList: 1}
		return cmpInt(order[x.kind], order[y.kind])
	}
	switch x.kind {
	case mavenNumber:
		return compareDecimal(x.num, y.num)
	case mavenString:
		if c := cmpInt(x.rank, y.rank); c != 0 || x.rank != mavenUnknown {
			return c
		}
		return compareUTF16(x.text, y.text)
	}
	return mavenCompareLists(x.list, y.list)
}

func mavenCompareLists(a, b []mavenItem) int {
	for i := 0; i < max(len(a), len(b)); i++ {
		var c int
		switch {
		case i >= len(a):
			c = -mavenCompare(&b[i], nil)
		case i >= len(b):
			c = mavenCompare(&a[i], nil)
		default:
			c = mavenCompare(&a[i], &b[i])
		}
		if c != 0 {
			return c
		}
	}
	return 0
}

// compareUTF16 orders valid UTF-8 strings as Java's String.compareTo does, by
// UTF-16 code units: above U+FFFF this differs from code point order.
func compareUTF16(x, y string) int {
	for x != "" && y != "" {
		rx, nx := utf8.DecodeRuneInString(x)
		ry, ny := utf8.DecodeRuneInString(y)
		if rx != ry {
			return cmpInt(utf16First(rx), utf16First(ry))
		}
		x, y = x[nx:], y[ny:]
	}
	return cmpInt(len(x), len(y))
}

// utf16First maps r to its first UTF-16 code unit, keeping the order of
// distinct runes that share one (a surrogate pair's high half).
func utf16First(r rune) int {
	if r < 0x10000 {
		return int(r) << 10
	}
	return (0xD800+int(r-0x10000)>>10)<<10 | int(r&0x3FF)
}
