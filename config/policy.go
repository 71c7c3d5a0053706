package config

import (
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/bmatcuk/doublestar/v4"
	"github.com/package-url/packageurl-go"
	"github.com/tollgate-dev/tollgate/scanner"
)

// Outcome is what the policy made of a scan's findings.
type Outcome struct {
	// Kept are the findings that stand.
	Kept []scanner.Finding
	// Suppressed are findings silenced by an ignore or an allowlist.
	Suppressed []scanner.Finding
	// Notes say which ignores expired and which matched nothing.
	Notes []string
}

// Apply applies ignores and allowlists to findings at time now. An expired
// ignore no longer silences anything and says so; an ignore that matched no
// finding is reported so that it can be removed.
func (c *Config) Apply(findings []scanner.Finding, now time.Time) Outcome {
	var out Outcome
	used := make([]bool, len(c.Ignore))
	expiredHit := make([]bool, len(c.Ignore))
	allowedSecrets := map[string]bool{}
	for _, s := range c.Allow.Secrets {
		allowedSecrets[strings.TrimPrefix(s, "fingerprint:")] = true
	}
	for _, f := range findings {
		if c.allowedPath(f.Path) || (strings.HasPrefix(f.RuleID, "secret/") && allowedSecrets[f.Fingerprint]) {
			out.Suppressed = append(out.Suppressed, f)
			continue
		}
		silenced := false
		for i, ig := range c.Ignore {
			if !ig.matches(f) {
				continue
			}
			if now.After(ig.Expires) {
				expiredHit[i] = true
				continue
			}
			used[i] = true
			silenced = true
		}
		if silenced {
			out.Suppressed = append(out.Suppressed, f)
			continue
		}
		out.Kept = append(out.Kept, f)
	}
	for i, ig := range c.Ignore {
		where := fmt.Sprintf("%s:%d", c.Path, ig.Line)
		switch {
		case now.After(ig.Expires) && expiredHit[i]:
			out.Notes = append(out.Notes, fmt.Sprintf("ignore for %s (%s) expired on %s and no longer applies: fix the finding or renew the ignore with a reason", ig.Describe(), where, ig.Until))
		case now.After(ig.Expires):
			out.Notes = append(out.Notes, fmt.Sprintf("ignore for %s (%s) expired on %s and matches nothing: remove it", ig.Describe(), where, ig.Until))
		case !used[i]:
			out.Notes = append(out.Notes, fmt.Sprintf("ignore for %s (%s) matches no finding: remove it", ig.Describe(), where))
		}
	}
	return out
}

func (c *Config) allowedPath(p string) bool {
	for _, g := range c.Allow.Paths {
		if ok, _ := doublestar.Match(g, p); ok {
			return true
		}
	}
	return false
}

// Excluded reports whether a slash-separated path matches an exclude glob
// (a directory matches when the glob matches it or it with "/**").
func (c *Config) Excluded(p string) bool {
	for _, g := range c.Exclude {
		if ok, _ := doublestar.Match(g, p); ok {
			return true
		}
		if ok, _ := doublestar.Match(strings.TrimSuffix(g, "/**"), p); ok && strings.HasSuffix(g, "/**") {
			return true
		}
	}
	return false
}

// matches reports whether the ignore covers f, ignoring its expiry.
func (ig Ignore) matches(f scanner.Finding) bool {
	if ig.ID != "" && !slices.ContainsFunc(f.IDs, func(id string) bool { return strings.EqualFold(id, ig.ID) }) {
		return false
	}
	if ig.Rule != "" && ig.Rule != f.RuleID {
		return false
	}
	if ig.Package != "" && !packageMatches(ig.Package, f.Package) {
		return false
	}
	if ig.Path != "" {
		if ok, _ := doublestar.Match(ig.Path, f.Path); !ok {
			return false
		}
	}
	return true
}

// packageMatches compares purls; an ignore without a version covers every
// version ("pkg:npm/lodahs" covers "pkg:npm/lodahs@1.0.0").
func packageMatches(want, got string) bool {
	w, err1 := packageurl.FromString(want)
	g, err2 := packageurl.FromString(got)
	if err1 != nil || err2 != nil {
		return want == got
	}
	return w.Type == g.Type &&
		strings.EqualFold(w.Namespace, g.Namespace) &&
		strings.EqualFold(w.Name, g.Name) &&
		(w.Version == "" || w.Version == g.Version)
}
