package pdmlock

import (
	"context"
	"os"
	"path/filepath"
	"testing"

	"github.com/tollgate-dev/tollgate/internal/shareddata"
	"github.com/tollgate-dev/tollgate/lockfiles"
	"github.com/tollgate-dev/tollgate/lockfiles/lockfilestest"
)

var (
	yes = lockfilestest.Bool(true)
	no  = lockfilestest.Bool(false)
	str = lockfilestest.Str
)

func TestMatch(t *testing.T) {
	for p, want := range map[string]bool{
		"pdm.lock":       true,
		"x/y/pdm.lock":   true,
		"pdm.toml":       false,
		"pdm.lock.orig":  false,
		"pyproject.toml": false,
	} {
		if got := (Parser{}).Match(p); got != want {
			t.Errorf("Match(%q) = %v, want %v", p, got, want)
		}
	}
}

func TestRealFile(t *testing.T) {
	path := filepath.Join(shareddata.Path(t, "lockfiles", "pdm-lock"), "pdm-project-pdm", "pdm.lock")
	pkgs := lockfilestest.ParseFile(t, Parser{}, path)
	// grep -c '^\[\[package\]\]' = 100; grep -c '^groups = .*"default"' = 41,
	// one of them [metadata] groups (line 5): 40 packages are in the default
	// group, so 60 are only in non-default groups.
	if len(pkgs) != 100 {
		t.Errorf("got %d packages, want 100", len(pkgs))
	}
	dev := 0
	for _, p := range pkgs {
		if p.Dev {
			dev++
		}
		if p.Version == "" || p.Source != "" || p.Direct || p.Integrity == "" {
			t.Errorf("unexpected entry %+v", p)
		}
	}
	if dev != 60 {
		t.Errorf("%d dev packages, want 60", dev)
	}
	lockfilestest.Check(t, pkgs, []lockfilestest.Want{
		{Name: "anyio", Version: "4.13.0", Line: 13, Dev: no, Direct: no,
			Integrity: "sha256:08b310f9e24a9594186fd75b4f73f4a4152069e3853f1ed8bfbf58369f4ad708 sha256:334b70e641fd2221c1505b3890c69882fe4a2df910cba14d97019b90b24439dc"},
		{Name: "keyring", Version: "25.7.0", Line: 865, Dev: yes},
		{Name: "mkdocs", Version: "1.6.1", Line: 1022, Dev: yes},
		{Name: "pytest", Version: "9.0.3", Line: 1343, Dev: yes},
		{Name: "zipp", Version: "3.23.1", Line: 1956, Dev: yes, PURL: "pkg:pypi/zipp@3.23.1"},
	})
}

func TestOSVScalibrFixtures(t *testing.T) {
	dir := shareddata.Path(t, "lockfiles", "fixtures-osv-scalibr", "pdmlock")
	tests := []struct {
		file    string
		errLine int // -1: parses
		count   int
		wants   []lockfilestest.Want
	}{
		{file: "dev-dependency.toml", errLine: -1, count: 3, wants: []lockfilestest.Want{
			{Name: "pyroute2", Version: "0.7.11", Line: 10, Dev: yes},
			{Name: "toml", Version: "0.10.2", Line: 22, Dev: no},
			{Name: "win-inet-pton", Version: "1.1.0", Line: 33, Dev: yes},
		}},
		{file: "empty-file.toml", errLine: -1},
		{file: "empty.toml", errLine: -1},
		{file: "git-dependency.toml", errLine: -1, count: 1, wants: []lockfilestest.Want{
			{Name: "toml", Version: "0.10.2", Line: 10, Source: str(lockfiles.SourceGit)},
		}},
		{file: "names-outside-package-block.toml", errLine: -1, count: 2, wants: []lockfilestest.Want{
			{Name: "first-pkg", Version: "1.0.0", Line: 10},
			{Name: "second-pkg", Version: "2.0.0", Line: 23},
		}},
		{file: "not-toml.txt", errLine: 1},
		{file: "optional-dependency.toml", errLine: -1, count: 3, wants: []lockfilestest.Want{
			{Name: "pyroute2", Version: "0.7.11", Line: 10, Dev: yes},
			{Name: "toml", Version: "0.10.2", Line: 22, Dev: no},
		}},
		{file: "single-package.toml", errLine: -1, count: 1, wants: []lockfilestest.Want{
			{Name: "toml", Version: "0.10.2", Line: 10, Dev: no},
		}},
		{file: "two-packages.toml", errLine: -1, count: 2, wants: []lockfilestest.Want{
			{Name: "six", Version: "1.16.0", Line: 10},
			{Name: "toml", Version: "0.10.2", Line: 21},
		}},
	}
	matches, _ := filepath.Glob(filepath.Join(dir, "*"))
	if len(matches) != len(tests) {
		t.Errorf("%d fixture files, %d cases: cover every file", len(matches), len(tests))
	}
	for _, tt := range tests {
		t.Run(tt.file, func(t *testing.T) {
			pkgs, err := lockfilestest.TryParseFile(Parser{}, filepath.Join(dir, tt.file))
			if tt.errLine >= 0 {
				lockfilestest.AssertParseError(t, err, tt.file, tt.errLine)
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if len(pkgs) != tt.count {
				t.Errorf("got %d packages, want %d: %+v", len(pkgs), tt.count, pkgs)
			}
			lockfilestest.Check(t, pkgs, tt.wants)
			for _, p := range pkgs {
				if p.Name == "toml" && p.Source == lockfiles.SourceGit &&
					(!p.PinnedSHA || p.Resolved != "https://github.com/uiri/toml.git@65bab7582ce14c55cdeec2244c65ea23039c9e6f") {
					t.Errorf("git toml: resolved %q pinned %v", p.Resolved, p.PinnedSHA)
				}
			}
		})
	}
}

func TestSources(t *testing.T) {
	pkgs := lockfilestest.ParseFile(t, Parser{}, "testdata/sources.lock")
	if len(pkgs) != 5 {
		t.Fatalf("got %d packages, want 5", len(pkgs))
	}
	lockfilestest.Check(t, pkgs, []lockfilestest.Want{
		{Name: "mylib", Version: "0.1.0", Line: 6, Dev: no, Source: str(lockfiles.SourceLocal)},
		{Name: "editable-tool", Version: "0.2.0", Line: 12, Dev: yes, Source: str(lockfiles.SourceLocal)},
		{Name: "remote", Version: "1.0", Line: 19, Dev: no, Source: str(lockfiles.SourceURL)},
		{Name: "branchy", Version: "2.0", Line: 25, Dev: yes, Source: str(lockfiles.SourceGit)},
		{Name: "noversion", Version: "", Line: 32, Dev: no, Source: str(lockfiles.SourceUnpinned)},
	})
	for _, p := range pkgs {
		if p.Name == "branchy" && (p.Resolved != "https://github.com/acme/branchy.git@main" || p.PinnedSHA) {
			t.Errorf("branchy: resolved %q pinned %v", p.Resolved, p.PinnedSHA)
		}
	}
}

func TestMalformed(t *testing.T) {
	for file, line := range map[string]int{"bad-syntax.lock": 7, "no-name.lock": 8} {
		_, err := lockfilestest.TryParseFile(Parser{}, filepath.Join("testdata", file))
		lockfilestest.AssertParseError(t, err, file, line)
	}
}

func FuzzParsePdmLock(f *testing.F) {
	if dir, ok := shareddata.Optional(f, "lockfiles"); ok {
		lockfilestest.AddSeeds(f, filepath.Join(dir, "pdm-lock", "*", "pdm.lock"),
			filepath.Join(dir, "fixtures-osv-scalibr", "pdmlock", "*"))
	}
	lockfilestest.AddSeeds(f, "testdata/*")
	f.Fuzz(func(t *testing.T, data []byte) {
		if len(data) < 32<<10 {
			// The full decoder is slow on the large seeds; TestFastPathMatchesFullDecoder covers those.
			sameAsSlow(t, data)
		}
		pkgs, _ := lockfilestest.ParseBytes(Parser{}, "pdm.lock", data)
		lockfilestest.CheckWellFormed(t, pkgs)
	})
}

func BenchmarkParsePdmLock(b *testing.B) {
	path := shareddata.Path(b, "lockfiles", "pdm-lock", "pdm-project-pdm", "pdm.lock")
	data, err := os.ReadFile(path)
	if err != nil {
		b.Fatal(err)
	}
	in := &lockfiles.Input{Path: "pdm.lock", Content: data, Limits: lockfiles.Limits{}.WithDefaults()}
	b.SetBytes(int64(len(data)))
	b.ReportAllocs()
	for b.Loop() {
		if _, err := (Parser{}).Parse(context.Background(), in); err != nil {
			b.Fatal(err)
		}
	}
}
