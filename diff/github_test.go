package diff

import (
	"context"
	"crypto/sha1"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"path"
	"reflect"
	"sort"
	"strconv"
	"strings"
	"sync"
	"testing"
	"testing/fstest"
	"time"

	"github.com/tollgate-dev/tollgate/github/api"
)

// fakeGitHub serves the REST endpoints the API source uses, shaped like
// GitHub's responses: pulls, pulls/N/files (paginated with Link headers),
// compare, git/trees (recursive or not, optionally truncated) and git/blobs.
type fakeGitHub struct {
	t                           *testing.T
	baseSHA, mergeBase, headSHA string
	trees                       map[string]map[string]string // commit -> path -> content
	submodules                  map[string]bool              // head paths that are gitlinks
	files                       []map[string]any             // the PR files list
	changedFiles                int
	filesCap                    int // most files the files endpoint serves (3,000 on GitHub)
	truncated                   bool
	fail                        func(w http.ResponseWriter, r *http.Request) bool

	mu       sync.Mutex
	requests map[string]int // path (without query) -> count
}

func blobSHA(content string) string {
	sum := sha1.Sum([]byte("blob " + strconv.Itoa(len(content)) + "\x00" + content))
	return hex.EncodeToString(sum[:])
}

func treeSHA(commit, dir string) string {
	sum := sha1.Sum([]byte("tree " + commit + ":" + dir))
	return hex.EncodeToString(sum[:])
}

func (f *fakeGitHub) count(p string) int {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.requests[p]
}

func (f *fakeGitHub) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	f.mu.Lock()
	if f.requests == nil {
		f.requests = map[string]int{}
	}
	f.requests[r.URL.Path]++
	f.mu.Unlock()
	if f.fail != nil && f.fail(w, r) {
		return
	}
	w.Header().Set("Content-Type", "application/json")
	p := strings.TrimPrefix(r.URL.Path, "/repos/o/r/")
	switch {
	case p == "pulls/7":
		writeJSON(w, map[string]any{"number": 7, "changed_files": f.changedFiles,
			"base": map[string]any{"ref": "main", "sha": f.baseSHA}, "head": map[string]any{"ref": "feature", "sha": f.headSHA}})
	case p == "pulls/7/files":
		page, _ := strconv.Atoi(r.URL.Query().Get("page"))
		if page == 0 {
			page = 1
		}
		perPage, _ := strconv.Atoi(r.URL.Query().Get("per_page"))
		if perPage == 0 {
			perPage = 30
		}
		served := f.files
		if f.filesCap > 0 && len(served) > f.filesCap {
			served = served[:f.filesCap]
		}
		last := (len(served) + perPage - 1) / perPage
		if page < last {
			u := fmt.Sprintf("http://%s%s?per_page=%d&page=", r.Host, r.URL.Path, perPage)
			w.Header().Set("Link", fmt.Sprintf(`<%s%d>; rel="next", <%s%d>; rel="last"`, u, page+1, u, last))
		}
		lo, hi := (page-1)*perPage, page*perPage
		if lo > len(served) {
			lo = len(served)
		}
		if hi > len(served) {
			hi = len(served)
		}
		writeJSON(w, served[lo:hi])
	case strings.HasPrefix(p, "compare/"):
		writeJSON(w, map[string]any{"merge_base_commit": map[string]any{"sha": f.mergeBase},
			"base_commit": map[string]any{"sha": f.baseSHA}, "total_commits": 1,
			"commits": []any{map[string]any{"sha": f.headSHA}}, "files": f.files})
	case strings.HasPrefix(p, "git/trees/"):
		f.serveTree(w, r, strings.TrimPrefix(p, "git/trees/"))
	case strings.HasPrefix(p, "git/blobs/"):
		sha := strings.TrimPrefix(p, "git/blobs/")
		for _, tree := range f.trees {
			for _, content := range tree {
				if blobSHA(content) == sha {
					w.Header().Set("Content-Type", "application/vnd.github.raw")
					_, _ = w.Write([]byte(content))
					return
				}
			}
		}
		http.Error(w, `{"message":"Not Found"}`, http.StatusNotFound)
	default:
		http.Error(w, `{"message":"Not Found"}`, http.StatusNotFound)
	}
}

func (f *fakeGitHub) serveTree(w http.ResponseWriter, r *http.Request, sha string) {
	commit, dir := "", ""
	if _, ok := f.trees[sha]; ok {
		commit, dir = sha, "."
	} else {
		for c, tree := range f.trees {
			for p := range tree {
				for d := path.Dir(p); d != "."; d = path.Dir(d) {
					if treeSHA(c, d) == sha {
						commit, dir = c, d
					}
				}
			}
		}
	}
	if commit == "" {
		http.Error(w, `{"message":"Not Found"}`, http.StatusNotFound)
		return
	}
	recursive := r.URL.Query().Get("recursive") != ""
	type entry struct {
		Path string `json:"path"`
		Mode string `json:"mode"`
		Type string `json:"type"`
		SHA  string `json:"sha"`
		Size int    `json:"size,omitempty"`
	}
	seen := map[string]bool{}
	var entries []entry
	for p, content := range f.trees[commit] {
		rel := p
		if dir != "." {
			if !strings.HasPrefix(p, dir+"/") {
				continue
			}
			rel = strings.TrimPrefix(p, dir+"/")
		}
		parts := strings.Split(rel, "/")
		for i := 1; i < len(parts); i++ { // directories on the way
			d := strings.Join(parts[:i], "/")
			if !seen[d] && (recursive || i == 1) {
				seen[d] = true
				full := d
				if dir != "." {
					full = dir + "/" + d
				}
				entries = append(entries, entry{Path: d, Mode: "040000", Type: "tree", SHA: treeSHA(commit, full)})
			}
		}
		if !recursive && len(parts) > 1 {
			continue
		}
		e := entry{Path: rel, Mode: "100644", Type: "blob", SHA: blobSHA(content), Size: len(content)}
		if commit == f.headSHA && f.submodules[p] {
			e = entry{Path: rel, Mode: "160000", Type: "commit", SHA: blobSHA(content)}
		}
		entries = append(entries, e)
	}
	sort.Slice(entries, func(i, j int) bool { return entries[i].Path < entries[j].Path })
	writeJSON(w, map[string]any{"sha": sha, "tree": entries, "truncated": recursive && f.truncated})
}

func writeJSON(w http.ResponseWriter, v any) {
	_ = json.NewEncoder(w).Encode(v)
}

func newFake(t *testing.T, base, head map[string]string) *fakeGitHub {
	return &fakeGitHub{t: t, baseSHA: strings.Repeat("b", 40), mergeBase: strings.Repeat("c", 40), headSHA: strings.Repeat("d", 40),
		trees: map[string]map[string]string{strings.Repeat("c", 40): base, strings.Repeat("d", 40): head}}
}

func testAPI(t *testing.T, h http.Handler, mountPrefix string) *GitHubAPI {
	t.Helper()
	mux := http.NewServeMux()
	mux.Handle(mountPrefix+"/", http.StripPrefix(mountPrefix, h))
	srv := httptest.NewServer(mux)
	t.Cleanup(srv.Close)
	client, err := api.New(api.Options{BaseURL: srv.URL + mountPrefix + "/", Token: "t", MinBackoff: time.Millisecond, MaxRetries: 3})
	if err != nil {
		t.Fatal(err)
	}
	return NewGitHubAPI(client)
}

func TestFromGitHubPullRequest(t *testing.T) {
	big := strings.Repeat("filler line\n", 5000)
	lockBase := "{\n  \"lockfileVersion\": 3,\n  \"packages\": {\n    \"node_modules/a\": {\"version\": \"1.0.0\"}\n  }\n}\n"
	lockHead := strings.Replace(lockBase, "1.0.0", "1.0.1", 1)
	base := map[string]string{
		"src/app.js":            "const a = 1\nconst b = 2\n",
		"web/package-lock.json": lockBase,
		"old/name.txt":          "x\n",
		"gone.txt":              "bye\n",
		"data/big.csv":          big,
		"img/logo.png":          "\x89PNG\x00old",
		"deps/lib":              "sub-old",
	}
	head := map[string]string{
		"src/app.js":            "const a = 1\nconst token = 'x'\nconst b = 2\n",
		"web/package-lock.json": lockHead,
		"new/name.txt":          "x\n",
		"data/big.csv":          strings.Replace(big, "filler line\n", "filler line\nsecret=1\n", 1),
		"img/logo.png":          "\x89PNG\x00new",
		"deps/lib":              "sub-new",
		"docs/added.md":         "# Title\r\nbody\r\n",
	}
	f := newFake(t, base, head)
	f.submodules = map[string]bool{"deps/lib": true}
	f.files = []map[string]any{
		{"filename": "src/app.js", "status": "modified", "patch": "@@ -1,2 +1,3 @@\n const a = 1\n+const token = 'x'\n const b = 2"},
		{"filename": "web/package-lock.json", "status": "modified", "patch": "@@ -1,6 +1,6 @@\n {\n   \"lockfileVersion\": 3,\n   \"packages\": {\n-    \"node_modules/a\": {\"version\": \"1.0.0\"}\n+    \"node_modules/a\": {\"version\": \"1.0.1\"}\n   }\n }"},
		{"filename": "new/name.txt", "previous_filename": "old/name.txt", "status": "renamed"},
		{"filename": "gone.txt", "status": "removed", "patch": "@@ -1 +0,0 @@\n-bye"},
		{"filename": "data/big.csv", "status": "modified"}, // patch omitted: too large
		{"filename": "img/logo.png", "status": "modified"}, // binary: no patch
		{"filename": "deps/lib", "status": "modified", "patch": "@@ -1 +1 @@\n-Subproject commit " + strings.Repeat("1", 40) + "\n+Subproject commit " + strings.Repeat("2", 40)},
		{"filename": "docs/added.md", "status": "added", "patch": "@@ -0,0 +1,2 @@\n+# Title\r\n+body\r"},
	}
	f.changedFiles = len(f.files)
	api := testAPI(t, f, "/api/v3") // GHES-shaped base URL

	cs, err := FromGitHub(context.Background(), api, "o", "r", 7, Options{})
	if err != nil {
		t.Fatal(err)
	}
	if cs.Source != SourceGitHubAPI || cs.Base != f.mergeBase || cs.Head != f.headSHA {
		t.Fatalf("source %s base %s head %s", cs.Source, cs.Base, cs.Head)
	}
	if len(cs.Files) != 8 {
		t.Fatalf("%d files", len(cs.Files))
	}
	if got := fileOf(t, cs, "src/app.js").Added; !reflect.DeepEqual(got, []Line{{2, "const token = 'x'"}}) {
		t.Errorf("app.js %+v", got)
	}
	lock := fileOf(t, cs, "web/package-lock.json")
	if !lock.Lockfile || string(lock.BaseContent) != lockBase || string(lock.HeadContent) != lockHead {
		t.Errorf("lockfile contents: %+v", lock)
	}
	if !reflect.DeepEqual(lock.Added, []Line{{4, `    "node_modules/a": {"version": "1.0.1"}`}}) {
		t.Errorf("lockfile added %+v", lock.Added)
	}
	if r := fileOf(t, cs, "new/name.txt"); r.Status != StatusRenamed || r.OldPath != "old/name.txt" || len(r.Added) != 0 {
		t.Errorf("rename %+v", r)
	}
	if d := fileOf(t, cs, "gone.txt"); d.Status != StatusDeleted {
		t.Errorf("removed %+v", d)
	}
	if b := fileOf(t, cs, "data/big.csv"); !reflect.DeepEqual(b.Added, []Line{{2, "secret=1"}}) {
		t.Errorf("large file without patch: %+v", b.Added)
	}
	if b := fileOf(t, cs, "img/logo.png"); !b.Binary || len(b.Added) != 0 {
		t.Errorf("binary %+v", b)
	}
	if s := fileOf(t, cs, "deps/lib"); !s.Submodule || len(s.Added) != 0 {
		t.Errorf("submodule %+v", s)
	}
	if a := fileOf(t, cs, "docs/added.md"); !reflect.DeepEqual(a.Added, []Line{{1, "# Title"}, {2, "body"}}) {
		t.Errorf("CRLF added %+v", a.Added)
	}
	// Both trees readable through io/fs.
	if err := fstest.TestFS(cs.HeadFS, "src/app.js", "web/package-lock.json", "docs/added.md"); err != nil {
		t.Error(err)
	}
	if b, err := cs.BaseFS.(interface{ ReadFile(string) ([]byte, error) }).ReadFile("gone.txt"); err != nil || string(b) != "bye\n" {
		t.Errorf("base read: %q %v", b, err)
	}
}

func TestFromGitHubPaginationAndCap(t *testing.T) {
	for _, tc := range []struct {
		name      string
		n         int
		truncated bool
		pages     int
	}{
		{"250 files, 3 pages", 250, false, 3},
		{"3,100 files, list capped at 3,000", 3100, false, 30},
		{"capped and truncated tree listing", 3100, true, 30},
	} {
		t.Run(tc.name, func(t *testing.T) {
			base := map[string]string{"README": "r\n"}
			head := map[string]string{"README": "r\n"}
			for i := range tc.n {
				p := fmt.Sprintf("d%02d/f%04d.txt", i%20, i)
				head[p] = fmt.Sprintf("file %d\n", i)
			}
			f := newFake(t, base, head)
			f.filesCap = 3000
			f.truncated = tc.truncated
			for i := range tc.n {
				p := fmt.Sprintf("d%02d/f%04d.txt", i%20, i)
				f.files = append(f.files, map[string]any{"filename": p, "status": "added", "patch": fmt.Sprintf("@@ -0,0 +1 @@\n+file %d", i)})
			}
			f.changedFiles = tc.n
			api := testAPI(t, f, "")
			cs, err := FromGitHub(context.Background(), api, "o", "r", 7, Options{})
			if err != nil {
				t.Fatal(err)
			}
			if len(cs.Files) != tc.n {
				t.Fatalf("%d files, want %d", len(cs.Files), tc.n)
			}
			if got := f.count("/repos/o/r/pulls/7/files"); got != tc.pages {
				t.Errorf("%d pages fetched, want %d", got, tc.pages)
			}
			// A file beyond the cap still gets its added line (from the blobs).
			last := fmt.Sprintf("d%02d/f%04d.txt", (tc.n-1)%20, tc.n-1)
			if got := fileOf(t, cs, last).Added; !reflect.DeepEqual(got, []Line{{1, fmt.Sprintf("file %d", tc.n-1)}}) {
				t.Errorf("%s: %+v", last, got)
			}
			if tc.n > 3000 && len(cs.Notes) == 0 {
				t.Error("capped list not noted")
			}
			if tc.truncated && f.count("/repos/o/r/git/trees/"+treeSHA(f.headSHA, "d07")) == 0 {
				t.Error("truncated listing did not fall back to per-directory listings")
			}
		})
	}
}

func TestFromGitHubRetriesAndRateLimits(t *testing.T) {
	base := map[string]string{"a.txt": "a\n"}
	head := map[string]string{"a.txt": "a\nb\n"}
	files := []map[string]any{{"filename": "a.txt", "status": "modified", "patch": "@@ -1 +1,2 @@\n a\n+b"}}

	t.Run("5xx and secondary limit retried", func(t *testing.T) {
		f := newFake(t, base, head)
		f.files, f.changedFiles = files, 1
		var calls int
		f.fail = func(w http.ResponseWriter, r *http.Request) bool {
			if r.URL.Path != "/repos/o/r/pulls/7" {
				return false
			}
			calls++
			switch calls {
			case 1:
				http.Error(w, "bad gateway", http.StatusBadGateway)
				return true
			case 2:
				w.Header().Set("Retry-After", "0")
				http.Error(w, `{"message":"You have exceeded a secondary rate limit"}`, http.StatusForbidden)
				return true
			case 3:
				http.Error(w, `{"message":"You have exceeded a secondary rate limit. Please wait."}`, http.StatusForbidden)
				return true
			}
			return false
		}
		api := testAPI(t, f, "")
		cs, err := FromGitHub(context.Background(), api, "o", "r", 7, Options{})
		if err != nil {
			t.Fatal(err)
		}
		if calls != 4 || len(cs.Files) != 1 {
			t.Errorf("calls %d, files %d", calls, len(cs.Files))
		}
	})
	t.Run("retries bounded", func(t *testing.T) {
		f := newFake(t, base, head)
		f.fail = func(w http.ResponseWriter, r *http.Request) bool {
			http.Error(w, "unavailable", http.StatusServiceUnavailable)
			return true
		}
		api := testAPI(t, f, "")
		_, err := FromGitHub(context.Background(), api, "o", "r", 7, Options{})
		if err == nil || !strings.Contains(err.Error(), "503") {
			t.Errorf("err = %v", err)
		}
		if got := f.count("/repos/o/r/pulls/7"); got != 4 { // 1 + MaxRetries 3
			t.Errorf("%d attempts, want 4", got)
		}
	})
	t.Run("primary rate limit named, not retried", func(t *testing.T) {
		f := newFake(t, base, head)
		reset := time.Date(2030, 1, 2, 3, 4, 5, 0, time.UTC)
		f.fail = func(w http.ResponseWriter, r *http.Request) bool {
			w.Header().Set("X-RateLimit-Limit", "60")
			w.Header().Set("X-RateLimit-Remaining", "0")
			w.Header().Set("X-RateLimit-Reset", strconv.FormatInt(reset.Unix(), 10))
			w.Header().Set("Content-Type", "application/json")
			w.WriteHeader(http.StatusForbidden)
			_, _ = w.Write([]byte(`{"message":"API rate limit exceeded for 1.2.3.4.","documentation_url":"https://docs.github.com/rest/overview/resources-in-the-rest-api#rate-limiting"}`))
			return true
		}
		api := testAPI(t, f, "")
		_, err := FromGitHub(context.Background(), api, "o", "r", 7, Options{})
		if !errors.Is(err, ErrRateLimited) || !strings.Contains(err.Error(), "2030-01-02T03:04:05Z") {
			t.Errorf("err = %v", err)
		}
		if got := f.count("/repos/o/r/pulls/7"); got != 1 {
			t.Errorf("%d attempts, want 1", got)
		}
	})
	t.Run("not found names the cause", func(t *testing.T) {
		f := newFake(t, base, head)
		api := testAPI(t, f, "")
		_, err := FromGitHub(context.Background(), api, "o", "r", 8, Options{})
		if err == nil || !strings.Contains(err.Error(), "404") {
			t.Errorf("err = %v", err)
		}
	})
	t.Run("context cancelled", func(t *testing.T) {
		f := newFake(t, base, head)
		f.fail = func(w http.ResponseWriter, r *http.Request) bool {
			w.Header().Set("Retry-After", "30")
			http.Error(w, "busy", http.StatusTooManyRequests)
			return true
		}
		api := testAPI(t, f, "")
		ctx, cancel := context.WithTimeout(context.Background(), 50*time.Millisecond)
		defer cancel()
		start := time.Now()
		if _, err := FromGitHub(ctx, api, "o", "r", 7, Options{}); err == nil {
			t.Error("no error")
		}
		if time.Since(start) > 5*time.Second {
			t.Error("cancellation not honoured during backoff")
		}
	})
}

func TestFromGitHubCompare(t *testing.T) {
	base := map[string]string{"go.sum": "a v1 h1:x=\n"}
	head := map[string]string{"go.sum": "a v1 h1:x=\nb v2 h1:y=\n"}
	f := newFake(t, base, head)
	f.files = []map[string]any{{"filename": "go.sum", "status": "modified", "patch": "@@ -1 +1,2 @@\n a v1 h1:x=\n+b v2 h1:y="}}
	api := testAPI(t, f, "")
	cs, err := FromGitHubCompare(context.Background(), api, "o", "r", "main", f.headSHA, Options{})
	if err != nil {
		t.Fatal(err)
	}
	fc := fileOf(t, cs, "go.sum")
	if cs.Base != f.mergeBase || cs.Head != f.headSHA || !fc.Lockfile || string(fc.BaseContent) != base["go.sum"] {
		t.Errorf("compare: %+v %+v", cs, fc)
	}
	if !reflect.DeepEqual(fc.Added, []Line{{2, "b v2 h1:y="}}) {
		t.Errorf("added %+v", fc.Added)
	}
}

// A files listing that never ends (empty pages that keep a "next" link, or
// full pages past what GitHub can list) stops: an empty page ends the walk,
// and the page count is bounded by the endpoint's 3,000-file cap.
func TestFromGitHubPaginationIsBounded(t *testing.T) {
	for _, tc := range []struct {
		name      string
		empty     bool
		wantPages int
	}{
		{"empty pages with a next link", true, 2},
		{"full pages forever", false, maxFilePages},
	} {
		t.Run(tc.name, func(t *testing.T) {
			f := newFake(t, map[string]string{"README": "r\n"}, map[string]string{"README": "r\n", "a.txt": "a\n"})
			f.changedFiles = 1
			f.fail = func(w http.ResponseWriter, r *http.Request) bool {
				if !strings.HasSuffix(r.URL.Path, "/pulls/7/files") {
					return false
				}
				page, _ := strconv.Atoi(r.URL.Query().Get("page"))
				u := fmt.Sprintf("http://%s%s?per_page=100&page=%d", r.Host, r.URL.Path, page+1)
				w.Header().Set("Link", fmt.Sprintf(`<%s>; rel="next"`, u))
				w.Header().Set("Content-Type", "application/json")
				if tc.empty && page > 0 {
					io.WriteString(w, `[]`)
					return true
				}
				var files []map[string]any
				for i := range filesPerPage {
					files = append(files, map[string]any{"filename": fmt.Sprintf("p%d/f%d.txt", page, i), "status": "added", "patch": "@@ -0,0 +1 @@\n+x"})
				}
				writeJSON(w, files)
				return true
			}
			done := make(chan struct{})
			go func() {
				defer close(done)
				_, _ = FromGitHub(context.Background(), testAPI(t, f, ""), "o", "r", 7, Options{})
			}()
			select {
			case <-done:
			case <-time.After(30 * time.Second):
				t.Fatal("the files listing did not stop")
			}
			if got := f.count("/repos/o/r/pulls/7/files"); got != tc.wantPages {
				t.Errorf("%d pages fetched, want %d", got, tc.wantPages)
			}
		})
	}
}
