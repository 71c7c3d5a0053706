package bunlock_test

import (
	"strings"
	"testing"

	"github.com/tollgate-dev/tollgate/lockfiles/bunlock"
	lt "github.com/tollgate-dev/tollgate/lockfiles/lockfilestest"
)

// bun145 is the tool behind the expectations below: bun 1.4.5 (npm package
// bun) on a scratch project, `bun install --frozen-lockfile --dry-run` and
// `bun pm ls --all` after each edit of the bun.lock it wrote.
const bun145 = "bun 1.4.5 install --frozen-lockfile --dry-run"

// bunBase is the bun.lock bun 1.4.5 wrote for is-number 7.0.0 and is-odd
// 3.0.1 (lockfileVersion 2), trailing commas and all.
const bunBase = `{
  "lockfileVersion": 2,
  "configVersion": 1,
  "workspaces": {
    "": {
      "name": "scratch",
      "dependencies": {
        "is-number": "7.0.0",
        "is-odd": "3.0.1",
      },
    },
  },
  "packages": {
    "is-number": ["is-number@7.0.0", "", {}, "sha512-41Cifkg6e8TylSpdtTpeLVMqvSBEVzTttHvERD741+pnZ8ANv0004MRL43QKPDlK9cGvNp6NZWZUBlbGXYxxng=="],

    "is-odd": ["is-odd@3.0.1", "", { "dependencies": { "is-number": "^6.0.0" } }, "sha512-CQpnWPrDwmP1+SMHXZhtLtJv90yiyVfluGsX5iNCVkrhQtU3TQHsUWPG9wkdk9Lgd5yNpAg9jQEo90CBaXgWMA=="],

    "is-odd/is-number": ["is-number@6.0.0", "", {}, "sha512-Wu1VHeILBK8KAWJUAiSZQX94GmOE45Rg6/538fKwiloUu21KncEkYGPqob2oSZ5mUT73vLGrHQjKw3KMPwfDzg=="],
  }
}
`

const bunEvil = `"is-odd": ["is-odd@3.0.0", "", { "dependencies": { "is-number": "^6.0.0" } }, "sha512-CQpnWPrDwmP1+SMHXZhtLtJv90yiyVfluGsX5iNCVkrhQtU3TQHsUWPG9wkdk9Lgd5yNpAg9jQEo90CBaXgWMA=="],` + "\n"

func bunEdit(old, new string) string {
	if !strings.Contains(bunBase, old) {
		panic("bunEdit: " + old)
	}
	return strings.Replace(bunBase, old, new, 1)
}

var bunAsWritten = []string{"is-number@7.0.0", "is-odd@3.0.1", "is-number@6.0.0"}

var bunReadings = []lt.Reading{
	{Name: "as written", Src: bunBase, Want: bunAsWritten, Source: bun145},
	{
		Name:    "a package path twice",
		Src:     bunEdit(`  "packages": {`+"\n", `  "packages": {`+"\n    "+bunEvil),
		ErrLine: 17, ErrText: `duplicate package path "is-odd"`,
		Source: bun145 + `: error: Duplicate package path, at the second "is-odd"`,
	},
	{
		// bun warns (Duplicate key "packages" in object literal) and reads
		// the first; tollgate reads both, never less than bun.
		Name:   "a second packages object",
		Src:    bunEdit("  }\n}\n", "  },\n  \"packages\": {\n    "+bunEvil+"  },\n}\n"),
		Want:   append(append([]string{}, bunAsWritten...), "is-odd@3.0.0"),
		Source: bun145 + ": the first packages object is installed, the second warned about",
	},
	{
		Name:   "line and block comments",
		Src:    bunEdit(`  "packages": {`, "  // a comment\n  /* \"packages\": {} */\n  \"packages\": {"),
		Want:   bunAsWritten,
		Source: bun145 + ": comments are skipped",
	},
	{
		Name:    "a # comment",
		Src:     bunEdit(`  "packages": {`, "  # comment\n  \"packages\": {"),
		ErrLine: 13, ErrText: "expected a string key",
		Source: bun145 + ": ParserError",
	},
	{
		// bun reads single-quoted strings; tollgate refuses the file at the
		// line rather than read it otherwise.
		Name:    "a single-quoted key",
		Src:     bunEdit(`"is-odd/is-number"`, `'is-odd/is-number'`),
		ErrLine: 18, ErrText: "expected a string key",
		Source: bun145 + ": read as written",
	},
	{
		Name:    "an unquoted key",
		Src:     bunEdit(`"configVersion"`, `configVersion`),
		ErrLine: 3, ErrText: "expected a string key",
		Source: bun145 + ": ParserError",
	},
	{
		Name:   "an escaped key",
		Src:    bunEdit(`"is-odd": [`, `"is-\u006fdd": [`),
		Want:   bunAsWritten,
		Source: bun145 + ": read as written",
	},
	{
		Name:    "two commas",
		Src:     bunEdit(`Kw3KMPwfDzg=="],`, `Kw3KMPwfDzg=="],,`),
		ErrLine: 18,
		Source:  bun145 + `: error: Expected string but found ","`,
	},
}

func TestBunReadings(t *testing.T) {
	lt.CheckReadings(t, bunlock.Parser{}, "bun.lock", bunReadings)
}
