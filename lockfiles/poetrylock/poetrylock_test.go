package poetrylock

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
		"poetry.lock":     true,
		"sub/poetry.lock": true,
		"Poetry.lock":     false,
		"poetry.lock.old": false,
		"pyproject.toml":  false,
	} {
		if got := (Parser{}).Match(p); got != want {
			t.Errorf("Match(%q) = %v, want %v", p, got, want)
		}
	}
}

func TestRealFiles(t *testing.T) {
	dir := shareddata.Path(t, "lockfiles", "poetry-lock")
	tests := []struct {
		file  string
		count int
		wants []lockfilestest.Want
	}{
		{
			// lock-version 1.1; count: grep -c '^\[\[package\]\]' = 83.
			file:  "python-poetry-poetry-v1.1-a268380/poetry.lock",
			count: 83,
			wants: []lockfilestest.Want{
				{Name: "attrs", Version: "22.1.0", Line: 1, Dev: no, Direct: no,
					// from [metadata.files] (line 961)
					Integrity: "sha256:86efa402f67bf2df34f51a335487cf46b1ec130d02b8d39fd248abfd30da551c sha256:29adc2665447e5191d0e7c568fde78b21f9672d344281d0c6e1ab085429b22b6"},
				{Name: "CacheControl", Version: "0.12.11", Line: 23, Dev: no, PURL: "pkg:pypi/cachecontrol@0.12.11"},
				{Name: "cachy", Version: "0.3.0", Line: 40, Dev: yes},
				{Name: "zipp", Version: "3.9.0", Line: 943},
			},
		},
		{
			// lock-version 2.0 (written by Poetry 1.8.5: no category, no groups);
			// count: grep -c '^\[\[package\]\]' = 68.
			file:  "python-poetry-poetry-v2.0-714c024/poetry.lock",
			count: 68,
			wants: []lockfilestest.Want{
				{Name: "backports-tarfile", Version: "1.2.0", Line: 3, Dev: no,
					Integrity: "sha256:77e284d754527b01fb1e6fa8a1afe577858ebe4e9dad8919e34c862cb399bc34 sha256:d75e02c268746e1b8144c278978b6e98e85de6ad16f8e4b0844a154557eca991"},
				{Name: "build", Version: "1.2.2.post1", Line: 18},
				{Name: "xattr", Version: "1.1.0", Line: 1561},
				{Name: "zipp", Version: "3.21.0", Line: 1634},
			},
		},
		{
			// lock-version 2.1; count: grep -c '^\[\[package\]\]' = 78.
			file:  "python-poetry-poetry/poetry.lock",
			count: 78,
			wants: []lockfilestest.Want{
				{Name: "anyio", Version: "4.13.0", Line: 3, Dev: no, Source: str("")},
				{Name: "coverage", Version: "7.13.5", Line: 376, Dev: yes},              // groups = ["test"]
				{Name: "distlib", Version: "0.4.0", Line: 601, Dev: no},                 // groups = ["main", "dev"]
				{Name: "poetry-core", Version: "2.4.1", Line: 1402, Source: str("git")}, // [package.source] type git
				{Name: "zstandard", Version: "0.25.0", Line: 2159},
			},
		},
	}
	for _, tt := range tests {
		t.Run(tt.file, func(t *testing.T) {
			pkgs := lockfilestest.ParseFile(t, Parser{}, filepath.Join(dir, tt.file))
			if len(pkgs) != tt.count {
				t.Errorf("got %d packages, want %d", len(pkgs), tt.count)
			}
			for _, p := range pkgs {
				if p.Name == "" || p.Version == "" || p.Ecosystem != lockfiles.EcosystemPyPI {
					t.Errorf("unexpected entry %+v", p)
				}
				if p.Name == "poetry-core" && p.Source == lockfiles.SourceGit && (p.Resolved != "https://github.com/python-poetry/poetry-core.git@e3998b0e111dc03e4aa721fd054c48e5c7de6fc5" || !p.PinnedSHA) {
					t.Errorf("poetry-core: resolved %q pinned %v", p.Resolved, p.PinnedSHA)
				}
			}
			lockfilestest.Check(t, pkgs, tt.wants)
		})
	}
}

func TestOSVScalibrFixtures(t *testing.T) {
	dir := shareddata.Path(t, "lockfiles", "fixtures-osv-scalibr", "poetrylock")
	tests := []struct {
		file    string
		errLine int // -1: parses
		count   int
		wants   []lockfilestest.Want
	}{
		{file: "empty-file.lock", errLine: -1},
		{file: "empty.lock", errLine: -1},
		// grep -c '^\[\[package\]\]' = 11, proto-plus locked twice (two versions).
		{file: "multiple-packages.v2.lock", errLine: -1, count: 11, wants: []lockfilestest.Want{
			{Name: "async-timeout", Version: "5.0.1", Line: 3, Dev: no},
			{Name: "factory-boy", Version: "3.3.1", Line: 16, Dev: yes},
			{Name: "faker", Version: "33.3.0", Line: 35, Dev: yes},
			{Name: "proto-plus", Version: "1.22.0", Line: 51, Dev: no},
			{Name: "proto-plus", Version: "1.23.0", Line: 70, Dev: no},
			{Name: "urllib3", Version: "2.3.0", Line: 169, Dev: yes},
		}},
		{file: "names-outside-package-block.lock", errLine: -1, count: 2, wants: []lockfilestest.Want{
			{Name: "first-pkg", Version: "1.0.0", Line: 3},
			{Name: "second-pkg", Version: "2.0.0", Line: 15},
		}},
		{file: "not-toml.txt", errLine: 1},
		{file: "one-package-with-metadata.lock", errLine: -1, count: 1, wants: []lockfilestest.Want{
			{Name: "emoji", Version: "2.0.0", Line: 1, Dev: no,
				Integrity: "sha256:297fac7ec9e86f7b602792c28eb6f04819ba67ab88a34c56afcde52243a9a105"},
		}},
		{file: "one-package.lock", errLine: -1, count: 1, wants: []lockfilestest.Want{
			{Name: "numpy", Version: "1.23.3", Line: 1},
		}},
		{file: "optional-package.lock", errLine: -1, count: 1, wants: []lockfilestest.Want{
			{Name: "numpy", Version: "1.23.3", Line: 1, Dev: no},
		}},
		{file: "source-git.lock", errLine: -1, count: 1, wants: []lockfilestest.Want{
			{Name: "ike", Version: "0.2.0", Line: 1, Source: str(lockfiles.SourceGit)},
		}},
		{file: "source-legacy.lock", errLine: -1, count: 1, wants: []lockfilestest.Want{
			{Name: "appdirs", Version: "1.4.4", Line: 1, Source: str("")},
		}},
		{file: "two-packages.lock", errLine: -1, count: 2, wants: []lockfilestest.Want{
			{Name: "proto-plus", Version: "1.22.0", Line: 1},
			{Name: "protobuf", Version: "4.21.5", Line: 15},
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
		})
	}
}

func TestSources(t *testing.T) {
	pkgs := lockfilestest.ParseFile(t, Parser{}, "testdata/sources.lock")
	if len(pkgs) != 5 {
		t.Fatalf("got %d packages, want 5: %+v", len(pkgs), pkgs)
	}
	lockfilestest.Check(t, pkgs, []lockfilestest.Want{
		{Name: "mylib", Version: "0.1.0", Line: 4, Dev: no, Source: str(lockfiles.SourceLocal)},
		{Name: "wheelfile", Version: "1.0", Line: 18, Dev: yes, Source: str(lockfiles.SourceLocal)},
		{Name: "remote", Version: "2.0", Line: 27, Dev: no, Source: str(lockfiles.SourceURL)},
		{Name: "private", Version: "3.0", Line: 36, Dev: yes, Source: str("")},
		{Name: "branch-dep", Version: "4.0", Line: 47, Source: str(lockfiles.SourceGit)},
	})
	want := map[string]string{
		"mylib":      "libs/mylib",
		"remote":     "https://example.com/remote-2.0.tar.gz",
		"private":    "https://pypi.internal.example/simple",
		"branch-dep": "https://github.com/acme/branch-dep.git@main",
	}
	for _, p := range pkgs {
		if w, ok := want[p.Name]; ok && p.Resolved != w {
			t.Errorf("%s: resolved %q, want %q", p.Name, p.Resolved, w)
		}
		if p.PinnedSHA {
			t.Errorf("%s: pinned to a SHA, but no entry is", p.Name)
		}
	}
}

func TestMalformed(t *testing.T) {
	for file, line := range map[string]int{"bad-syntax.lock": 6, "no-name.lock": 5} {
		_, err := lockfilestest.TryParseFile(Parser{}, filepath.Join("testdata", file))
		lockfilestest.AssertParseError(t, err, file, line)
	}
	// An inline array of packages has no headers to place entries on.
	_, err := lockfilestest.ParseBytes(Parser{}, "poetry.lock", []byte(`package = [{name = "a", version = "1"}]`))
	lockfilestest.AssertParseError(t, err, "poetry.lock", 0)
}

func FuzzParsePoetryLock(f *testing.F) {
	if dir, ok := shareddata.Optional(f, "lockfiles"); ok {
		lockfilestest.AddSeeds(f, filepath.Join(dir, "poetry-lock", "*", "poetry.lock"),
			filepath.Join(dir, "fixtures-osv-scalibr", "poetrylock", "*"))
	}
	lockfilestest.AddSeeds(f, "testdata/*")
	f.Fuzz(func(t *testing.T, data []byte) {
		if len(data) < 32<<10 {
			// The full decoder is slow on the large seeds; TestFastPathMatchesFullDecoder covers those.
			sameAsSlow(t, data)
		}
		pkgs, _ := lockfilestest.ParseBytes(Parser{}, "poetry.lock", data)
		lockfilestest.CheckWellFormed(t, pkgs)
	})
}

func BenchmarkParsePoetryLock(b *testing.B) {
	path := shareddata.Path(b, "lockfiles", "poetry-lock", "python-poetry-poetry", "poetry.lock")
	data, err := os.ReadFile(path)
	if err != nil {
		b.Fatal(err)
	}
	in := &lockfiles.Input{Path: "poetry.lock", Content: data, Limits: lockfiles.Limits{}.WithDefaults()}
	b.SetBytes(int64(len(data)))
	b.ReportAllocs()
	for b.Loop() {
		if _, err := (Parser{}).Parse(context.Background(), in); err != nil {
			b.Fatal(err)
		}
	}
}
