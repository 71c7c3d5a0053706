package diff

import (
	"context"
	"errors"
	"io/fs"
	"reflect"
	"strings"
	"testing"
)

func TestOpenChoosesSource(t *testing.T) {
	r := newGitRepo(t)
	r.write("a.txt", "1\n")
	base := r.commit("c1")
	r.write("a.txt", "1\n2\n")
	r.commit("c2")
	r.git("checkout", "-q", "-b", "feature")
	r.write("a.txt", "1\n2\n3\n")
	head := r.commit("c3")
	parent := t.TempDir()
	runGit(t, parent, "clone", "-q", "--depth", "1", "--branch", "feature", "file://"+r.dir, "shallow")
	runGit(t, parent, "clone", "-q", "--branch", "feature", "file://"+r.dir, "full")
	shallow, full := parent+"/shallow", parent+"/full"

	f := newFake(t, map[string]string{"a.txt": "1\n2\n"}, map[string]string{"a.txt": "1\n2\n3\n"})
	f.files = []map[string]any{{"filename": "a.txt", "status": "modified", "patch": "@@ -1,2 +1,3 @@\n 1\n 2\n+3"}}
	f.changedFiles = 1
	api := testAPI(t, f, "")
	ctx := context.Background()

	t.Run("sweep", func(t *testing.T) {
		cs, err := Open(ctx, Request{Dir: full})
		if err != nil || cs.Source != SourceDirectory || len(cs.Files) != 0 {
			t.Fatalf("%+v %v", cs, err)
		}
		if b, err := fs.ReadFile(cs.HeadFS, "a.txt"); err != nil || string(b) != "1\n2\n3\n" {
			t.Errorf("HeadFS: %q %v", b, err)
		}
	})
	t.Run("git", func(t *testing.T) {
		cs, err := Open(ctx, Request{Dir: full, Base: base, API: api, Owner: "o", Repo: "r", PR: 7})
		if err != nil || cs.Source != SourceGit || cs.Head != head {
			t.Fatalf("%+v %v", cs, err)
		}
		if !reflect.DeepEqual(cs.Files[0].Added, []Line{{2, "2"}, {3, "3"}}) {
			t.Errorf("added %+v", cs.Files[0].Added)
		}
	})
	t.Run("new branch compares with the default branch", func(t *testing.T) {
		cs, err := Open(ctx, Request{Dir: full, BaseRef: "main", Options: Options{MergeBase: true}})
		if err != nil || cs.Source != SourceGit {
			t.Fatalf("%+v %v", cs, err)
		}
		if !reflect.DeepEqual(cs.Files[0].Added, []Line{{3, "3"}}) {
			t.Errorf("added %+v", cs.Files[0].Added)
		}
	})
	t.Run("shallow clone falls back to the API", func(t *testing.T) {
		cs, err := Open(ctx, Request{Dir: shallow, Base: base, Head: head, API: api, Owner: "o", Repo: "r", PR: 7})
		if err != nil || cs.Source != SourceGitHubAPI {
			t.Fatalf("%+v %v", cs, err)
		}
		if !strings.Contains(strings.Join(cs.Notes, "\n"), "GitHub API") {
			t.Errorf("fallback not stated: %v", cs.Notes)
		}
		if !reflect.DeepEqual(cs.Files[0].Added, []Line{{3, "3"}}) {
			t.Errorf("added %+v", cs.Files[0].Added)
		}
	})
	t.Run("shallow push falls back to compare with local HEAD", func(t *testing.T) {
		cs, err := Open(ctx, Request{Dir: shallow, Base: base, API: api, Owner: "o", Repo: "r"})
		if err != nil || cs.Source != SourceGitHubAPI {
			t.Fatalf("%+v %v", cs, err)
		}
		if f.count("/repos/o/r/compare/"+base+"..."+head) == 0 {
			t.Errorf("compare not called with the local HEAD")
		}
	})
	t.Run("shallow without API", func(t *testing.T) {
		_, err := Open(ctx, Request{Dir: shallow, Base: base})
		if !errors.Is(err, ErrBaseMissing) || !strings.Contains(err.Error(), "fetch-depth") {
			t.Errorf("err = %v", err)
		}
	})
	t.Run("pull_request_target never reads head from disk", func(t *testing.T) {
		cs, err := Open(ctx, Request{Dir: full, Base: base, Head: head, NoLocalHead: true, API: api, Owner: "o", Repo: "r", PR: 7})
		if err != nil || cs.Source != SourceGitHubAPI {
			t.Fatalf("%+v %v", cs, err)
		}
		if _, err := Open(ctx, Request{Dir: full, Base: base, NoLocalHead: true}); err == nil {
			t.Error("NoLocalHead without API succeeded")
		}
	})
}
