package npmlock_test

import (
	"errors"
	"io/fs"
	"path/filepath"
	"slices"
	"sort"
	"strings"
	"testing"
	"testing/fstest"

	"github.com/tollgate-dev/tollgate/internal/shareddata"
	"github.com/tollgate-dev/tollgate/lockfiles"
	"github.com/tollgate-dev/tollgate/lockfiles/lockfilestest"
	"github.com/tollgate-dev/tollgate/lockfiles/npmlock"
)

var (
	yes   = lockfilestest.Bool(true)
	no    = lockfilestest.Bool(false)
	local = lockfilestest.Str(lockfiles.SourceLocal)
	git   = lockfilestest.Str(lockfiles.SourceGit)
	url   = lockfilestest.Str(lockfiles.SourceURL)
	reg   = lockfilestest.Str(lockfiles.SourceRegistry)
)

func TestMatch(t *testing.T) {
	tests := []struct {
		path string
		want bool
	}{
		{"package-lock.json", true},
		{"web/package-lock.json", true},
		{"npm-shrinkwrap.json", true},
		{"tools/cli/npm-shrinkwrap.json", true},
		{"node_modules/.package-lock.json", false},
		{"node_modules/foo/package-lock.json", false},
		{"web/node_modules/foo/npm-shrinkwrap.json", false},
		{"package.json", false},
		{"package-lock.json.bak", false},
		{"yarn.lock", false},
		{"my-package-lock.json", false},
	}
	for _, tt := range tests {
		if got := (npmlock.Parser{}).Match(tt.path); got != tt.want {
			t.Errorf("Match(%q) = %v, want %v", tt.path, got, tt.want)
		}
	}
}

// countDirect returns how many packages are direct.
func countDirect(pkgs []lockfiles.Package) int {
	n := 0
	for _, p := range pkgs {
		if p.Direct {
			n++
		}
	}
	return n
}

// TestRealFiles parses every real package-lock.json and npm-shrinkwrap.json of
// the shared corpus.
//
// How the counts were determined: for v2/v3 files, the keys of the "packages"
// object (the lines matching `^    "` between `  "packages": {` and the next
// top-level key, counted with awk) minus the root "" entry; for the v1 file,
// the `"name": {` lines of the "dependencies" tree other than the known object
// fields (requires, dependencies, engines, ...), counted with awk. Direct
// counts are the names listed in the root entry's dependency maps (the lines
// at 8 spaces of indentation inside the root entry, less firebase's one "bin"
// and one "engines" line; bitwarden: 4 dependencies + 7 devDependencies) or,
// for v1, the keys at 4 spaces of indentation (`grep -c '^    "[^"]*": {$'`).
func TestRealFiles(t *testing.T) {
	tests := []struct {
		dir, file string
		count     int
		direct    int
		wants     []lockfilestest.Want
	}{
		{
			dir: "package-lock-json/bitwarden-server", file: "package-lock.json", count: 157, direct: 11,
			wants: []lockfilestest.Want{
				{Name: "@jridgewell/gen-mapping", Version: "0.3.13", Line: 37, Direct: no, Dev: yes, Source: reg,
					Integrity: "sha512-2kkt/7niJ6MgEPxF0bYdQ6etZaA+fQvDcLKckhy1yIQOzaoKjBBjSj63/aLVjYE3qhRt5dvM+uUyfCg6UKCBbA==",
					PURL:      "pkg:npm/%40jridgewell/gen-mapping@0.3.13"},
				{Name: "jquery", Version: "4.0.0", Line: 1313, Direct: yes, Dev: no, PURL: "pkg:npm/jquery@4.0.0"},
				{Name: "sass", Version: "1.97.2", Line: 1760, Direct: yes, Dev: yes},
			},
		},
		{
			// theia: 106 workspace members and 106 links to them, all local.
			dir: "package-lock-json/eclipse-theia-theia", file: "package-lock.json", count: 2636,
			wants: []lockfilestest.Want{
				// A workspace member (key without node_modules/).
				{Name: "@theia/application-manager", Version: "1.74.0", Line: 71, Direct: no, Source: local},
				// Nested under that member, which declares "buffer": "^6.0.3".
				{Name: "buffer", Version: "6.0.3", Line: 126, Direct: yes, Source: reg},
				// A link to packages/ai-anthropic; its version comes from the member.
				{Name: "@theia/ai-anthropic", Version: "1.74.0", Line: 7122, Source: local},
				// Nested under a registry package: transitive.
				{Name: "semver", Version: "6.3.1", Line: 1066, Direct: no, Source: reg},
				// Hoisted, declared by the member packages/core (line 32245).
				{Name: "express", Version: "4.22.2", Line: 15803, Direct: yes},
				// npm: alias "react-is-18" -> react-is.
				{Name: "react-is", Version: "18.3.1", Line: 25571, Dev: yes},
			},
		},
		{
			dir: "package-lock-json/pypi-warehouse-v1-d02f16c", file: "package-lock.json", count: 2773, direct: 1145,
			wants: []lockfilestest.Want{
				{Name: "@babel/core", Version: "7.18.0", Line: 27, Direct: yes, Dev: no},
				{Name: "@babel/parser", Version: "7.18.0", Line: 49, Direct: no},
				{Name: "@babel/eslint-parser", Version: "7.17.0", Line: 96, Direct: yes, Dev: yes},
				{Name: "semver", Version: "6.3.0", Line: 107, Direct: no, Dev: yes},
				{Name: "jquery", Version: "3.5.0", Line: 18856, Direct: yes, Dev: no,
					Integrity: "sha512-Xb7SVYMvygPxbFMpTFQiHh1J7HClEaThguL15N/Gg37Lri/qKyhRGZYzHRyLH8Stq3Aow0LsHO2O2ci86fCrNQ=="},
			},
		},
		{
			// v2: only "packages" is read, not the legacy "dependencies" copy.
			dir: "package-lock-json/pypi-warehouse-v2-5f4907a", file: "package-lock.json", count: 1224, direct: 40,
			wants: []lockfilestest.Want{
				{Name: "@babel/core", Version: "7.21.4", Line: 93, Direct: yes, Dev: yes},
				{Name: "convert-source-map", Version: "1.8.0", Line: 123, Direct: no, Dev: yes},
				{Name: "eslint", Version: "8.39.0", Line: 6326, Direct: yes, Dev: yes},
				{Name: "jquery", Version: "3.5.0", Line: 10102, Direct: yes, Dev: no},
			},
		},
		{
			dir: "package-lock-json/pypi-warehouse", file: "package-lock.json", count: 1064, direct: 49,
			wants: []lockfilestest.Want{
				{Name: "lru-cache", Version: "10.4.3", Line: 83, Direct: no, Dev: yes},
				{Name: "@babel/core", Version: "7.29.6", Line: 115, Direct: yes, Dev: yes},
				// Not declared by the root: transitive.
				{Name: "glob", Version: "10.5.0", Line: 7975, Direct: no, Dev: yes},
				{Name: "jquery", Version: "3.7.1", Line: 9750, Direct: yes, Dev: no},
			},
		},
		{
			dir: "npm-shrinkwrap-json/firebase-firebase-tools", file: "npm-shrinkwrap.json", count: 1858, direct: 157,
			wants: []lockfilestest.Want{
				{Name: "@jridgewell/gen-mapping", Version: "0.1.1", Line: 201, Direct: no, Dev: yes},
				{Name: "@babel/core", Version: "7.19.0", Line: 571, Direct: no, Dev: yes},
				{Name: "eslint", Version: "8.57.0", Line: 9220, Direct: yes, Dev: yes},
				{Name: "glob", Version: "10.5.0", Line: 11019, Direct: yes, Dev: no},
			},
		},
	}
	for _, tt := range tests {
		t.Run(tt.dir, func(t *testing.T) {
			path := filepath.Join(shareddata.Path(t, "lockfiles", tt.dir), tt.file)
			pkgs := lockfilestest.ParseFile(t, npmlock.Parser{}, path)
			if len(pkgs) != tt.count {
				t.Errorf("got %d packages, want %d", len(pkgs), tt.count)
			}
			if tt.direct > 0 {
				if got := countDirect(pkgs); got != tt.direct {
					t.Errorf("got %d direct packages, want %d", got, tt.direct)
				}
			}
			for _, p := range pkgs {
				if p.Ecosystem != lockfiles.EcosystemNPM || p.Name == "" || p.Line <= 0 || p.Path != tt.file || p.PURL == "" {
					t.Fatalf("bad package %+v", p)
				}
			}
			lockfilestest.Check(t, pkgs, tt.wants)
		})
	}
}

// TestTheiaLocal checks that every workspace member and every link of theia
// is local, and nothing else is.
func TestTheiaLocal(t *testing.T) {
	path := filepath.Join(shareddata.Path(t, "lockfiles", "package-lock-json", "eclipse-theia-theia"), "package-lock.json")
	pkgs := lockfilestest.ParseFile(t, npmlock.Parser{}, path)
	locals := 0
	for _, p := range pkgs {
		if p.Source == lockfiles.SourceLocal {
			locals++
		} else if p.Source != lockfiles.SourceRegistry {
			t.Errorf("unexpected source %q: %+v", p.Source, p)
		}
	}
	// grep -c '"link": true' gives 106 links; the members are the "packages"
	// keys without node_modules/ other than "" (also 106).
	if locals != 212 {
		t.Errorf("got %d local packages, want 212", locals)
	}
}

// TestScalibrFixtures runs every osv-scalibr packagelockjson fixture: each
// either parses to the package count read off the file, or fails with a
// *ParseError naming it.
func TestScalibrFixtures(t *testing.T) {
	dir := shareddata.Path(t, "lockfiles", "fixtures-osv-scalibr", "packagelockjson")
	// Counts: v1 — every object under a "dependencies" map; v2 — the keys of
	// "packages" other than "". -1 means a parse error is expected.
	want := map[string]int{
		"alias.v1.json":                           3,
		"alias.v2.json":                           3,
		"both/npm-shrinkwrap.json":                2,
		"both/package-lock.json":                  0, // npm reads the shrinkwrap beside it instead
		"bundled-dependencies.v3.json":            3,
		"commits.v1.json":                         15,
		"commits.v2.json":                         14,
		"empty.v1.json":                           0,
		"empty.v2.json":                           0,
		"files.v1.json":                           2,
		"files.v2.json":                           3,
		"nested-dependencies-dup.v1.json":         73,
		"nested-dependencies-dup.v2.json":         36,
		"nested-dependencies.v1.json":             5,
		"nested-dependencies.v2.json":             5,
		"not-json.txt":                            -1,
		"npm-shrinkwrap-only/npm-shrinkwrap.json": 2,
		"null.v2.jsontest":                        -1,
		"one-package-dev.v1.json":                 1,
		"one-package-dev.v2.json":                 1,
		"one-package.v1.json":                     1,
		"one-package.v2.json":                     1,
		"optional-package.v1.json":                2,
		"optional-package.v2.json":                2,
		"package-lock-only/package-lock.json":     2,
		"same-package-different-groups.v1.json":   7,
		"same-package-different-groups.v2.json":   7,
		"scoped-packages.v1.json":                 2,
		"scoped-packages.v2.json":                 2,
		"two-packages.v1.json":                    2,
		"two-packages.v2.json":                    2,
	}
	var files []string
	err := filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		rel, _ := filepath.Rel(dir, p)
		files = append(files, filepath.ToSlash(rel))
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	sort.Strings(files)
	if len(files) != len(want) {
		t.Errorf("found %d fixtures, the table has %d", len(files), len(want))
	}
	for _, rel := range files {
		t.Run(rel, func(t *testing.T) {
			n, ok := want[rel]
			if !ok {
				t.Fatalf("fixture %s not in the table", rel)
			}
			pkgs, err := lockfilestest.TryParseFile(npmlock.Parser{}, filepath.Join(dir, rel))
			if n < 0 {
				lockfilestest.AssertParseError(t, err, filepath.Base(rel), 1)
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if len(pkgs) != n {
				t.Errorf("got %d packages, want %d", len(pkgs), n)
			}
		})
	}

	// Hand-checked entries of the edge-case fixtures.
	check := func(rel string, wants []lockfilestest.Want) {
		t.Helper()
		pkgs := lockfilestest.ParseFile(t, npmlock.Parser{}, filepath.Join(dir, rel))
		lockfilestest.Check(t, pkgs, wants)
	}
	check("alias.v1.json", []lockfilestest.Want{
		{Name: "@babel/code-frame", Version: "7.0.0", Line: 5, Direct: yes},
		{Name: "string-width", Version: "4.2.0", Line: 23, Direct: yes},
	})
	check("alias.v2.json", []lockfilestest.Want{
		{Name: "@babel/code-frame", Version: "7.0.0", Line: 13, Direct: yes, PURL: "pkg:npm/%40babel/code-frame@7.0.0"},
		{Name: "string-width", Version: "5.1.2", Line: 22, Direct: yes},
		{Name: "string-width", Version: "4.2.0", Line: 32, Direct: yes},
	})
	check("commits.v2.json", []lockfilestest.Want{
		{Name: "@segment/analytics.js-integration-facebook-pixel", Version: "2.4.1", Line: 26, Direct: yes, Source: git},
		{Name: "ansi-styles", Version: "1.0.0", Line: 42, Direct: no, Source: reg},
		{Name: "raven-js", Version: "", Line: 163, Source: git,
			PURL: "pkg:npm/raven-js@c2b377e7a254264fd4a1fe328e4e3cfc9e245570?vcs_url=git%2Bssh:%2F%2Fgit%40github.com%2Fgetsentry%2Fraven-js.git%23c2b377e7a254264fd4a1fe328e4e3cfc9e245570"},
	})
	check("commits.v1.json", []lockfilestest.Want{
		{Name: "is-number-2", Version: "github:jonschlinkert/is-number#d5ac0584ee9ae7bd9288220a39780f155b9ad4c8", Line: 38, Direct: yes, Source: git},
		{Name: "is-number-1", Version: "git+ssh://git@github.com/jonschlinkert/is-number.git#be5935f8d2595bcd97b05718ef1eeae08d812e10", Line: 75, Direct: no, Dev: yes, Source: git},
		{Name: "slick-carousel", Version: "git://github.com/brianfryer/slick.git#280b560161b751ba226d50c7db1e0a14a78c2de0", Line: 97, Source: git},
	})
	check("files.v2.json", []lockfilestest.Want{
		{Name: "etag", Version: "1.8.0", Line: 16, Dev: yes, Source: local},
		{Name: "abbrev", Version: "2.3.4", Line: 42, Direct: no, Source: reg},
	})
	check("files.v1.json", []lockfilestest.Want{
		{Name: "other_package", Version: "file:deps/other_package", Line: 10, Direct: yes, Source: local},
	})
	check("bundled-dependencies.v3.json", []lockfilestest.Want{
		{Name: "ansi-regex", Version: "6.2.2", Line: 22, Direct: no, Dev: no},
		{Name: "semver", Version: "7.7.2", Line: 35, Direct: yes, Dev: yes},
		{Name: "strip-ansi", Version: "7.1.2", Line: 49, Direct: yes, Dev: no},
	})
}

// TestWorkspaces covers the v3 cases: workspace members, links, aliases, git,
// URL and file: tarballs, registry mirrors, nested and bundled copies.
func TestWorkspaces(t *testing.T) {
	pkgs := lockfilestest.ParseFile(t, npmlock.Parser{}, "testdata/workspaces.v3.json")
	// 17 keys under "packages" (grep -c '^    "') minus the root "".
	if len(pkgs) != 16 {
		t.Errorf("got %d packages, want 16", len(pkgs))
	}
	lockfilestest.Check(t, pkgs, []lockfilestest.Want{
		{Name: "@acme/app", Version: "1.2.0", Line: 28, Direct: no, Source: local},
		{Name: "@acme/lib", Version: "0.3.0", Line: 36, Source: local},
		// The member packages/app declares lodash ^3: its own copy is direct.
		{Name: "lodash", Version: "3.10.1", Line: 40, Direct: yes, Source: reg, Integrity: "sha512-lodash3"},
		// Links take name and version from their member.
		{Name: "@acme/app", Version: "1.2.0", Line: 45, Direct: yes, Dev: no, Source: local},
		{Name: "@acme/lib", Version: "0.3.0", Line: 49, Direct: no, Source: local},
		{Name: "lodash", Version: "4.17.21", Line: 53, Direct: yes, Source: reg},
		// Hoisted, declared by a member only.
		{Name: "left-pad", Version: "1.3.0", Line: 58, Direct: yes},
		{Name: "react", Version: "18.2.0", Line: 62, Direct: yes, PURL: "pkg:npm/react@18.2.0"},
		{Name: "thing", Version: "2.0.0", Line: 67, Direct: yes, Source: git,
			PURL: "pkg:npm/thing@0123456789abcdef0123456789abcdef01234567?vcs_url=git%2Bssh:%2F%2Fgit%40github.com%2Facme%2Fthing.git%230123456789abcdef0123456789abcdef01234567"},
		{Name: "short-git", Version: "0.1.0", Line: 71, Direct: yes, Source: git},
		{Name: "evil", Version: "1.0.0", Line: 76, Direct: yes, Source: url,
			PURL: "pkg:npm/evil@1.0.0?download_url=https:%2F%2Fexample.com%2Fdownloads%2Fevil-1.0.0.tgz"},
		{Name: "vendored", Version: "2.0.0", Line: 81, Source: local},
		// A registry mirror's tarball layout is still the registry.
		{Name: "chalk", Version: "5.3.0", Line: 85, Direct: yes, Dev: yes, Source: reg},
		{Name: "fsevents", Version: "2.3.3", Line: 90, Direct: yes, Dev: no},
		{Name: "@types/node", Version: "20.1.0", Line: 95, Direct: no, Dev: yes, PURL: "pkg:npm/%40types/node@20.1.0"},
		{Name: "bundled-dep", Version: "1.0.1", Line: 100, Direct: no, Dev: yes, Source: reg},
	})
	byLine := map[int]lockfiles.Package{}
	for _, p := range pkgs {
		byLine[p.Line] = p
	}
	if got := byLine[49].Alias; got != "@acme/lib-renamed" {
		t.Errorf("link alias = %q, want @acme/lib-renamed", got)
	}
	if got := byLine[62].Alias; got != "my-react" {
		t.Errorf("npm: alias = %q, want my-react", got)
	}
	if got := byLine[45].Alias; got != "" {
		t.Errorf("link @acme/app alias = %q, want none", got)
	}
	if !byLine[67].PinnedSHA || byLine[71].PinnedSHA {
		t.Errorf("PinnedSHA: full SHA %v, short ref %v; want true, false", byLine[67].PinnedSHA, byLine[71].PinnedSHA)
	}
	if got := byLine[45].Resolved; got != "packages/app" {
		t.Errorf("link resolved = %q, want packages/app", got)
	}
}

// TestV1Edges covers v1: npm: aliases, file:, git and URL versions, nesting.
func TestV1Edges(t *testing.T) {
	pkgs := lockfilestest.ParseFile(t, npmlock.Parser{}, "testdata/edge.v1.json")
	if len(pkgs) != 8 {
		t.Errorf("got %d packages, want 8", len(pkgs))
	}
	lockfilestest.Check(t, pkgs, []lockfilestest.Want{
		{Name: "@babel/code-frame", Version: "7.0.0", Line: 6, Direct: yes, Dev: yes, Integrity: "sha512-bcf"},
		{Name: "@babel/code-frame", Version: "6.26.0", Line: 12, Direct: yes, Dev: no, Source: reg, PURL: "pkg:npm/%40babel/code-frame@6.26.0"},
		{Name: "local-lib", Version: "file:libs/local-lib", Line: 16, Source: local},
		{Name: "gitdep", Version: "github:acme/gitdep#fedcba9876543210fedcba9876543210fedcba98", Line: 19, Source: git},
		{Name: "tarball", Version: "https://example.com/t/tarball-1.0.0.tgz", Line: 23, Source: url},
		{Name: "postcss", Version: "7.0.16", Line: 27, Direct: yes},
		{Name: "supports-color", Version: "6.1.0", Line: 31, Direct: no},
		{Name: "has-flag", Version: "3.0.0", Line: 35, Direct: no},
	})
	for _, p := range pkgs {
		switch p.Line {
		case 12:
			if p.Alias != "old-frame" {
				t.Errorf("alias = %q, want old-frame", p.Alias)
			}
		case 19:
			if !p.PinnedSHA || p.Resolved != p.Version {
				t.Errorf("git dependency: %+v", p)
			}
		}
	}
}

// TestShrinkwrapWins checks that a package-lock.json is skipped only when an
// npm-shrinkwrap.json sits in the same directory.
func TestShrinkwrapWins(t *testing.T) {
	lock := []byte("{\n  \"lockfileVersion\": 3,\n  \"packages\": {\n    \"node_modules/a\": {\"version\": \"1.0.0\"}\n  }\n}\n")
	fsys := fstest.MapFS{
		"web/package-lock.json":   {Data: lock},
		"web/npm-shrinkwrap.json": {Data: lock},
		"api/package-lock.json":   {Data: lock},
		"npm-shrinkwrap.json":     {Data: lock},
	}
	for file, want := range map[string]int{
		"web/package-lock.json":   0,
		"web/npm-shrinkwrap.json": 1,
		"api/package-lock.json":   1, // the root's shrinkwrap is not its sibling
		"npm-shrinkwrap.json":     1,
	} {
		pkgs, err := lockfiles.ParseFile(t.Context(), fsys, file, npmlock.Parser{}, lockfiles.Limits{})
		if err != nil {
			t.Fatal(err)
		}
		if len(pkgs) != want {
			t.Errorf("%s: got %d packages, want %d", file, len(pkgs), want)
		}
	}
}

func TestMalformed(t *testing.T) {
	tests := []struct {
		file string
		line int
	}{
		{"bad-entry.json", 8},  // "node_modules/b": "1.0.0" — an entry that is not an object
		{"bad-syntax.json", 7}, // missing comma after line 6; noticed at the next key
	}
	for _, tt := range tests {
		_, err := lockfilestest.TryParseFile(npmlock.Parser{}, filepath.Join("testdata", tt.file))
		lockfilestest.AssertParseError(t, err, tt.file, tt.line)
	}

	inline := []struct {
		name, content string
		line          int
	}{
		{"top-level array", "[\n]", 1},
		{"packages not an object", "{\n  \"packages\": [],\n  \"lockfileVersion\": 2\n}", 2},
		{"v1 dependency not an object", "{\n  \"dependencies\": {\n    \"a\": 1\n  }\n}", 3},
		{"nameless entry", "{\n  \"packages\": {\n    \"node_modules/\": {}\n  }\n}", 3},
	}
	for _, tt := range inline {
		_, err := lockfilestest.ParseBytes(npmlock.Parser{}, "package-lock.json", []byte(tt.content))
		if err == nil {
			t.Errorf("%s: no error", tt.name)
			continue
		}
		lockfilestest.AssertParseError(t, err, "package-lock.json", tt.line)
	}
}

func TestDepthLimit(t *testing.T) {
	deep := []byte(`{"dependencies":{"a":{"dependencies":{"b":{"dependencies":{"c":{"version":"1"}}}}}}}`)
	in := &lockfiles.Input{Path: "package-lock.json", Content: deep, Limits: lockfiles.Limits{MaxDepth: 4}}
	_, err := npmlock.Parser{}.Parse(t.Context(), in)
	if !errors.Is(err, lockfiles.ErrLimit) {
		t.Fatalf("err = %v, want ErrLimit", err)
	}
	lockfilestest.AssertParseError(t, err, "package-lock.json", 1)
}

func FuzzParsePackageLock(f *testing.F) {
	lockfilestest.AddSeeds(f, "testdata/*.json")
	// Nesting past the depth limit.
	f.Add([]byte(`{"lockfileVersion": 3, "packages": {"": ` + strings.Repeat(`{"a": `, 300) + "1" + strings.Repeat("}", 300) + "}}"))
	if dir, ok := shareddata.Optional(f, "lockfiles"); ok {
		lockfilestest.AddSeeds(f,
			filepath.Join(dir, "fixtures-osv-scalibr", "packagelockjson", "*.json"),
			filepath.Join(dir, "package-lock-json", "*", "package-lock.json"),
		)
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		pkgs, err := lockfilestest.ParseBytes(npmlock.Parser{}, "package-lock.json", data)
		if err != nil {
			var pe *lockfiles.ParseError
			if !errors.As(err, &pe) {
				t.Fatalf("error %v is not a *ParseError", err)
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

// BenchmarkParsePackageLock parses the largest real file, firebase-tools'
// npm-shrinkwrap.json (1.4 MB, 1858 packages).
func BenchmarkParsePackageLock(b *testing.B) {
	lockfilestest.BenchmarkParse(b, npmlock.Parser{}, "npm-shrinkwrap.json", "lockfiles", "npm-shrinkwrap-json", "firebase-firebase-tools", "npm-shrinkwrap.json")
}

// TestReadsWhatNPMReads pins, input by input, that tollgate reads a lockfile
// as npm does, or refuses it. Each want is what npm 11.19.1 (node 20.20.2)
// listed for the same package-lock.json, beside a package.json depending on
// "a", with `npm ls --package-lock-only --all`.
func TestReadsWhatNPMReads(t *testing.T) {
	const root = `"":{"dependencies":{"a":"*"}}`
	tests := []struct {
		name    string
		content string
		want    []string // name@version, in file order
		errLine int
	}{
		// JSON.parse keeps the last of duplicate keys, at every level.
		{"duplicate packages key", `{"lockfileVersion":3,"packages":{` + root + `,"node_modules/a":{"version":"6.6.6"}},` +
			`"packages":{` + root + `,"node_modules/a":{"version":"1.0.0"}}}`, []string{"a@1.0.0"}, 0},
		{"duplicate version field", `{"lockfileVersion":3,"packages":{` + root + `,"node_modules/a":{"version":"6.6.6","version":"1.0.0"}}}`,
			[]string{"a@1.0.0"}, 0},
		// npm installs the last entry; tollgate reports both, so neither hides.
		{"duplicate entry", `{"lockfileVersion":3,"packages":{` + root + `,"node_modules/a":{"version":"6.6.6"},"node_modules/a":{"version":"1.0.0"}}}`,
			[]string{"a@6.6.6", "a@1.0.0"}, 0},
		// npm strips one byte-order mark (json-parse-even-better-errors).
		{"byte-order mark", "\ufeff" + `{"lockfileVersion":3,"packages":{` + root + `,"node_modules/a":{"version":"1.0.0"}}}`, []string{"a@1.0.0"}, 0},
		// "packages" wins over "dependencies" whatever lockfileVersion says.
		{"v1 with packages", `{"lockfileVersion":1,"packages":{` + root + `,"node_modules/a":{"version":"1.0.0"}},"dependencies":{"a":{"version":"6.6.6"}}}`,
			[]string{"a@1.0.0"}, 0},
		// npm reads "dependencies" when "packages" is null; tollgate refuses.
		{"packages null", "{\"lockfileVersion\":1,\n\"packages\":null,\"dependencies\":{\"a\":{\"version\":\"6.6.6\"}}}", nil, 2},
		// JSON whitespace includes CR: CR-only line ends parse as npm's do.
		{"CR-only lines", "{\"lockfileVersion\":3,\r\"packages\":{" + root + ",\r\"node_modules/a\":{\"version\":\"1.0.0\"}}}", []string{"a@1.0.0"}, 0},
		// npm fails to read it (and installs as if there were no lockfile).
		{"trailing document", `{"lockfileVersion":3,"packages":{}}` + "\n{}", nil, 2},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			pkgs, err := lockfilestest.ParseBytes(npmlock.Parser{}, "package-lock.json", []byte(tt.content))
			if tt.errLine > 0 {
				lockfilestest.AssertParseError(t, err, "package-lock.json", tt.errLine)
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			var got []string
			for _, p := range pkgs {
				got = append(got, p.Name+"@"+p.Version)
			}
			if !slices.Equal(got, tt.want) {
				t.Errorf("got %v, want %v", got, tt.want)
			}
		})
	}
}

// TestMergeConflictMarkers: a package-lock.json that is valid JSON but holds
// git's conflict markers. Read as JSON its second "packages" wins (benign);
// npm 11.19.1 instead reads the "ours" side of the "conflict" (lines 3-5
// dropped), and `npm ls --package-lock-only` lists evil@6.6.6. tollgate
// refuses it at the first marker.
func TestMergeConflictMarkers(t *testing.T) {
	_, err := lockfilestest.TryParseFile(npmlock.Parser{}, filepath.Join("testdata", "conflict-markers.json"))
	lockfilestest.AssertParseError(t, err, "conflict-markers.json", 3)
	if err == nil || !strings.Contains(err.Error(), "merge-conflict markers") {
		t.Errorf("error %v does not name the markers", err)
	}
}
