package uvlock

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
	yes   = lockfilestest.Bool(true)
	no    = lockfilestest.Bool(false)
	str   = lockfilestest.Str
	local = lockfilestest.Str(lockfiles.SourceLocal)
)

func TestMatch(t *testing.T) {
	for p, want := range map[string]bool{
		"uv.lock":        true,
		"a/b/uv.lock":    true,
		"uv.lock.bak":    false,
		"pyproject.toml": false,
		"UV.lock":        false,
	} {
		if got := (Parser{}).Match(p); got != want {
			t.Errorf("Match(%q) = %v, want %v", p, got, want)
		}
	}
}

func TestRealFiles(t *testing.T) {
	dir := shareddata.Path(t, "lockfiles", "uv-lock")
	tests := []struct {
		file               string
		count, direct, dev int
		wants              []lockfilestest.Want
	}{
		{
			// Counts: grep -c '^\[\[package\]\]' = 9; the virtual root
			// formula-analytics lists one dependency and has no dev groups.
			file: "Homebrew-brew/uv.lock", count: 9, direct: 1, dev: 0,
			wants: []lockfilestest.Want{
				{Name: "certifi", Version: "2026.7.22", Line: 5, Direct: no, Dev: no, Source: str("")},
				{Name: "formula-analytics", Version: "0", Line: 14, Direct: no, Source: local},
				{Name: "influxdb3-python", Version: "0.20.0", Line: 25, Direct: yes, Dev: no,
					Integrity: "sha256:f1e28c2f4f244d48006beeb82be7aea82ebdd3b3e1807250d124b6f1d53c5943"},
				{Name: "typing-extensions", Version: "4.16.0", Line: 103, Direct: no},
			},
		},
		{
			// grep -c = 56; the virtual root pydantic-core depends on
			// typing-extensions only; everything else but the root and
			// typing-extensions comes from its dev groups (54, checked with a
			// python tomllib walk of the graph).
			file: "pydantic-pydantic-core/uv.lock", count: 56, direct: 1, dev: 54,
			wants: []lockfilestest.Want{
				{Name: "asttokens", Version: "3.0.0", Line: 13, Dev: yes, Direct: no},
				{Name: "pydantic-core", Version: "", Line: 619, Source: local, Dev: no},
				{Name: "pytest", Version: "8.4.1", Line: 779, Dev: yes},
				{Name: "typing-extensions", Version: "4.14.1", Line: 1068, Direct: yes, Dev: no,
					Integrity: "sha256:38b39f4aeeab64884ce9f74c94263ef78f3c22467c8724005483154c26648d36"},
			},
		},
		{
			// grep -c = 176; [manifest] members pydantic and pydantic-core are the
			// roots; their dependencies name 4 packages; 171 are reachable only
			// from dev or optional groups (176 - 2 roots - 3 runtime packages).
			file: "pydantic-pydantic/uv.lock", count: 176, direct: 4, dev: 171,
			wants: []lockfilestest.Want{
				{Name: "aiohappyeyeballs", Version: "2.6.1", Line: 18, Dev: yes},
				{Name: "pydantic", Version: "", Line: 2415, Source: local, Direct: no, Dev: no},
				{Name: "pydantic-core", Version: "", Line: 2667, Source: local, Direct: yes, Dev: no},
				{Name: "pydantic-docs", Version: "0.0.1", Line: 2754, Source: str(lockfiles.SourceGit), Dev: yes},
				{Name: "pytest", Version: "9.1.1", Line: 2945, Dev: yes, Direct: no},
				{Name: "typing-extensions", Version: "4.15.0", Line: 3941, Direct: yes, Dev: no},
			},
		},
	}
	for _, tt := range tests {
		t.Run(tt.file, func(t *testing.T) {
			pkgs := lockfilestest.ParseFile(t, Parser{}, filepath.Join(dir, tt.file))
			if len(pkgs) != tt.count {
				t.Errorf("got %d packages, want %d", len(pkgs), tt.count)
			}
			direct, dev := 0, 0
			for _, p := range pkgs {
				if p.Direct {
					direct++
				}
				if p.Dev {
					dev++
				}
				if p.Name == "pydantic-docs" && (!p.PinnedSHA || p.Resolved != "https://github.com/pydantic/pydantic-docs#6f657b30593b00cf5f7c0b7eca74e83b3b6b7819") {
					t.Errorf("pydantic-docs: resolved %q pinned %v", p.Resolved, p.PinnedSHA)
				}
			}
			if direct != tt.direct || dev != tt.dev {
				t.Errorf("direct %d dev %d, want %d and %d", direct, dev, tt.direct, tt.dev)
			}
			lockfilestest.Check(t, pkgs, tt.wants)
		})
	}
}

func TestOSVScalibrFixtures(t *testing.T) {
	dir := shareddata.Path(t, "lockfiles", "fixtures-osv-scalibr", "uvlock")
	tests := []struct {
		file    string
		errLine int // -1: parses
		count   int
		wants   []lockfilestest.Want
	}{
		{file: "empty.lock", errLine: -1},
		// grep -c '^\[\[package\]\]' = 15; root uv-lockfiles lists emoji in
		// dependencies, click, black and flake8 (and what they pull) in its
		// optional groups.
		{file: "grouped-packages.lock", errLine: -1, count: 15, wants: []lockfilestest.Want{
			{Name: "black", Version: "24.10.0", Line: 4, Dev: yes, Direct: no},
			{Name: "click", Version: "8.1.7", Line: 38, Dev: yes, Direct: no},
			{Name: "emoji", Version: "2.14.0", Line: 59, Direct: yes, Dev: no},
			{Name: "uv-lockfiles", Version: "0.1.0", Line: 193, Direct: no, Dev: no, Source: local},
		}},
		{file: "names-outside-package-block.lock", errLine: -1, count: 2, wants: []lockfilestest.Want{
			{Name: "first-pkg", Version: "1.0.0", Line: 3},
			{Name: "second-pkg", Version: "2.0.0", Line: 15},
		}},
		{file: "no-dependencies.lock", errLine: -1, count: 1, wants: []lockfilestest.Want{
			{Name: "uv-lockfiles", Version: "0.1.0", Line: 4, Source: local},
		}},
		{file: "no-packages.lock", errLine: -1},
		{file: "not-toml.txt", errLine: 1},
		{file: "one-package.lock", errLine: -1, count: 2, wants: []lockfilestest.Want{
			{Name: "emoji", Version: "2.14.0", Line: 4, Direct: yes, Source: str("")},
			{Name: "uv-lockfiles", Version: "0.1.0", Line: 13, Source: local},
		}},
		{file: "source-git.lock", errLine: -1, count: 2, wants: []lockfilestest.Want{
			{Name: "ruff", Version: "0.8.1", Line: 4, Direct: yes, Source: str(lockfiles.SourceGit)},
			{Name: "uv-lockfiles", Version: "0.1.0", Line: 9, Source: local},
		}},
		{file: "two-packages.lock", errLine: -1, count: 3, wants: []lockfilestest.Want{
			{Name: "emoji", Version: "2.14.0", Line: 4, Direct: yes},
			{Name: "protobuf", Version: "4.25.5", Line: 13, Direct: yes},
			{Name: "uv-lockfiles", Version: "0.1.0", Line: 27, Direct: no, Source: local},
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

func TestWorkspace(t *testing.T) {
	pkgs := lockfilestest.ParseFile(t, Parser{}, "testdata/workspace.lock")
	if len(pkgs) != 9 {
		t.Fatalf("got %d packages, want 9", len(pkgs))
	}
	lockfilestest.Check(t, pkgs, []lockfilestest.Want{
		{Name: "app", Version: "0.1.0", Line: 4, Source: local, Direct: no, Dev: no},
		// lib-a is in both dependencies and the dev group: not dev.
		{Name: "lib-a", Version: "1.0.0", Line: 26, Source: local, Direct: yes, Dev: no},
		{Name: "helper", Version: "3.1", Line: 32, Source: str(lockfiles.SourceGit), Direct: no, Dev: no},
		// Dependencies naming a version pick that entry only.
		{Name: "shim", Version: "1.0", Line: 37, Direct: no, Dev: yes, Integrity: "sha256:w1 sha256:w2"},
		{Name: "shim", Version: "2.0", Line: 46, Direct: yes, Dev: no, Integrity: "sha256:s2"},
		// Reached through the root's optional group and an extra that names itself.
		{Name: "speedup", Version: "0.5", Line: 52, Dev: yes},
		{Name: "native-core", Version: "0.5", Line: 60, Dev: yes},
		{Name: "remote-tool", Version: "9.9", Line: 65, Direct: yes, Source: str(lockfiles.SourceURL)},
		{Name: "local-wheel", Version: "1.2", Line: 70, Direct: yes, Source: local},
	})
	resolved := map[string]string{
		"helper":      "https://github.com/acme/helper?rev=v3.1#0123456789abcdef0123456789abcdef01234567",
		"remote-tool": "https://example.com/remote_tool-9.9.tar.gz",
		"lib-a":       "libs/a",
	}
	for _, p := range pkgs {
		if w, ok := resolved[p.Name]; ok && p.Resolved != w {
			t.Errorf("%s: resolved %q, want %q", p.Name, p.Resolved, w)
		}
		if p.PinnedSHA != (p.Name == "helper") {
			t.Errorf("%s: pinned %v", p.Name, p.PinnedSHA)
		}
		if p.Name == "shim" && p.Version == "1.0" && p.Resolved != "https://files.example/shim-1.0-py3-none-any.whl" {
			t.Errorf("shim 1.0: resolved %q", p.Resolved)
		}
	}
}

func TestMalformed(t *testing.T) {
	for file, line := range map[string]int{"bad-syntax.lock": 9, "no-name.lock": 7} {
		_, err := lockfilestest.TryParseFile(Parser{}, filepath.Join("testdata", file))
		lockfilestest.AssertParseError(t, err, file, line)
	}
}

func FuzzParseUvLock(f *testing.F) {
	if dir, ok := shareddata.Optional(f, "lockfiles"); ok {
		lockfilestest.AddSeeds(f, filepath.Join(dir, "uv-lock", "*", "uv.lock"),
			filepath.Join(dir, "fixtures-osv-scalibr", "uvlock", "*"))
	}
	lockfilestest.AddSeeds(f, "testdata/*")
	f.Fuzz(func(t *testing.T, data []byte) {
		if len(data) < 32<<10 {
			// The full decoder is slow on the large seeds; TestFastPathMatchesFullDecoder covers those.
			sameAsSlow(t, data)
		}
		pkgs, _ := lockfilestest.ParseBytes(Parser{}, "uv.lock", data)
		lockfilestest.CheckWellFormed(t, pkgs)
	})
}

func BenchmarkParseUvLock(b *testing.B) {
	path := shareddata.Path(b, "lockfiles", "uv-lock", "pydantic-pydantic", "uv.lock")
	data, err := os.ReadFile(path)
	if err != nil {
		b.Fatal(err)
	}
	in := &lockfiles.Input{Path: "uv.lock", Content: data, Limits: lockfiles.Limits{}.WithDefaults()}
	b.SetBytes(int64(len(data)))
	b.ReportAllocs()
	for b.Loop() {
		if _, err := (Parser{}).Parse(context.Background(), in); err != nil {
			b.Fatal(err)
		}
	}
}
