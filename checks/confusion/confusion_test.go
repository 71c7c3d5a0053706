package confusion

import (
	"context"
	"os"
	"slices"
	"strings"
	"testing"

	"github.com/tollgate-dev/tollgate/internal/shareddata"
	"github.com/tollgate-dev/tollgate/lockfiles"
	"github.com/tollgate-dev/tollgate/lockfiles/yarnlock"
	"github.com/tollgate-dev/tollgate/scanner"
)

func TestConfusion(t *testing.T) {
	c := Check{Scopes: []string{"@acme"}, Prefixes: []string{"acme-"}, Names: []string{"corp-secret-lib"}}
	pkgs := []lockfiles.Package{
		// reported: internal by scope, prefix or name, from a public registry
		{Ecosystem: "npm", Name: "@acme/utils", Version: "99.0.0", Resolved: "https://registry.npmjs.org/@acme/utils/-/utils-99.0.0.tgz"},
		{Ecosystem: "npm", Name: "@ACME/ui", Version: "1.0.0", Resolved: "https://registry.yarnpkg.com/@acme/ui/-/ui-1.0.0.tgz"},
		{Ecosystem: "PyPI", Name: "acme_tool", Version: "9.9.9", Resolved: "https://files.pythonhosted.org/packages/ab/cd/acme_tool-9.9.9.tar.gz"},
		{Ecosystem: "RubyGems", Name: "corp-secret-lib", Version: "1.0.0", Resolved: "https://rubygems.org/"},
		{Ecosystem: "crates.io", Name: "acme-core", Version: "0.1.0", Resolved: "registry+https://github.com/rust-lang/crates.io-index"},
		{Ecosystem: "PyPI", Name: "Corp_Secret.Lib", Version: "2.0", Resolved: "https://pypi.org/simple/corp-secret-lib/"}, // PEP 503: the same name
		{Ecosystem: "Packagist", Name: "acme/billing", Version: "2.0.0", Resolved: "https://repo.packagist.org/acme/billing.zip"},
		// not reported
		{Ecosystem: "npm", Name: "@acme/utils", Version: "1.0.0", Resolved: "https://npm.acme.example/@acme/utils/-/utils-1.0.0.tgz"}, // internal registry
		{Ecosystem: "npm", Name: "@acme/site", Version: "", Source: lockfiles.SourceLocal, Resolved: "packages/site"},                 // workspace
		{Ecosystem: "npm", Name: "@types/acme-foo", Version: "1.0.0", Resolved: "https://registry.npmjs.org/@types/acme-foo/-/acme-foo-1.0.0.tgz"},
		{Ecosystem: "npm", Name: "acmeish", Version: "1.0.0", Resolved: "https://registry.npmjs.org/acmeish/-/acmeish-1.0.0.tgz"},
		{Ecosystem: "PyPI", Name: "acme-tool", Version: "1.0.0"}, // no download URL: cannot tell
		{Ecosystem: "npm", Name: "@acme/x", Version: "1.0.0", Resolved: "https://registry.npmjs.org.evil.example/@acme/x.tgz"},
		{Ecosystem: "RubyGems", Name: "corp_secret_lib", Version: "1.0.0", Resolved: "https://rubygems.org/"}, // RubyGems names are as written
	}
	for i := range pkgs {
		pkgs[i].Path, pkgs[i].Line = "lock", i+1
		pkgs[i].PURL = lockfiles.PURL(pkgs[i].Ecosystem, pkgs[i].Name, pkgs[i].Version, nil)
	}
	got, skipped, err := c.Run(context.Background(), &scanner.Input{Mode: scanner.ModeSweep, Packages: pkgs})
	if err != nil || len(skipped) != 0 {
		t.Fatal(err, skipped)
	}
	var lines []int
	for _, f := range got {
		lines = append(lines, f.Line)
		if f.RuleID != RuleDependencyConfusion || f.Severity != scanner.SeverityCritical || f.Fingerprint == "" || f.Evidence == "" {
			t.Errorf("finding %+v", f)
		}
	}
	if !slices.Equal(lines, []int{1, 2, 3, 4, 5, 6, 7}) {
		t.Errorf("findings on lines %v, want 1-7", lines)
	}
	if len(got) > 2 && !strings.Contains(got[2].Message, "has the internal prefix acme-") || len(got) > 0 && !strings.Contains(got[0].Message, "registry.npmjs.org") {
		t.Errorf("messages: %+v", got)
	}
	// No internal names configured: nothing, whatever the packages.
	if got, _, _ := (Check{}).Run(context.Background(), &scanner.Input{Packages: pkgs}); len(got) != 0 {
		t.Errorf("empty config reported %d findings", len(got))
	}
}

// excalidraw's yarn.lock takes six @excalidraw packages from the public
// registry (grep -n '^"@excalidraw/' yarn.lock: lines 1519-1549); declared
// internal, each is reported at its entry.
func TestConfusionRealLockfile(t *testing.T) {
	dir := shareddata.Path(t, "lockfiles", "yarn-lock", "excalidraw-excalidraw")
	pkgs, err := lockfiles.ParseFile(context.Background(), os.DirFS(dir), "yarn.lock", yarnlock.Parser{}, lockfiles.Limits{})
	if err != nil {
		t.Fatal(err)
	}
	got, _, err := Check{Scopes: []string{"excalidraw"}}.Run(context.Background(), &scanner.Input{Mode: scanner.ModeSweep, Packages: pkgs})
	if err != nil {
		t.Fatal(err)
	}
	var lines []int
	for _, f := range got {
		lines = append(lines, f.Line)
	}
	if !slices.Equal(lines, []int{1519, 1524, 1529, 1539, 1544, 1549}) {
		t.Errorf("findings on lines %v", lines)
	}
}
