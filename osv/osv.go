// Package osv looks packages up in OSV (https://osv.dev) data: offline in a
// directory of OSV JSON records and per-ecosystem all.zip exports (LoadDB),
// or online through the OSV API (Client). Both implement Source, and the
// "osv" check (NewCheck) turns their answers into malicious-package and
// vulnerable-package findings.
package osv

import (
	"context"
	"encoding/json"
	"strings"
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
	Severity      string   `json:"severity,omitempty"`
	Informational string   `json:"informational,omitempty"`
	CWEIDs        []string `json:"cwe_ids,omitempty"`
}

// UnmarshalJSON reads severity and informational when they are strings,
// cwe_ids when it is a list of strings, and ignores everything else.
func (d *DatabaseSpecific) UnmarshalJSON(b []byte) error {
	var m map[string]json.RawMessage
	if json.Unmarshal(b, &m) != nil {
		return nil
	}
	if raw, ok := m["cwe_ids"]; ok {
		var ids []string
		if json.Unmarshal(raw, &ids) == nil {
			d.CWEIDs = ids
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

// CWEEmbeddedMalware is CWE-506, Embedded Malicious Code: GitHub's
// reviewed advisories for hijacked releases (ua-parser-js 0.7.29,
// event-stream's flatmap-stream) carry it instead of a MAL- alias.
const CWEEmbeddedMalware = "CWE-506"

// IsMalicious reports whether the record is a malicious-package record: an
// OSV MAL- record (by id or alias) or an advisory classed as CWE-506,
// embedded malicious code.
func (v *Vuln) IsMalicious() bool {
	if strings.HasPrefix(v.ID, "MAL-") {
		return true
	}
	for _, cwe := range v.DatabaseSpecific.CWEIDs {
		if strings.EqualFold(strings.TrimSpace(cwe), CWEEmbeddedMalware) {
			return true
		}
	}
	for _, a := range v.Aliases {
		if strings.HasPrefix(a, "MAL-") {
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
