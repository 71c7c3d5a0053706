package pipfilelock

import (
	"path/filepath"
	"testing"

	"github.com/tollgate-dev/tollgate/internal/shareddata"
	"github.com/tollgate-dev/tollgate/lockfiles"
	"github.com/tollgate-dev/tollgate/lockfiles/lockfilestest"
)

var (
	yes = lockfilestest.Bool(true)
	no  = lockfilestest.Bool(false)
)

func TestMatch(t *testing.T) {
	for p, want := range map[string]bool{
		"Pipfile.lock":     true,
		"a/b/Pipfile.lock": true,
		"Pipfile":          false,
		"pipfile.lock":     false,
		"Pipfile.lock.bak": false,
	} {
		if got := (Parser{}).Match(p); got != want {
			t.Errorf("Match(%q) = %v, want %v", p, got, want)
		}
	}
}

func TestRealFiles(t *testing.T) {
	dir := shareddata.Path(t, "lockfiles", "pipfile-lock")
	tests := []struct {
		file  string
		count int
		wants []lockfilestest.Want
	}{
		{
			// Counted with: grep -c '^        "[^"]*": {$' minus the two _meta
			// objects ("hash", "requires") = 12-2; 5 default + 5 develop.
			file:  "pypa-pipenv-examples/Pipfile.lock",
			count: 10,
			wants: []lockfilestest.Want{
				{Name: "certifi", Version: "2026.2.25", Line: 19, Dev: no, Direct: no},
				{Name: "charset-normalizer", Version: "3.4.6", Line: 28, Dev: no},
				{Name: "urllib3", Version: "2.7.0", Line: 182, Dev: no},
				{Name: "pytest", Version: "9.0.3", Line: 225, Dev: yes},
			},
		},
		{
			// grep -c '^        "[^"]*": {$' gives 111, minus _meta "hash" = 110:
			// 10 default + 100 develop (python json.load agrees).
			file:  "pypa-pipenv/Pipfile.lock",
			count: 110,
			wants: []lockfilestest.Want{
				{Name: "exceptiongroup", Version: "1.3.1", Line: 17, Dev: no,
					Integrity: "sha256:8b412432c6055b0b7d14c310000ae93352ed6754f70fa8f7c34141f91c4e3219 sha256:a7a39a3bd276781e98394987d3a5701d0c4edffb633bb7a5144577f82c773598"},
				{Name: "pytest", Version: "9.0.3", Line: 57, Dev: no},
				{Name: "pytest", Version: "9.0.3", Line: 1167, Dev: yes},
				{Name: "alabaster", Version: "1.0.0", Line: 145, Dev: yes, PURL: "pkg:pypi/alabaster@1.0.0"},
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
				if p.Ecosystem != lockfiles.EcosystemPyPI || p.Source != "" || p.Version == "" {
					t.Errorf("unexpected entry %+v", p)
				}
			}
			lockfilestest.Check(t, pkgs, tt.wants)
		})
	}
}

func TestOSVScalibrFixtures(t *testing.T) {
	dir := shareddata.Path(t, "lockfiles", "fixtures-osv-scalibr", "pipfilelock")
	tests := []struct {
		file    string
		errLine int // -1: parses
		count   int
		wants   []lockfilestest.Want
	}{
		{file: "empty-file", errLine: -1, count: 0},
		{file: "empty.json", errLine: -1, count: 0},
		{file: "minified.json", errLine: -1, count: 1, wants: []lockfilestest.Want{
			{Name: "markupsafe", Version: "2.1.1", Line: 1, Dev: no},
		}},
		{file: "multiple-packages.json", errLine: -1, count: 5, wants: []lockfilestest.Want{
			{Name: "itsdangerous", Version: "2.1.2", Line: 19, Dev: no},
			{Name: "pluggy", Version: "1.0.1", Line: 27, Dev: no, Integrity: ""},
			{Name: "markupsafe", Version: "2.1.1", Line: 32, Dev: no},
			{Name: "itsdangerous", Version: "2.1.2", Line: 80, Dev: yes},
			{Name: "pluggy", Version: "1.0.0", Line: 88, Dev: yes},
		}},
		{file: "no-version.json", errLine: -1, count: 2, wants: []lockfilestest.Want{
			{Name: "markupsafe", Version: "", Line: 19, Dev: no, Source: lockfilestest.Str(lockfiles.SourceGit)},
			{Name: "itsdangerous", Version: "", Line: 26, Dev: yes, Source: lockfilestest.Str(lockfiles.SourceGit)},
		}},
		{file: "not-json.txt", errLine: 1},
		{file: "one-package-dev.json", errLine: -1, count: 1, wants: []lockfilestest.Want{
			{Name: "markupsafe", Version: "2.1.1", Line: 20, Dev: yes},
		}},
		{file: "one-package.json", errLine: -1, count: 1, wants: []lockfilestest.Want{
			{Name: "markupsafe", Version: "2.1.1", Line: 19, Dev: no},
		}},
		{file: "two-packages-alt.json", errLine: -1, count: 2, wants: []lockfilestest.Want{
			{Name: "itsdangerous", Version: "2.1.2", Line: 19, Dev: no},
			{Name: "markupsafe", Version: "2.1.1", Line: 27, Dev: no},
		}},
		{file: "two-packages.json", errLine: -1, count: 2, wants: []lockfilestest.Want{
			{Name: "itsdangerous", Version: "2.1.2", Line: 19, Dev: no},
			{Name: "markupsafe", Version: "2.1.1", Line: 29, Dev: yes},
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
	pkgs := lockfilestest.ParseFile(t, Parser{}, "testdata/sources.json")
	if len(pkgs) != 7 {
		t.Errorf("got %d packages, want 7", len(pkgs))
	}
	lockfilestest.Check(t, pkgs, []lockfilestest.Want{
		{Name: "mylib", Line: 4, Source: lockfilestest.Str(lockfiles.SourceLocal)},
		{Name: "remote-wheel", Line: 8, Source: lockfilestest.Str(lockfiles.SourceURL)},
		{Name: "local-wheel", Line: 11, Source: lockfilestest.Str(lockfiles.SourceLocal)},
		{Name: "tagged", Line: 14, Source: lockfilestest.Str(lockfiles.SourceGit)},
		{Name: "star", Line: 18, Source: lockfilestest.Str(lockfiles.SourceUnpinned)},
		{Name: "requests", Version: "2.31.0", Line: 21, Dev: no, Integrity: "sha256:aa sha256:bb",
			Source: lockfilestest.Str(""), PURL: "pkg:pypi/requests@2.31.0"},
		{Name: "requests", Version: "2.31.0", Line: 27, Dev: yes},
	})
	for _, p := range pkgs {
		if p.Name == "tagged" && (p.Resolved != "https://github.com/acme/tagged.git@v1.2.3" || p.PinnedSHA) {
			t.Errorf("tagged: resolved %q pinned %v", p.Resolved, p.PinnedSHA)
		}
	}
	real := shareddata.Path(t, "lockfiles", "fixtures-osv-scalibr", "pipfilelock", "no-version.json")
	for _, p := range lockfilestest.ParseFile(t, Parser{}, real) {
		if p.Name == "markupsafe" && (!p.PinnedSHA || p.Resolved != "https://github.com/pallets/markupsafe@b36054111bc1e8bbadb5d0d60158feb72926f467") {
			t.Errorf("markupsafe: resolved %q pinned %v", p.Resolved, p.PinnedSHA)
		}
	}
}

func TestMalformed(t *testing.T) {
	for file, line := range map[string]int{"bad-entry.json": 4, "truncated.json": 4} {
		_, err := lockfilestest.TryParseFile(Parser{}, filepath.Join("testdata", file))
		lockfilestest.AssertParseError(t, err, file, line)
	}
	_, err := lockfilestest.ParseBytes(Parser{}, "x/Pipfile.lock", []byte(`[1, 2]`))
	lockfilestest.AssertParseError(t, err, "x/Pipfile.lock", 1)
	_, err = lockfilestest.ParseBytes(Parser{}, "Pipfile.lock", []byte("{\n\"develop\": []\n}"))
	lockfilestest.AssertParseError(t, err, "Pipfile.lock", 2)
}

func FuzzParsePipfileLock(f *testing.F) {
	if dir, ok := shareddata.Optional(f, "lockfiles"); ok {
		lockfilestest.AddSeeds(f, filepath.Join(dir, "pipfile-lock", "*", "Pipfile.lock"),
			filepath.Join(dir, "fixtures-osv-scalibr", "pipfilelock", "*"))
	}
	lockfilestest.AddReadings(f, pipfileReadings)
	lockfilestest.AddSeeds(f, "testdata/*")
	f.Fuzz(func(t *testing.T, data []byte) {
		pkgs, _ := lockfilestest.ParseBytes(Parser{}, "Pipfile.lock", data)
		for _, p := range pkgs {
			if p.Name == "" || p.Line < 0 {
				t.Fatalf("bad package %+v", p)
			}
		}
	})
}

func BenchmarkParsePipfileLock(b *testing.B) {
	path := shareddata.Path(b, "lockfiles", "pipfile-lock", "pypa-pipenv", "Pipfile.lock")
	benchmarkFile(b, path)
}
