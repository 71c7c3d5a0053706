package scanner

import (
	"reflect"
	"testing"
)

func TestMergeLocationsOneFindingPerPackageAndFile(t *testing.T) {
	vuln := func(path string, line int, sev string) Finding {
		return Finding{RuleID: "vulnerable-package", Severity: sev, Path: path, Line: line,
			Package: "pkg:npm/minimist@1.2.5", Fingerprint: Fingerprint("vulnerable-package", path, "pkg:npm/minimist@1.2.5", "GHSA-xvch-5gv4-984h")}
	}
	secret := Finding{RuleID: "github-pat", Severity: SeverityHigh, Path: "a.env", Line: 3, Fingerprint: "s1"}
	in := []Finding{
		vuln("package-lock.json", 40, SeverityMedium),
		secret,
		vuln("package-lock.json", 12, SeverityHigh),
		vuln("web/package-lock.json", 7, SeverityMedium),
		vuln("package-lock.json", 90, SeverityMedium),
		secret,
	}
	got := MergeLocations(in)
	if len(got) != 4 {
		t.Fatalf("got %d findings, want 4 (one per lockfile, secrets untouched): %+v", len(got), got)
	}
	m := got[0]
	if m.Line != 12 || m.Severity != SeverityHigh {
		t.Errorf("merged finding at line %d severity %s, want the first line 12 and the highest severity", m.Line, m.Severity)
	}
	want := []Location{{Path: "package-lock.json", Line: 40}, {Path: "package-lock.json", Line: 90}}
	if !reflect.DeepEqual(m.Locations, want) {
		t.Errorf("locations %+v, want %+v", m.Locations, want)
	}
	if got[1].RuleID != "github-pat" || got[3].RuleID != "github-pat" {
		t.Errorf("findings without a package were merged or reordered: %+v", got)
	}
	if got[2].Path != "web/package-lock.json" || len(got[2].Locations) != 0 {
		t.Errorf("another lockfile's finding was merged: %+v", got[2])
	}
	if in[0].Line != 40 || len(in[0].Locations) != 0 {
		t.Errorf("the input was modified: %+v", in[0])
	}
}
