package action

import (
	"bytes"
	"compress/gzip"
	"context"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/tollgate-dev/tollgate/pipeline"
	"github.com/tollgate-dev/tollgate/secrets/secretstest"
)

// ---- scripted git repository ----

type gitRepo struct {
	tb  testing.TB
	dir string
}

func newGitRepo(tb testing.TB) *gitRepo {
	tb.Helper()
	if _, err := exec.LookPath("git"); err != nil {
		tb.Skip("git binary not available to build fixtures")
	}
	r := &gitRepo{tb: tb, dir: tb.TempDir()}
	r.git("init", "-q", "-b", "main")
	r.git("config", "core.autocrlf", "false")
	return r
}

func (r *gitRepo) git(args ...string) string {
	r.tb.Helper()
	cmd := exec.Command("git", args...)
	cmd.Dir = r.dir
	cmd.Env = append(os.Environ(),
		"GIT_CONFIG_GLOBAL=/dev/null", "GIT_CONFIG_SYSTEM=/dev/null",
		"GIT_AUTHOR_NAME=t", "GIT_AUTHOR_EMAIL=t@example.com",
		"GIT_COMMITTER_NAME=t", "GIT_COMMITTER_EMAIL=t@example.com",
		"GIT_AUTHOR_DATE=2026-01-01T00:00:00Z", "GIT_COMMITTER_DATE=2026-01-01T00:00:00Z")
	out, err := cmd.CombinedOutput()
	if err != nil {
		r.tb.Fatalf("git %s: %v\n%s", strings.Join(args, " "), err, out)
	}
	return strings.TrimSpace(string(out))
}

func (r *gitRepo) write(name, content string) {
	r.tb.Helper()
	p := filepath.Join(r.dir, filepath.FromSlash(name))
	if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
		r.tb.Fatal(err)
	}
	if err := os.WriteFile(p, []byte(content), 0o644); err != nil {
		r.tb.Fatal(err)
	}
}

func (r *gitRepo) remove(name string) {
	r.tb.Helper()
	if err := os.Remove(filepath.Join(r.dir, filepath.FromSlash(name))); err != nil {
		r.tb.Fatal(err)
	}
}

func (r *gitRepo) commit(msg string) string {
	r.tb.Helper()
	r.git("add", "-A")
	r.git("commit", "-q", "--allow-empty", "-m", msg)
	return r.git("rev-parse", "HEAD")
}

const baseLock = `{
  "name": "app",
  "version": "1.0.0",
  "lockfileVersion": 3,
  "requires": true,
  "packages": {
    "": {
      "name": "app",
      "version": "1.0.0",
      "dependencies": {
        "left-pad": "^1.3.0"
      }
    },
    "node_modules/left-pad": {
      "version": "1.3.0",
      "resolved": "https://registry.npmjs.org/left-pad/-/left-pad-1.3.0.tgz",
      "integrity": "sha512-XI5MPzVNApjAyhQzphX8BkmKsKUxD4LdyK24iZeQEPOmHS7ysEXnPv4TwWeDu+ckeX7Dqp+4uI1iB2KPK2cMfZgA=="
    }
  }
}
`

// headLock adds evil-helper 2.0.0 (malicious in testdata/osv); its entry
// starts on line 20 (checked with grep -n and tollgate inventory).
const headLock = `{
  "name": "app",
  "version": "1.0.0",
  "lockfileVersion": 3,
  "requires": true,
  "packages": {
    "": {
      "name": "app",
      "version": "1.0.0",
      "dependencies": {
        "evil-helper": "^2.0.0",
        "left-pad": "^1.3.0"
      }
    },
    "node_modules/left-pad": {
      "version": "1.3.0",
      "resolved": "https://registry.npmjs.org/left-pad/-/left-pad-1.3.0.tgz",
      "integrity": "sha512-XI5MPzVNApjAyhQzphX8BkmKsKUxD4LdyK24iZeQEPOmHS7ysEXnPv4TwWeDu+ckeX7Dqp+4uI1iB2KPK2cMfZgA=="
    },
    "node_modules/evil-helper": {
      "version": "2.0.0",
      "resolved": "https://registry.npmjs.org/evil-helper/-/evil-helper-2.0.0.tgz",
      "integrity": "sha512-ZXZpbC1oZWxwZXItMi4wLjAtbm90LWEtcmVhbC1oYXNoLWp1c3QtYS10ZXN0LWZpeHR1cmUtZm9yLXRvbGxnYXRl",
      "hasInstallScript": true
    }
  }
}
`

// ---- fake GitHub REST API ----

type fakeComment struct {
	ID   int64  `json:"id"`
	Body string `json:"body"`
	URL  string `json:"html_url"`
	User struct {
		Login string `json:"login"`
		Type  string `json:"type"`
	} `json:"user"`
}

type upload struct {
	CommitSHA string
	Ref       string
	SARIF     []byte
}

// fakeGitHub serves the endpoints the Action calls, under /api/v3 as GitHub
// Enterprise Server does.
type fakeGitHub struct {
	t           *testing.T
	mu          sync.Mutex
	comments    []*fakeComment
	nextID      int64
	forbidWrite bool
	uploads     []upload
	edits       int
	creates     int
}

var commentPath = regexp.MustCompile(`^/api/v3/repos/acme/app/issues/comments/(\d+)$`)

func (f *fakeGitHub) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if r.Header.Get("Authorization") != "Bearer test-token" {
		http.Error(w, `{"message":"Bad credentials"}`, http.StatusUnauthorized)
		return
	}
	forbidden := func() bool {
		if f.forbidWrite {
			w.Header().Set("Content-Type", "application/json")
			w.WriteHeader(http.StatusForbidden)
			io.WriteString(w, `{"message":"Resource not accessible by integration"}`)
			return true
		}
		return false
	}
	writeJSON := func(status int, v any) {
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(status)
		_ = json.NewEncoder(w).Encode(v)
	}
	switch {
	case r.Method == http.MethodGet && r.URL.Path == "/api/v3/user":
		// The Actions token is an installation token: it may not read /user.
		writeJSON(http.StatusForbidden, map[string]string{"message": "Resource not accessible by integration"})
	case r.Method == http.MethodGet && r.URL.Path == "/api/v3/repos/acme/app/issues/7/comments":
		writeJSON(http.StatusOK, f.comments)
	case r.Method == http.MethodPost && r.URL.Path == "/api/v3/repos/acme/app/issues/7/comments":
		if forbidden() {
			return
		}
		var in fakeComment
		if err := json.NewDecoder(r.Body).Decode(&in); err != nil {
			f.t.Errorf("create comment: %v", err)
		}
		f.nextID++
		c := &fakeComment{ID: 1000 + f.nextID, Body: in.Body, URL: fmt.Sprintf("https://github.example/acme/app/pull/7#issuecomment-%d", 1000+f.nextID)}
		c.User.Login, c.User.Type = "github-actions[bot]", "Bot"
		f.comments = append(f.comments, c)
		f.creates++
		writeJSON(http.StatusCreated, c)
	case r.Method == http.MethodPatch && commentPath.MatchString(r.URL.Path):
		if forbidden() {
			return
		}
		id, _ := strconv.ParseInt(commentPath.FindStringSubmatch(r.URL.Path)[1], 10, 64)
		var in fakeComment
		if err := json.NewDecoder(r.Body).Decode(&in); err != nil {
			f.t.Errorf("edit comment: %v", err)
		}
		for _, c := range f.comments {
			if c.ID == id {
				c.Body = in.Body
				f.edits++
				writeJSON(http.StatusOK, c)
				return
			}
		}
		http.NotFound(w, r)
	case r.Method == http.MethodPost && r.URL.Path == "/api/v3/repos/acme/app/code-scanning/sarifs":
		if forbidden() {
			return
		}
		var in struct {
			CommitSHA string `json:"commit_sha"`
			Ref       string `json:"ref"`
			Sarif     string `json:"sarif"`
		}
		if err := json.NewDecoder(r.Body).Decode(&in); err != nil {
			f.t.Errorf("sarif upload: %v", err)
		}
		zipped, err := base64.StdEncoding.DecodeString(in.Sarif)
		if err != nil {
			f.t.Errorf("sarif upload: not base64: %v", err)
		}
		zr, err := gzip.NewReader(bytes.NewReader(zipped))
		if err != nil {
			f.t.Errorf("sarif upload: not gzip: %v", err)
			return
		}
		data, _ := io.ReadAll(zr)
		f.uploads = append(f.uploads, upload{CommitSHA: in.CommitSHA, Ref: in.Ref, SARIF: data})
		writeJSON(http.StatusAccepted, map[string]string{"id": "upload-1", "url": "https://github.example/api/v3/repos/acme/app/code-scanning/sarifs/upload-1"})
	default:
		f.t.Errorf("unexpected API call %s %s", r.Method, r.URL.Path)
		http.NotFound(w, r)
	}
}

// ---- Actions environment ----

type actionsEnv struct {
	vars    map[string]string
	output  string
	summary string
}

func newActionsEnv(t *testing.T, workspace, eventName string, payload any) *actionsEnv {
	t.Helper()
	runner := t.TempDir()
	data, err := json.Marshal(payload)
	if err != nil {
		t.Fatal(err)
	}
	eventPath := filepath.Join(runner, "event.json")
	if err := os.WriteFile(eventPath, data, 0o644); err != nil {
		t.Fatal(err)
	}
	e := &actionsEnv{output: filepath.Join(runner, "output"), summary: filepath.Join(runner, "summary")}
	osvDB, err := filepath.Abs(filepath.Join("testdata", "osv"))
	if err != nil {
		t.Fatal(err)
	}
	e.vars = map[string]string{
		"GITHUB_ACTIONS":      "true",
		"GITHUB_EVENT_NAME":   eventName,
		"GITHUB_EVENT_PATH":   eventPath,
		"GITHUB_OUTPUT":       e.output,
		"GITHUB_STEP_SUMMARY": e.summary,
		"GITHUB_WORKSPACE":    workspace,
		"GITHUB_REPOSITORY":   "acme/app",
		"GITHUB_SERVER_URL":   "https://github.example",
		"GITHUB_RUN_ID":       "4242",
		"INPUT_TOKEN":         "test-token",
		"INPUT_OFFLINE":       "true",
		"INPUT_OSV-DB":        osvDB,
		"INPUT_FAIL-ON":       "high",
	}
	return e
}

func (e *actionsEnv) run(t *testing.T, apiURL string, client *http.Client) (int, string, string) {
	t.Helper()
	var stdout, stderr bytes.Buffer
	code := Run(context.Background(), Env{
		Getenv:     func(k string) string { return e.vars[k] },
		Stdout:     &stdout,
		Stderr:     &stderr,
		HTTPClient: client,
		APIURL:     apiURL,
		Now:        func() time.Time { return time.Date(2026, 6, 1, 0, 0, 0, 0, time.UTC) },
		MinBackoff: time.Millisecond,
	})
	return code, stdout.String(), stderr.String()
}

// outputs parses GITHUB_OUTPUT (name<<delimiter / value / delimiter).
func (e *actionsEnv) outputs(t *testing.T) map[string]string {
	t.Helper()
	data, err := os.ReadFile(e.output)
	if err != nil {
		t.Fatalf("outputs: %v", err)
	}
	out := map[string]string{}
	lines := strings.Split(string(data), "\n")
	for i := 0; i+2 < len(lines); {
		name, delim, ok := strings.Cut(lines[i], "<<")
		if !ok {
			i++
			continue
		}
		var val []string
		j := i + 1
		for ; j < len(lines) && lines[j] != delim; j++ {
			val = append(val, lines[j])
		}
		out[name] = strings.Join(val, "\n")
		i = j + 1
	}
	return out
}

func (e *actionsEnv) readSummary(t *testing.T) string {
	t.Helper()
	data, err := os.ReadFile(e.summary)
	if err != nil {
		t.Fatalf("summary: %v", err)
	}
	return string(data)
}

func prPayload(base, head string, fork bool) map[string]any {
	baseRepo := map[string]any{"id": 1, "name": "app", "full_name": "acme/app", "default_branch": "main", "owner": map[string]any{"login": "acme"}}
	headRepo := baseRepo
	if fork {
		headRepo = map[string]any{"id": 2, "name": "app", "full_name": "mallory/app", "owner": map[string]any{"login": "mallory"}}
	}
	return map[string]any{
		"action": "synchronize",
		"number": 7,
		"pull_request": map[string]any{
			"number": 7,
			"base":   map[string]any{"ref": "main", "sha": base, "repo": baseRepo},
			"head":   map[string]any{"ref": "feature", "sha": head, "repo": headRepo},
		},
		"repository": baseRepo,
	}
}

var annotationLine = regexp.MustCompile(`(?m)^::(error|warning|notice) (.*?)::(.*)$`)

// ---- the end-to-end test ----

// TestPullRequestEndToEnd runs the Action over a scripted repository whose
// pull request adds a known-malicious npm package and a GitHub token, against
// a fake GitHub Enterprise API, then fixes both and runs again.
func TestPullRequestEndToEnd(t *testing.T) {
	planted, err := secretstest.Secret("github-pat", 7)
	if err != nil {
		t.Fatal(err)
	}
	repo := newGitRepo(t)
	repo.write("package-lock.json", baseLock)
	repo.write("src/app.js", "console.log('hello')\n")
	base := repo.commit("base")
	repo.git("checkout", "-q", "-b", "feature")
	repo.write("package-lock.json", headLock)
	// The token is on line 3 of src/config.js.
	repo.write("src/config.js", "// settings\nmodule.exports = {\n  token: \""+planted.Secret+"\",\n}\n")
	head := repo.commit("add evil-helper and a token")

	fake := &fakeGitHub{t: t}
	srv := httptest.NewServer(fake)
	defer srv.Close()
	apiURL := srv.URL + "/api/v3"

	env := newActionsEnv(t, repo.dir, "pull_request", prPayload(base, head, false))
	env.vars["GITHUB_REF"] = "refs/pull/7/merge"
	env.vars["GITHUB_SHA"] = head
	env.vars["INPUT_UPLOAD"] = "true"
	code, stdout, stderr := env.run(t, apiURL, srv.Client())
	if code != pipeline.ExitFindings {
		t.Fatalf("exit code %d, want %d\nstdout:\n%s\nstderr:\n%s", code, pipeline.ExitFindings, stdout, stderr)
	}

	t.Logf("step log:\n%s", stdout)

	// Outputs: two critical findings (the malicious package, the token).
	outs := env.outputs(t)
	for name, want := range map[string]string{"critical": "2", "high": "0", "medium": "0", "findings": "2", "result": "failed", "sarif": "tollgate.sarif"} {
		if outs[name] != want {
			t.Errorf("output %s = %q, want %q (all: %v)", name, outs[name], want, outs)
		}
	}

	// Annotations: most severe first, on the lines the pull request added.
	anns := annotationLine.FindAllStringSubmatch(stdout, -1)
	if len(anns) != 2 {
		t.Fatalf("%d annotations, want 2:\n%s", len(anns), stdout)
	}
	if anns[0][1] != "error" || !strings.Contains(anns[0][2], "file=package-lock.json") || !strings.Contains(anns[0][2], "title=tollgate critical%3A malicious-package") {
		t.Errorf("first annotation = %q", anns[0][0])
	}
	// The malicious entry starts on line 20, a line the pull request adds.
	if !strings.Contains(anns[0][2], "line=20") {
		t.Errorf("first annotation line: %q", anns[0][2])
	}
	if anns[1][1] != "error" || !strings.Contains(anns[1][2], "file=src/config.js") || !strings.Contains(anns[1][2], "line=3") || !strings.Contains(anns[1][2], "secret/github-pat") {
		t.Errorf("second annotation = %q", anns[1][0])
	}

	// The secret is masked, and printed nowhere else.
	maskLine := "::add-mask::" + planted.Secret
	if !strings.Contains(stdout, maskLine+"\n") {
		t.Errorf("no %q in the log", "::add-mask::<secret>")
	}
	secretstest.AssertNoLeak(t, []byte(strings.Replace(stdout, maskLine, "", 1)), []secretstest.Planted{planted})

	// Job summary: grouped by kind, with links, the secret redacted.
	summary := env.readSummary(t)
	for _, want := range []string{
		"## ❌ tollgate: 2 critical",
		"pull request #7",
		"### Malicious packages (1)",
		"| [`evil-helper`](https://github.example/acme/app/blob/" + head + "/package-lock.json#L20) | `2.0.0` |",
		"[MAL-TEST-0001](https://osv.dev/vulnerability/MAL-TEST-0001)",
		"### Secrets (1)",
		"| `secret/github-pat` | 🔴 critical | [`" + head[:12] + "`](https://github.example/acme/app/commit/" + head + ") | `ghp_…(40 chars)` |",
		"(https://github.example/acme/app/blob/" + head + "/src/config.js#L3)",
		"Result: **failed**",
	} {
		if !strings.Contains(summary, want) {
			t.Errorf("summary lacks %q:\n%s", want, summary)
		}
	}
	secretstest.AssertNoLeak(t, []byte(summary), []secretstest.Planted{planted})

	// The sticky comment: created once, with the marker, redacted.
	if fake.creates != 1 || len(fake.comments) != 1 {
		t.Fatalf("comments created %d, stored %d; want 1", fake.creates, len(fake.comments))
	}
	body := fake.comments[0].Body
	if !strings.HasPrefix(body, "<!-- tollgate:sticky-comment category=tollgate -->\n### ❌ tollgate: 2 critical") {
		t.Errorf("comment body starts %q", body[:min(len(body), 120)])
	}
	if !strings.Contains(body, "https://github.example/acme/app/actions/runs/4242") {
		t.Errorf("comment lacks the run link:\n%s", body)
	}
	secretstest.AssertNoLeak(t, []byte(body), []secretstest.Planted{planted})
	if outs["comment-url"] != fake.comments[0].URL {
		t.Errorf("output comment-url = %q, want %q", outs["comment-url"], fake.comments[0].URL)
	}

	// SARIF: the file and the upload are the same report, with both results.
	sarifFile, err := os.ReadFile(filepath.Join(repo.dir, "tollgate.sarif"))
	if err != nil {
		t.Fatal(err)
	}
	secretstest.AssertNoLeak(t, sarifFile, []secretstest.Planted{planted})
	var doc struct {
		Version string `json:"version"`
		Runs    []struct {
			Automation struct {
				ID string `json:"id"`
			} `json:"automationDetails"`
			Results []struct {
				RuleID    string `json:"ruleId"`
				Locations []struct {
					Physical struct {
						Artifact struct {
							URI string `json:"uri"`
						} `json:"artifactLocation"`
						Region struct {
							StartLine int `json:"startLine"`
						} `json:"region"`
					} `json:"physicalLocation"`
				} `json:"locations"`
			} `json:"results"`
		} `json:"runs"`
	}
	if err := json.Unmarshal(sarifFile, &doc); err != nil {
		t.Fatalf("SARIF file: %v", err)
	}
	got := map[string]string{}
	for _, run := range doc.Runs {
		for _, res := range run.Results {
			loc := res.Locations[0].Physical
			got[res.RuleID] = fmt.Sprintf("%s %s:%d", run.Automation.ID, loc.Artifact.URI, loc.Region.StartLine)
		}
	}
	want := map[string]string{
		"malicious-package": "tollgate/dependencies/ package-lock.json:20",
		"secret/github-pat": "tollgate/secrets/ src/config.js:3",
	}
	for id, w := range want {
		if got[id] != w {
			t.Errorf("SARIF result %s at %q, want %q (all: %v)", id, got[id], w, got)
		}
	}
	if len(fake.uploads) != 1 {
		t.Fatalf("%d SARIF uploads, want 1", len(fake.uploads))
	}
	if u := fake.uploads[0]; u.Ref != "refs/pull/7/merge" || u.CommitSHA != head || !bytes.Equal(u.SARIF, sarifFile) {
		t.Errorf("upload ref %q sha %q, same as file %v", u.Ref, u.CommitSHA, bytes.Equal(u.SARIF, sarifFile))
	}

	// Second push: both problems fixed by rewriting the branch (a force
	// push: the token's commit is no longer part of the pull request; a
	// later commit deleting it would not do, see commits_test.go). The
	// comment is edited to all clear.
	repo.git("checkout", "-q", "-B", "feature", base)
	repo.write("src/app.js", "console.log('hello again')\n")
	head2 := repo.commit("say hello again")
	env2 := newActionsEnv(t, repo.dir, "pull_request", prPayload(base, head2, false))
	env2.vars["GITHUB_REF"] = "refs/pull/7/merge"
	env2.vars["GITHUB_SHA"] = head2
	code, stdout, stderr = env2.run(t, apiURL, srv.Client())
	if code != pipeline.ExitOK {
		t.Fatalf("second run: exit code %d\nstdout:\n%s\nstderr:\n%s", code, stdout, stderr)
	}
	if fake.creates != 1 || fake.edits != 1 || len(fake.comments) != 1 {
		t.Fatalf("second run: %d created, %d edited, %d stored; want 1, 1, 1", fake.creates, fake.edits, len(fake.comments))
	}
	if body := fake.comments[0].Body; !strings.Contains(body, "### ✅ tollgate: all clear") || !strings.Contains(body, "findings reported earlier are resolved") {
		t.Errorf("cleared comment:\n%s", body)
	}
	if outs := env2.outputs(t); outs["findings"] != "0" || outs["result"] != "passed" {
		t.Errorf("second run outputs: %v", outs)
	}
	if anns := annotationLine.FindAllString(stdout, -1); len(anns) != 0 {
		t.Errorf("second run annotations: %q", anns)
	}

	// Third run, same commit: the comment is unchanged, not edited again.
	code, _, _ = env2.run(t, apiURL, srv.Client())
	if code != pipeline.ExitOK || fake.edits != 1 {
		t.Errorf("third run: exit %d, %d edits; want 0, 1", code, fake.edits)
	}
}

// TestForkPullRequest: a fork's read-only token gets 403 on the comment and
// the upload; the Action still reports through the SARIF file, annotations and
// summary, says what it could not do, and its exit code is fail-on's.
func TestForkPullRequest(t *testing.T) {
	repo := newGitRepo(t)
	repo.write("package-lock.json", baseLock)
	base := repo.commit("base")
	repo.write("package-lock.json", headLock)
	head := repo.commit("add evil-helper")

	fake := &fakeGitHub{t: t, forbidWrite: true}
	srv := httptest.NewServer(fake)
	defer srv.Close()

	env := newActionsEnv(t, repo.dir, "pull_request", prPayload(base, head, true))
	env.vars["GITHUB_REF"] = "refs/pull/7/merge"
	env.vars["GITHUB_SHA"] = head
	env.vars["INPUT_UPLOAD"] = "true"
	env.vars["INPUT_SARIF"] = "out/results.sarif"
	code, stdout, stderr := env.run(t, srv.URL+"/api/v3", srv.Client())
	if code != pipeline.ExitFindings {
		t.Fatalf("exit code %d, want %d\nstdout:\n%s\nstderr:\n%s", code, pipeline.ExitFindings, stdout, stderr)
	}
	summary := env.readSummary(t)
	for _, want := range []string{
		"pull request #7 (from a fork)",
		"Pull-request comment skipped: this pull request comes from a fork, whose token is read-only.",
		"SARIF upload skipped: this pull request comes from a fork",
		"SARIF written to out/results.sarif.",
	} {
		if !strings.Contains(summary, text(want)) && !strings.Contains(summary, want) {
			t.Errorf("summary lacks %q:\n%s", want, summary)
		}
	}
	if len(fake.comments) != 0 || len(fake.uploads) != 0 {
		t.Errorf("fork run wrote %d comments, %d uploads", len(fake.comments), len(fake.uploads))
	}
	if _, err := os.Stat(filepath.Join(repo.dir, "out", "results.sarif")); err != nil {
		t.Errorf("SARIF file: %v", err)
	}
	if anns := annotationLine.FindAllString(stdout, -1); len(anns) != 1 {
		t.Errorf("annotations: %q", anns)
	}
	if outs := env.outputs(t); outs["critical"] != "1" || outs["sarif"] != "out/results.sarif" {
		t.Errorf("outputs: %v", outs)
	}
}

// text mirrors the summary's escaping of notes for comparisons.
func text(s string) string {
	return strings.NewReplacer("_", `\_`, "`", "\\`", "!", `\!`, "#", `\#`).Replace(s)
}

// TestEvents covers the other ways a run starts and ends: a push compares
// before..after, a schedule sweeps the tree, a branch deletion scans nothing,
// a bad config is an error annotation on its line with exit 2, and a bad
// input is exit 2.
func TestEvents(t *testing.T) {
	repo := newGitRepo(t)
	repo.write("package-lock.json", baseLock)
	before := repo.commit("base")
	repo.write("package-lock.json", headLock)
	after := repo.commit("add evil-helper")
	repoPayload := map[string]any{"id": 1, "name": "app", "full_name": "acme/app", "default_branch": "main", "owner": map[string]any{"login": "acme", "name": "acme"}}

	tests := []struct {
		name      string
		eventName string
		payload   any
		vars      map[string]string
		files     map[string]string
		wantCode  int
		wantOut   map[string]string
		wantInLog []string
		wantInSum []string
	}{
		{
			name: "push to a branch", eventName: "push",
			payload:   map[string]any{"ref": "refs/heads/topic", "before": before, "after": after, "repository": repoPayload},
			wantCode:  pipeline.ExitFindings,
			wantOut:   map[string]string{"critical": "1", "result": "failed"},
			wantInLog: []string{"::error file=package-lock.json,line=20,"},
			wantInSum: []string{"Scanned push to topic: 1 lockfiles, 2 packages (changes read from git)"},
		},
		{
			name: "push to the default branch is a full sweep", eventName: "push",
			payload:   map[string]any{"ref": "refs/heads/main", "before": before, "after": after, "repository": repoPayload},
			wantCode:  pipeline.ExitFindings,
			wantOut:   map[string]string{"critical": "1", "result": "failed"},
			wantInLog: []string{"::error file=package-lock.json,line=20,"},
			wantInSum: []string{"Scanned push to main (full sweep of the default branch): 1 lockfiles, 2 packages."},
		},
		{
			name: "schedule sweep with fail-on none", eventName: "schedule",
			payload:   map[string]any{"schedule": "17 4 * * 1"},
			vars:      map[string]string{"INPUT_FAIL-ON": "none"},
			wantCode:  pipeline.ExitOK,
			wantOut:   map[string]string{"critical": "1", "result": "passed"},
			wantInSum: []string{"Scanned sweep of acme/app (schedule): 1 lockfiles, 2 packages.", "Result: **passed**"},
		},
		{
			// One fail-on parser for the input, the flag and the config.
			name: "fail-on input in any case", eventName: "schedule",
			payload:  map[string]any{"schedule": "17 4 * * 1"},
			vars:     map[string]string{"INPUT_FAIL-ON": " HIGH"},
			wantCode: pipeline.ExitFindings,
			wantOut:  map[string]string{"critical": "1", "result": "failed"},
		},
		{
			name: "fail-on input not a severity", eventName: "schedule",
			payload:   map[string]any{"schedule": "17 4 * * 1"},
			vars:      map[string]string{"INPUT_FAIL-ON": "severe"},
			wantCode:  pipeline.ExitUsage,
			wantInLog: []string{"fail-on must be critical, high, medium, low or none, not \"severe\""},
		},
		{
			name: "checks input names an unknown check", eventName: "schedule",
			payload:   map[string]any{"schedule": "17 4 * * 1"},
			vars:      map[string]string{"INPUT_CHECKS": "secrets, osvv"},
			wantCode:  pipeline.ExitUsage,
			wantInLog: []string{"checks: \"osvv\" is not a known check"},
		},
		{
			name: "checks input turns osv off", eventName: "schedule",
			payload:   map[string]any{"schedule": "17 4 * * 1"},
			vars:      map[string]string{"INPUT_CHECKS": "secrets, tamper"},
			wantCode:  pipeline.ExitOK,
			wantOut:   map[string]string{"critical": "0", "findings": "0", "result": "passed"},
			wantInSum: []string{"### Checks turned off", "- **osv, typosquat, confusion, registry, repojack, content**: turned off in the checks input"},
		},
		{
			name: "SARIF path not writable: a note, not a failure", eventName: "schedule",
			payload:   map[string]any{"schedule": "17 4 * * 1"},
			vars:      map[string]string{"INPUT_FAIL-ON": "none", "INPUT_SARIF": "package-lock.json/out.sarif"},
			wantCode:  pipeline.ExitOK,
			wantOut:   map[string]string{"critical": "1", "sarif": "", "result": "passed"},
			wantInLog: []string{"::error title=tollgate::SARIF file could not be written to package-lock.json/out.sarif"},
			wantInSum: []string{"The SARIF file could not be written to package-lock.json/out.sarif"},
		},
		{
			name: "a check that could not run ends incomplete by default", eventName: "schedule",
			payload:   map[string]any{"schedule": "17 4 * * 1"},
			vars:      map[string]string{"INPUT_FAIL-ON": "none"},
			files:     map[string]string{"broken/package-lock.json": "{,}"},
			wantCode:  pipeline.ExitIncomplete,
			wantOut:   map[string]string{"result": "incomplete"},
			wantInSum: []string{"fail-on-skipped: 1 check(s) did not run: unreadable (1 lockfile(s) could not be read"},
		},
		{
			name: "fail-on-skipped input false passes on what did run", eventName: "schedule",
			payload:  map[string]any{"schedule": "17 4 * * 1"},
			vars:     map[string]string{"INPUT_FAIL-ON": "none", "INPUT_FAIL-ON-SKIPPED": "false"},
			files:    map[string]string{"broken/package-lock.json": "{,}"},
			wantCode: pipeline.ExitOK,
			wantOut:  map[string]string{"result": "passed"},
		},
		{
			name: "fail-on-skipped false from the config", eventName: "schedule",
			payload:  map[string]any{"schedule": "17 4 * * 1"},
			vars:     map[string]string{"INPUT_FAIL-ON": "none", "INPUT_CONFIG": "lenient.yml"},
			files:    map[string]string{"lenient.yml": "fail-on-skipped: false\n", "broken/package-lock.json": "{,}"},
			wantCode: pipeline.ExitOK,
			wantOut:  map[string]string{"result": "passed"},
		},
		{
			name: "fail-on-skipped input true overrides the config", eventName: "schedule",
			payload:  map[string]any{"schedule": "17 4 * * 1"},
			vars:     map[string]string{"INPUT_FAIL-ON": "none", "INPUT_CONFIG": "lenient.yml", "INPUT_FAIL-ON-SKIPPED": "true"},
			files:    map[string]string{"lenient.yml": "fail-on-skipped: false\n", "broken/package-lock.json": "{,}"},
			wantCode: pipeline.ExitIncomplete,
			wantOut:  map[string]string{"result": "incomplete"},
		},
		{
			// Offline by choice is listed, not a fault, even failing closed.
			name: "offline without a database is not a fault", eventName: "schedule",
			payload:   map[string]any{"schedule": "17 4 * * 1"},
			vars:      map[string]string{"INPUT_FAIL-ON": "none", "INPUT_OSV-DB": "", "INPUT_FAIL-ON-SKIPPED": "true"},
			wantCode:  pipeline.ExitOK,
			wantOut:   map[string]string{"result": "passed"},
			wantInSum: []string{"### Checks turned off", "- **osv**: offline: the check needs network access"},
		},
		{
			name: "fail-on-skipped with every check run passes", eventName: "schedule",
			payload:  map[string]any{"schedule": "17 4 * * 1"},
			vars:     map[string]string{"INPUT_FAIL-ON": "none", "INPUT_FAIL-ON-SKIPPED": "true"},
			wantCode: pipeline.ExitOK,
			wantOut:  map[string]string{"result": "passed"},
		},
		{
			name: "branch deletion", eventName: "push",
			payload:   map[string]any{"ref": "refs/heads/gone", "before": after, "after": strings.Repeat("0", 40), "deleted": true, "repository": repoPayload},
			wantCode:  pipeline.ExitOK,
			wantOut:   map[string]string{"findings": "0", "result": "passed"},
			wantInSum: []string{"nothing to scan"},
		},
		{
			name: "bad config", eventName: "schedule",
			payload:   map[string]any{"schedule": "17 4 * * 1"},
			vars:      map[string]string{"INPUT_CONFIG": "policy.yml"},
			files:     map[string]string{"policy.yml": "fail-on: high\nchecks:\n  osvv: true\n"},
			wantCode:  pipeline.ExitUsage,
			wantOut:   map[string]string{"result": "incomplete"},
			wantInLog: []string{"::error file=policy.yml,line=3,title=tollgate::"},
			wantInSum: []string{"bad input or configuration"},
		},
		{
			name: "bad input", eventName: "schedule",
			payload:   map[string]any{"schedule": "17 4 * * 1"},
			vars:      map[string]string{"INPUT_COMMENT": "maybe"},
			wantCode:  pipeline.ExitUsage,
			wantInLog: []string{"input comment: \"maybe\" is not always, on-findings, on-failure or never"},
		},
		{
			name: "unsupported event", eventName: "issues",
			payload:  map[string]any{"action": "opened"},
			wantCode: pipeline.ExitUsage,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			for name, content := range tt.files {
				p := filepath.Join(repo.dir, name)
				if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
					t.Fatal(err)
				}
				if err := os.WriteFile(p, []byte(content), 0o644); err != nil {
					t.Fatal(err)
				}
				defer os.Remove(p)
			}
			env := newActionsEnv(t, repo.dir, tt.eventName, tt.payload)
			env.vars["INPUT_COMMENT"] = "false"
			for k, v := range tt.vars {
				env.vars[k] = v
			}
			code, stdout, stderr := env.run(t, "http://127.0.0.1:1/api/v3", nil)
			if code != tt.wantCode {
				t.Fatalf("exit %d, want %d\nstdout:\n%s\nstderr:\n%s", code, tt.wantCode, stdout, stderr)
			}
			if len(tt.wantOut) > 0 {
				outs := env.outputs(t)
				for k, v := range tt.wantOut {
					if outs[k] != v {
						t.Errorf("output %s = %q, want %q (all %v)", k, outs[k], v, outs)
					}
				}
			}
			for _, w := range tt.wantInLog {
				if !strings.Contains(stdout+stderr, w) {
					t.Errorf("log lacks %q:\n%s\n%s", w, stdout, stderr)
				}
			}
			if len(tt.wantInSum) > 0 {
				sum := env.readSummary(t)
				for _, w := range tt.wantInSum {
					if !strings.Contains(sum, w) {
						t.Errorf("summary lacks %q:\n%s", w, sum)
					}
				}
			}
		})
	}
}

// TestEveryPlantedSecretMasked sweeps a repository holding one format-valid
// secret per rule: each must be registered with ::add-mask:: and reported,
// and no planted value may appear in the log (besides its mask command), the
// annotations, the job summary or the SARIF file.
func TestEveryPlantedSecretMasked(t *testing.T) {
	content, planted := secretstest.File(secretstest.All(11))
	repo := newGitRepo(t)
	repo.write("config/settings.env", string(content))
	repo.commit("settings")
	srv := httptest.NewServer(&fakeGitHub{t: t})
	defer srv.Close()
	env := newActionsEnv(t, repo.dir, "schedule", map[string]any{"schedule": "17 4 * * 1"})
	env.vars["INPUT_FAIL-ON"] = "none"
	code, stdout, stderr := env.run(t, srv.URL+"/api/v3", srv.Client())
	if code != pipeline.ExitOK {
		t.Fatalf("exit %d\n%s", code, stderr)
	}
	// A multi-line secret (a private key) is masked line by line, and the
	// workflow-command encoding escapes '%' (GitHub decodes both).
	escape := strings.NewReplacer("%", "%25", "\r", "%0D", "\n", "%0A")
	log := stdout
	for _, p := range planted {
		for _, line := range strings.Split(p.Secret, "\n") {
			line = strings.TrimSpace(line)
			if len(line) < 4 {
				continue
			}
			mask := "::add-mask::" + escape.Replace(line) + "\n"
			if !strings.Contains(stdout, mask) {
				t.Errorf("%s: secret line not masked", p.RuleID)
			}
			log = strings.ReplaceAll(log, mask, "")
		}
	}
	secretstest.AssertNoLeak(t, []byte(log), planted)
	secretstest.AssertNoLeak(t, []byte(stderr), planted)
	secretstest.AssertNoLeak(t, []byte(env.readSummary(t)), planted)
	sarifFile, err := os.ReadFile(filepath.Join(repo.dir, "tollgate.sarif"))
	if err != nil {
		t.Fatal(err)
	}
	secretstest.AssertNoLeak(t, sarifFile, planted)
	if n := strings.Count(string(sarifFile), `"ruleId": "secret/`); n < len(planted) {
		t.Errorf("SARIF holds %d secret results for %d planted secrets", n, len(planted))
	}
}
