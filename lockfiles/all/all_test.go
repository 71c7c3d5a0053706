package all

import (
	"context"
	"flag"
	"fmt"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"slices"
	"sort"
	"strconv"
	"strings"
	"testing"
	"unicode/utf8"

	goldenfile "github.com/tollgate-dev/tollgate/internal/golden"

	"github.com/tollgate-dev/tollgate/internal/shareddata"
	"github.com/tollgate-dev/tollgate/lockfiles"
	"github.com/tollgate-dev/tollgate/lockfiles/ghactions"
	"github.com/tollgate-dev/tollgate/lockfiles/requirements"
)

var update = flag.Bool("update", false, "rewrite golden files")

// summary renders an inventory as one line per lockfile: path, parser,
// package count, how many are local, direct and dev, and the error if any.
func summary(inv *lockfiles.Inventory, parserOf map[string]string) string {
	type counts struct{ n, local, direct, dev int }
	per := map[string]*counts{}
	for _, f := range inv.Files {
		per[f] = &counts{}
	}
	for _, p := range inv.Packages {
		c := per[p.Path]
		if c == nil {
			c = &counts{}
			per[p.Path] = c
		}
		c.n++
		if p.Source == lockfiles.SourceLocal {
			c.local++
		}
		if p.Direct {
			c.direct++
		}
		if p.Dev {
			c.dev++
		}
	}
	errs := map[string]string{}
	for _, e := range inv.Errors {
		errs[e.Path] = e.Error()
	}
	paths := make([]string, 0, len(per))
	for p := range per {
		paths = append(paths, p)
	}
	sort.Strings(paths)
	var b strings.Builder
	for _, p := range paths {
		c := per[p]
		fmt.Fprintf(&b, "%s\t%s\tpackages=%d local=%d direct=%d dev=%d", p, parserOf[p], c.n, c.local, c.direct, c.dev)
		if e, ok := errs[p]; ok {
			fmt.Fprintf(&b, "\terror=%s", e)
		}
		b.WriteString("\n")
	}
	return b.String()
}

func golden(t *testing.T, name, got string) {
	t.Helper()
	goldenfile.Check(t, "./lockfiles/all", name, got, *update)
}

// inventoryDir holds one golden per lockfile: every entry it yields, so that
// an entry gained, lost or changed by a parser change fails the test.
const inventoryDir = "testdata/inventory"

// inventoryText renders what inv holds for one lockfile: a header with its
// parser, count and error, then one line per package, sorted by line.
func inventoryText(file, parser string, pkgs []lockfiles.Package, errs []string) string {
	lines := make([]string, 0, len(pkgs))
	for _, p := range pkgs {
		var b strings.Builder
		fmt.Fprintf(&b, "%d\t%s\t%s\t%s\t%s", p.Line, field(p.Ecosystem), field(p.Name), field(p.Version), field(p.PURL))
		for _, f := range []struct {
			set  bool
			text string
		}{
			{p.Direct, "direct"},
			{p.Dev, "dev"},
			{p.Source != "", "source=" + field(p.Source)},
			{p.Alias != "", "alias=" + field(p.Alias)},
			{p.PinnedSHA, "pinned-sha"},
			{p.Integrity != "", "integrity=" + field(p.Integrity)},
			{p.Resolved != "", "resolved=" + field(p.Resolved)},
		} {
			if f.set {
				b.WriteString("\t" + f.text)
			}
		}
		lines = append(lines, b.String())
	}
	lineNo := func(s string) int { n, _ := strconv.Atoi(s[:strings.IndexByte(s, '\t')]); return n }
	slices.SortFunc(lines, func(a, b string) int {
		if d := lineNo(a) - lineNo(b); d != 0 {
			return d
		}
		return strings.Compare(a, b)
	})
	var b strings.Builder
	fmt.Fprintf(&b, "# %s\tparser=%s\tpackages=%d\n", file, parser, len(pkgs))
	b.WriteString("# line\tecosystem\tname\tversion\tpurl\t[direct dev source= alias= pinned-sha integrity= resolved=]\n")
	for _, e := range errs {
		fmt.Fprintf(&b, "# error: %s\n", field(e))
	}
	for _, l := range lines {
		b.WriteString(l + "\n")
	}
	return b.String()
}

// field keeps one value on its line and its tab-separated column: quoted
// when it holds a tab, a line break or invalid UTF-8, as is otherwise.
func field(s string) string {
	if strings.ContainsAny(s, "\t\r\n") || !utf8.ValidString(s) || strings.HasPrefix(s, `"`) {
		return strconv.Quote(s)
	}
	return s
}

// goldenInventory compares one golden per lockfile of inv under
// inventoryDir/prefix/<path>.golden (the corpus's own paths) and fails for a
// golden no lockfile produced any more; -update rewrites and prunes them.
func goldenInventory(t *testing.T, prefix string, inv *lockfiles.Inventory, parserOf map[string]string) {
	t.Helper()
	pkgsOf := map[string][]lockfiles.Package{}
	errsOf := map[string][]string{}
	for _, f := range inv.Files {
		pkgsOf[f] = nil
	}
	for _, p := range inv.Packages {
		// The parsers redact URL credentials as they read; one that stopped
		// would write them into the repository here.
		for _, v := range []string{p.Name, p.Version, p.PURL, p.Integrity, p.Resolved, p.Alias} {
			if lockfiles.RedactURL(v) != v {
				t.Fatalf("%s:%d: unredacted credential in %q: not written", p.Path, p.Line, lockfiles.RedactURL(v))
			}
		}
		pkgsOf[p.Path] = append(pkgsOf[p.Path], p)
	}
	for _, e := range inv.Errors {
		if _, ok := pkgsOf[e.Path]; !ok {
			pkgsOf[e.Path] = nil
		}
		errsOf[e.Path] = append(errsOf[e.Path], e.Error())
	}
	want := map[string]bool{}
	for file, pkgs := range pkgsOf {
		name := path.Join(prefix, file) + ".golden"
		want[name] = true
		got := inventoryText(path.Join(prefix, file), parserOf[file], pkgs, errsOf[file])
		p := filepath.Join(inventoryDir, filepath.FromSlash(name))
		if *update {
			if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
				t.Fatal(err)
			}
			if err := os.WriteFile(p, []byte(got), 0o644); err != nil {
				t.Fatal(err)
			}
			continue
		}
		want, err := os.ReadFile(p)
		if err != nil {
			t.Errorf("%v (go test ./lockfiles/all -run 'TestRealCorpus|TestEdgeFixtures' -update)", err)
			continue
		}
		if got != string(want) {
			t.Errorf("%s:\n%s", p, lineDiff(string(want), got))
		}
	}
	root := filepath.Join(inventoryDir, filepath.FromSlash(prefix))
	err := filepath.WalkDir(root, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			if os.IsNotExist(err) && p == root && !*update {
				t.Errorf("no inventory goldens under %s (go test ./lockfiles/all -update)", root)
				return nil
			}
			return err
		}
		rel, _ := filepath.Rel(inventoryDir, p)
		rel = filepath.ToSlash(rel)
		if d.IsDir() {
			if prefix == "" && rel == "fixtures-osv-scalibr" { // TestEdgeFixtures' own
				return fs.SkipDir
			}
			return nil
		}
		if want[rel] {
			return nil
		}
		if *update {
			return os.Remove(p)
		}
		t.Errorf("%s: no lockfile yields it any more (go test ./lockfiles/all -update removes it)", p)
		return nil
	})
	if err != nil && !os.IsNotExist(err) {
		t.Fatal(err)
	}
}

// lineDiff lists the lines only want has (-) and only got has (+), at most
// 20 of each: an entry lost or gained shows once, not as a shift of every
// line after it. Equal multisets in another order are reported as such.
func lineDiff(want, got string) string {
	count := map[string]int{}
	for _, l := range strings.Split(want, "\n") {
		count[l]++
	}
	for _, l := range strings.Split(got, "\n") {
		count[l]--
	}
	var minus, plus []string
	for _, l := range strings.Split(want, "\n") {
		if count[l] > 0 {
			count[l]--
			minus = append(minus, "- "+l)
		}
	}
	for _, l := range strings.Split(got, "\n") {
		if count[l] < 0 {
			count[l]++
			plus = append(plus, "+ "+l)
		}
	}
	if len(minus)+len(plus) == 0 {
		return "same lines, another order"
	}
	var b strings.Builder
	for _, side := range [][]string{minus, plus} {
		for i, l := range side {
			if i == 20 {
				fmt.Fprintf(&b, "  ... and %d more\n", len(side)-20)
				break
			}
			b.WriteString(l + "\n")
		}
	}
	return b.String()
}

// undiscovered parses the real files of the corpus that discovery passes by,
// with the parser that reads them: workflows sit outside .github/workflows
// there, and two pip-compile files are named main.txt and main.in.
func undiscovered(t *testing.T, dir string) (*lockfiles.Inventory, map[string]string) {
	t.Helper()
	fsys := os.DirFS(dir)
	var files []lockfiles.File
	parserOf := map[string]string{}
	for _, g := range []struct {
		pattern string
		parser  lockfiles.Parser
		atLeast int
	}{
		{"github-workflows/*/*.yml", ghactions.Parser{}, 40},
		{"github-workflows/*/*.yaml", ghactions.Parser{}, 20},
		{"requirements-txt/*/main.txt", requirements.Parser{}, 1},
		{"requirements-txt/*/main.in", requirements.Parser{}, 1},
	} {
		matches, err := fs.Glob(fsys, g.pattern)
		if err != nil {
			t.Fatal(err)
		}
		if len(matches) < g.atLeast {
			t.Errorf("%d real files match %s, want at least %d", len(matches), g.pattern, g.atLeast)
		}
		for _, m := range matches {
			files = append(files, lockfiles.File{Path: m, Parser: g.parser})
			parserOf[m] = g.parser.Name()
		}
	}
	return lockfiles.ParseFiles(context.Background(), fsys, files, lockfiles.DiscoverOptions{}), parserOf
}

// checkEveryFileRead fails for a real corpus file that neither discovery nor
// undiscovered reads: a file added to the corpus must get a golden.
func checkEveryFileRead(t *testing.T, dir string, read []string) {
	t.Helper()
	seen := map[string]bool{}
	for _, f := range read {
		seen[f] = true
	}
	err := filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(dir, p)
		rel = filepath.ToSlash(rel)
		switch {
		case d.IsDir():
			if rel == "fixtures-osv-scalibr" {
				return fs.SkipDir
			}
		case rel == "README.md" || rel == "SOURCES.md" || rel == "sources.json":
		case path.Base(rel) == "go.sum" && seen[path.Join(path.Dir(rel), "go.mod")]: // read with its go.mod
		case !seen[rel]:
			t.Errorf("real corpus file %s is read by no test here", rel)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}

func discover(t *testing.T, dir string) (*lockfiles.Inventory, map[string]string) {
	t.Helper()
	fsys := os.DirFS(dir)
	files, err := lockfiles.Find(context.Background(), fsys, Parsers(), nil)
	if err != nil {
		t.Fatal(err)
	}
	parserOf := map[string]string{}
	for _, f := range files {
		parserOf[f.Path] = f.Parser.Name()
	}
	return lockfiles.ParseFiles(context.Background(), fsys, files, lockfiles.DiscoverOptions{}), parserOf
}

// TestRealCorpus reads every real lockfile of the shared corpus through
// discovery, as a scan does, and pins what each yields. Per-format tests
// check entries by hand; this one checks that discovery finds every file,
// that each goes to the right parser, and that none fails; and, in
// testdata/inventory, every entry of every file (with the files discovery
// passes by).
func TestRealCorpus(t *testing.T) {
	root := shareddata.Path(t, "lockfiles")
	inv, parserOf := discover(t, root)
	var real lockfiles.Inventory
	for _, f := range inv.Files {
		if !strings.HasPrefix(f, "fixtures-osv-scalibr/") {
			real.Files = append(real.Files, f)
		}
	}
	for _, p := range inv.Packages {
		if !strings.HasPrefix(p.Path, "fixtures-osv-scalibr/") {
			real.Packages = append(real.Packages, p)
		}
	}
	for _, e := range inv.Errors {
		if !strings.HasPrefix(e.Path, "fixtures-osv-scalibr/") {
			t.Errorf("real lockfile failed: %v", e)
		}
	}
	if len(real.Files) < 40 {
		t.Errorf("only %d real lockfiles discovered", len(real.Files))
	}
	for _, p := range real.Packages {
		if p.Name == "" || p.Line < 1 || p.Ecosystem == "" || (p.PURL == "" && p.Source != lockfiles.SourceLocal) {
			t.Errorf("incomplete package %+v", p)
		}
	}
	golden(t, "corpus.golden", summary(&real, parserOf))

	wf, wfParserOf := undiscovered(t, root)
	for _, e := range wf.Errors {
		t.Errorf("real file failed: %v", e)
	}
	real.Files = append(real.Files, wf.Files...)
	real.Packages = append(real.Packages, wf.Packages...)
	for f, p := range wfParserOf {
		parserOf[f] = p
	}
	checkEveryFileRead(t, root, real.Files)
	goldenInventory(t, "", &real, parserOf)
}

// TestEdgeFixtures runs discovery over osv-scalibr's edge fixtures: many are
// malformed or empty on purpose. None may panic; every failure names its file.
func TestEdgeFixtures(t *testing.T) {
	root := shareddata.Path(t, "lockfiles", "fixtures-osv-scalibr")
	inv, parserOf := discover(t, root)
	for _, e := range inv.Errors {
		if !strings.Contains(e.Error(), e.Path) {
			t.Errorf("error does not name its file: %v", e)
		}
		if strings.Contains(e.Error(), "failed: ") && strings.Contains(e.Error(), "parser ") {
			t.Errorf("a parser panicked: %v", e)
		}
	}
	golden(t, "fixtures.golden", summary(inv, parserOf))
	goldenInventory(t, "fixtures-osv-scalibr", inv, parserOf)
}
