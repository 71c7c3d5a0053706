package gomod_test

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"testing/fstest"

	"github.com/tollgate-dev/tollgate/internal/shareddata"
	"github.com/tollgate-dev/tollgate/lockfiles"
	"github.com/tollgate-dev/tollgate/lockfiles/gomod"
	lt "github.com/tollgate-dev/tollgate/lockfiles/lockfilestest"
)

var (
	yes = lt.Bool(true)
	no  = lt.Bool(false)
)

func TestMatch(t *testing.T) {
	var p gomod.Parser
	for path, want := range map[string]bool{
		"go.mod":             true,
		"cmd/tool/go.mod":    true,
		"go.sum":             false,
		"go.work":            false,
		"notgo.mod":          false,
		"go.mod.bak":         false,
		"vendor/modules.txt": false,
	} {
		if got := p.Match(path); got != want {
			t.Errorf("Match(%q) = %v, want %v", path, got, want)
		}
	}
	if p.Name() != "go/go.mod" {
		t.Errorf("Name() = %q", p.Name())
	}
}

// TestRealFiles parses every go.mod of the shared corpus. Counts: `go mod edit
// -json go.mod` lists the Require entries (and an awk count of lines inside
// require blocks plus single-line requires agrees); indirect counts are the
// lines with "// indirect". Every required module@version has an h1: line in
// its go.sum (checked with a script over `go mod edit -json` and go.sum), so
// every package carries integrity. None of these files has replace or exclude.
func TestRealFiles(t *testing.T) {
	dir := shareddata.Path(t, "lockfiles", "go-mod")
	tests := []struct {
		repo           string
		count, indirec int
		wants          []lt.Want
	}{
		{"aquasecurity-trivy", 473, 348, []lt.Want{
			{Name: "github.com/BurntSushi/toml", Version: "v1.6.0", Line: 9, Direct: yes, Integrity: "h1:dRaEfpa2VI55EwlIW72hMRHdWouJeRF7TPYhI+AUQjk=", PURL: "pkg:golang/github.com/BurntSushi/toml@v1.6.0"},
			{Name: "github.com/go-git/go-git/v5", Version: "v5.19.2", Line: 46, Direct: yes},
			{Name: "github.com/aws/smithy-go", Version: "v1.27.6", Line: 200, Direct: no, Integrity: "h1:0zjT8jgK3jbrTT7JJ3EE6JsMhX8JTrZ+f1sEndYDXrA="},
			{Name: "golang.org/x/sys", Version: "v0.47.0", Line: 446, Direct: no, Integrity: "h1:o7XGOvZQCADBQQ4Y7VNq2dRWQR7JmOUW8Kxx4ZsNgWs="},
			{Name: "google.golang.org/genproto/googleapis/api", Version: "v0.0.0-20260630182238-925bb5da69e7", Line: 451, Direct: no},
		}},
		{"google-osv-scalibr", 198, 121, []lt.Want{
			{Name: "github.com/BurntSushi/toml", Version: "v1.6.0", Line: 13, Direct: yes, Integrity: "h1:dRaEfpa2VI55EwlIW72hMRHdWouJeRF7TPYhI+AUQjk="},
			{Name: "golang.org/x/sys", Version: "v0.44.0", Line: 70, Direct: yes, Integrity: "h1:ildZl3J4uzeKP07r2F++Op7E9B29JRUy+a27EibtBTQ="},
			{Name: "gopkg.in/yaml.v3", Version: "v3.0.1", Line: 78, Direct: yes, PURL: "pkg:golang/gopkg.in/yaml.v3@v3.0.1"},
			{Name: "google.golang.org/genproto/googleapis/api", Version: "v0.0.0-20260511170946-3700d4141b60", Line: 200, Direct: no, Integrity: "h1:3WsB1FAbiRIf2tOxscWKs3pQBD9he1NsrnbhMuWfekc="},
		}},
		{"google-osv-scanner", 206, 176, []lt.Want{
			{Name: "github.com/BurntSushi/toml", Version: "v1.6.0", Line: 10, Direct: yes},
			{Name: "github.com/go-git/go-git/v5", Version: "v5.19.2", Line: 13, Direct: yes},
			{Name: "golang.org/x/sys", Version: "v0.47.0", Line: 197, Direct: no, Integrity: "h1:o7XGOvZQCADBQQ4Y7VNq2dRWQR7JmOUW8Kxx4ZsNgWs="},
			{Name: "golang.org/x/time", Version: "v0.15.0", Line: 200, Direct: no, Integrity: "h1:bbrp8t3bGUeFOx08pvsMYRTCVSMk89u4tKbNOZbp88U="},
			{Name: "gopkg.in/yaml.v3", Version: "v3.0.1", Line: 207, Direct: no},
		}},
	}
	for _, tc := range tests {
		t.Run(tc.repo, func(t *testing.T) {
			pkgs := lt.ParseFile(t, gomod.Parser{}, filepath.Join(dir, tc.repo, "go.mod"))
			if len(pkgs) != tc.count {
				t.Fatalf("%d packages, want %d", len(pkgs), tc.count)
			}
			indirect := 0
			for _, p := range pkgs {
				if !p.Direct {
					indirect++
				}
				if p.Integrity == "" || !strings.HasPrefix(p.Integrity, "h1:") {
					t.Errorf("%s@%s: integrity %q, want an h1: hash", p.Name, p.Version, p.Integrity)
				}
				if p.Ecosystem != lockfiles.EcosystemGo || p.Path != "go.mod" || p.Source != "" || p.Dev {
					t.Errorf("unexpected fields: %+v", p)
				}
			}
			if indirect != tc.indirec {
				t.Errorf("%d indirect, want %d", indirect, tc.indirec)
			}
			lt.Check(t, pkgs, tc.wants)
		})
	}
}

// TestScalibrFixtures runs every osv-scalibr gomod fixture. They are not named
// go.mod, so Parse is called directly; their .sum siblings are not go.sum and
// are therefore not read (indirect-1.23.sum is deliberately garbage).
func TestScalibrFixtures(t *testing.T) {
	dir := shareddata.Path(t, "lockfiles", "fixtures-osv-scalibr", "gomod")
	type result struct {
		count   int
		errLine int // > 0: a *ParseError at this line is expected
		wants   []lt.Want
	}
	results := map[string]result{
		"empty.mod":         {count: 0},
		"not-go-mod.mod":    {errLine: 1},
		"indirect-1.16.mod": {count: 1, wants: []lt.Want{{Name: "github.com/sirupsen/logrus", Version: "v1.9.3", Line: 5, Direct: yes}}},
		"indirect-1.23.mod": {count: 2, wants: []lt.Want{
			{Name: "github.com/sirupsen/logrus", Version: "v1.9.3", Line: 5, Direct: yes},
			{Name: "golang.org/x/sys", Version: "v0.0.0-20220715151400-c0bba94af5f8", Line: 7, Direct: no},
		}},
		"indirect-packages.mod": {count: 5, wants: []lt.Want{
			{Name: "gopkg.in/yaml.v2", Version: "v2.4.0", Line: 7, Direct: yes},
			{Name: "github.com/mattn/go-isatty", Version: "v0.0.14", Line: 12, Direct: no},
		}},
		"one-package.mod": {count: 1, wants: []lt.Want{{Name: "github.com/BurntSushi/toml", Version: "v1.0.0", Line: 4, Direct: yes}}},
		"two-packages.mod": {count: 2, wants: []lt.Want{
			{Name: "github.com/BurntSushi/toml", Version: "v1.0.0", Line: 6},
			{Name: "gopkg.in/yaml.v2", Version: "v2.4.0", Line: 7},
		}},
		"toolchain.mod":             {count: 1, wants: []lt.Want{{Name: "github.com/BurntSushi/toml", Version: "v1.0.0", Line: 8}}},
		"toolchain-with-suffix.mod": {count: 1, wants: []lt.Want{{Name: "github.com/BurntSushi/toml", Version: "v1.0.0", Line: 8}}},
		// Two versions of one module, each replaced by its own fork version.
		"replace-different.mod": {count: 2, wants: []lt.Want{
			{Name: "example.com/fork/foe", Version: "v1.4.5", Line: 2},
			{Name: "example.com/fork/foe", Version: "v1.4.2", Line: 3},
		}},
		"replace-local.mod": {count: 2, wants: []lt.Want{
			{Name: "golang.org/x/net", Version: "", Line: 2, Source: lt.Str(lockfiles.SourceLocal)},
			{Name: "github.com/BurntSushi/toml", Version: "v1.0.0", Line: 3, Source: lt.Str("")},
		}},
		// Only the v1.2.3 requirement is replaced.
		"replace-mixed.mod": {count: 2, wants: []lt.Want{
			{Name: "example.com/fork/net", Version: "v1.4.5", Line: 2},
			{Name: "golang.org/x/net", Version: "v0.5.6", Line: 3},
		}},
		// A replace without a left version applies to every required version.
		"replace-no-version.mod": {count: 2, wants: []lt.Want{
			{Name: "example.com/fork/net", Version: "v1.4.5", Line: 2},
			{Name: "example.com/fork/net", Version: "v1.4.5", Line: 3},
		}},
		// The replace names v1.2.3, which is not required: nothing changes.
		"replace-not-required.mod": {count: 2, wants: []lt.Want{
			{Name: "golang.org/x/net", Version: "v0.5.6", Line: 2},
			{Name: "github.com/BurntSushi/toml", Version: "v1.0.0", Line: 3},
		}},
		"replace-one.mod": {count: 1, wants: []lt.Want{{Name: "example.com/fork/net", Version: "v1.4.5", Line: 2}}},
	}
	files, err := filepath.Glob(filepath.Join(dir, "*"))
	if err != nil {
		t.Fatal(err)
	}
	seen := 0
	for _, f := range files {
		base := filepath.Base(f)
		if strings.HasSuffix(base, ".sum") {
			continue
		}
		seen++
		want, ok := results[base]
		if !ok {
			t.Errorf("fixture %s has no expectation; add one", base)
			continue
		}
		t.Run(base, func(t *testing.T) {
			pkgs, err := lt.TryParseFile(gomod.Parser{}, f)
			if want.errLine > 0 {
				if err == nil {
					t.Fatalf("no error, want a ParseError at line %d", want.errLine)
				}
				lt.AssertParseError(t, err, base, want.errLine)
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if len(pkgs) != want.count {
				t.Fatalf("%d packages, want %d: %+v", len(pkgs), want.count, pkgs)
			}
			lt.Check(t, pkgs, want.wants)
		})
	}
	if seen != len(results) {
		t.Errorf("%d fixtures on disk, %d expectations", seen, len(results))
	}
}

func TestTricky(t *testing.T) {
	pkgs := lt.ParseFile(t, gomod.Parser{}, filepath.Join("testdata", "tricky", "go.mod"))
	// 8 require lines (1 single-line + 7 in the block); the main module, go,
	// toolchain, replace, exclude and retract lines are not packages.
	if len(pkgs) != 8 {
		t.Fatalf("%d packages, want 8: %+v", len(pkgs), pkgs)
	}
	lt.Check(t, pkgs, []lt.Want{
		{Name: "github.com/single/line", Version: "v1.0.0", Line: 7, Direct: yes,
			Integrity: "h1:SINGLEsingleSINGLEsingleSINGLEsingleSINGLE=", PURL: "pkg:golang/github.com/single/line@v1.0.0"},
		// The "replace ... v0.16.0" does not touch the required v0.17.0; the
		// go.sum h1 line comes after its /go.mod line and is still found.
		{Name: "golang.org/x/net", Version: "v0.17.0", Line: 10, Direct: yes, Integrity: "h1:NEThashNEThashNEThashNEThashNEThashNEThashNE="},
		// Exact replacement: the fork is reported, with the fork's hash.
		{Name: "github.com/myfork/lib", Version: "v1.2.4", Line: 11, Direct: no,
			Integrity: "h1:MYFORKmyforkMYFORKmyforkMYFORKmyforkMYFORKmy=", PURL: "pkg:golang/github.com/myfork/lib@v1.2.4"},
		// Directory replacement: local code, no version, no integrity.
		{Name: "github.com/local/thing", Version: "", Line: 12, Direct: yes, Source: lt.Str(lockfiles.SourceLocal)},
		// Any-version replacement.
		{Name: "example.org/anyver", Version: "v1.0.1", Line: 13, Integrity: "h1:ANYVERanyverANYVERanyverANYVERanyverANYVERan="},
		// Excluded but still reported (see Parse's doc comment).
		{Name: "github.com/excluded/mod", Version: "v1.5.0", Line: 14, Direct: no},
		// "v0.3" is canonicalized as the go command does.
		{Name: "github.com/short/mod", Version: "v0.3.0", Line: 15},
		// Missing from go.sum: no integrity, no error.
		{Name: "github.com/nosum/mod", Version: "v0.1.0", Line: 16, Source: lt.Str("")},
	})
	byName := map[string]lockfiles.Package{}
	for _, p := range pkgs {
		byName[p.Name] = p
	}
	for name, want := range map[string]struct{ resolved, integrity string }{
		"github.com/myfork/lib":   {"replaces github.com/forked/lib@v1.2.3", "h1:MYFORKmyforkMYFORKmyforkMYFORKmyforkMYFORKmy="},
		"github.com/local/thing":  {"../thing", ""},
		"example.org/anyver":      {"replaces github.com/anyver/mod@v2.0.0+incompatible", "h1:ANYVERanyverANYVERanyverANYVERanyverANYVERan="},
		"github.com/excluded/mod": {"excluded by go.mod line 27", "h1:EXCLexclEXCLexclEXCLexclEXCLexclEXCLexclEXCL="},
		"golang.org/x/net":        {"", "h1:NEThashNEThashNEThashNEThashNEThashNEThashNE="},
		"github.com/nosum/mod":    {"", ""},
		"github.com/short/mod":    {"", ""},
	} {
		p := byName[name]
		if p.Resolved != want.resolved || p.Integrity != want.integrity {
			t.Errorf("%s: resolved %q integrity %q, want %q %q", name, p.Resolved, p.Integrity, want.resolved, want.integrity)
		}
	}
}

func TestNoGoSum(t *testing.T) {
	pkgs := lt.ParseFile(t, gomod.Parser{}, filepath.Join("testdata", "nosum", "go.mod"))
	if len(pkgs) != 2 {
		t.Fatalf("%d packages, want 2", len(pkgs))
	}
	lt.Check(t, pkgs, []lt.Want{
		{Name: "github.com/a/b", Version: "v1.0.0", Line: 6, Direct: yes},
		{Name: "github.com/c/d", Version: "v0.2.0", Line: 7, Direct: no},
	})
	for _, p := range pkgs {
		if p.Integrity != "" {
			t.Errorf("%s: integrity %q without go.sum", p.Name, p.Integrity)
		}
	}
	// Without an FS (ParseBytes), go.sum is not looked for at all.
	data, err := os.ReadFile(filepath.Join("testdata", "tricky", "go.mod"))
	if err != nil {
		t.Fatal(err)
	}
	pkgs, err = lt.ParseBytes(gomod.Parser{}, "go.mod", data)
	if err != nil || len(pkgs) != 8 || pkgs[0].Integrity != "" {
		t.Fatalf("ParseBytes: %d packages, err %v, first %+v", len(pkgs), err, pkgs)
	}
}

// TestGoSumInSubdirectory checks that go.sum is read beside a nested go.mod,
// not at the FS root.
func TestGoSumInSubdirectory(t *testing.T) {
	fsys := fstest.MapFS{
		"go.sum":        {Data: []byte("github.com/a/b v1.0.0 h1:ROOT=\n")},
		"sub/go.mod":    {Data: []byte("module x\n\nrequire github.com/a/b v1.0.0\n")},
		"sub/go.sum":    {Data: []byte("github.com/a/b v1.0.0/go.mod h1:GOMOD=\ngithub.com/a/b v1.0.0 h1:SUB=\n")},
		"nosum/go.mod":  {Data: []byte("module y\n\nrequire github.com/a/b v1.0.0\n")},
		"bigsum/go.mod": {Data: []byte("module z\n\nrequire github.com/a/b v1.0.0\n")},
		"bigsum/go.sum": {Data: []byte(strings.Repeat("x", 200))},
	}
	pkgs, err := lockfiles.ParseFile(t.Context(), fsys, "sub/go.mod", gomod.Parser{}, lockfiles.Limits{})
	if err != nil {
		t.Fatal(err)
	}
	lt.Check(t, pkgs, []lt.Want{{Name: "github.com/a/b", Version: "v1.0.0", Line: 3, Integrity: "h1:SUB="}})
	pkgs, err = lockfiles.ParseFile(t.Context(), fsys, "nosum/go.mod", gomod.Parser{}, lockfiles.Limits{})
	if err != nil || len(pkgs) != 1 || pkgs[0].Integrity != "" {
		t.Fatalf("nosum: %+v, %v", pkgs, err)
	}
	_, err = lockfiles.ParseFile(t.Context(), fsys, "bigsum/go.mod", gomod.Parser{}, lockfiles.Limits{MaxFileSize: 100})
	if !errors.Is(err, lockfiles.ErrLimit) {
		t.Fatalf("oversized go.sum: err %v, want ErrLimit", err)
	}
	lt.AssertParseError(t, err, "bigsum/go.sum", 0)
}

func TestMalformed(t *testing.T) {
	for _, tc := range []struct {
		dir  string
		line int
		text string
	}{
		{"malformed", 7, "usage"}, // require without a version
		{"unknown", 7, "unknown directive: frobnicate"},
	} {
		t.Run(tc.dir, func(t *testing.T) {
			_, err := lt.TryParseFile(gomod.Parser{}, filepath.Join("testdata", tc.dir, "go.mod"))
			if err == nil {
				t.Fatal("no error")
			}
			lt.AssertParseError(t, err, "go.mod", tc.line)
			if !strings.Contains(err.Error(), tc.text) {
				t.Errorf("error %q does not say %q", err, tc.text)
			}
			// The file and line are said once, not repeated by modfile's own text.
			if strings.Count(err.Error(), "go.mod") != 1 {
				t.Errorf("error %q repeats the file name", err)
			}
		})
	}
	// A syntax error from the lexer (unterminated quoted string) on line 3.
	_, err := lt.ParseBytes(gomod.Parser{}, "a/go.mod", []byte("module x\n\nrequire \"github.com/a/b v1.0.0\n"))
	lt.AssertParseError(t, err, "a/go.mod", 3)
	// A branch name instead of a version, on line 4.
	_, err = lt.ParseBytes(gomod.Parser{}, "go.mod", []byte("module x\n\nrequire (\n\tgithub.com/a/b master\n)\n"))
	lt.AssertParseError(t, err, "go.mod", 4)
}

func FuzzParseGoMod(f *testing.F) {
	if dir, ok := shareddata.Optional(f, "lockfiles"); ok {
		lt.AddSeeds(f, filepath.Join(dir, "go-mod", "*", "go.mod"), filepath.Join(dir, "fixtures-osv-scalibr", "gomod", "*.mod"))
	}
	lt.AddSeeds(f, filepath.Join("testdata", "*", "go.mod"))
	f.Fuzz(func(t *testing.T, data []byte) {
		fsys := fstest.MapFS{
			"go.mod": {Data: data},
			"go.sum": {Data: data},
		}
		pkgs, err := lockfiles.ParseFile(t.Context(), fsys, "go.mod", gomod.Parser{}, lockfiles.Limits{})
		if err != nil {
			var pe *lockfiles.ParseError
			if !errors.As(err, &pe) || pe.Path == "" {
				t.Fatalf("error %v is not a ParseError naming a file", err)
			}
			return
		}
		for _, p := range pkgs {
			if p.Name == "" || p.Line < 0 {
				t.Fatalf("bad package %+v", p)
			}
		}
	})
}

func BenchmarkParseGoMod(b *testing.B) {
	dir := shareddata.Path(b, "lockfiles", "go-mod", "aquasecurity-trivy")
	mod, err := os.ReadFile(filepath.Join(dir, "go.mod"))
	if err != nil {
		b.Fatal(err)
	}
	sum, err := os.ReadFile(filepath.Join(dir, "go.sum"))
	if err != nil {
		b.Fatal(err)
	}
	fsys := fstest.MapFS{"go.mod": {Data: mod}, "go.sum": {Data: sum}}
	in := &lockfiles.Input{Path: "go.mod", Content: mod, FS: fsys, Limits: lockfiles.Limits{}.WithDefaults()}
	b.SetBytes(int64(len(mod) + len(sum)))
	b.ReportAllocs()
	for b.Loop() {
		pkgs, err := gomod.Parser{}.Parse(b.Context(), in)
		if err != nil || len(pkgs) != 473 {
			b.Fatalf("%d packages, %v", len(pkgs), err)
		}
	}
}
