package nugetlock

import (
	"errors"
	"os"
	"path/filepath"
	"testing"

	"github.com/tollgate-dev/tollgate/internal/shareddata"
	"github.com/tollgate-dev/tollgate/lockfiles"
	"github.com/tollgate-dev/tollgate/lockfiles/lockfilestest"
)

var (
	yes   = lockfilestest.Bool(true)
	no    = lockfilestest.Bool(false)
	local = lockfilestest.Str(lockfiles.SourceLocal)
	reg   = lockfilestest.Str(lockfiles.SourceRegistry)
)

func TestMatch(t *testing.T) {
	p := Parser{}
	lockfilestest.CheckMatch(t, p, map[string]bool{
		"packages.lock.json":         true,
		"src/Api/packages.lock.json": true,
		"packages.config":            false,
		"package-lock.json":          false,
		"packages.lock.json.orig":    false,
	})
}

// TestRealFiles parses every packages.lock.json of the shared corpus. Each has
// a single target framework, so the count is the package keys at 6-space
// indent: `grep -c '^      "[^"]*": {' packages.lock.json`.
func TestRealFiles(t *testing.T) {
	dir := shareddata.Path(t, "lockfiles", "nuget-packages-lock-json")
	cases := []struct {
		dir   string
		count int
		wants []lockfilestest.Want
	}{
		// 14 Direct, 14 Project and 139 Transitive entries.
		{"bitwarden-server-src-Api", 167, []lockfilestest.Want{
			{Name: "AspNetCore.HealthChecks.SqlServer", Version: "8.0.2", Line: 5, Direct: yes, Source: reg,
				Integrity: "sTcVVq7/zhfUrSTs0WAktvPdpU1He/sj14gRTogq4eFhn0oImolxNNhJczkYMgFF92RMMW+O+rlcFO7HVOpfiQ==",
				PURL:      "pkg:nuget/AspNetCore.HealthChecks.SqlServer@8.0.2"},
			{Name: "AdaptiveCards", Version: "3.1.0", Line: 130, Direct: no},
			{Name: "ZiggyCreatures.FusionCache.Serialization.SystemTextJson", Version: "2.0.2", Line: 1156, Direct: no},
			{Name: "commercial.core", Version: "", Line: 1164, Direct: no, Source: local},
		}},
		{"bitwarden-server-src-Icons", 30, []lockfilestest.Want{
			{Name: "AngleSharp", Version: "1.5.2", Line: 5, Direct: yes,
				Integrity: "LVZ7rrr6GHbhERhTgVDarVygl1e6KwE96pronA90LBOMacDhxR4lB+xYLjn/vlnUu+xbOB2RM9fuCPEx5bdyWA=="},
			{Name: "OpenTelemetry.Instrumentation.Runtime", Version: "1.15.1", Line: 81, Direct: yes},
			{Name: "ssrfprotection", Version: "", Line: 236, Source: local},
		}},
		{"Caraxi-SimpleTweaksPlugin", 4, []lockfilestest.Want{
			{Name: "DalamudPackager", Version: "14.0.1", Line: 5, Direct: yes,
				Integrity: "y0WWyUE6dhpGdolK3iKgwys05/nZaVf4ZPtIjpLhJBZvHxkkiE23zYRo7K7uqAgoK/QvK5cqF6l3VG5AbgC6KA=="},
			{Name: "SixLabors.ImageSharp", Version: "3.1.12", Line: 17, Direct: no, Source: reg},
			{Name: "kamitoolkit", Version: "", Line: 22, Direct: no, Source: local},
		}},
		// "net10.0": {} — a framework with no packages.
		{"bitwarden-server-src-HttpExtensions", 0, nil},
	}
	for _, c := range cases {
		t.Run(c.dir, func(t *testing.T) {
			pkgs := lockfilestest.ParseFile(t, Parser{}, filepath.Join(dir, c.dir, "packages.lock.json"))
			if len(pkgs) != c.count {
				t.Errorf("got %d packages, want %d", len(pkgs), c.count)
			}
			lockfilestest.Check(t, pkgs, c.wants)
			for _, p := range pkgs {
				if p.Ecosystem != lockfiles.EcosystemNuGet || p.Line <= 0 || p.Name == "" {
					t.Errorf("bad package %+v", p)
				}
				if p.Version == "" && p.Source != lockfiles.SourceLocal {
					t.Errorf("registry package without version %+v", p)
				}
			}
		})
	}
}

// TestScalibrFixtures runs every osv-scalibr packageslockjson fixture.
func TestScalibrFixtures(t *testing.T) {
	dir := shareddata.Path(t, "lockfiles", "fixtures-osv-scalibr", "packageslockjson")
	// valid: 8 packages (`grep -c '^      "[^"]*": {'`), one framework.
	pkgs := lockfilestest.ParseFile(t, Parser{}, filepath.Join(dir, "valid", "packages.lock.json"))
	if len(pkgs) != 8 {
		t.Errorf("valid: got %d packages, want 8", len(pkgs))
	}
	lockfilestest.Check(t, pkgs, []lockfilestest.Want{
		{Name: "Core.Dep", Version: "1.24.0", Line: 5, Direct: yes},
		{Name: "Some.Dep.One", Version: "1.1.1", Line: 20, Direct: no},
		{Name: "Another.Longer.Name.Dep", Version: "4.5.4", Line: 54, Direct: no},
	})
	// invalid: the text "not\njson" fails on its first byte.
	_, err := lockfilestest.TryParseFile(Parser{}, filepath.Join(dir, "invalid", "invalid"))
	lockfilestest.AssertParseError(t, err, "invalid", 1)

	entries, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	if len(entries) != 2 {
		t.Errorf("fixture folder has %d entries, the test covers valid/ and invalid/", len(entries))
	}
}

// TestOwnFixture covers several frameworks and a runtime graph, case-folded
// de-duplication, Direct in a later framework, CentralTransitive and Project.
func TestOwnFixture(t *testing.T) {
	pkgs := lockfilestest.ParseFile(t, Parser{}, filepath.Join("testdata", "packages.lock.json"))
	if len(pkgs) != 5 {
		t.Fatalf("got %d packages, want 5: %+v", len(pkgs), pkgs)
	}
	lockfilestest.Check(t, pkgs, []lockfilestest.Want{
		// Transitive in net8.0, Direct in net8.0/linux-x64 as "newtonsoft.json".
		{Name: "Newtonsoft.Json", Version: "13.0.3", Line: 5, Direct: yes,
			Integrity: "HrC5BXdl00IP9zeV+0Z848QWPAoCr9P3bDEZguI+gkLcBKAOxix/tLEAAHC+UvDNPv4a2d18lMReHMOnlE3+aA=="},
		{Name: "Serilog", Version: "3.1.1", Line: 10, Direct: no, Source: reg},
		{Name: "MyCompany.Shared", Version: "", Line: 16, Direct: no, Source: local},
		{Name: "runtime.linux-x64.Microsoft.DotNet.ILCompiler", Version: "8.0.1", Line: 27, Direct: no},
		// Another version of the same package is its own entry.
		{Name: "Newtonsoft.Json", Version: "12.0.1", Line: 34, Direct: yes, Integrity: "def="},
	})
}

func TestMalformed(t *testing.T) {
	_, err := lockfilestest.TryParseFile(Parser{}, filepath.Join("testdata", "malformed.json"))
	lockfilestest.AssertParseError(t, err, "malformed.json", 9)

	for _, c := range []struct {
		content string
		line    int
	}{
		{"[]", 1},
		{"{\n\"dependencies\": []}", 2},
		{"{\"dependencies\": {\n\"net8.0\": 1}}", 2},
		{"{\"dependencies\": {\"net8.0\": {\n\n\"A\": \"1.0\"}}}", 3},
	} {
		_, err := lockfilestest.ParseBytes(Parser{}, "p/packages.lock.json", []byte(c.content))
		lockfilestest.AssertParseError(t, err, "p/packages.lock.json", c.line)
	}
	_, err = Parser{}.Parse(t.Context(), &lockfiles.Input{Path: "packages.lock.json",
		Content: []byte(`{"dependencies": {"net8.0": {"A": {}, "B": {}}}}`), Limits: lockfiles.Limits{MaxPackages: 1}})
	lockfilestest.AssertParseError(t, err, "packages.lock.json", 1)
	if !errors.Is(err, lockfiles.ErrLimit) {
		t.Errorf("error %v does not wrap ErrLimit", err)
	}
}

func FuzzParseNuGetLock(f *testing.F) {
	if dir, ok := shareddata.Optional(f, "lockfiles"); ok {
		lockfilestest.AddSeeds(f, filepath.Join(dir, "nuget-packages-lock-json", "*", "packages.lock.json"),
			filepath.Join(dir, "fixtures-osv-scalibr", "packageslockjson", "*", "*"))
	}
	lockfilestest.AddSeeds(f, filepath.Join("testdata", "*"))
	f.Fuzz(func(t *testing.T, data []byte) {
		pkgs, _ := lockfilestest.ParseBytes(Parser{}, "packages.lock.json", data)
		for _, p := range pkgs {
			if p.Name == "" || p.Line < 0 {
				t.Fatalf("bad package %+v", p)
			}
		}
	})
}

func BenchmarkParseNuGetLock(b *testing.B) {
	lockfilestest.BenchmarkParse(b, Parser{}, "packages.lock.json", "lockfiles", "nuget-packages-lock-json", "bitwarden-server-src-Api", "packages.lock.json")
}
