package yarnlock

import (
	"errors"
	"os"
	"path/filepath"
	"testing"

	"github.com/tollgate-dev/tollgate/internal/shareddata"
	"github.com/tollgate-dev/tollgate/lockfiles"
	"github.com/tollgate-dev/tollgate/lockfiles/lockfilestest"
	"github.com/tollgate-dev/tollgate/lockfiles/yamltree"
	yaml "go.yaml.in/yaml/v3"
)

var (
	no     = lockfilestest.Bool(false)
	reg    = lockfilestest.Str(lockfiles.SourceRegistry)
	local  = lockfilestest.Str(lockfiles.SourceLocal)
	git    = lockfilestest.Str(lockfiles.SourceGit)
	urlSrc = lockfilestest.Str(lockfiles.SourceURL)
)

func TestMatch(t *testing.T) {
	p := Parser{}
	lockfilestest.CheckMatch(t, p, map[string]bool{
		"yarn.lock":           true,
		"web/app/yarn.lock":   true,
		"yarn.lock.bak":       false,
		"package-lock.json":   false,
		"not-yarn.lock/x.txt": false,
	})
	if p.Name() != "npm/yarn.lock" {
		t.Errorf("Name() = %q", p.Name())
	}
}

// TestRealFiles parses every real yarn.lock of the shared corpus. Counts are
// the number of top-level entries, `grep -c '^[^ #]' yarn.lock`, minus one for
// the `__metadata:` block of berry files: yarn writes one entry per resolved
// package, so every entry is one package.
func TestRealFiles(t *testing.T) {
	dir := shareddata.Path(t, "lockfiles", "yarn-lock")
	cases := []struct {
		folder string
		count  int
		wants  []lockfilestest.Want
	}{
		{"excalidraw-excalidraw", 1444, []lockfilestest.Want{
			{Name: "@adobe/css-tools", Version: "4.4.2", Line: 5, Source: reg, Direct: no, Dev: no,
				Integrity: "sha512-baYZExFpsdkBNuvGKTKWCwKH57HRZLVtycZS05WTQNVOiXVSeAki3nU35zlRbToeMW8aHlJfyS+1C4BOv27q0A=="},
			// four ranges, one entry
			{Name: "@babel/core", Version: "7.26.9", Line: 56, PURL: "pkg:npm/%40babel/core@7.26.9"},
			{Name: "lodash", Version: "4.17.21", Line: 7703, Source: reg},
			{Name: "tinyexec", Version: "0.3.2", Line: 9751},
			{Name: "tinyexec", Version: "1.0.2", Line: 9756},
			// "string-width-cjs@npm:string-width@^4.2.0" is an alias of string-width
			{Name: "string-width", Version: "4.2.3", Line: 9434, Source: reg},
		}},
		{"wallabag-wallabag", 758, []lockfilestest.Want{
			{Name: "@actions/core", Version: "3.0.1", Line: 5},
			{Name: "@babel/core", Version: "7.29.7", Line: 68},
			{Name: "lodash", Version: "4.18.1", Line: 3755},
			// annotator@wallabag/annotator#master: GitHub shorthand
			{Name: "annotator", Version: "2.0.0-alpha.4", Line: 1677, Source: git},
		}},
		{"jestjs-jest", 2227, []lockfilestest.Want{
			{Name: "@11ty/gray-matter", Version: "1.0.0", Line: 8, Source: reg,
				Integrity: "10/e3767a3c2eabe37ed14a4d5fccd50f3df9528113897d3c9a59a7de156866e3e4922a7b9c18582211cd0c79861fef7fcc7f1e50806680d2339d8aa34df9613f61"},
			{Name: "@babel/core", Version: "7.29.7", Line: 451, Source: reg},
			// "@babel-8/core@npm:@babel/core@^8.0.0": alias
			{Name: "@babel/core", Version: "8.0.1", Line: 362, Source: reg},
			{Name: "lodash", Version: "4.18.1", Line: 15767},
			// workspace packages are local, never registry packages (DESIGN.md)
			{Name: "@jest/console", Version: "0.0.0-use.local", Line: 4219, Source: local},
			{Name: "example-typescript", Version: "0.0.0-use.local", Line: 12086, Source: local},
			{Name: "jest-website", Version: "0.0.0-use.local", Line: 15220, Source: local},
			// patched registry packages report the package underneath
			{Name: "fsevents", Version: "2.3.3", Line: 12690, Source: reg},
			{Name: "typescript", Version: "5.9.3", Line: 22507, Source: reg},
		}},
		{"jupyterlab-jupyterlab", 1993, []lockfilestest.Want{
			{Name: "@aashutoshrathi/word-wrap", Version: "1.2.6", Line: 8, Source: reg},
			{Name: "@jupyterlab/application", Version: "0.0.0-use.local", Line: 2418, Source: local},
			{Name: "@jupyterlab/application-top", Version: "0.0.0-use.local", Line: 2336, Source: local},
			{Name: "@lumino/widgets", Version: "2.9.0", Line: 5698, Source: reg},
			{Name: "lodash", Version: "4.17.23", Line: 15768},
			{Name: "typescript", Version: "5.9.3", Line: 20624, Source: reg},
			{Name: "fsevents", Version: "2.3.2", Line: 12772, Source: reg},
		}},
	}
	for _, c := range cases {
		t.Run(c.folder, func(t *testing.T) {
			pkgs := lockfilestest.ParseFile(t, Parser{}, filepath.Join(dir, c.folder, "yarn.lock"))
			if len(pkgs) != c.count {
				t.Errorf("got %d packages, want %d", len(pkgs), c.count)
			}
			lockfilestest.Check(t, pkgs, c.wants)
			for _, p := range pkgs {
				if p.Name == "" || p.Line <= 0 || p.Ecosystem != lockfiles.EcosystemNPM || p.PURL == "" {
					t.Errorf("incomplete package %+v", p)
				}
				if p.Direct || p.Dev {
					t.Errorf("%s: yarn.lock does not record direct/dev, got %+v", p.Name, p)
				}
			}
		})
	}
	// An alias keeps the installed name in Alias.
	pkgs := lockfilestest.ParseFile(t, Parser{}, filepath.Join(dir, "jestjs-jest", "yarn.lock"))
	if p := find(pkgs, 362); p == nil || p.Alias != "@babel-8/core" {
		t.Errorf("line 362: want alias @babel-8/core, got %+v", p)
	}
}

func find(pkgs []lockfiles.Package, line int) *lockfiles.Package {
	for i := range pkgs {
		if pkgs[i].Line == line {
			return &pkgs[i]
		}
	}
	return nil
}

// TestScalibrFixtures runs every osv-scalibr yarn.lock fixture; all of them
// parse (none is malformed for a line scanner). Counts are the fixture's
// top-level entries, checked by reading each file.
func TestScalibrFixtures(t *testing.T) {
	dir := shareddata.Path(t, "lockfiles", "fixtures-osv-scalibr", "yarnlock")
	counts := map[string]int{
		"commits.v1.lock": 18, "commits.v2.lock": 7, "empty.v1.lock": 0, "empty.v2.lock": 0,
		"exclude-root.v2.lock": 3, "files.v1.lock": 6, "files.v2.lock": 1, "metadata-only.v2.lock": 0,
		"multiple-constraints.v1.lock": 2, "multiple-versions.v1.lock": 4, "multiple-versions.v2.lock": 3,
		"no-version.v1.lock": 1, "one-package.v1.lock": 1, "one-package.v2.lock": 1,
		"scoped-packages.v1.lock": 2, "scoped-packages.v2.lock": 3, "two-packages.v1.lock": 2,
		"two-packages.v2.lock": 2, "with-aliases.v1.lock": 3, "with-aliases.v2.lock": 4,
		"with-build-string.v1.lock": 2, "with-build-string.v2.lock": 3, "with-prerelease.v1.lock": 5,
		"with-prerelease.v2.lock": 3, "with-quotes.v1.lock": 2, "with-quotes.v2.lock": 2,
	}
	entries, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range entries {
		want, ok := counts[e.Name()]
		if !ok {
			t.Errorf("fixture %s has no expectation", e.Name())
			continue
		}
		pkgs, err := lockfilestest.TryParseFile(Parser{}, filepath.Join(dir, e.Name()))
		if err != nil {
			t.Errorf("%s: %v", e.Name(), err)
			continue
		}
		if len(pkgs) != want {
			t.Errorf("%s: got %d packages, want %d", e.Name(), len(pkgs), want)
		}
	}

	check := func(name string, wants []lockfilestest.Want) {
		t.Helper()
		lockfilestest.Check(t, lockfilestest.ParseFile(t, Parser{}, filepath.Join(dir, name)), wants)
	}
	check("commits.v1.lock", []lockfilestest.Want{
		{Name: "mine1", Version: "1.0.0-alpha.37", Line: 5, Source: git},
		{Name: "mine2", Version: "0.0.1", Line: 11, Source: git},
		{Name: "minimist", Version: "0.0.8", Line: 41, Source: git},
		{Name: "bats", Version: "1.5.0", Line: 53, Source: git},
		{Name: "babel-preset-php", Version: "1.1.1", Line: 72, Source: git},
	})
	check("commits.v2.lock", []lockfilestest.Want{
		{Name: "@my-scope/my-first-package", Version: "0.0.6", Line: 8, Source: git},
		{Name: "is-really-great", Version: "1.0.0", Line: 58, Source: git},
	})
	check("files.v1.lock", []lockfilestest.Want{
		{Name: "etag", Version: "1.8.1", Line: 5, Source: reg},
		{Name: "filedep", Version: "1.2.0", Line: 9, Source: local},
		{Name: "sprintf-js", Version: "0.0.0", Line: 24, Source: local},
		{Name: "etag", Version: "1.8.0", Line: 27, Source: local},
	})
	check("files.v2.lock", []lockfilestest.Want{{Name: "my-package", Version: "0.0.2", Line: 8, Source: local}})
	check("exclude-root.v2.lock", []lockfilestest.Want{
		{Name: "@ws/ansi-regex", Version: "0.0.0-use.local", Line: 8, Source: local},
		{Name: "ansi-regex", Version: "6.1.0", Line: 16, Source: reg},
		{Name: "ansi-regex", Version: "0.0.0-use.local", Line: 23, Source: local},
	})
	check("with-aliases.v1.lock", []lockfilestest.Want{
		{Name: "ansi-regex", Version: "5.0.1", Line: 5},
		{Name: "@babel/helper-validator-identifier", Version: "7.22.20", Line: 15},
	})
	check("with-aliases.v2.lock", []lockfilestest.Want{
		{Name: "ansi-regex", Version: "5.0.1", Line: 8},
		{Name: "@babel/helper-validator-identifier", Version: "7.22.20", Line: 22},
	})
	check("with-quotes.v1.lock", []lockfilestest.Want{{Name: "concat-stream", Version: "1.6.2", Line: 10,
		Integrity: "sha512-27HBghJxjiZtIk3Ycvn/4kbJk/1uZuJFfuPEns6LaEvpvG1f0hTea8lilrouyo9mVc2GWdcEZ8OLoGmSADlrCw=="}})
	check("with-quotes.v2.lock", []lockfilestest.Want{{Name: "concat-map", Version: "0.0.1", Line: 18}})
	check("no-version.v1.lock", []lockfilestest.Want{{Name: "balanced-match", Version: "1.0.2", Line: 5}})
}

// TestTricky covers the cases the format makes easy to get wrong, on our own fixtures.
func TestTricky(t *testing.T) {
	v1 := lockfilestest.ParseFile(t, Parser{}, "testdata/tricky.v1.lock")
	if len(v1) != 7 {
		t.Errorf("v1: got %d packages, want 7", len(v1))
	}
	lockfilestest.Check(t, v1, []lockfilestest.Want{
		{Name: "@babel/core", Version: "7.1.2", Line: 5, Source: reg, PURL: "pkg:npm/%40babel/core@7.1.2",
			Integrity: "sha512-IFeSSnjXdhDaoysIlev//UzHZbdEmm7D0EIH2qtse9xK7mXEZQpYjs2P00XlP1qYsYvid79p+Zgg6tz1mp6iVw=="},
		{Name: "left-pad", Version: "1.3.0", Line: 12, Source: reg},
		{Name: "string-width", Version: "4.2.3", Line: 17, Source: reg, PURL: "pkg:npm/string-width@4.2.3"},
		{Name: "my-lib", Version: "0.1.0", Line: 21, Source: local},
		{Name: "my-link", Version: "0.0.0", Line: 24, Source: local},
		{Name: "forked", Version: "1.2.0", Line: 27, Source: git},
		{Name: "remote", Version: "1.0.0", Line: 31, Source: urlSrc},
	})
	if p := find(v1, 17); p == nil || p.Alias != "string-width-cjs" {
		t.Errorf("alias: got %+v", p)
	}
	if p := find(v1, 27); p == nil || !p.PinnedSHA {
		t.Errorf("git dependency resolved to a full SHA should be PinnedSHA: %+v", p)
	}
	if p := find(v1, 5); p == nil || p.Resolved != "https://registry.yarnpkg.com/@babel/core/-/core-7.1.2.tgz#f8d2a9ceb6832887329a7b60f9d035791400ba4e" {
		t.Errorf("resolved: %+v", p)
	}

	v2 := lockfilestest.ParseFile(t, Parser{}, "testdata/tricky.v2.lock")
	if len(v2) != 7 {
		t.Errorf("v2: got %d packages, want 7", len(v2))
	}
	lockfilestest.Check(t, v2, []lockfilestest.Want{
		{Name: "lodash", Version: "4.17.21", Line: 8, Source: reg,
			Integrity: "10c0/d8cbea072bb08655bb4c989da418994b073a608dffa608b09ac04b43a791b12aeae7cd7ad919aa4c925f33b48490b5cfe6c1f71d827956071dae2e7bb3a6b74c"},
		{Name: "bar", Version: "1.2.3", Line: 15, Source: reg, PURL: "pkg:npm/bar@1.2.3"},
		{Name: "resolve", Version: "1.22.8", Line: 22, Source: reg},
		{Name: "app", Version: "0.0.0-use.local", Line: 28, Source: local},
		{Name: "portal-dep", Version: "0.0.0-use.local", Line: 34, Source: local},
		{Name: "gitdep", Version: "2.0.0", Line: 40, Source: git},
		{Name: "tarball", Version: "3.0.0", Line: 46, Source: urlSrc},
	})
	if p := find(v2, 15); p == nil || p.Alias != "foo" {
		t.Errorf("npm: alias: got %+v", p)
	}
	if p := find(v2, 40); p == nil || !p.PinnedSHA {
		t.Errorf("gitdep should be PinnedSHA: %+v", p)
	}
	if p := find(v2, 22); p == nil || p.Resolved == "" {
		t.Errorf("patch resolution should be kept in Resolved: %+v", p)
	}
}

func TestMalformed(t *testing.T) {
	for _, c := range []struct {
		file string
		line int
	}{
		{"malformed-quote.lock", 7}, // header never closed
		{"malformed-indent.lock", 4},
		{"malformed-json.lock", 1},
	} {
		_, err := lockfilestest.TryParseFile(Parser{}, filepath.Join("testdata", c.file))
		if err == nil {
			t.Errorf("%s: no error", c.file)
			continue
		}
		lockfilestest.AssertParseError(t, err, c.file, c.line)
	}
	_, err := lockfilestest.ParseBytes(Parser{}, "x/yarn.lock", []byte("\"a@^1\", \"b@^2:\n  version \"1\"\n"))
	lockfilestest.AssertParseError(t, err, "x/yarn.lock", 1)
}

func TestLimits(t *testing.T) {
	in := &lockfiles.Input{
		Path:    "yarn.lock",
		Content: []byte("a@^1:\n  version \"1.0.0\"\n\nb@^1:\n  version \"1.0.0\"\n"),
		Limits:  lockfiles.Limits{MaxPackages: 1},
	}
	_, err := Parser{}.Parse(t.Context(), in)
	if !errors.Is(err, lockfiles.ErrLimit) {
		t.Fatalf("want a limit error, got %v", err)
	}
	lockfilestest.AssertParseError(t, err, "yarn.lock", 4)
}

func FuzzParseYarnLock(f *testing.F) {
	if dir, ok := shareddata.Optional(f, "lockfiles"); ok {
		lockfilestest.AddSeeds(f, filepath.Join(dir, "yarn-lock", "*", "yarn.lock"),
			filepath.Join(dir, "fixtures-osv-scalibr", "yarnlock", "*"))
	}
	lockfilestest.AddSeeds(f, "testdata/*")
	for _, c := range yarn1Cases {
		f.Add([]byte(c.content))
	}
	for _, c := range berryCases {
		f.Add([]byte(c.content))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		pkgs, err := lockfilestest.ParseBytes(Parser{}, "yarn.lock", data)
		if err != nil {
			lockfilestest.AssertParseError(t, err, "yarn.lock", 0)
			return
		}
		for _, p := range pkgs {
			if p.Name == "" || p.Line < 0 {
				t.Fatalf("bad package %+v", p)
			}
		}
	})
}

// BenchmarkParseYarnLock parses the largest real yarn.lock (jest's, berry).
func BenchmarkParseYarnLock(b *testing.B) {
	for _, name := range []string{"jestjs-jest", "excalidraw-excalidraw"} {
		b.Run(name, func(b *testing.B) {
			data, err := os.ReadFile(shareddata.Path(b, "lockfiles", "yarn-lock", name, "yarn.lock"))
			if err != nil {
				b.Fatal(err)
			}
			b.SetBytes(int64(len(data)))
			b.ReportAllocs()
			for b.Loop() {
				if _, err := lockfilestest.ParseBytes(Parser{}, "yarn.lock", data); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

// TestBerryAgreesWithYAML reads every berry file (which is YAML) with the
// YAML library too: each top-level entry but __metadata must be one package
// at the entry's line, with the entry's version and checksum.
func TestBerryAgreesWithYAML(t *testing.T) {
	dir := shareddata.Path(t, "lockfiles")
	files, _ := filepath.Glob(filepath.Join(dir, "fixtures-osv-scalibr", "yarnlock", "*.v2.lock"))
	files = append(files, filepath.Join(dir, "yarn-lock", "jestjs-jest", "yarn.lock"),
		filepath.Join(dir, "yarn-lock", "jupyterlab-jupyterlab", "yarn.lock"), "testdata/tricky.v2.lock")
	for _, f := range files {
		data, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		docs, err := yamltree.Parse(f, data, lockfiles.Limits{})
		if err != nil {
			t.Fatalf("%s: %v", f, err)
		}
		pkgs, err := lockfilestest.ParseBytes(Parser{}, "yarn.lock", data)
		if err != nil {
			t.Fatalf("%s: %v", f, err)
		}
		byLine := map[int]lockfiles.Package{}
		for _, p := range pkgs {
			byLine[p.Line] = p
		}
		entries := 0
		for _, d := range docs {
			yamltree.Pairs(d, func(k, v *yaml.Node) {
				if k.Value == "__metadata" {
					return
				}
				entries++
				p, ok := byLine[k.Line]
				if !ok {
					t.Errorf("%s:%d: entry %q has no package", f, k.Line, k.Value)
					return
				}
				if p.Version != yamltree.String(v, "version") || p.Integrity != yamltree.String(v, "checksum") {
					t.Errorf("%s:%d: got %s %s, YAML says %s %s", f, k.Line, p.Version, p.Integrity,
						yamltree.String(v, "version"), yamltree.String(v, "checksum"))
				}
			})
		}
		if entries != len(pkgs) {
			t.Errorf("%s: %d packages, YAML has %d entries", f, len(pkgs), entries)
		}
	}
}

func TestHasFullSHA(t *testing.T) {
	for ref, want := range map[string]bool{
		"https://github.com/a/b.git#0123456789abcdef0123456789abcdef01234567":             true,
		"https://github.com/a/b.git#commit=0123456789ABCDEF0123456789ABCDEF01234567":      true, // git reads either case
		"https://codeload.github.com/a/b/tar.gz/0123456789abcdef0123456789abcdef01234567": true,
		"https://github.com/a/b.git#v1.0.0":                                               false,
		"https://github.com/a/b.git#0123456789abcdef":                                     false,
	} {
		if got := hasFullSHA(ref); got != want {
			t.Errorf("hasFullSHA(%q) = %v, want %v", ref, got, want)
		}
	}
}
