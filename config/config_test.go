package config

import (
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/tollgate-dev/tollgate/scanner"
)

const full = `fail-on: medium
checks: {secrets: true, osv: true, typosquat: false, confusion: true, tamper: true,
         registry: true, repojack: true, content: true}
registries:
  npm: "https://npm.internal.example/"
  pypi: ""
osv: {url: "", db: "/var/osv"}
github: {api: "https://ghe.example/api/v3"}
internal: {scopes: ["@acme"], prefixes: ["acme-"], names: []}
ignore:
  - {id: GHSA-xxxx-xxxx-xxxx, reason: "not reachable", until: 2027-01-31}
  - {rule: typosquat, package: "pkg:npm/lodahs", reason: "internal fork", until: 2027-01-31}
  - id: GHSA-old-old-old
    reason: "was fine"
    until: 2020-01-01
allow: {paths: ["docs/**"], secrets: ["fingerprint:abc123"], patterns: ["EXAMPLE$"]}
fail-on-skipped: true
exclude: ["vendor/**", "testdata/**"]
thresholds: {typosquat-distance: 2}
`

func TestParseFull(t *testing.T) {
	c, err := Parse(".github/tollgate.yml", []byte(full), knownChecks)
	if err != nil {
		t.Fatal(err)
	}
	if c.FailOn != "medium" || c.Enabled("typosquat") || !c.Enabled("osv") || !c.Enabled("secrets") {
		t.Errorf("fail-on %q, checks %v", c.FailOn, c.Checks)
	}
	if c.Registries["npm"] != "https://npm.internal.example/" || c.OSV.DB != "/var/osv" || c.GitHub.API != "https://ghe.example/api/v3" {
		t.Errorf("urls: %+v %+v %+v", c.Registries, c.OSV, c.GitHub)
	}
	if len(c.Allow.Patterns) != 1 || c.Allow.Patterns[0] != "EXAMPLE$" || !c.FailOnSkipped {
		t.Errorf("allow.patterns %q, fail-on-skipped %v", c.Allow.Patterns, c.FailOnSkipped)
	}
	if len(c.Internal.Scopes) != 1 || c.Internal.Prefixes[0] != "acme-" {
		t.Errorf("internal %+v", c.Internal)
	}
	if len(c.Ignore) != 3 || c.Ignore[0].Line != 11 || c.Ignore[2].Line != 13 || c.Ignore[1].Package != "pkg:npm/lodahs" {
		t.Errorf("ignores %+v", c.Ignore)
	}
	if want := time.Date(2027, 1, 31, 23, 59, 59, 999999999, time.UTC); !c.Ignore[0].Expires.Equal(want) {
		t.Errorf("expires %v", c.Ignore[0].Expires)
	}
	if !c.Excluded("vendor/x/go.mod") || !c.Excluded("testdata") || c.Excluded("src/main.go") {
		t.Error("exclude globs")
	}
	if c.Thresholds["typosquat-distance"] != 2 {
		t.Errorf("thresholds %v", c.Thresholds)
	}
}

// knownChecks are the ids a test config may name (checks/all's registry in
// real use).
var knownChecks = []string{"secrets", "osv", "typosquat", "confusion", "tamper", "registry", "repojack", "content"}

// fail-on is read the same way everywhere (scanner.ParseFailOn): case and
// surrounding space do not matter.
func TestFailOnAnyCase(t *testing.T) {
	for src, want := range map[string]string{"fail-on: HIGH\n": "high", "fail-on: ' Critical '\n": "critical", "fail-on: NONE\n": "none"} {
		c, err := Parse("t.yml", []byte(src), knownChecks)
		if err != nil || c.FailOn != want {
			t.Errorf("%q: %v %v, want %s", src, c, err, want)
		}
	}
}

func TestBudgets(t *testing.T) {
	c, err := Parse("t.yml", []byte("budgets: {osv: 90s, secrets: 5m}\n"), knownChecks)
	if err != nil || c.Budget("osv") != 90*time.Second || c.Budget("secrets") != 5*time.Minute || c.Budget("tamper") != 0 {
		t.Errorf("budgets: %v %v", c, err)
	}
}

func TestEmptyIsDefault(t *testing.T) {
	for _, src := range []string{"", "# nothing\n", "---\n"} {
		c, err := Parse("t.yml", []byte(src), knownChecks)
		if err != nil || c.FailOn != "high" || !c.Enabled("osv") {
			t.Errorf("%q: %+v, %v", src, c, err)
		}
	}
}

func TestErrorsHaveLines(t *testing.T) {
	tests := []struct {
		name, src string
		line      int
		want      string
	}{
		{"unknown top-level key", "fail-on: high\nfial-on: low\n", 2, "fial-on"},
		{"unknown nested key", "osv:\n  url: \"\"\n  dbb: x\n", 3, "dbb"},
		{"bad fail-on", "checks: {}\nfail-on: severe\n", 2, "fail-on must be"},
		{"unknown check", "checks:\n  osv: true\n  typo: true\n", 3, `"typo" is not a known check`},
		{"check not a bool", "checks:\n  osv: maybe\n", 2, "bool"},
		{"bad registry url", "registries:\n  npm: \"ftp://x\"\n", 2, "not an http(s) URL"},
		{"unknown registry", "registries:\n  maven: \"https://x\"\n", 2, "not a known registry"},
		{"ignore without reason", "ignore:\n  - {id: GHSA-1, until: 2027-01-01}\n", 2, "reason is required"},
		{"ignore without expiry", "ignore:\n  - {id: GHSA-1, reason: x}\n  - {rule: typosquat, reason: y}\n", 2, "expiry date"},
		{"ignore bad date", "ignore:\n  - {id: GHSA-1, reason: x, until: next year}\n", 2, "not a date"},
		{"ignore with neither id nor rule", "ignore:\n  - {package: pkg:npm/x, reason: x, until: 2027-01-01}\n", 2, "needs an id or a rule"},
		{"bad secret allow", "allow:\n  secrets: [\"abc\"]\n", 2, "fingerprint:"},
		{"bad secret pattern", "allow:\n  patterns:\n    - \"^AKIAEXAMPLE\"\n    - \"(unclosed\"\n", 4, "not a valid RE2 expression"},
		{"fail-on-skipped not a bool", "fail-on-skipped: sometimes\n", 1, "bool"},
		{"bad glob", "exclude: [\"[\"]\n", 1, "not a valid glob"},
		{"syntax", "fail-on: [high\n", 1, ""},
		{"wrong type", "exclude: vendor\n", 1, "cannot unmarshal"},
		{"unknown budget", "budgets:\n  osv: 1m\n  typo: 2m\n", 3, `budgets: "typo" is not a known check`},
		{"bad budget", "budgets:\n  osv: soon\n", 2, "not a duration"},
		{"budget too short", "budgets:\n  osv: 10ms\n", 2, "not a duration"},
		{"registry-auth unknown registry", "registry-auth:\n  maven: {token-env: T}\n", 2, `registry-auth: "maven" is not a known registry`},
		{"registry-auth token and basic", "registry-auth:\n  npm: {token-env: T, username-env: U}\n", 2, "exclude each other"},
		{"registry-auth empty", "registry-auth:\n  pypi: {}\n", 2, "name token-env"},
		{"registry-auth a credential, not a name", "registry-auth:\n  npm:\n    token-env: \"npm_AbCdEf0123456789abcdef\"\n", 3, "not an environment variable name"},
		{"registry-auth not a name", "registry-auth:\n  npm: {token-env: \"$NPM_TOKEN\"}\n", 2, "not an environment variable name"},
		{"registry-auth unknown field", "registry-auth:\n  npm: {token: x}\n", 2, "token"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := Parse(".github/tollgate.yml", []byte(tt.src), knownChecks)
			var ce *Error
			if !errors.As(err, &ce) {
				t.Fatalf("got %v, want a config error", err)
			}
			if strings.Contains(ce.Error(), "AbCdEf") {
				t.Errorf("the error repeats a credential: %q", ce.Error())
			}
			if ce.Line != tt.line || ce.Path != ".github/tollgate.yml" || !strings.Contains(ce.Error(), tt.want) {
				t.Errorf("got %q (line %d), want line %d containing %q", ce.Error(), ce.Line, tt.line, tt.want)
			}
		})
	}
}

func TestApply(t *testing.T) {
	c, err := Parse(".github/tollgate.yml", []byte(full), knownChecks)
	if err != nil {
		t.Fatal(err)
	}
	findings := []scanner.Finding{
		{RuleID: "vulnerable-package", Path: "package-lock.json", IDs: []string{"GHSA-xxxx-xxxx-xxxx", "CVE-2024-1"}},
		{RuleID: "typosquat", Path: "package-lock.json", Package: "pkg:npm/lodahs@1.0.0"},
		{RuleID: "typosquat", Path: "package-lock.json", Package: "pkg:npm/lodashs@1.0.0"},
		{RuleID: "vulnerable-package", Path: "go.mod", IDs: []string{"GHSA-old-old-old"}},
		{RuleID: "secret/github-pat", Path: "app.yml", Fingerprint: "abc123"},
		{RuleID: "secret/github-pat", Path: "app.yml", Fingerprint: "def456"},
		{RuleID: "secret/aws", Path: "docs/setup.md", Fingerprint: "x"},
	}
	out := c.Apply(findings, time.Date(2026, 11, 25, 0, 0, 0, 0, time.UTC))
	var kept []string
	for _, f := range out.Kept {
		kept = append(kept, f.RuleID+" "+f.Package+f.Fingerprint+strings.Join(f.IDs, ""))
	}
	want := []string{"typosquat pkg:npm/lodashs@1.0.0", "vulnerable-package GHSA-old-old-old", "secret/github-pat def456"}
	if strings.Join(kept, "|") != strings.Join(want, "|") {
		t.Errorf("kept %q, want %q", kept, want)
	}
	if len(out.Suppressed) != 4 {
		t.Errorf("suppressed %d", len(out.Suppressed))
	}
	if len(out.Notes) != 1 || !strings.Contains(out.Notes[0], "expired on 2020-01-01 and no longer applies") || !strings.Contains(out.Notes[0], ".github/tollgate.yml:13") {
		t.Errorf("notes %q", out.Notes)
	}

	// After expiry every ignore stops working; with nothing to match they say so.
	out = c.Apply(nil, time.Date(2028, 1, 1, 0, 0, 0, 0, time.UTC))
	if len(out.Notes) != 3 || !strings.Contains(out.Notes[0], "expired on 2027-01-31 and matches nothing") {
		t.Errorf("notes after expiry %q", out.Notes)
	}
	// An ignore matching nothing before its expiry is reported too.
	out = c.Apply(findings[2:3], time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC))
	if len(out.Notes) != 3 || !strings.Contains(out.Notes[0], "matches no finding") {
		t.Errorf("unused ignore notes %q", out.Notes)
	}
}

func TestPackageMatches(t *testing.T) {
	tests := []struct {
		want, got string
		ok        bool
	}{
		{"pkg:npm/lodahs", "pkg:npm/lodahs@1.0.0", true},
		{"pkg:npm/lodahs@1.0.0", "pkg:npm/lodahs@1.0.1", false},
		{"pkg:npm/%40acme/x", "pkg:npm/%40acme/x@2.0.0", true},
		{"pkg:npm/%40acme/x", "pkg:npm/%40acme/xy@2.0.0", false},
		{"pkg:pypi/requests", "pkg:npm/requests@1.0.0", false},
		{"pkg:gem/nokogiri", "pkg:gem/nokogiri@1.16.0?platform=x86_64-linux", true},
	}
	for _, tt := range tests {
		if got := packageMatches(tt.want, tt.got); got != tt.ok {
			t.Errorf("packageMatches(%q, %q) = %v", tt.want, tt.got, got)
		}
	}
}
