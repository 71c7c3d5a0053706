package pipeline

import (
	"fmt"
	"slices"
	"testing"
	"testing/fstest"

	"github.com/tollgate-dev/tollgate/checks"
	"github.com/tollgate-dev/tollgate/diff"
	"github.com/tollgate-dev/tollgate/lockfiles"
	"github.com/tollgate-dev/tollgate/lockfiles/all"
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
	for _, p := range introduced(changes, nil) {
		names += p.Name
	}
	if names != "acd" {
		t.Errorf("introduced %q, want acd", names)
	}
}

// A name@version the base held anywhere is not new at another place: npm
// hoisting minimist@1.2.5 from a nested node_modules path to the top (or a
// second lockfile locking it) introduces nothing; a new version, or the same
// version re-hashed, does.
func TestIntroducedIgnoresVersionsTheBaseHeld(t *testing.T) {
	npm := func(name, version, path string) lockfiles.Package {
		return lockfiles.Package{Ecosystem: "npm", Name: name, Version: version, Path: path}
	}
	base := &lockfiles.Inventory{Packages: []lockfiles.Package{
		npm("minimist", "1.2.5", "package-lock.json"),
		npm("left-pad", "1.3.0", "web/package-lock.json"),
		npm("chalk", "5.3.0", "package-lock.json"),
	}}
	prev := npm("chalk", "5.3.0", "package-lock.json")
	changes := []lockfiles.Change{
		{Kind: lockfiles.ChangeAdded, Package: npm("minimist", "1.2.5", "package-lock.json")},
		{Kind: lockfiles.ChangeAdded, Package: npm("left-pad", "1.3.0", "package-lock.json")},
		{Kind: lockfiles.ChangeUpdated, Package: npm("minimist", "1.2.5", "package-lock.json"), Previous: &prev},
		{Kind: lockfiles.ChangeAdded, Package: npm("minimist", "1.2.6", "package-lock.json")},
		{Kind: lockfiles.ChangeRehashed, Package: npm("chalk", "5.3.0", "package-lock.json"), Previous: &prev},
	}
	var got []string
	for _, p := range introduced(changes, base) {
		got = append(got, p.Name+"@"+p.Version)
	}
	if want := []string{"minimist@1.2.6", "chalk@5.3.0"}; !slices.Equal(got, want) {
		t.Errorf("introduced %q, want %q", got, want)
	}
}

// A pull request that only bumps a pin in a constraints file (which no
// format matches on its own) still yields that update: the requirements
// files that may include it are read on both sides.
func TestChangedIncludeIsRead(t *testing.T) {
	base := fstest.MapFS{
		"svc/requirements.txt": {Data: []byte("-c ../constraints.txt\nflask\n")},
		"constraints.txt":      {Data: []byte("flask==2.0.0\nwerkzeug==2.0.0\n")},
		"notes.txt":            {Data: []byte("hello\n")},
	}
	head := fstest.MapFS{
		"svc/requirements.txt": base["svc/requirements.txt"],
		"constraints.txt":      {Data: []byte("flask==2.0.0\nwerkzeug==3.0.1\n")},
		"notes.txt":            base["notes.txt"],
	}
	cs := &diff.ChangeSet{Source: diff.SourceGit, BaseFS: base, HeadFS: head, Files: []diff.FileChange{
		{Path: "constraints.txt", Status: diff.StatusModified, Added: []diff.Line{{Number: 2, Text: "werkzeug==3.0.1"}}},
	}}
	res, err := Run(t.Context(), Options{ChangeSet: cs, Parsers: all.Parsers(), Registry: checks.Registry{}})
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, c := range res.Changes {
		got = append(got, fmt.Sprintf("%s %s %s:%d", c.Kind, c.Package.Name+"@"+c.Package.Version, c.Package.Path, c.Package.Line))
	}
	want := []string{"updated werkzeug@3.0.1 constraints.txt:2"}
	if !slices.Equal(got, want) {
		t.Errorf("changes = %q, want %q", got, want)
	}

	// A changed text file that nothing includes changes nothing.
	cs.Files = []diff.FileChange{{Path: "notes.txt", Status: diff.StatusModified}}
	cs.BaseFS, cs.HeadFS = base, base
	res, err = Run(t.Context(), Options{ChangeSet: cs, Parsers: all.Parsers(), Registry: checks.Registry{}})
	if err != nil {
		t.Fatal(err)
	}
	if len(res.Changes) != 0 || len(res.Report.Errors) != 0 {
		t.Errorf("changes %+v, errors %v for an unrelated text file", res.Changes, res.Report.Errors)
	}
}
