package composerlock

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
	git   = lockfilestest.Str(lockfiles.SourceGit)
	local = lockfilestest.Str(lockfiles.SourceLocal)
	reg   = lockfilestest.Str(lockfiles.SourceRegistry)
)

func TestMatch(t *testing.T) {
	p := Parser{}
	lockfilestest.CheckMatch(t, p, map[string]bool{
		"composer.lock":         true,
		"app/api/composer.lock": true,
		"composer.json":         false,
		"composer.lock.dist":    false,
	})
}

func TestNormalizeVersion(t *testing.T) {
	for in, want := range map[string]string{
		"v6.4.0": "6.4.0", "V1.0": "1.0", "6.4.0": "6.4.0", "dev-main": "dev-main",
		"v": "v", "vx1": "vx1", "vv1.0": "vv1.0", "": "",
	} {
		if got := NormalizeVersion(in); got != want {
			t.Errorf("NormalizeVersion(%q) = %q, want %q", in, got, want)
		}
	}
}

// TestRealFiles parses every composer.lock of the shared corpus. Counts are
// the package objects at 8-space indent, `grep -c '^        {$'`, which
// agree with len(packages)+len(packages-dev) from a JSON decoder (koel 156+46,
// wallabag 200+71). No composer.json is beside them, so Direct is unknown.
func TestRealFiles(t *testing.T) {
	dir := shareddata.Path(t, "lockfiles", "composer-lock")
	cases := []struct {
		dir        string
		count, dev int
		wants      []lockfilestest.Want
	}{
		{"koel-koel", 202, 46, []lockfilestest.Want{
			{Name: "algolia/algoliasearch-client-php", Version: "3.4.2", Line: 9, Dev: no, Source: reg},
			{Name: "guzzlehttp/guzzle", Version: "7.15.3", Line: 1407, Dev: no},
			{Name: "laravel/framework", Version: "13.24.0", Line: 2265, Dev: no, PURL: "pkg:composer/laravel/framework@13.24.0"},
			{Name: "symfony/console", Version: "7.4.16", Line: 7981, Dev: no},
			{Name: "brianium/paratest", Version: "7.8.5", Line: 11549, Dev: yes},
			{Name: "phpunit/phpunit", Version: "11.5.55", Line: 13269, Dev: yes},
		}},
		{"wallabag-wallabag", 271, 71, []lockfilestest.Want{
			{Name: "babdev/pagerfanta-bundle", Version: "4.6.0", Line: 9, Dev: no},
			{Name: "symfony/console", Version: "5.4.47", Line: 9028, Dev: no},
			{Name: "clue/ndjson-react", Version: "1.3.0", Line: 14999, Dev: yes},
			{Name: "phpunit/phpunit", Version: "9.6.33", Line: 17440, Dev: yes},
		}},
	}
	for _, c := range cases {
		t.Run(c.dir, func(t *testing.T) {
			pkgs := lockfilestest.ParseFile(t, Parser{}, filepath.Join(dir, c.dir, "composer.lock"))
			if len(pkgs) != c.count {
				t.Errorf("got %d packages, want %d", len(pkgs), c.count)
			}
			lockfilestest.Check(t, pkgs, c.wants)
			devs := 0
			for _, p := range pkgs {
				if p.Ecosystem != lockfiles.EcosystemPackagist || p.Line <= 0 || p.Name == "" || p.Version == "" || p.Resolved == "" {
					t.Errorf("bad package %+v", p)
				}
				if p.Dev {
					devs++
				}
				if p.Name == "laravel/framework" && p.Resolved != "https://api.github.com/repos/laravel/framework/zipball/6d481710375d2aa67656922ef760cdd2b18bcfe0" {
					t.Errorf("laravel/framework resolved %q", p.Resolved)
				}
			}
			if devs != c.dev {
				t.Errorf("got %d dev packages, want %d", devs, c.dev)
			}
		})
	}
}

// TestScalibrFixtures runs every osv-scalibr composerlock fixture.
func TestScalibrFixtures(t *testing.T) {
	dir := shareddata.Path(t, "lockfiles", "fixtures-osv-scalibr", "composerlock")
	cases := map[string]lockfilestest.Fixture{
		// drupal/core, drupal/tfa, theseer/tokenizer; drupal/field_time in packages-dev.
		"drupal-packages.json": {Count: 4, Wants: []lockfilestest.Want{
			{Name: "drupal/core", Version: "10.4.5", Line: 9, Dev: no},
			{Name: "theseer/tokenizer", Version: "1.1.3", Line: 260, Dev: no},
			{Name: "drupal/tfa", Version: "2.0.0-alpha4", Line: 173, Integrity: "70b03b6c7868ced71ed0b3ca596ad83e76c2adc0"},
			{Name: "drupal/field_time", Version: "1.0.0-beta5", Line: 298, Dev: yes, Integrity: "7ceaa18c1b0d42d12aafe5fcc0b5fe22a2ab3096"},
		}},
		"duplicate-packages.json": {Count: 3, Wants: []lockfilestest.Want{
			{Name: "sentry/sdk", Version: "2.0.4", Line: 9}, {Name: "sentry/sdk", Version: "2.0.5", Line: 16},
			{Name: "sentry/sdk", Version: "3.0.0-dev", Line: 25, Dev: yes},
		}},
		"empty.json":    {Count: 0},
		"not-json.txt":  {ErrLine: 1},
		"null.jsontest": {ErrLine: 1},
		"one-package-dev.json": {Count: 1, Wants: []lockfilestest.Want{
			{Name: "sentry/sdk", Version: "2.0.4", Line: 10, Dev: yes}}},
		"one-package.json": {Count: 1, Wants: []lockfilestest.Want{
			{Name: "sentry/sdk", Version: "2.0.4", Line: 9, Dev: no}}},
		"two-packages-alt.json": {Count: 2, Wants: []lockfilestest.Want{
			{Name: "theseer/tokenizer", Version: "1.1.3", Line: 40, Dev: no}}},
		"two-packages.json": {Count: 2, Wants: []lockfilestest.Want{
			{Name: "sentry/sdk", Version: "2.0.4", Line: 9, Dev: no},
			{Name: "theseer/tokenizer", Version: "1.1.3", Line: 42, Dev: yes}}},
	}
	lockfilestest.CheckFixtures(t, Parser{}, dir, cases)
}

// TestOwnFixture covers path and git sources, non-empty shasums, "v"/"V"
// prefixes, non-numeric versions and Direct from the sibling composer.json
// (names compared case-insensitively, as Composer does).
func TestOwnFixture(t *testing.T) {
	pkgs := lockfilestest.ParseFile(t, Parser{}, filepath.Join("testdata", "project", "composer.lock"))
	if len(pkgs) != 5 {
		t.Fatalf("got %d packages, want 5: %+v", len(pkgs), pkgs)
	}
	lockfilestest.Check(t, pkgs, []lockfilestest.Want{
		{Name: "Acme/Internal", Version: "dev-main", Line: 4, Direct: yes, Source: local, PURL: "pkg:composer/acme/internal@dev-main"},
		{Name: "vendor/from-git", Version: "1.x-dev", Line: 13, Direct: no, Source: git},
		{Name: "symfony/console", Version: "6.4.1", Line: 22, Direct: yes, Source: reg,
			Integrity: "70b03b6c7868ced71ed0b3ca596ad83e76c2adc0"},
		{Name: "phpunit/phpunit", Version: "10.5.0", Line: 33, Direct: yes, Dev: yes},
		{Name: "vimeo/psalm", Version: "version-5", Line: 37, Direct: no, Dev: yes},
	})
	for _, p := range pkgs {
		switch p.Name {
		case "vendor/from-git":
			if p.Resolved != "https://github.com/vendor/from-git.git@0123456789abcdef0123456789abcdef01234567" || !p.PinnedSHA {
				t.Errorf("git package resolved %q pinned %v", p.Resolved, p.PinnedSHA)
			}
		case "symfony/console":
			if p.Resolved != "https://repo.example.com/dists/symfony-console.zip" {
				t.Errorf("symfony/console resolved %q", p.Resolved)
			}
		}
	}
	// Without an FS (no sibling manifest) Direct stays false.
	data, err := os.ReadFile(filepath.Join("testdata", "project", "composer.lock"))
	if err != nil {
		t.Fatal(err)
	}
	bare, err := lockfilestest.ParseBytes(Parser{}, "composer.lock", data)
	if err != nil {
		t.Fatal(err)
	}
	for _, p := range bare {
		if p.Direct {
			t.Errorf("%s direct without a manifest", p.Name)
		}
	}
}

func TestMalformed(t *testing.T) {
	_, err := lockfilestest.TryParseFile(Parser{}, filepath.Join("testdata", "malformed.lock"))
	lockfilestest.AssertParseError(t, err, "malformed.lock", 10) // trailing comma before "}"

	for _, c := range []struct {
		content string
		line    int
	}{
		{"[]", 1},
		{"{\n\"packages\": 1}", 2}, // an object is a PHP array: see composerReadings
		{"{\"packages\": [\n\"a/b\"]}", 2},
		{"{\"packages\": [\n{\"version\": \"1.0\"}]}", 2},
	} {
		_, err := lockfilestest.ParseBytes(Parser{}, "x/composer.lock", []byte(c.content))
		lockfilestest.AssertParseError(t, err, "x/composer.lock", c.line)
	}
	_, err = Parser{}.Parse(t.Context(), &lockfiles.Input{Path: "composer.lock",
		Content: []byte(`{"packages": [{"name": "a/a"}, {"name": "b/b"}]}`), Limits: lockfiles.Limits{MaxPackages: 1}})
	lockfilestest.AssertParseError(t, err, "composer.lock", 1)
	if !errors.Is(err, lockfiles.ErrLimit) {
		t.Errorf("error %v does not wrap ErrLimit", err)
	}
}

func FuzzParseComposerLock(f *testing.F) {
	if dir, ok := shareddata.Optional(f, "lockfiles"); ok {
		// The real composer.lock files (600-750 KB) exceed AddSeeds' size cap;
		// the scalibr fixtures carry the same structure.
		lockfilestest.AddSeeds(f, filepath.Join(dir, "composer-lock", "*", "composer.lock"),
			filepath.Join(dir, "fixtures-osv-scalibr", "composerlock", "*"))
	}
	lockfilestest.AddReadings(f, composerReadings)
	lockfilestest.AddSeeds(f, filepath.Join("testdata", "*"), filepath.Join("testdata", "project", "*"))
	f.Fuzz(func(t *testing.T, data []byte) {
		pkgs, _ := lockfilestest.ParseBytes(Parser{}, "composer.lock", data)
		for _, p := range pkgs {
			if p.Name == "" || p.Line < 0 {
				t.Fatalf("bad package %+v", p)
			}
		}
	})
}

func BenchmarkParseComposerLock(b *testing.B) {
	lockfilestest.BenchmarkParse(b, Parser{}, "composer.lock", "lockfiles", "composer-lock", "wallabag-wallabag", "composer.lock")
}
