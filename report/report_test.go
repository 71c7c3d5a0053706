package report

import (
	"bytes"
	"encoding/json"
	"errors"
	"testing"

	"github.com/tollgate-dev/tollgate/lockfiles"
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
