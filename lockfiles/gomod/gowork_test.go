package gomod_test

import (
	"errors"
	"path/filepath"
	"testing"
	"testing/fstest"

	"github.com/tollgate-dev/tollgate/lockfiles"
	"github.com/tollgate-dev/tollgate/lockfiles/gomod"
	lt "github.com/tollgate-dev/tollgate/lockfiles/lockfilestest"
)

func TestWorkMatch(t *testing.T) {
	lt.CheckMatch(t, gomod.WorkParser{}, map[string]bool{
		"go.work": true, "tools/go.work": true, "go.work.sum": false, "go.mod": false, "go.work.bak": false,
	})
}

func TestWorkspace(t *testing.T) {
	pkgs := lt.ParseFile(t, gomod.WorkParser{}, filepath.Join("testdata", "ws", "go.work"))
	// grep -n: use ./api (7), ./lib (8), ./missing (9), ./api (12);
	// replaces at 14, 17 and 18.
	if len(pkgs) != 7 {
		t.Fatalf("%d packages, want 7: %+v", len(pkgs), pkgs)
	}
	local := lt.Str(lockfiles.SourceLocal)
	lt.Check(t, pkgs, []lt.Want{
		{Name: "example.com/acme/api", Version: "", Line: 7, Source: local, Direct: lt.Bool(true)},
		{Name: "example.com/acme/lib", Version: "", Line: 8, Source: local},
		{Name: "./missing", Version: "", Line: 9, Source: local}, // no go.mod there: the directory
		{Name: "example.com/acme/api", Version: "", Line: 12, Source: local},
		{Name: "github.com/example-fork/crypto", Version: "v0.31.1-fork.1", Line: 14, Source: lt.Str(""),
			PURL: "pkg:golang/github.com/example-fork/crypto@v0.31.1-fork.1"},
		{Name: "golang.org/x/net", Version: "v0.33.0", Line: 17},
		{Name: "example.com/acme/util", Version: "", Line: 18, Source: local},
	})
	byLine := map[int]lockfiles.Package{}
	for _, p := range pkgs {
		byLine[p.Line] = p
	}
	if got := byLine[14].Resolved; got != "replaces golang.org/x/crypto in go.work" {
		t.Errorf("resolved %q", got)
	}
	if got := byLine[17].Resolved; got != "replaces golang.org/x/net@v0.30.0 in go.work" {
		t.Errorf("resolved %q", got)
	}
	if got := byLine[18].Resolved; got != "../util" {
		t.Errorf("resolved %q", got)
	}
}

func TestWorkMalformed(t *testing.T) {
	for _, c := range []struct {
		content string
		line    int
	}{
		{"go 1.23\n\nuse ./a\nreplace x.example/a =>\n", 4},
		{"go 1.23\nuse (\n  ./a\n", 4}, // the unterminated block is reported at the end
		{"module example.com/x\n", 1},  // a go.mod directive in a go.work
		{"go 1.23\nreplace x.example/a => y.example/b master\n", 2},
	} {
		_, err := lt.ParseBytes(gomod.WorkParser{}, "w/go.work", []byte(c.content))
		lt.AssertParseError(t, err, "w/go.work", c.line)
	}
	_, err := lockfiles.ParseFile(t.Context(), fstest.MapFS{"go.work": {Data: []byte("go 1.23\nuse ./a\nuse ./b\nuse ./c\n")}}, "go.work",
		gomod.WorkParser{}, lockfiles.Limits{MaxPackages: 2})
	if !errors.Is(err, lockfiles.ErrLimit) {
		t.Errorf("limit: %v", err)
	}
}

func FuzzParseGoWork(f *testing.F) {
	lt.AddSeeds(f, filepath.Join("testdata", "ws", "go.work"))
	f.Add([]byte("go 1.22\nuse .\nreplace a => b v1.0.0\n"))
	f.Fuzz(func(t *testing.T, data []byte) {
		fsys := fstest.MapFS{"go.work": {Data: data}, "a/go.mod": {Data: data}}
		pkgs, err := lockfiles.ParseFile(t.Context(), fsys, "go.work", gomod.WorkParser{}, lockfiles.Limits{})
		if err != nil {
			var pe *lockfiles.ParseError
			if !errors.As(err, &pe) || pe.Path != "go.work" {
				t.Fatalf("error %v is not a ParseError naming go.work", err)
			}
			return
		}
		lt.CheckWellFormed(t, pkgs)
	})
}

func BenchmarkParseGoWork(b *testing.B) {
	lt.BenchmarkParse(b, gomod.WorkParser{}, "go.work", "testdata", "ws")
}
