package osv

import (
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/tollgate-dev/tollgate/checks"
	"github.com/tollgate-dev/tollgate/config"
	"github.com/tollgate-dev/tollgate/internal/shareddata"
	"github.com/tollgate-dev/tollgate/lockfiles"
	osvdb "github.com/tollgate-dev/tollgate/osv"
	"github.com/tollgate-dev/tollgate/osv/osvtest"
	"github.com/tollgate-dev/tollgate/osv/snapshot"
	"github.com/tollgate-dev/tollgate/scanner"
)

// realMalicious returns a package of the shared data that a MAL record
// names by an exact version, and the record's id.
func realMalicious(t *testing.T) (lockfiles.Package, string) {
	t.Helper()
	for _, r := range osvtest.ReadRecords(t, filepath.Join(shareddata.Path(t, "osv", "malicious"), "npm", "all.zip")) {
		for _, a := range r.Affected {
			if a.OnlyListed() {
				return lockfiles.Package{Ecosystem: "npm", Name: a.Package.Name, Version: a.Versions[0], Path: "package-lock.json", Line: 7}, r.ID
			}
		}
	}
	t.Fatal("no list-only npm record")
	return lockfiles.Package{}, ""
}

// Offline with no database, the check runs on the embedded snapshot: it
// finds a known malicious package, says the snapshot's date in the finding,
// and lists (by choice, not as a fault) that vulnerabilities went unchecked.
func TestOfflineUsesSnapshot(t *testing.T) {
	pkg, id := realMalicious(t)
	c, err := New(t.Context(), checks.Deps{Config: config.Default(), Offline: true})
	if err != nil {
		t.Fatal(err)
	}
	if c.Needs().Network {
		t.Fatal("the snapshot-backed check needs the network")
	}
	res, err := scanner.Run(t.Context(), []scanner.Check{c}, &scanner.Input{Offline: true, Packages: []lockfiles.Package{pkg}}, scanner.RunOptions{Env: scanner.Environment{Offline: true}})
	if err != nil {
		t.Fatal(err)
	}
	snap, _ := snapshot.Load()
	date := snap.SnapshotDate()
	if len(res.Findings) != 1 || res.Findings[0].RuleID != RuleMalicious || res.Findings[0].IDs[0] != id ||
		!strings.Contains(res.Findings[0].Message, "embedded malware snapshot of "+date) {
		t.Errorf("findings %+v, want %s from the snapshot of %s", res.Findings, id, date)
	}
	if len(res.Skipped) != 0 || len(res.Disabled) != 1 || !strings.Contains(res.Disabled[0].Reason, "vulnerabilities were not checked") ||
		!strings.Contains(res.Disabled[0].Reason, date) {
		t.Errorf("skipped %+v disabled %+v", res.Skipped, res.Disabled)
	}
}

// An unreachable API falls back to the snapshot for malware: the finding is
// reported, and the failure stays a (not by choice) skipped entry.
func TestUnreachableAPIFallsBackToSnapshot(t *testing.T) {
	pkg, id := realMalicious(t)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		http.Error(w, "unavailable", http.StatusServiceUnavailable)
	}))
	defer srv.Close()
	snap, err := snapshot.Load()
	if err != nil {
		t.Fatal(err)
	}
	client := osvdb.NewClient(osvdb.ClientOptions{BaseURL: srv.URL, Backoff: time.Millisecond, MaxRetries: 1})
	f, sk, err := FromSource(client, CheckOptions{Fallback: snap}).Run(t.Context(), &scanner.Input{Packages: []lockfiles.Package{pkg, {Ecosystem: "npm", Name: "left-pad", Version: "1.3.0"}}})
	if err != nil {
		t.Fatal(err)
	}
	if len(f) != 1 || f[0].IDs[0] != id || !strings.Contains(f[0].Message, snap.SnapshotDate()) {
		t.Errorf("findings %+v", f)
	}
	if len(sk) != 1 || sk[0].ByChoice || !strings.Contains(sk[0].Reason, "503") || !strings.Contains(sk[0].Reason, "vulnerabilities of 2 packages were not checked") ||
		!strings.Contains(sk[0].Reason, "snapshot of "+snap.SnapshotDate()) {
		t.Errorf("skipped %+v", sk)
	}
}

// A real database wins over the snapshot: with osv.db set, the check reads
// it (through its index) and never says "snapshot".
func TestDatabaseWinsOverSnapshot(t *testing.T) {
	cfg := config.Default()
	cfg.OSV.DB = osvtest.BuildDB(t)
	c, err := New(t.Context(), checks.Deps{Config: cfg, Offline: true, CacheDir: t.TempDir(), Ecosystems: []string{"npm"}})
	if err != nil {
		t.Fatal(err)
	}
	f, sk, err := c.Run(t.Context(), &scanner.Input{Packages: []lockfiles.Package{{Ecosystem: "npm", Name: "evil-pkg", Version: "1.0.0"}}})
	if err != nil || len(sk) != 0 || len(f) != 1 || f[0].IDs[0] != "MAL-T-1" || strings.Contains(f[0].Message, "snapshot") {
		t.Errorf("%+v %+v %v", f, sk, err)
	}
}
