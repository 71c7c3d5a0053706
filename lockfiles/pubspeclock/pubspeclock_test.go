package pubspeclock

import (
	"errors"
	"os"
	"path/filepath"
	"reflect"
	"testing"

	"github.com/tollgate-dev/tollgate/internal/shareddata"
	"github.com/tollgate-dev/tollgate/lockfiles"
	"github.com/tollgate-dev/tollgate/lockfiles/lockfilestest"
	"github.com/tollgate-dev/tollgate/lockfiles/yamltree"
	yaml "go.yaml.in/yaml/v3"
)

var (
	yes   = lockfilestest.Bool(true)
	no    = lockfilestest.Bool(false)
	git   = lockfilestest.Str(lockfiles.SourceGit)
	local = lockfilestest.Str(lockfiles.SourceLocal)
	reg   = lockfilestest.Str(lockfiles.SourceRegistry)
	url   = lockfilestest.Str(lockfiles.SourceURL)
)

func TestMatch(t *testing.T) {
	p := Parser{}
	lockfilestest.CheckMatch(t, p, map[string]bool{
		"pubspec.lock":            true,
		"app/mobile/pubspec.lock": true,
		"pubspec.yaml":            false,
		"pubspec.lock.old":        false,
	})
}

// TestRealFiles parses every pubspec.lock of the shared corpus. Counts are the
// 2-space keys under "packages:" (awk over the lines, stopping at the next
// top-level key "sdks:"); they also equal the `grep -c 'dependency:'` lines.
func TestRealFiles(t *testing.T) {
	dir := shareddata.Path(t, "lockfiles", "pubspec-lock")
	cases := []struct {
		dir               string
		count, local, git int
		wants             []lockfilestest.Want
	}{
		// 5 sdk packages and 1 path package are local; 3 git packages.
		{"localsend-localsend", 259, 6, 3, []lockfilestest.Want{
			{Name: "_fe_analyzer_shared", Version: "93.0.0", Line: 4, Direct: no, Dev: no, Source: reg,
				Integrity: "8d7ff3948166b8ec5da0fbb5962000926b8e02f2ed9b3e51d1738905fbd4c98d"},
			{Name: "device_apps", Version: "2.2.0", Line: 308, Direct: yes, Source: git},
			{Name: "flutter", Version: "0.0.0", Line: 477, Direct: no, Source: local, PURL: "pkg:pub/flutter@0.0.0"},
			{Name: "rust_lib_localsend_app", Version: "0.0.1", Line: 1371, Source: local},
			{Name: "sky_engine", Version: "0.0.0", Line: 1554, Source: local},
		}},
		{"localsend-localsend-cargokit-build-tool", 56, 0, 0, []lockfilestest.Want{
			{Name: "_fe_analyzer_shared", Version: "64.0.0", Line: 4, Direct: no,
				Integrity: "eb376e9acf6938204f90eb3b1f00b578640d3188b4c8a8ec054f9f479af8d051"},
			{Name: "args", Version: "2.4.2", Line: 28, Direct: yes, Dev: no, Source: reg},
			{Name: "lints", Version: "2.1.1", Line: 188, Direct: yes, Dev: yes,
				Integrity: "0a217c6c989d21039f1498c3ed9f3ed71b354e69873f13a8dfc3c9fe76f1b452"},
			{Name: "yaml", Version: "3.1.2", Line: 444, Direct: yes, Dev: no},
		}},
	}
	for _, c := range cases {
		t.Run(c.dir, func(t *testing.T) {
			pkgs := lockfilestest.ParseFile(t, Parser{}, filepath.Join(dir, c.dir, "pubspec.lock"))
			if len(pkgs) != c.count {
				t.Errorf("got %d packages, want %d", len(pkgs), c.count)
			}
			lockfilestest.Check(t, pkgs, c.wants)
			locals, gits := 0, 0
			for _, p := range pkgs {
				if p.Ecosystem != lockfiles.EcosystemPub || p.Line <= 0 || p.Name == "" || p.Version == "" {
					t.Errorf("bad package %+v", p)
				}
				switch p.Source {
				case lockfiles.SourceLocal:
					locals++
				case lockfiles.SourceGit:
					gits++
				case lockfiles.SourceRegistry:
					if p.Resolved != "https://pub.dev" {
						t.Errorf("%s resolved %q", p.Name, p.Resolved)
					}
				default:
					t.Errorf("%s: unexpected source %q", p.Name, p.Source)
				}
				if p.Name == "device_apps" && (p.Resolved != "https://github.com/Tienisto/device_apps.git@5dc7956d938541254d2e175766b3b84ea38bb85b" || !p.PinnedSHA) {
					t.Errorf("device_apps resolved %q pinned %v", p.Resolved, p.PinnedSHA)
				}
			}
			if locals != c.local || gits != c.git {
				t.Errorf("got %d local and %d git packages, want %d and %d", locals, gits, c.local, c.git)
			}
			assertFastMatchesDecoder(t, filepath.Join(dir, c.dir, "pubspec.lock"), true)
		})
	}
}

// TestScalibrFixtures runs every osv-scalibr pubspec fixture.
func TestScalibrFixtures(t *testing.T) {
	dir := shareddata.Path(t, "lockfiles", "fixtures-osv-scalibr", "pubspec")
	cases := map[string]lockfilestest.Fixture{
		"empty.lock": {Count: 0},
		"mixed-packages.lock": {Count: 4, Wants: []lockfilestest.Want{
			{Name: "back_button_interceptor", Version: "6.0.1", Line: 4, Direct: yes, Dev: no},
			{Name: "build_runner", Version: "2.2.1", Line: 11, Direct: yes, Dev: yes},
			{Name: "shelf_web_socket", Version: "1.0.2", Line: 25, Direct: no, Dev: no},
		}},
		"no-packages.lock": {Count: 0},
		"not-yaml.txt":     {ErrLine: 1}, // a plain scalar, not a mapping
		"one-package-dev.lock": {Count: 1, Wants: []lockfilestest.Want{
			{Name: "build_runner", Version: "2.2.1", Line: 4, Direct: yes, Dev: yes}}},
		"one-package.lock": {Count: 1, Wants: []lockfilestest.Want{
			{Name: "back_button_interceptor", Version: "6.0.1", Line: 4, Direct: yes, Dev: no}}},
		"source-git.lock": {Count: 5, Wants: []lockfilestest.Want{
			{Name: "flutter_rust_bridge", Version: "1.32.0", Line: 4, Direct: yes, Source: git},
			{Name: "screen_retriever", Version: "0.1.2", Line: 13, Direct: no, Source: git},
			{Name: "toggle_switch", Version: "1.4.0", Line: 22, Source: reg},
		}},
		// The key is indented by one space, the values by four: still valid YAML.
		"source-path.lock": {Count: 1, Wants: []lockfilestest.Want{
			{Name: "maa_core", Version: "0.0.1", Line: 4, Direct: yes, Source: local}}},
		"source-sdk.lock": {Count: 1, Wants: []lockfilestest.Want{
			{Name: "flutter_web_plugins", Version: "0.0.0", Line: 4, Direct: no, Source: local}}},
		"two-packages.lock": {Count: 2, Wants: []lockfilestest.Want{
			{Name: "shelf", Version: "1.3.2", Line: 4}, {Name: "shelf_web_socket", Version: "1.0.2", Line: 11}}},
	}
	lockfilestest.CheckFixtures(t, Parser{}, dir, cases)
}

// assertFastMatchesDecoder checks that, where the hand-written reader takes a
// file (it must when mustTake), its tree agrees with the YAML decoder's.
func assertFastMatchesDecoder(t *testing.T, path string, mustTake bool) {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	fast, ok := fastParse(data)
	if !ok {
		if mustTake {
			t.Errorf("fast reader refused %s", path)
		}
		return
	}
	compareWithDecoder(t, data, fast)
}

func compareWithDecoder(t *testing.T, data []byte, fast *yaml.Node) {
	t.Helper()
	docs, err := yamltree.Parse("pubspec.lock", data, lockfiles.Limits{})
	if err != nil {
		t.Fatalf("fast reader accepted what the decoder rejects: %v", err)
	}
	var full *yaml.Node
	if len(docs) > 0 {
		full = docs[0]
	}
	if msg := lockfilestest.DiffYAML(fast, full); msg != "" {
		t.Fatalf("fast reader and decoder disagree: %s", msg)
	}
	limits := lockfiles.Limits{}.WithDefaults()
	a, errA := packagesOf("pubspec.lock", fast, limits)
	b, errB := packagesOf("pubspec.lock", full, limits)
	if (errA == nil) != (errB == nil) || !reflect.DeepEqual(a, b) {
		t.Fatalf("packages differ:\nfast %+v %v\nfull %+v %v", a, errA, b, errB)
	}
}

// fastParse is the shared subset reader as Parse uses it: every value
// built, the first document read.
func fastParse(data []byte) (*yaml.Node, bool) {
	docs, ok := yamltree.FastParse(data, lockfiles.Limits{}, nil)
	if !ok || len(docs) == 0 {
		return nil, ok
	}
	return docs[0], true
}

// TestOwnFixture covers hosted (pub.dev and a private host), git, path and
// sdk sources, the four dependency kinds, an unquoted version, YAML anchors
// and an unknown source.
func TestOwnFixture(t *testing.T) {
	pkgs := lockfilestest.ParseFile(t, Parser{}, filepath.Join("testdata", "pubspec.lock"))
	if len(pkgs) != 7 {
		t.Fatalf("got %d packages, want 7: %+v", len(pkgs), pkgs)
	}
	lockfilestest.Check(t, pkgs, []lockfilestest.Want{
		{Name: "collection", Version: "1.18.0", Line: 3, Direct: yes, Dev: no, Source: reg,
			Integrity: "ee67cb0715911d28db6bf4af1026078bd6f0128b07a5f66fb2ed94ec6783c09a"},
		{Name: "private_pkg", Version: "2.0.0", Line: 11, Direct: no, Source: reg},
		{Name: "forked", Version: "0.3.0", Line: 18, Direct: yes, Source: git},
		{Name: "local_plugin", Version: "0.0.1", Line: 27, Direct: yes, Source: local},
		{Name: "flutter_test", Version: "0.0.0", Line: 34, Direct: yes, Dev: yes, Source: local},
		{Name: "mocktail", Version: "1.0.3", Line: 39, Direct: yes, Dev: yes, Source: reg},
		{Name: "odd", Version: "1.0.0", Line: 46, Direct: no, Source: url},
	})
	want := map[string]string{
		"private_pkg":  "https://pub.example.com",
		"forked":       "https://github.com/example/forked.git@0123456789abcdef0123456789abcdef01234567",
		"local_plugin": "packages/local_plugin",
		"mocktail":     "https://pub.dev",
	}
	for _, p := range pkgs {
		if w, ok := want[p.Name]; ok && p.Resolved != w {
			t.Errorf("%s resolved %q, want %q", p.Name, p.Resolved, w)
		}
		if p.Name == "forked" && !p.PinnedSHA {
			t.Error("forked: resolved-ref is a full SHA")
		}
	}
}

func TestMalformed(t *testing.T) {
	_, err := lockfilestest.TryParseFile(Parser{}, filepath.Join("testdata", "malformed.lock"))
	// The YAML decoder places the unterminated string's mapping at line 5.
	lockfilestest.AssertParseError(t, err, "malformed.lock", 5)
	_, err = lockfilestest.TryParseFile(Parser{}, filepath.Join("testdata", "notmapping.lock"))
	lockfilestest.AssertParseError(t, err, "notmapping.lock", 5)

	for _, c := range []struct {
		content string
		line    int
	}{
		{"- a\n- b\n", 1},
		{"\npackages: [a]\n", 2},
		{"packages:\n  ? [a]\n  : {}\n", 2},
	} {
		_, err := lockfilestest.ParseBytes(Parser{}, "d/pubspec.lock", []byte(c.content))
		lockfilestest.AssertParseError(t, err, "d/pubspec.lock", c.line)
	}
	_, err = Parser{}.Parse(t.Context(), &lockfiles.Input{Path: "pubspec.lock",
		Content: []byte("packages:\n  a: {version: '1'}\n  b: {version: '1'}\n"), Limits: lockfiles.Limits{MaxPackages: 1}})
	lockfilestest.AssertParseError(t, err, "pubspec.lock", 3)
	if !errors.Is(err, lockfiles.ErrLimit) {
		t.Errorf("error %v does not wrap ErrLimit", err)
	}
}

func FuzzParsePubspecLock(f *testing.F) {
	if dir, ok := shareddata.Optional(f, "lockfiles"); ok {
		lockfilestest.AddSeeds(f, filepath.Join(dir, "pubspec-lock", "*", "pubspec.lock"),
			filepath.Join(dir, "fixtures-osv-scalibr", "pubspec", "*"))
	}
	lockfilestest.AddSeeds(f, filepath.Join("testdata", "*"))
	lockfilestest.AddReadings(f, pubReadings)
	f.Fuzz(func(t *testing.T, data []byte) {
		pkgs, _ := lockfilestest.ParseBytes(Parser{}, "pubspec.lock", data)
		for _, p := range pkgs {
			if p.Name == "" || p.Line < 0 {
				t.Fatalf("bad package %+v", p)
			}
		}
		// Whatever the fast reader accepts, the YAML decoder must read the same.
		if fast, ok := fastParse(data); ok {
			compareWithDecoder(t, data, fast)
		}
	})
}

// BenchmarkDecodePubspecLock is the YAML decoder path alone on the same
// file, to show what the fast reader saves.
func BenchmarkDecodePubspecLock(b *testing.B) {
	path := filepath.Join(shareddata.Path(b, "lockfiles", "pubspec-lock", "localsend-localsend"), "pubspec.lock")
	data, err := os.ReadFile(path)
	if err != nil {
		b.Fatal(err)
	}
	b.SetBytes(int64(len(data)))
	for b.Loop() {
		if _, err := yamltree.Parse("pubspec.lock", data, lockfiles.Limits{}); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkParsePubspecLock(b *testing.B) {
	lockfilestest.BenchmarkParse(b, Parser{}, "pubspec.lock", "lockfiles", "pubspec-lock", "localsend-localsend", "pubspec.lock")
}

// TestFastReaderEdges pins which inputs the hand-written reader takes (and
// then agrees with the decoder on) and which it leaves to the decoder. The
// reader is yamltree.FastParse, shared with pnpm since pub's own was
// retired: it also takes trailing comments, other indentations, flow
// sequences, single quotes, "---" and "key:" nulls, each read as the
// decoder reads them.
func TestFastReaderEdges(t *testing.T) {
	for _, c := range []struct {
		in   string
		take bool
	}{
		{"packages:\n  a:\n    version: \"1\"\n  a:\n    version: \"2\"\n", true}, // duplicate package
		{"packages:\n  a:\n    version: \"1\"\n    version: \"2\"\n", true},       // duplicate field: first wins
		{"packages:\r\n  a:\r\n    version: 1.0\r\n", true},                       // CRLF, unquoted version
		{"a: null\npackages: ~\n", true},
		{"packages: {}\n", true},
		{"# only a comment\n", true},
		{"", true},
		{"packages:\n  a:\n    version: \"1\" # note\n", true},
		{"packages:\n  a: &x\n    version: \"1\"\n", false},
		{"packages:\n\ta:\n", false},
		{"packages:\n   a:\n    version: \"1\"\n", true},
		{"packages: [a]\n", true},
		{"packages:\n  a:\n    version: \"1\\u0041\"\n", false},
		{"packages:\n  a:\n    version: 'x'\n", true},
		{"---\npackages: {}\n", true},
		{"packages:\n  a:\n", true},
		{"packages:\n  a:\n    version: x\n      y\n", false},
	} {
		fast, ok := fastParse([]byte(c.in))
		if ok != c.take {
			t.Errorf("fastParse(%q) ok = %v, want %v", c.in, ok, c.take)
			continue
		}
		if ok {
			compareWithDecoder(t, []byte(c.in), fast)
		}
	}
}
