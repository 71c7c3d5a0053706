package scanner

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"
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
func (c fakeCheck) Needs() Needs  { return Needs{} }
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
	res, err := Run(context.Background(), checks, &Input{}, RunOptions{})
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
	res2, _ := Run(context.Background(), []Check{moved}, &Input{}, RunOptions{})
	if res2.Findings[0].Fingerprint != res.Findings[1].Fingerprint {
		t.Error("fingerprint changed with the line")
	}
}

func TestSeverityRank(t *testing.T) {
	if !(SeverityRank(SeverityCritical) > SeverityRank(SeverityHigh) && SeverityRank(SeverityLow) > SeverityRank(SeverityInfo) && SeverityRank("bogus") == -1) {
		t.Error("severity order")
	}
}

// needyCheck records whether it was started.
type needyCheck struct {
	needs   Needs
	started *bool
}

func (c needyCheck) ID() string    { return "needy" }
func (c needyCheck) Rules() []Rule { return nil }
func (c needyCheck) Needs() Needs  { return c.needs }
func (c needyCheck) Run(context.Context, *Input) ([]Finding, []Skipped, error) {
	*c.started = true
	return nil, nil, nil
}

// A check whose needs the run does not meet is never started and is listed
// as skipped, saying why and what to do.
func TestRunEnforcesNeeds(t *testing.T) {
	tests := []struct {
		name     string
		needs    Needs
		env      Environment
		want     string // "" means it runs
		byChoice bool   // listed as disabled (the user chose offline), not skipped
	}{
		{"network offline", Needs{Network: true, Hint: "pass --osv-db"}, Environment{Offline: true}, "offline: the check needs network access: pass --osv-db", true},
		{"network online", Needs{Network: true}, Environment{}, "", false},
		{"token missing", Needs{GitHubToken: true}, Environment{}, "no GitHub token", false},
		{"token missing offline", Needs{Network: true, GitHubToken: true}, Environment{Offline: true}, "no GitHub token", false},
		{"token given", Needs{GitHubToken: true}, Environment{GitHubToken: true}, "", false},
		{"registry offline", Needs{Registries: []string{"npm"}}, Environment{Offline: true, Registries: map[string]string{"npm": "https://r"}}, "offline: the check needs the npm registry", true},
		{"registry without URL", Needs{Registries: []string{"npm", "pypi"}}, Environment{Registries: map[string]string{"npm": "https://r"}}, "no base URL for the pypi registry", false},
		{"registry given", Needs{Registries: []string{"npm"}}, Environment{Registries: map[string]string{"npm": "https://r"}}, "", false},
		{"nothing needed offline", Needs{}, Environment{Offline: true}, "", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			started := false
			res, err := Run(context.Background(), []Check{needyCheck{tt.needs, &started}}, &Input{}, RunOptions{Env: tt.env})
			if err != nil {
				t.Fatal(err)
			}
			if tt.want == "" {
				if !started || len(res.Skipped) != 0 {
					t.Errorf("started %v, skipped %+v; want it to run", started, res.Skipped)
				}
				return
			}
			if started {
				t.Error("a check whose needs are unmet was started")
			}
			listed := res.Skipped
			if tt.byChoice {
				if len(res.Skipped) != 0 {
					t.Errorf("a check left out by choice made the result incomplete: %+v", res.Skipped)
				}
				listed = nil
				for _, d := range res.Disabled {
					listed = append(listed, Skipped{Check: d.Check, Reason: d.Reason})
				}
			}
			if len(listed) != 1 || listed[0].Check != "needy" || !strings.Contains(listed[0].Reason, tt.want) {
				t.Errorf("skipped %+v disabled %+v, want one entry containing %q", res.Skipped, res.Disabled, tt.want)
			}
		})
	}
}

// slowCheck reports one finding at once, then works until its context ends
// (or, when stubborn, ignores it until released).
type slowCheck struct {
	stubborn bool
	release  chan struct{}
}

func (c slowCheck) ID() string    { return "slow" }
func (c slowCheck) Rules() []Rule { return nil }
func (c slowCheck) Needs() Needs  { return Needs{} }
func (c slowCheck) Run(ctx context.Context, _ *Input) ([]Finding, []Skipped, error) {
	found := []Finding{{RuleID: "slow-rule", Severity: SeverityHigh, Path: "first"}}
	if c.stubborn {
		<-c.release
		return found, nil, nil
	}
	<-ctx.Done()
	return found, nil, ctx.Err()
}

// A budget that runs out is a skipped entry for the unfinished part, with
// what was found kept: never a failure, never a silent pass.
func TestRunBudget(t *testing.T) {
	res, err := Run(context.Background(), []Check{slowCheck{}}, &Input{}, RunOptions{Budgets: map[string]time.Duration{"slow": 20 * time.Millisecond}})
	if err != nil {
		t.Fatalf("an expired budget failed the scan: %v", err)
	}
	if len(res.Findings) != 1 || res.Findings[0].Path != "first" {
		t.Errorf("partial findings lost: %+v", res.Findings)
	}
	if len(res.Skipped) != 1 || !strings.Contains(res.Skipped[0].Reason, "time budget of 20ms ran out") {
		t.Errorf("skipped %+v", res.Skipped)
	}

	// A check that ignores its context is given up on after the grace
	// period: the scan goes on, the check is listed as skipped.
	release := make(chan struct{})
	defer close(release)
	res, err = Run(context.Background(), []Check{slowCheck{stubborn: true, release: release}}, &Input{}, RunOptions{
		Budgets: map[string]time.Duration{"slow": 10 * time.Millisecond}, Grace: 10 * time.Millisecond})
	if err != nil || len(res.Skipped) != 1 || !strings.Contains(res.Skipped[0].Reason, "did not stop") {
		t.Errorf("stubborn check: %v %+v", err, res.Skipped)
	}

	// The scan's own cancellation is an error, not a budget.
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if _, err := Run(ctx, []Check{slowCheck{}}, &Input{}, RunOptions{Budgets: map[string]time.Duration{"slow": time.Hour}}); err == nil {
		t.Error("a cancelled scan is not an error")
	}
}

// fail-on is parsed one way: any case, surrounding space, nothing else.
func TestParseFailOn(t *testing.T) {
	for in, want := range map[string]string{"high": "high", "HIGH": "high", " Critical ": "critical", "none": "none", "None": "none", "low": "low"} {
		if got, err := ParseFailOn(in); err != nil || got != want {
			t.Errorf("ParseFailOn(%q) = %q, %v; want %q", in, got, err, want)
		}
	}
	for _, in := range []string{"", "info", "severe", "hi gh"} {
		if _, err := ParseFailOn(in); err == nil {
			t.Errorf("ParseFailOn(%q) accepted", in)
		}
	}
}
