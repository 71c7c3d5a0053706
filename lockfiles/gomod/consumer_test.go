package gomod_test

import (
	"testing"
	"testing/fstest"

	"github.com/tollgate-dev/tollgate/lockfiles"
	"github.com/tollgate-dev/tollgate/lockfiles/gomod"
	lt "github.com/tollgate-dev/tollgate/lockfiles/lockfilestest"
)

// goModEdit is the tool behind the go.mod expectations: go 1.26.8
// `go mod edit -json` (GOTOOLCHAIN=local GOPROXY=off) on each file. The go
// command and tollgate both read go.mod with golang.org/x/mod/modfile; the
// table pins that the two agree on line endings, a BOM and comments.
const goModEdit = "go 1.26.8 go mod edit -json"

var goModReadings = []lt.Reading{
	{
		Name:   "CRLF",
		Src:    "module m\r\n\r\ngo 1.22\r\n\r\nrequire (\r\n\ta.example/a v1.0.0\r\n\tb.example/b v1.0.0 // indirect\r\n)\r\n",
		Want:   []string{"a.example/a@v1.0.0", "b.example/b@v1.0.0"},
		Source: goModEdit + ": both, b indirect",
	},
	{
		// modfile takes "\r" as blank space, never as an end of line, so a
		// CR-only file is one long module directive.
		Name:    "CR only",
		Src:     "module m\rrequire a.example/a v1.0.0\rrequire evil.example/e v6.6.6\r",
		ErrLine: 1,
		ErrText: "usage: module module/path",
		Source:  goModEdit + `: "go.mod:1: usage: module module/path"`,
	},
	{
		// So a "\r" inside a // comment does not end it: the require after
		// it is comment, for the go command as for tollgate (a splitter that
		// ends lines at "\r" would report evil.example/e).
		Name:   "CR inside a comment",
		Src:    "module m\nrequire a.example/a v1.0.0 // x\rrequire evil.example/e v6.6.6\n",
		Want:   []string{"a.example/a@v1.0.0"},
		Source: goModEdit + ": a.example/a only",
	},
	{
		Name:    "BOM",
		Src:     "\ufeffmodule m\n\ngo 1.22\n\nrequire a.example/a v1.0.0\n",
		ErrLine: 1,
		ErrText: `unexpected input character '\ufeff'`,
		Source:  goModEdit + `: "go.mod:1: unexpected input character '\ufeff'"`,
	},
	{
		Name:   "line comment",
		Src:    "module m\n// require evil.example/e v6.6.6\nrequire a.example/a v1.0.0 // indirect\n",
		Want:   []string{"a.example/a@v1.0.0"},
		Source: goModEdit + ": a.example/a only, indirect",
	},
	{
		Name:    "block comment",
		Src:     "module m\nrequire a.example/a v1.0.0\n/* require evil.example/e v6.6.6 */\n",
		ErrLine: 3,
		ErrText: "must use // comments",
		Source:  goModEdit + `: "go.mod:3: mod files must use // comments (not /* */ comments)"`,
	},
	{
		// The go command keeps both requirements and builds the higher
		// (minimal version selection); tollgate lists both.
		Name:   "a module required twice",
		Src:    "module m\nrequire a.example/a v1.0.0\nrequire a.example/a v1.1.0\n",
		Want:   []string{"a.example/a@v1.0.0", "a.example/a@v1.1.0"},
		Source: goModEdit + ": both requirements",
	},
}

func TestGoModReadings(t *testing.T) {
	lt.CheckReadings(t, gomod.Parser{}, "go.mod", goModReadings)
}

// TestGoSumReadings pins how go.sum line endings reach Package.Integrity.
// go.sum only adds integrity here, so no reading of it can hide a package;
// the go command (go 1.26.8 `go list -m -json golang.org/x/mod`,
// GOPROXY=off, module in the cache) was run on each go.sum.
func TestGoSumReadings(t *testing.T) {
	const (
		mod = "module m\n\ngo 1.22\n\nrequire golang.org/x/mod v0.43.0\n"
		zip = "golang.org/x/mod v0.43.0 h1:MFuq5J6s35W9D3IjkwyWc9vHh0nENOrt5K8Iof4ofmg="
		gm  = "golang.org/x/mod v0.43.0/go.mod h1:4ec1JnuyBz5+FIVhg86UsA39YG8BpnrZdJYSNHmGzHY="
		h1  = "h1:MFuq5J6s35W9D3IjkwyWc9vHh0nENOrt5K8Iof4ofmg="
	)
	for _, c := range []struct {
		name, sum, want, source string
	}{
		{"LF", zip + "\n" + gm + "\n", h1, "Sum h1:MFuq..."},
		{"CRLF", zip + "\r\n" + gm + "\r\n", h1, "Sum h1:MFuq... (strings.Fields drops the CR)"},
		// The go command refuses the file; tollgate reads no hash from it
		// and still reports the requirement.
		{"CR only", zip + "\r" + gm + "\r", "", `"malformed go.sum"`},
		// The BOM sticks to the first module path, which then matches no
		// requirement.
		{"BOM", "\ufeff" + zip + "\n" + gm + "\n", "", "no Sum, only GoModSum"},
		// The go command refuses a line of other than three fields;
		// tollgate skips it and reads the rest.
		{"comment line", "// comment\n" + zip + "\n" + gm + "\n", h1, `"go.sum:1: wrong number of fields 2"`},
	} {
		t.Run(c.name, func(t *testing.T) {
			fsys := fstest.MapFS{"go.mod": {Data: []byte(mod)}, "go.sum": {Data: []byte(c.sum)}}
			pkgs, err := gomod.Parser{}.Parse(t.Context(), &lockfiles.Input{Path: "go.mod", Content: []byte(mod), FS: fsys})
			if err != nil {
				t.Fatal(err)
			}
			if len(pkgs) != 1 || pkgs[0].Name != "golang.org/x/mod" {
				t.Fatalf("read %v, want golang.org/x/mod", lt.NameVersions(pkgs))
			}
			if pkgs[0].Integrity != c.want {
				t.Errorf("integrity %q, want %q (go command: %s)", pkgs[0].Integrity, c.want, c.source)
			}
		})
	}
}
