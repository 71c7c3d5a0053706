package jsontree

import (
	"encoding/json"
	"errors"
	"strings"
	"testing"
)

func TestParseLines(t *testing.T) {
	src := "{\n  \"name\": \"x\",\n  \"packages\": {\n    \"node_modules/a\": {\"version\": \"1.0.0\"},\n    \"node_modules/b\": {\n      \"version\": \"2.0.0\", \"dev\": true\n    }\n  },\n  \"n\": [1, -2.5e3, null, false]\n}\n"
	v, err := Parse([]byte(src), Options{})
	if err != nil {
		t.Fatal(err)
	}
	pk := v.Get("packages")
	if pk == nil || pk.Kind != Object || pk.Line != 3 {
		t.Fatalf("packages = %+v", pk)
	}
	if len(pk.Members) != 2 {
		t.Fatalf("members = %d", len(pk.Members))
	}
	if m := pk.Members[0]; m.Key != "node_modules/a" || m.Line != 4 || m.Value.GetString("version") != "1.0.0" {
		t.Errorf("first member = %+v", m)
	}
	if m := pk.Members[1]; m.Key != "node_modules/b" || m.Line != 5 || !m.Value.GetBool("dev") || m.Value.Get("version").Line != 6 {
		t.Errorf("second member = %+v", m)
	}
	n := v.Get("n")
	if n.Kind != Array || len(n.Items) != 4 || n.Items[1].Str != "-2.5e3" || n.Items[2].Kind != Null || n.Items[3].Str != "false" {
		t.Errorf("array = %+v", n)
	}
	if v.Get("missing") != nil || v.GetString("packages") != "" || (*Value)(nil).Get("x") != nil {
		t.Error("absent keys must give nil / empty")
	}
}

func TestStringEscapes(t *testing.T) {
	v, err := Parse([]byte(`"a\"b\\c\/d\n\u00e9\ud83d\ude00"`), Options{})
	if err != nil {
		t.Fatal(err)
	}
	if want := "a\"b\\c/d\né😀"; v.Str != want {
		t.Errorf("got %q, want %q", v.Str, want)
	}
}

func TestJSONC(t *testing.T) {
	src := "{\n  // comment\n  \"a\": [1, 2,],\n  /* block\n comment */ \"b\": {\"c\": \"d\",},\n}\n"
	v, err := Parse([]byte(src), Options{JSONC: true})
	if err != nil {
		t.Fatal(err)
	}
	if b := v.Get("b"); b == nil || b.Line != 5 || b.GetString("c") != "d" {
		t.Errorf("b = %+v", b)
	}
	if _, err := Parse([]byte(src), Options{}); err == nil {
		t.Error("strict mode accepted comments and trailing commas")
	}
}

func TestErrors(t *testing.T) {
	tests := []struct {
		src  string
		line int
	}{
		{"{\n\"a\": 1,\n}", 3},   // trailing comma in strict JSON
		{"{\n\"a\" 1}", 2},       // missing colon
		{"[1,\n2\n", 1},          // unterminated array: reported where it opened
		{"{\"a\":\n tru}", 2},    // bad literal
		{"\"abc", 1},             // unterminated string
		{"{}\n{}", 2},            // trailing data
		{"{\"a\": \"x\ny\"}", 1}, // raw newline in string
		{"{\"a\": 01x}", 1},      // bad number
		{"", 1},                  // empty input
		{"{\"a\": \"\\q\"}", 1},  // bad escape
	}
	for _, tt := range tests {
		_, err := Parse([]byte(tt.src), Options{})
		var se *SyntaxError
		if !errors.As(err, &se) {
			t.Errorf("%q: error %v is not a SyntaxError", tt.src, err)
			continue
		}
		if se.Line != tt.line {
			t.Errorf("%q: line %d, want %d (%v)", tt.src, se.Line, tt.line, err)
		}
	}
}

func TestDepthLimit(t *testing.T) {
	deep := strings.Repeat("[", 300) + strings.Repeat("]", 300)
	_, err := Parse([]byte(deep), Options{})
	if err == nil || !strings.Contains(err.Error(), ErrDepth) {
		t.Fatalf("300 levels with the default limit: %v", err)
	}
	if _, err := Parse([]byte(deep), Options{MaxDepth: 300}); err != nil {
		t.Fatalf("300 levels with limit 300: %v", err)
	}
}

// FuzzParse checks that Parse never panics and agrees with encoding/json on
// what is valid JSON.
func FuzzParse(f *testing.F) {
	for _, s := range []string{`{"a":[1,2,{"b":null}]}`, `"\u00e9"`, `[1e5, -0.5, true]`, `{"a":1,}`, "{\n//x\n}"} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		v, err := Parse(data, Options{})
		if (err == nil) != json.Valid(data) {
			// encoding/json rejects invalid UTF-8 only in some positions and
			// we accept a BOM; only report disagreements on ASCII input.
			for _, c := range data {
				if c >= 0x80 {
					return
				}
			}
			t.Fatalf("Parse err=%v but json.Valid=%v for %q", err, json.Valid(data), data)
		}
		if err == nil && v == nil {
			t.Fatal("nil value without error")
		}
		_, _ = Parse(data, Options{JSONC: true})
	})
}

func BenchmarkParse(b *testing.B) {
	var sb strings.Builder
	sb.WriteString("{\"packages\": {\n")
	for i := 0; i < 20000; i++ {
		if i > 0 {
			sb.WriteString(",\n")
		}
		sb.WriteString(`"node_modules/pkg` + strings.Repeat("x", i%7) + `": {"version": "1.2.3", "resolved": "https://registry.npmjs.org/p/-/p-1.2.3.tgz", "integrity": "sha512-abcdefghijklmnopqrstuvwxyz0123456789", "dev": true}`)
	}
	sb.WriteString("}}\n")
	data := []byte(sb.String())
	b.SetBytes(int64(len(data)))
	b.ReportAllocs()
	for b.Loop() {
		if _, err := Parse(data, Options{}); err != nil {
			b.Fatal(err)
		}
	}
}
