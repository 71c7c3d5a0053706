package lockfiles

import (
	"regexp"
	"strings"
	"testing"

	"github.com/package-url/packageurl-go"
)

// TestPURL checks each type against the purl spec's rules
// (github.com/package-url/purl-spec, PURL-TYPES.rst).
func TestPURL(t *testing.T) {
	tests := []struct {
		eco, name, version string
		qualifiers         map[string]string
		want               string
	}{
		// npm: the scope is the namespace, its "@" percent-encoded.
		{EcosystemNPM, "lodash", "4.17.21", nil, "pkg:npm/lodash@4.17.21"},
		{EcosystemNPM, "@babel/core", "7.24.0", nil, "pkg:npm/%40babel/core@7.24.0"},
		{EcosystemNPM, "@types/node", "20.1.0-beta.1", nil, "pkg:npm/%40types/node@20.1.0-beta.1"},
		// PyPI: lower case, runs of "-", "_" and "." become "-" (PEP 503).
		{EcosystemPyPI, "Django", "4.2", nil, "pkg:pypi/django@4.2"},
		{EcosystemPyPI, "zope.interface", "6.0", nil, "pkg:pypi/zope-interface@6.0"},
		{EcosystemPyPI, "typing__extensions", "4.8.0", nil, "pkg:pypi/typing-extensions@4.8.0"},
		// gem: name as written; platform is a qualifier.
		{EcosystemRubyGems, "nokogiri", "1.16.0", map[string]string{"platform": "x86_64-linux"}, "pkg:gem/nokogiri@1.16.0?platform=x86_64-linux"},
		// nuget: name as written.
		{EcosystemNuGet, "Newtonsoft.Json", "13.0.3", nil, "pkg:nuget/Newtonsoft.Json@13.0.3"},
		// golang: the module path is split at its last "/": namespace and name.
		{EcosystemGo, "github.com/gorilla/mux", "v1.8.0", nil, "pkg:golang/github.com/gorilla/mux@v1.8.0"},
		{EcosystemGo, "golang.org/x/mod", "v0.17.0", nil, "pkg:golang/golang.org/x/mod@v0.17.0"},
		{EcosystemGo, "github.com/foo/bar/v2", "v2.0.0+incompatible", nil, "pkg:golang/github.com/foo/bar/v2@v2.0.0%2Bincompatible"},
		// cargo, pub.
		{EcosystemCrates, "serde_json", "1.0.100", nil, "pkg:cargo/serde_json@1.0.100"},
		{EcosystemPub, "Flutter_Lints", "2.0.0", nil, "pkg:pub/flutter_lints@2.0.0"},
		// composer: vendor is the namespace; both lower case.
		{EcosystemPackagist, "Symfony/Console", "6.4.0", nil, "pkg:composer/symfony/console@6.4.0"},
		// GitHub Actions: owner namespace and repository lower case; a path
		// inside the repository joins the name, percent-encoded.
		{EcosystemGitHubActions, "actions/checkout", "v4", nil, "pkg:githubactions/actions/checkout@v4"},
		{EcosystemGitHubActions, "Azure/Login", "v2", nil, "pkg:githubactions/azure/login@v2"},
		{EcosystemGitHubActions, "github/codeql-action/init", "v3", nil, "pkg:githubactions/github/codeql-action%2Finit@v3"},
		{EcosystemGitHubActions, "octo/repo/.github/workflows/Build.yml", "main", nil, "pkg:githubactions/octo/repo%2F.github%2Fworkflows%2FBuild.yml@main"},
		// docker.
		{EcosystemDocker, "library/alpine", "3.18", nil, "pkg:docker/library/alpine@3.18"},
		// maven: the group is the namespace, the artifact the name (purl-spec example).
		{EcosystemMaven, "org.apache.xmlgraphics:batik-anim", "1.9.1", nil, "pkg:maven/org.apache.xmlgraphics/batik-anim@1.9.1"},
		{EcosystemMaven, "org.springframework:spring-beans", "5.0.5.RELEASE", nil, "pkg:maven/org.springframework/spring-beans@5.0.5.RELEASE"},
		// No purl type.
		{"Hackage", "aeson", "2.0", nil, ""},
	}
	for _, tt := range tests {
		got := PURL(tt.eco, tt.name, tt.version, tt.qualifiers)
		if got != tt.want {
			t.Errorf("PURL(%q, %q, %q) = %q, want %q", tt.eco, tt.name, tt.version, got, tt.want)
		}
		if got == "" {
			continue
		}
		// Every purl we emit must parse back.
		if _, err := packageurl.FromString(got); err != nil {
			t.Errorf("%s does not parse: %v", got, err)
		}
	}
}

func TestNormalizeName(t *testing.T) {
	tests := []struct{ eco, in, want string }{
		{EcosystemPyPI, "Python_Dateutil", "python-dateutil"},
		{EcosystemPyPI, "a.-_b", "a-b"},
		{EcosystemNuGet, "Newtonsoft.Json", "newtonsoft.json"},
		{EcosystemCrates, "Serde_JSON", "serde-json"},
		{EcosystemNPM, "JSONStream", "JSONStream"},
		{EcosystemRubyGems, "BlueCloth", "BlueCloth"},
		{EcosystemGo, "github.com/Sirupsen/logrus", "github.com/Sirupsen/logrus"},
	}
	for _, tt := range tests {
		if got := NormalizeName(tt.eco, tt.in); got != tt.want {
			t.Errorf("NormalizeName(%q, %q) = %q, want %q", tt.eco, tt.in, got, tt.want)
		}
	}
}

func TestDownloadHost(t *testing.T) {
	for _, c := range []struct{ in, scheme, host string }{
		{"https://Registry.NPMJS.org./a/-/a-1.0.0.tgz", "https", "registry.npmjs.org"},
		{"registry+https://github.com/rust-lang/crates.io-index", "https", "github.com"},
		{"sparse+https://index.crates.io/", "https", "index.crates.io"},
		{"git://github.com/acme/c.git#abc", "git", "github.com"},
		{"//cdn.example/x.tgz", "", "cdn.example"},
		{"git@github.com:acme/x.git", "", ""},
		{"packages/site", "", ""},
		{"", "", ""},
	} {
		if s, h := DownloadHost(c.in); s != c.scheme || h != c.host {
			t.Errorf("DownloadHost(%q) = %q, %q; want %q, %q", c.in, s, h, c.scheme, c.host)
		}
	}
}

// pep503 is the PEP's regexp written out: the same answer on every name.
func TestPEP503MatchesTheRegexp(t *testing.T) {
	re := regexp.MustCompile(`[-_.]+`)
	alphabet := []string{"a", "B", "-", "_", ".", "1", "é", "--", "._-"}
	var gen func(prefix string, depth int)
	n := 0
	gen = func(prefix string, depth int) {
		want := re.ReplaceAllString(strings.ToLower(prefix), "-")
		if got := pep503(prefix); got != want {
			t.Fatalf("pep503(%q) = %q, the regexp gives %q", prefix, got, want)
		}
		n++
		if depth == 0 {
			return
		}
		for _, s := range alphabet {
			gen(prefix+s, depth-1)
		}
	}
	gen("", 5)
	if n < 60000 {
		t.Fatalf("only %d names tried", n)
	}
}
