package pipeline

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/tollgate-dev/tollgate/checks"
	secretscheck "github.com/tollgate-dev/tollgate/checks/secrets"
	"github.com/tollgate-dev/tollgate/diff"
	"github.com/tollgate-dev/tollgate/scanner"
	"github.com/tollgate-dev/tollgate/secrets"
)

// AddCommits scans for secrets the lines every commit of a change adds
// (cs.WalkCommits: local history, or the GitHub API on a shallow clone),
// after the tree scan and its policy: a token added by one commit and
// deleted by the next is still in the pushed history. Each secret is
// reported once by its fingerprint: one the tip still holds keeps its
// tree-scan finding, which gains the commit that added it; one the tip no
// longer holds becomes a finding on the file and line of the commit that
// added it, naming that commit. The engine options are the secrets check's
// (secretscheck.EngineOptions: the same allowlists, the base's baseline,
// the mask), and the findings go through the same policy. What could not be
// read (a failed walk, a limit) is a skipped entry, so the result is
// incomplete, never clean. The error is a usage error only.
func AddCommits(ctx context.Context, cs *diff.ChangeSet, d checks.Deps, limits diff.CommitLimits, now time.Time, res *scanner.Result) error {
	e, err := secrets.New(secretscheck.EngineOptions(d))
	if err != nil {
		return Usagef("%v", err)
	}
	atTip := map[string]int{}
	for i, f := range res.Findings {
		if strings.HasPrefix(f.RuleID, "secret/") {
			atTip[f.Fingerprint] = i
		}
	}
	seen := map[string]bool{}
	var found []scanner.Finding
	walk, walkErr := cs.WalkCommits(ctx, limits, func(c *diff.Commit) error {
		for _, fc := range c.Files {
			var ms []secrets.Match
			if len(fc.Added) > 0 {
				lines := make([]scanner.Line, len(fc.Added))
				for i, l := range fc.Added {
					lines[i] = scanner.Line{Number: l.Number, Text: l.Text}
				}
				ms = e.ScanLines(fc.Path, lines)
			}
			if fc.Status == diff.StatusAdded || fc.Status == diff.StatusRenamed {
				ms = append(ms, e.ScanName(fc.Path)...)
			}
			for _, m := range ms {
				if seen[m.Fingerprint] {
					continue // commits come oldest first: the first one added it
				}
				seen[m.Fingerprint] = true
				if i, ok := atTip[m.Fingerprint]; ok {
					secrets.AddedIn(&res.Findings[i], c.SHA)
					continue
				}
				found = append(found, e.CommitFinding(m, c.SHA))
			}
		}
		return nil
	})
	if walkErr != nil {
		reason := fmt.Sprintf("commits: the lines each commit of the change adds could not all be scanned for secrets: %v", walkErr)
		if walk != nil {
			reason = fmt.Sprintf("commits: %d commit(s) scanned, then: %v", walk.Commits, walkErr)
		}
		if errors.Is(walkErr, diff.ErrRateLimited) {
			reason += " (rate limit)"
		}
		res.Skipped = append(res.Skipped, scanner.Skipped{Check: secretscheck.ID, Reason: reason})
	}
	if walk != nil && len(walk.Gaps) > 0 {
		res.Skipped = append(res.Skipped, scanner.Skipped{Check: secretscheck.ID, Reason: fmt.Sprintf(
			"commits: %d part(s) of the change's commits not scanned for secrets: %s", len(walk.Gaps), scanner.ListSome(walk.Gaps, 5))})
	}
	kept := addSecretFindings(res, found, e, d, now)
	if walk != nil {
		res.Notes = append(res.Notes, walk.Notes...)
		res.Notes = append(res.Notes, fmt.Sprintf("commits: the lines of %d commit(s) scanned for secrets (from %s); %d secret(s) found that later commits removed", walk.Commits, walk.Source, len(kept)))
	}
	return nil
}
