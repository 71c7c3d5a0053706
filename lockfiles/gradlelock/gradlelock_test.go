package gradlelock

import (
	"errors"
	"path/filepath"
	"testing"

	"github.com/tollgate-dev/tollgate/internal/shareddata"
	"github.com/tollgate-dev/tollgate/lockfiles"
	lt "github.com/tollgate-dev/tollgate/lockfiles/lockfilestest"
)

var yes, no = lt.Bool(true), lt.Bool(false)

func TestMatch(t *testing.T) {
	lt.CheckMatch(t, Parser{}, map[string]bool{
		"gradle.lockfile":                                   true,
		"app/gradle.lockfile":                               true,
		"buildscript-gradle.lockfile":                       true,
		"settings-gradle.lockfile":                          true,
		"gradle/dependency-locks/compileClasspath.lockfile": true,
		"sub/gradle/dependency-locks/x.lockfile":            true,
		"other/compileClasspath.lockfile":                   false,
		"gradle.lockfile.bak":                               false,
		"build.gradle":                                      false,
	})
}

func TestOwnLockfile(t *testing.T) {
	pkgs := lt.ParseFile(t, Parser{}, filepath.Join("testdata", "gradle.lockfile"))
	if len(pkgs) != 6 {
		t.Fatalf("%d packages, want 6: %+v", len(pkgs), pkgs)
	}
	lt.Check(t, pkgs, []lt.Want{
		{Name: "com.fasterxml.jackson.core:jackson-databind", Version: "2.15.2", Line: 4, Dev: no, Direct: no,
			PURL: "pkg:maven/com.fasterxml.jackson.core/jackson-databind@2.15.2"},
		{Name: "junit:junit", Version: "4.13.2", Line: 5, Dev: yes},
		{Name: "org.apache.logging.log4j:log4j-core", Version: "2.14.1", Line: 6, Dev: no},
		{Name: "org.hamcrest:hamcrest-core", Version: "1.3", Line: 7, Dev: yes}, // spaces after commas
		{Name: "org.springframework:spring-beans", Version: "5.0.5.RELEASE", Line: 8, Dev: no},
		{Name: "org.testcontainers:postgresql", Version: "1.19.0", Line: 10, Dev: yes},
	})
	for _, p := range pkgs {
		if p.Ecosystem != lockfiles.EcosystemMaven {
			t.Errorf("%s: ecosystem %q", p.Name, p.Ecosystem)
		}
	}
}

func TestLegacyPerConfiguration(t *testing.T) {
	dir := filepath.Join("testdata", "legacy", "gradle", "dependency-locks")
	main := lt.ParseFile(t, Parser{}, filepath.Join(dir, "compileClasspath.lockfile"))
	lt.Check(t, main, []lt.Want{
		{Name: "org.slf4j:slf4j-api", Version: "1.7.36", Line: 2, Dev: no},
		{Name: "com.google.guava:guava", Version: "31.1-jre", Line: 3, Dev: no},
	})
	test := lt.ParseFile(t, Parser{}, filepath.Join(dir, "testRuntimeClasspath.lockfile"))
	lt.Check(t, test, []lt.Want{{Name: "org.mockito:mockito-core", Version: "5.4.0", Line: 1, Dev: yes}})
}

// osv-scalibr's edge fixtures; the bad-line file is an error at its first
// bad line (Gradle rejects such a lockfile), where osv-scalibr skips lines.
func TestScalibrFixtures(t *testing.T) {
	dir := shareddata.Path(t, "lockfiles", "fixtures-osv-scalibr", "gradlelockfile")
	lt.CheckFixtures(t, Parser{}, dir, map[string]lt.Fixture{
		"5-pkg": {Count: 5, Wants: []lt.Want{
			{Name: "org.springframework.boot:spring-boot-autoconfigure", Version: "2.7.4", Line: 5},
			{Name: "org.springframework.boot:spring-boot-starter-data-jpa", Version: "2.7.8", Line: 9},
		}},
		"one-pkg":       {Count: 1, Wants: []lt.Want{{Name: "org.springframework.security:spring-security-crypto", Version: "5.7.3", Line: 4}}},
		"only-comments": {Count: 0},
		"only-empty":    {Count: 0},
		"with-bad-pkg":  {ErrLine: 3},
	})
}

func TestMalformed(t *testing.T) {
	for _, c := range []struct {
		content string
		line    int
	}{
		{"a:b:1=x\nnot a module\n", 2},
		{"a:b=compileClasspath\n", 1},       // no version
		{"a:b:c:d=compileClasspath\n", 1},   // classifier-like extra part
		{"a b:c:1.0=compileClasspath\n", 1}, // space in the group
		{"\n\n:b:1.0\n", 3},
	} {
		_, err := lt.ParseBytes(Parser{}, "gradle.lockfile", []byte(c.content))
		lt.AssertParseError(t, err, "gradle.lockfile", c.line)
	}
	_, err := Parser{}.Parse(t.Context(), &lockfiles.Input{Path: "gradle.lockfile",
		Content: []byte("a:b:1\na:c:1\na:d:1\n"), Limits: lockfiles.Limits{MaxPackages: 2}})
	if !errors.Is(err, lockfiles.ErrLimit) {
		t.Errorf("limit: %v", err)
	}
}

func FuzzParseGradleLock(f *testing.F) {
	if dir, ok := shareddata.Optional(f, "lockfiles"); ok {
		lt.AddSeeds(f, filepath.Join(dir, "fixtures-osv-scalibr", "gradlelockfile", "*"))
	}
	lt.AddSeeds(f, filepath.Join("testdata", "gradle.lockfile"))
	f.Fuzz(func(t *testing.T, data []byte) {
		pkgs, err := lt.ParseBytes(Parser{}, "gradle.lockfile", data)
		if err != nil {
			var pe *lockfiles.ParseError
			if !errors.As(err, &pe) || pe.Path != "gradle.lockfile" || pe.Line < 1 {
				t.Fatalf("error %v is not a ParseError naming the file and a line", err)
			}
			return
		}
		lt.CheckWellFormed(t, pkgs)
	})
}

func BenchmarkParseGradleLock(b *testing.B) {
	lt.BenchmarkParse(b, Parser{}, "gradle.lockfile", "testdata")
}
