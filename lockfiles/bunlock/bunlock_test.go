package bunlock_test

import (
	"errors"
	"os"
	"path/filepath"
	"testing"

	"github.com/tollgate-dev/tollgate/internal/shareddata"
	"github.com/tollgate-dev/tollgate/lockfiles"
	"github.com/tollgate-dev/tollgate/lockfiles/bunlock"
	"github.com/tollgate-dev/tollgate/lockfiles/lockfilestest"
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
		{"bun.lock", true},
		{"docs/vocs/bun.lock", true},
		{"bun.lockb", false},
		{"node_modules/x/bun.lock", false},
		{"a/node_modules/x/bun.lock", false},
		{"my-bun.lock", false},
		{"package-lock.json", false},
	}
	for _, tt := range tests {
		if got := (bunlock.Parser{}).Match(tt.path); got != tt.want {
			t.Errorf("Match(%q) = %v, want %v", tt.path, got, tt.want)
		}
	}
}

// TestRealFiles parses every bun.lock of the shared corpus.
//
// How the counts were determined: every package is one key at 4 spaces of
// indentation under "packages"; `grep -c '^    "' bun.lock` counts those plus
// the root workspace "" (the only workspace in these files), so the count is
// that number minus one (1002-1, 1153-1, 806-1). Direct counts are the lines
// at 8 spaces inside "workspaces" (the root's declared dependencies; no name
// is declared twice in these files).
func TestRealFiles(t *testing.T) {
	tests := []struct {
		dir           string
		count, direct int
		wants         []lockfilestest.Want
	}{
		{
			dir: "honojs-hono-v0-0aa8acc", count: 1001, direct: 24,
			wants: []lockfilestest.Want{
				{Name: "@hono/node-server", Version: "1.13.5", Line: 173, Direct: yes, Dev: yes,
					Integrity: "sha512-lSo+CFlLqAFB4fX7ePqI9nauEn64wOfJHAfc9duYFTvAG3o416pC0nTGeNjuLHchLedH+XyWda5v79CVx1PIjg==",
					PURL:      "pkg:npm/%40hono/node-server@1.13.5"},
				{Name: "hono", Version: "4.6.3", Line: 797, Direct: no, Dev: no, Source: reg},
				{Name: "wrangler", Version: "3.58.0", Line: 1459, Direct: yes, Dev: yes},
				// Nested under @babel/highlight: not direct.
				{Name: "chalk", Version: "2.4.2", Line: 1501, Direct: no},
			},
		},
		{
			dir: "honojs-hono", count: 1152, direct: 24,
			wants: []lockfilestest.Want{
				{Name: "@types/node", Version: "24.3.0", Line: 494, Direct: yes, Dev: yes},
				{Name: "hono", Version: "4.12.18", Line: 918, Direct: no},
				{Name: "typescript", Version: "6.0.3", Line: 1456, Direct: yes, Dev: yes},
				{Name: "chalk", Version: "2.4.2", Line: 1576, Direct: no},
			},
		},
		{
			dir: "paradigmxyz-reth", count: 805, direct: 11,
			wants: []lockfilestest.Want{
				{Name: "@types/node", Version: "24.12.2", Line: 479, Direct: yes, Dev: yes},
				// "cva": "npm:class-variance-authority@^0.7.1" (declared by vocs).
				{Name: "class-variance-authority", Version: "0.7.1", Line: 641, Direct: no,
					Integrity: "sha512-Ka+9Trutv7G8M6WT6SeiRWz792K5qEqIGEGzXKhAE6xOWAY6pPH8U+9IY3oCMv6kqTmLsv7Xh/2w2RigkePMsg=="},
				{Name: "mermaid", Version: "11.15.0", Line: 1057, Direct: yes, Dev: no},
				{Name: "react", Version: "19.2.4", Line: 1229, Direct: yes, Dev: no},
				{Name: "string-width", Version: "4.2.3", Line: 1353, Direct: no},
			},
		},
	}
	for _, tt := range tests {
		t.Run(tt.dir, func(t *testing.T) {
			path := filepath.Join(shareddata.Path(t, "lockfiles", "bun-lock", tt.dir), "bun.lock")
			pkgs := lockfilestest.ParseFile(t, bunlock.Parser{}, path)
			if len(pkgs) != tt.count {
				t.Errorf("got %d packages, want %d", len(pkgs), tt.count)
			}
			direct := 0
			for _, p := range pkgs {
				if p.Ecosystem != lockfiles.EcosystemNPM || p.Name == "" || p.Line <= 0 || p.PURL == "" || p.Path != "bun.lock" {
					t.Fatalf("bad package %+v", p)
				}
				if p.Direct {
					direct++
				}
			}
			if direct != tt.direct {
				t.Errorf("got %d direct packages, want %d", direct, tt.direct)
			}
			lockfilestest.Check(t, pkgs, tt.wants)
		})
	}
}

// TestRethAlias checks the npm: alias "cva" of reth's lockfile.
func TestRethAlias(t *testing.T) {
	path := filepath.Join(shareddata.Path(t, "lockfiles", "bun-lock", "paradigmxyz-reth"), "bun.lock")
	for _, p := range lockfilestest.ParseFile(t, bunlock.Parser{}, path) {
		if p.Line == 641 {
			if p.Alias != "cva" {
				t.Errorf("alias = %q, want cva", p.Alias)
			}
			return
		}
	}
	t.Error("no package at line 641")
}

// TestScalibrFixtures runs every osv-scalibr bunlock fixture: each either
// parses to the package count read off the file (its keys under "packages"),
// or fails with a *ParseError naming it (-1).
func TestScalibrFixtures(t *testing.T) {
	dir := shareddata.Path(t, "lockfiles", "fixtures-osv-scalibr", "bunlock")
	want := map[string]struct{ count, errLine int }{
		"alias.json5":                         {4, 0},
		"bad-tuple.json5":                     {-1, 12}, // [123, ...]: no "name@version" string
		"blog-sample.json5":                   {1, 0},
		"commits.json5":                       {18, 0},
		"empty.json5":                         {0, 0},
		"files.json5":                         {2, 0},
		"nested-dependencies-dup.json5":       {7, 0},
		"nested-dependencies.json5":           {9, 0},
		"no-packages.json5":                   {0, 0},
		"not-json.txt":                        {-1, 1},
		"one-package-dev.json5":               {1, 0},
		"one-package.json5":                   {1, 0},
		"optional-package.json5":              {3, 0},
		"peer-dependencies-explicit.json5":    {2, 0},
		"peer-dependencies-implicit.json5":    {2, 0},
		"same-package-different-groups.json5": {2, 0},
		"scoped-packages-mixed.json5":         {5, 0},
		"scoped-packages.json5":               {1, 0},
		"two-packages.json5":                  {2, 0},
	}
	entries, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	if len(entries) != len(want) {
		t.Errorf("found %d fixtures, the table has %d", len(entries), len(want))
	}
	for _, e := range entries {
		t.Run(e.Name(), func(t *testing.T) {
			w, ok := want[e.Name()]
			if !ok {
				t.Fatalf("fixture %s not in the table", e.Name())
			}
			pkgs, err := lockfilestest.TryParseFile(bunlock.Parser{}, filepath.Join(dir, e.Name()))
			if w.count < 0 {
				lockfilestest.AssertParseError(t, err, e.Name(), w.errLine)
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if len(pkgs) != w.count {
				t.Errorf("got %d packages, want %d", len(pkgs), w.count)
			}
		})
	}

	check := func(name string, wants []lockfilestest.Want) {
		t.Helper()
		lockfilestest.Check(t, lockfilestest.ParseFile(t, bunlock.Parser{}, filepath.Join(dir, name)), wants)
	}
	check("alias.json5", []lockfilestest.Want{
		{Name: "supports-color", Version: "7.2.0", Line: 15, Direct: yes},
		{Name: "supports-color", Version: "6.1.0", Line: 17, Direct: yes},
		{Name: "has-flag", Version: "3.0.0", Line: 19, Direct: no},
	})
	check("commits.json5", []lockfilestest.Want{
		{Name: "@prettier/sync", Version: "github:prettier/prettier-synchronized#527e8ce", Line: 32, Direct: yes, Dev: yes, Source: git,
			PURL: "pkg:npm/%40prettier/sync@527e8ce?vcs_url=github:prettier%2Fprettier-synchronized%23527e8ce"},
		{Name: "is-number", Version: "github:jonschlinkert/is-number#d5ac058", Line: 38, Direct: yes, Source: git},
		{Name: "jquery", Version: "3.7.1", Line: 42, Direct: no, Source: reg},
	})
	check("files.json5", []lockfilestest.Want{
		{Name: "etag", Version: "file:deps/etag", Line: 15, Direct: yes, Dev: yes, Source: local},
		{Name: "lodash", Version: "1.3.1", Line: 17, Direct: yes, Dev: no},
	})
	check("nested-dependencies.json5", []lockfilestest.Want{
		{Name: "supports-color", Version: "5.5.0", Line: 26, Direct: yes},
		{Name: "supports-color", Version: "7.2.0", Line: 28, Direct: no},
		{Name: "has-flag", Version: "4.0.0", Line: 32, Direct: no},
	})
	check("same-package-different-groups.json5", []lockfilestest.Want{
		{Name: "has-flag", Version: "3.0.0", Line: 15, Direct: yes, Dev: yes},
		{Name: "supports-color", Version: "5.5.0", Line: 17, Direct: yes, Dev: no},
	})
	check("blog-sample.json5", []lockfilestest.Want{
		{Name: "uWebSockets.js", Version: "github:uNetworking/uWebSockets.js#6609a88", Line: 11, Direct: yes, Source: git},
	})
}

// TestWorkspaces covers workspace members, links, file:, git and tarball
// entries, npm: aliases with a custom registry, comments and nested scopes.
func TestWorkspaces(t *testing.T) {
	pkgs := lockfilestest.ParseFile(t, bunlock.Parser{}, "testdata/workspaces.bun.lock")
	if len(pkgs) != 11 {
		t.Errorf("got %d packages, want 11", len(pkgs))
	}
	lockfilestest.Check(t, pkgs, []lockfilestest.Want{
		// The version of a workspace member comes from its workspace entry.
		{Name: "@acme/ui", Version: "0.4.1", Line: 34, Direct: yes, Source: local},
		// In both dependencies and devDependencies: not dev.
		{Name: "react", Version: "18.2.0", Line: 36, Direct: yes, Dev: no, Source: reg, Integrity: "sha512-react18"},
		{Name: "react", Version: "17.0.2", Line: 38, Direct: yes, Dev: no, Source: reg},
		{Name: "typescript", Version: "5.4.5", Line: 40, Direct: yes, Dev: yes},
		{Name: "local-tool", Version: "link:local-tool", Line: 42, Direct: yes, Dev: yes, Source: local},
		{Name: "fsevents", Version: "2.3.3", Line: 44, Direct: yes, Dev: no},
		// Declared by the member packages/ui.
		{Name: "left-pad", Version: "github:stevemao/left-pad#0123456789abcdef0123456789abcdef01234567", Line: 46, Direct: yes, Source: git},
		{Name: "evil", Version: "https://example.com/evil-1.0.0.tgz", Line: 48, Source: url, Integrity: "sha512-evil"},
		{Name: "vendored", Version: "file:../../vendor/vendored", Line: 50, Dev: yes, Source: local},
		{Name: "@types/react", Version: "18.3.0", Line: 53, Direct: no, PURL: "pkg:npm/%40types/react@18.3.0"},
		{Name: "loose-envify", Version: "1.4.0", Line: 55, Direct: no},
	})
	byLine := map[int]lockfiles.Package{}
	for _, p := range pkgs {
		byLine[p.Line] = p
	}
	if p := byLine[38]; p.Alias != "old-react" || p.Resolved != "https://npm.acme.io/" {
		t.Errorf("alias entry: alias %q resolved %q", p.Alias, p.Resolved)
	}
	if p := byLine[53]; p.Alias != "" {
		t.Errorf("nested scoped entry has alias %q", p.Alias)
	}
	if p := byLine[46]; !p.PinnedSHA || p.Integrity != "" {
		t.Errorf("git entry: pinned %v, integrity %q", p.PinnedSHA, p.Integrity)
	}
	if p := byLine[34]; p.Resolved != "workspace:packages/ui" {
		t.Errorf("workspace entry resolved %q", p.Resolved)
	}
}

func TestMalformed(t *testing.T) {
	for _, tt := range []struct {
		file string
		line int
	}{
		{"bad-spec.lock", 6},   // "b-without-version" has no "@version"
		{"bad-syntax.lock", 5}, // missing comma after line 4; noticed at the next key
	} {
		_, err := lockfilestest.TryParseFile(bunlock.Parser{}, filepath.Join("testdata", tt.file))
		lockfilestest.AssertParseError(t, err, tt.file, tt.line)
	}
	for _, tt := range []struct {
		name, content string
		line          int
	}{
		{"top-level string", `"bun"`, 1},
		{"packages array", "{\n\"packages\": [],\n}", 2},
		{"workspace not an object", "{\n\"workspaces\": {\n\"\": 1,\n},\n}", 3},
		{"entry not an array", "{\n\"packages\": {\n\"a\": \"a@1\",\n},\n}", 3},
		{"empty tuple", "{\n\"packages\": {\n\n\"a\": [],\n},\n}", 4},
		{"name only", "{\n\"packages\": {\n\"a\": [\"@\"],\n},\n}", 3},
	} {
		_, err := lockfilestest.ParseBytes(bunlock.Parser{}, "bun.lock", []byte(tt.content))
		if err == nil {
			t.Errorf("%s: no error", tt.name)
			continue
		}
		lockfilestest.AssertParseError(t, err, "bun.lock", tt.line)
	}
}

func TestDepthLimit(t *testing.T) {
	deep := []byte(`{"packages": {"a": ["a@1", "", {"x": {"y": {"z": {}}}}]}}`)
	in := &lockfiles.Input{Path: "bun.lock", Content: deep, Limits: lockfiles.Limits{MaxDepth: 4}}
	_, err := bunlock.Parser{}.Parse(t.Context(), in)
	if !errors.Is(err, lockfiles.ErrLimit) {
		t.Fatalf("err = %v, want ErrLimit", err)
	}
}

func FuzzParseBunLock(f *testing.F) {
	lockfilestest.AddSeeds(f, "testdata/*.lock")
	lockfilestest.AddReadings(f, bunReadings)
	if dir, ok := shareddata.Optional(f, "lockfiles"); ok {
		lockfilestest.AddSeeds(f,
			filepath.Join(dir, "fixtures-osv-scalibr", "bunlock", "*"),
			filepath.Join(dir, "bun-lock", "*", "bun.lock"),
		)
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		pkgs, err := lockfilestest.ParseBytes(bunlock.Parser{}, "bun.lock", data)
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

// BenchmarkParseBunLock parses the largest real file, hono's bun.lock
// (264 KB, 1152 packages).
func BenchmarkParseBunLock(b *testing.B) {
	lockfilestest.BenchmarkParse(b, bunlock.Parser{}, "bun.lock", "lockfiles", "bun-lock", "honojs-hono", "bun.lock")
}
