package typosquat

import (
	"bufio"

	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/tollgate-dev/tollgate/checks/typosquat/popular"
	"github.com/tollgate-dev/tollgate/internal/shareddata"
	"github.com/tollgate-dev/tollgate/lockfiles"
	"github.com/tollgate-dev/tollgate/lockfiles/all"
)

func readLines(tb testing.TB, p string) []string {
	tb.Helper()
	f, err := os.Open(p)
	if err != nil {
		tb.Fatal(err)
	}
	defer f.Close()
	var out []string
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		if l := sc.Text(); l != "" && !strings.HasPrefix(l, "#") {
			out = append(out, l)
		}
	}
	if err := sc.Err(); err != nil {
		tb.Fatal(err)
	}
	return out
}

func embeddedCheck(tb testing.TB) *Check {
	tb.Helper()
	snap, err := popular.Embedded()
	if err != nil {
		tb.Fatal(err)
	}
	return New(snap)
}

// TestRecallOnReportedTyposquats measures recall on the labelled set of
// real typosquats (testdata/labelled.tsv): at least 80% of those whose
// target is in the snapshot, combosquats counted apart (not claimed).
func TestRecallOnReportedTyposquats(t *testing.T) {
	c := embeddedCheck(t)
	var found, total, combo, comboFound int
	for _, row := range readLines(t, filepath.Join("testdata", "labelled.tsv"))[1:] {
		f := strings.Split(row, "\t")
		if len(f) < 5 {
			t.Fatalf("labelled.tsv: bad row %q", row)
		}
		name, target, eco, technique := f[0], f[1], f[2], f[3]
		ix := c.index(eco)
		if ix == nil || !ix.Popular(target) {
			t.Logf("not in the snapshot: %s (target of %s)", target, name)
			continue
		}
		m := ix.Match(name)
		hit := m != nil && strings.EqualFold(m.Target, target)
		if technique == "combosquat" {
			combo++
			if hit {
				comboFound++
			}
			continue
		}
		total++
		if hit {
			found++
		} else {
			t.Logf("missed %s (%s of %s): %+v", name, technique, target, m)
		}
	}
	recall := float64(found) / float64(total)
	t.Logf("recall %d/%d = %.1f%% on typosquats whose target is in the snapshot; combosquats %d/%d (not claimed)", found, total, 100*recall, comboFound, combo)
	if recall < 0.80 {
		t.Errorf("recall %.1f%%, want at least 80%%", 100*recall)
	}
}

// TestFalseAlarmsOnBenignNames: names of the shared popular lists beyond
// the snapshot's 5,000 are honest, mid-popularity packages. At most 0.5% of
// them may be flagged, in every list.
func TestFalseAlarmsOnBenignNames(t *testing.T) {
	c := embeddedCheck(t)
	dir := shareddata.Path(t, "popular")
	for _, l := range []struct{ file, eco string }{
		{"pypi.txt", lockfiles.EcosystemPyPI},
		{"npm.txt", lockfiles.EcosystemNPM},
		{"rubygems.txt", lockfiles.EcosystemRubyGems},
		{"crates.txt", lockfiles.EcosystemCrates},
	} {
		ix := c.index(l.eco)
		flagged, total := 0, 0
		for _, n := range readLines(t, filepath.Join(dir, l.file)) {
			if ix.Popular(n) {
				continue
			}
			total++
			if m := ix.Match(n); m != nil {
				flagged++
				if testing.Verbose() {
					t.Logf("%s: %s flagged: %s", l.eco, n, m.Kind)
				}
			}
		}
		rate := float64(flagged) / float64(total)
		t.Logf("%s: %d of %d benign names flagged (%.2f%%)", l.file, flagged, total, 100*rate)
		if total < 1000 || rate > 0.005 {
			t.Errorf("%s: %d of %d flagged (%.2f%%), want at most 0.5%% of at least 1,000", l.file, flagged, total, 100*rate)
		}
	}
}

// TestFalseAlarmsOnRealLockfiles sweeps every shared real lockfile: at most
// 0.5% of their packages may be flagged.
func TestFalseAlarmsOnRealLockfiles(t *testing.T) {
	c := embeddedCheck(t)
	root := shareddata.Path(t, "lockfiles")
	inv, err := lockfiles.Discover(t.Context(), os.DirFS(root), all.Parsers(), lockfiles.DiscoverOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if len(inv.Packages) < 10000 {
		t.Fatalf("only %d packages in the shared lockfiles", len(inv.Packages))
	}
	flagged, total := 0, 0
	seen := map[string]bool{}
	for i := range inv.Packages {
		p := &inv.Packages[i]
		k := p.Ecosystem + "\x00" + p.Name
		if !judged(p) || seen[k] {
			continue
		}
		seen[k] = true
		total++
		ix := c.index(p.Ecosystem)
		if ix == nil {
			continue
		}
		if m := ix.Match(p.Name); m != nil {
			flagged++
			t.Logf("%s %s flagged: %s", p.Ecosystem, p.Name, m.Kind)
		}
	}
	rate := float64(flagged) / float64(total)
	t.Logf("real lockfiles: %d of %d distinct packages flagged (%.2f%%)", flagged, total, 100*rate)
	if rate > 0.005 {
		t.Errorf("%.2f%% flagged, want at most 0.5%%", 100*rate)
	}
}
