package gemfilelock

import (
	"strings"
	"testing"

	lt "github.com/tollgate-dev/tollgate/lockfiles/lockfilestest"
)

// bundler2315 is the tool behind the expectations below: Bundler 2.3.15 on
// ruby 3.1.2 (Debian bookworm), Bundler::LockfileParser.new(text).specs
// beside a Gemfile, after each edit of gemBase. The parser splits lines on
// /(?:\r?\n)+/, takes a line for a section header only when it starts with
// a non-space (/^[^\s]/), reads specs at exactly four spaces, and refuses a
// file holding a merge-conflict marker anywhere.
const bundler2315 = "Bundler 2.3.15 LockfileParser"

const gemBase = `GEM
  remote: https://rubygems.org/
  specs:
    rack (3.0.0)
    rake (13.0.0)

PLATFORMS
  ruby

DEPENDENCIES
  rack
  rake

BUNDLED WITH
   2.3.15
`

func gemEdit(old, new string) string {
	if !strings.Contains(gemBase, old) {
		panic("gemEdit: " + old)
	}
	return strings.Replace(gemBase, old, new, 1)
}

var gemBoth = []string{"rack@3.0.0", "rake@13.0.0"}

var gemReadings = []lt.Reading{
	{Name: "as written", Src: gemBase, Want: gemBoth, Source: bundler2315},
	{Name: "CRLF", Src: strings.ReplaceAll(gemBase, "\n", "\r\n"), Want: gemBoth, Source: bundler2315},
	{Name: "a tab-led line", Src: gemEdit("    rack (3.0.0)\n", "    rack (3.0.0)\n\tjunk\n"), Want: gemBoth,
		Source: bundler2315 + ": the line is skipped, the specs go on"},
	{Name: "a form-feed-led line", Src: gemEdit("    rack (3.0.0)\n", "    rack (3.0.0)\n\fjunk\n"), Want: gemBoth,
		Source: bundler2315 + ": the line is skipped, the specs go on"},
	{Name: "a CR-led line", Src: gemEdit("    rack (3.0.0)\n", "    rack (3.0.0)\n\rjunk\n"), Want: gemBoth,
		Source: bundler2315 + ": the line is skipped, the specs go on"},
	{Name: "a VT-led line", Src: gemEdit("    rack (3.0.0)\n", "    rack (3.0.0)\n\vjunk\n"), Want: gemBoth,
		Source: bundler2315 + ": the line is skipped, the specs go on"},
	{Name: "a no-break-space-led line is a header", Src: gemEdit("    rack (3.0.0)\n", "    rack (3.0.0)\n\u00a0junk\n"),
		Want: []string{"rack@3.0.0"}, Source: bundler2315 + ": U+00A0 is not \\s; the section ends"},
	{Name: "a spec indented by a tab", Src: gemEdit("    rake (13.0.0)", "\trake (13.0.0)"),
		Want: []string{"rack@3.0.0"}, Source: bundler2315 + ": no spec pattern matches it"},
	{Name: "a pinned marker on a spec", Src: gemEdit("    rake (13.0.0)", "    rake (13.0.0)!"), Want: gemBoth,
		Source: bundler2315 + ": the spec pattern allows the !"},
	{
		// Bundler keeps one of a repeated spec; tollgate lists both.
		Name: "a spec twice", Src: gemEdit("    rake (13.0.0)", "    rake (13.0.0)\n    rake (13.0.0)"),
		Want: []string{"rack@3.0.0", "rake@13.0.0", "rake@13.0.0"}, Source: bundler2315 + ": rack and rake",
	},
	{
		// Bundler reads no GEM section under "GEM "; tollgate reads it.
		Name: "a header with a trailing space", Src: gemEdit("GEM\n", "GEM \n"),
		Want: gemBoth, Source: bundler2315 + ": no specs",
	},
	{Name: "a merge-conflict marker", Src: gemEdit("    rack (3.0.0)\n", "    rack (3.0.0)\n=======\n"), ErrLine: 5, ErrText: "merge-conflict marker",
		Source: bundler2315 + ": LockfileError, contains merge conflicts"},
	{Name: "a marker inside a line", Src: gemEdit("BUNDLED WITH", "BUNDLED WITH <<<<<<<"), ErrLine: 14, ErrText: `"<<<<<<<"`,
		Source: bundler2315 + ": the markers are looked for anywhere"},
	{
		// Bundler reads a spec of an empty name here; tollgate refuses.
		Name: "a line of four spaces in specs", Src: gemEdit("    rack (3.0.0)\n", "    rack (3.0.0)\n    \n"),
		ErrLine: 5, Source: bundler2315 + ": a spec named \"\"",
	},
}

func TestBundlerReadings(t *testing.T) {
	lt.CheckReadings(t, Parser{}, "Gemfile.lock", gemReadings)
}
