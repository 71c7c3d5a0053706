package yarnlock

import (
	"slices"
	"strconv"
	"testing"

	"github.com/tollgate-dev/tollgate/lockfiles/lockfilestest"
)

const berryMeta = "__metadata:\n  version: 8\n  cacheKey: 10c0\n\n"

// berryCases are yarn berry files that a line reader and berry's YAML reading
// could see differently. Each "berry" comment is what parseSyml of
// @yarnpkg/parsers 3.1.0 (js-yaml, failsafe schema, json: true: the reader
// of yarn 4) returned under node 20.20.2; want is what tollgate reports
// (name@version:line), or errLine > 0 for a refusal at that line.
var berryCases = []struct {
	name    string
	content string
	want    []string
	errLine int
}{
	{"plain", berryMeta + "\"a@npm:^1\":\n  version: 1.0.0\n  resolution: \"a@npm:1.0.0\"\n  languageName: node\n", []string{"a@1.0.0:5"}, 0},
	{"CRLF", "__metadata:\r\n  version: 8\r\n\r\n\"a@npm:^1\":\r\n  version: 1.0.0\r\n  resolution: \"a@npm:1.0.0\"\r\n", []string{"a@1.0.0:4"}, 0},
	// berry: {"a@npm:^1":{"version":"1.0.0","resolution":"a@npm:1.0.0"}}: the
	// last of duplicate fields wins (json: true).
	{"duplicate field", berryMeta + "\"a@npm:^1\":\n  version: 6.6.6\n  resolution: \"a@npm:6.6.6\"\n  resolution: \"a@npm:1.0.0\"\n  version: 1.0.0\n", []string{"a@1.0.0:5"}, 0},
	// berry: {"a@npm:^1":{"version":"6.6.6","resolution":"a@npm:6.6.6"}}: a
	// line reader that reads fields at two spaces only saw none.
	{"four-space fields", berryMeta + "\"a@npm:^1\":\n    version: 6.6.6\n    resolution: \"a@npm:6.6.6\"\n", nil, 6},
	// berry: the same from a flow mapping.
	{"flow mapping", berryMeta + "\"a@npm:^1\": {version: 6.6.6, resolution: \"a@npm:6.6.6\"}\n", nil, 5},
	// berry: a@npm:^1 is the aliased block: resolution evil@npm:6.6.6.
	{"alias", berryMeta + "\"b@npm:^1\": &x\n  version: 6.6.6\n  resolution: \"evil@npm:6.6.6\"\n\"a@npm:^1\": *x\n", nil, 5},
	// berry: {"a@npm:^1":{"version":"1.0.0",...}}: YAML ends lines at a lone CR.
	{"CR-only lines", "__metadata:\r  version: 8\r\r\"a@npm:^1\":\r  version: 1.0.0\r  resolution: \"a@npm:1.0.0\"\r", nil, 1},
	// berry: {"b@npm:^1":null,"a@npm:^1":{"version":"6.6.6",...}}.
	{"lone CR splits a header", berryMeta + "\"b@npm:^1\":\r\"a@npm:^1\":\n  version: 6.6.6\n  resolution: \"a@npm:6.6.6\"\n", nil, 5},
	// berry: {"a@npm:^1":{"version":"6.6.6","resolution":"a@npm:6.6.6"}}.
	{"comments after values", berryMeta + "\"a@npm:^1\": # c\n  version: 6.6.6 # c\n  resolution: \"a@npm:6.6.6\" # c\n", nil, 5},
	{"block scalar", berryMeta + "\"a@npm:^1\":\n  version: 6.6.6\n  resolution: >-\n    a@npm:6.6.6\n", nil, 7},
	{"single-quoted key", berryMeta + "\"a@npm:^1\":\n  version: 6.6.6\n  'resolution': \"a@npm:6.6.6\"\n", nil, 7},
	// berry: version "6.6.6": YAML reads the \x36 escape.
	{"escape", berryMeta + "\"a@npm:^1\":\n  version: \"6.6.\\x36\"\n", nil, 6},
	// berry: {"a@npm:^1":{"version":"6.6.6","resolution":"a@npm:6.6.6"}}.
	{"explicit key", berryMeta + "? \"a@npm:^1\"\n: version: 6.6.6\n  resolution: \"a@npm:6.6.6\"\n", nil, 5},
	{"tag", berryMeta + "\"a@npm:^1\":\n  version: !!str 6.6.6\n", nil, 6},
	// berry: js-yaml throws on these; tollgate refuses them too.
	{"tab", berryMeta + "\"a@npm:^1\":\n\tversion: 6.6.6\n", nil, 6},
	{"two documents", berryMeta + "\"a@npm:^1\":\n  version: 1.0.0\n---\n\"b@npm:^1\":\n  version: 6.6.6\n", nil, 7},
	{"LINE SEPARATOR", berryMeta + "\"a@npm:^1\":\n  version: 1.0.0\u2028  resolution: \"a@npm:6.6.6\"\n", nil, 6},
}

func TestReadsWhatBerryReads(t *testing.T) {
	for _, tt := range berryCases {
		t.Run(tt.name, func(t *testing.T) {
			pkgs, err := lockfilestest.ParseBytes(Parser{}, "yarn.lock", []byte(tt.content))
			if tt.errLine > 0 {
				lockfilestest.AssertParseError(t, err, "yarn.lock", tt.errLine)
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			var got []string
			for _, p := range pkgs {
				got = append(got, p.Name+"@"+p.Version+":"+strconv.Itoa(p.Line))
			}
			if !slices.Equal(got, tt.want) {
				t.Errorf("got %v, want %v", got, tt.want)
			}
		})
	}
}
