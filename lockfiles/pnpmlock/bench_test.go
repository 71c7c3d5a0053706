package pnpmlock

import (
	"fmt"
	"strings"
	"testing"

	"github.com/tollgate-dev/tollgate/lockfiles/lockfilestest"
)

// generatedLockfile writes a 9.x lockfile of n packages in the shapes pnpm
// writes: importers with dependencies and devDependencies, scoped and
// peer-suffixed keys, resolutions, engines, cpu/os lists and snapshots with
// dependency edges.
func generatedLockfile(n int) []byte {
	var b strings.Builder
	name := func(i int) string {
		if i%3 == 0 {
			return fmt.Sprintf("@scope%d/pkg-%d", i%50, i)
		}
		return fmt.Sprintf("pkg-%d", i)
	}
	quote := func(s string) string {
		if strings.HasPrefix(s, "@") {
			return "'" + s + "'"
		}
		return s
	}
	version := func(i int) string { return fmt.Sprintf("%d.%d.%d", i%7, i%13, i%5) }
	peer := func(i int) string {
		if i%10 == 0 {
			return "(" + name((i+1)%n) + "@" + version((i+1)%n) + ")"
		}
		return ""
	}
	b.WriteString("lockfileVersion: '9.0'\n\nsettings:\n  autoInstallPeers: true\n  excludeLinksFromLockfile: false\n\nimporters:\n")
	for imp := 0; imp < max(1, n/100); imp++ {
		fmt.Fprintf(&b, "\n  packages/app-%d:\n", imp)
		for gi, group := range []string{"dependencies", "devDependencies"} {
			fmt.Fprintf(&b, "    %s:\n", group)
			for d := range 10 {
				// production dependencies from the first half, dev ones
				// from the second: the graph keeps the halves apart
				i := (imp*37+d*11)%(n/2) + gi*(n/2)
				fmt.Fprintf(&b, "      %s:\n        specifier: ^%s\n        version: %s%s\n", quote(name(i)), version(i), version(i), peer(i))
			}
		}
	}
	b.WriteString("\npackages:\n")
	for i := range n {
		fmt.Fprintf(&b, "\n  %s:\n    resolution: {integrity: sha512-%040x==}\n    engines: {node: '>=18'}\n", quote(name(i)+"@"+version(i)), i*2654435761)
		if i%17 == 0 {
			b.WriteString("    cpu: [x64]\n    os: [linux]\n")
		}
		if i%10 == 0 {
			fmt.Fprintf(&b, "    peerDependencies:\n      %s: '*'\n", quote(name((i+1)%n)))
		}
	}
	b.WriteString("\nsnapshots:\n")
	for i := range n {
		fmt.Fprintf(&b, "\n  %s:\n", quote(name(i)+"@"+version(i)+peer(i)))
		if i%4 == 3 {
			continue
		}
		b.WriteString("    dependencies:\n")
		for d := 1; d <= 4; d++ {
			j := (i*7+d*13)%(n/2) + i/(n/2)*(n/2)
			fmt.Fprintf(&b, "      %s: %s%s\n", quote(name(j)), version(j), peer(j))
		}
		if i%9 == 0 {
			b.WriteString("    transitivePeerDependencies:\n      - supports-color\n")
		}
	}
	return []byte(b.String())
}

// BenchmarkParseGeneratedPnpmLock parses a generated lockfile of 20,000
// packages (about 9 MB), five times the largest real one.
func BenchmarkParseGeneratedPnpmLock(b *testing.B) {
	data := generatedLockfile(20000)
	pkgs, err := lockfilestest.ParseBytes(Parser{}, "pnpm-lock.yaml", data)
	if err != nil || len(pkgs) < 20000 {
		b.Fatalf("%d packages, %v", len(pkgs), err)
	}
	b.SetBytes(int64(len(data)))
	b.ReportAllocs()
	for b.Loop() {
		if _, err := lockfilestest.ParseBytes(Parser{}, "pnpm-lock.yaml", data); err != nil {
			b.Fatal(err)
		}
	}
}

// TestGeneratedLockfileFastPath: the generated lockfile is in the fast
// reader's subset and reads the same through the YAML library.
func TestGeneratedLockfileFastPath(t *testing.T) {
	data := generatedLockfile(300)
	if !agree(t, "generated/pnpm-lock.yaml", data) {
		t.Fatal("the fast path rejects the generated lockfile")
	}
	pkgs, err := lockfilestest.ParseBytes(Parser{}, "pnpm-lock.yaml", data)
	if err != nil || len(pkgs) != 300 {
		t.Fatalf("%d packages, %v", len(pkgs), err)
	}
	dev := 0
	for _, p := range pkgs {
		if p.Dev {
			dev++
		}
	}
	if dev == 0 || dev == len(pkgs) {
		t.Errorf("%d of %d packages dev-only: the graph is not exercised", dev, len(pkgs))
	}
}
