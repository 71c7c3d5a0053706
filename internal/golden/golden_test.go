package golden

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

type recorder struct {
	testing.TB
	errs []string
}

func (r *recorder) Errorf(format string, args ...any) { r.errs = append(r.errs, format) }
func (r *recorder) Helper()                           {}

func TestCheck(t *testing.T) {
	dir := t.TempDir()
	wd, _ := os.Getwd()
	if err := os.Chdir(dir); err != nil {
		t.Fatal(err)
	}
	defer os.Chdir(wd)
	Check(t, "./x", "a/out.txt", "one\ntwo\n", true)
	if data, err := os.ReadFile(filepath.Join("testdata", "a", "out.txt")); err != nil || string(data) != "one\ntwo\n" {
		t.Fatalf("update wrote %q, %v", data, err)
	}
	r := &recorder{TB: t}
	Check(r, "./x", "a/out.txt", "one\ntwo\n", false)
	if len(r.errs) != 0 {
		t.Errorf("equal output reported: %v", r.errs)
	}
	Check(r, "./x", "a/out.txt", "one\nthree\n", false)
	if len(r.errs) != 1 || !strings.Contains(r.errs[0], "first at line") {
		t.Errorf("a difference was not reported: %v", r.errs)
	}
}
