package osv

import (
	"context"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/tollgate-dev/tollgate/lockfiles"
	osvdb "github.com/tollgate-dev/tollgate/osv"
	"github.com/tollgate-dev/tollgate/osv/osvtest"
	"github.com/tollgate-dev/tollgate/scanner"
)

func runOn(t *testing.T, src osvdb.Source, pkgs ...lockfiles.Package) ([]scanner.Finding, []scanner.Skipped) {
	t.Helper()
	f, sk, err := FromSource(src, CheckOptions{}).Run(context.Background(), &scanner.Input{Packages: pkgs})
	if err != nil {
		t.Fatal(err)
	}
	scanner.SortFindings(f)
	return f, sk
}

func loadDir(t *testing.T, dir string) *osvdb.DB {
	t.Helper()
	db, err := osvdb.LoadDB(context.Background(), dir, osvdb.LoadOptions{})
	if err != nil {
		t.Fatal(err)
	}
	return db
}

// A database that holds no records, or none for an ecosystem the scan
// needs, cannot say "clean": the check lists what it could not check.
func TestDatabaseThatCannotAnswer(t *testing.T) {
	pkgs := []lockfiles.Package{
		{Ecosystem: "npm", Name: "left-pad", Version: "1.3.0"},
		{Ecosystem: "PyPI", Name: "requests", Version: "2.31.0"},
		{Ecosystem: "PyPI", Name: "idna", Version: "3.4"},
	}
	empty := t.TempDir()
	f, sk := runOn(t, loadDir(t, empty), pkgs...)
	if len(f) != 0 || len(sk) != 1 || !strings.Contains(sk[0].Reason, "no records at all") || !strings.Contains(sk[0].Reason, "3 packages of PyPI, npm") || sk[0].ByChoice {
		t.Errorf("empty database: %+v %+v", f, sk)
	}
	npmOnly := t.TempDir()
	osvtest.WriteZip(t, filepath.Join(npmOnly, "npm", "all.zip"), osvtest.Records["npm"])
	f, sk = runOn(t, loadDir(t, npmOnly), pkgs...)
	if len(f) != 0 || len(sk) != 1 || !strings.Contains(sk[0].Reason, "no records for PyPI: 2 packages of PyPI") {
		t.Errorf("npm-only database: %+v %+v", f, sk)
	}
	// Covering every queried ecosystem: nothing skipped.
	if _, sk = runOn(t, loadDir(t, npmOnly), pkgs[0]); len(sk) != 0 {
		t.Errorf("covered: %+v", sk)
	}
}

// Two copies of one record: the newer by time wins, even when the older
// one sorts later as a string.
func TestDuplicateKeepsNewerByTime(t *testing.T) {
	dir := t.TempDir()
	// 2024-03-01T12:00:00+09:00 is 03:00Z: earlier than 2024-03-01T05:00:00Z,
	// though it sorts after it as a string.
	osvtest.WriteZip(t, filepath.Join(dir, "a", "all.zip"), map[string]string{"GHSA-dup.json": `{"id":"GHSA-dup","modified":"2024-03-01T12:00:00+09:00",
		"affected":[{"package":{"ecosystem":"npm","name":"dup"},"ranges":[{"type":"ECOSYSTEM","events":[{"introduced":"0"},{"fixed":"1.0.0"}]}]}]}`})
	osvtest.WriteZip(t, filepath.Join(dir, "b", "all.zip"), map[string]string{"GHSA-dup.json": `{"id":"GHSA-dup","modified":"2024-03-01T05:00:00Z",
		"affected":[{"package":{"ecosystem":"npm","name":"dup"},"ranges":[{"type":"ECOSYSTEM","events":[{"introduced":"0"},{"fixed":"2.0.0"}]}]}]}`})
	db := loadDir(t, dir)
	if got := db.Query("npm", "dup", "1.5.0"); len(got) != 1 {
		t.Fatalf("1.5.0: %v, want the newer copy (fixed in 2.0.0) to match", got)
	}
	f, _ := runOn(t, db, lockfiles.Package{Ecosystem: "npm", Name: "dup", Version: "1.5.0"})
	if len(f) != 1 || !strings.Contains(f[0].Message, "Fixed in 2.0.0") {
		t.Errorf("findings %+v", f)
	}
}

// A range whose events do not parse is an unknown answer for that record:
// a skipped entry naming it, never a silent "not affected".
func TestUnparsableRangeIsSkipped(t *testing.T) {
	dir := t.TempDir()
	osvtest.WriteZip(t, filepath.Join(dir, "npm", "all.zip"), map[string]string{
		"GHSA-bad.json": `{"id":"GHSA-bad","modified":"2024-01-01T00:00:00Z",
			"affected":[{"package":{"ecosystem":"npm","name":"odd"},"ranges":[{"type":"SEMVER","events":[{"introduced":"1.0.0"},{"fixed":"two-point-oh"}]}]}]}`,
		"GHSA-ok.json": `{"id":"GHSA-ok","modified":"2024-01-01T00:00:00Z",
			"affected":[{"package":{"ecosystem":"npm","name":"odd"},"ranges":[{"type":"SEMVER","events":[{"introduced":"3.0.0"},{"fixed":"3.1.0"}]}]}]}`,
		// Unreadable in one entry, affected through another: affected.
		"GHSA-both.json": `{"id":"GHSA-both","modified":"2024-01-01T00:00:00Z",
			"affected":[{"package":{"ecosystem":"npm","name":"both"},"ranges":[{"type":"SEMVER","events":[{"introduced":"x.y"}]}]},
			            {"package":{"ecosystem":"npm","name":"both"},"versions":["1.2.3"]}]}`,
	})
	db := loadDir(t, dir)
	f, sk := runOn(t, db, lockfiles.Package{Ecosystem: "npm", Name: "odd", Version: "1.5.0"}, lockfiles.Package{Ecosystem: "npm", Name: "both", Version: "1.2.3"})
	if len(f) != 1 || f[0].IDs[0] != "GHSA-both" {
		t.Errorf("findings %+v, want GHSA-both only", f)
	}
	if len(sk) != 1 || !strings.Contains(sk[0].Reason, "1 OSV records could not be evaluated") || !strings.Contains(sk[0].Reason, "GHSA-bad for npm odd 1.5.0") {
		t.Errorf("skipped %+v, want GHSA-bad named", sk)
	}
}

// A third-party feed's malware records, without a MAL id, are critical
// malicious-package findings (the default fail-on: high stops them).
func TestThirdPartyMalwareIsCritical(t *testing.T) {
	dir := t.TempDir()
	rec := func(id, extra string) string {
		return `{"id":"` + id + `","modified":"2024-01-01T00:00:00Z",` + extra + `
			"affected":[{"package":{"ecosystem":"npm","name":"` + strings.ToLower(id) + `"},"ranges":[{"type":"SEMVER","events":[{"introduced":"0"}]}]}]}`
	}
	osvtest.WriteZip(t, filepath.Join(dir, "npm", "all.zip"), map[string]string{
		"SNYK-1.json": rec("SNYK-1", `"database_specific":{"cwes":[{"cweId":"CWE-506"}]},`),
		"FEED-2.json": rec("FEED-2", `"summary":"Malicious code in feed-2 (npm)",`),
		"FEED-3.json": rec("FEED-3", `"database_specific":{"category":"dependency confusion"},`),
		"GHSA-4.json": rec("GHSA-4", `"database_specific":{"cwe_ids":["CWE-506"]},`),
		"FEED-5.json": rec("FEED-5", `"summary":"Cross-site scripting in feed-5",`),
	})
	var pkgs []lockfiles.Package
	for _, n := range []string{"snyk-1", "feed-2", "feed-3", "ghsa-4", "feed-5"} {
		pkgs = append(pkgs, lockfiles.Package{Ecosystem: "npm", Name: n, Version: "1.0.0", Path: "package-lock.json"})
	}
	f, _ := runOn(t, loadDir(t, dir), pkgs...)
	got := map[string]string{}
	for _, x := range f {
		got[x.IDs[0]] = x.RuleID + "/" + x.Severity
	}
	want := map[string]string{
		"SNYK-1": "malicious-package/critical", "FEED-2": "malicious-package/critical", "FEED-3": "malicious-package/critical",
		"GHSA-4": "malicious-package/critical", "FEED-5": "vulnerable-package/medium",
	}
	for id, w := range want {
		if got[id] != w {
			t.Errorf("%s: %q, want %q", id, got[id], w)
		}
	}
}

// A GO- record rates nothing; its GHSA alias in the database does.
func TestSeverityThroughAliases(t *testing.T) {
	dir := t.TempDir()
	osvtest.WriteZip(t, filepath.Join(dir, "Go", "all.zip"), map[string]string{
		"GO-2024-1.json": `{"id":"GO-2024-1","modified":"2024-01-01T00:00:00Z","aliases":["CVE-2024-1","GHSA-go11-aaaa-bbbb"],
			"affected":[{"package":{"ecosystem":"Go","name":"example.com/rated"},"ranges":[{"type":"SEMVER","events":[{"introduced":"0"},{"fixed":"1.2.0"}]}]}]}`,
		// The GHSA names the module under its other path: it does not match
		// the package itself, but it rates the flaw.
		"GHSA-go11-aaaa-bbbb.json": `{"id":"GHSA-go11-aaaa-bbbb","modified":"2024-01-01T00:00:00Z","aliases":["CVE-2024-1"],
			"severity":[{"type":"CVSS_V3","score":"CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:N"}],
			"affected":[{"package":{"ecosystem":"Go","name":"github.com/old/rated"},"ranges":[{"type":"SEMVER","events":[{"introduced":"0"},{"fixed":"1.2.0"}]}]}]}`,
		"GO-2024-2.json": `{"id":"GO-2024-2","modified":"2024-01-01T00:00:00Z","aliases":["CVE-2024-2"],
			"affected":[{"package":{"ecosystem":"Go","name":"example.com/unrated"},"ranges":[{"type":"SEMVER","events":[{"introduced":"0"},{"fixed":"1.2.0"}]}]}]}`,
	})
	f, _ := runOn(t, loadDir(t, dir),
		lockfiles.Package{Ecosystem: "Go", Name: "example.com/rated", Version: "v1.1.0", Path: "go.mod", Line: 3},
		lockfiles.Package{Ecosystem: "Go", Name: "example.com/unrated", Version: "v1.1.0", Path: "go.mod", Line: 4})
	if len(f) != 2 {
		t.Fatalf("findings %+v", f)
	}
	// CVSS 3.1 AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:N is 9.1: critical.
	if f[0].Severity != scanner.SeverityCritical || !strings.Contains(f[0].Message, "severity from its alias GHSA-go11-aaaa-bbbb") || !strings.Contains(f[0].Evidence, "CVSS:3.1/") ||
		!slices.Equal(f[0].IDs, []string{"GHSA-go11-aaaa-bbbb", "GO-2024-1", "CVE-2024-1"}) {
		t.Errorf("rated through alias: %+v", f[0])
	}
	if f[1].Severity != scanner.SeverityMedium || !strings.Contains(f[1].Message, "severity unknown") {
		t.Errorf("unrated: %+v", f[1])
	}
}

// LoadDB's in-memory form keeps a per-database bound: hostile databases
// of many large records are refused, not held.
func TestLoadDBMemoryBound(t *testing.T) {
	dir := t.TempDir()
	entries := map[string]string{}
	for i := range 60 {
		id := "GHSA-big-" + string(rune('a'+i%26)) + string(rune('a'+i/26))
		entries[id+".json"] = `{"id":"` + id + `","details":"` + strings.Repeat("x", 64<<10) + `","affected":[{"package":{"ecosystem":"npm","name":"big"},"versions":["1.0.0"]}]}`
	}
	osvtest.WriteZip(t, filepath.Join(dir, "npm", "all.zip"), entries)
	_, err := osvdb.LoadDB(context.Background(), dir, osvdb.LoadOptions{MaxDBBytes: 1 << 20})
	if err == nil || !strings.Contains(err.Error(), "limit exceeded") {
		t.Errorf("err = %v, want the database bound", err)
	}
	if _, err := os.Stat(dir); err != nil {
		t.Fatal(err)
	}
}
