package gomod

import (
	"os"
	"path/filepath"
	"reflect"
	"testing"

	"github.com/tollgate-dev/tollgate/internal/shareddata"
	lt "github.com/tollgate-dev/tollgate/lockfiles/lockfilestest"
	"golang.org/x/mod/modfile"
)

// checkSame fails t when scanFast accepts data but disagrees with modfile.Parse
// (or modfile rejects it). It returns whether the fast path was taken.
func checkSame(t *testing.T, name string, data []byte) bool {
	t.Helper()
	fast, ok := scanFast(data)
	if !ok {
		return false
	}
	mf, err := modfile.Parse("go.mod", data, nil)
	if err != nil {
		t.Fatalf("%s: fast path accepted what modfile rejects: %v\n%q", name, err, data)
	}
	slow := fromModfile(mf)
	if !reflect.DeepEqual(normalize(fast), normalize(slow)) {
		t.Fatalf("%s: fast path differs from modfile\nfast: %+v\nslow: %+v\n%q", name, fast, slow, data)
	}
	return true
}

func normalize(d *modData) modData {
	n := *d
	if len(n.require) == 0 {
		n.require = nil
	}
	return n
}

// TestFastPathMatchesModfile runs both readers over every go.mod at hand. The
// real files and the plain fixtures must take the fast path; files with
// syntax it leaves to modfile (retract, errors) must not.
func TestFastPathMatchesModfile(t *testing.T) {
	var files []string
	if dir, ok := shareddata.Optional(t, "lockfiles"); ok {
		real, _ := filepath.Glob(filepath.Join(dir, "go-mod", "*", "go.mod"))
		if len(real) != 3 {
			t.Errorf("%d real go.mod files, want 3", len(real))
		}
		for _, f := range real {
			data, err := os.ReadFile(f)
			if err != nil {
				t.Fatal(err)
			}
			if !checkSame(t, f, data) {
				t.Errorf("%s: fast path not taken", f)
			}
		}
		fx, _ := filepath.Glob(filepath.Join(dir, "fixtures-osv-scalibr", "gomod", "*.mod"))
		files = append(files, fx...)
	}
	td, _ := filepath.Glob(filepath.Join("testdata", "*", "go.mod"))
	files = append(files, td...)
	wantSlow := map[string]bool{
		"not-go-mod.mod": true, // unknown directive
		"tricky":         true, // retract
		"malformed":      true,
		"unknown":        true,
	}
	for _, f := range files {
		data, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		key := filepath.Base(f)
		if key == "go.mod" {
			key = filepath.Base(filepath.Dir(f))
		}
		if fast := checkSame(t, f, data); fast == wantSlow[key] {
			t.Errorf("%s: fast path taken = %v, want %v", f, fast, !wantSlow[key])
		}
	}
}

// FuzzFastPathMatchesModfile is a differential fuzzer: whatever scanFast
// accepts, modfile.Parse must accept with the same requirements, replacements
// and exclusions.
func FuzzFastPathMatchesModfile(f *testing.F) {
	if dir, ok := shareddata.Optional(f, "lockfiles"); ok {
		lt.AddSeeds(f, filepath.Join(dir, "fixtures-osv-scalibr", "gomod", "*.mod"))
	}
	lt.AddSeeds(f, filepath.Join("testdata", "*", "go.mod"))
	f.Add([]byte("module m\nrequire (\n\ta/b v1.0.0 // indirect; why\n\tc/d/v2 v2.1.0 //indirect\n)\nreplace a/b => ../b\nexclude c/d/v2 v2.0.0\n"))
	f.Fuzz(func(t *testing.T, data []byte) {
		checkSame(t, "fuzz", data)
	})
}
