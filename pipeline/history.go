package pipeline

import (
	"context"
	"fmt"
	"time"

	"github.com/tollgate-dev/tollgate/checks"
	secretscheck "github.com/tollgate-dev/tollgate/checks/secrets"
	"github.com/tollgate-dev/tollgate/scanner"
	"github.com/tollgate-dev/tollgate/secrets"
)

// AddHistory scans every blob reachable from HEAD of the repository at dir
// for secrets and adds to res what the tree scan did not already report
// (same fingerprint), after the policy. It uses the secrets check's engine
// options (secretscheck.EngineOptions): the same allowlists, patterns,
// baseline and mask as every other secret scan of the run.
func AddHistory(ctx context.Context, dir string, d checks.Deps, now time.Time, res *scanner.Result) error {
	e, err := secrets.New(secretscheck.EngineOptions(d))
	if err != nil {
		return Usagef("%v", err)
	}
	hist, err := secrets.ScanHistory(ctx, dir, e)
	if err != nil {
		return fmt.Errorf("history: %w", err)
	}
	matches := hist.Matches
	if len(hist.TooBig) > 0 {
		res.Skipped = append(res.Skipped, scanner.Skipped{Check: secretscheck.ID, Reason: fmt.Sprintf(
			"history: %d file version(s) over the %d-byte size limit not scanned for secrets: %s", len(hist.TooBig), e.MaxFileSize(), scanner.ListSome(hist.TooBig, 5))})
	}
	seen := map[string]bool{}
	for _, f := range res.Findings {
		seen[f.Fingerprint] = true
	}
	var found []scanner.Finding
	for _, m := range matches {
		if !seen[m.Fingerprint] {
			seen[m.Fingerprint] = true
			found = append(found, e.Finding(m))
		}
	}
	kept := addSecretFindings(res, found, e, d, now)
	res.Notes = append(res.Notes, fmt.Sprintf("history: %d secrets found in past commits that the tree no longer holds", len(kept)))
	return nil
}

// addSecretFindings applies the policy to secrets found beyond the tree
// scan (history, earlier commits), adds what it keeps to res with the
// engine's rules, and returns what it kept.
func addSecretFindings(res *scanner.Result, found []scanner.Finding, e *secrets.Engine, d checks.Deps, now time.Time) []scanner.Finding {
	if now.IsZero() {
		now = time.Now()
	}
	kept := d.Config.Apply(found, now).Kept
	res.Findings = append(res.Findings, kept...)
	scanner.SortFindings(res.Findings)
	if res.Rules == nil {
		res.Rules = map[string]scanner.Rule{}
	}
	for _, r := range e.Rules() {
		rr := secrets.ReportRule(r)
		res.Rules[rr.ID] = rr
	}
	return kept
}
