package cli

import (
	"bytes"
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	goldenfile "github.com/tollgate-dev/tollgate/internal/golden"

	"github.com/tollgate-dev/tollgate/pipeline"
	"github.com/tollgate-dev/tollgate/secrets/secretstest"
)

var update = flag.Bool("update", false, "rewrite golden files")

func run(t *testing.T, args ...string) (int, string, string) {
	t.Helper()
	var stdout, stderr bytes.Buffer
	code := Main(context.Background(), args, &stdout, &stderr)
	return code, stdout.String(), stderr.String()
}

func golden(t *testing.T, name, got string) {
	t.Helper()
	goldenfile.Check(t, "./cli", name, got, *update)
}

const demo = "../testdata/demo"
const demoDB = "../testdata/demo-osv"

func TestScanDemoText(t *testing.T) {
	code, out, errOut := run(t, "scan", "--offline", "--osv-db", demoDB, demo)
	if code != pipeline.ExitFindings {
		t.Fatalf("exit %d, stderr %s", code, errOut)
	}
	golden(t, "demo-scan.txt", out)
}

func TestScanDemoJSON(t *testing.T) {
	code, out, errOut := run(t, "scan", "--offline", "--osv-db", demoDB, "--format", "json", demo)
	if code != pipeline.ExitFindings {
		t.Fatalf("exit %d, stderr %s", code, errOut)
	}
	golden(t, "demo-scan.json", out)
	var doc struct {
		Findings []struct {
			RuleID                               string `json:"rule_id"`
			Severity, Path, Package, Fingerprint string
			Line                                 int
		}
		Skipped []struct{ Check, Reason string }
	}
	if err := json.Unmarshal([]byte(out), &doc); err != nil {
		t.Fatal(err)
	}
	found := map[string]bool{}
	for _, f := range doc.Findings {
		found[f.RuleID+" "+f.Package+" "+f.Path] = true
		if f.Fingerprint == "" || f.Line < 1 {
			t.Errorf("finding without fingerprint or line: %+v", f)
		}
	}
	for _, want := range []string{
		"malicious-package pkg:npm/tollgate-demo-evil@1.0.2 web/package-lock.json",
		"vulnerable-package pkg:npm/lodash@4.17.20 web/package-lock.json",
	} {
		if !found[want] {
			t.Errorf("missing finding %q in %v", want, found)
		}
	}
	if doc.Skipped == nil {
		t.Error(`"skipped" must be present (an empty list at least)`)
	}
}

func TestScanSARIFFile(t *testing.T) {
	dir := t.TempDir()
	sarifPath := filepath.Join(dir, "out.sarif")
	code, _, errOut := run(t, "scan", "--offline", "--osv-db", demoDB, "--sarif", sarifPath, "--format", "json", "--output", filepath.Join(dir, "out.json"), demo)
	if code != pipeline.ExitFindings {
		t.Fatalf("exit %d: %s", code, errOut)
	}
	data, err := os.ReadFile(sarifPath)
	if err != nil {
		t.Fatal(err)
	}
	var log struct {
		Version string
		Runs    []struct {
			Results []struct {
				RuleID    string `json:"ruleId"`
				Locations []struct {
					PhysicalLocation struct {
						ArtifactLocation struct{ URI string }    `json:"artifactLocation"`
						Region           struct{ StartLine int } `json:"region"`
					} `json:"physicalLocation"`
				}
			}
		}
	}
	if err := json.Unmarshal(data, &log); err != nil {
		t.Fatal(err)
	}
	if log.Version != "2.1.0" || len(log.Runs) == 0 || len(log.Runs[0].Results) == 0 {
		t.Fatalf("SARIF: %s", data)
	}
	// The malicious packages sit at the lines of their lockfile entries.
	var got []string
	for _, r := range log.Runs[0].Results {
		loc := r.Locations[0].PhysicalLocation
		got = append(got, fmt.Sprintf("%s %s:%d", r.RuleID, loc.ArtifactLocation.URI, loc.Region.StartLine))
	}
	want := []string{"malicious-package api/requirements.txt:4", "malicious-package web/package-lock.json:33", "typosquat api/requirements.txt:4", "vulnerable-package web/package-lock.json:28"}
	if strings.Join(got, "|") != strings.Join(want, "|") {
		t.Errorf("results %q, want %q", got, want)
	}
	if _, err := os.Stat(filepath.Join(dir, "out.json")); err != nil {
		t.Error("--output file not written")
	}
}

func TestExitCodes(t *testing.T) {
	clean := t.TempDir()
	if err := os.WriteFile(filepath.Join(clean, "yarn.lock"), []byte("# yarn lockfile v1\n\n\nleft-pad@^1.3.0:\n  version \"1.3.0\"\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	lenient := filepath.Join(t.TempDir(), "lenient.yml")
	if err := os.WriteFile(lenient, []byte("fail-on-skipped: false\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	// broken holds a lockfile that cannot be read: its packages went
	// unchecked, a check could not run fully.
	broken := t.TempDir()
	if err := os.WriteFile(filepath.Join(broken, "package-lock.json"), []byte("{\"lockfileVersion\": 3, \"packages\": {,}}"), 0o644); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name string
		args []string
		want int
	}{
		{"findings at fail-on", []string{"scan", "--offline", "--osv-db", demoDB, demo}, pipeline.ExitFindings},
		{"fail-on none", []string{"scan", "--offline", "--osv-db", demoDB, "--fail-on", "none", demo}, pipeline.ExitOK},
		{"fail-on critical still fails on the malicious package", []string{"scan", "--offline", "--osv-db", demoDB, "--fail-on", "critical", demo}, pipeline.ExitFindings},
		{"clean tree", []string{"scan", "--offline", "--osv-db", demoDB, clean}, pipeline.ExitOK},
		// Offline is the user's choice: OSV is listed as turned off, not a fault.
		{"offline without a database leaves OSV out", []string{"scan", "--offline", clean}, pipeline.ExitOK},
		{"offline without a database, fail-on-skipped", []string{"scan", "--offline", "--fail-on-skipped", clean}, pipeline.ExitOK},
		// A check that could not run makes the scan incomplete by default.
		{"an unreadable lockfile makes the scan incomplete", []string{"scan", "--offline", broken}, pipeline.ExitIncomplete},
		{"fail-on-skipped=false passes on what did run", []string{"scan", "--offline", "--fail-on-skipped=false", broken}, pipeline.ExitOK},
		{"fail-on-skipped: false in the config", []string{"scan", "--offline", "--config", lenient, broken}, pipeline.ExitOK},
		{"the flag wins over the config", []string{"scan", "--offline", "--config", lenient, "--fail-on-skipped", broken}, pipeline.ExitIncomplete},
		{"fail-on-skipped with every check run", []string{"scan", "--offline", "--osv-db", demoDB, "--fail-on-skipped", clean}, pipeline.ExitOK},
		{"bad fail-on", []string{"scan", "--fail-on", "severe", demo}, pipeline.ExitUsage},
		{"bad format", []string{"scan", "--format", "xml", demo}, pipeline.ExitUsage},
		{"missing dir", []string{"scan", "/does/not/exist"}, pipeline.ExitUsage},
		{"bad osv db", []string{"scan", "--osv-db", "/does/not/exist", demo}, pipeline.ExitUsage},
		{"unknown command", []string{"frobnicate"}, pipeline.ExitUsage},
		{"no command", nil, pipeline.ExitUsage},
		{"head without base", []string{"scan", "--head", "HEAD", demo}, pipeline.ExitUsage},
		{"base outside a git repository", []string{"scan", "--offline", "--base", "main", clean}, pipeline.ExitUsage},
		{"inventory bad format", []string{"inventory", "--format", "xml", demo}, pipeline.ExitUsage},
		{"inventory unknown file", []string{"inventory", "README.md"}, pipeline.ExitUsage},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			code, _, errOut := run(t, tt.args...)
			if code != tt.want {
				t.Errorf("exit %d, want %d (stderr: %s)", code, tt.want, errOut)
			}
		})
	}
}

func TestOfflineSkipIsReported(t *testing.T) {
	code, out, _ := run(t, "scan", "--offline", "--format", "json", demo)
	doc := parseScan(t, out)
	var listed bool
	for _, d := range doc.Disabled {
		listed = listed || d.Check == "osv" && strings.Contains(d.Reason, "offline")
	}
	// The typosquat check needs no network: reqeusts is still reported.
	typosquat := len(doc.Findings) == 1 && doc.Findings[0].RuleID == "typosquat"
	if !listed || strings.Contains(out, `"skipped": [{`) || code != pipeline.ExitFindings || !typosquat {
		t.Errorf("offline scan without a database must list osv as turned off (by choice, not a fault) and still report the typosquat, exit %d:\n%s", code, out)
	}
}

func TestBadLockfileDoesNotStopTheScan(t *testing.T) {
	dir := t.TempDir()
	if err := os.MkdirAll(filepath.Join(dir, "broken"), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "broken", "package-lock.json"), []byte("{\n  \"lockfileVersion\": 3,\n  \"packages\": {\n    \"node_modules/x\": {\"version\": \"1.0.0\",}\n  }\n}\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	data, err := os.ReadFile(filepath.Join(demo, "web", "package-lock.json"))
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "package-lock.json"), data, 0o644); err != nil {
		t.Fatal(err)
	}
	// Unreadable is not clean: incomplete by default, judged on what was
	// read with fail-on-skipped off.
	if code, _, _ := run(t, "scan", "--offline", "--osv-db", demoDB, dir); code != pipeline.ExitIncomplete {
		t.Errorf("exit %d, want %d", code, pipeline.ExitIncomplete)
	}
	code, out, _ := run(t, "scan", "--offline", "--osv-db", demoDB, "--fail-on-skipped=false", "--format", "json", dir)
	if code != pipeline.ExitFindings {
		t.Errorf("exit %d", code)
	}
	if !strings.Contains(out, "tollgate-demo-evil") {
		t.Error("the good lockfile's malicious package was not reported")
	}
	if !strings.Contains(out, `"rule_id": "unreadable-lockfile"`) || !strings.Contains(out, "broken/package-lock.json:4") {
		t.Errorf("the broken lockfile must be a finding naming file and line:\n%s", out)
	}
}

func TestInventoryJSON(t *testing.T) {
	code, out, errOut := run(t, "inventory", "--format", "json", demo)
	if code != pipeline.ExitOK {
		t.Fatalf("exit %d: %s", code, errOut)
	}
	golden(t, "demo-inventory.json", out)
	// A file path works too, with the path relative to the file's directory.
	code, out, _ = run(t, "inventory", filepath.Join(demo, "web", "package-lock.json"), "--format", "json")
	if code != pipeline.ExitOK || !strings.Contains(out, `"path": "package-lock.json"`) {
		t.Errorf("inventory of a file: exit %d\n%s", code, out)
	}
}

func TestScanWithConfig(t *testing.T) {
	dir := t.TempDir()
	data, err := os.ReadFile(filepath.Join(demo, "web", "package-lock.json"))
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "package-lock.json"), data, 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.MkdirAll(filepath.Join(dir, ".github"), 0o755); err != nil {
		t.Fatal(err)
	}
	cfg := "fail-on: critical\nignore:\n  - {id: GHSA-DEMO-lodash, reason: \"template() is never called\", until: 2099-01-01}\n  - {id: GHSA-gone-gone-gone, reason: \"old\", until: 2099-01-01}\n"
	if err := os.WriteFile(filepath.Join(dir, ".github", "tollgate.yml"), []byte(cfg), 0o644); err != nil {
		t.Fatal(err)
	}
	code, out, errOut := run(t, "scan", "--offline", "--osv-db", demoDB, "--format", "json", dir)
	if code != pipeline.ExitFindings {
		t.Fatalf("exit %d: %s", code, errOut)
	}
	if strings.Contains(out, "GHSA-DEMO-lodash (") || !strings.Contains(out, "tollgate-demo-evil") {
		t.Errorf("ignore not applied:\n%s", out)
	}
	if !strings.Contains(out, "GHSA-gone-gone-gone") || !strings.Contains(out, "matches no finding") {
		t.Errorf("unused ignore not reported:\n%s", out)
	}
	// fail-on from the config: with only the (kept) critical finding, an
	// explicit --fail-on none on the command line wins.
	if code, _, _ := run(t, "scan", "--offline", "--osv-db", demoDB, "--fail-on", "none", dir); code != pipeline.ExitOK {
		t.Errorf("--fail-on none: exit %d", code)
	}
	// allowed-registries is enforced: the demo lockfile's packages come from
	// registry.npmjs.org, which a mirror-only policy does not allow.
	if err := os.WriteFile(filepath.Join(dir, ".github", "tollgate.yml"), []byte("fail-on: none\nallowed-registries: [npm.mirror.acme.example]\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	_, out, _ = run(t, "scan", "--offline", "--osv-db", demoDB, "--format", "json", dir)
	if n := strings.Count(out, `"rule_id": "registry-not-allowed"`); n == 0 || !strings.Contains(out, "registry.npmjs.org, which is not in allowed-registries") {
		t.Errorf("allowed-registries not enforced (%d findings):\n%s", n, out)
	}
	if err := os.WriteFile(filepath.Join(dir, ".github", "tollgate.yml"), []byte("fail-on: none\nallowed-registries: [registry.npmjs.org]\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	if _, out, _ = run(t, "scan", "--offline", "--osv-db", demoDB, "--format", "json", dir); strings.Contains(out, "registry-not-allowed") {
		t.Errorf("allowed host reported:\n%s", out)
	}
	// internal: names are checked for dependency confusion: left-pad declared
	// internal, yet downloaded from registry.npmjs.org.
	if err := os.WriteFile(filepath.Join(dir, ".github", "tollgate.yml"), []byte("fail-on: none\ninternal: {names: [left-pad]}\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	if _, out, _ = run(t, "scan", "--offline", "--osv-db", demoDB, "--format", "json", dir); strings.Count(out, `"rule_id": "dependency-confusion"`) != 1 ||
		!strings.Contains(out, "left-pad 1.3.0 is an internal name, yet the lockfile downloads it from the public registry registry.npmjs.org") {
		t.Errorf("internal name from the public registry not reported:\n%s", out)
	}
	// A bad config is a usage error naming file and line.
	if err := os.WriteFile(filepath.Join(dir, ".github", "tollgate.yml"), []byte("fail-on: high\nchecks:\n  osvv: true\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	code, _, errOut = run(t, "scan", "--offline", dir)
	if code != pipeline.ExitUsage || !strings.Contains(errOut, "tollgate.yml:3") {
		t.Errorf("bad config: exit %d, stderr %q", code, errOut)
	}
}

// gitRepo builds a repository with scripted commits (the git binary is used
// only to build the fixture; tollgate reads git in Go).
func gitRepo(t *testing.T) string {
	t.Helper()
	dir := t.TempDir()
	gitCmd(t, dir, "init", "-q", "-b", "main")
	return dir
}

func gitCmd(t *testing.T, dir string, args ...string) {
	t.Helper()
	cmd := exec.Command("git", append([]string{"-c", "user.name=t", "-c", "user.email=t@example.com", "-c", "commit.gpgsign=false"}, args...)...)
	cmd.Dir = dir
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("git %v: %v\n%s", args, err, out)
	}
}

func writeFile(t *testing.T, dir, rel, content string) {
	t.Helper()
	p := filepath.Join(dir, filepath.FromSlash(rel))
	if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(p, []byte(content), 0o644); err != nil {
		t.Fatal(err)
	}
}

func TestScanPullRequestMode(t *testing.T) {
	if _, err := exec.LookPath("git"); err != nil {
		t.Skip("git not installed")
	}
	dir := gitRepo(t)
	// Base: lodash 4.17.20 (vulnerable) is already there; the PR must not
	// report it. The PR adds the malicious package and the typosquat.
	writeFile(t, dir, "requirements.txt", "requests==2.31.0\n")
	writeFile(t, dir, "yarn.lock", "# yarn lockfile v1\n\n\nlodash@^4.17.20:\n  version \"4.17.20\"\n  resolved \"https://registry.yarnpkg.com/lodash/-/lodash-4.17.20.tgz\"\n")
	gitCmd(t, dir, "add", "-A")
	gitCmd(t, dir, "commit", "-q", "-m", "base")
	gitCmd(t, dir, "checkout", "-q", "-b", "feature")
	writeFile(t, dir, "requirements.txt", "requests==2.31.0\nreqeusts==2.31.0\n")
	writeFile(t, dir, "yarn.lock", "# yarn lockfile v1\n\n\nlodash@^4.17.20:\n  version \"4.17.20\"\n  resolved \"https://registry.yarnpkg.com/lodash/-/lodash-4.17.20.tgz\"\n\ntollgate-demo-evil@^1.0.0:\n  version \"1.0.2\"\n  resolved \"https://registry.yarnpkg.com/tollgate-demo-evil/-/tollgate-demo-evil-1.0.2.tgz\"\n")
	gitCmd(t, dir, "add", "-A")
	gitCmd(t, dir, "commit", "-q", "-m", "feature")

	code, out, errOut := run(t, "scan", "--offline", "--osv-db", demoDB, "--format", "json", "--base", "main", dir)
	if code != pipeline.ExitFindings {
		t.Fatalf("exit %d: %s\n%s", code, errOut, out)
	}
	var doc struct {
		Mode, Source string
		Findings     []struct {
			RuleID  string `json:"rule_id"`
			Path    string
			Line    int
			Package string
		}
	}
	if err := json.Unmarshal([]byte(out), &doc); err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, f := range doc.Findings {
		got = append(got, fmt.Sprintf("%s %s:%d %s", f.RuleID, f.Path, f.Line, f.Package))
	}
	want := []string{
		"malicious-package requirements.txt:2 pkg:pypi/reqeusts@2.31.0",
		"malicious-package yarn.lock:8 pkg:npm/tollgate-demo-evil@1.0.2",
		"typosquat requirements.txt:2 pkg:pypi/reqeusts@2.31.0",
	}
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("findings:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
	if doc.Mode != "pull-request" || doc.Source != "git" {
		t.Errorf("mode %q source %q", doc.Mode, doc.Source)
	}
	// The same tree swept reports the old vulnerable lodash too.
	_, out, _ = run(t, "scan", "--offline", "--osv-db", demoDB, "--format", "json", dir)
	if !strings.Contains(out, "GHSA-DEMO-lodash") {
		t.Error("sweep must report the pre-existing vulnerable lodash")
	}
	// Without --head the work tree is the head: an uncommitted lockfile edit
	// is judged; --head HEAD judges only what is committed.
	if err := os.Mkdir(filepath.Join(dir, "svc"), 0o755); err != nil {
		t.Fatal(err)
	}
	writeFile(t, dir, "svc/requirements.txt", "reqeusts==9.9.9\n") // untracked
	_, out, _ = run(t, "scan", "--offline", "--osv-db", demoDB, "--format", "json", "--base", "main", dir)
	if !strings.Contains(out, "pkg:pypi/reqeusts@9.9.9") || !strings.Contains(out, "uncommitted") {
		t.Errorf("uncommitted malicious pin not reported, or no note that the work tree was read:\n%s", out)
	}
	_, out, _ = run(t, "scan", "--offline", "--osv-db", demoDB, "--format", "json", "--base", "main", "--head", "HEAD", dir)
	if strings.Contains(out, "9.9.9") {
		t.Errorf("--head HEAD reported an uncommitted change:\n%s", out)
	}
	// An unknown base is an incomplete scan, not a clean one.
	if code, _, _ := run(t, "scan", "--offline", "--base", "no-such-rev", dir); code != pipeline.ExitIncomplete {
		t.Errorf("unknown base: exit %d", code)
	}
}

func TestSymlinkOutOfTreeIsNotRead(t *testing.T) {
	outside := t.TempDir()
	writeFile(t, outside, "package-lock.json", `{"lockfileVersion": 3, "packages": {"node_modules/secret-outside": {"version": "1.0.0"}}}`)
	dir := t.TempDir()
	if err := os.Symlink(filepath.Join(outside, "package-lock.json"), filepath.Join(dir, "package-lock.json")); err != nil {
		t.Skip(err)
	}
	code, out, errOut := run(t, "inventory", "--format", "json", dir)
	if code != pipeline.ExitOK {
		t.Fatalf("exit %d: %s", code, errOut)
	}
	if strings.Contains(out, "secret-outside") {
		t.Errorf("a lockfile outside the tree was read through a symlink:\n%s", out)
	}
	if !strings.Contains(out, "is a symbolic link to a path outside the repository") {
		t.Errorf("the symlinked lockfile is not reported:\n%s", out)
	}
	// A scan reports it and is incomplete under fail-on-skipped.
	code, out, _ = run(t, "scan", "--offline", "--fail-on-skipped", dir)
	if code != pipeline.ExitIncomplete || !strings.Contains(out, "unreadable-lockfile") || !strings.Contains(out, "symbolic link") {
		t.Errorf("scan of a symlinked lockfile: exit %d\n%s", code, out)
	}
}

// In pull-request mode a lockfile replaced by a symbolic link (which git
// holds as a file of link text) is reported, not parsed as text that holds
// no packages; a link inside the repository names its target.
func TestSymlinkedLockfileInPullRequest(t *testing.T) {
	if _, err := exec.LookPath("git"); err != nil {
		t.Skip("git not installed")
	}
	dir := gitRepo(t)
	writeFile(t, dir, "requirements.txt", "requests==2.31.0\n")
	writeFile(t, dir, "pinned/real.txt", "reqeusts==2.31.0\n")
	gitCmd(t, dir, "add", "-A")
	gitCmd(t, dir, "commit", "-q", "-m", "base")
	gitCmd(t, dir, "checkout", "-q", "-b", "feature")
	if err := os.Remove(filepath.Join(dir, "requirements.txt")); err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink("pinned/real.txt", filepath.Join(dir, "requirements.txt")); err != nil {
		t.Skip(err)
	}
	gitCmd(t, dir, "add", "-A")
	gitCmd(t, dir, "commit", "-q", "-m", "link")
	code, out, errOut := run(t, "scan", "--offline", "--fail-on-skipped", "--base", "main", "--head", "HEAD", dir)
	if code != pipeline.ExitIncomplete || !strings.Contains(out, "requirements.txt: is a symbolic link to pinned/real.txt") {
		t.Errorf("exit %d:\n%s%s", code, out, errOut)
	}
}

// TestPlantedSecretsNeverPrinted plants one format-valid secret per rule and
// runs every CLI output format, in a sweep and in pull-request mode: each
// secret must be found, and no planted value may appear in any output.
func TestPlantedSecretsNeverPrinted(t *testing.T) {
	if _, err := exec.LookPath("git"); err != nil {
		t.Skip("git not installed")
	}
	planted := secretstest.All(7)
	content, planted := secretstest.File(planted)
	dir := gitRepo(t)
	writeFile(t, dir, "README.md", "base\n")
	gitCmd(t, dir, "add", "-A")
	gitCmd(t, dir, "commit", "-q", "-m", "base")
	writeFile(t, dir, "config/settings.env", string(content))
	gitCmd(t, dir, "add", "-A")
	gitCmd(t, dir, "commit", "-q", "-m", "add settings")

	sarifPath := filepath.Join(t.TempDir(), "out.sarif")
	for _, mode := range [][]string{nil, {"--base", "HEAD~1"}} {
		for _, format := range []string{"text", "json", "sarif"} {
			args := append([]string{"scan", "--offline", "--format", format, "--sarif", sarifPath}, mode...)
			code, out, errOut := run(t, append(args, dir)...)
			if code != pipeline.ExitFindings {
				t.Fatalf("%v %s: exit %d: %s", mode, format, code, errOut)
			}
			secretstest.AssertNoLeak(t, []byte(out), planted)
			secretstest.AssertNoLeak(t, []byte(errOut), planted)
			data, err := os.ReadFile(sarifPath)
			if err != nil {
				t.Fatal(err)
			}
			secretstest.AssertNoLeak(t, data, planted)
			if format == "json" {
				found := map[string]bool{}
				var doc struct {
					Findings []struct {
						RuleID string `json:"rule_id"`
						Line   int
					}
				}
				if err := json.Unmarshal([]byte(out), &doc); err != nil {
					t.Fatal(err)
				}
				for _, f := range doc.Findings {
					found[fmt.Sprintf("%s:%d", f.RuleID, f.Line)] = true
				}
				missed := 0
				for _, p := range planted {
					if !found[fmt.Sprintf("%s:%d", p.RuleID, p.Line)] {
						missed++
						t.Logf("%v: %s at line %d not reported", mode, p.RuleID, p.Line)
					}
				}
				if missed > 0 {
					t.Errorf("%v: %d of %d planted secrets not reported at their line", mode, missed, len(planted))
				}
			}
		}
	}
}

func TestHistoryFindsRemovedSecret(t *testing.T) {
	if _, err := exec.LookPath("git"); err != nil {
		t.Skip("git not installed")
	}
	p, err := secretstest.Secret("github-pat", 3)
	if err != nil {
		t.Fatal(err)
	}
	dir := gitRepo(t)
	writeFile(t, dir, "deploy.sh", "#!/bin/sh\n"+p.Text+"\n")
	gitCmd(t, dir, "add", "-A")
	gitCmd(t, dir, "commit", "-q", "-m", "add deploy")
	writeFile(t, dir, "deploy.sh", "#!/bin/sh\necho ok\n")
	gitCmd(t, dir, "commit", "-q", "-am", "remove token")

	_, out, _ := run(t, "scan", "--offline", "--format", "json", dir)
	if strings.Contains(out, p.RuleID) {
		t.Fatalf("the tree no longer holds the secret, the sweep found it:\n%s", out)
	}
	code, out, errOut := run(t, "scan", "--offline", "--history", "--format", "json", dir)
	if code != pipeline.ExitFindings || !strings.Contains(out, `"rule_id": "`+p.RuleID+`"`) || !strings.Contains(out, "git history") {
		t.Errorf("--history: exit %d, stderr %s\n%s", code, errOut, out)
	}
	secretstest.AssertNoLeak(t, []byte(out+errOut), []secretstest.Planted{p})
}

// allow.patterns in the config drops secrets whose value matches: every
// ghp_ token here, not the Stripe key beside it.
func TestAllowPatternsFromConfig(t *testing.T) {
	var planted []secretstest.Planted
	for i, id := range []string{"github-pat", "github-pat", "stripe-secret-key"} {
		p, err := secretstest.Secret(id, uint64(i+1))
		if err != nil {
			t.Fatal(err)
		}
		planted = append(planted, p)
	}
	content, planted := secretstest.File(planted)
	dir := t.TempDir()
	writeFile(t, dir, "settings.env", string(content))
	scan := func() []string {
		t.Helper()
		_, out, errOut := run(t, "scan", "--offline", "--format", "json", dir)
		secretstest.AssertNoLeak(t, []byte(out), planted)
		secretstest.AssertNoLeak(t, []byte(errOut), planted)
		var doc struct {
			Findings []struct {
				RuleID string `json:"rule_id"`
			}
		}
		if err := json.Unmarshal([]byte(out), &doc); err != nil {
			t.Fatal(err)
		}
		var ids []string
		for _, f := range doc.Findings {
			ids = append(ids, f.RuleID)
		}
		return ids
	}
	if got := scan(); strings.Join(got, " ") != "secret/github-pat secret/github-pat secret/stripe-secret-key" {
		t.Fatalf("without an allow pattern: %q", got)
	}
	writeFile(t, dir, ".github/tollgate.yml", "allow:\n  patterns: [\"^ghp_\"]\n")
	if got := scan(); strings.Join(got, " ") != "secret/stripe-secret-key" {
		t.Errorf("with allow.patterns [^ghp_]: %q, want only the Stripe key", got)
	}
}

// --history uses the same secrets options as the tree scan: a secret in a
// past commit that allow.patterns matches is not reported; one it does not
// match still is.
func TestHistoryHonoursAllowPatterns(t *testing.T) {
	if _, err := exec.LookPath("git"); err != nil {
		t.Skip("git not installed")
	}
	gh, err := secretstest.Secret("github-pat", 5)
	if err != nil {
		t.Fatal(err)
	}
	stripe, err := secretstest.Secret("stripe-secret-key", 6)
	if err != nil {
		t.Fatal(err)
	}
	planted := []secretstest.Planted{gh, stripe}
	dir := gitRepo(t)
	writeFile(t, dir, "deploy.sh", "#!/bin/sh\n"+gh.Text+"\n"+stripe.Text+"\n")
	gitCmd(t, dir, "add", "-A")
	gitCmd(t, dir, "commit", "-q", "-m", "add deploy")
	writeFile(t, dir, "deploy.sh", "#!/bin/sh\necho ok\n")
	writeFile(t, dir, ".github/tollgate.yml", "allow:\n  patterns: [\"^ghp_\"]\n")
	gitCmd(t, dir, "add", "-A")
	gitCmd(t, dir, "commit", "-q", "-m", "remove tokens, allow test tokens")

	code, out, errOut := run(t, "scan", "--offline", "--history", "--format", "json", dir)
	secretstest.AssertNoLeak(t, []byte(out+errOut), planted)
	if code != pipeline.ExitFindings || !strings.Contains(out, `"rule_id": "`+stripe.RuleID+`"`) {
		t.Errorf("--history: exit %d, the Stripe key in history is not reported:\n%s%s", code, out, errOut)
	}
	if strings.Contains(out, `"rule_id": "`+gh.RuleID+`"`) {
		t.Errorf("--history reported a GitHub token that allow.patterns matches:\n%s", out)
	}
}

// fail-on reads the same from the flag as from the config (and the Action
// input, tested in package action): any case.
func TestFailOnFlagAnyCase(t *testing.T) {
	for _, v := range []string{"CRITICAL", "Critical", " critical"} {
		if code, _, errOut := run(t, "scan", "--offline", "--osv-db", demoDB, "--fail-on", v, demo); code != pipeline.ExitFindings {
			t.Errorf("--fail-on %q: exit %d (%s)", v, code, errOut)
		}
	}
	if code, _, _ := run(t, "scan", "--offline", "--osv-db", demoDB, "--fail-on", "NONE", demo); code != pipeline.ExitOK {
		t.Errorf("--fail-on NONE: exit %d", code)
	}
	if code, _, errOut := run(t, "scan", "--offline", "--osv-db", demoDB, "--fail-on", "severe", demo); code != pipeline.ExitUsage || !strings.Contains(errOut, "fail-on must be") {
		t.Errorf("--fail-on severe: exit %d (%s)", code, errOut)
	}
	dir := t.TempDir()
	writeFile(t, dir, "tollgate.yml", "fail-on: NONE\n")
	if code, _, errOut := run(t, "scan", "--offline", "--osv-db", demoDB, "--config", filepath.Join(dir, "tollgate.yml"), demo); code != pipeline.ExitOK {
		t.Errorf("config fail-on: NONE: exit %d (%s)", code, errOut)
	}
}

// A directory outside any git repository given --base says so.
func TestBaseOutsideGitSaysSo(t *testing.T) {
	dir := t.TempDir()
	writeFile(t, dir, "requirements.txt", "requests==2.31.0\n")
	for _, head := range [][]string{nil, {"--head", "HEAD"}} {
		args := append([]string{"scan", "--offline", "--base", "main"}, head...)
		code, _, errOut := run(t, append(args, dir)...)
		if code != pipeline.ExitUsage || !strings.Contains(errOut, "not a git repository") || strings.Contains(errOut, "not in the local git history") {
			t.Errorf("%v: exit %d, %s", head, code, errOut)
		}
	}
}

// Errors are said once, with the nearest command or flag; -h lists the
// flags with two dashes, examples and exit codes.
func TestUsageMessages(t *testing.T) {
	code, out, errOut := run(t, "scna", ".")
	if code != pipeline.ExitUsage || !strings.Contains(errOut, `did you mean "scan"?`) || out != "" {
		t.Errorf("unknown command: %d %q %q", code, out, errOut)
	}
	code, _, errOut = run(t, "scan", "--fial-on", "high", demo)
	if code != pipeline.ExitUsage || !strings.Contains(errOut, `unknown flag --fial-on (did you mean "fail-on"?)`) || strings.Count(errOut, "\n") != 1 {
		t.Errorf("unknown flag: %d %q", code, errOut)
	}
	code, _, errOut = run(t, "scan", "-h")
	if code != pipeline.ExitOK || !strings.Contains(errOut, "  --fail-on string") || !strings.Contains(errOut, "Exit codes:") || !strings.Contains(errOut, "Examples:") || strings.Contains(errOut, "\n  -base") {
		t.Errorf("scan -h: %d\n%s", code, errOut)
	}
}

// tollgate scan FILE scans that lockfile alone (its includes still read);
// a file that is no lockfile is bad usage.
func TestScanOneLockfile(t *testing.T) {
	dir := t.TempDir()
	writeFile(t, dir, "requirements.txt", "-r base.txt\nflask==2.0.0\n")
	writeFile(t, dir, "base.txt", "reqeusts==2.31.0\n")
	data, err := os.ReadFile(filepath.Join(demo, "web", "package-lock.json"))
	if err != nil {
		t.Fatal(err)
	}
	writeFile(t, dir, "package-lock.json", string(data))
	code, out, errOut := run(t, "scan", "--offline", "--osv-db", demoDB, "--format", "json", filepath.Join(dir, "requirements.txt"))
	if code != pipeline.ExitFindings || !strings.Contains(out, "pkg:pypi/reqeusts@2.31.0") || strings.Contains(out, "tollgate-demo-evil") || !strings.Contains(out, `"lockfiles": 1`) {
		t.Errorf("scan FILE: exit %d %s\n%s", code, errOut, out)
	}
	if code, _, errOut := run(t, "scan", filepath.Join(demo, "README.md")); code != pipeline.ExitUsage || !strings.Contains(errOut, "not a supported lockfile name") {
		t.Errorf("scan README.md: exit %d %s", code, errOut)
	}
	if code, _, errOut := run(t, "scan", "--base", "main", filepath.Join(dir, "requirements.txt")); code != pipeline.ExitUsage {
		t.Errorf("scan --base FILE: exit %d %s", code, errOut)
	}
}
