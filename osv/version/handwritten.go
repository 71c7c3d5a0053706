package version

import (
	"errors"
	"math/big"
	"strconv"
	"strings"
	"unicode"

	"github.com/Masterminds/semver/v3"
)

// The comparators in this file are written by hand: no Go module served here
// implements RubyGems, NuGet, Composer or pub ordering (go-gem-version is not
// served), and each rule is short and specified by its ecosystem.

// --- RubyGems: Gem::Version#<=> ---

type gemSegment struct {
	num   *big.Int // nil for a letter segment
	str   string
	isNum bool
}

type gemVersion struct {
	raw  string
	segs []gemSegment
}

func parseGem(s string) (Version, error) {
	t := strings.TrimSpace(s)
	if t == "" {
		return nil, errors.New("empty version")
	}
	// Gem::Version: "1.0.0-rc1" means "1.0.0.pre.rc1".
	t = strings.ReplaceAll(t, "-", ".pre.")
	for _, r := range t {
		if !(r == '.' || r < 128 && (unicode.IsDigit(r) || unicode.IsLetter(r))) {
			return nil, errors.New("not a RubyGems version")
		}
	}
	var segs []gemSegment
	for i := 0; i < len(t); {
		c := t[i]
		j := i
		switch {
		case c == '.':
			i++
			continue
		case c >= '0' && c <= '9':
			for j < len(t) && t[j] >= '0' && t[j] <= '9' {
				j++
			}
			n, _ := new(big.Int).SetString(t[i:j], 10)
			segs = append(segs, gemSegment{num: n, isNum: true})
		default:
			for j < len(t) && t[j] != '.' && (t[j] < '0' || t[j] > '9') {
				j++
			}
			segs = append(segs, gemSegment{str: t[i:j]})
		}
		i = j
	}
	if len(segs) == 0 || !segs[0].isNum {
		return nil, errors.New("not a RubyGems version")
	}
	return gemVersion{raw: s, segs: gemCanonical(segs)}, nil
}

// gemCanonical drops trailing zeros of the release part and of the
// pre-release part, as Gem::Version#canonical_segments does.
func gemCanonical(segs []gemSegment) []gemSegment {
	split := len(segs)
	for i, s := range segs {
		if !s.isNum {
			split = i
			break
		}
	}
	trim := func(p []gemSegment) []gemSegment {
		for len(p) > 0 && p[len(p)-1].isNum && p[len(p)-1].num.Sign() == 0 {
			p = p[:len(p)-1]
		}
		return p
	}
	rel := trim(append([]gemSegment(nil), segs[:split]...))
	pre := trim(append([]gemSegment(nil), segs[split:]...))
	return append(rel, pre...)
}

func (a gemVersion) String() string { return a.raw }

func (a gemVersion) Compare(other Version) int {
	b, ok := other.(gemVersion)
	if !ok {
		return mismatch(a, other)
	}
	zero := gemSegment{num: new(big.Int), isNum: true}
	for i := 0; i < max(len(a.segs), len(b.segs)); i++ {
		l, r := zero, zero
		if i < len(a.segs) {
			l = a.segs[i]
		}
		if i < len(b.segs) {
			r = b.segs[i]
		}
		switch {
		case l.isNum && r.isNum:
			if c := l.num.Cmp(r.num); c != 0 {
				return c
			}
		case !l.isNum && r.isNum:
			return -1
		case l.isNum && !r.isNum:
			return 1
		default:
			if c := strings.Compare(l.str, r.str); c != 0 {
				return c
			}
		}
	}
	return 0
}

// --- NuGet: NuGetVersion ordering (SemVer 2.0 with a 4th number, case-insensitive labels) ---

type nugetVersion struct {
	raw    string
	nums   [4]uint64
	labels []string
}

func parseNuGet(s string) (Version, error) {
	t := strings.TrimSpace(s)
	if i := strings.IndexByte(t, '+'); i >= 0 {
		t = t[:i] // metadata does not take part in ordering
	}
	var labels []string
	if i := strings.IndexByte(t, '-'); i >= 0 {
		if i == len(t)-1 {
			return nil, errors.New("empty pre-release label")
		}
		labels = strings.Split(t[i+1:], ".")
		t = t[:i]
		for _, l := range labels {
			if l == "" {
				return nil, errors.New("empty pre-release label")
			}
		}
	}
	parts := strings.Split(t, ".")
	if len(parts) < 1 || len(parts) > 4 {
		return nil, errors.New("not a NuGet version")
	}
	v := nugetVersion{raw: s, labels: labels}
	for i, p := range parts {
		n, err := strconv.ParseUint(p, 10, 64)
		if err != nil {
			return nil, errors.New("not a NuGet version")
		}
		v.nums[i] = n
	}
	return v, nil
}

func (a nugetVersion) String() string { return a.raw }

func (a nugetVersion) Compare(other Version) int {
	b, ok := other.(nugetVersion)
	if !ok {
		return mismatch(a, other)
	}
	for i := range a.nums {
		if c := cmpInt(a.nums[i], b.nums[i]); c != 0 {
			return c
		}
	}
	return compareLabels(a.labels, b.labels, true)
}

// compareLabels orders SemVer 2.0 pre-release labels: none ranks above any,
// numeric identifiers numerically and below alphanumeric ones, shorter lists
// first on a tie.
func compareLabels(a, b []string, foldCase bool) int {
	switch {
	case len(a) == 0 && len(b) == 0:
		return 0
	case len(a) == 0:
		return 1
	case len(b) == 0:
		return -1
	}
	for i := 0; i < min(len(a), len(b)); i++ {
		x, y := a[i], b[i]
		xn, xerr := strconv.ParseUint(x, 10, 64)
		yn, yerr := strconv.ParseUint(y, 10, 64)
		switch {
		case xerr == nil && yerr == nil:
			if c := cmpInt(xn, yn); c != 0 {
				return c
			}
		case xerr == nil:
			return -1
		case yerr == nil:
			return 1
		default:
			if foldCase {
				x, y = strings.ToLower(x), strings.ToLower(y)
			}
			if c := strings.Compare(x, y); c != 0 {
				return c
			}
		}
	}
	return cmpInt(len(a), len(b))
}

// --- Packagist: Composer's normalised versions compared like PHP version_compare ---

type composerVersion struct {
	raw   string
	parts []string
}

func parseComposer(s string) (Version, error) {
	t := strings.ToLower(strings.TrimSpace(s))
	// Branches ("dev-main", "2.x-dev") have no place in the release order.
	if t == "" || strings.HasPrefix(t, "dev-") || strings.HasSuffix(t, "x-dev") {
		return nil, errors.New("not a Composer release version")
	}
	if strings.HasPrefix(t, "v") && len(t) > 1 && t[1] >= '0' && t[1] <= '9' {
		t = t[1:]
	}
	if i := strings.IndexByte(t, '+'); i >= 0 {
		t = t[:i] // build metadata is dropped by Composer's normaliser
	}
	if !startsWithDigit(t) {
		return nil, errors.New("not a Composer version")
	}
	// PHP canonicalisation: '-', '_', '+' become '.', and a '.' is put
	// between a digit and a letter.
	var b strings.Builder
	for i := 0; i < len(t); i++ {
		c := t[i]
		if c == '-' || c == '_' || c == '+' {
			b.WriteByte('.')
			continue
		}
		if prev := t[max(i-1, 0)]; i > 0 && c != '.' && prev != '.' && prev != '-' && prev != '_' && isDigit(c) != isDigit(prev) {
			b.WriteByte('.')
		}
		b.WriteByte(c)
	}
	var parts []string
	for _, p := range strings.Split(b.String(), ".") {
		if p != "" {
			parts = append(parts, p)
		}
	}
	// Composer normalises releases to four numbers ("1.0" is "1.0.0.0").
	n := 0
	for n < len(parts) && isDigit(parts[n][0]) {
		n++
	}
	if n < 4 {
		padded := append([]string(nil), parts[:n]...)
		for i := n; i < 4; i++ {
			padded = append(padded, "0")
		}
		parts = append(padded, parts[n:]...)
	}
	return composerVersion{raw: s, parts: parts}, nil
}

func isDigit(c byte) bool { return c >= '0' && c <= '9' }

func startsWithDigit(s string) bool { return s != "" && isDigit(s[0]) }

// composerSpecial ranks a non-numeric part as PHP's compare_special_version_forms
// does, by prefix: dev < alpha = a < beta = b < RC < "#" (a number) < pl = p.
func composerSpecial(p string) int {
	forms := []struct {
		name string
		rank int
	}{{"dev", 0}, {"alpha", 1}, {"a", 1}, {"beta", 2}, {"b", 2}, {"rc", 3}, {"#", 4}, {"pl", 5}, {"p", 5}}
	for _, f := range forms {
		if strings.HasPrefix(p, f.name) {
			return f.rank
		}
	}
	return -6
}

func composerPart(p string) int {
	if isDigit(p[0]) {
		return composerSpecial("#")
	}
	return composerSpecial(p)
}

func (a composerVersion) String() string { return a.raw }

func (a composerVersion) Compare(other Version) int {
	b, ok := other.(composerVersion)
	if !ok {
		return mismatch(a, other)
	}
	for i := 0; i < min(len(a.parts), len(b.parts)); i++ {
		x, y := a.parts[i], b.parts[i]
		if isDigit(x[0]) && isDigit(y[0]) {
			if c := compareDecimal(x, y); c != 0 {
				return c
			}
			continue
		}
		if c := cmpInt(composerPart(x), composerPart(y)); c != 0 {
			return c
		}
	}
	// PHP: when one version runs out, the longer one wins if its next part
	// is a number or a patch level, and loses if it is a pre-release word.
	if len(a.parts) == len(b.parts) {
		return 0
	}
	sign, longer, shorter := 1, a.parts, b.parts
	if len(b.parts) > len(a.parts) {
		sign, longer, shorter = -1, b.parts, a.parts
	}
	rest := longer[len(shorter):]
	if isDigit(rest[0][0]) || composerSpecial(rest[0]) > composerSpecial("#") {
		return sign
	}
	return -sign
}

// compareDecimal compares two strings of digits of any length.
func compareDecimal(x, y string) int {
	x = strings.TrimLeft(x, "0")
	y = strings.TrimLeft(y, "0")
	if c := cmpInt(len(x), len(y)); c != 0 {
		return c
	}
	return strings.Compare(x, y)
}

// --- Pub: pub_semver ordering (SemVer 2.0, but build metadata also orders) ---

type pubVersion struct {
	raw string
	v   *semver.Version
}

func parsePub(s string) (Version, error) {
	v, err := semver.StrictNewVersion(strings.TrimSpace(s))
	if err != nil {
		return nil, err
	}
	return pubVersion{raw: s, v: v}, nil
}

func (a pubVersion) String() string { return a.raw }

func (a pubVersion) Compare(other Version) int {
	b, ok := other.(pubVersion)
	if !ok {
		return mismatch(a, other)
	}
	if c := a.v.Compare(b.v); c != 0 {
		return c
	}
	// pub_semver: no build suffix sorts before any build suffix.
	am, bm := a.v.Metadata(), b.v.Metadata()
	switch {
	case am == bm:
		return 0
	case am == "":
		return -1
	case bm == "":
		return 1
	}
	return compareLabels(strings.Split(am, "."), strings.Split(bm, "."), false)
}
