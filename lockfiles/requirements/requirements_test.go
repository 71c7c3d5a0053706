package requirements

import (
	"context"
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"sort"
	"strings"
	"testing"
	"testing/fstest"

	"github.com/tollgate-dev/tollgate/internal/shareddata"
	"github.com/tollgate-dev/tollgate/lockfiles"
	"github.com/tollgate-dev/tollgate/lockfiles/lockfilestest"
)

var (
	yes      = lockfilestest.Bool(true)
	no       = lockfilestest.Bool(false)
	str      = lockfilestest.Str
	unpinned = lockfilestest.Str(lockfiles.SourceUnpinned)
	local    = lockfilestest.Str(lockfiles.SourceLocal)
	git      = lockfilestest.Str(lockfiles.SourceGit)
	url      = lockfilestest.Str(lockfiles.SourceURL)
)

func TestMatch(t *testing.T) {
	for p, want := range map[string]bool{
		"requirements.txt":            true,
		"a/requirements-dev.txt":      true,
		"requirements_test.txt":       true,
		"requirements.in":             true,
		"requirements/main.txt":       true,
		"x/requirements/main.in":      true,
		"docs-requirements.txt":       true,
		"requirements.txt.bak":        false,
		"requirements/README.md":      false,
		"constraints.txt":             false,
		"dev-requirements.in":         false,
		"notes.txt":                   false,
		"requirements-txt/readme.txt": false,
	} {
		if got := (Parser{}).Match(p); got != want {
			t.Errorf("Match(%q) = %v, want %v", p, got, want)
		}
	}
}

func TestRealFiles(t *testing.T) {
	dir := shareddata.Path(t, "lockfiles", "requirements-txt")
	tests := []struct {
		file          string
		count, direct int
		wants         []lockfilestest.Want
	}{
		{
			// pip-compile without hashes. Count: grep -c '^[A-Za-z0-9]' = 39.
			// Direct: entries whose "# via" block names "-r docs/build/requirements.in"
			// (awk over the blocks) = 3.
			file: "aquasecurity-trivy/requirements.txt", count: 39, direct: 3,
			wants: []lockfilestest.Want{
				{Name: "babel", Version: "2.16.0", Line: 7, Direct: no, Source: str("")},
				{Name: "idna", Version: "3.10", Line: 25, Direct: no},
				{Name: "mike", Version: "2.1.3", Line: 50, Direct: yes},
				{Name: "mkdocs", Version: "1.6.1", Line: 52, Direct: no},
				{Name: "mkdocs-material", Version: "9.7.0", Line: 61, Direct: yes},
				{Name: "zipp", Version: "3.21.0", Line: 113, Direct: no},
			},
		},
		{
			// pip-compile --generate-hashes. Count: grep -c '^[A-Za-z0-9]' = 184;
			// direct: blocks naming "-r requirements/main.in" = 79.
			file: "pypi-warehouse-hashes/main.txt", count: 184, direct: 79,
			wants: []lockfilestest.Want{
				{Name: "alembic", Version: "1.18.5", Line: 7, Direct: yes,
					Integrity: "sha256:06d8ba9d04558022f5395e9317de03d270f3dced49cee01f89fe7a13c26f14bc sha256:1554982221dd17e9a749b53902407578eb305e453f71999e8c7f0a48389fff8e"},
				{Name: "amqp", Version: "5.3.1", Line: 17, Direct: no},
				{Name: "zope-deprecation", Version: "6.0", Line: 2611, Direct: no},
				{Name: "zope-sqlalchemy", Version: "4.1", Line: 2666, Direct: yes},
			},
		},
		{
			// Unpinned ranges and "-e .": 16 lines, all requirements (15 names
			// with ranges, one editable path), no annotations so all direct.
			file: "pypa-pipenv/requirements.txt", count: 16, direct: 16,
			wants: []lockfilestest.Want{
				{Name: "myst-parser", Version: "", Line: 4, Source: unpinned},
				{Name: ".", Version: "", Line: 5, Source: local},
				{Name: "Sphinx", Version: "", Line: 9, Source: unpinned, PURL: "pkg:pypi/sphinx"},
				{Name: "certifi", Version: "", Line: 15, Source: unpinned, Direct: yes},
			},
		},
		{
			// pip-compile input: 79 lines, all requirements, none pinned.
			file: "pypi-warehouse-unpinned/main.in", count: 79, direct: 79,
			wants: []lockfilestest.Want{
				{Name: "Automat", Version: "", Line: 3, Source: unpinned},
				{Name: "celery", Version: "", Line: 9, Source: unpinned},
				{Name: "kombu", Version: "", Line: 27, Source: unpinned},
				{Name: "zxcvbn", Version: "", Line: 79, Source: unpinned},
			},
		},
	}
	for _, tt := range tests {
		t.Run(tt.file, func(t *testing.T) {
			pkgs := lockfilestest.ParseFile(t, Parser{}, filepath.Join(dir, tt.file))
			if len(pkgs) != tt.count {
				t.Errorf("got %d packages, want %d", len(pkgs), tt.count)
			}
			direct := 0
			for _, p := range pkgs {
				if p.Direct {
					direct++
				}
				if p.Ecosystem != lockfiles.EcosystemPyPI || p.Path != filepath.Base(tt.file) {
					t.Errorf("unexpected entry %+v", p)
				}
			}
			if direct != tt.direct {
				t.Errorf("%d direct, want %d", direct, tt.direct)
			}
			lockfilestest.Check(t, pkgs, tt.wants)
		})
	}
}

func TestOSVScalibrFixtures(t *testing.T) {
	dir := shareddata.Path(t, "lockfiles", "fixtures-osv-scalibr", "requirements")
	tests := []struct {
		file string
		// errFile and errLine name the expected error; errFile "" means it parses.
		errFile string
		errLine int
		count   int
		wants   []lockfilestest.Want
	}{
		{file: "comments.txt", count: 5, wants: []lockfilestest.Want{
			{Name: "PyCrypto", Version: "1.2-alpha", Line: 2},
			{Name: "SymPy", Version: "1.2", Line: 6},
			{Name: "requests", Version: "1.0", Line: 7},
		}},
		// ${MY_VARIABLE_1} is expanded by pip at install time: not a pin.
		{file: "env_var.txt", count: 3, wants: []lockfilestest.Want{
			{Name: "asdf", Version: "1.2", Line: 1},
			{Name: "qwert", Version: "", Line: 2, Source: unpinned},
			{Name: "another", Version: "1.0", Line: 3},
		}},
		// -c constraints.txt names a file the fixture set lacks; pip fails too.
		{file: "example.txt", errFile: "example.txt", errLine: 22},
		{file: "extras.txt", count: 2, wants: []lockfilestest.Want{
			{Name: "pyjwt", Version: "2.1.0", Line: 1},
			{Name: "celery", Version: "4.4.7", Line: 2},
		}},
		// "asdf==" is the first invalid requirement.
		{file: "invalid.txt", errFile: "invalid.txt", errLine: 1},
		// loop.txt -> other-loop.txt -> loop.txt: the error names the -r that closes the cycle.
		{file: "loop.txt", errFile: "other-loop.txt", errLine: 2},
		{file: "multiline_and_comments.txt", count: 2, wants: []lockfilestest.Want{
			{Name: "pkgA", Version: "1.0", Line: 3, Integrity: "sha256:123"},
			{Name: "pkgB", Version: "2.0", Line: 7},
		}},
		{file: "no_version.txt", count: 3, wants: []lockfilestest.Want{
			{Name: "PyCrypto", Version: "", Line: 1, Source: unpinned},
			{Name: "SymPy", Version: "", Line: 3, Source: unpinned},
		}},
		{file: "other-loop.txt", errFile: "loop.txt", errLine: 2},
		{file: "other-requirements.txt", count: 1, wants: []lockfilestest.Want{
			{Name: "pandas", Version: "2.2.3", Line: 1},
		}},
		// foo7's "unexpected_text_before_options" is an invalid requirement to pip too.
		{file: "per_req_options.txt", errFile: "per_req_options.txt", errLine: 13},
		{file: "trailing_backslash.txt", count: 1, wants: []lockfilestest.Want{
			{Name: "pkg1", Version: "1.0", Line: 1},
		}},
		{file: "with_versions.txt", count: 11, wants: []lockfilestest.Want{
			{Name: "nltk", Version: "3.2.2", Line: 1},
			{Name: "newspaper3k", Version: "", Line: 3, Source: unpinned},
			{Name: "asdf", Version: "", Line: 4, Source: unpinned}, // ==0.7.* is a range
			{Name: "qwerty", Version: "0.1", Line: 5},              // continued on line 6
			{Name: "pkg.dot.name", Version: "5.0.0", Line: 9, PURL: "pkg:pypi/pkg-dot-name@5.0.0"},
			{Name: "yolo", Version: "1.0", Line: 11}, // ===
			{Name: "pkg", Version: "", Line: 12, Source: unpinned},
		}},
	}
	matches, _ := filepath.Glob(filepath.Join(dir, "*"))
	if len(matches) != len(tests) {
		t.Errorf("%d fixture files, %d cases: cover every file", len(matches), len(tests))
	}
	for _, tt := range tests {
		t.Run(tt.file, func(t *testing.T) {
			pkgs, err := lockfilestest.TryParseFile(Parser{}, filepath.Join(dir, tt.file))
			if tt.errFile != "" {
				lockfilestest.AssertParseError(t, err, tt.errFile, tt.errLine)
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if len(pkgs) != tt.count {
				t.Errorf("got %d packages, want %d: %+v", len(pkgs), tt.count, pkgs)
			}
			lockfilestest.Check(t, pkgs, tt.wants)
		})
	}
	// The per-requirement options before foo7 parse as pip reads them.
	data, err := os.ReadFile(filepath.Join(dir, "per_req_options.txt"))
	if err != nil {
		t.Fatal(err)
	}
	head := strings.Join(strings.SplitN(string(data), "\n", 12)[:11], "\n")
	pkgs, err := lockfilestest.ParseBytes(Parser{}, "per_req_options.txt", []byte(head))
	if err != nil {
		t.Fatal(err)
	}
	if len(pkgs) != 6 {
		t.Errorf("first 11 lines: %d packages, want 6", len(pkgs))
	}
	lockfilestest.Check(t, pkgs, []lockfilestest.Want{
		{Name: "foo1", Version: "1.0", Line: 1, Integrity: "sha256:123"},
		{Name: "foo2", Version: "1.0", Line: 3, Integrity: "sha256:123"},
		{Name: "foo3", Version: "1.0", Line: 5, Integrity: "sha256:123"},
		{Name: "foo4", Version: "1.0", Line: 7, Integrity: "wrongformatbutok"},
		{Name: "foo5", Version: "1.0", Line: 9, Integrity: "sha256:123"},
		{Name: "foo6", Version: "1.0", Line: 11, Integrity: "sha256:123"},
	})
}

func TestTricky(t *testing.T) {
	pkgs := lockfilestest.ParseFile(t, Parser{}, "testdata/tricky/requirements.txt")
	// 16 requirements in the file (lines 9-26, requests spans 10-12) plus
	// six from sub/base.txt and certifi from constraints.txt.
	if len(pkgs) != 18 {
		t.Errorf("got %d packages, want 18", len(pkgs))
	}
	lockfilestest.Check(t, pkgs, []lockfilestest.Want{
		{Name: "Django", Version: "4.2.11", Line: 9, Direct: yes, Source: str("")},
		{Name: "requests", Version: "2.31.0", Line: 10, Integrity: "sha256:aaa sha256:bbb"},
		{Name: "urllib3", Version: "", Line: 13, Source: url},
		{Name: "wheelhouse-pkg", Version: "3.0", Line: 14, Source: url},
		{Name: "widget", Version: "", Line: 15, Source: git},
		{Name: "tool", Version: "", Line: 16, Source: git},
		{Name: "editpkg", Version: "", Line: 17, Source: git},
		{Name: "acme-mylib", Version: "", Line: 18, Source: local}, // [project] name in libs/mylib/pyproject.toml
		{Name: ".", Version: "", Line: 19, Source: local},          // no metadata beside the file: no name, no purl
		{Name: "localpkg", Version: "0.9", Line: 20, Source: local},
		{Name: "wxPython_Phoenix", Version: "3.0.3.dev1820+49a8884", Line: 21, Source: url},
		{Name: "flask", Version: "", Line: 22, Source: unpinned},
		{Name: "numpy", Version: "", Line: 23, Source: unpinned},
		{Name: "version-from-env", Version: "", Line: 24, Source: unpinned},
		{Name: "exact", Version: "1.0+local", Line: 25, Source: str("")},
		{Name: "pkg-with-comment", Version: "1.0", Line: 26},
	})
	byName := map[string]lockfiles.Package{}
	for _, p := range pkgs {
		byName[p.Name] = p
	}
	// Packages from included files carry that file's path and line; the
	// -c of a file already read through sub/base.txt adds nothing.
	for name, want := range map[string]string{"six": "sub/base.txt", "certifi": "constraints.txt", "Django": "requirements.txt"} {
		if p := byName[name]; p.Path != want || p.Line == 0 {
			t.Errorf("%s: path %q line %d, want %q", name, p.Path, p.Line, want)
		}
	}
	if p := byName["six"]; p.Line != 2 || p.Version != "1.16.0" {
		t.Errorf("six: %+v", p)
	}
	for name, want := range map[string]string{
		"urllib3":    "https://github.com/urllib3/urllib3/archive/refs/tags/1.26.8.zip",
		"widget":     "git+https://github.com/acme/widget.git@0123456789abcdef0123456789abcdef01234567#egg=widget",
		"tool":       "git+https://github.com/acme/tool.git@v1.0",
		"acme-mylib": "./libs/mylib",
	} {
		if got := byName[name].Resolved; got != want {
			t.Errorf("%s: resolved %q, want %q", name, got, want)
		}
	}
	if p := byName["."]; p.PURL != "" {
		t.Errorf("-e . without metadata has purl %q, want none", p.PURL)
	}
	if p := byName["acme-mylib"]; p.PURL != "pkg:pypi/acme-mylib" {
		t.Errorf("acme-mylib purl %q", p.PURL)
	}
	// constraints.txt is read first through -r from sub/base.txt, as pip
	// reads it: certifi is a requirement there.
	if p := byName["certifi"]; !p.Direct {
		t.Errorf("certifi, required through sub/base.txt, is not direct")
	}
	if !byName["widget"].PinnedSHA || byName["tool"].PinnedSHA {
		t.Errorf("pinned: widget %v tool %v", byName["widget"].PinnedSHA, byName["tool"].PinnedSHA)
	}
	if got := byName["tool"].PURL; got != "pkg:pypi/tool?vcs_url=git%2Bhttps:%2F%2Fgithub.com%2Facme%2Ftool.git%40v1.0" {
		t.Errorf("tool purl %q", got)
	}
}

func TestViaAnnotations(t *testing.T) {
	pkgs := lockfilestest.ParseFile(t, Parser{}, "testdata/compiled.txt")
	if len(pkgs) != 6 {
		t.Errorf("got %d packages, want 6", len(pkgs))
	}
	lockfilestest.Check(t, pkgs, []lockfilestest.Want{
		{Name: "attrs", Version: "23.1.0", Line: 4, Direct: yes},
		{Name: "cattrs", Version: "23.2.3", Line: 8, Direct: no}, // only a constraint
		{Name: "click", Version: "8.1.7", Line: 10, Direct: yes}, // (pyproject.toml)
		{Name: "colorama", Version: "0.4.6", Line: 14, Direct: no},
		{Name: "plain", Version: "1.0", Line: 16, Direct: yes}, // no annotation
		{Name: "setuptools", Version: "69.0.0", Line: 19, Direct: yes},
	})
}

func TestIncludes(t *testing.T) {
	parse := func(fsys fstest.MapFS, name string, limits lockfiles.Limits) ([]lockfiles.Package, error) {
		return lockfiles.ParseFile(context.Background(), fsys, name, Parser{}, limits)
	}
	t.Run("constraints are not direct", func(t *testing.T) {
		fsys := fstest.MapFS{
			"requirements.txt":  {Data: []byte("-c c/constraints.txt\nflask\n")},
			"c/constraints.txt": {Data: []byte("flask==3.0.0\n-r more.txt\n")},
			"c/more.txt":        {Data: []byte("werkzeug==3.0.1\n")},
		}
		pkgs, err := parse(fsys, "requirements.txt", lockfiles.Limits{})
		if err != nil {
			t.Fatal(err)
		}
		lockfilestest.Check(t, pkgs, []lockfilestest.Want{
			{Name: "flask", Version: "", Line: 2, Direct: yes, Source: unpinned},
			{Name: "flask", Version: "3.0.0", Line: 1, Direct: no},    // c/constraints.txt
			{Name: "werkzeug", Version: "3.0.1", Line: 1, Direct: no}, // -r inside a constraints file: a constraint too
		})
	})
	t.Run("local project names", func(t *testing.T) {
		fsys := fstest.MapFS{
			"app/requirements.txt":      {Data: []byte("-e .\n-e ../poetry-lib\n-e ../cfg-lib[extra]\n-e ../bare\n")},
			"app/pyproject.toml":        {Data: []byte("[project]\nname = \"acme_app\"\n")},
			"poetry-lib/pyproject.toml": {Data: []byte("[tool.poetry]\nname = \"acme-poetry\"\n")},
			"cfg-lib/setup.cfg":         {Data: []byte("[options]\nname = wrong\n[metadata]\nname = acme.cfg\n")},
			"bare/setup.py":             {Data: []byte("from setuptools import setup\nsetup(name='never-read')\n")},
		}
		pkgs, err := parse(fsys, "app/requirements.txt", lockfiles.Limits{})
		if err != nil {
			t.Fatal(err)
		}
		var got []string
		for _, p := range pkgs {
			got = append(got, p.Name+" "+p.PURL)
		}
		want := []string{"acme_app pkg:pypi/acme-app", "acme-poetry pkg:pypi/acme-poetry", "acme.cfg pkg:pypi/acme-cfg", "bare pkg:pypi/bare"}
		if !slices.Equal(got, want) {
			t.Errorf("local projects = %q, want %q", got, want)
		}
	})
	t.Run("self include", func(t *testing.T) {
		fsys := fstest.MapFS{"requirements.txt": {Data: []byte("a==1\n-r requirements.txt\n")}}
		_, err := parse(fsys, "requirements.txt", lockfiles.Limits{})
		lockfilestest.AssertParseError(t, err, "requirements.txt", 2)
	})
	t.Run("missing", func(t *testing.T) {
		fsys := fstest.MapFS{"req/requirements.txt": {Data: []byte("a==1\n\n-r nothere.txt\n")}}
		_, err := parse(fsys, "req/requirements.txt", lockfiles.Limits{})
		lockfilestest.AssertParseError(t, err, "req/requirements.txt", 3)
	})
	t.Run("outside the tree", func(t *testing.T) {
		fsys := fstest.MapFS{"requirements.txt": {Data: []byte("-r ../../etc/passwd\n")}}
		_, err := parse(fsys, "requirements.txt", lockfiles.Limits{})
		lockfilestest.AssertParseError(t, err, "requirements.txt", 1)
	})
	t.Run("remote include skipped", func(t *testing.T) {
		fsys := fstest.MapFS{"requirements.txt": {Data: []byte("-c https://example.com/constraints.txt\nb==2\n")}}
		pkgs, err := parse(fsys, "requirements.txt", lockfiles.Limits{})
		if err != nil || len(pkgs) != 1 {
			t.Fatalf("got %v, %v", pkgs, err)
		}
	})
	t.Run("no FS", func(t *testing.T) {
		_, err := lockfilestest.ParseBytes(Parser{}, "requirements.txt", []byte("a==1\n-r other.txt\n"))
		lockfilestest.AssertParseError(t, err, "requirements.txt", 2)
	})
	t.Run("depth limit", func(t *testing.T) {
		// r0 -> r1 -> ... -> r5: five nested includes.
		fsys := fstest.MapFS{}
		for i := 0; i < 5; i++ {
			fsys["r"+string(rune('0'+i))+".txt"] = &fstest.MapFile{Data: []byte("-r r" + string(rune('1'+i)) + ".txt\n")}
		}
		fsys["r5.txt"] = &fstest.MapFile{Data: []byte("deep==1\n")}
		pkgs, err := parse(fsys, "r0.txt", lockfiles.Limits{MaxIncludes: 5})
		if err != nil || len(pkgs) != 1 || pkgs[0].Path != "r5.txt" {
			t.Fatalf("within the limit: %v, %v", pkgs, err)
		}
		_, err = parse(fsys, "r0.txt", lockfiles.Limits{MaxIncludes: 4})
		lockfilestest.AssertParseError(t, err, "r4.txt", 1)
		if !errors.Is(err, lockfiles.ErrLimit) {
			t.Errorf("error %v does not wrap ErrLimit", err)
		}
	})
	t.Run("diamond read once", func(t *testing.T) {
		fsys := fstest.MapFS{
			"requirements.txt": {Data: []byte("-r a.txt\n-r b.txt\n")},
			"a.txt":            {Data: []byte("-r common.txt\n")},
			"b.txt":            {Data: []byte("-r common.txt\n")},
			"common.txt":       {Data: []byte("shared==1\n")},
		}
		pkgs, err := parse(fsys, "requirements.txt", lockfiles.Limits{})
		if err != nil || len(pkgs) != 1 {
			t.Fatalf("got %v, %v", pkgs, err)
		}
	})
}

func TestMalformed(t *testing.T) {
	_, err := lockfilestest.TryParseFile(Parser{}, "testdata/malformed.txt")
	lockfilestest.AssertParseError(t, err, "malformed.txt", 5)
	for input, line := range map[string]int{
		"a==1\n==1.0\n":             2,
		"a[extra==1\n":              1,
		"\n\nname @\n":              3,
		"ok==1\n-e\n":               2,
		"x==1 \\\n  --hash=a\ny<\n": 3,
		"ok==1\nfoo bar/baz\n":      2,
	} {
		_, err := lockfilestest.ParseBytes(Parser{}, "requirements.txt", []byte(input))
		lockfilestest.AssertParseError(t, err, "requirements.txt", line)
	}
}

func FuzzParseRequirements(f *testing.F) {
	if dir, ok := shareddata.Optional(f, "lockfiles"); ok {
		lockfilestest.AddSeeds(f, filepath.Join(dir, "requirements-txt", "*", "*"),
			filepath.Join(dir, "fixtures-osv-scalibr", "requirements", "*"))
	}
	lockfilestest.AddSeeds(f, "testdata/*.txt", "testdata/tricky/*.txt")
	// pip's line separators (TestPipLineSplitting's table).
	var lineCases map[string]string
	b, err := os.ReadFile("testdata/pip_lines.json")
	if err == nil {
		err = json.Unmarshal(b, &lineCases)
	}
	if err != nil {
		f.Fatal(err)
	}
	for _, text := range lineCases {
		f.Add([]byte(text))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		fsys := fstest.MapFS{
			"requirements.txt": {Data: data},
			"other.txt":        {Data: data},
		}
		pkgs, _ := lockfiles.ParseFile(context.Background(), fsys, "requirements.txt", Parser{}, lockfiles.Limits{})
		lockfilestest.CheckWellFormed(t, pkgs)
	})
}

func BenchmarkParseRequirements(b *testing.B) {
	path := shareddata.Path(b, "lockfiles", "requirements-txt", "pypi-warehouse-hashes", "main.txt")
	data, err := os.ReadFile(path)
	if err != nil {
		b.Fatal(err)
	}
	in := &lockfiles.Input{Path: "main.txt", Content: data, Limits: lockfiles.Limits{}.WithDefaults()}
	b.SetBytes(int64(len(data)))
	b.ReportAllocs()
	for b.Loop() {
		if _, err := (Parser{}).Parse(context.Background(), in); err != nil {
			b.Fatal(err)
		}
	}
}

// Lines split exactly where pip splits them (Python's str.splitlines): the
// table in testdata/pip_lines.json, with what pip 23.2.1's own
// parse_requirements read from each case (testdata/pip_lines.py writes it).
// A requirement pip reads, we read with the same name and version; where pip
// reads one malformed line, we never read two packages out of it.
func TestPipLineSplitting(t *testing.T) {
	var cases map[string]string
	var pip map[string][]string
	for file, v := range map[string]any{"testdata/pip_lines.json": &cases, "testdata/pip_lines.pip-23.2.1.json": &pip} {
		b, err := os.ReadFile(file)
		if err != nil {
			t.Fatal(err)
		}
		if err := json.Unmarshal(b, v); err != nil {
			t.Fatal(file, err)
		}
	}
	if len(cases) < 15 || len(pip) != len(cases) {
		t.Fatalf("%d cases, %d pip answers", len(cases), len(pip))
	}
	pinned := regexp.MustCompile(`^[A-Za-z0-9._-]+==[0-9.]+$`)
	for name, text := range cases {
		t.Run(name, func(t *testing.T) {
			pkgs, err := lockfilestest.ParseBytes(Parser{}, "requirements.txt", []byte(text))
			var got []string
			for _, p := range pkgs {
				got = append(got, p.Name+"=="+p.Version)
			}
			sort.Strings(got)
			want := pip[name]
			wellFormed := true
			for _, r := range want {
				wellFormed = wellFormed && pinned.MatchString(r)
			}
			if !wellFormed {
				if len(got) > len(want) {
					t.Errorf("pip reads %q, we read %q", want, got)
				}
				return
			}
			if err != nil || !slices.Equal(got, want) {
				t.Errorf("pip reads %q, we read %q (%v)", want, got, err)
			}
		})
	}
	// Line numbers follow the file's newlines (what GitHub shows): both
	// packages of "# pinned\freqeusts" are on line 2.
	pkgs, err := lockfilestest.ParseBytes(Parser{}, "requirements.txt", []byte(cases["form feed after a comment"]))
	if err != nil || len(pkgs) != 2 {
		t.Fatal(err, pkgs)
	}
	for _, p := range pkgs {
		if want := map[string]int{"requests": 1, "reqeusts": 2}[p.Name]; p.Line != want {
			t.Errorf("%s on line %d, want %d", p.Name, p.Line, want)
		}
	}
	pkgs, _ = lockfilestest.ParseBytes(Parser{}, "requirements.txt", []byte(cases["CR only"]))
	if len(pkgs) != 2 || pkgs[0].Line != 1 || pkgs[1].Line != 2 {
		t.Errorf("CR-only file: %+v", pkgs)
	}
}
