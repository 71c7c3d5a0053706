package yamltree

import (
	"path/filepath"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/tollgate-dev/tollgate/internal/shareddata"
	"github.com/tollgate-dev/tollgate/lockfiles"
	"github.com/tollgate-dev/tollgate/lockfiles/lockfilestest"
)

// TestSimpleText checks the word-at-a-time scan of simpleText against a
// byte-by-byte reading, with every byte value at every offset of a text
// longer than a few words.
func TestSimpleText(t *testing.T) {
	slow := func(data []byte) bool {
		if !utf8.Valid(data) {
			return false
		}
		for _, r := range string(data) {
			switch {
			case r < ' ' && r != '\n' && r != '\r', r >= 0x7f && r <= 0x9f,
				r == 0x2028, r == 0x2029, r == 0xfeff, r == 0xfffe, r == 0xffff:
				return false
			}
		}
		return !strings.Contains(strings.ReplaceAll(string(data), "\r\n", ""), "\r")
	}
	base := []byte("lockfileVersion: '9.0'\r\nsnapshots:\n  é@1.0.0: {}\n  \u00a0\u2027\ufefe\U0001f600: {}\n")
	for c := 0; c < 0x100; c++ {
		for pos := range base {
			data := append([]byte(nil), base...)
			data[pos] = byte(c)
			for _, d := range [][]byte{data, data[:pos+1], data[pos:]} {
				if got, want := simpleText(d), slow(d); got != want {
					t.Fatalf("simpleText(%q) = %v, want %v", d, got, want)
				}
			}
		}
	}
	for _, r := range []rune{0x7f, 0x80, 0x85, 0x9f, 0x2028, 0x2029, 0xfeff, 0xfffe, 0xffff} {
		if simpleText([]byte("a: x" + string(r) + "y\n")) {
			t.Errorf("simpleText accepted %U", r)
		}
	}
}

// sameAsParse asserts that, when FastParse reads data with every value
// built, Parse reads the same documents. It reports whether FastParse
// accepted.
func sameAsParse(t *testing.T, data []byte) bool {
	t.Helper()
	fast, ok := FastParse(data, lockfiles.Limits{}, nil)
	if !ok {
		return false
	}
	full, err := Parse("x.yaml", data, lockfiles.Limits{})
	if err != nil {
		t.Fatalf("FastParse accepted what Parse rejects: %v", err)
	}
	if len(fast) != len(full) {
		t.Fatalf("%d documents, Parse %d", len(fast), len(full))
	}
	for i := range fast {
		if msg := lockfilestest.DiffYAML(fast[i], full[i]); msg != "" {
			t.Fatalf("document %d: FastParse and Parse disagree: %s", i, msg)
		}
	}
	return true
}

// FuzzFastParse checks the subset reader against the YAML library, every
// value built: whatever it accepts, Parse reads the same way.
func FuzzFastParse(f *testing.F) {
	if dir, ok := shareddata.Optional(f, "lockfiles"); ok {
		lockfilestest.AddSeeds(f, filepath.Join(dir, "pubspec-lock", "*", "pubspec.lock"),
			filepath.Join(dir, "fixtures-osv-scalibr", "pubspec", "*"),
			filepath.Join(dir, "fixtures-osv-scalibr", "pnpmlock", "*"))
	}
	lockfilestest.AddSeeds(f, filepath.Join("..", "pnpmlock", "testdata", "*.yaml"), filepath.Join("..", "pubspeclock", "testdata", "*"))
	f.Fuzz(func(t *testing.T, data []byte) {
		if len(data) < 32<<10 { // the library is slow under coverage instrumentation
			sameAsParse(t, data)
		}
	})
}

// TestFastParseDeclines lists inputs FastParse must leave to Parse: YAML it
// would read differently, or that the library rejects.
func TestFastParseDeclines(t *testing.T) {
	long := strings.Repeat("k", 1001)
	for _, src := range []string{
		long + ": v\n",                      // no implicit key this long (block)
		"'" + long + "': v\n",               // nor quoted
		"a: {" + long + ": v}\n",            // nor in a flow mapping
		"a: 'open\n  b: c\n",                // an open single-quoted scalar runs on
		"a: \"open\n",                       // and a double-quoted one
		"a: \"x\\ty\"\n",                    // escapes
		"a: x\x7fy\n",                       // DEL, which the library rejects
		"a: x\u0085y\n",                     // NEL, a line break to YAML
		"a: x\u0090y\n",                     // C1 control
		"a: x\ufffey\n",                     // non-character
		"a: x\xffy\n",                       // invalid UTF-8
		"\ufeffa: 1\n",                      // byte-order mark
		"a: x\u2028y\n",                     // LS
		"a:\tb\n",                           // tab
		"... :\n",                           // document end marker
		"a: {0: :}\n",                       // ':' opening a flow scalar
		"a: {0: 0: }\n",                     // a value indicator inside a flow value
		"a: {0: 0?}\n",                      // '?' ends a flow plain scalar
		"a: [- b]\n",                        // block entry in a flow sequence
		"a: [b: c]\n",                       // a pair in a flow sequence
		"a: [b}]\n",                         // a stray flow indicator
		"a: &x b\n", "a: *x\n", "a: !t b\n", // anchor, alias, tag
		"a: |\n  b\n", "a: >\n  b\n", // block scalars
		"a: b\n  c\n",      // a multi-line plain scalar
		"a:\n- b\n  - c\n", // odd sequence indentation
		"- a\n",            // top-level sequence
		"--- a\n",          // content on the document marker line
	} {
		if _, ok := FastParse([]byte(src), lockfiles.Limits{}, nil); ok {
			t.Errorf("FastParse accepted %q", src)
		}
	}
	// Near the depth limit Parse decides. This tree is five deep (the
	// document, two block mappings, a flow mapping, its scalars): Parse
	// rejects it under a limit of 4 and reads it under 5.
	if _, ok := FastParse([]byte("a:\n  b: {c: d}\n"), lockfiles.Limits{MaxDepth: 4}, nil); ok {
		t.Error("FastParse accepted a tree at the depth limit")
	}
	if _, ok := FastParse([]byte("a:\n  b: {c: d}\n"), lockfiles.Limits{MaxDepth: 5}, nil); !ok {
		t.Error("FastParse declined a tree below the depth limit")
	}
}

// TestFastParseAgrees lists corners FastParse reads, each as Parse does.
func TestFastParseAgrees(t *testing.T) {
	for _, src := range []string{
		"", "# only a comment\n", "---", "---\n", "---\n---\na: 1\n", "# c\n---\na: 1\n---\nb: 2\n",
		"~: 1\nnull: 2\n'~': 3\n", // null keys, quoted or not
		"a:\n", "a:\n# c\nb: 1\n", // nulls
		"a: {}\nb: []\nc: {d: 'e''f', g: h:i}\nd: [x, 'y', -1]\n",
		"a:\n  - b\n  - 'c'\n  -\n",
		"a: x # comment\nb: 'y' # comment\nc: \"z\" # comment\n",
		"a:\r\n  b: c\r\n",
		"a:\n   b: 1\n   c: 2\nd: é\n",
		"a: 1\na: 2\n", // duplicate keys: the library keeps both in a node tree
	} {
		if !sameAsParse(t, []byte(src)) {
			t.Errorf("FastParse declined %q", src)
		}
	}
}
