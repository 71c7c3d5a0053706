package typosquat

import (
	"fmt"
	"strings"
	"testing"

	"github.com/tollgate-dev/tollgate/lockfiles"
	"github.com/tollgate-dev/tollgate/scanner"
)

func pkg(eco, name, version, path string, line int) lockfiles.Package {
	return lockfiles.Package{Ecosystem: eco, Name: name, Version: version, Path: path, Line: line,
		PURL: lockfiles.PURL(eco, name, version, nil)}
}

// In pull-request mode an added name is judged against the snapshot and
// against the dependencies the repository already has; workspace packages
// and names already present are not judged.
func TestRunPullRequest(t *testing.T) {
	c := testCheck(t)
	inventory := []lockfiles.Package{
		pkg("npm", "lodash", "4.17.21", "package-lock.json", 10),
		pkg("npm", "acme-internal-auth", "2.0.0", "package-lock.json", 20),
		pkg("npm", "lodahs", "1.0.0", "package-lock.json", 30),
		pkg("npm", "acme-internal-auht", "2.0.1", "package-lock.json", 40),
		pkg("npm", "crossenv", "1.0.0", "web/package-lock.json", 5),
		pkg("npm", "crossenv", "1.0.0", "web/package-lock.json", 9),
	}
	local := pkg("npm", "lodashh", "0.0.0", "package-lock.json", 50)
	local.Source = lockfiles.SourceLocal
	inventory = append(inventory, local)
	in := &scanner.Input{
		Mode:      scanner.ModePullRequest,
		Inventory: &lockfiles.Inventory{Packages: inventory},
		Packages:  inventory[2:],
	}
	got, skipped, err := c.Run(t.Context(), in)
	if err != nil || len(skipped) != 0 {
		t.Fatalf("err %v, skipped %v", err, skipped)
	}
	var lines []string
	for _, f := range got {
		lines = append(lines, fmt.Sprintf("%s:%d %s %s", f.Path, f.Line, f.Severity, f.Evidence))
	}
	want := []string{
		"package-lock.json:30 high lodahs ~ lodash",
		"package-lock.json:40 medium acme-internal-auht ~ acme-internal-auth",
		"web/package-lock.json:5 high crossenv ~ cross-env",
	}
	if strings.Join(lines, "\n") != strings.Join(want, "\n") {
		t.Errorf("findings:\n%s\nwant:\n%s", strings.Join(lines, "\n"), strings.Join(want, "\n"))
	}
	for _, f := range got {
		if f.RuleID != RuleTyposquat || f.Fingerprint == "" || f.Package == "" || !strings.Contains(f.Message, "typosquat") {
			t.Errorf("incomplete finding %+v", f)
		}
	}
	if !strings.Contains(got[1].Message, "a dependency this repository already has") {
		t.Errorf("message %q does not say the target is one of the repository's dependencies", got[1].Message)
	}

	// A sweep judges every package against the snapshot only: two of the
	// repository's own names one letter apart were both there already.
	in.Mode, in.Packages = scanner.ModeSweep, inventory
	got, _, _ = c.Run(t.Context(), in)
	for _, f := range got {
		if strings.Contains(f.Evidence, "acme-internal") {
			t.Errorf("sweep compared the repository's names with each other: %+v", f)
		}
	}
}

func TestRunHonoursContext(t *testing.T) {
	c := testCheck(t)
	ctx, cancel := testingContext(t)
	cancel()
	_, _, err := c.Run(ctx, &scanner.Input{Mode: scanner.ModeSweep, Packages: []lockfiles.Package{pkg("npm", "lodahs", "1.0.0", "p", 1)}})
	if err == nil {
		t.Error("a cancelled run did not say so")
	}
}
