package typosquat

import (
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/tollgate-dev/tollgate/checks/typosquat/popular"
	"github.com/tollgate-dev/tollgate/internal/shareddata"
	"github.com/tollgate-dev/tollgate/lockfiles"
)

func embeddedGen(tb testing.TB) *variantGen {
	tb.Helper()
	snap, err := popular.Embedded()
	if err != nil {
		tb.Fatal(err)
	}
	return newVariantGen(snap)
}

// TestVariantsCover measures the generator on the labelled set: for each
// real typosquat, is its target among the names mid-tail discovery would ask
// the registry about? Owner imitations (Go, npm scopes against unscoped
// targets) and combosquats are counted apart.
func TestVariantsCover(t *testing.T) {
	g := embeddedGen(t)
	var found, total int
	for _, row := range readLines(t, filepath.Join("testdata", "labelled.tsv"))[1:] {
		f := strings.Split(row, "\t")
		name, target, eco, technique := f[0], f[1], f[2], f[3]
		if technique == "combosquat" || eco == lockfiles.EcosystemGo || eco == lockfiles.EcosystemGitHubActions {
			continue
		}
		total++
		vs, _ := g.Variants(eco, name)
		hit := -1
		for i, v := range vs {
			if fold(eco, v.Name) == fold(eco, target) {
				hit = i
			}
		}
		if hit >= 0 {
			found++
		} else {
			var names []string
			for _, v := range vs {
				names = append(names, v.Name)
			}
			t.Logf("not among the variants: %s (%s of %s): %v", name, technique, target, names)
		}
	}
	t.Logf("targets among the first %d variants: %d of %d", maxVariantsPerName, found, total)
	if found*100 < 60*total {
		t.Errorf("only %d of %d targets among the variants", found, total)
	}
}

// TestVariantsAmongBenignNames bounds mid-tail discovery's false alarms
// without a network: each benign name of the shared popular lists that the
// offline check passes is treated as a new package with no downloads (the
// worst case), and the shared list as the registry. A name counts when one
// of its variants outside the snapshot is another name of the list, which
// the registry would then show as far more downloaded. The real rate is
// lower: a name with a tenth of its variant's downloads, or older than it,
// is never reported. Names with more confident variants than are asked
// about are counted too (a skipped entry online).
func TestVariantsAmongBenignNames(t *testing.T) {
	c := embeddedCheck(t)
	g := c.variants()
	dir := shareddata.Path(t, "popular")
	for _, l := range []struct{ file, eco string }{
		{"npm.txt", lockfiles.EcosystemNPM},
		{"rubygems.txt", lockfiles.EcosystemRubyGems},
		{"crates.txt", lockfiles.EcosystemCrates},
	} {
		names := readLines(t, filepath.Join(dir, l.file))
		listed := map[string]bool{}
		for _, n := range names {
			listed[fold(l.eco, n)] = true
		}
		ix := c.index(l.eco)
		hits, over, total := 0, 0, 0
		kinds := map[string]int{}
		for _, n := range names {
			if ix.Popular(n) || ix.Match(n) != nil {
				continue
			}
			total++
			vs, confident := g.Variants(l.eco, n)
			if confident > maxVariantsPerName {
				over++
			}
			for _, v := range vs {
				if !ix.Popular(v.Name) && listed[fold(l.eco, v.Name)] {
					hits++
					kind, _, _ := strings.Cut(strings.TrimSuffix(v.Kind, " %s"), " (")
					kinds[kind]++
					if testing.Verbose() {
						t.Logf("%s: %s ~ %s (%s)", l.eco, n, v.Name, strings.TrimSuffix(v.Kind, " %s"))
					}
					break
				}
			}
		}
		rate := float64(hits) / float64(max(total, 1))
		t.Logf("%s: %d of %d benign names outside the snapshot have a variant among the list's other names (%.2f%%): %v; %d with more than %d confident variants", l.file, hits, total, 100*rate, kinds, over, maxVariantsPerName)
		if rate > 0.01 || float64(over) > 0.001*float64(total) {
			t.Errorf("%s: %.2f%% with a variant, %d over the per-name limit", l.file, 100*rate, over)
		}
	}
}

// TestVariantsAmongBenignGemsWithCounts is the same measurement with the
// weekly download counts of the shared RubyGems list applied as discovery
// applies them (the variant at least farMoreDownloads times the
// candidate's; first-publish dates are not in the list, so every candidate
// counts as the newer one).
func TestVariantsAmongBenignGemsWithCounts(t *testing.T) {
	c := embeddedCheck(t)
	g := c.variants()
	dir := shareddata.Path(t, "popular")
	counts := map[string]int64{}
	var names []string
	for _, row := range readLines(t, filepath.Join(dir, "rubygems.tsv")) {
		name, n, ok := strings.Cut(row, "\t")
		v, err := strconv.ParseInt(n, 10, 64)
		if !ok || err != nil {
			t.Fatalf("rubygems.tsv: bad row %q", row)
		}
		counts[name] = v
		names = append(names, name)
	}
	ix := c.index(lockfiles.EcosystemRubyGems)
	hits, total := 0, 0
	for _, n := range names {
		if ix.Popular(n) || ix.Match(n) != nil {
			continue
		}
		total++
		vs, _ := g.Variants(lockfiles.EcosystemRubyGems, n)
		for _, v := range vs {
			if tc, ok := counts[v.Name]; ok && !ix.Popular(v.Name) && tc >= farMoreDownloads*counts[n] {
				hits++
				t.Logf("%s (%d a week) ~ %s (%d a week)", n, counts[n], v.Name, tc)
				break
			}
		}
	}
	rate := float64(hits) / float64(max(total, 1))
	t.Logf("rubygems.tsv: %d of %d benign gems outside the snapshot would be reported (%.2f%%)", hits, total, 100*rate)
	if rate > 0.005 {
		t.Errorf("%.2f%% reported, want at most 0.5%%", 100*rate)
	}
}
