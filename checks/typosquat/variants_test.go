package typosquat

import (
	"path/filepath"
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
		if technique == "combosquat" || eco == lockfiles.EcosystemGo {
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
}

func TestVariantsBenign(t *testing.T) {
	g := embeddedGen(t)
	dir := shareddata.Path(t, "popular")
	for _, l := range []struct{ file, eco string }{
		{"npm.txt", lockfiles.EcosystemNPM},
		{"rubygems.txt", lockfiles.EcosystemRubyGems},
		{"crates.txt", lockfiles.EcosystemCrates},
	} {
		over, total, sum := 0, 0, 0
		for _, n := range readLines(t, filepath.Join(dir, l.file)) {
			vs, conf := g.Variants(l.eco, n)
			total++
			sum += len(vs)
			if conf > maxVariantsPerName {
				over++
				t.Logf("over: %s %d", n, conf)
			}
		}
		t.Logf("%s: %d names, %.1f variants each, %d with more confident variants than %d", l.file, total, float64(sum)/float64(total), over, maxVariantsPerName)
	}
}
