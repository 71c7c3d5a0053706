package cli

import (
	"bytes"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/tollgate-dev/tollgate/internal/shareddata"
	"github.com/tollgate-dev/tollgate/osv/index"
	"github.com/tollgate-dev/tollgate/osv/osvtest"
	"github.com/tollgate-dev/tollgate/osv/snapshot"
	"github.com/tollgate-dev/tollgate/pipeline"
)

func TestVersionPrintsSnapshot(t *testing.T) {
	snap, err := snapshot.Load()
	if err != nil {
		t.Fatal(err)
	}
	code, out, _ := run(t, "version")
	if code != 0 || !strings.HasPrefix(out, "tollgate "+pipeline.Version+"\n") ||
		!strings.Contains(out, "malware snapshot: ") || !strings.Contains(out, "dated "+snap.SnapshotDate()) ||
		!strings.Contains(out, fmt.Sprintf("%d records", snap.Info().Records)) {
		t.Errorf("version: exit %d:\n%s", code, out)
	}
}

// `scan --offline DIR` with no --osv-db reports a known malicious package
// (a real record of the shared data) from the embedded snapshot, and says
// the snapshot's date.
func TestScanOfflineReportsMalwareFromSnapshot(t *testing.T) {
	zipPath := filepath.Join(shareddata.Path(t, "osv", "malicious"), "npm", "all.zip")
	var name, ver, id string
	for _, r := range osvtest.ReadRecords(t, zipPath) {
		a := r.Affected[0]
		if a.OnlyListed() && !strings.HasPrefix(a.Package.Name, "@") {
			name, ver, id = a.Package.Name, a.Versions[0], r.ID
			break
		}
	}
	if name == "" {
		t.Fatal("no list-only unscoped npm record in the shared data")
	}
	dir := t.TempDir()
	lock := fmt.Sprintf(`{"name":"app","lockfileVersion":3,"packages":{"":{"name":"app","dependencies":{%q:%q}},"node_modules/%s":{"version":%q,"resolved":"https://registry.npmjs.org/%s/-/%s-%s.tgz"}}}`,
		name, ver, name, ver, name, name, ver)
	if err := os.WriteFile(filepath.Join(dir, "package-lock.json"), []byte(lock), 0o644); err != nil {
		t.Fatal(err)
	}
	snap, _ := snapshot.Load()
	code, out, errOut := run(t, "scan", "--offline", "--format", "json", dir)
	if code != pipeline.ExitFindings || !strings.Contains(out, `"rule_id": "malicious-package"`) || !strings.Contains(out, id) ||
		!strings.Contains(out, "embedded malware snapshot of "+snap.SnapshotDate()) {
		t.Errorf("exit %d (stderr %s):\n%s", code, errOut, out)
	}
	code, out, _ = run(t, "scan", "--offline", dir)
	if code != pipeline.ExitFindings || !strings.Contains(out, "snapshot of "+snap.SnapshotDate()) {
		t.Errorf("text: exit %d:\n%s", code, out)
	}
}

// db update writes the index beside the exports it fetched, and keeps it
// while the export is unchanged.
func TestDBUpdateWritesIndex(t *testing.T) {
	src := t.TempDir()
	osvtest.WriteZip(t, filepath.Join(src, "npm", "all.zip"), osvtest.Records["npm"])
	body, err := os.ReadFile(filepath.Join(src, "npm", "all.zip"))
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path != "/npm/all.zip" {
			http.NotFound(w, r)
			return
		}
		if r.Header.Get("If-None-Match") == `"v1"` {
			w.WriteHeader(http.StatusNotModified)
			return
		}
		w.Header().Set("ETag", `"v1"`)
		w.Write(body)
	}))
	defer srv.Close()
	dir := t.TempDir()
	code, out, errOut := run(t, "db", "update", "--ecosystems", "npm", "--url", srv.URL, dir)
	if code != 0 || !strings.Contains(out, "index: 1 sources, 1 rebuilt, 4 records") {
		t.Fatalf("first update: exit %d (%s):\n%s", code, errOut, out)
	}
	if _, err := os.Stat(filepath.Join(dir, "npm", "all.zip"+index.Suffix)); err != nil {
		t.Errorf("no index beside the export: %v", err)
	}
	code, out, _ = run(t, "db", "update", "--url", srv.URL, dir)
	if code != 0 || !strings.Contains(out, "unchanged") || !strings.Contains(out, "index: 1 sources, 0 rebuilt") {
		t.Errorf("second update: exit %d:\n%s", code, out)
	}
	// A scan reads through that index.
	lock := `{"lockfileVersion":3,"packages":{"node_modules/evil-pkg":{"version":"1.0.0"}}}`
	repo := t.TempDir()
	os.WriteFile(filepath.Join(repo, "package-lock.json"), []byte(lock), 0o644)
	var stderr bytes.Buffer
	code, out, _ = run(t, "scan", "--offline", "--osv-db", dir, "--format", "json", repo)
	if code != pipeline.ExitFindings || !strings.Contains(out, "MAL-T-1") || strings.Contains(out, "snapshot") {
		t.Errorf("scan through the index: exit %d %s:\n%s", code, stderr.String(), out)
	}
}
