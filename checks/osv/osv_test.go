package osv

import (
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"slices"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/tollgate-dev/tollgate/internal/shareddata"
	"github.com/tollgate-dev/tollgate/lockfiles"
	osvdb "github.com/tollgate-dev/tollgate/osv"
	"github.com/tollgate-dev/tollgate/osv/osvtest"
	"github.com/tollgate-dev/tollgate/scanner"
)

func TestCheckFindings(t *testing.T) {
	ctx := context.Background()
	db, err := osvdb.LoadDB(ctx, osvtest.BuildDB(t), osvdb.LoadOptions{})
	if err != nil {
		t.Fatal(err)
	}
	pkgs := []lockfiles.Package{
		{Ecosystem: "npm", Name: "evil-pkg", Version: "1.0.0", Path: "package-lock.json", Line: 12, PURL: "pkg:npm/evil-pkg@1.0.0"},
		// A workspace member that happens to share the name: not a registry package.
		{Ecosystem: "npm", Name: "evil-pkg", Version: "0.0.0-use.local", Path: "yarn.lock", Line: 3, Source: lockfiles.SourceLocal},
		{Ecosystem: "npm", Name: "evil-pkg", Version: "", Path: "package.json", Line: 5, Source: lockfiles.SourceUnpinned},
		{Ecosystem: "npm", Name: "evil-pkg", Version: "1.0.0", Path: "b/package-lock.json", Line: 9, Source: lockfiles.SourceGit},
		{Ecosystem: "npm", Name: "express", Version: "4.19.1", Path: "package-lock.json", Line: 30},
		{Ecosystem: "npm", Name: "express", Version: "4.19.2", Path: "package-lock.json", Line: 31},
		{Ecosystem: "crates.io", Name: "old_crate", Version: "0.1.0", Path: "Cargo.lock", Line: 44},
	}
	findings, skipped, err := FromSource(db, CheckOptions{}).Run(ctx, &scanner.Input{Packages: pkgs})
	if err != nil || len(skipped) != 0 {
		t.Fatalf("Run: %v, skipped %v", err, skipped)
	}
	if len(findings) != 3 {
		t.Fatalf("got %d findings, want 3: %+v", len(findings), findings)
	}
	scanner.SortFindings(findings)
	mal := findings[0]
	if mal.RuleID != RuleMalicious || mal.Severity != scanner.SeverityCritical || mal.Path != "package-lock.json" || mal.Line != 12 ||
		mal.Package != "pkg:npm/evil-pkg@1.0.0" || !slices.Equal(mal.IDs, []string{"MAL-T-1"}) || mal.Fingerprint == "" {
		t.Errorf("malicious finding = %+v", mal)
	}
	ex := findings[1]
	if ex.RuleID != RuleVulnerable || ex.Severity != scanner.SeverityMedium || ex.Line != 30 ||
		!strings.Contains(ex.Message, "Fixed in 4.19.2") || ex.Package != "pkg:npm/express@4.19.1" ||
		!strings.Contains(ex.Evidence, "CVSS:3.1/") {
		t.Errorf("express finding = %+v", ex)
	}
	cr := findings[2]
	if cr.Severity != scanner.SeverityLow || !strings.Contains(cr.Message, "unmaintained") || cr.Package != "pkg:cargo/old_crate@0.1.0" {
		t.Errorf("crate finding = %+v", cr)
	}
}

func TestCheckAliasMerge(t *testing.T) {
	ctx := context.Background()
	db, err := osvdb.LoadDB(ctx, filepath.Join("..", "..", "osv", "testdata", "db"), osvdb.LoadOptions{})
	if err != nil {
		t.Fatal(err)
	}
	pkgs := []lockfiles.Package{{Ecosystem: "PyPI", Name: "Sample.Pkg", Version: "1.2", Path: "poetry.lock", Line: 2}}
	findings, _, err := FromSource(db, CheckOptions{}).Run(ctx, &scanner.Input{Packages: pkgs})
	if err != nil {
		t.Fatal(err)
	}
	if len(findings) != 1 {
		t.Fatalf("got %d findings, want 1 merged: %+v", len(findings), findings)
	}
	f := findings[0]
	// CVSS 9.8 outranks the record's own "MODERATE".
	if !slices.Equal(f.IDs, []string{"GHSA-test-aaaa-bbbb", "PYSEC-TEST-1", "CVE-2099-0001"}) || f.Severity != scanner.SeverityCritical ||
		!strings.Contains(f.Message, "Fixed in 1.4.2") {
		t.Errorf("finding = %+v", f)
	}
}

type failingSource struct{ err error }

func (f failingSource) Lookup(context.Context, []osvdb.Query) ([][]*osvdb.Vuln, error) {
	return nil, f.err
}

func TestCheckSkips(t *testing.T) {
	ctx := context.Background()
	in := &scanner.Input{Packages: []lockfiles.Package{{Ecosystem: "npm", Name: "left-pad", Version: "1.3.0"}}}
	_, sk, err := FromSource(nil, CheckOptions{}).Run(ctx, in)
	if err != nil || len(sk) != 1 || sk[0].Check != "osv" {
		t.Errorf("nil source: %v %v", sk, err)
	}
	f, sk, err := FromSource(failingSource{errors.New("querybatch: HTTP 504")}, CheckOptions{}).Run(ctx, in)
	if err != nil || len(f) != 0 || len(sk) != 1 || !strings.Contains(sk[0].Reason, "HTTP 504") {
		t.Errorf("failing source: %v %v %v", f, sk, err)
	}
	cancelled, cancel := context.WithCancel(ctx)
	cancel()
	if _, _, err := FromSource(failingSource{context.Canceled}, CheckOptions{}).Run(cancelled, in); err == nil {
		t.Error("cancelled context: no error")
	}
	// Offline, the API-backed check is never started: scanner.Run enforces
	// its Needs and lists it as skipped, saying what to do instead.
	c := FromSource(osvdb.NewClient(osvdb.ClientOptions{BaseURL: "http://127.0.0.1:1"}), CheckOptions{})
	if !c.Needs().Network {
		t.Error("an API-backed check does not declare that it needs the network")
	}
	res, err := scanner.Run(ctx, []scanner.Check{c}, &scanner.Input{Offline: true, Packages: in.Packages}, scanner.RunOptions{Env: scanner.Environment{Offline: true}})
	if d := res.Disabled; err != nil || len(res.Skipped) != 0 || len(d) != 1 || !strings.Contains(d[0].Reason, "offline") || !strings.Contains(d[0].Reason, "--osv-db") {
		t.Errorf("offline: %+v %v", res, err)
	}
	if db := FromSource(failingSource{}, CheckOptions{}); db.Needs().Network {
		t.Error("an offline source needs the network")
	}
}

func TestActionQuery(t *testing.T) {
	tests := []struct{ name, version, wantName, wantVersion string }{
		{"tj-actions/branch-names", "v7.0.6", "tj-actions/branch-names", "7.0.6"},
		{"github/codeql-action/init", "v3.25.1", "github/codeql-action", "3.25.1"},
		{"tj-actions/branch-names", "v7", "tj-actions/branch-names", ""},
		{"actions/checkout", "b4ffde65f46336ab88eb53be808477a3936bae11", "actions/checkout", ""},
		{"octo/repo/.github/workflows/x.yml", "main", "octo/repo", ""},
	}
	for _, tt := range tests {
		q := actionQuery(&lockfiles.Package{Ecosystem: lockfiles.EcosystemGitHubActions, Name: tt.name, Version: tt.version})
		if q.Name != tt.wantName || q.Version != tt.wantVersion {
			t.Errorf("%s@%s: query %+v, want %s@%s", tt.name, tt.version, q, tt.wantName, tt.wantVersion)
		}
	}
}

func TestActionFindingsOnRealRecord(t *testing.T) {
	db, err := osvdb.LoadDB(context.Background(), shareddata.Path(t, "osv", "vulns", "GitHub Actions", "all.zip"), osvdb.LoadOptions{})
	if err != nil {
		t.Fatal(err)
	}
	pkgs := []lockfiles.Package{
		{Ecosystem: lockfiles.EcosystemGitHubActions, Name: "tj-actions/branch-names", Version: "v7.0.6", Path: ".github/workflows/ci.yml", Line: 9, PURL: "pkg:githubactions/tj-actions/branch-names@v7.0.6"},
		{Ecosystem: lockfiles.EcosystemGitHubActions, Name: "tj-actions/branch-names", Version: "v7.0.7", Path: ".github/workflows/ci.yml", Line: 10},
		{Ecosystem: lockfiles.EcosystemGitHubActions, Name: "tj-actions/branch-names", Version: "v7", Path: ".github/workflows/ci.yml", Line: 11},
	}
	findings, skipped, err := FromSource(db, CheckOptions{}).Run(context.Background(), &scanner.Input{Packages: pkgs})
	if err != nil || len(skipped) != 0 {
		t.Fatal(err, skipped)
	}
	if len(findings) != 1 || findings[0].Line != 9 || !strings.Contains(strings.Join(findings[0].IDs, " "), "GHSA-8v8w-v8xg-79rf") {
		t.Errorf("findings %+v, want one for v7.0.6 at line 9", findings)
	}
}

// staticSource answers every query with no record.
type staticSource struct{ online bool }

func (s staticSource) Lookup(_ context.Context, qs []osvdb.Query) ([][]*osvdb.Vuln, error) {
	return make([][]*osvdb.Vuln, len(qs)), nil
}
func (s staticSource) NeedsNetwork() bool { return s.online }

// An offline lookup says which versions it could not order (their ranges
// went unevaluated); the OSV API orders versions itself, so online nothing
// is said; version-less queries (floating action tags) are by design.
func TestCheckUnorderableVersions(t *testing.T) {
	pkgs := []lockfiles.Package{
		{Ecosystem: "PyPI", Name: "legacy", Version: "1.0-beta-2_x"},
		{Ecosystem: "PyPI", Name: "fine", Version: "1.0b2"},
		{Ecosystem: "npm", Name: "odd", Version: "latest"},
		{Ecosystem: "GitHub Actions", Name: "actions/checkout", Version: "v4"},
	}
	_, sk, err := FromSource(staticSource{}, CheckOptions{}).Run(t.Context(), &scanner.Input{Packages: pkgs})
	if err != nil || len(sk) != 1 || !strings.Contains(sk[0].Reason, "2 of 4 package versions cannot be ordered") ||
		!strings.Contains(sk[0].Reason, "PyPI legacy 1.0-beta-2_x; npm odd latest") {
		t.Errorf("offline: %+v %v", sk, err)
	}
	if _, sk, err := FromSource(staticSource{online: true}, CheckOptions{}).Run(t.Context(), &scanner.Input{Packages: pkgs}); err != nil || len(sk) != 0 {
		t.Errorf("online: %+v %v", sk, err)
	}
}

// An OSV API that answers 429 after every retry makes the check a Skipped
// entry naming the status, not a clean result.
func TestCheckOnRateLimitedAPI(t *testing.T) {
	var calls atomic.Int32
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		calls.Add(1)
		http.Error(w, `{"code":8,"message":"quota"}`, http.StatusTooManyRequests)
	}))
	defer srv.Close()
	c := osvdb.NewClient(osvdb.ClientOptions{BaseURL: srv.URL, Backoff: time.Millisecond, MaxRetries: 2})
	f, sk, err := FromSource(c, CheckOptions{}).Run(t.Context(), &scanner.Input{Packages: []lockfiles.Package{{Ecosystem: "npm", Name: "express", Version: "4.19.1"}}})
	if err != nil || len(f) != 0 || len(sk) != 1 || !strings.Contains(sk[0].Reason, "429") || calls.Load() != 3 {
		t.Errorf("check on 429: %v %v %v after %d calls", f, sk, err, calls.Load())
	}
}
