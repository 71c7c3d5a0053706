package uvlock

import (
	"strings"
	"testing"

	lt "github.com/tollgate-dev/tollgate/lockfiles/lockfilestest"
)

// uvSource is where the expectations below come from. No uv runs here (no
// network to install it): uv reads uv.lock with the Rust toml crate, the
// parser cargo uses, so cargo 1.95.0 `cargo metadata --offline` on a
// Cargo.lock with the same edits stands in for it (see cargolock's
// readings): a BOM is read, a key or table defined twice and a CR not
// followed by a newline are errors at their line.
const uvSource = "Rust toml crate as uv reads it; cargo 1.95.0 run on the same edits"

const uvBase = `version = 1
requires-python = ">=3.12"

[[package]]
name = "requests"
version = "2.31.0"
source = { registry = "https://pypi.org/simple" }
`

func uvEdit(old, new string) string {
	if !strings.Contains(uvBase, old) {
		panic("uvEdit: " + old)
	}
	return strings.Replace(uvBase, old, new, 1)
}

var uvReadings = []lt.Reading{
	{Name: "as written", Src: uvBase, Want: []string{"requests@2.31.0"}, Source: uvSource},
	{Name: "CRLF", Src: strings.ReplaceAll(uvBase, "\n", "\r\n"), Want: []string{"requests@2.31.0"}, Source: uvSource},
	{Name: "BOM", Src: "\ufeff" + uvBase, Want: []string{"requests@2.31.0"}, Source: uvSource + ": read as without it"},
	{
		Name:    "duplicate key in a package",
		Src:     uvEdit(`name = "requests"`, "name = \"requests\"\nname = \"evil\""),
		ErrLine: 6,
		ErrText: "'package.name' has already been defined",
		Source:  uvSource + ": duplicate key at line 6",
	},
	{
		Name:    "duplicate top-level key",
		Src:     "version = 1\n" + uvBase,
		ErrLine: 2,
		ErrText: "'version' has already been defined",
		Source:  uvSource + ": duplicate key at line 2",
	},
	{
		Name:    "CR only",
		Src:     strings.ReplaceAll(uvBase, "\n", "\r"),
		ErrLine: 1,
		ErrText: "control characters: '0x0d'",
		Source:  uvSource + ": carriage return must be followed by newline, line 1",
	},
	{
		Name:    "lone CR between keys",
		Src:     uvEdit("name = \"requests\"\n", "name = \"requests\"\r"),
		ErrLine: 5,
		ErrText: "control characters: '0x0d'",
		Source:  uvSource + ": carriage return must be followed by newline, line 5",
	},
	{
		Name:    "lone CR in a comment",
		Src:     uvEdit("[[package]]\n", "# c\r[[package]]\nname = \"evil\"\nversion = \"6.6.6\"\n\n[[package]]\n"),
		ErrLine: 4,
		ErrText: "control characters: '0x0d'",
		Source:  uvSource + ": carriage return must be followed by newline, line 4",
	},
}

func TestUvReadings(t *testing.T) {
	lt.CheckReadings(t, Parser{}, "uv.lock", uvReadings)
}
