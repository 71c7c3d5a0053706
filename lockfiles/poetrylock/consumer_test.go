package poetrylock

import (
	"strings"
	"testing"

	lt "github.com/tollgate-dev/tollgate/lockfiles/lockfilestest"
)

// poetrySource is where the expectations below come from. No poetry runs
// here (no network to install it): poetry reads poetry.lock with tomlkit, a
// TOML 1.0 parser, and TOML 1.0 forbids a key defined twice and a carriage
// return not followed by a newline. Python 3.11's tomllib, run on the same
// inputs, refuses each of those at the same line ("Cannot overwrite a
// value", "Expected newline or end of document after a statement").
const poetrySource = "TOML 1.0 as poetry's tomlkit reads it; Python 3.11 tomllib run"

const poetryBase = `[[package]]
name = "requests"
version = "2.31.0"
groups = ["main"]
files = []

[metadata]
lock-version = "2.0"
python-versions = "*"
content-hash = "0"
`

func poetryEdit(old, new string) string {
	if !strings.Contains(poetryBase, old) {
		panic("poetryEdit: " + old)
	}
	return strings.Replace(poetryBase, old, new, 1)
}

var poetryReadings = []lt.Reading{
	{Name: "as written", Src: poetryBase, Want: []string{"requests@2.31.0"}, Source: poetrySource},
	{Name: "CRLF", Src: strings.ReplaceAll(poetryBase, "\n", "\r\n"), Want: []string{"requests@2.31.0"}, Source: poetrySource},
	{
		// tomllib refuses a BOM ("Invalid statement" at line 1); tollgate
		// reads the file as without it, which reports more, never less.
		Name:   "BOM",
		Src:    "\ufeff" + poetryBase,
		Want:   []string{"requests@2.31.0"},
		Source: poetrySource + ": tomllib refuses it",
	},
	{
		Name:    "duplicate key in a package",
		Src:     poetryEdit(`name = "requests"`, "name = \"requests\"\nname = \"evil\""),
		ErrLine: 3,
		ErrText: "'package.name' has already been defined",
		Source:  poetrySource + ": line 3",
	},
	{
		Name:    "table defined twice",
		Src:     poetryBase + "\n[metadata]\n",
		ErrLine: 12,
		ErrText: "'metadata' has already been defined",
		Source:  poetrySource + ": line 12",
	},
	{
		Name:    "CR only",
		Src:     strings.ReplaceAll(poetryBase, "\n", "\r"),
		ErrLine: 1,
		ErrText: "control characters: '0x0d'",
		Source:  poetrySource + ": line 1",
	},
	{
		Name:    "lone CR between keys",
		Src:     poetryEdit("name = \"requests\"\n", "name = \"requests\"\r"),
		ErrLine: 2,
		ErrText: "control characters: '0x0d'",
		Source:  poetrySource + ": line 2",
	},
	{
		// A lone CR cannot end a comment so that the line after it counts.
		Name:    "lone CR in a comment",
		Src:     "# c\r[[package]]\nname = \"evil\"\nversion = \"6.6.6\"\n" + poetryBase,
		ErrLine: 1,
		ErrText: "control characters: '0x0d'",
		Source:  poetrySource + ": line 1",
	},
}

func TestPoetryReadings(t *testing.T) {
	lt.CheckReadings(t, Parser{}, "poetry.lock", poetryReadings)
}
