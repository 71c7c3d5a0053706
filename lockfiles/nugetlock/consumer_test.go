package nugetlock

import (
	"strings"
	"testing"

	lt "github.com/tollgate-dev/tollgate/lockfiles/lockfilestest"
)

// nugetSource is where the expectations below come from. No dotnet runs
// here: they follow System.Text.Json's documented defaults
// (JsonReaderOptions: CommentHandling Disallow, AllowTrailingCommas false),
// under which a comment or a trailing comma is a JsonException. tollgate
// refuses both too, at their line, so it never reads a file the restore
// would read otherwise. (NuGet versions that read the lock with
// Newtonsoft.Json skip comments; refusing such a file still hides nothing.)
const nugetSource = "System.Text.Json defaults, documented (not run)"

const nugetBase = `{
  "version": 2,
  "dependencies": {
    "net8.0": {
      "Serilog": {
        "type": "Direct",
        "requested": "[3.1.1, )",
        "resolved": "3.1.1",
        "contentHash": "AA=="
      }
    }
  }
}
`

func nugetEdit(old, new string) string {
	if !strings.Contains(nugetBase, old) {
		panic("nugetEdit: " + old)
	}
	return strings.Replace(nugetBase, old, new, 1)
}

var nugetReadings = []lt.Reading{
	{Name: "as written", Src: nugetBase, Want: []string{"Serilog@3.1.1"}, Source: nugetSource},
	{
		Name:    "line comment",
		Src:     nugetEdit(`    "net8.0": {`, "    // pinned\n    \"net8.0\": {"),
		ErrLine: 4,
		Source:  nugetSource + ": comments are disallowed",
	},
	{
		Name:    "block comment",
		Src:     nugetEdit(`"resolved": "3.1.1",`, `"resolved": /* x */ "3.1.1",`),
		ErrLine: 8,
		Source:  nugetSource + ": comments are disallowed",
	},
	{
		Name:    "trailing comma",
		Src:     nugetEdit(`"contentHash": "AA=="`, `"contentHash": "AA==",`),
		ErrLine: 10,
		Source:  nugetSource + ": trailing commas are disallowed",
	},
}

func TestNuGetReadings(t *testing.T) {
	lt.CheckReadings(t, Parser{}, "packages.lock.json", nugetReadings)
}
