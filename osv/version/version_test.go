package version

import (
	"errors"
	"strings"
	"testing"
)

// Versions taken from real OSV records and lockfiles (see shared/data/osv/README.md).
func TestCompare(t *testing.T) {
	tests := []struct {
		eco  string
		a, b string
		want int
	}{
		// npm: SemVer 2.0 pre-release order (spec §11 chain) and odd real pre-releases.
		{"npm", "1.0.0-alpha", "1.0.0-alpha.1", -1},
		{"npm", "1.0.0-alpha.1", "1.0.0-alpha.beta", -1},
		{"npm", "1.0.0-alpha.beta", "1.0.0-beta", -1},
		{"npm", "1.0.0-beta.2", "1.0.0-beta.11", -1},
		{"npm", "1.0.0-rc.1", "1.0.0", -1},
		{"npm", "2.4.3-Base", "2.4.3", -1},
		{"npm", "1.0.1-088b5f", "1.0.1", -1},
		{"npm", "0.0.2-dev", "0.0.2", -1},
		{"npm", "5.0.0-alpha.1", "5.0.0-beta.3", -1},
		{"npm", "1.0.0+build.5", "1.0.0", 0},
		{"npm", "99.2.2", "10.0.0", 1},
		{"npm", "4.17.21", "4.17.3", 1},
		{"crates.io", "0.6.13", "0.6.3", 1},
		{"crates.io", "0.0.0-0", "0.0.0", -1},
		{SemVer, "1.0.0", "1.0.0-0", 1},
		// Go: go.mod "v" forms against OSV's bare forms, pseudo-versions.
		{"Go", "v1.20.1", "1.20.2", -1},
		{"Go", "0.0.0-20200131131040-063a3fb69896", "0.1.0", -1},
		{"Go", "v1.0.4-0.20180125103619-43913f2f4fbd", "1.0.3", 1},
		{"Go", "v1.0.4-0.20180125103619-43913f2f4fbd", "1.0.4", -1},
		{"Go", "v2.0.0+incompatible", "2.0.0", 0},
		{"Go", "v0.0.0-20200131131040-063a3fb69896", "0.0.0-20190131131040-063a3fb69896", 1},
		// PyPI: PEP 440.
		{"PyPI", "1.0.dev0", "1.0a1", -1},
		{"PyPI", "1.0a1", "1.0b1", -1},
		{"PyPI", "1.0rc1", "1.0", -1},
		{"PyPI", "1.0", "1.0.post1", -1},
		{"PyPI", "0.1.dev20230207", "0.1", -1},
		{"PyPI", "0.9.1b1", "0.9.1", -1},
		{"PyPI", "1.0", "1.0.0", 0},
		{"PyPI", "1!0.1", "2.0", 1},
		{"PyPI", "1.16.1", "1.16.0", 1},
		// RubyGems: Gem::Version.
		{"RubyGems", "1.0.0.pre", "1.0.0", -1},
		{"RubyGems", "1.0.0-rc1", "1.0.0", -1},
		{"RubyGems", "1.0", "1.0.0", 0},
		{"RubyGems", "1.0.a", "1.0", -1},
		{"RubyGems", "1.10", "1.9", 1},
		{"RubyGems", "6.1.7.3", "6.1.7", 1},
		{"RubyGems", "1.0.0.rc1", "1.0.0.rc2", -1},
		{"RubyGems", "2.0.0.beta1", "1.9", 1},
		{"RubyGems", "1.13.10", "1.13.9", 1},
		// NuGet: four numbers, case-insensitive labels.
		{"NuGet", "4.0.0-a02", "4.0.0", -1},
		{"NuGet", "2.0.0-beta.950", "2.0.0-beta.95", 1},
		{"NuGet", "1.0.0-Beta", "1.0.0-beta", 0},
		{"NuGet", "5.0.0.0", "5.0.0", 0},
		{"NuGet", "7.0.3.1", "7.0.3", 1},
		{"NuGet", "2.13.2.1", "2.13.2", 1},
		{"NuGet", "1.0.0-alpha", "1.0.0-alpha.1", -1},
		{"NuGet", "3.1.3", "2.1.7", 1},
		{"NuGet", "1.0.0+meta", "1.0.0", 0},
		// Packagist: Composer normalisation, PHP stability order.
		{"Packagist", "v5.4.21", "5.4.21", 0},
		{"Packagist", "5.4.21", "5.4.21.0", 0},
		{"Packagist", "1.0.0-beta1", "1.0.0-RC1", -1},
		{"Packagist", "1.0.0-alpha2", "1.0.0-beta1", -1},
		{"Packagist", "1.0.0-RC1", "1.0.0", -1},
		{"Packagist", "1.0.0", "1.0.0-p1", -1},
		{"Packagist", "1.0.0-dev", "1.0.0-alpha1", -1},
		{"Packagist", "2.0", "1.99.99", 1},
		{"Packagist", "4.4.0", "4.4.10", -1},
		{"Packagist", "1.0.0-beta2", "1.0.0-beta10", -1},
		// Pub: build metadata orders.
		{"Pub", "1.0.0-dev", "1.0.0", -1},
		{"Pub", "1.0.0+1", "1.0.0", 1},
		{"Pub", "1.0.0+2", "1.0.0+10", -1},
		// GitHub Actions: bare majors.
		{"GitHub Actions", "v4", "41", -1},
		{"GitHub Actions", "v4.1.7", "4.1.8", -1},
	}
	for _, tt := range tests {
		got, err := Compare(tt.eco, tt.a, tt.b)
		if err != nil {
			t.Errorf("Compare(%s, %q, %q): %v", tt.eco, tt.a, tt.b, err)
			continue
		}
		if got != tt.want {
			t.Errorf("Compare(%s, %q, %q) = %d, want %d", tt.eco, tt.a, tt.b, got, tt.want)
		}
		// Antisymmetry.
		if back, _ := Compare(tt.eco, tt.b, tt.a); back != -tt.want {
			t.Errorf("Compare(%s, %q, %q) = %d, want %d", tt.eco, tt.b, tt.a, back, -tt.want)
		}
	}
}

func TestParseRejects(t *testing.T) {
	bad := []struct{ eco, v string }{
		{"npm", "not-a-version"},
		{"npm", "1.2"},
		{"npm", ""},
		{"Go", "latest"},
		{"PyPI", "1.0-foo-bar"},
		{"RubyGems", ""},
		{"RubyGems", "1.0; rm -rf"},
		{"NuGet", "1.2.3.4.5"},
		{"NuGet", "1.0.0-"},
		{"Packagist", "dev-main"},
		{"Packagist", "2.x-dev"},
		{"Pub", "1.0"},
		{"Maven", ""},
	}
	for _, b := range bad {
		if v, err := Parse(b.eco, b.v); err == nil {
			t.Errorf("Parse(%s, %q) = %v, want error", b.eco, b.v, v)
		}
	}
	if _, err := Parse("Hackage", "1.0"); !errors.Is(err, ErrUnknownEcosystem) {
		t.Errorf("Parse(Hackage) error = %v, want ErrUnknownEcosystem", err)
	}
}

func FuzzParse(f *testing.F) {
	for _, s := range []string{"1.0.0", "v1.2.3-0.2020", "1!2.0.post1", "1.0.0.pre.rc1", "5.0.0.0-beta.1", "v1.0-p1", "1.0.0+x"} {
		f.Add(s)
	}
	// Maven: real versions, ComparableVersionTest's edge cases, and "|"-joined
	// triples for the order checks below.
	for _, s := range []string{
		"2.15.0-rc1", "9.4.31.v20200723", "1.0.0.Final", "3.0.0-M1", "5.2.9.RELEASE", "32.0.0-jre",
		"9+181-r4173-1", "v3-rev20231115-2.0.0", "1.0.0.X1|1.0.0-X2|1.0.0", "2.0.a|2.0.0.a|2-a",
		"1-0.alpha|1|1-sp", "6.1.0rc3|6.1H.5-beta|6.1.0", "12345678901234567890.1H.5-beta",
		"1a1|1-alpha-1|1alpha1", "1.0-final|1ga|1-0", "١.٢|1.2|1-ä",
	} {
		f.Add(s)
	}
	ecos := []string{"npm", "Go", "PyPI", "RubyGems", "NuGet", "Packagist", "Pub", "crates.io", "GitHub Actions", "Maven", SemVer}
	f.Fuzz(func(t *testing.T, s string) {
		for _, eco := range ecos {
			a, err := Parse(eco, s)
			if err != nil {
				continue
			}
			if a.Compare(a) != 0 {
				t.Errorf("%s %q does not equal itself", eco, s)
			}
		}
		// Maven accepts every non-empty version up to its length bound; its
		// order is antisymmetric, and Compare is 0 exactly for versions that
		// parse to the same items. It is not transitive in general: Maven's
		// is not either (TestMavenIntransitive).
		var vs []Version
		for _, p := range strings.SplitN(s, "|", 3) {
			v, err := Parse("Maven", p)
			if (err != nil) != (p == "" || len(p) > maxMavenVersion) {
				t.Fatalf("Parse(Maven, %q): %v", p, err)
			}
			if err == nil {
				vs = append(vs, v)
			}
		}
		for _, x := range vs {
			for _, y := range vs {
				c := x.Compare(y)
				if c != -y.Compare(x) {
					t.Errorf("Maven Compare(%q, %q) = %d but Compare(%q, %q) = %d", x, y, c, y, x, y.Compare(x))
				}
				if same := mavenSameItems(x.(mavenVersion).items, y.(mavenVersion).items); (c == 0) != same {
					t.Errorf("Maven Compare(%q, %q) = %d, same items %v", x, y, c, same)
				}
			}
		}
	})
}

func TestEqualPyPI(t *testing.T) {
	for _, tt := range []struct {
		a, b string
		want bool
	}{
		{"1.0", "1.0.0", true},
		{"1.0.0rc1", "1rc1", true},
		{"1!2.0", "1!2", true},
		{"1.0.post1", "1.0.0.post1", true},
		{"1.10", "1.1", false},
		{"1.0", "1.0.1", false},
		{"2.0.0", "20", false},
		{"1.0a1", "1.0b1", false},
	} {
		a, _ := Parse("PyPI", tt.a)
		b, _ := Parse("PyPI", tt.b)
		if got := Equal(a, b); got != tt.want {
			t.Errorf("Equal(%q, %q) = %v, want %v", tt.a, tt.b, got, tt.want)
		}
		if got := a.Compare(b) == 0; got != tt.want {
			t.Errorf("Compare(%q, %q) == 0 is %v, want %v", tt.a, tt.b, got, tt.want)
		}
	}
}
