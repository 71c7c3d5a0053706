package tomltree

import (
	"bytes"
	"errors"
	"reflect"
	"strconv"
	"testing"

	"github.com/BurntSushi/toml"

	"github.com/tollgate-dev/tollgate/lockfiles"
)

func TestParse(t *testing.T) {
	src := `# comment
version = 1
name = "a\"b\u00e9"   # trailing comment
lit = 'C:\path'

[[package]]
name = "one"
deps = [
    { name = "x", extra = ["e1", "e2"] },   # comment inside an array
    { name = 'y' },
]

[package.optional-dependencies]
fast = [{ name = "z" }]

[[ package ]]
name = "two"
flag = true
size = -42
empty = {}
`
	root, ok := Parse([]byte(src), 0)
	if !ok {
		t.Fatal("declined a file in the subset")
	}
	if s, _ := root.String("name"); s != "a\"bé" {
		t.Errorf("name = %q", s)
	}
	if s, _ := root.String("lit"); s != `C:\path` {
		t.Errorf("lit = %q", s)
	}
	pk := root.Get("package")
	if !pk.FromHeaders() || len(pk.Items) != 2 {
		t.Fatalf("package: %+v", pk)
	}
	one, two := pk.Items[0], pk.Items[1]
	if one.Line != 6 || two.Line != 16 {
		t.Errorf("header lines %d, %d; want 6, 16", one.Line, two.Line)
	}
	deps, ok := one.Tables("deps")
	if !ok || len(deps) != 2 || deps[1].Line != 10 {
		t.Fatalf("deps: %v %v", deps, ok)
	}
	if extra, ok := deps[0].Strings("extra"); !ok || len(extra) != 2 || extra[1] != "e2" {
		t.Errorf("extra = %v", extra)
	}
	opt, _ := one.Table("optional-dependencies")
	if fast, ok := opt.Tables("fast"); !ok || len(fast) != 1 {
		t.Errorf("optional-dependencies: %+v", opt)
	}
	if b, ok := two.Bool("flag"); !ok || !b {
		t.Errorf("flag")
	}
	if v := two.Get("size"); v == nil || v.Kind != Integer || v.Str != "-42" {
		t.Errorf("size = %+v", v)
	}
	if _, ok := two.String("flag"); ok {
		t.Errorf("a boolean read as a string")
	}
}

func TestDeclines(t *testing.T) {
	for _, src := range []string{
		"a = \"\"\"\nmulti\n\"\"\"\n",            // multi-line string
		"a = 1.5\n",                              // float
		"a = 1979-05-27\n",                       // date
		"a = 1.0.0\n",                            // invalid
		"a = 1\na = 2\n",                         // duplicate key
		"a.b = 1\n",                              // dotted key
		"[t]\n[t]\n",                             // table defined twice
		"a = [1]\n[[a]]\n",                       // static array extended
		"a = {b = 1}\n[a]\n",                     // inline table extended
		"a = \"unterminated\n",                   // unterminated string
		"a = \"bad \\q escape\"\n",               // unknown escape
		"a = 1 b = 2\n",                          // two pairs on a line
		"[[package]\n",                           // broken header
		"a = { b = 1,\n c = 2 }\n",               // inline table across lines
		"a = 007\n",                              // leading zeros
		"a = [1, 2\n",                            // unterminated array
		"a = \"x\" # bell \x07\n",                // control character in a comment
		"Name = \"x\"\n[\"Name\"]\n",             // table over a key
		string([]byte{'a', '=', '"', 0xff, '"'}), // invalid UTF-8
	} {
		if _, ok := Parse([]byte(src), 0); ok {
			t.Errorf("accepted %q", src)
		}
	}
	deep := ""
	for i := 0; i < 10; i++ {
		deep += "["
	}
	if _, ok := Parse([]byte("a = "+deep), 5); ok {
		t.Error("accepted nesting beyond the limit")
	}
}

func TestStrict(t *testing.T) {
	root, ok := Parse([]byte("NAME = \"x\"\nversion = \"1\"\n"), 0)
	if !ok {
		t.Fatal("declined")
	}
	if root.Strict("name", "version") {
		t.Error("Strict accepted NAME for name")
	}
	if !root.Strict("version") {
		t.Error("Strict rejected exact keys")
	}
}

// plain converts a tree to the shapes BurntSushi/toml decodes into any.
func plain(v *Value) any {
	switch v.Kind {
	case String:
		return v.Str
	case Bool:
		return v.Str == "true"
	case Integer:
		n, err := strconv.ParseInt(v.Str, 10, 64)
		if err != nil {
			return "bad integer " + v.Str
		}
		return n
	case Array:
		out := make([]any, len(v.Items))
		for i, it := range v.Items {
			out[i] = plain(it)
		}
		return out
	}
	m := make(map[string]any, len(v.Fields))
	for k, f := range v.Fields {
		m[k] = plain(f)
	}
	return m
}

// normalize turns []map[string]any (arrays of tables) into []any.
func normalize(x any) any {
	switch t := x.(type) {
	case []map[string]any:
		out := make([]any, len(t))
		for i, m := range t {
			out[i] = normalize(m)
		}
		return out
	case []any:
		out := make([]any, len(t))
		for i, e := range t {
			out[i] = normalize(e)
		}
		return out
	case map[string]any:
		out := make(map[string]any, len(t))
		for k, e := range t {
			out[k] = normalize(e)
		}
		return out
	}
	return x
}

// FuzzLocktoml checks that whatever the subset reader accepts, BurntSushi/toml
// accepts too, with the same values.
func FuzzLocktoml(f *testing.F) {
	for _, s := range []string{
		"a = 1\n[[package]]\nname = \"x\"\ndeps = [{ name = \"y\", extra = [\"e\"] }]\n",
		"[t]\nk = 'v'\n[t.u]\n[[t.v]]\nx = true\n[[t.v]]\nx = false\n",
		"s = \"esc \\\" \\\\ \\u00e9\"\narr = [\n  1, # c\n  2,\n]\nempty = {}\n",
		"[a]\nb = 1\n[a.c]\nd = 2\n",
		"\"quoted key\" = \"v\"\n['lit']\nk = -3\n",
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		root, ok := Parse(data, 0)
		var want map[string]any
		md, err := toml.Decode(string(data), &want)
		if err != nil {
			if ok {
				t.Fatalf("subset reader accepted what BurntSushi/toml rejects: %v", err)
			}
			return
		}
		checkHeaderCounts(t, data, md, want)
		if !ok {
			return
		}
		if got := plain(root); !reflect.DeepEqual(got, normalize(want)) {
			t.Fatalf("values differ:\n got %#v\nwant %#v", got, normalize(want))
		}
		checkHeaderLines(t, data, root)
	})
}

// bareKey reports whether k can be written as a bare key, the form the
// header scans look for (besides plain quotes).
func bareKey(k string) bool {
	for i := 0; i < len(k); i++ {
		c := k[i]
		if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '_' || c == '-') {
			return false
		}
	}
	return k != ""
}

// checkHeaderCounts asserts that TableHeaderLines finds one header per
// element of every top-level array of tables BurntSushi/toml decoded from
// [[...]] headers. Keys written with escapes are out of the scan's reach.
func checkHeaderCounts(t *testing.T, data []byte, md toml.MetaData, doc map[string]any) {
	t.Helper()
	if bytes.IndexByte(data, '\\') >= 0 {
		return
	}
	for k, v := range doc {
		if !bareKey(k) || md.Type(k) != "ArrayHash" {
			continue
		}
		tables, _ := v.([]map[string]any)
		if got := TableHeaderLines(data, k); len(got) != len(tables) {
			t.Fatalf("%d [[%s]] headers found, %d tables decoded", len(got), k, len(tables))
		}
	}
}

// checkHeaderLines asserts that the header scans place every top-level
// table and array-of-tables element on the line Parse gives it.
func checkHeaderLines(t *testing.T, data []byte, root *Value) {
	t.Helper()
	if bytes.IndexByte(data, '\\') >= 0 {
		return
	}
	for k, v := range root.Fields {
		if !bareKey(k) {
			continue
		}
		switch {
		case v.FromHeaders():
			want := make([]int, len(v.Items))
			for i, it := range v.Items {
				want[i] = it.Line
			}
			if got := TableHeaderLines(data, k); !reflect.DeepEqual(got, want) && (len(got) > 0 || len(want) > 0) {
				t.Fatalf("[[%s]] header lines %v, want %v", k, got, want)
			}
		case v.Kind == Table:
			want := 0
			if v.defined && !v.inline {
				want = v.Line
			}
			if got := TableHeaderLine(data, k); got != want {
				t.Fatalf("[%s] header line %d, want %d", k, got, want)
			}
		}
	}
}

func TestTableHeaderLines(t *testing.T) {
	src := `[[package]]
name = "a"
notes = """
[[package]]
[root]
"""
nested = [
[["package"]],
["root"],
{ x = [
[[ 'package' ]] ] },
]
[ "root" ]
name = 'r'
[[ "package" ]] # quoted
lit = '[[package]]'
[root.sub]
[[package.deps]]
`
	if got, want := TableHeaderLines([]byte(src), "package"), []int{1, 15}; !reflect.DeepEqual(got, want) {
		t.Errorf("TableHeaderLines = %v, want %v", got, want)
	}
	if got := TableHeaderLine([]byte(src), "root"); got != 13 {
		t.Errorf("TableHeaderLine(root) = %d, want 13", got)
	}
	// A BOM before the first header leaves it at the start of line 1, as the
	// decoders (BurntSushi/toml, cargo's toml crate) read the file.
	if got, want := TableHeaderLines([]byte("\ufeff"+src), "package"), []int{1, 15}; !reflect.DeepEqual(got, want) {
		t.Errorf("after a BOM: TableHeaderLines = %v, want %v", got, want)
	}
	if got := TableHeaderLine([]byte("\ufeff[root]\n"), "root"); got != 1 {
		t.Errorf("after a BOM: TableHeaderLine(root) = %d, want 1", got)
	}
	for _, src := range []string{"root = { name = \"x\" }\n", "[root.sub]\n", "[[root]]\n", "x = 1\n"} {
		if got := TableHeaderLine([]byte(src), "root"); got != 0 {
			t.Errorf("TableHeaderLine(%q) = %d, want 0", src, got)
		}
	}
}

func TestDecodeError(t *testing.T) {
	var v struct {
		Package []struct {
			Name string `toml:"name"`
		} `toml:"package"`
	}
	for _, c := range []struct {
		src  string
		line int
	}{
		{"[[package]]\nname = \"a\"\nname = \"b\"\n", 3}, // syntax: duplicate key
		{"\n[[package]]\nname = 1\n", 3},                 // type mismatch, a plain error naming the line
	} {
		_, err := toml.Decode(c.src, &v)
		if err == nil {
			t.Fatalf("%q decoded", c.src)
		}
		var pe *lockfiles.ParseError
		if !errors.As(DecodeError("x.lock", err), &pe) || pe.Line != c.line || pe.Path != "x.lock" {
			t.Errorf("%q: DecodeError = %v, want a ParseError at line %d", c.src, pe, c.line)
		}
	}
}

func TestFullHeaderCount(t *testing.T) {
	type lock struct {
		Package []struct {
			Name string `toml:"name"`
		} `toml:"package"`
	}
	in := &lockfiles.Input{Path: "x.lock", Content: []byte("package = [{ name = \"a\" }, { name = \"b\" }]\n")}
	v, lines, err := Full(in, "package", func(l *lock) int { return len(l.Package) })
	var hc *HeaderCountError
	if !errors.As(err, &hc) || hc.Headers != 0 || hc.Entries != 2 || lines != nil {
		t.Fatalf("Full = %v, %v; want a HeaderCountError for 0 headers, 2 entries", lines, err)
	}
	if len(v.Package) != 2 || v.Package[1].Name != "b" {
		t.Errorf("decoded value not returned with the error: %+v", v)
	}
	if want := "parse x.lock: found 0 [[package]] headers for 2 packages; cannot place entries on lines"; err.Error() != want {
		t.Errorf("error %q, want %q", err, want)
	}
}

// TestHasControl checks the word-at-a-time scan of hasControl against a
// byte-by-byte reading, with every byte value at every offset of a text
// longer than a few words.
func TestHasControl(t *testing.T) {
	slow := func(s string) bool {
		for i := 0; i < len(s); i++ {
			c := s[i]
			if c == '\r' && (i+1 >= len(s) || s[i+1] != '\n') || c < 0x20 && c != '\t' && c != '\n' && c != '\r' || c == 0x7f {
				return true
			}
		}
		return false
	}
	base := "version = 3\r\n[[package]]\nname = \"a\"\t# é\nversion = \"1.0.0\"\n"
	for c := 0; c < 0x100; c++ {
		for pos := range len(base) {
			b := []byte(base)
			b[pos] = byte(c)
			for _, s := range []string{string(b), string(b[:pos+1]), string(b[pos:])} {
				if got, want := hasControl(s), slow(s); got != want {
					t.Fatalf("hasControl(%q) = %v, want %v", s, got, want)
				}
			}
		}
	}
}
