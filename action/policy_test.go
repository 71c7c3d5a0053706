package action

import (
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/tollgate-dev/tollgate/pipeline"
)

// A pull request that adds a malicious package and, in the same commit, a
// config that turns the gate off and points github.api at its own server
// gets the base policy: it fails on the package, reports the policy change,
// and its server never hears from the Action (no token, no request).
func TestPullRequestCannotTurnTheActionOff(t *testing.T) {
	var evilCalls atomic.Int32
	var evilAuth atomic.Value
	evil := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		evilCalls.Add(1)
		evilAuth.Store(r.Header.Get("Authorization"))
		http.NotFound(w, r)
	}))
	defer evil.Close()

	repo := newGitRepo(t)
	repo.write("package-lock.json", baseLock)
	base := repo.commit("base")
	repo.git("checkout", "-q", "-b", "feature")
	repo.write("package-lock.json", headLock)
	repo.write(".github/tollgate.yml", "fail-on: none\nfail-on-skipped: false\nchecks: {osv: false, secrets: false}\n"+
		"ignore:\n  - {rule: malicious-package, path: \"**\", reason: trust me, until: 2099-01-01}\n"+
		"exclude: [\"**\"]\ngithub: {api: \""+evil.URL+"/api/v3\"}\n")
	head := repo.commit("add evil-helper and a friendlier policy")

	fake := &fakeGitHub{t: t}
	srv := httptest.NewServer(fake)
	defer srv.Close()
	env := newActionsEnv(t, repo.dir, "pull_request", prPayload(base, head, false))
	env.vars["INPUT_FAIL-ON"] = "" // the config decides
	code, stdout, stderr := env.run(t, srv.URL+"/api/v3", srv.Client())
	if code != pipeline.ExitFindings {
		t.Fatalf("exit %d, want %d (the base policy)\n%s\n%s", code, pipeline.ExitFindings, stdout, stderr)
	}
	summary := env.readSummary(t)
	for _, want := range []string{"malicious-package", "policy-changed", "fail-on raised from high to none", "checks turned off: osv, secrets", "github.api changed to"} {
		if !strings.Contains(summary+stdout, want) {
			t.Errorf("report lacks %q:\n%s", want, summary)
		}
	}
	if evilCalls.Load() != 0 {
		t.Errorf("the pull request's own server got %d request(s) (Authorization %q)", evilCalls.Load(), evilAuth.Load())
	}
}

// A github.api in the base config that is not the runner's API is refused
// before any request: the token goes only to GITHUB_API_URL.
func TestConfigCannotRedirectTheToken(t *testing.T) {
	var evilCalls atomic.Int32
	evil := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { evilCalls.Add(1) }))
	defer evil.Close()
	repo := newGitRepo(t)
	repo.write("package-lock.json", baseLock)
	repo.write(".github/tollgate.yml", "github: {api: \"https://user:pw@"+strings.TrimPrefix(evil.URL, "http://")+"/api/v3?x=1\"}\n")
	repo.commit("base")
	fake := &fakeGitHub{t: t}
	srv := httptest.NewServer(fake)
	defer srv.Close()
	env := newActionsEnv(t, repo.dir, "schedule", map[string]any{"schedule": "17 4 * * 1"})
	code, stdout, stderr := env.run(t, srv.URL+"/api/v3", srv.Client())
	if code != pipeline.ExitUsage || !strings.Contains(stderr, "not the runner's GitHub API") || strings.Contains(stdout+stderr, "user:pw") {
		t.Errorf("exit %d\n%s\n%s", code, stdout, stderr)
	}
	if evilCalls.Load() != 0 {
		t.Errorf("the configured host got %d request(s)", evilCalls.Load())
	}
	// The same host as the runner's is accepted.
	repo.write(".github/tollgate.yml", "github: {api: \""+srv.URL+"/api/v3\"}\n")
	repo.commit("same host")
	if code, stdout, stderr := env.run(t, srv.URL+"/api/v3", srv.Client()); code == pipeline.ExitUsage {
		t.Errorf("the runner's own API refused: %d\n%s\n%s", code, stdout, stderr)
	}
}

// The comment input says when a sticky comment is created: always (even on
// a clean pull request), on-findings (any finding), on-failure (the result
// failed or is incomplete) or never.
func TestCommentModes(t *testing.T) {
	repo := newGitRepo(t)
	repo.write("package-lock.json", baseLock)
	base := repo.commit("base")
	repo.git("checkout", "-q", "-b", "feature")
	repo.write("package-lock.json", headLock) // adds a critical malicious package
	head := repo.commit("add evil-helper")
	for _, tt := range []struct {
		mode, failOn string
		want         int // comments created
	}{
		{"on-findings", "none", 1},
		{"", "none", 1},
		{"on-failure", "none", 0},
		{"on-failure", "high", 1},
		{"never", "high", 0},
		{"always", "none", 1},
	} {
		fake := &fakeGitHub{t: t}
		srv := httptest.NewServer(fake)
		env := newActionsEnv(t, repo.dir, "pull_request", prPayload(base, head, false))
		env.vars["INPUT_COMMENT"] = tt.mode
		env.vars["INPUT_FAIL-ON"] = tt.failOn
		env.run(t, srv.URL+"/api/v3", srv.Client())
		srv.Close()
		if fake.creates != tt.want {
			t.Errorf("comment %q, fail-on %s: %d comments created, want %d", tt.mode, tt.failOn, fake.creates, tt.want)
		}
	}
	// always comments on a clean pull request too.
	repo.write("package-lock.json", baseLock)
	clean := repo.commit("drop it again")
	fake := &fakeGitHub{t: t}
	srv := httptest.NewServer(fake)
	defer srv.Close()
	env := newActionsEnv(t, repo.dir, "pull_request", prPayload(base, clean, false))
	env.vars["INPUT_COMMENT"] = "always"
	env.run(t, srv.URL+"/api/v3", srv.Client())
	if fake.creates != 1 || !strings.Contains(fake.comments[0].Body, "all clear") {
		t.Errorf("always on a clean pull request: %d comments %+v", fake.creates, fake.comments)
	}
}
