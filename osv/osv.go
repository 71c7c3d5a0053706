// Package osv looks packages up in OSV (https://osv.dev) data: offline in a
// directory of OSV JSON records and per-ecosystem all.zip exports (LoadDB),
// or online through the OSV API (Client). Both implement Source, and the
// "osv" check (NewCheck) turns their answers into malicious-package and
// vulnerable-package findings.
package osv

import (
	"context"
	"encoding/json"
	"regexp"
	"strings"
	"time"
)

// Vuln is one OSV record, reduced to the fields tollgate uses.
// Free-form database_specific data is not kept, except the few keys below.
type Vuln struct {
	ID        string     `json:"id"`
	Modified  string     `json:"modified,omitempty"`
	Published string     `json:"published,omitempty"`
	Withdrawn string     `json:"withdrawn,omitempty"`
	Aliases   []string   `json:"aliases,omitempty"`
	Summary   string     `json:"summary,omitempty"`
	Details   string     `json:"details,omitempty"`
	Severity  []Severity `json:"severity,omitempty"`
	Affected  []Affected `json:"affected,omitempty"`
	// DatabaseSpecific keeps the record's own severity word (GHSA: "HIGH", "MODERATE", ...).
	DatabaseSpecific DatabaseSpecific `json:"database_specific"`
}

// Severity is one OSV severity entry: a CVSS vector or a qualitative word.
type Severity struct {
	Type  string `json:"type"`
	Score string `json:"score"`
}

// Affected lists the versions of one package a record affects.
type Affected struct {
	Package  PackageRef `json:"package"`
	Severity []Severity `json:"severity,omitempty"`
	Ranges   []Range    `json:"ranges,omitempty"`
	Versions []string   `json:"versions,omitempty"`
	// EcosystemSpecific keeps a per-package severity word, where a database gives one.
	EcosystemSpecific DatabaseSpecific `json:"ecosystem_specific"`
	// DatabaseSpecific keeps RUSTSEC's "informational" kind (unmaintained, unsound, notice).
	DatabaseSpecific DatabaseSpecific `json:"database_specific"`
}

// PackageRef names a package in a record.
type PackageRef struct {
	Ecosystem string `json:"ecosystem"`
	Name      string `json:"name"`
	PURL      string `json:"purl,omitempty"`
}

// Range is one OSV range: events in the order of its Type (SEMVER, ECOSYSTEM, GIT).
type Range struct {
	Type   string  `json:"type"`
	Repo   string  `json:"repo,omitempty"`
	Events []Event `json:"events"`
}

// Event is one range event; exactly one field is set.
type Event struct {
	Introduced   string `json:"introduced,omitempty"`
	Fixed        string `json:"fixed,omitempty"`
	LastAffected string `json:"last_affected,omitempty"`
	Limit        string `json:"limit,omitempty"`
}

// DatabaseSpecific holds the few free-form keys tollgate reads. Its decoder
// tolerates any shape: free-form data must never make a record unreadable.
type DatabaseSpecific struct {
	Severity      string `json:"severity,omitempty"`
	Informational string `json:"informational,omitempty"`
	// CWEIDs are the record's CWE ids: GitHub's "cwe_ids" strings, and the
	// "cwes" lists other feeds write (objects with a "cweId", or strings).
	CWEIDs []string `json:"cwe_ids,omitempty"`
	// Kinds are the values of a "category" or "type" key (a string or a list
	// of strings): feeds that class records as malware say so there.
	Kinds []string `json:"kinds,omitempty"`
}

// UnmarshalJSON reads severity and informational when they are strings,
// cwe_ids and cwes when they are lists, category and type when they are
// strings or lists of strings, and ignores everything else.
func (d *DatabaseSpecific) UnmarshalJSON(b []byte) error {
	var m map[string]json.RawMessage
	if json.Unmarshal(b, &m) != nil {
		return nil
	}
	// CWE ids count only as lists: a lone string is not the shape any feed
	// documents, and guessing would turn text into a verdict.
	for _, key := range []string{"cwe_ids", "cwes"} {
		if raw, ok := m[key]; ok {
			d.CWEIDs = append(d.CWEIDs, listOf(raw, "cweId", "cwe_id", "id")...)
		}
	}
	for _, key := range []string{"kinds", "category", "type"} { // kinds: tollgate's reduced form
		if raw, ok := m[key]; ok {
			var one string
			if json.Unmarshal(raw, &one) == nil {
				d.Kinds = append(d.Kinds, one)
			} else {
				d.Kinds = append(d.Kinds, listOf(raw)...)
			}
		}
	}
	for key, dst := range map[string]*string{"severity": &d.Severity, "informational": &d.Informational} {
		if raw, ok := m[key]; ok {
			var s string
			if json.Unmarshal(raw, &s) == nil {
				*dst = s
			}
		}
	}
	return nil
}

// listOf reads raw as a list of strings, or of objects whose first present
// objKey is a string; anything else gives nothing.
func listOf(raw json.RawMessage, objKeys ...string) []string {
	var one string
	var list []json.RawMessage
	if json.Unmarshal(raw, &list) != nil {
		return nil
	}
	var out []string
	for _, item := range list {
		if json.Unmarshal(item, &one) == nil {
			out = append(out, one)
			continue
		}
		var obj map[string]json.RawMessage
		if json.Unmarshal(item, &obj) != nil {
			continue
		}
		for _, k := range objKeys {
			if json.Unmarshal(obj[k], &one) == nil && one != "" {
				out = append(out, one)
				break
			}
		}
	}
	return out
}

// CWEEmbeddedMalware is CWE-506, Embedded Malicious Code: GitHub's
// reviewed advisories for hijacked releases (ua-parser-js 0.7.29,
// event-stream's flatmap-stream) carry it instead of a MAL- alias.
const CWEEmbeddedMalware = "CWE-506"

// maliciousSummary is the OSSF malicious-packages summary convention,
// "Malicious code in <name> (<ecosystem>)", which feeds that copy OSSF
// records keep even when they drop the MAL- id.
var maliciousSummary = regexp.MustCompile(`^Malicious code in \S.* \([^()]+\)\.?$`)

// IsMalicious reports whether the record is a malicious-package record,
// whichever feed it comes from: an OSV MAL- id or alias; CWE-506 (embedded
// malicious code) at record level or in an affected entry; the OSSF summary
// "Malicious code in <name> (<ecosystem>)"; or a database_specific category
// or type that says malware, malicious or dependency confusion.
func (v *Vuln) IsMalicious() bool {
	if strings.HasPrefix(v.ID, "MAL-") {
		return true
	}
	for _, a := range v.Aliases {
		if strings.HasPrefix(a, "MAL-") {
			return true
		}
	}
	if maliciousSummary.MatchString(strings.TrimSpace(v.Summary)) {
		return true
	}
	if v.DatabaseSpecific.marksMalware() {
		return true
	}
	for i := range v.Affected {
		if v.Affected[i].DatabaseSpecific.marksMalware() || v.Affected[i].EcosystemSpecific.marksMalware() {
			return true
		}
	}
	return false
}

// marksMalware reports whether d classes a record as malware: CWE-506, or a
// category/type naming malware, a malicious package or proof of concept, or
// dependency confusion.
func (d *DatabaseSpecific) marksMalware() bool {
	for _, cwe := range d.CWEIDs {
		if strings.EqualFold(strings.TrimSpace(cwe), CWEEmbeddedMalware) {
			return true
		}
	}
	for _, k := range d.Kinds {
		if malwareKind(k) {
			return true
		}
	}
	return false
}

// malwareKind reads one category or type value: "malware", "MALICIOUS",
// "malicious-package", "Malicious proof of concept", "dependency_confusion".
// A negation ("not malicious", "non-malware") is not malware.
func malwareKind(k string) bool {
	k = strings.ToLower(strings.TrimSpace(k))
	k = strings.NewReplacer("-", " ", "_", " ").Replace(k)
	words := strings.Fields(k)
	for i, w := range words {
		if i > 0 && (words[i-1] == "not" || words[i-1] == "non") {
			continue
		}
		switch {
		case w == "malware" || w == "malicious":
			return true
		case w == "confusion" && i > 0 && words[i-1] == "dependency":
			return true
		}
	}
	return false
}

// Query is one package to look up. Version may be empty: then only records
// that affect every version match.
type Query struct {
	Ecosystem string `json:"ecosystem"`
	Name      string `json:"name"`
	Version   string `json:"version"`
}

// Source answers package lookups: the offline *DB and the online *Client.
type Source interface {
	// Lookup returns, for each query in order, the non-withdrawn records that
	// affect it. An error means the answer is unknown, never "clean".
	Lookup(ctx context.Context, queries []Query) ([][]*Vuln, error)
}

// Answer is the detailed answer to one query.
type Answer struct {
	// Vulns are the non-withdrawn records that affect the query, by id.
	Vulns []*Vuln
	// Unreadable are the ids of records that name the package but whose
	// ranges could not be read for the version (an event that does not
	// parse): whether they affect it is unknown.
	Unreadable []string
}

// AnswerSource is a Source that also says which records it could not
// evaluate (the offline databases).
type AnswerSource interface {
	Source
	// Answer is Lookup with the records it could not evaluate.
	Answer(ctx context.Context, queries []Query) ([]Answer, error)
}

// Coverage is implemented by offline databases: the ecosystems they hold
// records for. A query in another ecosystem cannot be answered.
type Coverage interface {
	// Ecosystems lists the ecosystems with at least one record, sorted.
	Ecosystems() []string
}

// RecordSource fetches records by id: the aliases of a record, for its
// severity. Ids it does not hold are left out of the map.
type RecordSource interface {
	Records(ctx context.Context, ids []string) (map[string]*Vuln, error)
}

// Newer reports whether record a is a later copy than b, by their parsed
// "modified" times (RFC 3339); an unparsable time counts as the oldest.
func Newer(a, b *Vuln) bool {
	return ModifiedTime(a.Modified).After(ModifiedTime(b.Modified))
}

// ModifiedTime parses an OSV timestamp, or returns the zero time.
func ModifiedTime(s string) time.Time {
	t, err := time.Parse(time.RFC3339Nano, strings.TrimSpace(s))
	if err != nil {
		return time.Time{}
	}
	return t
}
