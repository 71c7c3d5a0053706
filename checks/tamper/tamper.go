// Package tamper is the check for lockfile entries whose artifact changed
// without a version change (the 3CX pattern: what arrives differs from what was
// reviewed): a new integrity hash for the same name and version, or a new
// download host; and for entries downloaded where they should not be: over
// an unauthenticated transport (http://, git://), or from a host outside the
// config's allowed-registries.
package tamper

import (
	"context"
	"fmt"
	"net"
	"strings"
	"time"

	"github.com/tollgate-dev/tollgate/checks"
	"github.com/tollgate-dev/tollgate/lockfiles"
	"github.com/tollgate-dev/tollgate/scanner"
)

// Rule ids.
const (
	RuleIntegrityChanged = "integrity-changed"
	RuleHostChanged      = "download-host-changed"
	RuleInsecureURL      = "insecure-download-url"
	RuleHostNotAllowed   = "registry-not-allowed"
)

// Check is the "tamper" check. The two change rules need a delta, so they
// report only in pull-request mode; the download rules judge the packages
// checked (those a pull request introduces, or all of them in a sweep).
type Check struct {
	// AllowedHosts, when not empty, lists the hosts lockfile entries may be
	// downloaded from (config allowed-registries): "registry.npmjs.org", or
	// "*.example.com" for a domain and its subdomains.
	AllowedHosts []string
}

// ID is the check's id in config.
const ID = "tamper"

// Entry registers the check in checks/all.
func Entry() checks.Entry {
	return checks.Entry{
		ID:      ID,
		Summary: "lockfile entries whose artifact changed without a version change, or that download over an insecure transport or from a host not allowed",
		Budget:  time.Minute,
		New: func(_ context.Context, d checks.Deps) (scanner.Check, error) {
			return Check{AllowedHosts: d.Config.AllowedRegistries}, nil
		},
	}
}

// ID implements scanner.Check.
func (Check) ID() string { return ID }

// Needs implements scanner.Check: the lockfiles alone.
func (Check) Needs() scanner.Needs { return scanner.Needs{} }

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
		{
			ID:        RuleInsecureURL,
			Name:      "InsecureDownloadURL",
			Short:     "A locked package is downloaded over an unauthenticated transport (http:// or git://).",
			Full:      "The lockfile entry's download URL uses plain HTTP or the git:// protocol, which anyone on the network path can answer. With an integrity hash the package manager still rejects swapped bytes (medium); without one, whatever arrives is installed (high).",
			Help:      "Regenerate the lockfile against the https:// registry (npm config set registry https://registry.npmjs.org/), or change the URL to https://.",
			Severity:  scanner.SeverityHigh,
			Precision: scanner.PrecisionHigh,
			Tags:      []string{"tampering", "lockfile", "transport"},
		},
		{
			ID:        RuleHostNotAllowed,
			Name:      "RegistryNotAllowed",
			Short:     "A locked package is downloaded from a host outside the config's allowed-registries.",
			Full:      "The policy lists the registries and mirrors packages may come from, and this lockfile entry points elsewhere: a lockfile edited to fetch from another server, a dependency from a personal git host, or a mirror missing from the list.",
			Help:      "Regenerate the lockfile against an allowed registry, or, if the host is legitimate, add it to allowed-registries in the config.",
			Severity:  scanner.SeverityHigh,
			Precision: scanner.PrecisionHigh,
			Tags:      []string{"tampering", "lockfile", "policy"},
		},
	}
}

// Run implements scanner.Check.
func (c Check) Run(_ context.Context, in *scanner.Input) ([]scanner.Finding, []scanner.Skipped, error) {
	out := changeFindings(in.Changes)
	for i := range in.Packages {
		out = append(out, c.downloadFindings(&in.Packages[i])...)
	}
	return out, nil, nil
}

// changeFindings reports re-hashed and re-hosted entries of a delta.
func changeFindings(changes []lockfiles.Change) []scanner.Finding {
	var out []scanner.Finding
	for _, c := range changes {
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
			_, oldHost := lockfiles.DownloadHost(prev.Resolved)
			_, newHost := lockfiles.DownloadHost(p.Resolved)
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
	return out
}

// downloadFindings judges where one package is downloaded from.
func (c Check) downloadFindings(p *lockfiles.Package) []scanner.Finding {
	if p.Source == lockfiles.SourceLocal || p.Resolved == "" {
		return nil
	}
	scheme, h := lockfiles.DownloadHost(p.Resolved)
	if h == "" {
		return nil
	}
	who := fmt.Sprintf("%s %s %s", p.Ecosystem, p.Name, p.Version)
	if p.Version == "" {
		who = fmt.Sprintf("%s %s", p.Ecosystem, p.Name)
	}
	var out []scanner.Finding
	if (scheme == "http" || scheme == "git" || scheme == "git+http") && !loopback(h) {
		sev, why := scanner.SeverityHigh, "no integrity hash is locked, so whatever the network returns is installed"
		if p.Integrity != "" {
			sev, why = scanner.SeverityMedium, "the locked integrity hash still guards the bytes, but the transport does not"
		}
		out = append(out, scanner.Finding{
			RuleID:      RuleInsecureURL,
			Severity:    sev,
			Message:     fmt.Sprintf("%s is downloaded over %s:// from %s: %s. Use https://.", who, scheme, h, why),
			Path:        p.Path,
			Line:        p.Line,
			Package:     p.PURL,
			Evidence:    scheme + "://" + h,
			Fingerprint: scanner.Fingerprint(RuleInsecureURL, p.Path, p.PURL, scheme+"://"+h),
		})
	}
	if len(c.AllowedHosts) > 0 && !allowed(h, c.AllowedHosts) {
		out = append(out, scanner.Finding{
			RuleID:      RuleHostNotAllowed,
			Severity:    scanner.SeverityHigh,
			Message:     fmt.Sprintf("%s is downloaded from %s, which is not in allowed-registries (%s).", who, h, strings.Join(c.AllowedHosts, ", ")),
			Path:        p.Path,
			Line:        p.Line,
			Package:     p.PURL,
			Evidence:    h,
			Fingerprint: scanner.Fingerprint(RuleHostNotAllowed, p.Path, p.PURL, h),
		})
	}
	return out
}

// allowed reports whether host matches an entry of list: the host itself,
// "*.domain" for the domain and its subdomains, and npm's two official
// hostnames for each other.
func allowed(host string, list []string) bool {
	for _, a := range list {
		a = strings.ToLower(strings.TrimSpace(a))
		if rest, ok := strings.CutPrefix(a, "*."); ok {
			if host == rest || strings.HasSuffix(host, "."+rest) {
				return true
			}
			continue
		}
		if host == a || sameRegistry(host, a) {
			return true
		}
	}
	return false
}

// loopback reports whether host is this machine (a local registry such as
// verdaccio in tests), where plain HTTP crosses no network.
func loopback(host string) bool {
	if host == "localhost" || strings.HasSuffix(host, ".localhost") {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}

// sameRegistry treats npm's two official hostnames as one: yarn writes
// registry.yarnpkg.com for what npm writes as registry.npmjs.org, and a
// switch between the package managers is not a tampering signal.
func sameRegistry(a, b string) bool {
	official := map[string]bool{"registry.npmjs.org": true, "registry.yarnpkg.com": true}
	return official[a] && official[b]
}

// abbreviate shortens a hash for messages to its first 20 characters.
func abbreviate(h string) string {
	if len(h) <= 20 {
		return h
	}
	return h[:20] + "…"
}
