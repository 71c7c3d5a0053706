package pipeline

import (
	"testing"

	"github.com/tollgate-dev/tollgate/diff"
	"github.com/tollgate-dev/tollgate/lockfiles"
	"github.com/tollgate-dev/tollgate/scanner"
)

// A finding on an entry whose first line is unchanged moves to the first
// added line inside that entry, so that GitHub shows it on the pull request.
func TestOnAddedLines(t *testing.T) {
	cs := &diff.ChangeSet{Files: []diff.FileChange{{
		Path:  "package-lock.json",
		Added: []diff.Line{{Number: 12, Text: `"version": "4.17.21",`}, {Number: 30, Text: `"version": "2.0.0",`}},
	}}}
	inv := &lockfiles.Inventory{Packages: []lockfiles.Package{
		{Path: "package-lock.json", Line: 10}, {Path: "package-lock.json", Line: 20}, {Path: "package-lock.json", Line: 28},
	}}
	findings := []scanner.Finding{
		{Path: "package-lock.json", Line: 10}, // entry 10-19: moves to 12
		{Path: "package-lock.json", Line: 20}, // entry 20-27: nothing added, stays
		{Path: "package-lock.json", Line: 28}, // last entry: moves to 30
		{Path: "package-lock.json", Line: 12}, // already on an added line
		{Path: "other.lock", Line: 5},         // file without added lines
	}
	got := onAddedLines(findings, cs, inv)
	want := []int{12, 20, 30, 12, 5}
	for i, f := range got {
		if f.Line != want[i] {
			t.Errorf("finding %d at line %d, want %d", i, f.Line, want[i])
		}
	}
}

func TestIntroduced(t *testing.T) {
	changes := []lockfiles.Change{
		{Kind: lockfiles.ChangeAdded, Package: lockfiles.Package{Name: "a"}},
		{Kind: lockfiles.ChangeRemoved, Package: lockfiles.Package{Name: "b"}},
		{Kind: lockfiles.ChangeUpdated, Package: lockfiles.Package{Name: "c"}},
		{Kind: lockfiles.ChangeRehashed, Package: lockfiles.Package{Name: "d"}},
	}
	var names string
	for _, p := range introduced(changes) {
		names += p.Name
	}
	if names != "acd" {
		t.Errorf("introduced %q, want acd", names)
	}
}
