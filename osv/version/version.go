// Package version orders package versions the way each OSV ecosystem does, so
// that OSV ranges ("introduced", "fixed", "last_affected") can be evaluated
// offline: npm, crates.io and SEMVER ranges by Semantic Versioning 2.0, Go by
// golang.org/x/mod/semver (pseudo-versions included), PyPI by PEP 440, Maven
// by Maven 3's ComparableVersion, and RubyGems, NuGet, Packagist and Pub by
// their own rules.
package version

import (
	"errors"
	"fmt"
	"strings"

	"github.com/Masterminds/semver/v3"
	pep440 "github.com/aquasecurity/go-pep440-version"
	gosemver "golang.org/x/mod/semver"
)

// SemVer is the pseudo-ecosystem of OSV "SEMVER" ranges outside Go: plain
// Semantic Versioning 2.0 ordering.
const SemVer = "SEMVER"

// ErrUnknownEcosystem is returned for an ecosystem without a known version order.
var ErrUnknownEcosystem = errors.New("no version order known for ecosystem")

// Version is one parsed version. Compare returns -1, 0 or +1; it is only
// meaningful between versions parsed for the same ecosystem, and falls back
// to comparing the original strings otherwise.
type Version interface {
	Compare(other Version) int
	String() string
}

// Parse parses s in the version syntax of ecosystem (an OSV ecosystem name,
// or SemVer). It never panics; malformed input is an error naming the version.
func Parse(ecosystem, s string) (Version, error) {
	var (
		v   Version
		err error
	)
	switch ecosystem {
	case "npm", "crates.io", SemVer:
		v, err = parseSemver(s)
	case "GitHub Actions":
		// Action refs are tags such as "v4", "41" or "v4.1.7": semver, loosely.
		v, err = parseLooseSemver(s)
	case "Go":
		v, err = parseGo(s)
	case "PyPI":
		v, err = parsePyPI(s)
	case "RubyGems":
		v, err = parseGem(s)
	case "NuGet":
		v, err = parseNuGet(s)
	case "Packagist":
		v, err = parseComposer(s)
	case "Pub":
		v, err = parsePub(s)
	case "Maven":
		// Package names are "group:artifact"; the version is anything but empty.
		v, err = parseMaven(s)
	default:
		return nil, fmt.Errorf("%w %q", ErrUnknownEcosystem, ecosystem)
	}
	if err != nil {
		return nil, fmt.Errorf("%s version %q: %w", ecosystem, s, err)
	}
	return v, nil
}

// Compare parses a and b for ecosystem and compares them.
func Compare(ecosystem, a, b string) (int, error) {
	va, err := Parse(ecosystem, a)
	if err != nil {
		return 0, err
	}
	vb, err := Parse(ecosystem, b)
	if err != nil {
		return 0, err
	}
	return va.Compare(vb), nil
}

func cmpInt[T int | int64 | uint64](a, b T) int {
	switch {
	case a < b:
		return -1
	case a > b:
		return 1
	}
	return 0
}

// mismatch orders versions of different kinds (a caller bug) without panicking.
func mismatch(a, b Version) int {
	return strings.Compare(a.String(), b.String())
}

// --- Semantic Versioning (npm, crates.io, SEMVER ranges) ---

type semverVersion struct {
	raw string
	v   *semver.Version
}

func parseSemver(s string) (Version, error) {
	s = strings.TrimSpace(s)
	// npm tolerates a leading "v" or "=" in lockfiles; OSV never writes them.
	t := strings.TrimPrefix(strings.TrimPrefix(s, "="), "v")
	v, err := semver.StrictNewVersion(t)
	if err != nil {
		return nil, err
	}
	return semverVersion{raw: s, v: v}, nil
}

func parseLooseSemver(s string) (Version, error) {
	v, err := semver.NewVersion(strings.TrimSpace(s))
	if err != nil {
		return nil, err
	}
	return semverVersion{raw: s, v: v}, nil
}

func (a semverVersion) String() string { return a.raw }

func (a semverVersion) Compare(other Version) int {
	b, ok := other.(semverVersion)
	if !ok {
		return mismatch(a, other)
	}
	return a.v.Compare(b.v)
}

// --- Go modules ---

type goVersion struct{ raw, canon string }

func parseGo(s string) (Version, error) {
	s = strings.TrimSpace(s)
	// go.mod writes "v1.2.3"; OSV Go records write "1.2.3". Accept both.
	c := s
	if !strings.HasPrefix(c, "v") {
		c = "v" + c
	}
	if !gosemver.IsValid(c) {
		return nil, errors.New("not a Go module version")
	}
	return goVersion{raw: s, canon: c}, nil
}

func (a goVersion) String() string { return a.raw }

func (a goVersion) Compare(other Version) int {
	b, ok := other.(goVersion)
	if !ok {
		return mismatch(a, other)
	}
	return gosemver.Compare(a.canon, b.canon)
}

// --- PyPI (PEP 440) ---

type pypiVersion struct {
	raw string
	v   pep440.Version
	// canon is the normalised form with trailing ".0" release parts removed,
	// equal for equal versions; computed once because the library's Compare
	// formats both versions on every call.
	canon string
}

func parsePyPI(s string) (Version, error) {
	v, err := pep440.Parse(strings.TrimSpace(s))
	if err != nil {
		return nil, err
	}
	return pypiVersion{raw: s, v: v, canon: pypiCanonical(v.String())}, nil
}

// pypiCanonical trims trailing zero release parts: "1.0.0rc1" -> "1rc1".
func pypiCanonical(norm string) string {
	start := strings.IndexByte(norm, '!') + 1
	end := start
	for end < len(norm) && (norm[end] == '.' && end+1 < len(norm) && isDigit(norm[end+1]) || isDigit(norm[end])) {
		end++
	}
	rel := norm[start:end]
	for strings.HasSuffix(rel, ".0") {
		rel = strings.TrimSuffix(rel, ".0")
	}
	return norm[:start] + rel + norm[end:]
}

func (a pypiVersion) String() string { return a.raw }

func (a pypiVersion) Compare(other Version) int {
	b, ok := other.(pypiVersion)
	if !ok {
		return mismatch(a, other)
	}
	if a.canon == b.canon {
		return 0
	}
	return a.v.Compare(b.v)
}

// Equal reports whether a and b are the same version, faster than Compare
// where a canonical form is known.
func Equal(a, b Version) bool {
	if pa, ok := a.(pypiVersion); ok {
		if pb, ok := b.(pypiVersion); ok {
			return pa.canon == pb.canon
		}
	}
	return a.Compare(b) == 0
}
