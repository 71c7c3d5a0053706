package repojack

import (
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/tollgate-dev/tollgate/github/api"
	"github.com/tollgate-dev/tollgate/lockfiles"
	"github.com/tollgate-dev/tollgate/scanner"
)

const (
	shaRelease = "1111111111111111111111111111111111111111"
	shaMain    = "2222222222222222222222222222222222222222"
	shaFork    = "3333333333333333333333333333333333333333"
	shaMoved   = "4444444444444444444444444444444444444444"
)

// fakeGitHub answers like api.github.com under /api/v3 (GitHub Enterprise
// Server's layout), in the shapes the REST API documents: a renamed
// repository answers 301 with Location /repositories/{id}; a missing one 404
// with GitHub's error body.
type fakeGitHub struct {
	t         *testing.T
	mu        sync.Mutex
	calls     map[string]int
	tagSHA    string // what v2 of new-owner/deploy-action points to
	limitAll  bool   // every call is refused by an exhausted primary limit
	secondary int    // the first n calls hit a secondary rate limit
}

func (f *fakeGitHub) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.calls == nil {
		f.calls = map[string]int{}
	}
	p := strings.TrimPrefix(r.URL.Path, "/api/v3")
	f.calls[p]++
	json200 := func(v any) {
		w.Header().Set("Content-Type", "application/json; charset=utf-8")
		_ = json.NewEncoder(w).Encode(v)
	}
	notFound := func(doc string) {
		w.Header().Set("Content-Type", "application/json; charset=utf-8")
		w.WriteHeader(http.StatusNotFound)
		fmt.Fprintf(w, `{"message":"Not Found","documentation_url":"https://docs.github.com/rest/%s","status":"404"}`, doc)
	}
	if f.limitAll {
		w.Header().Set("X-RateLimit-Limit", "60")
		w.Header().Set("X-RateLimit-Remaining", "0")
		w.Header().Set("X-RateLimit-Reset", fmt.Sprint(time.Now().Add(time.Hour).Unix()))
		w.Header().Set("Content-Type", "application/json; charset=utf-8")
		w.WriteHeader(http.StatusForbidden)
		fmt.Fprint(w, `{"message":"API rate limit exceeded for 192.0.2.1. (But here's the good news: Authenticated requests get a higher rate limit.)","documentation_url":"https://docs.github.com/rest/overview/resources-in-the-rest-api#rate-limiting"}`)
		return
	}
	if f.secondary > 0 {
		f.secondary--
		w.Header().Set("Retry-After", "0")
		w.Header().Set("Content-Type", "application/json; charset=utf-8")
		w.WriteHeader(http.StatusForbidden)
		fmt.Fprint(w, `{"message":"You have exceeded a secondary rate limit. Please wait a few minutes before you try again.","documentation_url":"https://docs.github.com/rest/overview/rate-limits-for-the-rest-api#about-secondary-rate-limits"}`)
		return
	}
	repo := func(id int, full string, archived bool) map[string]any {
		owner, _, _ := strings.Cut(full, "/")
		return map[string]any{"id": id, "node_id": "R_kgDO", "name": strings.SplitN(full, "/", 2)[1], "full_name": full,
			"owner": map[string]any{"login": owner, "id": id * 10, "type": "Organization"}, "private": false,
			"archived": archived, "default_branch": "main", "html_url": "https://github.com/" + full}
	}
	switch {
	case p == "/repos/old-owner/deploy-action":
		w.Header().Set("Location", "http://"+r.Host+"/api/v3/repositories/42")
		w.Header().Set("Content-Type", "application/json; charset=utf-8")
		w.WriteHeader(http.StatusMovedPermanently)
		fmt.Fprintf(w, `{"message":"Moved Permanently","url":"http://%s/api/v3/repositories/42","documentation_url":"https://docs.github.com/v3/#http-redirects"}`, r.Host)
	case p == "/repositories/42":
		json200(repo(42, "new-owner/deploy-action", false))
	case p == "/repos/new-owner/deploy-action/commits/v2":
		if !strings.Contains(r.Header.Get("Accept"), "sha") {
			f.t.Errorf("commit SHA asked without the sha media type: %q", r.Header.Get("Accept"))
		}
		fmt.Fprint(w, f.tagSHA)
	case p == "/repos/gone-owner/mod", p == "/repos/acme/removed-lib":
		notFound("repos/repos#get-a-repository")
	case p == "/users/gone-owner":
		notFound("users/users#get-a-user")
	case p == "/users/acme":
		json200(map[string]any{"login": "acme", "id": 7, "type": "Organization"})
	case p == "/repos/acme/old-action":
		json200(repo(9, "acme/old-action", true))
	case p == "/repos/acme/old-action/compare/main..."+shaMain:
		json200(map[string]any{"status": "identical", "ahead_by": 0, "behind_by": 0})
	case p == "/repos/actions/checkout":
		json200(repo(197814629, "actions/checkout", false))
	case p == "/repos/actions/checkout/compare/main..."+shaRelease, p == "/repos/actions/checkout/compare/main..."+shaFork:
		// The release commit is behind main; the fork commit diverged.
		status := "behind"
		if strings.HasSuffix(p, shaFork) {
			status = "diverged"
		}
		json200(map[string]any{"status": status, "ahead_by": 0, "behind_by": 3, "total_commits": 0})
	case strings.HasPrefix(p, "/repos/actions/checkout/compare/"):
		json200(map[string]any{"status": "diverged", "ahead_by": 1, "behind_by": 20})
	case p == "/repos/actions/checkout/tags":
		json200([]map[string]any{{"name": "v4.1.0", "commit": map[string]any{"sha": shaRelease}}})
	case p == "/repos/actions/checkout/branches":
		json200([]map[string]any{{"name": "main", "commit": map[string]any{"sha": shaMain}, "protected": true}, {"name": "releases/v3", "commit": map[string]any{"sha": shaMain}}})
	case p == "/repos/kr/pretty":
		json200(repo(5, "kr/pretty", false))
	default:
		f.t.Errorf("unexpected call %s %s", r.Method, r.URL)
		http.NotFound(w, r)
	}
}

func newCheck(t *testing.T, srv *httptest.Server, cacheDir string, now time.Time) *Check {
	t.Helper()
	client, err := api.New(api.Options{BaseURL: srv.URL + "/api/v3", Token: "test-token", HTTPClient: srv.Client(), MinBackoff: time.Millisecond, MaxRetries: 2})
	if err != nil {
		t.Fatal(err)
	}
	return New(Options{Client: client, CacheDir: cacheDir, Token: true, Now: func() time.Time { return now }})
}

func action(name, ref string, line int) lockfiles.Package {
	return lockfiles.Package{Ecosystem: lockfiles.EcosystemGitHubActions, Name: name, Version: ref, Path: ".github/workflows/ci.yml", Line: line,
		PinnedSHA: lockfiles.IsCommitSHAOrSHA256(ref), PURL: lockfiles.PURL(lockfiles.EcosystemGitHubActions, name, ref, nil)}
}

func summary(fs []scanner.Finding) []string {
	var out []string
	for _, f := range fs {
		out = append(out, fmt.Sprintf("%s %s %s:%d", f.RuleID, f.Severity, f.Path, f.Line))
	}
	return out
}

func TestRepositoryStates(t *testing.T) {
	fake := &fakeGitHub{t: t, tagSHA: shaRelease}
	srv := httptest.NewServer(fake)
	defer srv.Close()
	c := newCheck(t, srv, "", time.Now())
	pkgs := []lockfiles.Package{
		action("old-owner/deploy-action", "v2", 10),
		action("acme/old-action", shaMain, 11),
		action("actions/checkout", shaRelease, 12),
		action("actions/checkout", shaFork, 13),
		{Ecosystem: lockfiles.EcosystemGo, Name: "github.com/gone-owner/mod", Version: "v1.2.0", Path: "go.mod", Line: 5},
		{Ecosystem: lockfiles.EcosystemGo, Name: "github.com/kr/pretty", Version: "v0.3.1", Path: "go.mod", Line: 6},
		{Ecosystem: lockfiles.EcosystemNPM, Name: "lib", Version: "1.0.0", Path: "package-lock.json", Line: 30, Source: lockfiles.SourceGit,
			Resolved: "git+ssh://git@github.com/acme/removed-lib.git#" + shaMain},
		{Ecosystem: lockfiles.EcosystemNPM, Name: "left-pad", Version: "1.3.0", Path: "package-lock.json", Line: 40},
	}
	got, skipped, err := c.Run(t.Context(), &scanner.Input{Mode: scanner.ModeSweep, Packages: pkgs})
	if err != nil {
		t.Fatal(err)
	}
	scanner.SortFindings(got)
	want := []string{
		"action-ref-impostor critical .github/workflows/ci.yml:13",
		"repository-missing critical go.mod:5",
		"repository-renamed high .github/workflows/ci.yml:10",
		"action-unpinned medium .github/workflows/ci.yml:10",
		"repository-missing medium package-lock.json:30",
		"repository-archived low .github/workflows/ci.yml:11",
	}
	if g := summary(got); strings.Join(g, "\n") != strings.Join(want, "\n") {
		t.Errorf("findings:\n%s\nwant:\n%s", strings.Join(g, "\n"), strings.Join(want, "\n"))
	}
	if len(skipped) != 0 {
		t.Errorf("skipped %v", skipped)
	}
	for _, f := range got {
		if f.RuleID == RuleRenamed && !strings.Contains(f.Message, `the old owner name "old-owner" may be claimable`) {
			t.Errorf("rename message %q", f.Message)
		}
		if f.RuleID == RuleUnpinned && !strings.Contains(f.Message, "uses: old-owner/deploy-action@"+shaRelease+" # v2") {
			t.Errorf("unpinned message does not give the pin: %q", f.Message)
		}
	}
	// Pinned to a commit main's history holds: no finding and no tag listing.
	if fake.calls["/repos/actions/checkout/tags"] != 1 {
		t.Errorf("tags listed %d times, want once (for the fork commit only)", fake.calls["/repos/actions/checkout/tags"])
	}
}

// A tag that points elsewhere than in an earlier run is reported; the
// repository id kept in the cache shows a re-registered name.
func TestCacheRemembersTagsAndIDs(t *testing.T) {
	fake := &fakeGitHub{t: t, tagSHA: shaRelease}
	srv := httptest.NewServer(fake)
	defer srv.Close()
	dir := t.TempDir()
	now := time.Date(2026, 12, 1, 0, 0, 0, 0, time.UTC)
	pkgs := []lockfiles.Package{action("old-owner/deploy-action", "v2", 10)}
	in := &scanner.Input{Mode: scanner.ModeSweep, Packages: pkgs}
	if _, _, err := newCheck(t, srv, dir, now).Run(t.Context(), in); err != nil {
		t.Fatal(err)
	}
	// Within a day the lookup comes from the cache.
	calls := fake.calls["/repos/old-owner/deploy-action"]
	if _, _, err := newCheck(t, srv, dir, now.Add(time.Hour)).Run(t.Context(), in); err != nil {
		t.Fatal(err)
	}
	if fake.calls["/repos/old-owner/deploy-action"] != calls {
		t.Error("a fresh cached lookup was asked again")
	}
	// The tag moves.
	fake.tagSHA = shaMoved
	got, _, err := newCheck(t, srv, dir, now.Add(2*time.Hour)).Run(t.Context(), in)
	if err != nil {
		t.Fatal(err)
	}
	var moved bool
	for _, f := range got {
		moved = moved || f.RuleID == RuleTagMoved && strings.Contains(f.Message, shaRelease) && strings.Contains(f.Message, shaMoved)
	}
	if !moved {
		t.Errorf("moved tag not reported: %v", summary(got))
	}
	// The name is re-registered: another id behind acme's repository.
	c := newCheck(t, srv, dir, now.Add(48*time.Hour))
	c.cache.put("acme/old-action", &cacheEntry{Status: statusOK, FullName: "acme/old-action", ID: 8, Checked: now})
	got, _, err = c.Run(t.Context(), &scanner.Input{Mode: scanner.ModeSweep, Packages: []lockfiles.Package{action("acme/old-action", shaMain, 3)}})
	if err != nil {
		t.Fatal(err)
	}
	if s := summary(got); len(s) == 0 || s[0] != "repository-reregistered high .github/workflows/ci.yml:3" {
		t.Errorf("re-registered name: %v", s)
	}
}

// An exhausted rate limit leaves the repositories unchecked: a skipped
// entry that names them (and says a token helps), never a pass. A
// secondary limit is waited out and retried.
func TestRateLimits(t *testing.T) {
	fake := &fakeGitHub{t: t, limitAll: true}
	srv := httptest.NewServer(fake)
	defer srv.Close()
	client, err := api.New(api.Options{BaseURL: srv.URL + "/api/v3", HTTPClient: srv.Client(), MinBackoff: time.Millisecond, MaxRetries: 1, MaxWait: time.Second})
	if err != nil {
		t.Fatal(err)
	}
	c := New(Options{Client: client})
	got, skipped, err := c.Run(t.Context(), &scanner.Input{Mode: scanner.ModeSweep, Packages: []lockfiles.Package{action("actions/checkout", "v4", 1)}})
	if err != nil || len(got) != 0 {
		t.Fatalf("findings %v, err %v", got, err)
	}
	if len(skipped) != 1 || !strings.Contains(skipped[0].Reason, "rate limit") || !strings.Contains(skipped[0].Reason, "actions/checkout") || !strings.Contains(skipped[0].Reason, "GITHUB_TOKEN") {
		t.Errorf("skipped %v", skipped)
	}

	fake.limitAll, fake.secondary = false, 1
	c = newCheck(t, srv, "", time.Now())
	got, skipped, err = c.Run(t.Context(), &scanner.Input{Mode: scanner.ModeSweep, Packages: []lockfiles.Package{action("acme/old-action", shaMain, 1)}})
	if err != nil || len(skipped) != 0 || len(got) != 1 || got[0].RuleID != RuleArchived {
		t.Errorf("after a secondary limit: findings %v, skipped %v, err %v", summary(got), skipped, err)
	}
}

func TestCollect(t *testing.T) {
	pkgs := []lockfiles.Package{
		action("actions/checkout", "v4", 1),
		action("Actions/Checkout", "v3", 2),
		action("github/codeql-action/init", "v3", 3),
		{Ecosystem: lockfiles.EcosystemGitHubActions, Name: "./local", Source: lockfiles.SourceLocal},
		{Ecosystem: lockfiles.EcosystemGo, Name: "github.com/spf13/cobra"},
		{Ecosystem: lockfiles.EcosystemGo, Name: "golang.org/x/mod"},
		{Ecosystem: lockfiles.EcosystemNPM, Name: "a", Source: lockfiles.SourceGit, Resolved: "github:user/a-repo#abc"},
		{Ecosystem: lockfiles.EcosystemPyPI, Name: "b", Source: lockfiles.SourceGit, Resolved: "git+https://github.com/org/b.git@v1"},
		{Ecosystem: lockfiles.EcosystemCrates, Name: "c", Source: lockfiles.SourceGit, Resolved: "git+https://github.com/rust/c?rev=1#deadbeef"},
		{Ecosystem: lockfiles.EcosystemNPM, Name: "d", Source: lockfiles.SourceGit, Resolved: "git+https://gitlab.com/org/d.git"},
	}
	var got []string
	for _, tg := range collect(pkgs) {
		got = append(got, fmt.Sprintf("%s:%d", tg.key(), len(tg.uses)))
	}
	want := "actions/checkout:2 github/codeql-action:1 org/b:1 rust/c:1 spf13/cobra:1 user/a-repo:1"
	if strings.Join(got, " ") != want {
		t.Errorf("collect = %s, want %s", strings.Join(got, " "), want)
	}
}

// An API that fails for every repository is one skipped entry naming them
// all, with the first error as the example, not one entry per repository.
func TestOutageIsOneEntry(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		http.Error(w, `{"message":"Server Error"}`, http.StatusBadGateway)
	}))
	defer srv.Close()
	c := newCheck(t, srv, "", time.Now())
	got, skipped, err := c.Run(t.Context(), &scanner.Input{Mode: scanner.ModeSweep, Packages: []lockfiles.Package{
		action("actions/checkout", "v4", 1), action("actions/setup-node", "v4", 2), action("acme/deploy", "v1", 3)}})
	if err != nil || len(got) != 0 {
		t.Fatalf("findings %v, err %v", summary(got), err)
	}
	if len(skipped) != 1 || !strings.HasPrefix(skipped[0].Reason, "3 GitHub repositories not checked (GitHub API error; first: ") ||
		!strings.Contains(skipped[0].Reason, "502") || !strings.HasSuffix(skipped[0].Reason, "acme/deploy, actions/checkout, actions/setup-node") {
		t.Errorf("skipped %+v", skipped)
	}
}
