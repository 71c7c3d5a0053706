package report

import (
	"slices"
	"sort"
	"strconv"
	"strings"

	"github.com/package-url/packageurl-go"

	"github.com/tollgate-dev/tollgate/scanner"
)

// Kind is what a finding is about, for grouping in reports: the text output,
// the job summary and the pull-request comment group by it.
type Kind string

// Kinds of findings, in report order (most urgent first).
const (
	KindMalicious  Kind = "malicious"
	KindVulnerable Kind = "vulnerable"
	KindTampering  Kind = "tampering"
	KindConfusion  Kind = "confusion"
	KindTyposquat  Kind = "typosquat"
	KindRepojack   Kind = "repojack"
	KindBinary     Kind = "binary"
	KindSecret     Kind = "secret"
	KindPolicy     Kind = "policy"
	KindUnreadable Kind = "unreadable"
	KindOther      Kind = "other"
)

// Kinds lists every kind in report order.
var Kinds = []Kind{KindMalicious, KindVulnerable, KindTampering, KindConfusion, KindTyposquat, KindRepojack, KindBinary, KindSecret, KindPolicy, KindUnreadable, KindOther}

// kindTags maps rule tags (scanner.Rule.Tags) to kinds, in precedence order:
// a rule tagged both "tampering" and "policy" (registry-not-allowed) is
// tampering, since what it finds is a lockfile pointing elsewhere.
var kindTags = []struct {
	tag  string
	kind Kind
}{
	{"malware", KindMalicious},
	{"vulnerability", KindVulnerable},
	{"tampering", KindTampering},
	{"dependency-confusion", KindConfusion},
	{"typosquat", KindTyposquat},
	{"repojacking", KindRepojack},
	{"github-actions", KindRepojack},
	{"binary-artifact", KindBinary},
	{"secret", KindSecret},
	{"policy", KindPolicy},
}

// KindOf says what kind of finding f is: from its rule's tags first, then
// from the shape of its rule id (secret/..., ...-lockfile) for rules a
// result does not describe. A rule tagged only "lockfile" whose finding
// names no package is about the lockfile itself: unreadable.
func KindOf(f scanner.Finding, rules map[string]scanner.Rule) Kind {
	r, known := rules[f.RuleID]
	for _, kt := range kindTags {
		if slices.Contains(r.Tags, kt.tag) {
			return kt.kind
		}
	}
	id := f.RuleID
	switch {
	case strings.HasPrefix(id, "secret/"):
		return KindSecret
	case strings.Contains(id, "unreadable"), known && f.Package == "" && slices.Contains(r.Tags, "lockfile"):
		return KindUnreadable
	case known:
		return KindOther
	// A rule the result does not describe (a result read back from JSON,
	// which carries no rules): the words of its id.
	case strings.Contains(id, "malicious"):
		return KindMalicious
	case strings.Contains(id, "vulnerab"):
		return KindVulnerable
	case strings.Contains(id, "confusion"):
		return KindConfusion
	case strings.Contains(id, "policy"):
		return KindPolicy
	}
	return KindOther
}

// IsPackageKind says whether findings of kind k are about package versions
// (reported per lockfile, one row per package version).
func IsPackageKind(k Kind) bool {
	switch k {
	case KindMalicious, KindVulnerable, KindTampering, KindConfusion, KindTyposquat, KindRepojack:
		return true
	}
	return false
}

// KindTitle names a kind as a report heading ("Malicious packages").
func KindTitle(k Kind) string {
	switch k {
	case KindMalicious:
		return "Malicious packages"
	case KindVulnerable:
		return "Vulnerable packages"
	case KindTampering:
		return "Tampering"
	case KindConfusion:
		return "Dependency confusion"
	case KindTyposquat:
		return "Typosquats"
	case KindRepojack:
		return "GitHub homes and Actions refs"
	case KindBinary:
		return "Binary artifacts"
	case KindSecret:
		return "Secrets"
	case KindPolicy:
		return "Policy changes"
	case KindUnreadable:
		return "Unreadable lockfiles"
	}
	return "Other findings"
}

// KindCount says how many of a kind there are, as the verdict line reads
// ("2 malicious packages", "1 secret").
func KindCount(k Kind, n int) string {
	one, many := "other finding", "other findings"
	switch k {
	case KindMalicious:
		one, many = "malicious package", "malicious packages"
	case KindVulnerable:
		one, many = "vulnerable package", "vulnerable packages"
	case KindTampering:
		one, many = "tampered package", "tampered packages"
	case KindConfusion:
		one, many = "dependency-confusion package", "dependency-confusion packages"
	case KindTyposquat:
		one, many = "possible typosquat", "possible typosquats"
	case KindRepojack:
		one, many = "GitHub home or Actions ref", "GitHub homes or Actions refs"
	case KindBinary:
		one, many = "binary artifact", "binary artifacts"
	case KindSecret:
		one, many = "secret", "secrets"
	case KindPolicy:
		one, many = "policy change", "policy changes"
	case KindUnreadable:
		one, many = "unreadable lockfile", "unreadable lockfiles"
	}
	if n == 1 {
		return "1 " + one
	}
	return strconv.Itoa(n) + " " + many
}

// kindAdvice is the per-kind line of what to do, where one line fits every
// rule of the kind better than the rule's own help.
func kindAdvice(k Kind) string {
	switch k {
	case KindMalicious:
		return "Remove the package and regenerate the lockfile; treat every machine and CI runner that installed it as compromised and rotate the credentials it could read."
	case KindConfusion:
		return "Do not merge: pin the internal registry for the name, regenerate the lockfile, and find out who published the public package."
	case KindTyposquat:
		return "Check that each name is the one you meant; if it is a typo, replace it and treat machines that installed it as compromised."
	case KindSecret:
		return "Rotate the secret first; removing it from the tip of the branch does not un-leak it (it stays in the pushed history)."
	}
	return ""
}

// Advice is what to do about findings of kind k: the kind's own line, or
// else the first sentence of each distinct rule's help, in order.
func Advice(k Kind, findings []scanner.Finding, rules map[string]scanner.Rule) []string {
	if a := kindAdvice(k); a != "" {
		return []string{a}
	}
	var out []string
	for _, f := range findings {
		if s := FirstSentence(rules[f.RuleID].Help); s != "" && !slices.Contains(out, s) {
			out = append(out, s)
		}
	}
	return out
}

// FirstSentence is the first sentence of a rule's markdown help as plain
// text: emphasis and code marks dropped.
func FirstSentence(help string) string {
	s := strings.NewReplacer("**", "", "`", "").Replace(strings.TrimSpace(help))
	if i := strings.Index(s, ". "); i >= 0 {
		s = s[:i+1]
	}
	return strings.TrimSpace(s)
}

// Entry is one row of a report: every finding of one kind about one package
// version in one lockfile (findings are already one per rule and
// name@version per lockfile, so several rules or advisories about the same
// version become one entry), or one finding not about a package.
type Entry struct {
	Kind Kind
	// Package is the purl ("" for a finding not about a package); Path and
	// Line the first place, Also the further ones (install locations).
	Package string
	Path    string
	Line    int
	Also    []scanner.Location
	// Severity is the most severe of Findings.
	Severity string
	// Findings are most severe first; IDs are their advisory ids, each once.
	Findings []scanner.Finding
	IDs      []string
}

// Entries groups a result's findings into entries, most severe first, then
// by path, line and package; within a lockfile the rows of one kind are
// therefore in severity order.
func Entries(res *scanner.Result) []*Entry {
	type key struct {
		kind      Kind
		path, pkg string
	}
	at := map[key]*Entry{}
	var out []*Entry
	for _, f := range res.Findings {
		k := key{KindOf(f, res.Rules), f.Path, f.Package}
		e := at[k]
		if e == nil || f.Package == "" {
			e = &Entry{Kind: k.kind, Package: f.Package, Path: f.Path, Line: f.Line}
			out = append(out, e)
			if f.Package != "" {
				at[k] = e
			}
		}
		e.Findings = append(e.Findings, f)
	}
	for _, e := range out {
		scanner.SortFindings(e.Findings)
		e.Severity = e.Findings[0].Severity
		seenLoc := map[scanner.Location]bool{}
		var locs []scanner.Location
		for _, f := range e.Findings {
			for _, id := range f.IDs {
				if !slices.Contains(e.IDs, id) {
					e.IDs = append(e.IDs, id)
				}
			}
			for _, l := range append([]scanner.Location{{Path: f.Path, Line: f.Line}}, f.Locations...) {
				if !seenLoc[l] {
					seenLoc[l] = true
					locs = append(locs, l)
				}
			}
		}
		sort.SliceStable(locs, func(i, j int) bool {
			if locs[i].Path != locs[j].Path {
				return locs[i].Path < locs[j].Path
			}
			return locs[i].Line < locs[j].Line
		})
		// The first place is the earliest line in the entry's own file.
		first := -1
		for i, l := range locs {
			if l.Path == e.Path && (first < 0 || locs[first].Line == 0) {
				first = i
			}
		}
		if first >= 0 {
			e.Line = locs[first].Line
			locs = slices.Delete(locs, first, first+1)
		}
		e.Also = locs
	}
	sort.SliceStable(out, func(i, j int) bool {
		a, b := out[i], out[j]
		if ra, rb := scanner.SeverityRank(a.Severity), scanner.SeverityRank(b.Severity); ra != rb {
			return ra > rb
		}
		if a.Path != b.Path {
			return a.Path < b.Path
		}
		if a.Line != b.Line {
			return a.Line < b.Line
		}
		return a.Package < b.Package
	})
	return out
}

// PackageParts splits a purl for display: the purl type (npm, pypi, ...),
// the name with its namespace ("@types/node", "github.com/x/y",
// "org.apache:commons") and the version. A purl that does not parse is its
// own name.
func PackageParts(purl string) (typ, name, version string) {
	p, err := packageurl.FromString(purl)
	if err != nil {
		return "", purl, ""
	}
	name = p.Name
	if p.Namespace != "" {
		sep := "/"
		if p.Type == packageurl.TypeMaven {
			sep = ":"
		}
		name = p.Namespace + sep + p.Name
	}
	return p.Type, name, p.Version
}
