package content

import (
	"fmt"

	"github.com/tollgate-dev/tollgate/checks"
	"github.com/tollgate-dev/tollgate/checks/content/analyze"
	"github.com/tollgate-dev/tollgate/checks/content/archive"
	"github.com/tollgate-dev/tollgate/lockfiles"
	"github.com/tollgate-dev/tollgate/scanner"
	engine "github.com/tollgate-dev/tollgate/secrets"
)

// RuleShipsSecret is the rule of a secret inside a package's new files.
const RuleShipsSecret = "package-ships-secret"

// secretPrecisions are the secret rules' precisions reported inside
// packages: a package's tests and docs are full of example values, so only
// rules that are sure of their match speak here.
var secretPrecisions = map[string]bool{scanner.PrecisionVeryHigh: true, scanner.PrecisionHigh: true}

// shippedSecrets runs the secrets engine over the files the new version adds
// and the lines its changed files gain. The clear value never leaves the
// engine: messages carry its redacted form only.
func (c Check) shippedSecrets(p *lockfiles.Package, old, new *archive.Archive, from, verb, suffix string) []scanner.Finding {
	e := c.secretEngine()
	if e == nil {
		return nil
	}
	var out []scanner.Finding
	for _, fl := range analyze.AddedLines(old, new) {
		for _, m := range e.ScanLines(fl.Path, fl.Lines) {
			r, ok := e.Rule(m.RuleID)
			if !ok || !secretPrecisions[r.Precision] || m.InName {
				continue
			}
			what := m.Provider
			if what == "" {
				what = m.RuleID
			}
			out = append(out, scanner.Finding{
				RuleID: RuleShipsSecret, Severity: scanner.SeverityMedium, Path: p.Path, Line: p.Line, Package: p.PURL,
				Message: fmt.Sprintf("%s %s %s%s %s a secret in %s line %d (%s, secret/%s, %s): whoever published the package leaked it, or shipped a stolen one; it should be revoked, and the release is worth a closer look%s.",
					checks.RegistryKey(p.Ecosystem), p.Name, p.Version, from, verb, m.Path, m.Line, what, trimSecretPrefix(m.RuleID), m.Redacted, suffix),
				Evidence:    fmt.Sprintf("%s:%d: secret/%s %s", m.Path, m.Line, trimSecretPrefix(m.RuleID), m.Redacted),
				Fingerprint: scanner.Fingerprint(RuleShipsSecret, p.Path, p.PURL, m.Fingerprint),
			})
		}
	}
	return out
}

func trimSecretPrefix(id string) string {
	if len(id) > 7 && id[:7] == "secret/" {
		return id[7:]
	}
	return id
}

// secretEngine builds the engine once per check (nil when it cannot be
// built: a bad allow pattern is reported by the secrets check itself).
func (c Check) secretEngine() *engine.Engine {
	if c.sec == nil {
		return nil
	}
	c.sec.once.Do(func() {
		c.sec.engine, _ = engine.New(engine.Options{Mask: c.opts.Mask, Allow: engine.Allowlist{Patterns: c.opts.SecretAllow.Patterns, Fingerprints: c.opts.SecretAllow.Fingerprints}})
	})
	return c.sec.engine
}
