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
	var out bytes.Buffer
	if err := Text(&out, res); err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(strings.TrimSuffix(out.String(), "\n"), "\n")
	if len(lines) != 4 {
		t.Fatalf("%d lines:\n%s", len(lines), out.String())
	}
	if !strings.Contains(lines[1], `a\n::error::forged\rb.env:3`) || !strings.Contains(lines[1], `found\u2028here`) || strings.HasPrefix(lines[2], "::") {
		t.Errorf("lines:\n%s", out.String())
	}
}
