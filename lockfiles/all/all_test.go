package all

import (
	"context"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"

	"github.com/tollgate-dev/tollgate/internal/shareddata"
	"github.com/tollgate-dev/tollgate/lockfiles"
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
	p := filepath.Join("testdata", name)
	if *update {
		if err := os.WriteFile(p, []byte(got), 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(p)
	if err != nil {
		t.Fatalf("%v (go test ./lockfiles/all -update)", err)
	}
	if got != string(want) {
		gl, wl := strings.Split(got, "\n"), strings.Split(string(want), "\n")
		for i := 0; i < max(len(gl), len(wl)); i++ {
			var g, w string
			if i < len(gl) {
				g = gl[i]
			}
			if i < len(wl) {
				w = wl[i]
			}
			if g != w {
				t.Errorf("%s line %d:\n got  %s\n want %s", name, i+1, g, w)
			}
		}
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
// that each goes to the right parser, and that none fails.
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
}
