package tamper

import (
	"context"
	"strings"
	"testing"

	"github.com/tollgate-dev/tollgate/lockfiles"
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
