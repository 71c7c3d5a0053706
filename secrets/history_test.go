package secrets

import (
	"context"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
	"time"

	"github.com/go-git/go-git/v5"
	"github.com/go-git/go-git/v5/plumbing/object"
)

// TestScanHistory commits a secret, moves it, then deletes it: the history
// scan still finds it, once per distinct blob, with the first path seen.
func TestScanHistory(t *testing.T) {
	dir := t.TempDir()
	repo, err := git.PlainInit(dir, false)
	if err != nil {
		t.Fatal(err)
	}
	wt, err := repo.Worktree()
	if err != nil {
		t.Fatal(err)
	}
	tok := ghToken(t, 20)
	when := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	commit := func(msg string, files map[string]string, remove ...string) {
		t.Helper()
		for p, c := range files {
			full := filepath.Join(dir, p)
			if err := os.MkdirAll(filepath.Dir(full), 0o755); err != nil {
				t.Fatal(err)
			}
			if err := os.WriteFile(full, []byte(c), 0o644); err != nil {
				t.Fatal(err)
			}
			if _, err := wt.Add(p); err != nil {
				t.Fatal(err)
			}
		}
		for _, p := range remove {
			if _, err := wt.Remove(p); err != nil {
				t.Fatal(err)
			}
		}
		when = when.Add(time.Hour)
		sig := &object.Signature{Name: "t", Email: "t@example.com", When: when}
		if _, err := wt.Commit(msg, &git.CommitOptions{Author: sig, Committer: sig}); err != nil {
			t.Fatal(err)
		}
	}
	commit("add config", map[string]string{"config/app.env": "TOKEN=" + tok + "\n", "README.md": "hi\n"})
	// Same content under a second path: one blob, scanned once.
	commit("copy config", map[string]string{"backup/app.env": "TOKEN=" + tok + "\n"})
	commit("remove secrets", map[string]string{"README.md": "hi again\n"}, "config/app.env", "backup/app.env")

	res, err := ScanHistory(context.Background(), dir, newTestEngine(t))
	var ms []Match
	if res != nil {
		ms = res.Matches
	}
	if err != nil {
		t.Fatal(err)
	}
	if len(ms) != 1 {
		t.Fatalf("want 1 match (one blob), got %d: %+v", len(ms), ms)
	}
	m := ms[0]
	// Newest commit first: the copy commit sees backup/ before config/.
	if m.RuleID != "secret/github-pat" || m.Path != "backup/app.env" || m.Line != 1 || len(m.Commit) != 40 {
		t.Errorf("match = %+v", m)
	}
	if len(res.TooBig) != 0 {
		t.Errorf("too big: %v", res.TooBig)
	}
	// A blob over the size limit is listed, not silently passed by.
	small, err := New(Options{MaxFileSize: 64})
	if err != nil {
		t.Fatal(err)
	}
	commit("add a dump", map[string]string{"dump.sql": strings.Repeat("x", 100) + "\n"})
	res, err = ScanHistory(context.Background(), dir, small)
	if err != nil || len(res.TooBig) != 1 || !strings.HasPrefix(res.TooBig[0], "dump.sql@") {
		t.Errorf("too big: %+v %v", res, err)
	}
	if _, err := ScanHistory(context.Background(), t.TempDir(), newTestEngine(t)); err == nil {
		t.Error("ScanHistory on a non-repository should fail")
	}
}

// TestScanHistoryLargeBlobNotInflated: a loose blob over the size limit is
// listed in TooBig by its header alone: the scan does not inflate it (it
// cost 2.3 GB of memory for a 500 MB file before).
func TestScanHistoryLargeBlobNotInflated(t *testing.T) {
	dir := t.TempDir()
	repo, err := git.PlainInit(dir, false)
	if err != nil {
		t.Fatal(err)
	}
	wt, err := repo.Worktree()
	if err != nil {
		t.Fatal(err)
	}
	const size = 32 << 20
	if err := os.WriteFile(filepath.Join(dir, "big.txt"), []byte(strings.Repeat("a line of plain text in a big file\n", size/35)), 0o644); err != nil {
		t.Fatal(err)
	}
	if _, err := wt.Add("big.txt"); err != nil {
		t.Fatal(err)
	}
	sig := &object.Signature{Name: "t", Email: "t@example.com", When: time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)}
	if _, err := wt.Commit("big", &git.CommitOptions{Author: sig, Committer: sig}); err != nil {
		t.Fatal(err)
	}
	e, err := New(Options{MaxFileSize: 1 << 20})
	if err != nil {
		t.Fatal(err)
	}
	var before, after runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&before)
	res, err := ScanHistory(context.Background(), dir, e)
	runtime.ReadMemStats(&after)
	if err != nil {
		t.Fatal(err)
	}
	if len(res.TooBig) != 1 || !strings.HasPrefix(res.TooBig[0], "big.txt@") {
		t.Errorf("too big: %v", res.TooBig)
	}
	if alloc := after.TotalAlloc - before.TotalAlloc; alloc > size/4 {
		t.Errorf("allocated %d bytes for a %d-byte blob that is not scanned", alloc, size)
	}
}
