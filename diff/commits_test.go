package diff

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"reflect"
	"runtime"
	"strconv"
	"strings"
	"sync"
	"testing"
)

// walked is what a walk gave, in a form tests compare: per commit, its
// files' added lines.
type walked struct {
	sha   string
	lines map[string][]Line
}

func walkAll(t *testing.T, cs *ChangeSet, limits CommitLimits) ([]walked, *CommitWalk, error) {
	t.Helper()
	var out []walked
	walk, err := cs.WalkCommits(context.Background(), limits, func(c *Commit) error {
		w := walked{sha: c.SHA, lines: map[string][]Line{}}
		for _, f := range c.Files {
			if len(f.Added) > 0 {
				w.lines[f.Path] = f.Added
			}
		}
		out = append(out, w)
		return nil
	})
	return out, walk, err
}

// TestWalkCommitsGit walks a pull request's commits in local history: the
// commits of the base branch (before and after the fork, merged in or
// not) are not the change's; a merge contributes only what it wrote itself;
// commits come oldest first. Every commit has the same timestamp, the case
// where a walk ordered by time alone goes wrong.
func TestWalkCommitsGit(t *testing.T) {
	r := newGitRepo(t)
	r.write("a.txt", "a1\n")
	r.commit("c0")
	r.git("checkout", "-q", "-b", "feature")
	r.write("secret.txt", "TOKEN=one\nTOKEN=two\n")
	c1 := r.commit("c1: add secret.txt")
	r.git("checkout", "-q", "main")
	r.write("main.txt", "from main\n")
	r.commit("m1")
	r.git("checkout", "-q", "feature")
	// A merge of main that also writes a line of its own (an "evil merge").
	r.git("merge", "-q", "--no-ff", "--no-commit", "main")
	r.write("a.txt", "a1\nwritten by the merge\n")
	r.git("add", "-A")
	r.git("commit", "-q", "-m", "merge main")
	merge := r.git("rev-parse", "HEAD")
	r.git("rm", "-q", "secret.txt")
	c2 := r.commit("c2: remove secret.txt")
	r.write("b.txt", "b1\n")
	c3 := r.commit("c3: add b.txt")
	r.git("checkout", "-q", "main")
	r.write("main.txt", "from main\nagain\n")
	r.commit("m2")

	cs, err := FromGit(context.Background(), r.dir, "main", "feature", Options{MergeBase: true})
	if err != nil {
		t.Fatal(err)
	}
	defer cs.Close()
	// The net diff no longer holds secret.txt: that is why commits are walked.
	if cs.File("secret.txt") != nil {
		t.Fatalf("net diff lists secret.txt: %+v", cs.Files)
	}
	got, walk, err := walkAll(t, cs, CommitLimits{})
	if err != nil {
		t.Fatal(err)
	}
	want := []walked{
		{sha: c1, lines: map[string][]Line{"secret.txt": {{1, "TOKEN=one"}, {2, "TOKEN=two"}}}},
		{sha: merge, lines: map[string][]Line{"a.txt": {{2, "written by the merge"}}}},
		{sha: c2, lines: map[string][]Line{}},
		{sha: c3, lines: map[string][]Line{"b.txt": {{1, "b1"}}}},
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("walked\n%+v\nwant\n%+v", got, want)
	}
	if walk.Source != SourceGit || walk.Commits != 4 || walk.Total != 4 || len(walk.Gaps) != 0 {
		t.Errorf("walk = %+v", walk)
	}

	// A push's range (two-dot) from c1 to feature: c1 itself is not in it.
	cs2, err := FromGit(context.Background(), r.dir, c1, "feature", Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer cs2.Close()
	got, _, err = walkAll(t, cs2, CommitLimits{})
	if err != nil {
		t.Fatal(err)
	}
	var shas []string
	for _, w := range got {
		shas = append(shas, w.sha)
	}
	// m1 comes in with the merge: it is in c1..feature, as git rev-list says.
	m1 := r.git("rev-parse", merge+"^2")
	if want := []string{m1, merge, c2, c3}; !reflect.DeepEqual(shas, want) {
		t.Errorf("push range %v, want %v", shas, want)
	}
	// The root commit of a repository adds all its files.
	cs3, err := FromGit(context.Background(), r.dir, "main", "main", Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer cs3.Close()
	if got, _, err := walkAll(t, cs3, CommitLimits{}); err != nil || len(got) != 0 {
		t.Errorf("empty range: %v %v", got, err)
	}
}

// TestWalkCommitsGitLimits: every limit is explicit, and exceeding one is a
// gap the caller reports, never a silent drop.
func TestWalkCommitsGitLimits(t *testing.T) {
	r := newGitRepo(t)
	r.write("a.txt", "a\n")
	base := r.commit("base")
	var shas []string
	for i := range 4 {
		r.write(fmt.Sprintf("f%d.txt", i), fmt.Sprintf("line %d\n", i))
		shas = append(shas, r.commit(fmt.Sprint("c", i)))
	}
	r.write("x.txt", "x\n")
	r.write("y.txt", "y\n")
	two := r.commit("two files")
	r.write("big.txt", strings.Repeat("0123456789\n", 200))
	r.commit("big file")

	open := func(o Options) *ChangeSet {
		cs, err := FromGit(context.Background(), r.dir, base, "HEAD", o)
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { cs.Close() })
		return cs
	}
	tests := []struct {
		name     string
		opts     Options
		limits   CommitLimits
		commits  int
		wantGaps []string
	}{
		{name: "defaults", commits: 6},
		{name: "max commits: the oldest are read", limits: CommitLimits{MaxCommits: 3}, commits: 3,
			wantGaps: []string{"6 commits between", "limit 3: the newest 3 not read"}},
		{name: "max files per commit", limits: CommitLimits{MaxFilesPerCommit: 1}, commits: 6,
			wantGaps: []string{"commit " + two[:12] + " changes 2 files, limit 1: 1 not read"}},
		{name: "max bytes per commit", limits: CommitLimits{MaxCommitBytes: 100}, commits: 6,
			wantGaps: []string{"adds more than 100 bytes of lines: 1 of its 1 files not read"}},
		{name: "file size", opts: Options{MaxFileSize: 1000}, commits: 6,
			wantGaps: []string{"big.txt in commit", "larger than 1000 bytes"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, walk, err := walkAll(t, open(tt.opts), tt.limits)
			if err != nil {
				t.Fatal(err)
			}
			if len(got) != tt.commits || walk.Commits != tt.commits {
				t.Fatalf("%d commits visited (walk says %d), want %d", len(got), walk.Commits, tt.commits)
			}
			if got[0].sha != shas[0] {
				t.Errorf("first commit %s, want the oldest %s", got[0].sha, shas[0])
			}
			gaps := strings.Join(walk.Gaps, "\n")
			if len(tt.wantGaps) == 0 && gaps != "" {
				t.Errorf("gaps: %s", gaps)
			}
			for _, w := range tt.wantGaps {
				if !strings.Contains(gaps, w) {
					t.Errorf("gaps lack %q: %s", w, gaps)
				}
			}
		})
	}
	// The walk that tells the change's commits from the base's is bounded.
	if _, _, err := walkAll(t, open(Options{}), CommitLimits{MaxWalk: 3}); err == nil || !strings.Contains(err.Error(), "more than 3 commits") {
		t.Errorf("max walk: %v", err)
	}
	// visit's error stops the walk and comes back.
	stop := errors.New("stop")
	calls := 0
	_, err := open(Options{}).WalkCommits(context.Background(), CommitLimits{}, func(*Commit) error { calls++; return stop })
	if !errors.Is(err, stop) || calls != 1 {
		t.Errorf("visit error: %v after %d calls", err, calls)
	}
	// A sweep has no commits.
	dir, err := FromDirectory(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	if _, err := dir.WalkCommits(context.Background(), CommitLimits{}, func(*Commit) error { return nil }); err == nil {
		t.Error("a directory change set walked commits")
	}
}

// fakeCommits serves the commit endpoints shaped as GitHub's: a pull
// request, its commits (paginated by per_page with Link headers), each
// commit with its files and patches (paginated too), and compare.
type fakeCommits struct {
	t       *testing.T
	order   []string // commit SHAs, oldest first
	commits map[string]fakeCommit
	// prCommits is the count pulls/7 reports (0: len(order)).
	prCommits int
	// endless makes every commits page say "next", empty past the end
	// (emptyTail) or repeating the last page.
	endless, emptyTail bool
	// compares maps "parent...sha" to the files that comparison lists.
	compares map[string][]map[string]any

	mu       sync.Mutex
	requests map[string]int
}

type fakeCommit struct {
	parents []string
	files   []map[string]any
}

func (f *fakeCommits) count(prefix string) int {
	f.mu.Lock()
	defer f.mu.Unlock()
	n := 0
	for p, c := range f.requests {
		if strings.HasPrefix(p, prefix) {
			n += c
		}
	}
	return n
}

// paginate serves items[page] and a Link header, as GitHub does.
func (f *fakeCommits) paginate(w http.ResponseWriter, r *http.Request, n int, endless bool) (lo, hi int) {
	page, _ := strconv.Atoi(r.URL.Query().Get("page"))
	page = max(page, 1)
	perPage, _ := strconv.Atoi(r.URL.Query().Get("per_page"))
	if perPage == 0 {
		perPage = 30
	}
	last := max((n+perPage-1)/perPage, 1)
	if page < last || endless {
		u := fmt.Sprintf("http://%s%s?per_page=%d&page=", r.Host, r.URL.Path, perPage)
		w.Header().Set("Link", fmt.Sprintf(`<%s%d>; rel="next", <%s%d>; rel="last"`, u, page+1, u, last+1))
	}
	if page > last && endless && !f.emptyTail {
		page = last // a broken server repeating its last page
	}
	lo, hi = min((page-1)*perPage, n), min(page*perPage, n)
	return lo, hi
}

func commitJSON(sha string, parents []string) map[string]any {
	var ps []any
	for _, p := range parents {
		ps = append(ps, map[string]any{"sha": p})
	}
	return map[string]any{"sha": sha, "parents": ps, "commit": map[string]any{"message": "m"}}
}

func (f *fakeCommits) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	f.mu.Lock()
	if f.requests == nil {
		f.requests = map[string]int{}
	}
	f.requests[r.URL.Path]++
	f.mu.Unlock()
	w.Header().Set("Content-Type", "application/json")
	p := strings.TrimPrefix(r.URL.Path, "/repos/o/r/")
	switch {
	case p == "pulls/7":
		n := f.prCommits
		if n == 0 {
			n = len(f.order)
		}
		writeJSON(w, map[string]any{"number": 7, "commits": n})
	case p == "pulls/7/commits":
		lo, hi := f.paginate(w, r, len(f.order), f.endless)
		var out []any
		for _, sha := range f.order[lo:hi] {
			out = append(out, commitJSON(sha, f.commits[sha].parents))
		}
		if out == nil {
			out = []any{}
		}
		writeJSON(w, out)
	case strings.HasPrefix(p, "commits/"):
		sha := strings.TrimPrefix(p, "commits/")
		c, ok := f.commits[sha]
		if !ok {
			http.Error(w, `{"message":"No commit found for SHA"}`, http.StatusUnprocessableEntity)
			return
		}
		lo, hi := f.paginate(w, r, len(c.files), false)
		out := commitJSON(sha, c.parents)
		out["files"] = c.files[lo:hi]
		writeJSON(w, out)
	case strings.HasPrefix(p, "compare/"):
		key := strings.TrimPrefix(p, "compare/")
		if files, ok := f.compares[key]; ok {
			writeJSON(w, map[string]any{"files": files, "total_commits": 1})
			return
		}
		lo, hi := f.paginate(w, r, len(f.order), f.endless)
		var out []any
		for _, sha := range f.order[lo:hi] {
			out = append(out, commitJSON(sha, f.commits[sha].parents))
		}
		writeJSON(w, map[string]any{"total_commits": len(f.order), "commits": out, "files": []any{}})
	default:
		http.Error(w, `{"message":"Not Found"}`, http.StatusNotFound)
	}
}

func sha40(c byte, i int) string { return fmt.Sprintf("%c%039d", c, i) }

func patchFile(name, status, patch string) map[string]any {
	return map[string]any{"filename": name, "status": status, "patch": patch}
}

// TestWalkCommitsGitHub walks a pull request's commits through the API:
// listed oldest first, each commit's patches parsed, a merge keeping only
// what it wrote itself, pagination followed.
func TestWalkCommitsGitHub(t *testing.T) {
	c1, c2, m, c3 := sha40('1', 1), sha40('2', 2), sha40('3', 3), sha40('4', 4)
	mainTip := sha40('9', 9)
	fake := &fakeCommits{t: t, order: []string{c1, c2, m, c3}, commits: map[string]fakeCommit{
		c1: {parents: []string{sha40('0', 0)}, files: []map[string]any{
			patchFile("config.env", "added", "@@ -0,0 +1,2 @@\n+TOKEN=one\n+TOKEN=two"),
			patchFile("notes.txt", "added", "@@ -0,0 +1 @@\n+hello"),
		}},
		c2: {parents: []string{c1}, files: []map[string]any{
			patchFile("config.env", "removed", "@@ -1,2 +0,0 @@\n-TOKEN=one\n-TOKEN=two"),
		}},
		// The merge of main: against its first parent it "adds" main.txt and
		// a line of a.txt; against main it adds only a.txt's line 2.
		m: {parents: []string{c2, mainTip}, files: []map[string]any{
			patchFile("main.txt", "added", "@@ -0,0 +1 @@\n+from main"),
			patchFile("a.txt", "modified", "@@ -1 +1,3 @@\n a1\n+written by the merge\n+from main too"),
		}},
		c3: {parents: []string{m}, files: []map[string]any{
			patchFile("a.txt", "modified", "@@ -1,3 +1,4 @@\n a1\n written by the merge\n from main too\n+last"),
		}},
	}, compares: map[string][]map[string]any{
		mainTip + "..." + m: {patchFile("a.txt", "modified", "@@ -1,2 +1,3 @@\n a1\n+written by the merge\n from main too")},
	}}
	ghAPI := testAPI(t, fake, "")
	cs := &ChangeSet{Source: SourceGitHubAPI}
	cs.commits = (&apiCommits{api: ghAPI, owner: "o", repo: "r", pr: 7, opts: Options{}.withDefaults()}).walk
	got, walk, err := walkAll(t, cs, CommitLimits{})
	if err != nil {
		t.Fatal(err)
	}
	want := []walked{
		{sha: c1, lines: map[string][]Line{"config.env": {{1, "TOKEN=one"}, {2, "TOKEN=two"}}, "notes.txt": {{1, "hello"}}}},
		{sha: c2, lines: map[string][]Line{}},
		{sha: m, lines: map[string][]Line{"a.txt": {{2, "written by the merge"}}}},
		{sha: c3, lines: map[string][]Line{"a.txt": {{4, "last"}}}},
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("walked\n%+v\nwant\n%+v", got, want)
	}
	if walk.Source != SourceGitHubAPI || walk.Commits != 4 || walk.Total != 4 || len(walk.Gaps) != 0 {
		t.Errorf("walk = %+v", walk)
	}

	// Pages of 100: 230 commits take three pages, and each commit's 250
	// files three pages of their own.
	many := &fakeCommits{t: t, commits: map[string]fakeCommit{}}
	var files []map[string]any
	for i := range 250 {
		files = append(files, patchFile(fmt.Sprintf("f%03d.txt", i), "added", "@@ -0,0 +1 @@\n+x"))
	}
	for i := range 230 {
		sha := sha40('a', i)
		many.order = append(many.order, sha)
		many.commits[sha] = fakeCommit{parents: []string{sha40('p', i)}}
	}
	many.commits[many.order[0]] = fakeCommit{parents: []string{sha40('p', 0)}, files: files}
	cs.commits = (&apiCommits{api: testAPI(t, many, ""), owner: "o", repo: "r", pr: 7, opts: Options{}.withDefaults()}).walk
	got, walk, err = walkAll(t, cs, CommitLimits{})
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != 230 || len(got[0].lines) != 250 || len(walk.Gaps) != 0 {
		t.Errorf("%d commits, %d files in the first, gaps %v", len(got), len(got[0].lines), walk.Gaps)
	}
	if n := many.count("/repos/o/r/pulls/7/commits"); n != 3 {
		t.Errorf("%d commit-list requests, want 3", n)
	}
	if n := many.count("/repos/o/r/commits/" + many.order[0]); n != 3 {
		t.Errorf("%d requests for the first commit, want 3 pages", n)
	}
}

// TestWalkCommitsGitHubBounds: every API loop is bounded by a page limit
// derived from its item limit, an empty page ends it, and what a limit
// leaves out is a gap.
func TestWalkCommitsGitHubBounds(t *testing.T) {
	mk := func(n int) *fakeCommits {
		f := &fakeCommits{t: t, commits: map[string]fakeCommit{}}
		for i := range n {
			sha := sha40('a', i)
			f.order = append(f.order, sha)
			f.commits[sha] = fakeCommit{parents: []string{sha40('p', i)}, files: []map[string]any{patchFile("a.txt", "added", "@@ -0,0 +1 @@\n+x")}}
		}
		return f
	}
	walkPR := func(f *fakeCommits, limits CommitLimits) ([]walked, *CommitWalk, error) {
		cs := &ChangeSet{Source: SourceGitHubAPI}
		cs.commits = (&apiCommits{api: testAPI(t, f, ""), owner: "o", repo: "r", pr: 7, opts: Options{}.withDefaults()}).walk
		return walkAll(t, cs, limits)
	}

	// A server that says "next" forever, then serves empty pages: the empty
	// page ends the loop.
	f := mk(3)
	f.endless, f.emptyTail = true, true
	got, walk, err := walkPR(f, CommitLimits{})
	if err != nil || len(got) != 3 || len(walk.Gaps) != 0 {
		t.Errorf("empty tail: %d commits, %v, %v", len(got), walk, err)
	}
	if n := f.count("/repos/o/r/pulls/7/commits"); n != 2 {
		t.Errorf("empty tail: %d list requests, want 2", n)
	}

	// A server that repeats its last page forever: the page limit ends it
	// (MaxCommits 5: one page of 100 and one more), a commit listed twice is
	// read once, and what the server might still hold is a gap.
	f = mk(3)
	f.endless = true
	got, walk, err = walkPR(f, CommitLimits{MaxCommits: 5})
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != 3 || f.count("/repos/o/r/pulls/7/commits") != 2 || len(walk.Gaps) != 1 {
		t.Errorf("endless: %d commits, %d list requests, gaps %v", len(got), f.count("/repos/o/r/pulls/7/commits"), walk.Gaps)
	}

	// A pull request with more commits than the API lists (250): a gap.
	f = mk(4)
	f.prCommits = 300
	_, walk, err = walkPR(f, CommitLimits{})
	if err != nil || len(walk.Gaps) != 1 || !strings.Contains(walk.Gaps[0], "4 commits read") || !strings.Contains(walk.Gaps[0], "296 not read") {
		t.Errorf("capped PR: %+v %v", walk, err)
	}

	// A commit's files beyond MaxFilesPerCommit: a gap, and the files
	// loop is bounded by the pages that limit allows.
	f = mk(1)
	var files []map[string]any
	for i := range 450 {
		files = append(files, patchFile(fmt.Sprintf("f%03d.txt", i), "added", "@@ -0,0 +1 @@\n+x"))
	}
	f.commits[f.order[0]] = fakeCommit{parents: []string{sha40('p', 0)}, files: files}
	got, walk, err = walkPR(f, CommitLimits{MaxFilesPerCommit: 150})
	if err != nil {
		t.Fatal(err)
	}
	if len(got[0].lines) != 150 || len(walk.Gaps) != 1 || !strings.Contains(walk.Gaps[0], "more than 150 changed files") {
		t.Errorf("files cap: %d files, gaps %v", len(got[0].lines), walk.Gaps)
	}
	if n := f.count("/repos/o/r/commits/"); n != 2 {
		t.Errorf("files cap: %d commit requests, want 2", n)
	}

	// A failed call is an error naming the call, after what was visited.
	f = mk(2)
	delete(f.commits, f.order[1])
	got, walk, err = walkPR(f, CommitLimits{})
	if err == nil || !strings.Contains(err.Error(), "commit "+f.order[1][:12]) || len(got) != 1 || walk == nil || walk.Commits != 1 {
		t.Errorf("failed commit: %d visited, %+v, %v", len(got), walk, err)
	}
}

// TestWalkCommitsShallowClone: a clone holding base and head but not the
// commits between them cannot walk them locally: without an API that is
// an error saying how to fix it; through Open with an API the walk falls
// back to it, with a note.
func TestWalkCommitsShallowClone(t *testing.T) {
	r := newGitRepo(t)
	r.write("a.txt", "a\n")
	r.commit("base")
	r.git("checkout", "-q", "-b", "feature")
	r.write("secret.txt", "TOKEN=x\n")
	c1 := r.commit("c1")
	r.git("rm", "-q", "secret.txt")
	c2 := r.commit("c2")
	r.git("checkout", "-q", "main")

	clone := t.TempDir() + "/shallow"
	runGit(t, t.TempDir(), "clone", "-q", "--depth", "1", "--no-single-branch", "file://"+r.dir, clone)
	runGit(t, clone, "checkout", "-q", "feature")
	base := runGit(t, clone, "rev-parse", "origin/main")

	cs, err := FromGit(context.Background(), clone, base, "HEAD", Options{})
	if err != nil {
		t.Fatalf("both ends are in the clone: %v", err)
	}
	defer cs.Close()
	_, _, err = walkAll(t, cs, CommitLimits{})
	if !errors.Is(err, ErrHistoryIncomplete) || !strings.Contains(err.Error(), "fetch-depth: 0") {
		t.Errorf("shallow walk without API: %v", err)
	}

	fake := &fakeCommits{t: t, order: []string{c1, c2}, commits: map[string]fakeCommit{
		c1: {parents: []string{base}, files: []map[string]any{patchFile("secret.txt", "added", "@@ -0,0 +1 @@\n+TOKEN=x")}},
		c2: {parents: []string{c1}, files: []map[string]any{patchFile("secret.txt", "removed", "@@ -1 +0,0 @@\n-TOKEN=x")}},
	}}
	cs2, err := Open(context.Background(), Request{Dir: clone, Base: base, Head: "HEAD", API: testAPI(t, fake, ""), Owner: "o", Repo: "r"})
	if err != nil {
		t.Fatal(err)
	}
	defer cs2.Close()
	if cs2.Source != SourceGit {
		t.Fatalf("net diff source %s, want git", cs2.Source)
	}
	got, walk, err := walkAll(t, cs2, CommitLimits{})
	if err != nil {
		t.Fatal(err)
	}
	want := []walked{{sha: c1, lines: map[string][]Line{"secret.txt": {{1, "TOKEN=x"}}}}, {sha: c2, lines: map[string][]Line{}}}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("walked %+v, want %+v", got, want)
	}
	if walk.Source != SourceGitHubAPI || len(walk.Notes) != 1 || !strings.Contains(walk.Notes[0], "commits read from the GitHub API") {
		t.Errorf("walk = %+v", walk)
	}
	if n := fake.count("/repos/o/r/compare/"); n != 1 {
		t.Errorf("%d compare requests, want 1", n)
	}
}

// TestLargeFileNotInflated: a file over MaxFileSize, committed as a loose
// object, is listed as too large (and is a gap of the commit walk) without
// being read into memory: go-git reads objects over LargeObjectThreshold
// lazily. Before, the whole object was inflated just to learn its size.
func TestLargeFileNotInflated(t *testing.T) {
	r := newGitRepo(t)
	r.write("README.md", "app\n")
	base := r.commit("base")
	const size = 32 << 20
	r.write("big.txt", strings.Repeat("a line of plain text in a big file\n", size/35))
	r.commit("big")

	var before, after runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&before)
	cs, err := FromGit(context.Background(), r.dir, base, "HEAD", Options{MaxFileSize: 1 << 20})
	if err != nil {
		t.Fatal(err)
	}
	defer cs.Close()
	_, walk, err := walkAll(t, cs, CommitLimits{})
	if err != nil {
		t.Fatal(err)
	}
	runtime.ReadMemStats(&after)
	if f := cs.File("big.txt"); f == nil || !f.TooLarge || f.Added != nil {
		t.Errorf("big.txt: %+v", f)
	}
	if len(walk.Gaps) != 1 || !strings.Contains(walk.Gaps[0], "big.txt in commit") {
		t.Errorf("gaps %v", walk.Gaps)
	}
	if alloc := after.TotalAlloc - before.TotalAlloc; alloc > size/4 {
		t.Errorf("allocated %d bytes for a %d-byte file that is not read", alloc, size)
	}
}

// BenchmarkWalkCommitsGit walks a 50-commit branch, each commit editing a
// 2,000-line file, from local history.
func BenchmarkWalkCommitsGit(b *testing.B) {
	r := newGitRepo(b)
	lines := make([]string, 2000)
	for i := range lines {
		lines[i] = fmt.Sprintf("line %d of a file that changes a little in every commit", i)
	}
	r.write("file.txt", strings.Join(lines, "\n")+"\n")
	base := r.commit("base")
	for c := range 50 {
		lines[(c*37)%len(lines)] = fmt.Sprintf("edited by commit %d", c)
		r.write("file.txt", strings.Join(lines, "\n")+"\n")
		r.commit(fmt.Sprint("c", c))
	}
	cs, err := FromGit(context.Background(), r.dir, base, "HEAD", Options{})
	if err != nil {
		b.Fatal(err)
	}
	defer cs.Close()
	b.ResetTimer()
	for b.Loop() {
		n := 0
		if _, err := cs.WalkCommits(context.Background(), CommitLimits{}, func(c *Commit) error { n += len(c.Files); return nil }); err != nil || n != 50 {
			b.Fatalf("%d files, %v", n, err)
		}
	}
}
