package popular

import (
	"bytes"
	"compress/gzip"
	"reflect"
	"strings"
	"testing"
)

// TestEmbeddedSameAsParse: the embedded snapshot read with its size hint,
// through Parse, and recompressed at the best level all give the same names.
func TestEmbeddedSameAsParse(t *testing.T) {
	got, err := Embedded()
	if err != nil {
		t.Fatal(err)
	}
	if n := gzipSize(embedded); n < 100_000 {
		t.Errorf("gzipSize = %d", n)
	}
	plain, err := Parse(bytes.NewReader(embedded))
	if err != nil {
		t.Fatal(err)
	}
	zr, err := gzip.NewReader(bytes.NewReader(embedded))
	if err != nil {
		t.Fatal(err)
	}
	var text bytes.Buffer
	if _, err := text.ReadFrom(zr); err != nil {
		t.Fatal(err)
	}
	var packed bytes.Buffer
	zw, _ := gzip.NewWriterLevel(&packed, gzip.BestCompression)
	zw.Write(text.Bytes())
	zw.Close()
	compressed, err := Parse(&packed)
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(got, plain) || !reflect.DeepEqual(got, compressed) {
		t.Error("the embedded snapshot reads differently through Embedded, Parse and a compressed copy")
	}
	if len(got.Names["npm"]) != 5000 || got.Names["npm"][0] == "" {
		t.Errorf("npm: %d names", len(got.Names["npm"]))
	}
}

// TestParseSections: an ecosystem opened twice continues its list; CRLF and
// blank lines are accepted.
func TestParseSections(t *testing.T) {
	s, err := Parse(strings.NewReader("=npm\r\nreact\n\n=PyPI\nrequests\n=npm\nlodash"))
	if err != nil {
		t.Fatal(err)
	}
	want := map[string][]string{"npm": {"react", "lodash"}, "PyPI": {"requests"}}
	if !reflect.DeepEqual(s.Names, want) {
		t.Errorf("Names = %v, want %v", s.Names, want)
	}
	for _, bad := range []string{"", "react\n", "=\nreact", "=npm\n"} {
		if _, err := Parse(strings.NewReader(bad)); err == nil {
			t.Errorf("Parse(%q) accepted", bad)
		}
	}
}
