package typosquat

import (
	"context"
	"fmt"
	"testing"

	"github.com/tollgate-dev/tollgate/lockfiles"
	"github.com/tollgate-dev/tollgate/scanner"
)

func testingContext(t *testing.T) (context.Context, context.CancelFunc) {
	return context.WithCancel(t.Context())
}

// names5000 are 5,000 added npm and PyPI names, a tenth of them near a
// popular name.
func names5000() *scanner.Input {
	var pkgs []lockfiles.Package
	for i := range 5000 {
		eco := lockfiles.EcosystemNPM
		if i%2 == 1 {
			eco = lockfiles.EcosystemPyPI
		}
		name := fmt.Sprintf("internal-package-%d-tool", i)
		if i%10 == 0 {
			name = []string{"reqeusts", "lodahs", "crossenv", "mstplotlib", "python3-dateutil"}[i/10%5]
		}
		pkgs = append(pkgs, lockfiles.Package{Ecosystem: eco, Name: name, Version: "1.0.0", Path: "package-lock.json"})
	}
	return &scanner.Input{Mode: scanner.ModeSweep, Packages: pkgs}
}

// BenchmarkCheck5000 checks 5,000 names against indexes already built (the
// target: under 100 ms).
func BenchmarkCheck5000(b *testing.B) {
	c := embeddedCheck(b)
	in := names5000()
	if _, _, err := c.Run(b.Context(), in); err != nil {
		b.Fatal(err)
	}
	for b.Loop() {
		if _, _, err := c.Run(b.Context(), in); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkCheck5000Cold is the same on a new check each time: the npm and
// PyPI indexes are built from the embedded snapshot first, as in one run.
func BenchmarkCheck5000Cold(b *testing.B) {
	snap := embeddedCheck(b).snap
	in := names5000()
	for b.Loop() {
		if _, _, err := New(snap).Run(b.Context(), in); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkVariants generates the ranked variants of one mid-tail name
// (the work mid-tail discovery does per name before its lookups).
func BenchmarkVariants(b *testing.B) {
	g := embeddedCheck(b).variants()
	names := []string{"atlas-client", "rest-cilent", "lazystatic", "@tpyes/left-pad", "Microsoft.Extensions.Logging.Abstractionz"}
	eco := []string{lockfiles.EcosystemRubyGems, lockfiles.EcosystemRubyGems, lockfiles.EcosystemCrates, lockfiles.EcosystemNPM, lockfiles.EcosystemNuGet}
	i := 0
	for b.Loop() {
		g.Variants(eco[i%len(names)], names[i%len(names)])
		i++
	}
}

// BenchmarkIndexNpm builds the index of the embedded snapshot's npm names,
// the largest part of the check's start-up in one run.
func BenchmarkIndexNpm(b *testing.B) {
	names := embeddedCheck(b).snap.Names[lockfiles.EcosystemNPM]
	b.ReportAllocs()
	for b.Loop() {
		newIndex(lockfiles.EcosystemNPM, names)
	}
}
