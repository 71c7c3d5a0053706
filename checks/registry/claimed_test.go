package registry

import (
	"slices"
	"strings"
	"testing"

	"github.com/tollgate-dev/tollgate/checks/confusion"
	"github.com/tollgate-dev/tollgate/lockfiles"
	"github.com/tollgate-dev/tollgate/scanner"
)

// An internal name the public registry serves at a higher version is
// critical dependency confusion; a workspace name taken there at a lower
// version is low; a name the public registry does not know is fine.
func TestClaimedNames(t *testing.T) {
	docs := map[string][]byte{
		"@acme/ui": packument("@acme/ui", 5*day, ver{v: "9.9.9", ago: 5 * day, publisher: "mallory"}),
		"web-app":  packument("web-app", 900*day, ver{v: "0.0.1", ago: 900 * day, publisher: "someone"}),
	}
	srv := registryServer(t, docs, false)
	defer srv.Close()
	c := npmCheck(t, srv)
	c.public = c.clients
	c.internal = confusion.Check{Scopes: []string{"@acme"}}
	npmPkg := func(name, version, source string, line int) lockfiles.Package {
		return lockfiles.Package{Ecosystem: lockfiles.EcosystemNPM, Name: name, Version: version, Source: source, Path: "package-lock.json", Line: line,
			PURL: lockfiles.PURL(lockfiles.EcosystemNPM, name, version, nil)}
	}
	in := &scanner.Input{Mode: scanner.ModePullRequest, Inventory: &lockfiles.Inventory{Packages: []lockfiles.Package{
		npmPkg("@acme/ui", "1.2.0", "", 5),
		npmPkg("web-app", "0.1.0", lockfiles.SourceLocal, 9),
		npmPkg("@acme/unpublished", "1.0.0", "", 12),
		npmPkg("left-pad", "1.3.0", "", 20),
	}}}
	got, skipped := c.claimed(t.Context(), in)
	var lines []string
	for _, f := range got {
		lines = append(lines, f.Package+" "+f.Severity)
	}
	if strings.Join(slices.Sorted(slices.Values(lines)), "|") != "pkg:npm/%40acme/ui@1.2.0 critical|pkg:npm/web-app@0.1.0 low" || len(skipped) != 0 {
		t.Errorf("claimed %v, skipped %v", lines, skipped)
	}
	for _, f := range got {
		if f.Severity == "critical" && !strings.Contains(f.Message, "is in the internal scope @acme, yet the public registry has a package of that name (latest 9.9.9") {
			t.Errorf("message %q", f.Message)
		}
	}
}
