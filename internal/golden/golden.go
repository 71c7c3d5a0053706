// Package golden compares test output with golden files under testdata/,
// golang/vuln's habit: `go test ./pkg -update` rewrites them, and the diff
// is reviewed in the commit.
package golden

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// Check compares got with testdata/name of the calling package; with
// update it writes got there instead. pkg names the package for the hint
// ("./cli"). A difference is reported with its first differing line.
func Check(t testing.TB, pkg, name, got string, update bool) {
	t.Helper()
	p := filepath.Join("testdata", name)
	if update {
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(got), 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(p)
	if err != nil {
		t.Fatalf("%v (run go test %s -update)", err, pkg)
	}
	if got == string(want) {
		return
	}
	gl, wl := strings.Split(got, "\n"), strings.Split(string(want), "\n")
	line := 0
	for line < len(gl) && line < len(wl) && gl[line] == wl[line] {
		line++
	}
	var g, w string
	if line < len(gl) {
		g = gl[line]
	}
	if line < len(wl) {
		w = wl[line]
	}
	t.Errorf("%s differs from the golden file (go test %s -update, then review the diff); first at line %d:\n got: %q\nwant: %q\nwhole output:\n%s", name, pkg, line+1, g, w, got)
}
