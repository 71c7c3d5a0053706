package report

import (
	"bytes"
	"flag"
	"strings"
	"testing"

	goldenfile "github.com/tollgate-dev/tollgate/internal/golden"

	"github.com/tollgate-dev/tollgate/checks/confusion"
	"github.com/tollgate-dev/tollgate/checks/osv"
	"github.com/tollgate-dev/tollgate/checks/tamper"
	"github.com/tollgate-dev/tollgate/checks/unreadable"
	"github.com/tollgate-dev/tollgate/report/reporttest"
	"github.com/tollgate-dev/tollgate/scanner"
)

var update = flag.Bool("update", false, "rewrite golden files")

func golden(t *testing.T, name, got string) {
	t.Helper()
	goldenfile.Check(t, "./report", name, got, *update)
}

func TestTextGolden(t *testing.T) {
	for _, c := range reporttest.Cases() {
		for _, color := range []bool{false, true} {
			name := "text-" + c.Name + ".txt"
			if color {
				name = "text-" + c.Name + ".color.txt"
			}
			t.Run(name, func(t *testing.T) {
				var out bytes.Buffer
				if err := WriteText(&out, c.Result, TextOptions{Color: color}); err != nil {
					t.Fatal(err)
				}
				got := out.String()
				if !color && strings.Contains(got, "\x1b") {
					t.Errorf("colour sequences without Color:\n%q", got)
				}
				golden(t, name, got)
			})
		}
	}
}

// The kind of a finding comes from its rule's tags, as the checks declare
// them, so that a new rule of a known kind needs no report change.
func TestKindOfRealRules(t *testing.T) {
	rules := reporttest.Rules()
	for id, want := range map[string]Kind{
		osv.RuleMalicious:                 KindMalicious,
		osv.RuleVulnerable:                KindVulnerable,
		tamper.RuleIntegrityChanged:       KindTampering,
		tamper.RuleHostChanged:            KindTampering,
		tamper.RuleInsecureURL:            KindTampering,
		tamper.RuleHostNotAllowed:         KindTampering, // tagged tampering and policy
		confusion.RuleDependencyConfusion: KindConfusion,
		unreadable.RuleUnreadableLockfile: KindUnreadable,
		"secret/github-pat":               KindSecret,
		"secret/aws-access-key-id":        KindSecret,
		"policy-changed":                  KindPolicy,
		"install-script-added":            KindOther,
	} {
		if _, ok := rules[id]; !ok {
			t.Errorf("no rule %s", id)
		}
		if got := KindOf(scanner.Finding{RuleID: id}, rules); got != want {
			t.Errorf("KindOf(%s) = %s, want %s", id, got, want)
		}
	}
	// Without rules (a result read back from JSON) the id decides.
	for id, want := range map[string]Kind{
		"malicious-package": KindMalicious, "vulnerable-package": KindVulnerable, "secret/x": KindSecret,
		"unreadable-lockfile": KindUnreadable, "dependency-confusion": KindConfusion, "policy-changed": KindPolicy, "typosquat": KindOther,
	} {
		if got := KindOf(scanner.Finding{RuleID: id}, nil); got != want {
			t.Errorf("KindOf(%s) without rules = %s, want %s", id, got, want)
		}
	}
}

// Several rules about one package version in one lockfile are one entry;
// the same version in another lockfile, or a finding without a package, is
// its own.
func TestEntriesMergePerPackageVersion(t *testing.T) {
	res := reporttest.Failed().Result
	var leftPad []*Entry
	for _, e := range Entries(res) {
		if e.Package == "pkg:npm/left-pad@1.3.0" {
			leftPad = append(leftPad, e)
		}
	}
	if len(leftPad) != 1 || len(leftPad[0].Findings) != 2 || leftPad[0].Kind != KindTampering {
		t.Fatalf("left-pad entries %+v", leftPad)
	}
	lodash := Entries(&scanner.Result{Rules: res.Rules, Findings: []scanner.Finding{
		{RuleID: osv.RuleVulnerable, Severity: "high", Path: "a/package-lock.json", Line: 40, Package: "pkg:npm/lodash@4.17.20", IDs: []string{"GHSA-1"}, Locations: []scanner.Location{{Path: "a/package-lock.json", Line: 90}}},
		{RuleID: osv.RuleVulnerable, Severity: "critical", Path: "a/package-lock.json", Line: 12, Package: "pkg:npm/lodash@4.17.20", IDs: []string{"GHSA-2", "GHSA-1"}},
		{RuleID: osv.RuleVulnerable, Severity: "high", Path: "b/package-lock.json", Line: 7, Package: "pkg:npm/lodash@4.17.20", IDs: []string{"GHSA-1"}},
	}})
	if len(lodash) != 2 {
		t.Fatalf("%d entries, want 2 (one per lockfile)", len(lodash))
	}
	e := lodash[0]
	if e.Path != "a/package-lock.json" || e.Line != 12 || e.Severity != "critical" || strings.Join(e.IDs, ",") != "GHSA-2,GHSA-1" ||
		len(e.Also) != 2 || e.Also[0].Line != 40 || e.Also[1].Line != 90 {
		t.Errorf("merged entry %+v", e)
	}
}

// An unreadable lockfile is said once: as its finding, not again as an
// error and as a skipped check.
func TestTextSaysUnreadableOnce(t *testing.T) {
	var out bytes.Buffer
	if err := Text(&out, reporttest.Failed().Result); err != nil {
		t.Fatal(err)
	}
	// The finding's title, its location and its message (which says that
	// its packages were not checked); no error line, no skipped entry.
	if n := strings.Count(out.String(), "broken/package-lock.json"); n != 4 || strings.Contains(out.String(), "COULD NOT READ") || strings.Contains(out.String(), "NOT CHECKED") {
		t.Errorf("broken/package-lock.json named %d times:\n%s", n, out.String())
	}
	// Without its finding, the error is still listed.
	res := reporttest.Failed().Result
	res.Findings = nil
	out.Reset()
	if err := Text(&out, res); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(out.String(), "COULD NOT READ") || !strings.Contains(out.String(), "  unreadable: 1 lockfile(s)") {
		t.Errorf("an error without a finding is not listed:\n%s", out.String())
	}
}
