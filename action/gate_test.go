package action

import (
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/tollgate-dev/tollgate/pipeline"
)

// TestOSVUnreachableIsIncomplete: a pull request adds a known-malicious
// package while the OSV API answers nothing but 503. The gate must not read
// the outage as all clear: result incomplete, exit 3, a ⚠️ header in the
// summary and in the comment that names what was not checked.
func TestOSVUnreachableIsIncomplete(t *testing.T) {
	repo := newGitRepo(t)
	repo.write("package-lock.json", baseLock)
	base := repo.commit("base")
	repo.git("checkout", "-q", "-b", "feature")
	repo.write("package-lock.json", headLock)
	head := repo.commit("add evil-helper")

	var osvCalls atomic.Int32
	osv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		osvCalls.Add(1)
		http.Error(w, `{"message":"upstream unavailable"}`, http.StatusServiceUnavailable)
	}))
	defer osv.Close()
	gh := &fakeGitHub{t: t}
	srv := httptest.NewServer(gh)
	defer srv.Close()

	env := newActionsEnv(t, repo.dir, "pull_request", prPayload(base, head, false))
	env.vars["INPUT_OFFLINE"] = "false"
	env.vars["INPUT_OSV-DB"] = ""
	env.vars["INPUT_OSV-URL"] = osv.URL
	// Only the OSV check goes online here: the registry and content checks
	// would ask the real npm registry.
	env.vars["INPUT_CHECKS"] = "osv, secrets, tamper"
	code, stdout, stderr := env.run(t, srv.URL+"/api/v3", srv.Client())
	if code != pipeline.ExitIncomplete {
		t.Fatalf("exit %d, want %d (incomplete)\nstdout:\n%s\nstderr:\n%s", code, pipeline.ExitIncomplete, stdout, stderr)
	}
	if osvCalls.Load() == 0 {
		t.Fatal("the OSV API was never asked")
	}
	if got := env.outputs(t)["result"]; got != "incomplete" {
		t.Errorf("result output %q, want incomplete", got)
	}
	summary := env.readSummary(t)
	first, _, _ := strings.Cut(strings.TrimSpace(summary), "\n")
	if !strings.HasPrefix(first, "## ⚠️") || strings.Contains(summary, "✅") {
		t.Errorf("summary header %q, want a ⚠️ header and no ✅:\n%s", first, summary)
	}
	for _, want := range []string{"osv", "503", "fail-on-skipped"} {
		if !strings.Contains(summary, want) {
			t.Errorf("summary does not say %q (what was not checked, why, how to opt out):\n%s", want, summary)
		}
	}
	if len(gh.comments) != 1 {
		t.Fatalf("%d comments, want 1: an incomplete gate comments by default", len(gh.comments))
	}
	body := gh.comments[0].Body
	_, rest, _ := strings.Cut(body, "\n")
	if !strings.HasPrefix(rest, "### ⚠️") || strings.Contains(body, "✅") {
		t.Errorf("comment does not open with a ⚠️ header:\n%s", body)
	}
}

// minimistLock builds a package-lock.json in which minimist@1.2.5
// (vulnerable in testdata/osv) is installed under each of the given parents.
func minimistLock(parents ...string) string {
	type entry struct {
		Version      string            `json:"version"`
		Resolved     string            `json:"resolved,omitempty"`
		Integrity    string            `json:"integrity,omitempty"`
		Dependencies map[string]string `json:"dependencies,omitempty"`
	}
	pkgs := map[string]any{"": map[string]any{"name": "app", "version": "1.0.0"}}
	const integrity = "sha512-2yyAR8qBkN3YuheJanUpWC5U3bb5osDywNB8RzDVlDwDHbocAJveqqj1u8+SVD7jkWT4yvsHCpWqqWqAxb0zCQ=="
	for _, p := range parents {
		pkgs["node_modules/"+p] = entry{Version: "1.0.0", Resolved: "https://registry.npmjs.org/" + p + "/-/" + p + "-1.0.0.tgz", Dependencies: map[string]string{"minimist": "1.2.5"}}
		pkgs["node_modules/"+p+"/node_modules/minimist"] = entry{Version: "1.2.5", Resolved: "https://registry.npmjs.org/minimist/-/minimist-1.2.5.tgz", Integrity: integrity}
	}
	data, _ := json.MarshalIndent(map[string]any{"name": "app", "version": "1.0.0", "lockfileVersion": 3, "requires": true, "packages": pkgs}, "", "  ")
	return string(data) + "\n"
}

// TestVulnerableVersionAtANewPathIsNotNew: the base already installs the
// vulnerable minimist@1.2.5 (under legacy-a); the pull request adds legacy-b,
// which installs the same minimist@1.2.5 at a new node_modules path. Nothing
// vulnerable is introduced. A sweep of the head reports the one vulnerable
// name@version once, with its second install location as a related
// location.
func TestVulnerableVersionAtANewPathIsNotNew(t *testing.T) {
	repo := newGitRepo(t)
	repo.write("package-lock.json", minimistLock("legacy-a"))
	base := repo.commit("base: minimist 1.2.5 under legacy-a")
	repo.git("checkout", "-q", "-b", "feature")
	repo.write("package-lock.json", minimistLock("legacy-a", "legacy-b"))
	head := repo.commit("add legacy-b, which also installs minimist 1.2.5")

	env := newActionsEnv(t, repo.dir, "pull_request", prPayload(base, head, false))
	env.vars["INPUT_COMMENT"] = "never"
	env.vars["INPUT_FAIL-ON"] = "low"
	code, stdout, stderr := env.run(t, "http://127.0.0.1:1/api/v3", nil)
	if code != pipeline.ExitOK {
		t.Fatalf("pull request: exit %d, want 0\nstdout:\n%s\nstderr:\n%s", code, stdout, stderr)
	}
	if outs := env.outputs(t); outs["findings"] != "0" || outs["result"] != "passed" {
		t.Errorf("pull request outputs %v, want no findings: minimist@1.2.5 was already installed", outs)
	}

	gh := &fakeGitHub{t: t}
	srv := httptest.NewServer(gh)
	defer srv.Close()
	sweep := newActionsEnv(t, repo.dir, "schedule", map[string]any{"schedule": "17 4 * * 1"})
	sweep.vars["INPUT_FAIL-ON"] = "low"
	sweep.vars["INPUT_UPLOAD"] = "true"
	sweep.vars["GITHUB_REF"] = "refs/heads/main"
	sweep.vars["GITHUB_SHA"] = head
	code, stdout, stderr = sweep.run(t, srv.URL+"/api/v3", srv.Client())
	if code != pipeline.ExitFindings {
		t.Fatalf("sweep: exit %d, want 1\nstdout:\n%s\nstderr:\n%s", code, stdout, stderr)
	}
	if got := sweep.outputs(t)["findings"]; got != "1" {
		t.Errorf("sweep findings %q, want 1 (one per name@version per lockfile)", got)
	}
	if len(gh.uploads) != 1 {
		t.Fatalf("%d uploads, want 1", len(gh.uploads))
	}
	var log struct {
		Runs []struct {
			Results []struct {
				RuleID           string            `json:"ruleId"`
				RelatedLocations []json.RawMessage `json:"relatedLocations"`
			}
		}
	}
	if err := json.Unmarshal(gh.uploads[0].SARIF, &log); err != nil {
		t.Fatal(err)
	}
	res := log.Runs[0].Results
	if len(res) != 1 || res[0].RuleID != "vulnerable-package" || len(res[0].RelatedLocations) != 1 {
		t.Errorf("SARIF results %+v, want one vulnerable-package with one related location", res)
	}
}
