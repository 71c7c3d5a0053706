package pnpmlock

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"github.com/tollgate-dev/tollgate/internal/shareddata"
	"github.com/tollgate-dev/tollgate/lockfiles"
	"github.com/tollgate-dev/tollgate/lockfiles/lockfilestest"
	"github.com/tollgate-dev/tollgate/lockfiles/yamltree"
	yaml "go.yaml.in/yaml/v3"
)

var (
	yes    = lockfilestest.Bool(true)
	no     = lockfilestest.Bool(false)
	reg    = lockfilestest.Str(lockfiles.SourceRegistry)
	local  = lockfilestest.Str(lockfiles.SourceLocal)
	git    = lockfilestest.Str(lockfiles.SourceGit)
	urlSrc = lockfilestest.Str(lockfiles.SourceURL)
)

func TestMatch(t *testing.T) {
	p := Parser{}
	lockfilestest.CheckMatch(t, p, map[string]bool{
		"pnpm-lock.yaml":          true,
		"apps/web/pnpm-lock.yaml": true,
		"pnpm-lock.yml":           false,
		"pnpm-workspace.yaml":     false,
		"yarn.lock":               false,
	})
	if p.Name() != "npm/pnpm-lock.yaml" {
		t.Errorf("Name() = %q", p.Name())
	}
}

// TestRealFiles parses every real pnpm-lock.yaml of the shared corpus.
//
// How the counts were determined: the `packages:` keys (for 5.x with the
// `_peer` suffix removed and name@version de-duplicated: vue 5.4 has 756 keys
// for 755 packages; 6.x and 9.x keys are already unique) plus the distinct
// workspace links (name + link target resolved from the importer) that
// importers list, counted independently with PyYAML (a 30-line script in the
// commit message of this test): e.g. TanStack 2723 keys + 47 links.
//
// The dev counts of 9.x files (packages + links) come from another PyYAML
// script (in the commit message that added them) walking the snapshots graph
// from every importer's dependencies and optionalDependencies, then from its
// devDependencies: a packages key is dev when only the second walk reaches a
// snapshot of it; a link when every importer lists it as a devDependency.
// For 5.x/6.x: the `dev: true` entries (5.x variants merged: dev if all are).
func TestRealFiles(t *testing.T) {
	dir := shareddata.Path(t, "lockfiles", "pnpm-lock-yaml")
	cases := []struct {
		folder string
		count  int
		dev    int
		wants  []lockfilestest.Want
	}{
		{"TanStack-router", 2723 + 47, 1014 + 2, []lockfilestest.Want{
			{Name: "@babel/core", Version: "7.28.5", Line: 15612, Direct: yes, Dev: no, Source: reg},
			// a devDependency of many examples, but also reached in production:
			// examples/react/start-basic-static depends on @vitejs/plugin-react,
			// whose snapshot depends on @rolldown/plugin-babel, which depends on it
			{Name: "@babel/core", Version: "7.29.0", Line: 15616, Direct: yes, Dev: no},
			{Name: "@tanstack/query-core", Version: "5.99.0", Line: 21173, Direct: yes},
			{Name: "react", Version: "19.2.3", Line: 26752, Direct: yes, Dev: no},
			// only through @testing-library/dom@10.4.1, a devDependency of
			// examples/{react,solid}/start-bun and a dependency of dev-only snapshots
			{Name: "aria-query", Version: "5.3.0", Line: 22497, Direct: no, Dev: yes},
			// an optional dependency of sharp@0.34.4, reached only from dev roots
			{Name: "@img/sharp-linuxmusl-x64", Version: "0.34.4", Line: 17789, Direct: no, Dev: yes},
			// reached from both
			{Name: "@libsql/hrana-client", Version: "0.7.0", Line: 17988, Direct: no, Dev: no},
		}},
		{"nuxt-nuxt", 1731 + 8, 743, []lockfilestest.Want{
			{Name: "@nuxt/devtools", Version: "4.0.0-alpha.10", Line: 3063, Direct: yes},
			{Name: "defu", Version: "6.1.7", Line: 5805, Direct: yes, Dev: no,
				Integrity: "sha512-7z22QmUWiQ/2d0KkdYmANbRUVABpZ9SNYyH5vx6PZ+nE5bcC0l7uFvEfHlyld/HcGBFTL536ClDt3DEcSlEJAQ=="},
			{Name: "vite", Version: "8.2.1", Line: 9937, Direct: yes},
			{Name: "posthtml", Version: "0.16.7", Line: 8526, Direct: no, Dev: yes},
			{Name: "postcss-minify-params", Version: "7.0.9", Line: 8279, Direct: no, Dev: no},
		}},
		{"payloadcms-payload", 2702 + 44, 983 + 19, []lockfilestest.Want{
			// a devDependency of many importers, but an optional (peer)
			// dependency of @radix-ui/react-accordion@1.2.11(...) (line 20158),
			// which templates/ecommerce lists under dependencies: not dev
			{Name: "@types/react", Version: "19.2.14", Line: 8752, Direct: yes, Dev: no},
			{Name: "conf", Version: "13.1.0", Line: 10094, Direct: no, Dev: yes},
			{Name: "pirates", Version: "4.0.7", Line: 13578, Direct: no, Dev: no},
			{Name: "graphql", Version: "16.8.1", Line: 11733, Direct: yes, Dev: no},
			{Name: "react-dom", Version: "19.2.6", Line: 13854, Direct: yes},
		}},
		{"vuejs-core-v5.4-cc09cc7", 755 + 11, 726, []lockfilestest.Want{
			{Name: "@babel/core", Version: "7.21.3", Line: 324, Direct: yes, Dev: yes},
			// a peer variant (`_@babel+core@7.21.3`) with its suffix removed
			{Name: "@babel/helper-compilation-targets", Version: "7.20.7", Line: 357, Direct: no, Dev: yes},
			{Name: "typescript", Version: "5.0.2", Line: 5306, Direct: yes, Dev: yes},
			// /vite/4.3.1 and /vite/4.3.1_ghge5pqdvzsmxto52quo4r2say are one package
			{Name: "vite", Version: "4.3.1", Line: 5418, Direct: yes, Dev: yes},
			// packages/compiler-core depends on link:../shared
			{Name: "@vue/shared", Version: "", Line: 108, Direct: yes, Source: local},
		}},
		{"vuejs-core-v6.0-ea494af", 730 + 11, 699, []lockfilestest.Want{
			{Name: "@babel/parser", Version: "7.24.1", Line: 572, Direct: yes},
			// no dev: field (used by dev and prod importers): not dev
			{Name: "typescript", Version: "5.4.5", Line: 5432, Direct: yes, Dev: no},
			{Name: "vite", Version: "5.2.7", Line: 5541, Direct: yes, Dev: yes},
		}},
		{"vuejs-core", 620 + 11, 587, []lockfilestest.Want{
			{Name: "@babel/parser", Version: "7.29.8", Line: 479, Direct: yes, Dev: no},
			{Name: "typescript", Version: "5.6.3", Line: 3096, Direct: yes, Dev: no},
			{Name: "typescript", Version: "6.0.3", Line: 3101, Direct: yes, Dev: yes},
			{Name: "vite", Version: "8.2.0", Line: 3133, Direct: yes, Dev: yes},
			// packages/compiler-sfc: devDependencies postcss-modules -> postcss-modules-scope
			{Name: "postcss-modules-scope", Version: "3.2.0", Line: 2712, Direct: no, Dev: yes},
			// packages/compiler-sfc: dependencies postcss -> nanoid (also reached from dev)
			{Name: "nanoid", Version: "3.3.16", Line: 2573, Direct: no, Dev: no},
		}},
		// Two YAML documents: pnpm's own environment lockfile (19 packages,
		// the pnpm binaries it downloads) and the project's (line 199 on).
		// pnpm's environment lockfile lists its packages under
		// packageManagerDependencies, no dependency group: none is dev.
		{"withastro-astro", 2140 + 43 + 19, 720 + 3, []lockfilestest.Want{
			{Name: "pnpm", Version: "11.10.0", Line: 119, Direct: no},
			{Name: "@astrojs/compiler", Version: "2.13.1", Line: 7287, Direct: yes},
			{Name: "vite", Version: "8.2.1", Line: 15830, Direct: yes},
			{Name: "fake-data-pkg", Version: "1.0.0", Line: 12188, Direct: yes, Source: local},
			{Name: "@test/server-entry-fake-adapter", Version: "", Line: 10191, Direct: yes, Source: local},
			// packages/language-tools/ts-plugin: devDependencies mocha ->
			// serialize-javascript -> randombytes, its only reference (line 25226)
			{Name: "randombytes", Version: "2.1.0", Line: 14578, Direct: no, Dev: yes},
		}},
	}
	for _, c := range cases {
		t.Run(c.folder, func(t *testing.T) {
			pkgs := lockfilestest.ParseFile(t, Parser{}, filepath.Join(dir, c.folder, "pnpm-lock.yaml"))
			if len(pkgs) != c.count {
				t.Errorf("got %d packages, want %d", len(pkgs), c.count)
			}
			dev := 0
			for _, p := range pkgs {
				if p.Dev {
					dev++
				}
			}
			if dev != c.dev {
				t.Errorf("got %d dev packages, want %d", dev, c.dev)
			}
			lockfilestest.Check(t, pkgs, c.wants)
			seen := map[string]bool{}
			for _, p := range pkgs {
				if p.Name == "" || p.Line <= 0 || p.Ecosystem != lockfiles.EcosystemNPM || p.PURL == "" {
					t.Errorf("incomplete package %+v", p)
				}
				if p.Version == "" && p.Source != lockfiles.SourceLocal {
					t.Errorf("registry package without version: %+v", p)
				}
				if p.Version != "" {
					// Once per document: astro's two documents both lock detect-libc.
					id := fmt.Sprint(p.Line < 199 && c.folder == "withastro-astro", p.Name, "@", p.Version)
					if seen[id] {
						t.Errorf("%s reported twice", id)
					}
					seen[id] = true
				}
			}
			if c.folder == "withastro-astro" {
				first := 0
				for _, p := range pkgs {
					if p.Line < 199 {
						first++
					}
				}
				if first != 19 {
					t.Errorf("%d packages from the first document (pnpm's environment lockfile), want 19", first)
				}
			}
		})
	}
}

// TestScalibrFixtures runs every osv-scalibr pnpm fixture. Only not-yaml.txt
// fails (a YAML scalar, not a lockfile); counts were read off each file.
func TestScalibrFixtures(t *testing.T) {
	dir := shareddata.Path(t, "lockfiles", "fixtures-osv-scalibr", "pnpmlock")
	counts := map[string]int{
		"commits.v9.yaml": 2, "commits.yaml": 5, "empty.yaml": 0,
		// 9 keys: github.com/kevva/is-positive and /foo/bar carry no version
		"exotic.yaml": 7,
		// file:../nameless-package has no name
		"files.yaml": 5, "invalid-path.yaml": 1, "invalid-paths.yaml": 1, "missing-packages.yaml": 0,
		"mixed-groups.v53.yaml": 3, "mixed-groups.v54.yaml": 3, "mixed-groups.v6.yaml": 3, "mixed-groups.v9.yaml": 3,
		"multiple-packages.yaml": 14, "multiple-versions.v9.yaml": 3, "multiple-versions.yaml": 3,
		"no-packages.v9.yaml": 0, "no-packages.yaml": 0, "not-yaml.txt": -1,
		"one-package-dev.v9.yaml": 1, "one-package-dev.yaml": 1, "one-package-v6-lockfile.yaml": 1,
		"one-package.v9.yaml": 1, "one-package.yaml": 1,
		"peer-dependencies-advanced-rc-v6.yaml": 5, "peer-dependencies-advanced-v6.yaml": 5,
		"peer-dependencies-advanced.v9.yaml": 13, "peer-dependencies-advanced.yaml": 9,
		"peer-dependencies-v6.yaml": 5, "peer-dependencies.v9.yaml": 2, "peer-dependencies.yaml": 2,
		"scoped-packages-v6-lockfile.yaml": 1, "scoped-packages.v9.yaml": 1, "scoped-packages.yaml": 1,
		"tarball.yaml": 1,
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
		if want < 0 {
			if err == nil {
				t.Errorf("%s: parsed, want an error", e.Name())
				continue
			}
			lockfilestest.AssertParseError(t, err, e.Name(), 1)
			continue
		}
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
	check("exotic.yaml", []lockfilestest.Want{
		{Name: "foo", Version: "1.0.0", Line: 10}, {Name: "@foo/bar", Version: "1.0.0", Line: 11},
		{Name: "foo", Version: "1.1.0", Line: 12}, {Name: "foo", Version: "1.3.0", Line: 16},
		{Name: "foo", Version: "1.4.0", Line: 17},
	})
	check("commits.yaml", []lockfilestest.Want{
		{Name: "@my-scope/my-package", Version: "1.0.0", Line: 20, Source: git, Direct: yes},
		{Name: "mocks", Version: "20.0.1", Line: 42, Source: git, Direct: yes},
		{Name: "faker-parser", Version: "0.0.1", Line: 34, Source: git, Direct: no},
	})
	check("commits.v9.yaml", []lockfilestest.Want{
		{Name: "ansi-regex", Version: "6.0.1", Line: 20, Source: git, Direct: yes},
		{Name: "is-number", Version: "7.0.0", Line: 25, Source: git, Direct: yes},
	})
	check("files.yaml", []lockfilestest.Want{
		{Name: "my-file-package", Version: "0.0.0", Line: 10, Source: local, Direct: yes},
		{Name: "a-local-package", Version: "1.0.0", Line: 16, Source: local},
		{Name: "one-up-with-peer", Version: "1.0.0", Line: 34, Source: local},
	})
	for _, f := range []string{"mixed-groups.v54.yaml", "mixed-groups.v53.yaml"} {
		check(f, []lockfilestest.Want{
			{Name: "ansi-regex", Version: "5.0.1", Line: 19, Direct: yes, Dev: no},
			{Name: "is-number", Version: "7.0.0", Line: 24, Direct: yes, Dev: yes},
			{Name: "uuid", Version: "8.3.2", Line: 29, Direct: yes, Dev: no},
		})
	}
	check("mixed-groups.v6.yaml", []lockfilestest.Want{
		{Name: "ansi-regex", Version: "5.0.0", Line: 24, Direct: yes, Dev: no},
		{Name: "is-number", Version: "7.0.0", Line: 29, Direct: yes, Dev: yes},
	})
	check("mixed-groups.v9.yaml", []lockfilestest.Want{
		{Name: "ansi-regex", Version: "5.0.1", Line: 25, Direct: yes, Dev: no},
		{Name: "is-number", Version: "7.0.0", Line: 29, Direct: yes, Dev: yes},
		{Name: "uuid", Version: "8.3.2", Line: 33, Direct: yes, Dev: no},
	})
	check("peer-dependencies-advanced-v6.yaml", []lockfilestest.Want{
		{Name: "react-dom", Version: "18.3.0-canary-ab31a9ed2-20230824", Line: 25, Direct: yes},
		{Name: "react", Version: "18.3.0-canary-ab31a9ed2-20230824", Line: 35, Direct: no},
	})
	check("tarball.yaml", []lockfilestest.Want{
		{Name: "@my-org/my-package", Version: "3.2.3", Line: 10, Source: urlSrc, Direct: yes, Dev: yes},
	})
	check("one-package-dev.v9.yaml", []lockfilestest.Want{{Name: "acorn", Version: "8.11.3", Line: 17, Direct: yes, Dev: yes}})
}

func find(pkgs []lockfiles.Package, line int) *lockfiles.Package {
	for i := range pkgs {
		if pkgs[i].Line == line {
			return &pkgs[i]
		}
	}
	return nil
}

func TestTricky(t *testing.T) {
	v9 := lockfilestest.ParseFile(t, Parser{}, "testdata/tricky-v9.yaml")
	if len(v9) != 7 {
		t.Errorf("v9: got %d packages, want 7", len(v9))
	}
	lockfilestest.Check(t, v9, []lockfilestest.Want{
		{Name: "gitdep", Version: "1.0.0", Line: 43, Source: git, Direct: yes},
		// listed as a devDependency by . with a peer suffix: dev only
		{Name: "react-dom", Version: "18.2.0", Line: 47, Direct: yes, Dev: yes, Source: reg},
		{Name: "react", Version: "18.2.0", Line: 52, Direct: yes, Dev: no, PURL: "pkg:npm/react@18.2.0",
			Integrity: "sha512-/3IjMdb2L9QbBdWiW5e3P2/npwMBaU9mHCSCUzNln0ZCYbcfTsGbTJrU/kGemdH2IWmB2ioZ+zkxtmq6g09fGQ=="},
		// string-width-cjs is an npm: alias resolving to string-width@4.2.3
		{Name: "string-width", Version: "4.2.3", Line: 56, Direct: yes, Dev: no},
		{Name: "tarball", Version: "3.0.0", Line: 60, Source: urlSrc, Direct: no},
		// devDependency of two importers: dev
		{Name: "typescript", Version: "5.4.5", Line: 64, Direct: yes, Dev: yes},
		{Name: "@acme/utils", Version: "", Line: 21, Source: local, Direct: yes, Dev: yes},
	})
	if p := find(v9, 56); p == nil || p.Alias != "string-width-cjs" {
		t.Errorf("alias: %+v", p)
	}
	if p := find(v9, 43); p == nil || !p.PinnedSHA {
		t.Errorf("gitdep at a full SHA should be PinnedSHA: %+v", p)
	}

	v5 := lockfilestest.ParseFile(t, Parser{}, "testdata/tricky-v5.yaml")
	if len(v5) != 4 {
		t.Errorf("v5: got %d packages, want 4", len(v5))
	}
	lockfilestest.Check(t, v5, []lockfilestest.Want{
		{Name: "@babel/core", Version: "7.21.3", Line: 23, Direct: yes, Dev: yes, PURL: "pkg:npm/%40babel/core@7.21.3"},
		// two peer variants, one dev and one not: not dev, first line
		{Name: "vite", Version: "4.3.1", Line: 28, Direct: yes, Dev: no},
		{Name: "forked", Version: "2.0.0", Line: 40, Source: git, Direct: no},
		{Name: "@acme/shared", Version: "", Line: 18, Source: local, Direct: yes},
	})

	two := lockfilestest.ParseFile(t, Parser{}, "testdata/two-documents.yaml")
	if len(two) != 3 {
		t.Errorf("two documents: got %d packages, want 3 (both documents')", len(two))
	}
	lockfilestest.Check(t, two, []lockfilestest.Want{
		{Name: "pnpm", Version: "9.0.0", Line: 14},
		{Name: "lodash", Version: "4.17.21", Line: 30, Direct: yes},
		{Name: "left-pad", Version: "1.3.0", Line: 33, Direct: no},
	})
}

// TestDevGraph checks the dev-only reachability of 9.x on an own fixture
// whose every entry was worked out by hand (and by the PyYAML walk used for
// the real files' counts).
func TestDevGraph(t *testing.T) {
	pkgs := lockfilestest.ParseFile(t, Parser{}, "testdata/dev-graph-v9.yaml")
	if len(pkgs) != 17+1 {
		t.Errorf("got %d packages, want 18 (17 entries and the @acme/tools link)", len(pkgs))
	}
	lockfilestest.Check(t, pkgs, []lockfilestest.Want{
		// a dependency of . and a devDependency of packages/tools: not dev
		{Name: "app-lib", Version: "1.0.0", Line: 48, Direct: yes, Dev: no},
		// app-lib -> prod-mid -> right, shared
		{Name: "prod-mid", Version: "1.0.0", Line: 80, Direct: no, Dev: no},
		{Name: "right", Version: "1.0.0", Line: 83, Direct: no, Dev: no},
		// also a dependency of the dev-only test-runner: not dev
		{Name: "shared", Version: "1.0.0", Line: 86, Direct: no, Dev: no},
		// two peer variants: styled(right) from app-lib, styled(left) from dev-mid
		{Name: "styled", Version: "1.0.0", Line: 89, Direct: no, Dev: no},
		// only styled(left) depends on it
		{Name: "left", Version: "1.0.0", Line: 64, Direct: no, Dev: yes},
		// an optionalDependency of .: production, and so is its optional dependency
		{Name: "fsevents-ish", Version: "2.0.0", Line: 61, Direct: yes, Dev: no},
		{Name: "native-bin", Version: "2.0.0", Line: 70, Direct: no, Dev: no},
		// a devDependency through a peer-suffixed key: 3.0.0(peer-host@1.0.0)
		{Name: "test-runner", Version: "3.0.0", Line: 100, Direct: yes, Dev: yes},
		{Name: "peer-host", Version: "1.0.0", Line: 77, Direct: yes, Dev: yes},
		// test-runner -> dev-mid <-> dev-leaf (a cycle)
		{Name: "dev-mid", Version: "1.0.0", Line: 54, Direct: no, Dev: yes},
		{Name: "dev-leaf", Version: "1.0.0", Line: 51, Direct: no, Dev: yes},
		// an optionalDependency of test-runner
		{Name: "dev-opt", Version: "1.0.0", Line: 57, Direct: no, Dev: yes},
		// . lists packages/tools only as a devDependency (a link), but the
		// dependencies of packages/tools are production all the same
		{Name: "tools-dep", Version: "1.0.0", Line: 105, Direct: yes, Dev: no},
		{Name: "lint-x", Version: "1.0.0", Line: 67, Direct: yes, Dev: yes},
		// lint-x's wrap-cjs is an npm alias of wrap@2.0.0
		{Name: "wrap", Version: "2.0.0", Line: 108, Direct: no, Dev: yes},
		// no importer reaches it
		{Name: "orphan", Version: "1.0.0", Line: 74, Direct: no, Dev: no},
		{Name: "@acme/tools", Version: "", Line: 23, Direct: yes, Dev: yes, Source: local},
	})
}

func TestMalformed(t *testing.T) {
	for _, c := range []struct {
		file string
		line int
	}{
		// the flow mapping of lodash's resolution is never closed; the YAML
		// decoder reports the line of the entry it was reading
		{"malformed.yaml", 5},
		{"packages-sequence.yaml", 4},
	} {
		_, err := lockfilestest.TryParseFile(Parser{}, filepath.Join("testdata", c.file))
		if err == nil {
			t.Errorf("%s: no error", c.file)
			continue
		}
		lockfilestest.AssertParseError(t, err, c.file, c.line)
	}
	_, err := lockfilestest.ParseBytes(Parser{}, "a/pnpm-lock.yaml", []byte("name: not-a-lockfile\n"))
	lockfilestest.AssertParseError(t, err, "a/pnpm-lock.yaml", 1)
}

func TestBillionLaughs(t *testing.T) {
	_, err := lockfilestest.TryParseFile(Parser{}, "testdata/billion-laughs.yaml")
	if !errors.Is(err, lockfiles.ErrLimit) {
		t.Fatalf("want a limit error, got %v", err)
	}
	lockfilestest.AssertParseError(t, err, "billion-laughs.yaml", 0)
}

func TestPackageLimit(t *testing.T) {
	data, err := os.ReadFile("testdata/tricky-v9.yaml")
	if err != nil {
		t.Fatal(err)
	}
	_, err = Parser{}.Parse(t.Context(), &lockfiles.Input{Path: "pnpm-lock.yaml", Content: data, Limits: lockfiles.Limits{MaxPackages: 3}})
	if !errors.Is(err, lockfiles.ErrLimit) {
		t.Fatalf("want a limit error, got %v", err)
	}
}

func FuzzParsePnpmLock(f *testing.F) {
	if dir, ok := shareddata.Optional(f, "lockfiles"); ok {
		lockfilestest.AddSeeds(f, filepath.Join(dir, "pnpm-lock-yaml", "*", "pnpm-lock.yaml"),
			filepath.Join(dir, "fixtures-osv-scalibr", "pnpmlock", "*"))
	}
	lockfilestest.AddSeeds(f, "testdata/*")
	lockfilestest.AddReadings(f, pnpmReadings)
	// Nesting past the depth limit, block and flow.
	f.Add([]byte("lockfileVersion: '9.0'\npackages:\n  a: " + strings.Repeat("[", 300) + strings.Repeat("]", 300) + "\n"))
	f.Add([]byte("lockfileVersion: '9.0'\npackages:\n" + strings.Repeat(" ", 2) + strings.Repeat("a:\n", 1) + func() string {
		var b strings.Builder
		for i := 0; i < 300; i++ {
			b.WriteString(strings.Repeat("  ", i+2) + "k:\n")
		}
		return b.String()
	}()))
	f.Fuzz(func(t *testing.T, data []byte) {
		pkgs, err := lockfilestest.ParseBytes(Parser{}, "pnpm-lock.yaml", data)
		if err != nil {
			lockfilestest.AssertParseError(t, err, "pnpm-lock.yaml", 0)
			return
		}
		for _, p := range pkgs {
			if p.Name == "" || p.Line < 0 {
				t.Fatalf("bad package %+v", p)
			}
		}
		if len(data) < 32<<10 { // the library is slow under coverage instrumentation
			agree(t, "pnpm-lock.yaml", data) // the fast path reads as the YAML library does
		}
	})
}

// BenchmarkParsePnpmLock parses the largest real pnpm-lock.yaml (TanStack
// router's, 1.6 MB) through Parse (the fast path) and, for comparison,
// through the YAML library path it falls back to.
func BenchmarkParsePnpmLock(b *testing.B) {
	data, err := os.ReadFile(shareddata.Path(b, "lockfiles", "pnpm-lock-yaml", "TanStack-router", "pnpm-lock.yaml"))
	if err != nil {
		b.Fatal(err)
	}
	b.Run("parse", func(b *testing.B) {
		b.SetBytes(int64(len(data)))
		b.ReportAllocs()
		for b.Loop() {
			if _, err := lockfilestest.ParseBytes(Parser{}, "pnpm-lock.yaml", data); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("yaml-library", func(b *testing.B) {
		b.SetBytes(int64(len(data)))
		b.ReportAllocs()
		limits := lockfiles.Limits{}.WithDefaults()
		for b.Loop() {
			docs, err := yamltree.Parse("pnpm-lock.yaml", data, limits)
			if err != nil {
				b.Fatal(err)
			}
			if _, err := fromDocs(b.Context(), "pnpm-lock.yaml", docs, limits); err != nil {
				b.Fatal(err)
			}
		}
	})
}

// TestFastPathAgreesWithYAML checks the hand-written scanner against the YAML
// library on every real file, fixture and own fixture: where the scanner
// accepts a file, the packages read from its (partial) tree must equal those
// read from the library's. It must accept every real lockfile (or the fast
// path would never run).
func TestFastPathAgreesWithYAML(t *testing.T) {
	var files []string
	if dir, ok := shareddata.Optional(t, "lockfiles"); ok {
		real, _ := filepath.Glob(filepath.Join(dir, "pnpm-lock-yaml", "*", "pnpm-lock.yaml"))
		if len(real) == 0 {
			t.Fatal("no real pnpm lockfiles found")
		}
		for _, f := range real {
			data, err := os.ReadFile(f)
			if err != nil {
				t.Fatal(err)
			}
			if _, ok := yamltree.FastParse(data, lockfiles.Limits{}.WithDefaults(), keep); !ok {
				t.Errorf("%s: the fast path rejects a real lockfile", f)
			}
		}
		fixtures, _ := filepath.Glob(filepath.Join(dir, "fixtures-osv-scalibr", "pnpmlock", "*"))
		files = append(append(files, real...), fixtures...)
	}
	own, _ := filepath.Glob("testdata/*.yaml")
	files = append(files, own...)
	accepted := 0
	for _, f := range files {
		data, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		if agree(t, f, data) {
			accepted++
		}
	}
	if accepted < len(files)/2 {
		t.Errorf("fast path accepted only %d of %d files", accepted, len(files))
	}
}

// agree compares the two decoders on data; it reports whether the fast path accepted it.
func agree(t *testing.T, name string, data []byte) bool {
	t.Helper()
	limits := lockfiles.Limits{}.WithDefaults()
	fast, ok := yamltree.FastParse(data, limits, keep)
	if !ok {
		return false
	}
	slow, err := yamltree.Parse(name, data, limits)
	if err != nil {
		// The library rejects what the scanner reads (duplicate keys, for one);
		// the scanner's reading is then not compared.
		return true
	}
	if len(fast) != len(slow) {
		t.Errorf("%s: %d documents, library %d", name, len(fast), len(slow))
		return true
	}
	if len(fast) > 0 && yamltree.Resolve(slow[0]) != nil && yamltree.Resolve(slow[0]).Kind == yaml.MappingNode {
		// the part of the tree that is always built: the top keys read, with their lines
		for _, key := range []string{"lockfileVersion", "packages", "importers"} {
			f, l := keyLine(fast[0], key), keyLine(slow[0], key)
			if f != l {
				t.Errorf("%s: key %s at line %d, library %d", name, key, f, l)
			}
		}
	}
	got, err1 := fromDocs(t.Context(), name, fast, limits)
	want, err2 := fromDocs(t.Context(), name, slow, limits)
	if (err1 == nil) != (err2 == nil) || !reflect.DeepEqual(got, want) {
		t.Errorf("%s: fast path read %d packages (%v), library %d (%v)", name, len(got), err1, len(want), err2)
	}
	return true
}

// keyLine returns the line of key in the top mapping of doc, or 0.
func keyLine(doc *yaml.Node, key string) int {
	line := 0
	yamltree.Pairs(doc, func(k, _ *yaml.Node) {
		if k.Value == key && line == 0 {
			line = k.Line
		}
	})
	return line
}

// TestSnapshotsCorners reads snapshots written in unusual ways through both
// decoders (agree) and checks the Dev of b@1.0.0, which only a's snapshot
// (a being the only devDependency) can reach.
func TestSnapshotsCorners(t *testing.T) {
	const head = "lockfileVersion: '9.0'\nimporters:\n  .:\n    devDependencies:\n      a:\n        specifier: ^1.0.0\n        version: 1.0.0\n" +
		"packages:\n  a@1.0.0:\n    resolution: {integrity: sha512-a}\n  b@1.0.0:\n    resolution: {integrity: sha512-b}\n"
	for _, c := range []struct {
		name      string
		snapshots string
		fast      bool // the fast path reads it
		dev       bool // b is dev
	}{
		{"block", "snapshots:\n  a@1.0.0:\n    dependencies:\n      b: 1.0.0\n  b@1.0.0: {}\n", true, true},
		{"flow", "snapshots:\n  a@1.0.0:\n    dependencies: {b: 1.0.0}\n", true, true},
		{"flow-snapshot", "snapshots:\n  a@1.0.0: {dependencies: {b: 1.0.0}}\n", false, true},
		{"quoted", "snapshots:\n  'a@1.0.0':\n    'optionalDependencies':\n      'b': '1.0.0' # comment\n", true, true},
		{"double-quoted", "snapshots:\n  \"a@1.0.0\":\n    dependencies:\n      b: \"1.0.0\"\n", false, true},
		// duplicate snapshots and groups are refused: see pnpmReadings
		{"null-snapshot", "snapshots:\n  a@1.0.0:\n  b@1.0.0:\n", true, false},
		{"sequence-group", "snapshots:\n  a@1.0.0:\n    dependencies:\n      - b\n", true, false},
		{"mapping-version", "snapshots:\n  a@1.0.0:\n    dependencies:\n      b: {version: 1.0.0}\n", true, false},
		{"scalar-snapshots", "snapshots: none\n", true, false},
		{"sequence-snapshots", "snapshots:\n  - a@1.0.0\n", true, false},
		{"anchor", "snapshots:\n  a@1.0.0:\n    dependencies: &d\n      b: 1.0.0\n", false, true},
		{"skipped-block", "snapshots:\n  a@1.0.0:\n    transitivePeerDependencies:\n      - 'x: y'\n      - {z: w}\n    dependencies:\n      b: 1.0.0\n", true, true},
		{"link", "snapshots:\n  a@1.0.0:\n    dependencies:\n      b: link:../b\n", true, false},
		{"alias", "snapshots:\n  a@1.0.0:\n    dependencies:\n      b-alias: b@1.0.0\n", true, true},
		// no snapshot for b: its packages entry, found as the importers' are
		{"no-target-snapshot", "snapshots:\n  a@1.0.0:\n    dependencies:\n      b: 1.0.0(peer@2.0.0)\n", true, true},
	} {
		t.Run(c.name, func(t *testing.T) {
			data := []byte(head + c.snapshots)
			if got := agree(t, c.name, data); got != c.fast {
				t.Errorf("fast path read it: %v, want %v", got, c.fast)
			}
			pkgs, err := lockfilestest.ParseBytes(Parser{}, "pnpm-lock.yaml", data)
			if err != nil {
				t.Fatal(err)
			}
			lockfilestest.Check(t, pkgs, []lockfilestest.Want{
				{Name: "a", Version: "1.0.0", Line: 9, Direct: yes, Dev: yes},
				{Name: "b", Version: "1.0.0", Line: 11, Direct: no, Dev: lockfilestest.Bool(c.dev)},
			})
		})
	}
}

// TestMergeConflictMarkers: pnpm 10.34.9 (lockfile/fs _read), when js-yaml
// rejects a pnpm-lock.yaml holding the three conflict markers anywhere,
// reads it as the two sides of a conflict (lines split on CR and LF, lines
// starting with a marker dropped) and installs their merge. This file is
// one such: js-yaml 4 rejects it ("duplicated mapping key", line 5), the
// YAML library under yamltree accepts it (and read the first "packages"),
// and which packages pnpm's merge reading ends with depends on lines a
// reader of the file as written never weighs. tollgate refuses it at the
// first marker.
func TestMergeConflictMarkers(t *testing.T) {
	_, err := lockfilestest.TryParseFile(Parser{}, filepath.Join("testdata", "conflict-markers.yaml"))
	lockfilestest.AssertParseError(t, err, "conflict-markers.yaml", 8)
}
