package cargolock

import (
	"errors"
	"os"
	"path/filepath"
	"testing"

	"github.com/tollgate-dev/tollgate/internal/shareddata"
	"github.com/tollgate-dev/tollgate/lockfiles"
	"github.com/tollgate-dev/tollgate/lockfiles/lockfilestest"
	"github.com/tollgate-dev/tollgate/lockfiles/tomltree"
)

var (
	yes   = lockfilestest.Bool(true)
	no    = lockfilestest.Bool(false)
	git   = lockfilestest.Str(lockfiles.SourceGit)
	local = lockfilestest.Str(lockfiles.SourceLocal)
	reg   = lockfilestest.Str(lockfiles.SourceRegistry)
)

func TestMatch(t *testing.T) {
	p := Parser{}
	lockfilestest.CheckMatch(t, p, map[string]bool{
		"Cargo.lock":          true,
		"crates/x/Cargo.lock": true,
		"Cargo.toml":          false,
		"cargo.lock":          false,
		"Cargo.lock.orig":     false,
	})
}

// TestRealFiles parses every Cargo.lock of the shared corpus. Counts are
// `grep -c '^\[\[package\]\]'` plus `grep -c '^\[root\]'`; local counts are
// the tables without a `source =` line, counted with awk over the tables.
func TestRealFiles(t *testing.T) {
	dir := shareddata.Path(t, "lockfiles", "cargo-lock")
	const crates = "registry+https://github.com/rust-lang/crates.io-index"
	cases := []struct {
		dir          string
		count, local int
		wants        []lockfilestest.Want
	}{
		{"BurntSushi-ripgrep", 63, 11, []lockfilestest.Want{ // v4
			{Name: "aho-corasick", Version: "1.1.5", Line: 5, Source: reg,
				Integrity: "c982642fa9e8606056828ee9a8505737230110bb1099153c79efe865c59d12ba"},
			{Name: "memchr", Version: "2.8.3", Line: 309, Integrity: "cf8baf1c55e62ffcace7a9f06f4bd9cd3f0c4beb022d3b367256b91b87513d98"},
			{Name: "ripgrep", Version: "15.2.0", Line: 414, Source: local},
			{Name: "windows-sys", Version: "0.61.2", Line: 579, Direct: no, PURL: "pkg:cargo/windows-sys@0.61.2"},
		}},
		{"pydantic-pydantic-core", 102, 1, []lockfilestest.Want{ // v3
			{Name: "ahash", Version: "0.8.12", Line: 5, Direct: yes,
				Integrity: "5a15f179cd60c4584b8a8c596927aadc462e27f2ca70c04e0071964a73ba7a75"},
			{Name: "pydantic-core", Version: "2.41.5", Line: 432, Direct: no, Source: local},
			{Name: "pyo3", Version: "0.26.0", Line: 459, Direct: yes, Source: reg},
			{Name: "zerocopy", Version: "0.8.25", Line: 902, Direct: no},
		}},
		{"BurntSushi-ripgrep-v2-3ef63da", 68, 10, []lockfilestest.Want{ // v2, implicit
			{Name: "bstr", Version: "0.2.13", Line: 41, Direct: yes,
				Integrity: "31accafdb70df7871592c058eca3985b71104e15ac32f64706022c58867da931"},
			{Name: "memchr", Version: "2.3.3", Line: 354},
			{Name: "ripgrep", Version: "12.1.1", Line: 464, Source: local},
		}},
		{"BurntSushi-ripgrep-v1-metadata-7cb2113", 65, 10, []lockfilestest.Want{
			{Name: "aho-corasick", Version: "0.7.10", Line: 3, Source: reg,
				Integrity: "8716408b8bc624ed7f65d223ddb9ac2d044c0547b6fa4b0d554f3a9540496ada"},
			{Name: "grep-cli", Version: "0.1.5", Line: 157, Source: local, Direct: yes},
			{Name: "ripgrep", Version: "12.1.1", Line: 400, Source: local},
			{Name: "winapi", Version: "0.3.8", Line: 517,
				Integrity: "8093091eeb260906a183e6ae1abdba2ef5ef2257a21801128899c3fc699229c6"},
		}},
		// 45 [[package]] tables and the [root] table.
		{"BurntSushi-ripgrep-v1-root-c4e1945", 46, 6, []lockfilestest.Want{
			{Name: "ripgrep", Version: "0.7.1", Line: 1, Source: local},
			{Name: "clap", Version: "2.26.2", Line: 65, Direct: yes,
				Integrity: "3451e409013178663435d6f15fdb212f14ee4424a3d74f979d081d0a66b6f1f2"},
			{Name: "grep", Version: "0.1.7", Line: 128, Direct: yes, Source: local},
			{Name: "libc", Version: "0.2.32", Line: 167,
				Integrity: "56cce3130fd040c28df6f495c8492e5ec5808fb4c9093c310df02b0c8f030148"},
		}},
		{"localsend-localsend", 513, 4, []lockfilestest.Want{
			{Name: "addr2line", Version: "0.25.1", Line: 5, Source: reg,
				Integrity: "1b5d307320b3181d6d7954e663bd7c774a838b8220fe0593c86d9fb09f498b4b"},
			{Name: "localsend", Version: "0.1.0", Line: 2178, Source: local},
			{Name: "localsend-cli", Version: "1.18.2", Line: 2221, Source: local},
			{Name: "tokio", Version: "1.53.1", Line: 4129, Direct: yes},
		}},
	}
	for _, c := range cases {
		t.Run(c.dir, func(t *testing.T) {
			path := filepath.Join(dir, c.dir, "Cargo.lock")
			pkgs := lockfilestest.ParseFile(t, Parser{}, path)
			if len(pkgs) != c.count {
				t.Errorf("got %d packages, want %d", len(pkgs), c.count)
			}
			lockfilestest.Check(t, pkgs, c.wants)
			locals := 0
			for _, p := range pkgs {
				if p.Ecosystem != lockfiles.EcosystemCrates || p.Line <= 0 || p.Name == "" || p.Version == "" {
					t.Errorf("bad package %+v", p)
				}
				switch p.Source {
				case lockfiles.SourceLocal:
					locals++
				case lockfiles.SourceRegistry:
					if p.Resolved != crates {
						t.Errorf("%s resolved %q", p.Name, p.Resolved)
					}
				}
			}
			if locals != c.local {
				t.Errorf("got %d local packages, want %d", locals, c.local)
			}
			assertFastMatchesDecoder(t, path)
		})
	}
}

// assertFastMatchesDecoder checks that tomltree's subset reader took the
// file and agrees with the full TOML decoder on it.
func assertFastMatchesDecoder(t *testing.T, path string) {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if !sameReadings(t, data) {
		t.Fatalf("fast reader refused %s", path)
	}
}

// sameReadings asserts that, when the subset reader and fromTree accept
// data, they yield what BurntSushi/toml and the header scan yield. It
// reports whether the subset reader accepted.
func sameReadings(t *testing.T, data []byte) bool {
	t.Helper()
	return lockfilestest.SameTOMLReadings(t, "Cargo.lock", data, "package", fromTree, packageCount)
}

// TestScalibrFixtures runs every osv-scalibr cargolock fixture; counts are
// `grep -c '^\[\[package\]\]'`.
func TestScalibrFixtures(t *testing.T) {
	dir := shareddata.Path(t, "lockfiles", "fixtures-osv-scalibr", "cargolock")
	cases := map[string]lockfilestest.Fixture{
		"duplicate.lock": {Count: 2, Wants: []lockfilestest.Want{
			{Name: "syn", Version: "1.0.73", Line: 5}, {Name: "syn", Version: "2.0.0", Line: 11}}},
		"empty.lock": {Count: 0},
		"many-packages.lock": {Count: 6, Wants: []lockfilestest.Want{
			{Name: "zstd", Version: "0.11.2", Line: 5}, {Name: "syn", Version: "2.0.15", Line: 38, Source: reg}}},
		"not-toml.txt": {ErrLine: 1},
		"one-package.lock": {Count: 1, Wants: []lockfilestest.Want{
			{Name: "addr2line", Version: "0.15.2", Line: 5, Direct: no,
				Integrity: "e7a2e47a1fbe209ee101dd6d61285226744c6c8d3c21c8dc878ba6cb9f467f3a"}}},
		"package-with-build-string.lock": {Count: 1, Wants: []lockfilestest.Want{
			{Name: "wasi", Version: "0.10.2+wasi-snapshot-preview1", Line: 5}}},
		"package-with-comments.lock": {Count: 2, Wants: []lockfilestest.Want{
			{Name: "addr2line", Version: "0.15.2", Line: 5},
			{Name: "syn", Version: "1.0.73", Line: 10, Source: git}}},
		"two-packages-with-local.lock": {Count: 2, Wants: []lockfilestest.Want{
			{Name: "local-rust-pkg", Version: "0.1.0", Line: 14, Source: local}}},
		"two-packages.lock": {Count: 2, Wants: []lockfilestest.Want{
			{Name: "syn", Version: "1.0.73", Line: 14, Integrity: "f71489ff30030d2ae598524f61326b902466f72a0fb1a8564c001cc63425bcc7"}}},
	}
	lockfilestest.CheckFixtures(t, Parser{}, dir, cases)
}

// TestOwnFixture covers git, sparse and path sources, a crate present in two
// versions, "name version" dependency entries, inline arrays, comments after
// headers and [[patch.unused]] (not packages).
func TestOwnFixture(t *testing.T) {
	pkgs := lockfilestest.ParseFile(t, Parser{}, filepath.Join("testdata", "Cargo.lock"))
	if len(pkgs) != 6 {
		t.Fatalf("got %d packages, want 6: %+v", len(pkgs), pkgs)
	}
	lockfilestest.Check(t, pkgs, []lockfilestest.Want{
		{Name: "app", Version: "0.1.0", Line: 5, Direct: no, Source: local},
		{Name: "forked", Version: "0.3.0", Line: 14, Direct: yes, Source: git},
		{Name: "internal-crate", Version: "2.0.0", Line: 19, Direct: yes, Source: reg, Integrity: "aaaa"},
		// Only required by a registry crate: not direct.
		{Name: "serde", Version: "1.0.100", Line: 26, Direct: no, Integrity: "bbbb"},
		{Name: "serde", Version: "1.0.200", Line: 32, Direct: yes, Integrity: "cccc"},
		{Name: "vendored", Version: "0.0.1", Line: 38, Direct: no, Source: local},
	})
	for _, p := range pkgs {
		switch p.Name {
		case "forked":
			if !p.PinnedSHA || p.Resolved != "git+https://github.com/example/forked?branch=main#0123456789abcdef0123456789abcdef01234567" {
				t.Errorf("forked: resolved %q pinned %v", p.Resolved, p.PinnedSHA)
			}
		case "internal-crate":
			if p.Resolved != "sparse+https://crates.example.com/index/" {
				t.Errorf("internal-crate resolved %q", p.Resolved)
			}
		}
	}
	assertFastMatchesDecoder(t, filepath.Join("testdata", "Cargo.lock"))

	// TOML beyond the layout Cargo writes: a literal string and an escape,
	// which the subset reader takes, then a multi-line string, which goes
	// through the full decoder.
	escapes := filepath.Join("testdata", "escapes.lock")
	assertFastMatchesDecoder(t, escapes)
	esc := lockfilestest.ParseFile(t, Parser{}, escapes)
	lockfilestest.Check(t, esc, []lockfilestest.Want{
		{Name: "quoted", Version: "1.0.0", Line: 3, Integrity: "abc"},
		{Name: "plain", Version: "2.0.0", Line: 9, Source: local},
	})
	ml := []byte("version = 3\n\n[[package]]\nname = \"a\"\nversion = \"1.0.0\"\nnote = \"\"\"\n[[package]]\n\"\"\"\n\n[[package]]\nname = \"b\"\nversion = \"2.0.0\"\n")
	if sameReadings(t, ml) {
		t.Error("subset reader accepted a multi-line string")
	}
	pkgs, err := lockfilestest.ParseBytes(Parser{}, "Cargo.lock", ml)
	if err != nil {
		t.Fatal(err)
	}
	lockfilestest.Check(t, pkgs, []lockfilestest.Want{{Name: "a", Version: "1.0.0", Line: 3}, {Name: "b", Version: "2.0.0", Line: 10}})
}

// TestInlinePackages: packages written as an inline array of tables, which
// Cargo reads too, have no header lines; they are kept at line 0.
func TestInlinePackages(t *testing.T) {
	pkgs, err := lockfilestest.ParseBytes(Parser{}, "Cargo.lock",
		[]byte("version = 3\npackage = [{ name = \"a\", version = \"1.0.0\", dependencies = [\"b\"] }, { name = \"b\", version = \"2.0.0\", source = \"registry+https://github.com/rust-lang/crates.io-index\" }]\n"))
	if err != nil {
		t.Fatal(err)
	}
	if len(pkgs) != 2 {
		t.Fatalf("got %d packages, want 2: %+v", len(pkgs), pkgs)
	}
	lockfilestest.Check(t, pkgs, []lockfilestest.Want{
		{Name: "a", Version: "1.0.0", Line: 0, Source: local},
		{Name: "b", Version: "2.0.0", Line: 0, Source: reg, Direct: yes},
	})
}

func TestMalformed(t *testing.T) {
	_, err := lockfilestest.TryParseFile(Parser{}, filepath.Join("testdata", "malformed.lock"))
	lockfilestest.AssertParseError(t, err, "malformed.lock", 9)

	for _, c := range []struct {
		content string
		line    int
	}{
		{"[[package]]\nversion = \"1.0\"\n", 1},          // no name
		{"version = 3\n[[package]]\nname = \"a\"\n", 2},  // no version
		{"[[package]]\nname = \"a\"\nname = \"b\"\n", 3}, // duplicate key
		{"[[package]]\nname = 1\nversion = \"1\"\n", 2},  // wrong type
	} {
		_, err := lockfilestest.ParseBytes(Parser{}, "c/Cargo.lock", []byte(c.content))
		lockfilestest.AssertParseError(t, err, "c/Cargo.lock", c.line)
	}
	_, err = Parser{}.Parse(t.Context(), &lockfiles.Input{Path: "Cargo.lock",
		Content: []byte("[[package]]\nname = \"a\"\nversion = \"1\"\n[[package]]\nname = \"b\"\nversion = \"1\"\n"),
		Limits:  lockfiles.Limits{MaxPackages: 1}})
	lockfilestest.AssertParseError(t, err, "Cargo.lock", 4) // the second package
	if !errors.Is(err, lockfiles.ErrLimit) {
		t.Errorf("error %v does not wrap ErrLimit", err)
	}
}

// FuzzParseCargoLock checks that parsing never panics, that packages are
// well formed, and that whenever the subset reader accepts an input, the
// full TOML decoder accepts it too and both give the same reading.
func FuzzParseCargoLock(f *testing.F) {
	if dir, ok := shareddata.Optional(f, "lockfiles"); ok {
		// The ripgrep files (v1 to v4, 13-26 KB) cover every layout; the
		// 129 KB localsend file is left out as it slows each run tenfold.
		lockfilestest.AddSeeds(f, filepath.Join(dir, "cargo-lock", "BurntSushi-*", "Cargo.lock"),
			filepath.Join(dir, "fixtures-osv-scalibr", "cargolock", "*"))
	}
	lockfilestest.AddSeeds(f, filepath.Join("testdata", "*"))
	f.Fuzz(func(t *testing.T, data []byte) {
		pkgs, _ := lockfilestest.ParseBytes(Parser{}, "Cargo.lock", data)
		for _, p := range pkgs {
			if p.Name == "" || p.Line < 0 {
				t.Fatalf("bad package %+v", p)
			}
		}
		sameReadings(t, data)
	})
}

func BenchmarkParseCargoLock(b *testing.B) {
	lockfilestest.BenchmarkParse(b, Parser{}, "Cargo.lock", "lockfiles", "cargo-lock", "localsend-localsend", "Cargo.lock")
}

// BenchmarkDecodeCargoLock is the full TOML decoder alone on the same file,
// to show what the subset reader saves.
func BenchmarkDecodeCargoLock(b *testing.B) {
	path := filepath.Join(shareddata.Path(b, "lockfiles", "cargo-lock", "localsend-localsend"), "Cargo.lock")
	data, err := os.ReadFile(path)
	if err != nil {
		b.Fatal(err)
	}
	in := &lockfiles.Input{Path: "Cargo.lock", Content: data, Limits: lockfiles.Limits{}.WithDefaults()}
	b.SetBytes(int64(len(data)))
	for b.Loop() {
		if _, _, err := tomltree.Full(in, "package", packageCount); err != nil {
			b.Fatal(err)
		}
	}
}
