package osv

import (
	"context"
	"encoding/json"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/tollgate-dev/tollgate/internal/shareddata"
	"github.com/tollgate-dev/tollgate/lockfiles"
	osvdb "github.com/tollgate-dev/tollgate/osv"
	"github.com/tollgate-dev/tollgate/osv/osvtest"
	"github.com/tollgate-dev/tollgate/scanner"
)

// Every real malicious record is found for a version it names, through the
// DB and through the check; a version it does not name finds nothing.
func TestRealMaliciousRecords(t *testing.T) {
	root := shareddata.Path(t, "osv", "malicious")
	ctx := context.Background()
	db, err := osvdb.LoadDB(ctx, root, osvdb.LoadOptions{})
	if err != nil {
		t.Fatal(err)
	}
	zips, _ := filepath.Glob(filepath.Join(root, "*", "all.zip"))
	if len(zips) != 7 {
		t.Fatalf("found %d malicious zips, want 7", len(zips))
	}
	var pkgs []lockfiles.Package
	var wantID []string
	records, unaffectedChecked := 0, 0
	for _, z := range zips {
		for _, v := range osvtest.ReadRecords(t, z) {
			records++
			for i := range v.Affected {
				a := &v.Affected[i]
				eco := a.Package.Ecosystem
				ver := a.Sample()
				if ver == "" {
					t.Errorf("%s: no sample version for %s/%s", v.ID, eco, a.Package.Name)
					continue
				}
				if eco == lockfiles.EcosystemGo {
					ver = "v" + ver // lockfiles hold go.mod versions
				}
				if got := ids(db.Query(eco, a.Package.Name, ver)); !slices.Contains(got, v.ID) {
					t.Errorf("Query(%s, %q, %q) = %v, want %s", eco, a.Package.Name, ver, got, v.ID)
				}
				pkgs = append(pkgs, lockfiles.Package{Ecosystem: eco, Name: a.Package.Name, Version: ver,
					Path: "lock/" + v.ID, Line: i + 1})
				wantID = append(wantID, v.ID)
				if a.OnlyListed() {
					unaffectedChecked++
					if got := ids(db.Query(eco, a.Package.Name, "9999.0.1")); slices.Contains(got, v.ID) {
						t.Errorf("Query(%s, %q, 9999.0.1) = %v: unlisted version matched", eco, a.Package.Name, got)
					}
				}
			}
		}
	}
	// README counts, minus nothing: 7+1+709+8747+774+2+21129.
	if records != 31369 {
		t.Errorf("read %d malicious records, want 31369", records)
	}
	if unaffectedChecked < 1400 {
		t.Errorf("only %d list-only entries checked for unaffected versions", unaffectedChecked)
	}
	findings, skipped, err := FromSource(db, CheckOptions{}).Run(ctx, &scanner.Input{Packages: pkgs})
	if err != nil {
		t.Fatalf("Run: %v", err)
	}
	// One real record lists a version that is no PEP 440 version
	// (news-ascii-artss "v_05"): it is still found by its exact listing, and
	// the check says its ranges could not be ordered.
	if len(skipped) != 1 || !strings.Contains(skipped[0].Reason, "1 of 31369 package versions cannot be ordered") ||
		!strings.Contains(skipped[0].Reason, "PyPI news-ascii-artss v_05") {
		t.Errorf("skipped = %+v, want the one unorderable PyPI version named", skipped)
	}
	byPath := map[string][]scanner.Finding{}
	for _, f := range findings {
		byPath[f.Path] = append(byPath[f.Path], f)
	}
	for i, p := range pkgs {
		found := false
		for _, f := range byPath[p.Path] {
			if f.Line == p.Line && f.RuleID == RuleMalicious && f.Severity == scanner.SeverityCritical && slices.Contains(f.IDs, wantID[i]) {
				found = true
			}
		}
		if !found {
			t.Errorf("no malicious-package finding for %s %s %s (%s)", p.Ecosystem, p.Name, p.Version, wantID[i])
		}
	}
}

func TestRealWithdrawnIgnored(t *testing.T) {
	path := shareddata.Path(t, "osv", "malicious-withdrawn", "all.zip")
	db, err := osvdb.LoadDB(context.Background(), path, osvdb.LoadOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if s := db.Stats(); s.Records != 0 || s.Withdrawn != 56 {
		t.Errorf("stats = %+v, want 0 records and 56 withdrawn", s)
	}
	n := 0
	for _, v := range osvtest.ReadRecords(t, path) {
		for _, a := range v.Affected {
			for _, ver := range a.Versions {
				n++
				if got := db.Query(a.Package.Ecosystem, a.Package.Name, ver); len(got) > 0 {
					t.Errorf("withdrawn %s matched %s %s", v.ID, a.Package.Name, ver)
				}
			}
		}
	}
	if n == 0 {
		t.Error("no withdrawn versions checked")
	}
}

// Real vulnerability records: GO-2024-2918 and GHSA-m5vv-6r4h-3vj9 describe
// the same flaw (CVE-2024-35255) and must make one finding.
func TestRealAliasMergeAndSeverity(t *testing.T) {
	db, err := osvdb.LoadDB(context.Background(), shareddata.Path(t, "osv", "vulns"), osvdb.LoadOptions{})
	if err != nil {
		t.Fatal(err)
	}
	pkgs := []lockfiles.Package{
		{Ecosystem: "Go", Name: "github.com/Azure/azure-sdk-for-go/sdk/azidentity", Version: "v1.5.2", Path: "go.mod", Line: 7,
			PURL: "pkg:golang/github.com/Azure/azure-sdk-for-go/sdk/azidentity@v1.5.2"},
		{Ecosystem: "Go", Name: "github.com/Azure/azure-sdk-for-go/sdk/azidentity", Version: "v1.6.0", Path: "go.mod", Line: 8},
		// GHSA-p8p7-x288-28g6: request, last_affected 2.88.2, no fix; CVSS 3.1 6.1.
		{Ecosystem: "npm", Name: "request", Version: "2.88.2", Path: "package-lock.json", Line: 40},
	}
	findings, _, err := FromSource(db, CheckOptions{}).Run(context.Background(), &scanner.Input{Packages: pkgs})
	if err != nil {
		t.Fatal(err)
	}
	var azure, request []scanner.Finding
	for _, f := range findings {
		switch f.Path {
		case "go.mod":
			azure = append(azure, f)
		case "package-lock.json":
			request = append(request, f)
		}
	}
	if len(azure) != 1 {
		t.Fatalf("azidentity findings = %+v, want exactly 1 (v1.5.2 merged; v1.6.0 fixed)", azure)
	}
	f := azure[0]
	wantIDs := []string{"GHSA-m5vv-6r4h-3vj9", "GO-2024-2918", "CVE-2024-35255"}
	if !slices.Equal(f.IDs, wantIDs) || f.Line != 7 || f.RuleID != RuleVulnerable || f.Severity != scanner.SeverityMedium ||
		!strings.Contains(f.Message, "Fixed in 1.6.0") || f.Package != pkgs[0].PURL {
		t.Errorf("azidentity finding = %+v", f)
	}
	if len(request) != 1 || request[0].Severity != scanner.SeverityMedium || !strings.Contains(request[0].Message, "No fixed version") ||
		!slices.Equal(request[0].IDs, []string{"GHSA-p8p7-x288-28g6", "CVE-2023-28155"}) ||
		request[0].Package != "pkg:npm/request@2.88.2" {
		t.Errorf("request findings = %+v", request)
	}
}

// GitHub's reviewed advisory for the hijacked ua-parser-js releases
// (GHSA-pjwm-rvh2-c87w) has no MAL- alias; its CWE-506 (embedded malicious
// code) makes it a malicious-package finding, for each of the three hijacked
// versions and for none of their neighbours.
func TestRealEmbeddedMalwareAdvisory(t *testing.T) {
	db, err := osvdb.LoadDB(context.Background(), shareddata.Path(t, "osv", "vulns"), osvdb.LoadOptions{})
	if err != nil {
		t.Fatal(err)
	}
	var pkgs []lockfiles.Package
	for i, v := range []string{"0.7.28", "0.7.29", "0.7.30", "0.8.0", "0.8.1", "1.0.0", "1.0.1"} {
		pkgs = append(pkgs, lockfiles.Package{Ecosystem: "npm", Name: "ua-parser-js", Version: v, Path: "package-lock.json", Line: 10 * (i + 1)})
	}
	findings, _, err := FromSource(db, CheckOptions{}).Run(context.Background(), &scanner.Input{Packages: pkgs})
	if err != nil {
		t.Fatal(err)
	}
	var lines []int
	for _, f := range findings {
		if f.RuleID != RuleMalicious || f.Severity != scanner.SeverityCritical || f.Evidence != "GHSA-pjwm-rvh2-c87w" ||
			!strings.Contains(f.Message, "known malicious package") {
			t.Errorf("finding = %+v, want a critical malicious-package finding citing GHSA-pjwm-rvh2-c87w", f)
		}
		lines = append(lines, f.Line)
	}
	if !slices.Equal(lines, []int{20, 40, 60}) {
		t.Errorf("findings on lines %v, want [20 40 60] (0.7.29, 0.8.0, 1.0.0)", lines)
	}
}

func TestDatabaseSpecificCWEs(t *testing.T) {
	for _, c := range []struct {
		json string
		want bool
	}{
		{`{"id":"GHSA-x","database_specific":{"cwe_ids":["CWE-79","CWE-506"]}}`, true},
		{`{"id":"GHSA-x","database_specific":{"cwe_ids":["cwe-506 "]}}`, true},
		{`{"id":"GHSA-x","database_specific":{"cwe_ids":["CWE-79"]}}`, false},
		{`{"id":"GHSA-x","database_specific":{"cwe_ids":"CWE-506"}}`, false}, // not a list: ignored, record still read
		{`{"id":"GHSA-x","database_specific":{"cwe_ids":[1,2]}}`, false},
		{`{"id":"MAL-2024-1"}`, true},
	} {
		var v osvdb.Vuln
		if err := json.Unmarshal([]byte(c.json), &v); err != nil {
			t.Fatalf("%s: %v", c.json, err)
		}
		if got := v.IsMalicious(); got != c.want {
			t.Errorf("%s: IsMalicious = %v, want %v", c.json, got, c.want)
		}
	}
}

// Maven: real GHSA records for log4j-core, gson and jackson-databind, and a
// MAL record, checked with Maven's version order (2.13.2 < 2.13.2.1).
func TestRealMavenRecords(t *testing.T) {
	db, err := osvdb.LoadDB(context.Background(), shareddata.Path(t, "osv", "vulns"), osvdb.LoadOptions{})
	if err != nil {
		t.Fatal(err)
	}
	mal, err := osvdb.LoadDB(context.Background(), shareddata.Path(t, "osv", "malicious"), osvdb.LoadOptions{Ecosystems: []string{"Maven"}})
	if err != nil {
		t.Fatal(err)
	}
	cases := []struct {
		name, version string
		want          []string // primary ids of the findings, in order
	}{
		{"org.apache.logging.log4j:log4j-core", "2.14.1", []string{"GHSA-7rjr-3q55-vv33", "GHSA-p6xc-xr62-6r2g"}},
		{"org.apache.logging.log4j:log4j-core", "2.12.2", []string{"GHSA-p6xc-xr62-6r2g"}},
		{"org.apache.logging.log4j:log4j-core", "2.17.1", nil},
		{"org.apache.logging.log4j:log4j-core", "2.16.0-rc1", []string{"GHSA-7rjr-3q55-vv33", "GHSA-p6xc-xr62-6r2g"}},
		{"com.google.code.gson:gson", "2.8.8", []string{"GHSA-4jrv-ppp4-jm57"}},
		{"com.google.code.gson:gson", "2.8.9", nil},
		{"com.fasterxml.jackson.core:jackson-databind", "2.13.2", []string{"GHSA-57j2-w4cx-62h2"}},
		{"com.fasterxml.jackson.core:jackson-databind", "2.13.2.1", nil},
		{"com.fasterxml.jackson.core:jackson-databind", "2.12.6.1", nil},
	}
	for _, c := range cases {
		p := lockfiles.Package{Ecosystem: "Maven", Name: c.name, Version: c.version, Path: "gradle.lockfile", Line: 3}
		findings, _, err := FromSource(db, CheckOptions{}).Run(context.Background(), &scanner.Input{Packages: []lockfiles.Package{p}})
		if err != nil {
			t.Fatal(err)
		}
		var got []string
		for _, f := range findings {
			got = append(got, f.IDs[0])
		}
		if !slices.Equal(got, c.want) {
			t.Errorf("%s %s: findings %v, want %v", c.name, c.version, got, c.want)
		}
	}
	p := lockfiles.Package{Ecosystem: "Maven", Name: "io.github.leetcrunch:scribejava-core", Version: "8.3.3", Path: "gradle.lockfile", Line: 9}
	findings, _, err := FromSource(mal, CheckOptions{}).Run(context.Background(), &scanner.Input{Packages: []lockfiles.Package{p}})
	if err != nil {
		t.Fatal(err)
	}
	if len(findings) != 1 || findings[0].RuleID != RuleMalicious || findings[0].IDs[0] != "MAL-2025-2552" {
		t.Errorf("malicious Maven package: %+v", findings)
	}
}

func ids(vs []*osvdb.Vuln) []string {
	out := []string{}
	for _, v := range vs {
		out = append(out, v.ID)
	}
	return out
}
