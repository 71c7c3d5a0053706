package composerlock

import (
	"strings"
	"testing"

	lt "github.com/tollgate-dev/tollgate/lockfiles/lockfilestest"
)

// composer255 is the tool behind the expectations below: Composer 2.5.5 on
// PHP 8.2.36 (Debian bookworm packages), `composer show --locked` on a
// scratch project after each edit of composerBase. Composer reads the lock
// with json_decode(..., true): of repeated keys the last wins, objects
// become arrays like lists, and comments, trailing commas and a byte-order
// mark are syntax errors.
const composer255 = "composer 2.5.5 show --locked"

const composerBase = `{
    "content-hash": "0",
    "packages": [
        {
            "name": "psr/log",
            "version": "3.0.0",
            "type": "library"
        }
    ],
    "packages-dev": [],
    "plugin-api-version": "2.3.0"
}
`

func composerEdit(old, new string) string {
	if !strings.Contains(composerBase, old) {
		panic("composerEdit: " + old)
	}
	return strings.Replace(composerBase, old, new, 1)
}

func composerPkg(name, version string) string {
	return `{"name": "` + name + `", "version": "` + version + `", "type": "library"}`
}

var composerReadings = []lt.Reading{
	{Name: "as written", Src: composerBase, Want: []string{"psr/log@3.0.0"}, Source: composer255},
	{
		Name:   "packages-dev written as an object",
		Src:    composerEdit(`"packages-dev": []`, `"packages-dev": {"x": `+composerPkg("evil/pkg", "6.6.6")+`}`),
		Want:   []string{"psr/log@3.0.0", "evil/pkg@6.6.6"},
		Source: composer255 + ": evil/pkg 6.6.6 and psr/log 3.0.0",
	},
	{
		Name: "an object repeating a key",
		Src: composerEdit(`"packages-dev": []`, `"packages-dev": {"x": `+composerPkg("a/a", "1.0.0")+
			`, "y": `+composerPkg("b/b", "1.0.0")+`, "x": `+composerPkg("c/c", "1.0.0")+`}`),
		Want:   []string{"psr/log@3.0.0", "c/c@1.0.0", "b/b@1.0.0"},
		Source: composer255 + ": b/b, c/c and psr/log (the last x wins)",
	},
	{
		Name:   "packages twice",
		Src:    composerEdit(`    "packages-dev": [],`, `    "packages-dev": [],`+"\n"+`    "packages": [`+composerPkg("evil/pkg", "6.6.6")+`],`),
		Want:   []string{"evil/pkg@6.6.6"},
		Source: composer255 + ": evil/pkg 6.6.6 only",
	},
	{
		Name:   "name twice in an entry",
		Src:    composerEdit(`"name": "psr/log",`, `"name": "psr/log", "name": "evil/pkg",`),
		Want:   []string{"evil/pkg@3.0.0"},
		Source: composer255 + ": evil/pkg 3.0.0",
	},
	{
		// Composer keeps the last entry of a name; tollgate lists both.
		Name:   "one name in two entries",
		Src:    composerEdit("        }\n    ],", "        },\n        "+composerPkg("psr/log", "6.6.6")+"\n    ],"),
		Want:   []string{"psr/log@3.0.0", "psr/log@6.6.6"},
		Source: composer255 + ": psr/log 6.6.6",
	},
	{
		Name:    "a comment",
		Src:     composerEdit(`    "packages-dev": [],`, "    // c\n    \"packages-dev\": [],"),
		ErrLine: 10,
		Source:  composer255 + ": syntax error",
	},
	{
		Name:    "a trailing comma",
		Src:     composerEdit("        }\n    ],", "        },\n    ],"),
		ErrLine: 9,
		Source:  composer255 + ": syntax error",
	},
	{
		Name:    "an entry that is a list",
		Src:     composerEdit(`"packages-dev": []`, `"packages-dev": [["evil/pkg", "6.6.6"]]`),
		ErrLine: 10, ErrText: "not an object",
		Source: composer255 + ": Unknown package has no name defined",
	},
	{
		Name:    "packages-dev a string",
		Src:     composerEdit(`"packages-dev": []`, `"packages-dev": "x"`),
		ErrLine: 10, ErrText: "not an array",
		Source: composer255 + ": TypeError in array_merge()",
	},
}

func TestComposerReadings(t *testing.T) {
	lt.CheckReadings(t, Parser{}, "composer.lock", composerReadings)
}
