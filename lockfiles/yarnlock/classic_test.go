package yarnlock

import (
	"slices"
	"strconv"
	"testing"

	"github.com/tollgate-dev/tollgate/lockfiles/lockfilestest"
)

const v1Header = "# yarn lockfile v1\n\n"

// yarn1Cases are yarn classic files on which a line-by-line reading and yarn
// differ. Each "yarn" comment is what yarn 1.22.22's own reader (module 301
// of its lib/cli.js bundle, run under node 20.20.2) returned for the content;
// want is what tollgate must report (name@version:line), or errLine > 0 for
// a refusal at that line.
var yarn1Cases = []struct {
	name    string
	content string
	want    []string
	errLine int
}{
	// yarn: {"benign@^1":{},"evil@^1":{"version":"6.6.6"}}. A lone CR ends a
	// token: the header line holds two keys, and the fields belong to the
	// second. A line reader saw one entry "benign@^1:\revil@^1" (benign).
	{"lone CR splits a header", v1Header + "benign@^1:\revil@^1:\n  version \"6.6.6\"\n", []string{"benign@:3", "evil@6.6.6:3"}, 0},
	// yarn: {}. The header comment runs to the next LF, which never comes.
	{"CR-only file is one comment", "# yarn lockfile v1\r\r\"a@^1\":\r  version \"1.0.0\"\r", nil, 0},
	{"CRLF", "# yarn lockfile v1\r\n\r\n\"a@^1\":\r\n  version \"1.0.0\"\r\n", []string{"a@1.0.0:3"}, 0},
	// yarn: {"a@^1":{"version":"1.0.0"}} after the byte-order mark is stripped.
	{"byte-order mark", "\ufeff" + v1Header + "\"a@^1\":\n  version \"1.0.0\"\n", []string{"a@1.0.0:3"}, 0},
	// yarn: {"a@^1":{"version":"1.0.0"}}: the last of duplicate headers wins.
	{"duplicate header", v1Header + "\"a@^1\":\n  version \"6.6.6\"\n\n\"a@^1\":\n  version \"1.0.0\"\n", []string{"a@1.0.0:6"}, 0},
	// yarn: {"a@^1":{"version":"6.6.6"},"b@^1":{"version":"1.0.0"}}: only the
	// key assigned again is overridden, not its sibling.
	{"duplicate of one of two keys", v1Header + "\"a@^1\", \"b@^1\":\n  version \"6.6.6\"\n\n\"b@^1\":\n  version \"1.0.0\"\n", []string{"a@6.6.6:3", "b@1.0.0:6"}, 0},
	// yarn: {"a@^1":{"version":"1.0.0"}}: the last of duplicate fields wins.
	{"duplicate field", v1Header + "\"a@^1\":\n  version \"6.6.6\"\n  version \"1.0.0\"\n", []string{"a@1.0.0:3"}, 0},
	// yarn: {"a@^1":{"version":"1.0.0","resolved":"x"}}: two fields on one line.
	{"two fields on a line", v1Header + "\"a@^1\":\n  version \"1.0.0\" resolved \"x\"\n", []string{"a@1.0.0:3"}, 0},
	// yarn: {"a@^1":{"version":"6.6.6"}}: comments end at LF, anywhere.
	{"comment after a value", v1Header + "\"a@^1\": # c\n  version \"6.6.6\" # c\n", []string{"a@6.6.6:3"}, 0},
	// yarn: {"a@^1":{"version":"1.0.0"}}: the colon is optional.
	{"colon after the key", v1Header + "\"a@^1\":\n  version: \"1.0.0\"\n", []string{"a@1.0.0:3"}, 0},
	// yarn: {"a@^1":{"version":1}}: an unquoted number.
	{"number", v1Header + "\"a@^1\":\n  version 1\n", []string{"a@1:3"}, 0},
	// yarn: {"a@^1":{"version":"1.0.0/"}}: quoted strings are JSON ("\/").
	{"JSON escape", v1Header + "\"a@^1\":\n  version \"1.0.0\\/\"\n", []string{"a@1.0.0/:3"}, 0},
	// yarn: {"a@^1":{"dependencies":{"b":"^1"}},"c@^1":{"version":"1.0.0"}}.
	{"nested block then entry", v1Header + "\"a@^1\":\n  dependencies:\n    b \"^1\"\n\"c@^1\":\n  version \"1.0.0\"\n", []string{"a@:3", "c@1.0.0:6"}, 0},
	// yarn: {"a@^1":{"version":"1.0.0","dependencies":{},"b":"1"}}.
	{"empty nested block", v1Header + "\"a@^1\":\n  version \"1.0.0\"\n  dependencies:\n  b \"1\"\n", []string{"a@1.0.0:3"}, 0},
	// yarn's reader throws, then js-yaml reads the file: {"a@^1":{"version":"6.6.6"}}.
	{"YAML flow mapping", v1Header + "\"a@^1\": {version: \"6.6.6\"}\n", nil, 3},
	// yarn's reader throws ("Invalid number of spaces"); js-yaml reads the
	// entry as one string.
	{"odd indentation", v1Header + "\"a@^1\":\n  version \"1.0.0\"\n   resolved \"x\"\n", nil, 5},
	// yarn's reader throws on an unquoted URL (the ':' ends the token).
	{"unquoted URL", v1Header + "\"a@^1\":\n  version \"1.0.0\"\n  resolved https://x/a.tgz\n", nil, 5},
	{"single quotes", v1Header + "\"a@^1\":\n  version '6.6.6'\n", nil, 4},
	{"Go escape", v1Header + "\"a@^1\":\n  version \"\\x31.0.0\"\n", nil, 4},
	// yarn's reader and js-yaml both throw.
	{"tab", v1Header + "\"a@^1\":\n\tversion \"6.6.6\"\n", nil, 4},
	{"vertical tab", v1Header + "\"a@^1\":\n  version \"1.0.0\"\n\v\"b@^1\":\n  version \"1.0.0\"\n", nil, 5},
	{"form feed", v1Header + "\"a@^1\":\n  version \"1.0.0\"\n\f\n", nil, 5},
	{"NUL", v1Header + "\"a@^1\":\n  version \"1.0.0\"\n\x00", nil, 5},
	{"LINE SEPARATOR", v1Header + "\"a@^1\":\n  version \"1.0.0\"\u2028\"b@^1\":\n  version \"2.0.0\"\n", nil, 4},
	{"NEL", v1Header + "\"a@^1\":\n  version \"1.0.0\"\u0085\"b@^1\":\n  version \"2.0.0\"\n", nil, 4},
	{"header without colon", v1Header + "\"a@^1\"\n  version \"1.0.0\"\n", nil, 3},
	// yarn: {"a@^1":{}}: its reader stops at the deeper indentation and
	// ignores the rest of the file (b@^1 too).
	{"four-space fields", v1Header + "\"a@^1\":\n    version \"6.6.6\"\n\"b@^1\":\n  version \"1.0.0\"\n", nil, 4},
	// yarn: {}: an indented first line stops it at once.
	{"indented first entry", v1Header + "  \"a@^1\":\n    version \"1.0.0\"\n", nil, 3},
	// yarn: {"type":"merge"} of the two sides, a@^1 at 1.0.0 from "theirs".
	{"conflict markers", v1Header + "<<<<<<< HEAD\n\"a@^1\":\n  version \"6.6.6\"\n=======\n\"a@^1\":\n  version \"1.0.0\"\n>>>>>>> x\n", nil, 3},
	// yarn 1 refuses a newer lockfile version named in a comment.
	{"newer version comment", "# yarn lockfile v2\n\n\"a@^1\":\n  version \"1.0.0\"\n", nil, 1},
}

func TestReadsWhatYarn1Reads(t *testing.T) {
	for _, tt := range yarn1Cases {
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
