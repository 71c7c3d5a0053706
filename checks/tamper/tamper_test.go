package tamper

import (
	"context"
	"os"
	"strings"
	"testing"

	"github.com/tollgate-dev/tollgate/internal/shareddata"
	"github.com/tollgate-dev/tollgate/lockfiles"
	"github.com/tollgate-dev/tollgate/lockfiles/npmlock"
	"github.com/tollgate-dev/tollgate/scanner"
)

func TestTamper(t *testing.T) {
	p := func(version, integrity, resolved string) lockfiles.Package {
		return lockfiles.Package{Ecosystem: "npm", Name: "left-pad", Version: version, Integrity: integrity, Resolved: resolved, Path: "package-lock.json", Line: 7, PURL: "pkg:npm/left-pad@" + version}
	}
	npm := "https://registry.npmjs.org/left-pad/-/left-pad-1.3.0.tgz"
	yarn := "https://registry.yarnpkg.com/left-pad/-/left-pad-1.3.0.tgz"
	evil := "https://cdn.evil.example/left-pad-1.3.0.tgz"
	ptr := func(x lockfiles.Package) *lockfiles.Package { return &x }
	changes := []lockfiles.Change{
		{Kind: lockfiles.ChangeRehashed, Package: p("1.3.0", "sha512-NEWNEWNEWNEWNEWNEWNEWNEW", npm), Previous: ptr(p("1.3.0", "sha512-OLDOLDOLDOLDOLDOLDOLDOLD", npm))},
		{Kind: lockfiles.ChangeRehashed, Package: p("1.3.0", "sha512-same", evil), Previous: ptr(p("1.3.0", "sha512-same", npm))},
		{Kind: lockfiles.ChangeRehashed, Package: p("1.3.0", "sha512-same", yarn), Previous: ptr(p("1.3.0", "sha512-same", npm))},
		{Kind: lockfiles.ChangeUpdated, Package: p("1.3.1", "sha512-x", npm), Previous: ptr(p("1.3.0", "sha512-y", npm))},
		{Kind: lockfiles.ChangeAdded, Package: p("2.0.0", "sha512-z", evil)},
	}
	got, skipped, err := Check{}.Run(context.Background(), &scanner.Input{Mode: scanner.ModePullRequest, Changes: changes})
	if err != nil || len(skipped) != 0 {
		t.Fatal(err, skipped)
	}
	var ids []string
	for _, f := range got {
		ids = append(ids, f.RuleID+" "+f.Evidence)
		if f.Line != 7 || f.Path != "package-lock.json" || f.Fingerprint == "" {
			t.Errorf("location/fingerprint: %+v", f)
		}
	}
	want := []string{"integrity-changed sha512-OLDOLDOLDOLDO… -> sha512-NEWNEWNEWNEWN…", "download-host-changed registry.npmjs.org -> cdn.evil.example"}
	if strings.Join(ids, "|") != strings.Join(want, "|") {
		t.Errorf("findings %q, want %q", ids, want)
	}
}

// Download rules: plain http:// and git:// are insecure (medium with a
// locked hash, high without), loopback hosts are not; with allowed-registries
// set, any other host is reported, npm's two official hosts count as one and
// "*.domain" covers subdomains.
func TestDownloadRules(t *testing.T) {
	pkgs := []lockfiles.Package{
		{Name: "a", Version: "1.0.0", Resolved: "http://registry.npmjs.org/a/-/a-1.0.0.tgz", Integrity: "sha1-x"},
		{Name: "b", Version: "1.0.0", Resolved: "http://mirror.example.net/b-1.0.0.tgz"},
		{Name: "c", Version: "1.0.0", Resolved: "git://github.com/acme/c.git#abc", Source: lockfiles.SourceGit},
		{Name: "d", Version: "1.0.0", Resolved: "http://localhost:4873/d/-/d-1.0.0.tgz"},
		{Name: "e", Version: "1.0.0", Resolved: "http://127.0.0.1:4873/e/-/e-1.0.0.tgz"},
		{Name: "f", Version: "1.0.0", Resolved: "https://registry.yarnpkg.com/f/-/f-1.0.0.tgz"},
		{Name: "g", Version: "1.0.0", Resolved: "https://npm.pkg.acme.example/g/-/g-1.0.0.tgz"},
		{Name: "h", Version: "1.0.0", Resolved: "https://cdn.evil.example/h.tgz"},
		{Name: "i", Version: "", Resolved: "git+ssh://git@gitlab.example.org/acme/i.git", Source: lockfiles.SourceGit},
		{Name: "j", Version: "1.0.0", Resolved: "../local/j", Source: lockfiles.SourceLocal},
		{Name: "k", Version: "1.0.0", Resolved: "registry+https://github.com/rust-lang/crates.io-index"},
	}
	for i := range pkgs {
		pkgs[i].Ecosystem, pkgs[i].Path, pkgs[i].Line = "npm", "package-lock.json", i+1
		pkgs[i].PURL = "pkg:npm/" + pkgs[i].Name + "@" + pkgs[i].Version
	}
	run := func(c Check) []string {
		t.Helper()
		got, _, err := c.Run(context.Background(), &scanner.Input{Mode: scanner.ModeSweep, Packages: pkgs})
		if err != nil {
			t.Fatal(err)
		}
		var out []string
		for _, f := range got {
			out = append(out, f.RuleID+" "+f.Severity+" "+strings.TrimPrefix(f.Package, "pkg:npm/")+" "+f.Evidence)
			if f.Line == 0 || f.Fingerprint == "" || f.Message == "" {
				t.Errorf("incomplete finding %+v", f)
			}
		}
		return out
	}
	insecure := []string{
		"insecure-download-url medium a@1.0.0 http://registry.npmjs.org",
		"insecure-download-url high b@1.0.0 http://mirror.example.net",
		"insecure-download-url high c@1.0.0 git://github.com",
	}
	if got := run(Check{}); strings.Join(got, "\n") != strings.Join(insecure, "\n") {
		t.Errorf("no allow list:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(insecure, "\n"))
	}
	got := run(Check{AllowedHosts: []string{"registry.npmjs.org", "*.acme.example", "localhost", "127.0.0.1", "github.com"}})
	want := []string{
		"insecure-download-url medium a@1.0.0 http://registry.npmjs.org",
		"insecure-download-url high b@1.0.0 http://mirror.example.net",
		"registry-not-allowed high b@1.0.0 mirror.example.net",
		"insecure-download-url high c@1.0.0 git://github.com",
		"registry-not-allowed high h@1.0.0 cdn.evil.example",
		"registry-not-allowed high i@ gitlab.example.org",
	}
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("with allow list:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
}

// pypi/warehouse's v1 package-lock.json locks 17 packages at
// http://registry.npmjs.org URLs (grep -c '"resolved": "http://'), each with
// an integrity hash: 17 medium findings in a sweep, none of another rule.
func TestRealInsecureURLs(t *testing.T) {
	dir := shareddata.Path(t, "lockfiles", "package-lock-json", "pypi-warehouse-v1-d02f16c")
	pkgs, err := lockfiles.ParseFile(context.Background(), os.DirFS(dir), "package-lock.json", npmlock.Parser{}, lockfiles.Limits{})
	if err != nil {
		t.Fatal(err)
	}
	got, _, err := Check{}.Run(context.Background(), &scanner.Input{Mode: scanner.ModeSweep, Packages: pkgs})
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != 17 {
		t.Fatalf("%d findings, want 17", len(got))
	}
	bl := false
	for _, f := range got {
		if f.RuleID != RuleInsecureURL || f.Severity != scanner.SeverityMedium || f.Evidence != "http://registry.npmjs.org" {
			t.Errorf("finding %+v", f)
		}
		bl = bl || f.Package == "pkg:npm/bl@1.2.3"
	}
	if !bl {
		t.Error("bl 1.2.3 (resolved at line 6746) not reported")
	}
}
