package cli

import (
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/tollgate-dev/tollgate/pipeline"
	"github.com/tollgate-dev/tollgate/secrets/secretstest"
)

// prRepo is a repository whose main branch has a clean requirements file and
// basePolicy (if any), and whose feature branch adds a malicious package and
// applies change (files to write) in the same commit.
func prRepo(t *testing.T, basePolicy map[string]string, change map[string]string) string {
	t.Helper()
	if _, err := exec.LookPath("git"); err != nil {
		t.Skip("git not installed")
	}
	dir := gitRepo(t)
	writeFile(t, dir, "requirements.txt", "requests==2.31.0\n")
	for p, c := range basePolicy {
		writeFile(t, dir, p, c)
	}
	gitCmd(t, dir, "add", "-A")
	gitCmd(t, dir, "commit", "-q", "-m", "base")
	gitCmd(t, dir, "checkout", "-q", "-b", "feature")
	writeFile(t, dir, "requirements.txt", "requests==2.31.0\nreqeusts==2.31.0\n")
	for p, c := range change {
		writeFile(t, dir, p, c)
	}
	gitCmd(t, dir, "add", "-A")
	gitCmd(t, dir, "commit", "-q", "-m", "feature")
	return dir
}

type scanDoc struct {
	Findings []struct {
		RuleID   string `json:"rule_id"`
		Severity string
		Path     string
		Line     int
		Message  string
	}
	Disabled []struct{ Check, Reason string }
}

func parseScan(t *testing.T, out string) scanDoc {
	t.Helper()
	var doc scanDoc
	if err := json.Unmarshal([]byte(out), &doc); err != nil {
		t.Fatalf("%v\n%s", err, out)
	}
	return doc
}

// A pull request cannot weaken the policy that judges it: each change below
// comes with a malicious package in the same commit, and the scan still
// fails on it (the base revision's policy applies) and reports the policy
// change as a high finding on the changed line, naming the weakening.
func TestPullRequestCannotWeakenItsPolicy(t *testing.T) {
	empty := t.TempDir()
	tests := []struct {
		name       string
		base, head string // .github/tollgate.yml ("" for none)
		weakening  string
	}{
		{"fail-on none", "", "fail-on: none\n", "fail-on raised from high to none"},
		{"osv turned off", "", "checks: {osv: false}\n", "checks turned off: osv"},
		{"ignore everything", "", "ignore:\n  - {rule: malicious-package, path: \"**\", reason: x, until: 2099-01-01}\n", "ignores added or changed: rule malicious-package, path **"},
		{"exclude everything", "", "exclude: [\"**\"]\n", `exclude added: "**"`},
		{"allow every path", "", "allow:\n  paths: [\"**\"]\n", `allow.paths added: "**"`},
		{"allow every secret", "", "allow:\n  patterns: [\".*\"]\n", `allow.patterns added: ".*"`},
		{"empty database", "", "osv: {db: " + empty + "}\n", "osv.db changed to"},
		{"answer-clean OSV server", "", "osv: {url: \"https://user:hunter2@osv.evil.example/\"}\n", `osv.url changed to "https://REDACTED@osv.evil.example/"`},
		{"credential sent elsewhere", "", "registries: {npm: \"https://npm.evil.example\"}\nregistry-auth: {npm: {token-env: GITHUB_TOKEN}}\n", "registry-auth.npm changed to token-env GITHUB_TOKEN"},
		{"fail-on-skipped off", "fail-on-skipped: true\n", "fail-on-skipped: false\n", "fail-on-skipped turned off"},
		{"config deleted", "fail-on: medium\n", "", "fail-on raised from medium to high"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			base := map[string]string{}
			if tt.base != "" {
				base[".github/tollgate.yml"] = tt.base
			}
			dir := prRepo(t, base, map[string]string{".github/tollgate.yml": tt.head})
			if tt.head == "" {
				gitCmd(t, dir, "rm", "-q", ".github/tollgate.yml")
				gitCmd(t, dir, "commit", "-q", "-m", "drop policy")
			}
			code, out, errOut := run(t, "scan", "--offline", "--osv-db", demoDB, "--format", "json", "--base", "main", dir)
			if strings.Contains(out+errOut, "hunter2") {
				t.Errorf("a credential in the changed config was echoed:\n%s%s", out, errOut)
			}
			if code != pipeline.ExitFindings {
				t.Fatalf("exit %d, want %d (the base policy fails on the malicious package):\n%s%s", code, pipeline.ExitFindings, out, errOut)
			}
			doc := parseScan(t, out)
			var malicious, changed bool
			for _, f := range doc.Findings {
				malicious = malicious || f.RuleID == "malicious-package" && f.Path == "requirements.txt" && f.Line == 2
				if f.RuleID == pipeline.RulePolicyChanged && f.Path == ".github/tollgate.yml" && f.Severity == "high" && strings.Contains(f.Message, tt.weakening) {
					changed = true
				}
			}
			if !malicious || !changed {
				t.Errorf("malicious %v, policy-changed naming %q %v:\n%s", malicious, tt.weakening, changed, out)
			}
		})
	}
}

// A pull request that adds a secret and a baseline accepting it still gets
// the secret reported, and the baseline change is a finding.
func TestPullRequestCannotBaselineItsSecret(t *testing.T) {
	p, err := secretstest.Secret("github-pat", 9)
	if err != nil {
		t.Fatal(err)
	}
	dir := prRepo(t, nil, map[string]string{"deploy.sh": "#!/bin/sh\n" + p.Text + "\n"})
	// The baseline the attacker would commit: tollgate baseline of the head.
	if code, out, errOut := run(t, "baseline", dir); code != pipeline.ExitOK {
		t.Fatalf("baseline: %d %s %s", code, out, errOut)
	}
	gitCmd(t, dir, "add", "-A")
	gitCmd(t, dir, "commit", "-q", "-m", "accept")
	code, out, errOut := run(t, "scan", "--offline", "--osv-db", demoDB, "--format", "json", "--base", "main", dir)
	secretstest.AssertNoLeak(t, []byte(out+errOut), []secretstest.Planted{p})
	doc := parseScan(t, out)
	var secret, changed bool
	for _, f := range doc.Findings {
		secret = secret || f.RuleID == p.RuleID && f.Path == "deploy.sh"
		changed = changed || f.RuleID == pipeline.RulePolicyChanged && f.Path == pipeline.DefaultBaseline && strings.Contains(f.Message, "accepts 1 more secret")
	}
	if code != pipeline.ExitFindings || !secret || !changed {
		t.Errorf("exit %d, secret reported %v, baseline change reported %v:\n%s", code, secret, changed, out)
	}
	// Swept after merge, the baseline is in force.
	gitCmd(t, dir, "checkout", "-q", "main")
	gitCmd(t, dir, "merge", "-q", "feature")
	_, out, _ = run(t, "scan", "--offline", "--osv-db", demoDB, "--format", "json", dir)
	if strings.Contains(out, p.RuleID) {
		t.Errorf("after merge the baseline does not apply:\n%s", out)
	}
}

// The first pull request that adds a config is judged by the defaults, and
// one that only tightens the policy gets an info finding, not a failure.
func TestPolicyTighteningIsNotAFailure(t *testing.T) {
	dir := prRepo(t, nil, map[string]string{".github/tollgate.yml": "fail-on: medium\ninternal: {names: [acme-core]}\n"})
	// Drop the malicious package: only the policy change is left.
	writeFile(t, dir, "requirements.txt", "requests==2.31.0\n")
	gitCmd(t, dir, "commit", "-q", "-am", "no package")
	code, out, _ := run(t, "scan", "--offline", "--osv-db", demoDB, "--format", "json", "--base", "main", dir)
	doc := parseScan(t, out)
	if code != pipeline.ExitOK || len(doc.Findings) != 1 || doc.Findings[0].RuleID != pipeline.RulePolicyChanged || doc.Findings[0].Severity != "info" {
		t.Errorf("exit %d: %+v", code, doc.Findings)
	}
	// The head's confusion names are not yet in force: confusion is still off.
	for _, d := range doc.Disabled {
		if d.Check == "confusion" && !strings.Contains(d.Reason, "no internal package names") {
			t.Errorf("confusion: %+v", d)
		}
	}
}

// A config that is a symbolic link is refused, never echoed.
func TestSymlinkedConfigIsRefused(t *testing.T) {
	dir := t.TempDir()
	writeFile(t, dir, "requirements.txt", "requests==2.31.0\n")
	if err := os.MkdirAll(filepath.Join(dir, ".github"), 0o755); err != nil {
		t.Fatal(err)
	}
	outside := filepath.Join(t.TempDir(), "passwd")
	if err := os.WriteFile(outside, []byte("root:x:0:0:root:/root:/bin/bash\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink(outside, filepath.Join(dir, ".github", "tollgate.yml")); err != nil {
		t.Skip(err)
	}
	code, out, errOut := run(t, "scan", "--offline", dir)
	if code != pipeline.ExitUsage || !strings.Contains(errOut, "symbolic link") || strings.Contains(out+errOut, "root:x") {
		t.Errorf("exit %d, stdout %q, stderr %q", code, out, errOut)
	}
}

// Credentials in an OSV URL are never echoed: not in the skipped reason, the
// text report, JSON or the error output.
func TestOSVURLCredentialsNeverEchoed(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		http.Error(w, "bad request", http.StatusBadRequest)
	}))
	defer srv.Close()
	host := strings.TrimPrefix(srv.URL, "http://")
	// Only the OSV check goes online: the registry, repojack, content and typosquat
	// checks would ask the real registries.
	cfg := filepath.Join(t.TempDir(), "tollgate.yml")
	if err := os.WriteFile(cfg, []byte("checks: {registry: false, repojack: false, content: false, typosquat: false}\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	for _, u := range []string{"http://ci:s3cr3tT0ken@" + host + "/", "http://t0kenAsUserName1234567890@" + host + "/?key=k3yInQuery"} {
		for _, format := range []string{"text", "json"} {
			code, out, errOut := run(t, "scan", "--config", cfg, "--osv-url", u, "--format", format, "--fail-on-skipped=false", demo)
			for _, secret := range []string{"s3cr3tT0ken", "t0kenAsUserName1234567890", "k3yInQuery"} {
				if strings.Contains(out+errOut, secret) {
					t.Errorf("%s (%s): %q echoed:\n%s%s", u, format, secret, out, errOut)
				}
			}
			if !strings.Contains(out, "400") || code == pipeline.ExitUsage {
				t.Errorf("%s (%s): exit %d, the failed lookup is not reported:\n%s%s", u, format, code, out, errOut)
			}
		}
	}
}

// A secret in a file's name is reported, and printed nowhere: not in the
// finding's path, the text or JSON report, or SARIF.
func TestSecretInFileNameNeverPrinted(t *testing.T) {
	p, err := secretstest.Secret("github-pat", 11)
	if err != nil {
		t.Fatal(err)
	}
	name := "backup-" + p.Secret + ".txt"
	other, err := secretstest.Secret("stripe-secret-key", 12)
	if err != nil {
		t.Fatal(err)
	}
	planted := []secretstest.Planted{p, other}
	dir := prRepo(t, nil, map[string]string{name: other.Text + "\n"})
	for _, args := range [][]string{
		{"scan", "--offline", "--format", "json", dir},
		{"scan", "--offline", "--format", "text", dir},
		{"scan", "--offline", "--format", "sarif", dir},
		{"scan", "--offline", "--format", "json", "--base", "main", dir},
		{"scan", "--offline", "--format", "json", "--history", dir},
	} {
		_, out, errOut := run(t, args...)
		secretstest.AssertNoLeak(t, []byte(out+errOut), planted)
		if !strings.Contains(out, "file") || !strings.Contains(out, "ghp_") || !strings.Contains(out, other.RuleID) {
			t.Errorf("%v: the secrets in the name and the content are not both reported:\n%s", args, out)
		}
	}
	_, out, _ := run(t, "scan", "--offline", "--format", "json", dir)
	if !strings.Contains(out, "found in the file's name") {
		t.Errorf("no file-name finding:\n%s", out)
	}
}

// A base config whose osv.db lies inside the repository would let the
// change under review rewrite the database that judges it (delete the
// record of the package it adds): refused in pull-request mode, named in
// the error. A database named on the command line is the workflow's own.
func TestPullRequestModeRefusesADatabaseInsideTheRepository(t *testing.T) {
	dir := prRepo(t, map[string]string{
		".github/tollgate.yml":             "osv: {db: osv-data}\n",
		"osv-data/PyPI/MAL-DEMO-0002.json": "{}\n",
	}, map[string]string{"osv-data/PyPI/MAL-DEMO-0002.json": `{"id": "MAL-DEMO-0002", "affected": []}` + "\n"})
	code, out, errOut := run(t, "scan", "--offline", "--format", "json", "--base", "main", dir)
	if code != pipeline.ExitUsage || !strings.Contains(errOut, `osv.db "osv-data" is inside the repository`) {
		t.Errorf("exit %d, want %d naming osv.db inside the repository:\n%s%s", code, pipeline.ExitUsage, out, errOut)
	}
	// The same database given by the workflow is accepted.
	if code, out, errOut := run(t, "scan", "--offline", "--osv-db", demoDB, "--format", "json", "--base", "main", dir); code != pipeline.ExitFindings {
		t.Errorf("with --osv-db: exit %d, want %d:\n%s%s", code, pipeline.ExitFindings, out, errOut)
	}
}
