package osv

import (
	"strings"

	cvss20 "github.com/pandatix/go-cvss/20"
	cvss30 "github.com/pandatix/go-cvss/30"
	cvss31 "github.com/pandatix/go-cvss/31"
	cvss40 "github.com/pandatix/go-cvss/40"

	"github.com/tollgate-dev/tollgate/scanner"
)

// Rated is a severity with where it came from.
type Rated struct {
	// Severity is a scanner.Severity* value; empty when the record rates nothing.
	Severity string
	// Score is the CVSS base score, 0 when the rating is a word.
	Score float64
	// Vector is the CVSS vector or the record's word the rating rests on.
	Vector string
}

// RateVuln rates a record, preferring (per OSV field order) a CVSS v4 vector,
// then v3, then v2, then the database's own severity word. aff, if not nil,
// is the affected entry that matched; its own severities count too.
func RateVuln(v *Vuln, aff *Affected) Rated {
	sevs := append([]Severity(nil), v.Severity...)
	if aff != nil {
		sevs = append(sevs, aff.Severity...)
	}
	for _, typ := range []string{"CVSS_V4", "CVSS_V3", "CVSS_V2"} {
		best := Rated{}
		for _, s := range sevs {
			if s.Type != typ {
				continue
			}
			if score, ok := cvssScore(s.Score); ok && (best.Severity == "" || score > best.Score) {
				best = Rated{Severity: ratingOf(score), Score: score, Vector: s.Score}
			}
		}
		if best.Severity != "" {
			return best
		}
	}
	words := []string{v.DatabaseSpecific.Severity}
	if aff != nil {
		words = append(words, aff.EcosystemSpecific.Severity, aff.DatabaseSpecific.Severity)
	}
	for _, s := range sevs {
		if s.Type == "Ubuntu" || s.Type == "" {
			words = append(words, s.Score)
		}
	}
	for _, w := range words {
		if sev := severityWord(w); sev != "" {
			return Rated{Severity: sev, Vector: w}
		}
	}
	return Rated{}
}

// cvssScore computes a vector's base score with go-cvss.
func cvssScore(vector string) (float64, bool) {
	vector = strings.TrimSpace(vector)
	switch {
	case strings.HasPrefix(vector, "CVSS:4.0/"):
		c, err := cvss40.ParseVector(vector)
		if err != nil {
			return 0, false
		}
		return c.Score(), true
	case strings.HasPrefix(vector, "CVSS:3.1/"):
		c, err := cvss31.ParseVector(vector)
		if err != nil {
			return 0, false
		}
		return c.BaseScore(), true
	case strings.HasPrefix(vector, "CVSS:3.0/"):
		c, err := cvss30.ParseVector(vector)
		if err != nil {
			return 0, false
		}
		return c.BaseScore(), true
	case strings.HasPrefix(vector, "AV:"):
		c, err := cvss20.ParseVector(vector)
		if err != nil {
			return 0, false
		}
		return c.BaseScore(), true
	}
	return 0, false
}

// ratingOf maps a CVSS score to the qualitative scale shared by v3 and v4.
func ratingOf(score float64) string {
	switch {
	case score >= 9.0:
		return scanner.SeverityCritical
	case score >= 7.0:
		return scanner.SeverityHigh
	case score >= 4.0:
		return scanner.SeverityMedium
	case score > 0:
		return scanner.SeverityLow
	}
	return scanner.SeverityInfo
}

func severityWord(w string) string {
	switch strings.ToUpper(strings.TrimSpace(w)) {
	case "CRITICAL":
		return scanner.SeverityCritical
	case "HIGH", "IMPORTANT":
		return scanner.SeverityHigh
	case "MODERATE", "MEDIUM":
		return scanner.SeverityMedium
	case "LOW", "NEGLIGIBLE":
		return scanner.SeverityLow
	}
	return ""
}
