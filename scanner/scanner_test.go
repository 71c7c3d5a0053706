package scanner

import (
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/tollgate-dev/tollgate/lockfiles"
)

type fakeCheck struct {
	id       string
	findings []Finding
	skipped  []Skipped
	err      error
	panics   bool
}

func (c fakeCheck) ID() string    { return c.id }
func (c fakeCheck) Rules() []Rule { return []Rule{{ID: c.id + "-rule"}} }
func (c fakeCheck) Run(context.Context, *Input) ([]Finding, []Skipped, error) {
	if c.panics {
		panic("boom")
	}
	return c.findings, c.skipped, c.err
}

func TestRun(t *testing.T) {
	checks := []Check{
		fakeCheck{id: "a", findings: []Finding{
			{RuleID: "a-rule", Severity: SeverityLow, Path: "z", Line: 1},
			{RuleID: "a-rule", Severity: SeverityCritical, Path: "b", Line: 9, Fingerprint: "given"},
		}},
		fakeCheck{id: "b", findings: []Finding{{RuleID: "b-rule", Severity: SeverityHigh, Path: "a", Line: 2, Package: "pkg:npm/x@1", IDs: []string{"GHSA-1"}}}, skipped: []Skipped{{Check: "b", Reason: "offline"}}},
		fakeCheck{id: "c", err: errors.New("registry down")},
		fakeCheck{id: "d", panics: true},
	}
	res, err := Run(context.Background(), checks, &Input{})
	if err == nil || !strings.Contains(err.Error(), "check c: registry down") || !strings.Contains(err.Error(), "check d: internal error: boom") {
		t.Errorf("err = %v", err)
	}
	var order []string
	for _, f := range res.Findings {
		order = append(order, f.Severity+" "+f.Path)
		if f.Fingerprint == "" {
			t.Errorf("finding without fingerprint: %+v", f)
		}
	}
	if strings.Join(order, ",") != "critical b,high a,low z" {
		t.Errorf("order %v", order)
	}
	if res.Findings[0].Fingerprint != "given" {
		t.Error("a check's own fingerprint was replaced")
	}
	if len(res.Skipped) != 1 || len(res.Rules) != 4 {
		t.Errorf("skipped %v, rules %v", res.Skipped, res.Rules)
	}
	// Default fingerprints do not depend on the line.
	moved := checks[1].(fakeCheck)
	moved.findings = []Finding{{RuleID: "b-rule", Severity: SeverityHigh, Path: "a", Line: 40, Package: "pkg:npm/x@1", IDs: []string{"GHSA-1"}}}
	res2, _ := Run(context.Background(), []Check{moved}, &Input{})
	if res2.Findings[0].Fingerprint != res.Findings[1].Fingerprint {
		t.Error("fingerprint changed with the line")
	}
}

func TestLockfileCheck(t *testing.T) {
	inv := &lockfiles.Inventory{Errors: []*lockfiles.FileError{
		{Path: "web/yarn.lock", Err: lockfiles.Errorf("web/yarn.lock", 12, "bad entry")},
		{Path: "big/package-lock.json", Err: lockfiles.LimitErrorf("big/package-lock.json", 0, "file too large")},
	}}
	fs, _, err := LockfileCheck{}.Run(context.Background(), &Input{Inventory: inv})
	if err != nil || len(fs) != 2 {
		t.Fatal(err, fs)
	}
	if fs[0].Line != 12 || fs[0].RuleID != RuleUnreadableLockfile || !strings.Contains(fs[0].Message, "web/yarn.lock:12") || fs[1].Line != 0 {
		t.Errorf("findings %+v", fs)
	}
}

func TestSeverityRank(t *testing.T) {
	if !(SeverityRank(SeverityCritical) > SeverityRank(SeverityHigh) && SeverityRank(SeverityLow) > SeverityRank(SeverityInfo) && SeverityRank("bogus") == -1) {
		t.Error("severity order")
	}
}
