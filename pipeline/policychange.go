package pipeline

import (
	"fmt"
	"strings"
	"time"

	"github.com/tollgate-dev/tollgate/checks"
	"github.com/tollgate-dev/tollgate/config"
	"github.com/tollgate-dev/tollgate/diff"
	"github.com/tollgate-dev/tollgate/scanner"
	"github.com/tollgate-dev/tollgate/secrets"
)

// RulePolicyChanged is reported when the change under review edits the
// policy files (config, secrets baseline) that judge it.
const RulePolicyChanged = "policy-changed"

var policyChangedRule = scanner.Rule{
	ID:    RulePolicyChanged,
	Name:  "PolicyChanged",
	Short: "The change edits the policy that judges it",
	Full: "A pull request that edits .github/tollgate.yml or the secrets baseline could switch off the gate that judges it. " +
		"tollgate applies the base revision's policy instead and reports the change; the new policy takes effect once merged.",
	Help: "Review the policy change with the same care as code: each weakening named in the message (a check turned off, " +
		"fail-on raised, an ignore or allowlist widened, a database or URL changed, secrets accepted) lets something through once merged.",
	Severity:  scanner.SeverityHigh,
	Precision: scanner.PrecisionVeryHigh,
	Tags:      []string{"security", "policy"},
}

// policyChanges compares the head's policy files with the base's: a
// weakening is a high finding naming each one, another change an info
// finding; a head config that does not parse is a high finding (the scan
// used the base's).
func policyChanges(cs *diff.ChangeSet, cfgFile, baseFile policyFile, base *config.Config, baseBaseline *secrets.Baseline, reg checks.Registry) []scanner.Finding {
	var out []scanner.Finding
	finding := func(file policyFile, weak []string, other string) scanner.Finding {
		f := scanner.Finding{RuleID: RulePolicyChanged, Path: file.repoPath, Line: firstAdded(cs, file.repoPath)}
		if len(weak) > 0 {
			f.Severity = scanner.SeverityHigh
			f.Message = fmt.Sprintf("This change weakens the policy that judges it (%s): %s. This scan applied the base revision's policy; the change takes effect once merged.", file.repoPath, strings.Join(weak, "; "))
			f.Evidence = strings.Join(weak, "; ")
		} else {
			f.Severity = scanner.SeverityInfo
			f.Message = fmt.Sprintf("This change edits the policy that judges it (%s)%s; nothing in it weakens the policy. This scan applied the base revision's policy.", file.repoPath, other)
		}
		f.Fingerprint = scanner.Fingerprint(RulePolicyChanged, file.repoPath, f.Evidence)
		return f
	}
	if cfgFile.repoPath != "" && changed(cs, cfgFile.repoPath) {
		data, ok, err := cfgFile.read(cs.HeadFS, config.MaxSize)
		var head *config.Config
		if err == nil {
			head = config.Default()
			if ok {
				head, err = config.Parse(cfgFile.repoPath, data, reg.IDs())
			}
		}
		switch {
		case err != nil:
			out = append(out, finding(cfgFile, []string{"the changed config cannot be used: " + err.Error()}, ""))
		default:
			out = append(out, finding(cfgFile, config.Weakenings(base, head), ""))
		}
	}
	if baseFile.repoPath != "" && changed(cs, baseFile.repoPath) {
		data, ok, err := baseFile.read(cs.HeadFS, maxBaselineSize)
		var head *secrets.Baseline
		if err == nil && ok {
			head, err = secrets.LoadBaseline(strings.NewReader(string(data)))
		}
		switch {
		case err != nil:
			out = append(out, finding(baseFile, []string{"the changed baseline cannot be used: " + err.Error()}, ""))
		case head.AddedTo(baseBaseline) > 0:
			out = append(out, finding(baseFile, []string{fmt.Sprintf("the baseline accepts %d more secret(s)", head.AddedTo(baseBaseline))}, ""))
		default:
			out = append(out, finding(baseFile, nil, ", removing accepted secrets"))
		}
	}
	return out
}

// changed reports whether the change set touches p.
func changed(cs *diff.ChangeSet, p string) bool {
	for _, f := range cs.Files {
		if f.Path == p || f.OldPath == p {
			return true
		}
	}
	return false
}

// firstAdded is the first line the change adds to p, or 1 (GitHub shows an
// alert on a pull request only on a line of its diff).
func firstAdded(cs *diff.ChangeSet, p string) int {
	if f := cs.File(p); f != nil && len(f.Added) > 0 {
		return f.Added[0].Number
	}
	return 1
}

func nowOr(t time.Time) time.Time {
	if t.IsZero() {
		return time.Now()
	}
	return t
}
