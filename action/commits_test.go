package action

import (
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"

	"github.com/tollgate-dev/tollgate/pipeline"
	"github.com/tollgate-dev/tollgate/secrets/secretstest"
)

// gitHubFromRepo serves the read endpoints of the GitHub REST API that the
// change set uses (a pull request, its files, its commits, each commit's
// files with patches, compare, trees, blobs), answering from a scripted
// repository with the git binary, in GitHub's response shapes; the write
// endpoints (comment, upload) go to fakeGitHub.
type gitHubFromRepo struct {
	t          *testing.T
	repo       *gitRepo
	base, head string
	writes     *fakeGitHub

	mu       sync.Mutex
	requests map[string]int
}

func (g *gitHubFromRepo) count(prefix string) int {
	g.mu.Lock()
	defer g.mu.Unlock()
	n := 0
	for p, c := range g.requests {
		if strings.HasPrefix(p, prefix) {
			n += c
		}
	}
	return n
}

// patchOf is git's patch for one file from a to b, from its first hunk on,
// as GitHub gives it.
func (g *gitHubFromRepo) patchOf(a, b, path string) string {
	out := g.repo.git("diff", "-U3", "--no-color", a, b, "--", path)
	if i := strings.Index(out, "\n@@"); i >= 0 {
		return out[i+1:]
	}
	return ""
}

// files lists what changed from a to b as GitHub's file entries.
func (g *gitHubFromRepo) files(a, b string) []map[string]any {
	var out []map[string]any
	status := map[byte]string{'A': "added", 'M': "modified", 'D': "removed", 'R': "renamed"}
	for _, line := range strings.Split(g.repo.git("diff", "--name-status", "-M", a, b), "\n") {
		if line == "" {
			continue
		}
		fields := strings.Split(line, "\t")
		f := map[string]any{"filename": fields[len(fields)-1], "status": status[fields[0][0]]}
		if fields[0][0] == 'R' {
			f["previous_filename"] = fields[1]
		}
		f["patch"] = g.patchOf(a, b, fields[len(fields)-1])
		out = append(out, f)
	}
	return out
}

func (g *gitHubFromRepo) commitJSON(sha string) map[string]any {
	var parents []any
	for _, p := range strings.Fields(g.repo.git("rev-list", "--parents", "-n", "1", sha))[1:] {
		parents = append(parents, map[string]any{"sha": p})
	}
	return map[string]any{"sha": sha, "parents": parents, "commit": map[string]any{"message": "m"}}
}

func (g *gitHubFromRepo) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	g.mu.Lock()
	if g.requests == nil {
		g.requests = map[string]int{}
	}
	g.requests[r.URL.Path]++
	g.mu.Unlock()
	if r.Header.Get("Authorization") != "Bearer test-token" {
		http.Error(w, `{"message":"Bad credentials"}`, http.StatusUnauthorized)
		return
	}
	p, ok := strings.CutPrefix(r.URL.Path, "/api/v3/repos/acme/app/")
	if !ok || r.Method != http.MethodGet || strings.HasPrefix(p, "issues/") {
		g.writes.ServeHTTP(w, r)
		return
	}
	reply := func(v any) {
		w.Header().Set("Content-Type", "application/json")
		_ = json.NewEncoder(w).Encode(v)
	}
	mergeBase := g.repo.git("merge-base", g.base, g.head)
	switch {
	case p == "pulls/7":
		commits := strings.Count(g.repo.git("rev-list", g.base+".."+g.head), "\n") + 1
		reply(map[string]any{"number": 7, "changed_files": len(g.files(mergeBase, g.head)), "commits": commits,
			"base": map[string]any{"ref": "main", "sha": g.base}, "head": map[string]any{"ref": "feature", "sha": g.head}})
	case p == "pulls/7/files":
		reply(g.files(mergeBase, g.head))
	case p == "pulls/7/commits":
		var out []any
		for _, sha := range strings.Fields(g.repo.git("rev-list", "--reverse", g.base+".."+g.head)) {
			out = append(out, g.commitJSON(sha))
		}
		reply(out)
	case strings.HasPrefix(p, "commits/"):
		sha := strings.TrimPrefix(p, "commits/")
		out := g.commitJSON(sha)
		out["files"] = g.files(sha+"^", sha)
		reply(out)
	case strings.HasPrefix(p, "compare/"):
		reply(map[string]any{"merge_base_commit": map[string]any{"sha": mergeBase}, "base_commit": map[string]any{"sha": g.base},
			"total_commits": 1, "commits": []any{g.commitJSON(g.head)}, "files": g.files(mergeBase, g.head)})
	case strings.HasPrefix(p, "git/trees/"):
		sha := strings.TrimPrefix(p, "git/trees/")
		var entries []any
		for _, line := range strings.Split(g.repo.git("ls-tree", "-r", "-t", "-l", sha), "\n") {
			meta, path, _ := strings.Cut(line, "\t")
			f := strings.Fields(meta) // mode type sha size
			if len(f) < 4 {
				continue
			}
			e := map[string]any{"path": path, "mode": f[0], "type": f[1], "sha": f[2]}
			if size, err := strconv.Atoi(f[3]); err == nil {
				e["size"] = size
			}
			entries = append(entries, e)
		}
		reply(map[string]any{"sha": sha, "tree": entries, "truncated": false})
	case strings.HasPrefix(p, "git/blobs/"):
		w.Header().Set("Content-Type", "application/vnd.github.raw")
		_, _ = w.Write([]byte(g.repo.git("cat-file", "blob", strings.TrimPrefix(p, "git/blobs/")) + "\n"))
	default:
		g.t.Errorf("unexpected API call %s %s", r.Method, r.URL.Path)
		http.NotFound(w, r)
	}
}

// tokenAddedThenRemoved scripts a pull request whose first commit adds a
// GitHub token (a fake of the right format) on line 3 of src/config.js and
// whose second commit deletes that file: the net diff holds no secret.
func tokenAddedThenRemoved(t *testing.T) (repo *gitRepo, base, added, head string, planted secretstest.Planted) {
	t.Helper()
	planted, err := secretstest.Secret("github-pat", 14)
	if err != nil {
		t.Fatal(err)
	}
	repo = newGitRepo(t)
	repo.write("package-lock.json", baseLock)
	repo.write("src/app.js", "console.log('hello')\n")
	base = repo.commit("base")
	repo.git("checkout", "-q", "-b", "feature")
	repo.write("src/config.js", "// settings\nmodule.exports = {\n  token: \""+planted.Secret+"\",\n}\n")
	added = repo.commit("add the settings")
	repo.remove("src/config.js")
	repo.write("src/app.js", "console.log('hello again')\n")
	head = repo.commit("oops, no settings in the code")
	return repo, base, added, head, planted
}

// checkRemovedTokenReported asserts the run reported the removed token on
// the commit that added it, masked, nowhere in clear.
func checkRemovedTokenReported(t *testing.T, env *actionsEnv, code int, stdout, stderr, workspace, added, source string, planted secretstest.Planted) {
	t.Helper()
	if code != pipeline.ExitFindings {
		t.Fatalf("exit code %d, want %d\nstdout:\n%s\nstderr:\n%s", code, pipeline.ExitFindings, stdout, stderr)
	}
	outs := env.outputs(t)
	if outs["critical"] != "1" || outs["findings"] != "1" || outs["result"] != "failed" {
		t.Errorf("outputs %v", outs)
	}
	anns := annotationLine.FindAllStringSubmatch(stdout, -1)
	if len(anns) != 1 {
		t.Fatalf("%d annotations, want 1:\n%s", len(anns), stdout)
	}
	if a := anns[0]; a[1] != "error" || !strings.Contains(a[2], "file=src/config.js,line=3,") || !strings.Contains(a[2], "secret/github-pat") ||
		!strings.Contains(a[3], "added in commit "+added[:12]) || !strings.Contains(a[3], "removing the secret from the tip does not un-leak it; rotate it") {
		t.Errorf("annotation %q", a[0])
	}
	maskLine := "::add-mask::" + planted.Secret
	if !strings.Contains(stdout, maskLine+"\n") {
		t.Errorf("the token is not masked")
	}
	secretstest.AssertNoLeak(t, []byte(strings.Replace(stdout, maskLine, "", 1)+stderr), []secretstest.Planted{planted})
	summary := env.readSummary(t)
	secretstest.AssertNoLeak(t, []byte(summary), []secretstest.Planted{planted})
	if !strings.Contains(summary, "src/config.js") || !strings.Contains(summary, added[:12]) {
		t.Errorf("summary lacks the finding or its commit:\n%s", summary)
	}
	if !strings.Contains(summary, "(from "+source+")") {
		t.Errorf("summary does not say the commits were read from %s:\n%s", source, summary)
	}
	sarifFile, err := os.ReadFile(filepath.Join(workspace, "tollgate.sarif"))
	if err != nil {
		t.Fatal(err)
	}
	secretstest.AssertNoLeak(t, sarifFile, []secretstest.Planted{planted})
	if !strings.Contains(string(sarifFile), `"ruleId": "secret/github-pat"`) || !strings.Contains(string(sarifFile), added[:12]) {
		t.Errorf("SARIF lacks the result or its commit")
	}
}

// TestSecretAddedThenRemovedInPullRequest: a token one commit of the pull
// request adds and the next deletes is reported with the commit that added
// it, from local history (a clone with fetch-depth: 0).
func TestSecretAddedThenRemovedInPullRequest(t *testing.T) {
	repo, base, added, head, planted := tokenAddedThenRemoved(t)
	fake := &fakeGitHub{t: t}
	srv := httptest.NewServer(fake)
	defer srv.Close()
	env := newActionsEnv(t, repo.dir, "pull_request", prPayload(base, head, false))
	code, stdout, stderr := env.run(t, srv.URL+"/api/v3", srv.Client())
	checkRemovedTokenReported(t, env, code, stdout, stderr, repo.dir, added, "git", planted)
	if len(fake.comments) != 1 {
		t.Fatalf("%d comments, want 1", len(fake.comments))
	}
	body := fake.comments[0].Body
	secretstest.AssertNoLeak(t, []byte(body), []secretstest.Planted{planted})
	if !strings.Contains(body, "src/config.js") {
		t.Errorf("comment lacks the finding:\n%s", body)
	}

	// A push of the same commits: every commit from before to after counts.
	pushEnv := newActionsEnv(t, repo.dir, "push", map[string]any{"ref": "refs/heads/feature", "before": base, "after": head,
		"repository": map[string]any{"id": 1, "name": "app", "full_name": "acme/app", "default_branch": "main", "owner": map[string]any{"login": "acme"}}})
	pushEnv.vars["INPUT_COMMENT"] = "false"
	code, stdout, stderr = pushEnv.run(t, srv.URL+"/api/v3", srv.Client())
	checkRemovedTokenReported(t, pushEnv, code, stdout, stderr, repo.dir, added, "git", planted)

	// A push to the default branch is swept whole, and its commits still
	// count.
	mainEnv := newActionsEnv(t, repo.dir, "push", map[string]any{"ref": "refs/heads/main", "before": base, "after": head,
		"repository": map[string]any{"id": 1, "name": "app", "full_name": "acme/app", "default_branch": "main", "owner": map[string]any{"login": "acme"}}})
	mainEnv.vars["INPUT_COMMENT"] = "false"
	code, stdout, stderr = mainEnv.run(t, srv.URL+"/api/v3", srv.Client())
	checkRemovedTokenReported(t, mainEnv, code, stdout, stderr, repo.dir, added, "git", planted)
	if sum := mainEnv.readSummary(t); !strings.Contains(sum, "full sweep of the default branch") {
		t.Errorf("the push to main was not swept:\n%s", sum)
	}
}

// TestSecretAddedThenRemovedShallowClone: the same pull request checked out
// as actions/checkout does by default (depth 1): the base and the first
// commit are not in the clone, so the change set and every commit's patches
// come from the GitHub API.
func TestSecretAddedThenRemovedShallowClone(t *testing.T) {
	repo, base, added, head, planted := tokenAddedThenRemoved(t)
	workspace := filepath.Join(t.TempDir(), "ws")
	cmd := exec.Command("git", "clone", "-q", "--depth", "1", "--branch", "feature", "file://"+repo.dir, workspace)
	cmd.Env = append(os.Environ(), "GIT_CONFIG_GLOBAL=/dev/null", "GIT_CONFIG_SYSTEM=/dev/null")
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("shallow clone: %v\n%s", err, out)
	}
	if out, err := exec.Command("git", "-C", workspace, "cat-file", "-e", added).CombinedOutput(); err == nil {
		t.Fatalf("the shallow clone holds the first commit: %s", out)
	}

	gh := &gitHubFromRepo{t: t, repo: repo, base: base, head: head, writes: &fakeGitHub{t: t}}
	srv := httptest.NewServer(gh)
	defer srv.Close()
	env := newActionsEnv(t, workspace, "pull_request", prPayload(base, head, false))
	code, stdout, stderr := env.run(t, srv.URL+"/api/v3", srv.Client())
	checkRemovedTokenReported(t, env, code, stdout, stderr, workspace, added, "github-api", planted)
	if n := gh.count("/api/v3/repos/acme/app/pulls/7/commits"); n != 1 {
		t.Errorf("%d requests for the pull request's commits, want 1", n)
	}
	for _, sha := range []string{added, head} {
		if n := gh.count("/api/v3/repos/acme/app/commits/" + sha); n != 1 {
			t.Errorf("%d requests for commit %s, want 1", n, sha[:12])
		}
	}
	if len(gh.writes.comments) != 1 {
		t.Fatalf("%d comments, want 1", len(gh.writes.comments))
	}
	secretstest.AssertNoLeak(t, []byte(gh.writes.comments[0].Body), []secretstest.Planted{planted})
}
