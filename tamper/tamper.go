// Package tamper is the check for lockfile entries whose artifact changed
// without a version change (the 3CX pattern: what arrives differs from what was
// reviewed): a new integrity hash for the same name and version, or a new
// download host.
package tamper

import (
	"context"
	"fmt"
	"net/url"
	"strings"

	"github.com/tollgate-dev/tollgate/lockfiles"
	"github.com/tollgate-dev/tollgate/scanner"
)

// Rule ids.
const (
	RuleIntegrityChanged = "integrity-changed"
	RuleHostChanged      = "download-host-changed"
)

// Check is the "tamper" check. It needs a delta, so it reports only in
// pull-request mode.
type Check struct{}

// ID implements scanner.Check.
func (Check) ID() string { return "tamper" }

// Rules implements scanner.Check.
func (Check) Rules() []scanner.Rule {
	return []scanner.Rule{
		{
			ID:        RuleIntegrityChanged,
			Name:      "IntegrityChanged",
			Short:     "A locked package's integrity hash changed while its version stayed the same.",
			Full:      "The lockfile now pins different bytes for a package version that was already locked. Registries do not let a published version change, so a new hash for the same version means a different artifact: a re-published or tampered package, a different registry or mirror, or an edited lockfile.",
			Help:      "Find out why the hash changed before merging: compare the old and new artifacts, check which registry served them, and regenerate the lockfile from the official registry. Do not merge a lockfile whose hashes changed without an explanation.",
			Severity:  scanner.SeverityHigh,
			Precision: scanner.PrecisionHigh,
			Tags:      []string{"tampering", "lockfile"},
		},
		{
			ID:        RuleHostChanged,
			Name:      "DownloadHostChanged",
			Short:     "A locked package is now downloaded from a different host.",
			Full:      "The lockfile entry's download URL moved to another host. Lockfile edits that point a package at an attacker's server keep the name and version a reviewer expects while changing what is installed.",
			Help:      "Check that the new host is a registry or mirror your organisation uses; if not, regenerate the lockfile against the official registry.",
			Severity:  scanner.SeverityHigh,
			Precision: scanner.PrecisionMedium,
			Tags:      []string{"tampering", "lockfile"},
		},
	}
}

// Run implements scanner.Check.
func (Check) Run(_ context.Context, in *scanner.Input) ([]scanner.Finding, []scanner.Skipped, error) {
	var out []scanner.Finding
	for _, c := range in.Changes {
		if c.Previous == nil {
			continue
		}
		p, prev := c.Package, *c.Previous
		if c.Kind == lockfiles.ChangeRehashed && prev.Integrity != "" && p.Integrity != "" && prev.Integrity != p.Integrity {
			out = append(out, scanner.Finding{
				RuleID:   RuleIntegrityChanged,
				Severity: scanner.SeverityHigh,
				Message: fmt.Sprintf("%s %s %s: the integrity hash changed from %s to %s while the version stayed the same; the artifact differs from the one locked before.",
					p.Ecosystem, p.Name, p.Version, abbreviate(prev.Integrity), abbreviate(p.Integrity)),
				Path:        p.Path,
				Line:        p.Line,
				Package:     p.PURL,
				Evidence:    abbreviate(prev.Integrity) + " -> " + abbreviate(p.Integrity),
				Fingerprint: scanner.Fingerprint(RuleIntegrityChanged, p.Path, p.PURL, p.Integrity),
			})
		}
		if (c.Kind == lockfiles.ChangeRehashed || c.Kind == lockfiles.ChangeUpdated) && p.Source == "" {
			oldHost, newHost := host(prev.Resolved), host(p.Resolved)
			if oldHost != "" && newHost != "" && oldHost != newHost && !sameRegistry(oldHost, newHost) {
				out = append(out, scanner.Finding{
					RuleID:   RuleHostChanged,
					Severity: scanner.SeverityHigh,
					Message: fmt.Sprintf("%s %s %s is now downloaded from %s instead of %s.",
						p.Ecosystem, p.Name, p.Version, newHost, oldHost),
					Path:        p.Path,
					Line:        p.Line,
					Package:     p.PURL,
					Evidence:    oldHost + " -> " + newHost,
					Fingerprint: scanner.Fingerprint(RuleHostChanged, p.Path, p.PURL, newHost),
				})
			}
		}
	}
	return out, nil, nil
}

// sameRegistry treats npm's two official hostnames as one: yarn writes
// registry.yarnpkg.com for what npm writes as registry.npmjs.org, and a
// switch between the package managers is not a tampering signal.
func sameRegistry(a, b string) bool {
	official := map[string]bool{"registry.npmjs.org": true, "registry.yarnpkg.com": true}
	return official[a] && official[b]
}

func host(resolved string) string {
	if resolved == "" {
		return ""
	}
	u, err := url.Parse(resolved)
	if err != nil || u.Host == "" {
		return ""
	}
	return strings.ToLower(u.Hostname())
}

// abbreviate shortens a hash for messages to its first 20 characters.
func abbreviate(h string) string {
	if len(h) <= 20 {
		return h
	}
	return h[:20] + "…"
}
