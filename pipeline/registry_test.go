package pipeline

import (
	"context"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/tollgate-dev/tollgate/checks"
	"github.com/tollgate-dev/tollgate/checks/all"
	"github.com/tollgate-dev/tollgate/diff"
	"github.com/tollgate-dev/tollgate/scanner"
)

// probeCheck is registered only in this test. It needs the network, and it
// reports one finding, then works until its context ends.
type probeCheck struct {
	id      string
	needs   scanner.Needs
	started chan<- string
}

func (c probeCheck) ID() string           { return c.id }
func (c probeCheck) Needs() scanner.Needs { return c.needs }
func (c probeCheck) Rules() []scanner.Rule {
	return []scanner.Rule{{ID: c.id + "-rule", Severity: scanner.SeverityLow}}
}
func (c probeCheck) Run(ctx context.Context, in *scanner.Input) ([]scanner.Finding, []scanner.Skipped, error) {
	c.started <- c.id
	found := []scanner.Finding{{RuleID: c.id + "-rule", Severity: scanner.SeverityLow, Path: "package-lock.json", Message: "first half done"}}
	<-ctx.Done()
	return found, nil, ctx.Err()
}

// The registry path end to end: a check added to the registry in a test is
// known to the config (its checks and budgets keys validate), is not
// started when its needs are unmet (a skipped entry), runs under the
// config's budget (a skipped entry, its partial findings kept), and is
// listed as turned off when the config turns it off.
func TestRegistryPath(t *testing.T) {
	started := make(chan string, 4)
	reg := append(all.Registry(),
		checks.Entry{ID: "online-probe", New: func(context.Context, checks.Deps) (scanner.Check, error) {
			return probeCheck{id: "online-probe", needs: scanner.Needs{Network: true, Hint: "give it a network"}, started: started}, nil
		}},
		checks.Entry{ID: "slow-probe", Budget: time.Hour, New: func(context.Context, checks.Deps) (scanner.Check, error) {
			return probeCheck{id: "slow-probe", started: started}, nil
		}},
	)
	dir := t.TempDir()
	cfgPath := filepath.Join(dir, "tollgate.yml")
	if err := os.WriteFile(cfgPath, []byte("checks: {tamper: false, online-probe: true}\nbudgets: {slow-probe: 1s}\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	// The default registry does not know the test checks.
	if _, err := LoadPolicy(PolicyRequest{Dir: dir, ConfigPath: cfgPath}); err == nil || !strings.Contains(err.Error(), `"online-probe" is not a known check`) {
		t.Fatalf("default registry accepted a test check id: %v", err)
	}
	policy, err := LoadPolicy(PolicyRequest{Dir: dir, ConfigPath: cfgPath, Registry: reg, OSVDB: filepath.Join("..", "testdata", "demo-osv")})
	if err != nil {
		t.Fatal(err)
	}
	cs, err := diff.FromDirectory(filepath.Join("..", "testdata", "demo"))
	if err != nil {
		t.Fatal(err)
	}
	defer cs.Close()
	sc, err := RunScan(t.Context(), ScanRequest{Policy: policy, ChangeSet: cs, Registry: reg, Deps: checks.Deps{Offline: true}})
	if err != nil {
		t.Fatal(err)
	}
	close(started)
	var ran []string
	for id := range started {
		ran = append(ran, id)
	}
	if !slices.Equal(ran, []string{"slow-probe"}) {
		t.Errorf("started %v, want only slow-probe", ran)
	}
	res := sc.Report
	skipped := map[string]string{}
	for _, s := range res.Skipped {
		skipped[s.Check] = s.Reason
	}
	disabled := map[string]string{}
	for _, d := range res.Disabled {
		disabled[d.Check] = d.Reason
	}
	// Offline is the user's choice: the check is listed as turned off.
	if r := disabled["online-probe"]; !strings.Contains(r, "offline: the check needs network access: give it a network") {
		t.Errorf("online-probe disabled for %q", r)
	}
	if r := skipped["slow-probe"]; !strings.Contains(r, "time budget of 1s ran out") {
		t.Errorf("slow-probe skipped for %q", r)
	}
	var partial, malicious bool
	for _, f := range res.Findings {
		partial = partial || f.RuleID == "slow-probe-rule" && f.Message == "first half done"
		malicious = malicious || f.RuleID == "malicious-package"
	}
	if !partial || !malicious {
		t.Errorf("findings lost (partial %v, other checks %v): %+v", partial, malicious, res.Findings)
	}
	var off []string
	for _, d := range res.Disabled {
		off = append(off, d.Check+": "+d.Reason)
	}
	if !slices.Contains(off, "tamper: turned off in tollgate.yml") || !slices.Contains(off, "confusion: no internal package names configured (internal: scopes, prefixes, names)") {
		t.Errorf("disabled %q", off)
	}
	// The budget that ran out makes the scan incomplete (fail-on-skipped is
	// on by default): fail closed.
	if sc.Verdict.Outcome != scanner.OutcomeIncomplete || sc.Verdict.Exit != ExitIncomplete || !strings.Contains(sc.Verdict.Incomplete, "slow-probe") {
		t.Errorf("verdict %+v", sc.Verdict)
	}
	// With fail-on-skipped: false it passes judgement on what did run.
	policy.FailOnSkipped = false
	cs2, _ := diff.FromDirectory(filepath.Join("..", "testdata", "demo"))
	defer cs2.Close()
	started = make(chan string, 4)
	sc, err = RunScan(t.Context(), ScanRequest{Policy: policy, ChangeSet: cs2, Registry: reg, Deps: checks.Deps{Offline: true}})
	if err != nil || sc.Verdict.Outcome != scanner.OutcomeFailed || sc.Verdict.Exit != ExitFindings {
		t.Errorf("fail-on-skipped false: verdict %+v, %v", sc.Verdict, err)
	}
}
