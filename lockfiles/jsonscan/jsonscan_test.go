package jsonscan

import (
	"encoding/json"
	"errors"
	"strings"
	"testing"
)

// walk consumes a whole document, recording "key@line" for every key.
func walk(data string, opts Options) ([]string, error) {
	s := New([]byte(data), opts)
	var keys []string
	var visit func() error
	visit = func() error {
		k, err := s.Peek()
		if err != nil {
			return err
		}
		switch k {
		case Object:
			return s.Object(func(key []byte, line int) error {
				keys = append(keys, string(key)+"@"+itoa(line))
				return visit()
			})
		case Array:
			return s.Array(func(int, int) error { return visit() })
		}
		return s.Skip()
	}
	if err := visit(); err != nil {
		return keys, err
	}
	return keys, s.End()
}

func itoa(n int) string {
	if n == 0 {
		return "0"
	}
	var b []byte
	for ; n > 0; n /= 10 {
		b = append([]byte{byte('0' + n%10)}, b...)
	}
	return string(b)
}

func TestLines(t *testing.T) {
	src := "{\n  \"name\": \"x\",\n  \"packages\": {\n    \"node_modules/a\": {\"version\": \"1.0.0\"},\n    \"node_modules/b\": {\n      \"version\": \"2.0.0\", \"dev\": true\n    }\n  },\n  \"n\": [1, -2.5e3, null, false, {\"k\": 0}]\n}\n"
	keys, err := walk(src, Options{})
	if err != nil {
		t.Fatal(err)
	}
	want := "name@2 packages@3 node_modules/a@4 version@4 node_modules/b@5 version@6 dev@6 n@9 k@9"
	if got := strings.Join(keys, " "); got != want {
		t.Errorf("got  %s\nwant %s", got, want)
	}
}

func TestReadValues(t *testing.T) {
	s := New([]byte(`{"a": "x\"y\u00e9\ud83d\ude00", "b": true, "c": {"skipped": [1, {"d": null}]}, "e": false, "f": "\/"}`), Options{})
	got := map[string]any{}
	err := s.Object(func(key []byte, line int) error {
		switch string(key) {
		case "a", "f":
			v, err := s.String()
			got[string(key)] = v
			return err
		case "b", "e":
			v, err := s.Bool()
			got[string(key)] = v
			return err
		}
		return nil // left unread: skipped
	})
	if err != nil {
		t.Fatal(err)
	}
	if got["a"] != "x\"yé😀" || got["b"] != true || got["e"] != false || got["f"] != "/" {
		t.Errorf("got %v", got)
	}
	if err := s.End(); err != nil {
		t.Error(err)
	}
}

func TestJSONC(t *testing.T) {
	src := "// header\n{\n  \"a\": [1, 2,],\n  /* block\n comment */ \"b\": {\"c\": \"d\",},\n}\n"
	keys, err := walk(src, Options{JSONC: true})
	if err != nil {
		t.Fatal(err)
	}
	if got := strings.Join(keys, " "); got != "a@3 b@5 c@5" {
		t.Errorf("keys = %s", got)
	}
	if _, err := walk(src, Options{}); err == nil {
		t.Error("strict mode accepted comments")
	}
	for _, bad := range []string{`[1,]`, `{"a":1,}`, `[,]`, `{,}`} {
		if _, err := walk(bad, Options{}); err == nil {
			t.Errorf("strict mode accepted %s", bad)
		}
	}
}

func TestErrors(t *testing.T) {
	tests := []struct {
		src  string
		line int
	}{
		{"{\n\"a\": 1\n\"b\": 2}", 3},
		{"{\n\"a\": tru}", 2},
		{"{\n\"a\": \"x", 2},
		{"{\n\"a\": 01}", 2},
		{"{\n\"a\": 1.}", 2},
		{"{\n\"a\": -}", 2},
		{"{\n\"a\": \"\\x\"}", 2},
		{"{\n\n\"a\": [1, 2}", 3},
		{"{\"a\": 1} x", 1},
		{"{\n\"a\": 1", 1},
		{"", 1},
		{"/* x", 1},
	}
	for _, tt := range tests {
		_, err := walk(tt.src, Options{})
		var se *SyntaxError
		if !errors.As(err, &se) {
			t.Errorf("%q: err = %v, want a SyntaxError", tt.src, err)
			continue
		}
		if se.Line != tt.line {
			t.Errorf("%q: line %d, want %d (%v)", tt.src, se.Line, tt.line, err)
		}
	}
}

func TestDepth(t *testing.T) {
	deep := strings.Repeat("[", 10) + strings.Repeat("]", 10)
	if _, err := walk(deep, Options{MaxDepth: 10}); err != nil {
		t.Errorf("depth 10 at limit 10: %v", err)
	}
	_, err := walk(deep, Options{MaxDepth: 9})
	var se *SyntaxError
	if !errors.As(err, &se) || !se.Depth {
		t.Errorf("depth 10 at limit 9: err = %v, want a depth error", err)
	}
	// Skip enforces the limit too.
	s := New([]byte(deep), Options{MaxDepth: 9})
	if err := s.Skip(); !errors.As(err, &se) || !se.Depth {
		t.Errorf("Skip: err = %v, want a depth error", err)
	}
}

func TestWrongKind(t *testing.T) {
	for _, f := range []func(*Scanner) error{
		func(s *Scanner) error { _, err := s.String(); return err },
		func(s *Scanner) error { _, err := s.Bool(); return err },
		func(s *Scanner) error { return s.Object(func([]byte, int) error { return nil }) },
	} {
		if err := f(New([]byte(`[1]`), Options{})); err == nil {
			t.Error("read an array as another kind")
		}
	}
	if err := New([]byte(`{}`), Options{}).Array(func(int, int) error { return nil }); err == nil {
		t.Error("read an object as an array")
	}
}

// FuzzScan checks the scanner against encoding/json: a document is accepted
// exactly when json.Valid accepts it (within the depth limit).
func FuzzScan(f *testing.F) {
	for _, s := range []string{`{}`, `[]`, `{"a":[1,2,{"b":null}],"c":"\u00e9"}`, `1e5`, `-0.5`, `"x"`, `[true,false]`, "{\n\"a\": 1\n}"} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		s := New(data, Options{MaxDepth: 64})
		err := s.Skip()
		if err == nil {
			err = s.End()
		}
		var se *SyntaxError
		if err != nil && !errors.As(err, &se) {
			t.Fatalf("error %v is not a SyntaxError", err)
		}
		if se != nil && se.Depth {
			return
		}
		if len(data) >= 3 && data[0] == 0xEF && data[1] == 0xBB && data[2] == 0xBF {
			return // a BOM is tolerated here, not by encoding/json
		}
		if valid := json.Valid(data); valid != (err == nil) {
			t.Fatalf("json.Valid = %v, scanner error = %v", valid, err)
		}
	})
}
