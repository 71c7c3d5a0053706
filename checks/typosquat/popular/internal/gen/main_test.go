package main

import (
	"bytes"
	"os"
	"path/filepath"
	"testing"

	"github.com/tollgate-dev/tollgate/internal/shareddata"
)

// TestSnapshotUpToDate regenerates the snapshot from the shared lists and
// the curated ones and compares it with the committed snapshot.gz: run
// `go generate ./checks/typosquat/popular` when it fails.
func TestSnapshotUpToDate(t *testing.T) {
	data := shareddata.Path(t, "popular")
	out := filepath.Join(t.TempDir(), "snapshot.gz")
	if err := run(data, filepath.Join("..", "..", "curated"), out, 5000); err != nil {
		t.Fatal(err)
	}
	got, err := os.ReadFile(out)
	if err != nil {
		t.Fatal(err)
	}
	want, err := os.ReadFile(filepath.Join("..", "..", "snapshot.gz"))
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(got, want) {
		t.Errorf("snapshot.gz is stale (%d bytes committed, %d generated): run go generate ./checks/typosquat/popular", len(want), len(got))
	}
}

func TestReadListRejectsBadNames(t *testing.T) {
	p := filepath.Join(t.TempDir(), "list.txt")
	if err := os.WriteFile(p, []byte("# comment\nrequests\nbad name\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	if _, err := readList(p); err == nil {
		t.Error("a name with a space was accepted")
	}
}
