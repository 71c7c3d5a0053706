package osv

import (
	"slices"
	"strings"
	"sync"

	"github.com/tollgate-dev/tollgate/lockfiles"
	"github.com/tollgate-dev/tollgate/osv/version"
)

// Match is the outcome of checking one package version against one record.
type Match struct {
	Affected bool
	// Fixed is the version that ends the affected range holding the version,
	// when the record names one (the highest of several overlapping ranges).
	Fixed string
	// Informational is RUSTSEC's kind for advisories that are not
	// vulnerabilities (unmaintained, unsound, notice), empty otherwise.
	Informational string
	// Unreadable is set when the record names the package but a range of it
	// has an event that cannot be parsed in its order, and nothing else in
	// the record affects the version: the answer is unknown, not "no".
	Unreadable bool
}

// Matcher checks package versions against records with a shared cache of
// parsed versions. It is safe for concurrent use.
type Matcher struct{ cache *versionCache }

// NewMatcher returns a Matcher with an empty cache.
func NewMatcher() *Matcher { return &Matcher{cache: &versionCache{}} }

// Affects is the package-level Affects through m's cache.
func (m *Matcher) Affects(v *Vuln, eco, name, ver string) Match {
	return affects(v, eco, lockfiles.NormalizeName(eco, name), newQueryVersion(eco, ver, m.cache), -1)
}

// versionCache memoises version parsing: PEP 440 parsing is costly, and the
// same event and list versions are compared again for every query. A nil
// cache parses directly.
type versionCache struct{ m sync.Map }

type parsed struct {
	v   version.Version
	err error
}

func (c *versionCache) parse(order, s string) (version.Version, error) {
	if c == nil {
		return version.Parse(order, s)
	}
	key := order + "\x00" + s
	if p, ok := c.m.Load(key); ok {
		return p.(parsed).v, p.(parsed).err
	}
	v, err := version.Parse(order, s)
	c.m.Store(key, parsed{v, err})
	return v, err
}

// queryVersion parses a package version once per ecosystem order it is
// compared in (the ecosystem's own, and SEMVER for SEMVER ranges).
type queryVersion struct {
	eco, raw string
	parsed   map[string]version.Version // by order; nil value = unparsable
	cache    *versionCache
}

func newQueryVersion(eco, raw string, cache *versionCache) *queryVersion {
	return &queryVersion{eco: eco, raw: NormalizeVersion(eco, raw), parsed: map[string]version.Version{}, cache: cache}
}

func (q *queryVersion) in(order string) version.Version {
	if v, ok := q.parsed[order]; ok {
		return v
	}
	v, err := q.cache.parse(order, q.raw)
	if err != nil {
		v = nil
	}
	q.parsed[order] = v
	return v
}

// NormalizeVersion removes the prefixes lockfiles write and OSV does not:
// go.mod's "v" and Composer's "v".
func NormalizeVersion(eco, v string) string {
	v = strings.TrimSpace(v)
	if (eco == lockfiles.EcosystemGo || eco == lockfiles.EcosystemPackagist) && len(v) > 1 && v[0] == 'v' && v[1] >= '0' && v[1] <= '9' {
		return v[1:]
	}
	return v
}

// Affects checks version ver of package (eco, name) against record v. Names
// are compared with lockfiles.NormalizeName.
func Affects(v *Vuln, eco, name, ver string) Match {
	return affects(v, eco, lockfiles.NormalizeName(eco, name), newQueryVersion(eco, ver, nil), -1)
}

// affects checks affected entry only (or all when only < 0).
func affects(v *Vuln, eco, normName string, qv *queryVersion, only int) Match {
	var m Match
	for i := range v.Affected {
		if only >= 0 && i != only {
			continue
		}
		a := &v.Affected[i]
		if a.Package.Ecosystem != eco || lockfiles.NormalizeName(eco, a.Package.Name) != normName {
			continue
		}
		hit, fixed, unreadable := affectedEntry(a, eco, qv)
		if !hit {
			m.Unreadable = !m.Affected && (m.Unreadable || unreadable)
			continue
		}
		if !m.Affected {
			m.Informational = a.DatabaseSpecific.Informational
		}
		m.Affected = true
		m.Unreadable = false
		if fixed != "" && (m.Fixed == "" || later(qv.cache, eco, fixed, m.Fixed)) {
			m.Fixed = fixed
		}
	}
	return m
}

// Later reports whether version a orders after b in ecosystem eco; false
// when either is unparsable.
func Later(eco, a, b string) bool { return later(nil, eco, a, b) }

// later reports whether a orders after b; false when either is unparsable.
func later(cache *versionCache, eco, a, b string) bool {
	va, err := cache.parse(eco, a)
	if err != nil {
		return false
	}
	vb, err := cache.parse(eco, b)
	return err == nil && va.Compare(vb) > 0
}

// affectedEntry evaluates one affected entry: its versions list and its
// SEMVER and ECOSYSTEM ranges (GIT ranges cannot be compared with package
// versions and are ignored). It returns the fixing version, if any, and
// whether a range could not be read (an event that does not parse).
func affectedEntry(a *Affected, eco string, qv *queryVersion) (bool, string, bool) {
	hit := false
	fixed := ""
	unreadable := false
	for _, r := range a.Ranges {
		order := eco
		switch r.Type {
		case "ECOSYSTEM":
		case "SEMVER":
			if eco != lockfiles.EcosystemGo {
				order = version.SemVer
			}
		default:
			continue
		}
		in, fix, bad := inRange(r.Events, order, qv)
		unreadable = unreadable || bad
		if in {
			hit = true
			if fix != "" && (fixed == "" || later(qv.cache, order, fix, fixed)) {
				fixed = fix
			}
		}
	}
	if hit {
		return true, fixed, false
	}
	if qv.raw == "" {
		return false, "", unreadable
	}
	for _, listed := range a.Versions {
		if listed == qv.raw || NormalizeVersion(eco, listed) == qv.raw {
			return true, "", false
		}
	}
	// Equal but differently written ("1.0" and "1.0.0" in PEP 440). An
	// unparsable version matches exact entries only.
	if mine := qv.in(eco); mine != nil {
		for _, listed := range a.Versions {
			if lv, err := qv.cache.parse(eco, NormalizeVersion(eco, listed)); err == nil && version.Equal(mine, lv) {
				return true, "", false
			}
		}
	}
	return false, "", unreadable
}

// opensAtZero reports whether an introduced value means "every version".
// crates.io writes "0.0.0-0" for it.
func opensAtZero(s string) bool { return s == "0" || s == "0.0.0-0" }

type parsedEvent struct {
	kind int // 0 introduced, 1 fixed, 2 last_affected
	raw  string
	v    version.Version // nil for introduced "0"
}

// inRange evaluates a range as the OSV schema describes: events sorted by
// version; introduced opens, fixed closes at, last_affected closes after.
// unreadable is set when the version parses but an event does not.
func inRange(events []Event, order string, qv *queryVersion) (in bool, fixed string, unreadable bool) {
	// A range with only an opening at zero affects every version, even one we
	// cannot parse (and a package with no version): the name itself is bad.
	allVersions, closed := false, false
	for _, e := range events {
		if opensAtZero(e.Introduced) {
			allVersions = true
		}
		if e.Fixed != "" || e.LastAffected != "" {
			closed = true
		}
	}
	if allVersions && !closed {
		return true, "", false
	}
	mine := qv.in(order)
	if mine == nil {
		return false, "", false
	}
	evs := make([]parsedEvent, 0, len(events))
	for _, e := range events {
		var pe parsedEvent
		switch {
		case e.Introduced != "":
			pe = parsedEvent{kind: 0, raw: e.Introduced}
		case e.Fixed != "":
			pe = parsedEvent{kind: 1, raw: e.Fixed}
		case e.LastAffected != "":
			pe = parsedEvent{kind: 2, raw: e.LastAffected}
		default:
			continue // "limit" only bounds GIT ranges
		}
		if !(pe.kind == 0 && opensAtZero(pe.raw)) {
			v, err := qv.cache.parse(order, NormalizeVersion(order, pe.raw))
			if err != nil {
				return false, "", true // a range we cannot read proves nothing
			}
			pe.v = v
		}
		evs = append(evs, pe)
	}
	// On equal versions a closing event sorts first, so [1,2) and [2,3)
	// together still cover 2.
	slices.SortStableFunc(evs, func(x, y parsedEvent) int {
		switch {
		case x.v == nil && y.v == nil:
			return 0
		case x.v == nil:
			return -1
		case y.v == nil:
			return 1
		}
		if c := x.v.Compare(y.v); c != 0 {
			return c
		}
		return y.kind - x.kind
	})
	affected := false
	for _, e := range evs {
		switch e.kind {
		case 0:
			if e.v == nil || mine.Compare(e.v) >= 0 {
				affected = true
			}
		case 1:
			if mine.Compare(e.v) >= 0 {
				affected = false
			}
		case 2:
			if mine.Compare(e.v) > 0 {
				affected = false
			}
		}
	}
	if !affected {
		return false, "", false
	}
	for _, e := range evs {
		if e.kind == 1 && mine.Compare(e.v) < 0 {
			return true, e.raw, false
		}
		if e.kind == 2 && mine.Compare(e.v) <= 0 {
			return true, "", false
		}
	}
	return true, "", false
}
