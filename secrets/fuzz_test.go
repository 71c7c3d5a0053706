package secrets

import (
	"encoding/base64"
	"strings"
	"testing"

	"github.com/tollgate-dev/tollgate/scanner"
)

// FuzzScan: any input scans without panicking, every match lies inside the
// input with a redaction that never shows more than four characters.
func FuzzScan(f *testing.F) {
	rng := randFor(9)
	for _, r := range Builtin() {
		text, _ := r.Sample(rng)
		f.Add("k = " + text + "\n")
	}
	f.Add("-----BEGIN RSA PRIVATE KEY-----\n-----END RSA PRIVATE KEY-----")
	f.Add("\x00\xff\xfe" + strings.Repeat("password=", 50))
	e := newTestEngine(f)
	f.Fuzz(func(t *testing.T, in string) {
		lines := strings.Split(in, "\n")
		nLines := len(lines)
		for _, m := range e.ScanFile("fuzz.txt", []byte(in)) {
			// A value decoded from the input (a Kubernetes Secret's data) is
			// in it as base64.
			inInput := strings.Contains(in, m.secret) || strings.Contains(in, base64.StdEncoding.EncodeToString([]byte(m.secret)))
			if m.Line < 1 || m.Line > nLines || m.Column < 1 || !inInput {
				t.Fatalf("bad match %+v", m)
			}
			if prefix, _, _ := strings.Cut(m.Redacted, "…"); len([]rune(prefix)) > 4 {
				t.Fatalf("redaction shows too much: %q", m.Redacted)
			}
		}
		sl := make([]scanner.Line, len(lines))
		for i, l := range lines {
			sl[i] = scanner.Line{Number: 2 * (i + 1), Text: l}
		}
		for _, m := range e.ScanLines("fuzz.txt", sl) {
			if m.Line < 2 || m.Line%2 != 0 {
				t.Fatalf("ScanLines line %d not one of the given numbers", m.Line)
			}
		}
	})
}
