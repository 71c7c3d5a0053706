package typosquat

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/tollgate-dev/tollgate/lockfiles"
	"github.com/tollgate-dev/tollgate/scanner"
)

// Online confirmation limits.
const (
	// maxConfirm bounds the matches confirmed with the registries in one run.
	maxConfirm = 50
	// popularEnough: a candidate with at least a tenth of its target's
	// downloads is an honest name of its own, not a squat.
	popularEnough = 10
	// recent is how young a candidate must be to raise a finding.
	recent = 90 * 24 * time.Hour
)

// confirm asks the registry about a match's candidate and target: a
// candidate with at least a tenth of the target's downloads is dropped
// (keep false); one older than its target is lowered to low; a young one
// far less downloaded is raised to high. Each fact found goes into the
// message. When the registry cannot answer, the offline verdict stands and
// the message says it was not confirmed.
func (c *Check) confirm(ctx context.Context, p *lockfiles.Package, m *Match, f scanner.Finding) (scanner.Finding, bool) {
	client := c.clients[p.Ecosystem]
	if client == nil {
		return f, true
	}
	cand, err1 := client.Package(ctx, p.Name)
	tgt, err2 := client.Package(ctx, m.Target)
	if err1 != nil || err2 != nil {
		f.Message = strings.Replace(f.Message, "Judged offline on the built-in popularity snapshot", "The registry could not confirm it; judged on the built-in popularity snapshot", 1)
		return f, true
	}
	var facts []string
	if cand.Downloads >= 0 && tgt.Downloads > 0 {
		if cand.Downloads*popularEnough >= tgt.Downloads {
			return f, false
		}
		ratio := tgt.Downloads / max(cand.Downloads, 1)
		facts = append(facts, fmt.Sprintf("%s× fewer downloads than %s", thousands(ratio), quote(m.Target)))
	}
	now := c.now()
	switch {
	case !cand.Created.IsZero() && !tgt.Created.IsZero() && cand.Created.Before(tgt.Created):
		f.Severity = scanner.SeverityLow
		facts = append(facts, fmt.Sprintf("but published before %s (%s)", quote(m.Target), cand.Created.UTC().Format("2006-01-02")))
	case !cand.Created.IsZero() && now.Sub(cand.Created) < recent:
		days := int(now.Sub(cand.Created).Hours() / 24)
		facts = append(facts, fmt.Sprintf("first published %d days ago", days))
		if len(facts) > 1 {
			f.Severity = scanner.SeverityHigh
		}
	}
	if len(facts) > 0 {
		f.Message = strings.Replace(f.Message, ". Judged offline on the built-in popularity snapshot;", ", "+strings.Join(facts, ", ")+" (registry);", 1)
	}
	return f, true
}

// thousands writes n with thousands separators.
func thousands(n int64) string {
	s := fmt.Sprint(n)
	var b strings.Builder
	for i, r := range s {
		if i > 0 && (len(s)-i)%3 == 0 {
			b.WriteByte(',')
		}
		b.WriteRune(r)
	}
	return b.String()
}
