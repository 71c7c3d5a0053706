package report

import (
	"bytes"
	"encoding/json"
	"errors"
	"strings"
	"testing"

	"github.com/tollgate-dev/tollgate/lockfiles"
	"github.com/tollgate-dev/tollgate/scanner"
)

// TestInventoryJSONMatchesEncoder checks that the streamed writer produces
// exactly what encoding/json produces for the whole document.
func TestInventoryJSONMatchesEncoder(t *testing.T) {
	invs := []*lockfiles.Inventory{
		{},
		{Packages: []lockfiles.Package{{Ecosystem: "npm", Name: "@a/b", Version: "1.0.0", PURL: "pkg:npm/%40a/b@1.0.0", Path: "p<l>.json", Line: 3, Direct: true}}},
		{
			Packages: []lockfiles.Package{{Ecosystem: "PyPI", Name: "x", Version: "1"}, {Ecosystem: "Go", Name: "y", Version: "v2", Integrity: "h1:abc"}},
			Errors:   []*lockfiles.FileError{{Path: "bad.lock", Parser: "p", Err: errors.New("e"), Message: "parse bad.lock:2: \"e\""}},
		},
	}
	for i, inv := range invs {
		var got bytes.Buffer
		if err := InventoryJSON(&got, inv); err != nil {
			t.Fatal(err)
		}
		want := struct {
			Packages []lockfiles.Package    `json:"packages"`
			Errors   []*lockfiles.FileError `json:"errors,omitempty"`
		}{inv.Packages, inv.Errors}
		if want.Packages == nil {
			want.Packages = []lockfiles.Package{}
		}
		var exp bytes.Buffer
		enc := json.NewEncoder(&exp)
		enc.SetIndent("", "  ")
		if err := enc.Encode(want); err != nil {
			t.Fatal(err)
		}
		if got.String() != exp.String() {
			t.Errorf("inventory %d:\n%s\nwant:\n%s", i, got.String(), exp.String())
		}
	}
}

// Text from a scanned repository cannot start a line of its own: a path
// with a newline and a workflow command in it stays on its finding's line.
func TestTextKeepsUntrustedTextOnOneLine(t *testing.T) {
	res := &scanner.Result{Mode: scanner.ModeSweep, Findings: []scanner.Finding{{
		RuleID: "secret/x", Severity: scanner.SeverityHigh, Path: "a\n::error::forged\rb.env", Line: 3,
		Message: "found\u2028here",
	}}, Errors: []*lockfiles.FileError{{Path: "x\ny.lock", Err: errors.New("bad\nline")}}}
	for _, color := range []bool{false, true} {
		var out bytes.Buffer
		if err := WriteText(&out, res, TextOptions{Color: color}); err != nil {
			t.Fatal(err)
		}
		got := out.String()
		for _, want := range []string{`a\n::error::forged\rb.env:3`, `found\u2028here`, `COULD NOT READ`, `x\ny.lock: bad\nline`} {
			if !strings.Contains(got, want) {
				t.Errorf("color %v: output lacks %q:\n%s", color, want, got)
			}
		}
		for _, line := range strings.Split(got, "\n") {
			plain := strings.NewReplacer(ansiBold, "", ansiReset, "", ansiRed, "", ansiYellow, "", ansiCyan, "", ansiBlue, "", ansiDim, "").Replace(line)
			if strings.HasPrefix(strings.TrimSpace(plain), "::") || strings.ContainsAny(plain, "\r\u2028\x1b") {
				t.Errorf("color %v: a line of its own from untrusted text: %q", color, line)
			}
		}
	}
}
