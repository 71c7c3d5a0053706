package main

import (
	"bytes"
	"os"
	"path/filepath"
	"testing"

	"github.com/tollgate-dev/tollgate/internal/shareddata"
)

// The committed snapshot is what `go generate` makes of the shared data
// today: regenerating gives the same bytes.
func TestCommittedSnapshotIsCurrent(t *testing.T) {
	src := shareddata.Path(t, "osv", "malicious")
	out := filepath.Join(t.TempDir(), "malicious.snap.gz")
	committed, err := os.ReadFile(filepath.Join("..", "malicious.snap.gz"))
	if err != nil {
		t.Fatal(err)
	}
	// The header's source, commit and license come from the go:generate
	// line; read them back from the committed header to regenerate alike.
	hdr, err := readHeader(committed)
	if err != nil {
		t.Fatal(err)
	}
	if err := run(src, out, Header{Source: hdr.Source, Commit: hdr.Commit, License: hdr.License}, 3<<20); err != nil {
		t.Fatal(err)
	}
	fresh, err := os.ReadFile(out)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(fresh, committed) {
		t.Errorf("the committed snapshot (%d bytes) differs from a fresh one (%d bytes): run go generate ./osv/snapshot", len(committed), len(fresh))
	}
	if err := run(src, filepath.Join(t.TempDir(), "x.gz"), Header{}, 1000); err == nil {
		t.Error("a snapshot over its byte budget was written")
	}
}
