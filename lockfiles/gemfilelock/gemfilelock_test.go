package gemfilelock

import (
	"errors"
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
		"Gemfile.lock":         true,
		"app/Gemfile.lock":     true,
		"gems.locked":          true,
		"Gemfile":              false,
		"Gemfile.lock.bak":     false,
		"app/gemfile.lock.txt": false,
	})
}

// TestRealFiles parses every Gemfile.lock of the shared corpus. Counts are the
// spec lines, `grep -c '^    [^ ]' Gemfile.lock`: only specs have a 4-space
// indent (PLATFORMS, DEPENDENCIES and CHECKSUMS use 2, RUBY VERSION and
// BUNDLED WITH 3), and every platform variant is its own line and package.
func TestRealFiles(t *testing.T) {
	dir := shareddata.Path(t, "lockfiles", "gemfile-lock")
	cases := []struct {
		dir   string
		count int
		wants []lockfilestest.Want
	}{
		{"Homebrew-brew", 77, []lockfilestest.Want{
			{Name: "ast", Version: "2.4.3", Line: 4, Direct: no, Source: reg,
				Integrity: "sha256=954615157c1d6a382bc27d690d973195e79db7f55e9765ac7c481c60bdb4d383"},
			{Name: "rubocop", Version: "1.89.0", Line: 77, Direct: yes},
			{Name: "rubydex", Version: "0.3.0", Line: 114, Direct: yes,
				PURL:      "pkg:gem/rubydex@0.3.0?platform=aarch64-linux",
				Integrity: "sha256=a7221b71b21c5a1cdda1fbac0946ee0411a2efd94c8115cf37e4e69461d88e73"},
			{Name: "rubydex", Version: "0.3.0", Line: 117, PURL: "pkg:gem/rubydex@0.3.0?platform=x86_64-linux"},
			{Name: "sorbet-static", Version: "0.6.13426", Line: 127, Direct: no,
				PURL:      "pkg:gem/sorbet-static@0.6.13426?platform=universal-darwin",
				Integrity: "sha256=0758b45a87e93a85370fb47584e301c5bc5db8d643605d43f466d8a374a6eb9a"},
		}},
		{"Homebrew-brew-docs", 93, []lockfilestest.Want{
			{Name: "Ascii85", Version: "2.0.1", Line: 4, Direct: no},
			{Name: "jekyll", Version: "4.4.1", Line: 74, Direct: yes,
				Integrity: "sha256=4c1144d857a5b2b80d45b8cf5138289579a9f8136aadfa6dd684b31fe2bc18c1"},
			{Name: "ffi", Version: "1.17.4", Line: 35, Direct: no,
				PURL:      "pkg:gem/ffi@1.17.4?platform=x86_64-linux-gnu",
				Integrity: "sha256=9d3db14c2eae074b382fa9c083fe95aec6e0a1451da249eab096c34002bc752d"},
			{Name: "nokogiri", Version: "1.19.4", Line: 133, PURL: "pkg:gem/nokogiri@1.19.4?platform=aarch64-linux-gnu"},
		}},
		{"rubygems-rubygems.org", 341, []lockfilestest.Want{
			{Name: "avo-pro", Version: "3.32.4", Line: 23, Direct: no, Source: reg,
				Integrity: "sha256=02570da77088ecf04851db0e98b48d0605dc5e60267ea8b806b8a61b1e00b828"},
			{Name: "nokogiri", Version: "1.19.4", Line: 517, PURL: "pkg:gem/nokogiri@1.19.4",
				Integrity: "sha256=50c951611c92bca05c51411aef45f1cbc50f2821c4802758c5c6d34696533ab5"},
			{Name: "nokogiri", Version: "1.19.4", Line: 532, PURL: "pkg:gem/nokogiri@1.19.4?platform=x86_64-linux-musl",
				Integrity: "sha256=17dfb7c1fa194ae02fbf7c51a7afc8d278045ab3fdacfd86f91d02d7b274470b"},
			{Name: "rails", Version: "8.1.3.1", Line: 661, Direct: yes},
			{Name: "zlib", Version: "3.2.3", Line: 900, Direct: yes,
				Integrity: "sha256=5bd316698b32f31a64ab910a8b6c282442ca1626a81bbd6a1674e8522e319c20"},
		}},
		{"rubygems-rubygems.org-git-section-541a959", 344, []lockfilestest.Want{
			{Name: "sigstore", Version: "0.2.1", Line: 6, Direct: yes, Source: git},
			{Name: "avo-advanced", Version: "3.24.1", Line: 15, Direct: yes, Source: reg,
				Integrity: "sha256=e32e11d5aa21a3e9224543797f72af639827fc61f25544bc5356f8c7f7fcc164"},
			{Name: "rails", Version: "8.0.2.1", Line: 654, Direct: yes},
			{Name: "zlib", Version: "3.2.1", Line: 906, Direct: yes},
		}},
	}
	for _, c := range cases {
		t.Run(c.dir, func(t *testing.T) {
			pkgs := lockfilestest.ParseFile(t, Parser{}, filepath.Join(dir, c.dir, "Gemfile.lock"))
			if len(pkgs) != c.count {
				t.Errorf("got %d packages, want %d", len(pkgs), c.count)
			}
			lockfilestest.Check(t, pkgs, c.wants)
			for _, p := range pkgs {
				if p.Ecosystem != lockfiles.EcosystemRubyGems || p.Line <= 0 || p.Name == "" || p.Version == "" {
					t.Errorf("bad package %+v", p)
				}
			}
		})
	}
	// The git gem carries its remote and pinned revision.
	pkgs := lockfilestest.ParseFile(t, Parser{}, filepath.Join(dir, "rubygems-rubygems.org-git-section-541a959", "Gemfile.lock"))
	for _, p := range pkgs {
		if p.Name == "sigstore" {
			want := "https://github.com/landongrindheim/sigstore-ruby.git@6fafa2324662735b9c93e067e1c3465ba5ab69d8"
			if p.Resolved != want || !p.PinnedSHA {
				t.Errorf("sigstore resolved = %q pinned=%v, want %q pinned", p.Resolved, p.PinnedSHA, want)
			}
		}
		if p.Name == "avo-advanced" && p.Resolved != "https://packager.dev/avo-hq/" {
			t.Errorf("avo-advanced resolved = %q, want its private GEM remote", p.Resolved)
		}
	}
}

// TestScalibrFixtures runs every osv-scalibr gemfilelock fixture. Counts are
// `grep -c '^    [^ ]'` of each file.
func TestScalibrFixtures(t *testing.T) {
	dir := shareddata.Path(t, "lockfiles", "fixtures-osv-scalibr", "gemfilelock")
	cases := map[string]lockfilestest.Fixture{
		"has-git-gem.lock": {Count: 5, Wants: []lockfilestest.Want{
			{Name: "hanami-controller", Version: "2.0.0.alpha1", Line: 6, Direct: no, Source: git},
			{Name: "hanami-utils", Version: "2.0.0.alpha1", Line: 15, Direct: yes, Source: git},
			{Name: "rack", Version: "2.2.3", Line: 23, Source: reg},
		}},
		"has-local-gem.lock": {Count: 30, Wants: []lockfilestest.Want{
			{Name: "backbone-on-rails", Version: "1.2.0.0", Line: 4, Direct: yes, Source: local},
			{Name: "eco-source", Version: "1.1.0.rc.1", Line: 43, Source: reg},
			{Name: "nokogiri", Version: "1.13.3", Line: 58, PURL: "pkg:gem/nokogiri@1.13.3?platform=x86_64-linux"},
		}},
		"invalid.lock":               {ErrLine: 4},
		"multiple-gems.lock":         {Count: 6, Wants: []lockfilestest.Want{{Name: "pry", Version: "0.14.1", Line: 10, Direct: yes}, {Name: "thor", Version: "1.2.1", Line: 13, Direct: no}}},
		"no-gem-section.lock":        {Count: 0},
		"no-gems.lock":               {Count: 0},
		"no-spec-section.lock":       {Count: 0},
		"one-gem.lock":               {Count: 1, Wants: []lockfilestest.Want{{Name: "ast", Version: "2.4.2", Line: 4, Direct: yes}}},
		"rails.lock":                 {Count: 46, Wants: []lockfilestest.Want{{Name: "actioncable", Version: "7.0.2.2", Line: 4}, {Name: "nokogiri", Version: "1.13.3", Line: 104, PURL: "pkg:gem/nokogiri@1.13.3?platform=x86_64-linux"}}},
		"rubocop.lock":               {Count: 10, Wants: []lockfilestest.Want{{Name: "rubocop", Version: "1.25.1", Line: 11, Direct: yes}}},
		"some-gems.lock":             {Count: 3, Wants: []lockfilestest.Want{{Name: "coderay", Version: "1.1.3", Line: 4, Direct: no}}},
		"source-section-at-end.lock": {Count: 1, Wants: []lockfilestest.Want{{Name: "ast", Version: "2.4.2", Line: 16, Direct: yes}}},
	}
	lockfilestest.CheckFixtures(t, Parser{}, dir, cases)
}

// TestOwnFixture covers GIT, PATH, several GEM remotes, platform variants,
// checksums with several algorithms, and specs without checksums.
func TestOwnFixture(t *testing.T) {
	pkgs := lockfilestest.ParseFile(t, Parser{}, filepath.Join("testdata", "Gemfile.lock"))
	if len(pkgs) != 7 {
		t.Fatalf("got %d packages, want 7: %+v", len(pkgs), pkgs)
	}
	lockfilestest.Check(t, pkgs, []lockfilestest.Want{
		{Name: "forked", Version: "0.1.0", Line: 6, Direct: yes, Source: git},
		{Name: "billing", Version: "1.0.0", Line: 12, Direct: yes, Source: local},
		{Name: "private-gem", Version: "2.0.0", Line: 17, Direct: no, Source: reg},
		{Name: "nokogiri", Version: "1.16.0", Line: 22, Direct: yes, Integrity: "sha256=aaaa", PURL: "pkg:gem/nokogiri@1.16.0"},
		{Name: "nokogiri", Version: "1.16.0", Line: 24, Direct: yes, Integrity: "sha256=bbbb", PURL: "pkg:gem/nokogiri@1.16.0?platform=x86_64-linux"},
		{Name: "nokogiri", Version: "1.16.0", Line: 26, Direct: yes, PURL: "pkg:gem/nokogiri@1.16.0?platform=java"},
		{Name: "rack", Version: "3.0.0.beta1", Line: 27, Direct: no, Integrity: "sha256=cccc,sha512=dddd"},
	})
	byLine := map[int]lockfiles.Package{}
	for _, p := range pkgs {
		byLine[p.Line] = p
	}
	if got := byLine[26].Integrity; got != "" {
		t.Errorf("java variant has no checksum line, got integrity %q", got)
	}
	if got := byLine[6].Resolved; got != "https://github.com/example/forked.git@0123456789abcdef0123456789abcdef01234567" || !byLine[6].PinnedSHA {
		t.Errorf("git gem resolved %q pinned %v", got, byLine[6].PinnedSHA)
	}
	if got := byLine[12].Resolved; got != "engines/billing" {
		t.Errorf("path gem resolved %q", got)
	}
	if got := byLine[17].Resolved; got != "https://gems.example.com/" {
		t.Errorf("private gem resolved %q", got)
	}

	crlf := lockfilestest.ParseFile(t, Parser{}, filepath.Join("testdata", "crlf.lock"))
	lockfilestest.Check(t, crlf, []lockfilestest.Want{{Name: "rake", Version: "13.0.6", Line: 4, Direct: yes}})
}

func TestMalformed(t *testing.T) {
	_, err := lockfilestest.TryParseFile(Parser{}, filepath.Join("testdata", "malformed.lock"))
	lockfilestest.AssertParseError(t, err, "malformed.lock", 5)

	_, err = lockfilestest.ParseBytes(Parser{}, "x/Gemfile.lock", []byte("GEM\n  remote: r\n    early (1.0)\n"))
	lockfilestest.AssertParseError(t, err, "x/Gemfile.lock", 3)

	_, err = Parser{}.Parse(t.Context(), &lockfiles.Input{Path: "Gemfile.lock",
		Content: []byte("GEM\n  specs:\n    a (1)\n    b (1)\n"), Limits: lockfiles.Limits{MaxPackages: 1}})
	lockfilestest.AssertParseError(t, err, "Gemfile.lock", 4)
	if !errors.Is(err, lockfiles.ErrLimit) {
		t.Errorf("error %v does not wrap ErrLimit", err)
	}
}

func FuzzParseGemfileLock(f *testing.F) {
	if dir, ok := shareddata.Optional(f, "lockfiles"); ok {
		lockfilestest.AddSeeds(f, filepath.Join(dir, "gemfile-lock", "*", "Gemfile.lock"),
			filepath.Join(dir, "fixtures-osv-scalibr", "gemfilelock", "*"))
	}
	lockfilestest.AddSeeds(f, filepath.Join("testdata", "*"))
	lockfilestest.AddReadings(f, gemReadings)
	f.Fuzz(func(t *testing.T, data []byte) {
		pkgs, _ := lockfilestest.ParseBytes(Parser{}, "Gemfile.lock", data)
		for _, p := range pkgs {
			if p.Name == "" || p.Line < 0 {
				t.Fatalf("bad package %+v", p)
			}
		}
	})
}

func BenchmarkParseGemfileLock(b *testing.B) {
	lockfilestest.BenchmarkParse(b, Parser{}, "Gemfile.lock", "lockfiles", "gemfile-lock", "rubygems-rubygems.org-git-section-541a959", "Gemfile.lock")
}
