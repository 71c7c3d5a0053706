package typosquat

import (
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/tollgate-dev/tollgate/lockfiles"
)

// confusables maps Cyrillic and Greek letters that look like Latin ones to
// the Latin letter (lower case), after Unicode's confusables.txt for the
// letters real NuGet and npm malware used (Мircosоft.ЕntitуFramеworkСоrе).
// NFKC leaves these alone: they are distinct letters, not compatibility forms.
var confusables = map[rune]rune{
	// Cyrillic
	'а': 'a', 'в': 'b', 'с': 'c', 'ԁ': 'd', 'е': 'e', 'ё': 'e', 'һ': 'h', 'і': 'i', 'ї': 'i', 'ј': 'j',
	'к': 'k', 'ӏ': 'l', 'м': 'm', 'н': 'h', 'о': 'o', 'р': 'p', 'ԛ': 'q', 'ѕ': 's', 'т': 't', 'у': 'y',
	'ԝ': 'w', 'х': 'x', 'ү': 'y', 'ь': 'b', 'п': 'n', 'г': 'r',
	'А': 'a', 'В': 'b', 'С': 'c', 'Е': 'e', 'Ё': 'e', 'Н': 'h', 'І': 'i', 'Ј': 'j', 'К': 'k', 'М': 'm',
	'О': 'o', 'Р': 'p', 'Ѕ': 's', 'Т': 't', 'У': 'y', 'Х': 'x', 'Ү': 'y', 'Ԁ': 'd', 'Ԛ': 'q', 'Ԝ': 'w',
	// Greek
	'α': 'a', 'β': 'b', 'ε': 'e', 'η': 'n', 'ι': 'i', 'κ': 'k', 'ν': 'v', 'ο': 'o', 'ρ': 'p', 'τ': 't',
	'υ': 'u', 'χ': 'x', 'ω': 'w', 'ϲ': 'c', 'ϳ': 'j',
	'Α': 'a', 'Β': 'b', 'Ε': 'e', 'Ζ': 'z', 'Η': 'h', 'Ι': 'i', 'Κ': 'k', 'Μ': 'm', 'Ν': 'n', 'Ο': 'o',
	'Ρ': 'p', 'Τ': 't', 'Υ': 'y', 'Χ': 'x', 'Ϲ': 'c',
	// Latin look-alikes
	'ı': 'i', 'ℓ': 'l', 'ɡ': 'g', 'ɑ': 'a',
}

// fold is the name as its ecosystem compares names: PEP 503 for PyPI, case
// for the others (npm names are lower case; gem and Go module names are
// case-sensitive, but a squat that differs only in case is still one, so
// case is folded everywhere).
func fold(eco, name string) string {
	return strings.ToLower(lockfiles.NormalizeName(eco, name))
}

// hasConfusable reports whether s holds a letter that confusables maps.
func hasConfusable(s string) bool {
	for _, r := range s {
		if _, ok := confusables[r]; ok {
			return true
		}
	}
	return false
}

// skeleton replaces look-alike letters by their Latin letter.
func skeleton(s string) string {
	if !hasConfusable(s) {
		return s
	}
	var b strings.Builder
	for _, r := range s {
		if l, ok := confusables[r]; ok {
			r = l
		}
		b.WriteRune(unicode.ToLower(r))
	}
	return b.String()
}

// visual replaces characters that read as others in most fonts: a capital I
// as an l (jeIlyfish), a zero as an o, a one as an l, "rn" as an m and "vv"
// as a w. It runs on the name as written, before case folding.
func visual(name string) string {
	r := strings.NewReplacer("I", "l", "0", "o", "1", "l", "rn", "m", "vv", "w")
	return r.Replace(name)
}

// affixes are words that add nothing to a name's identity in an ecosystem:
// "python-dateutil" and "dateutil", "umbrella.js" and "umbrella-js".
var affixes = map[string]struct{ prefixes, suffixes []string }{
	lockfiles.EcosystemPyPI:   {prefixes: []string{"python3-", "python-", "py3-", "py-"}, suffixes: []string{"-python3", "-python", "-py3", "-py"}},
	lockfiles.EcosystemNPM:    {prefixes: []string{"node-"}, suffixes: []string{"-js", ".js", "-node"}},
	lockfiles.EcosystemGo:     {prefixes: []string{"go-", "golang-"}, suffixes: []string{"-go", "-golang", ".go"}},
	lockfiles.EcosystemCrates: {prefixes: []string{"rust-"}, suffixes: []string{"-rs", "-rust"}},
}

// isSep reports whether r separates words in a package name.
func isSep(r rune) bool {
	switch r {
	case '-', '_', '.', '/', '@', ' ', ':':
		return true
	}
	return false
}

// key is the name with its identity-free parts removed: folded, look-alike
// letters replaced, affixes stripped, separators dropped. Two different
// names with one key are the same name to a reader.
func key(eco, name string) string {
	s := skeleton(fold(eco, name))
	if a, ok := affixes[eco]; ok {
		for _, p := range a.prefixes {
			if strings.HasPrefix(s, p) && len(s) > len(p)+2 {
				s = s[len(p):]
				break
			}
		}
		for _, x := range a.suffixes {
			if strings.HasSuffix(s, x) && len(s) > len(x)+2 {
				s = s[:len(s)-len(x)]
				break
			}
		}
	}
	return strings.Map(func(r rune) rune {
		if isSep(r) {
			return -1
		}
		return r
	}, s)
}

// words splits a folded name into its words, for reordering.
func words(s string) []string {
	return strings.FieldsFunc(s, isSep)
}

// runeLen is the number of characters of s.
func runeLen(s string) int { return utf8.RuneCountInString(s) }

// owned splits an ecosystem name into the part that an account owns and the
// rest: an npm scope, a GitHub owner (Actions, github.com Go modules), a
// Packagist vendor. Names under one owner are published by that owner, so a
// near name under the same owner is never a squat. ok is false for names
// without an owner.
func owned(eco, name string) (owner, rest string, ok bool) {
	n := strings.ToLower(name)
	switch eco {
	case lockfiles.EcosystemNPM:
		if strings.HasPrefix(n, "@") {
			if i := strings.IndexByte(n, '/'); i > 1 {
				return n[1:i], n[i+1:], true
			}
		}
	case lockfiles.EcosystemGitHubActions, lockfiles.EcosystemPackagist:
		if o, r, found := strings.Cut(n, "/"); found && o != "" {
			if eco == lockfiles.EcosystemGitHubActions {
				// owner/repo/path@ref: the repository is what is owned.
				r, _, _ = strings.Cut(r, "/")
				r, _, _ = strings.Cut(r, "@")
			}
			return o, r, true
		}
	case lockfiles.EcosystemGo:
		p := goPath(n)
		for _, host := range []string{"github.com/", "gitlab.com/", "bitbucket.org/"} {
			if strings.HasPrefix(p, host) {
				parts := strings.SplitN(p[len(host):], "/", 3)
				if len(parts) >= 2 {
					return parts[0], parts[1], true
				}
			}
		}
	}
	return "", "", false
}

// goPath drops a module path's major-version suffix (/v2, .v3 for gopkg.in).
func goPath(p string) string {
	if i := strings.LastIndexByte(p, '/'); i > 0 {
		last := p[i+1:]
		if len(last) >= 2 && last[0] == 'v' && strings.Trim(last[1:], "0123456789") == "" {
			p = p[:i]
		}
	}
	if i := strings.LastIndex(p, ".v"); i > 0 && strings.Trim(p[i+2:], "0123456789") == "" && i+2 < len(p) {
		p = p[:i]
	}
	return p
}
