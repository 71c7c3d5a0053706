package event

import (
	"errors"
	"os"
	"path/filepath"
	"reflect"
	"testing"
)

const (
	baseSHA  = "6dcb09b5b57875f334f61aebed695e2e4193db5e"
	headSHA  = "e5bd3914e2e596debea16f433f57875b5b90bcd6"
	otherSHA = "3f3a7c1d2b4e5f60718293a4b5c6d7e8f9012345"
)

func TestLoad(t *testing.T) {
	for _, tc := range []struct {
		file, name string
		want       Event
	}{
		{"pull_request.json", "pull_request", Event{Name: "pull_request", Kind: KindPullRequest, Base: baseSHA, Head: headSHA,
			BaseRef: "main", HeadRef: "new-topic", MergeBase: true, PR: 1347, Owner: "octocat", Repo: "Hello-World", DefaultBranch: "main"}},
		{"pull_request_fork.json", "pull_request", Event{Name: "pull_request", Kind: KindPullRequest, Base: baseSHA, Head: headSHA,
			BaseRef: "main", HeadRef: "patch-1", MergeBase: true, PR: 12, Owner: "octocat", Repo: "Hello-World", DefaultBranch: "main", Fork: true}},
		{"pull_request_fork.json", "pull_request_target", Event{Name: "pull_request_target", Kind: KindPullRequest, Base: baseSHA, Head: headSHA,
			BaseRef: "main", HeadRef: "patch-1", MergeBase: true, PR: 12, Owner: "octocat", Repo: "Hello-World", DefaultBranch: "main", Fork: true, Target: true}},
		{"pull_request_target_deleted_fork.json", "pull_request_target", Event{Name: "pull_request_target", Kind: KindPullRequest, Base: baseSHA, Head: headSHA,
			BaseRef: "develop", HeadRef: "patch-2", MergeBase: true, PR: 13, Owner: "octocat", Repo: "Hello-World", DefaultBranch: "main", Fork: true, Target: true}},
		{"push.json", "push", Event{Name: "push", Kind: KindPush, Base: baseSHA, Head: headSHA, HeadRef: "refs/heads/main",
			Owner: "octocat", Repo: "Hello-World", DefaultBranch: "main"}},
		{"push_new_branch.json", "push", Event{Name: "push", Kind: KindPush, Head: headSHA, BaseRef: "trunk", HeadRef: "refs/heads/feature/x",
			MergeBase: true, Owner: "octocat", Repo: "Hello-World", DefaultBranch: "trunk", Created: true}},
		{"push_forced.json", "push", Event{Name: "push", Kind: KindPush, Base: otherSHA, Head: headSHA, HeadRef: "refs/heads/feature/x",
			Owner: "octocat", Repo: "Hello-World", DefaultBranch: "main", Forced: true}},
		{"push_deleted.json", "push", Event{Name: "push", Kind: KindNone, HeadRef: "refs/heads/feature/x",
			Owner: "octocat", Repo: "Hello-World", DefaultBranch: "main"}},
		{"merge_group.json", "merge_group", Event{Name: "merge_group", Kind: KindPush, Base: baseSHA, Head: headSHA, BaseRef: "main",
			HeadRef: "refs/heads/gh-readonly-queue/main/pr-1347-" + baseSHA, PR: 1347, Owner: "octocat", Repo: "Hello-World", DefaultBranch: "main"}},
		{"schedule.json", "schedule", Event{Name: "schedule", Kind: KindSweep}},
		{"workflow_dispatch.json", "workflow_dispatch", Event{Name: "workflow_dispatch", Kind: KindSweep, Owner: "octocat", Repo: "Hello-World", DefaultBranch: "main"}},
		// Inferred names.
		{"pull_request.json", "", Event{Name: "pull_request", Kind: KindPullRequest, Base: baseSHA, Head: headSHA,
			BaseRef: "main", HeadRef: "new-topic", MergeBase: true, PR: 1347, Owner: "octocat", Repo: "Hello-World", DefaultBranch: "main"}},
		{"merge_group.json", "", Event{Name: "merge_group", Kind: KindPush, Base: baseSHA, Head: headSHA, BaseRef: "main",
			HeadRef: "refs/heads/gh-readonly-queue/main/pr-1347-" + baseSHA, PR: 1347, Owner: "octocat", Repo: "Hello-World", DefaultBranch: "main"}},
		{"push.json", "", Event{Name: "push", Kind: KindPush, Base: baseSHA, Head: headSHA, HeadRef: "refs/heads/main",
			Owner: "octocat", Repo: "Hello-World", DefaultBranch: "main"}},
		{"schedule.json", "", Event{Name: "schedule", Kind: KindSweep}},
	} {
		t.Run(tc.file+"/"+tc.name, func(t *testing.T) {
			got, err := Load(filepath.Join("testdata", tc.file), tc.name)
			if err != nil {
				t.Fatal(err)
			}
			if !reflect.DeepEqual(*got, tc.want) {
				t.Errorf("got  %+v\nwant %+v", *got, tc.want)
			}
		})
	}
}

func TestLoadErrors(t *testing.T) {
	dir := t.TempDir()
	write := func(name, content string) string {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
		return p
	}
	if _, err := Load(filepath.Join(dir, "missing.json"), "push"); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("missing file: %v", err)
	}
	if _, err := Load(write("bad.json", "{"), "push"); err == nil {
		t.Error("malformed JSON accepted")
	}
	if _, err := Load(filepath.Join("testdata", "push.json"), "issue_comment"); !errors.Is(err, ErrUnsupportedEvent) {
		t.Errorf("unsupported event: %v", err)
	}
	if _, err := Load(write("pr.json", `{"pull_request":{"base":{"sha":"main"},"head":{"sha":"x"}}}`), "pull_request"); err == nil {
		t.Error("non-SHA base accepted")
	}
	if _, err := Load(write("pr2.json", `{"number":1}`), "pull_request"); err == nil {
		t.Error("pull request without pull_request accepted")
	}
	if _, err := Load(write("push.json", `{"before":"0000000000000000000000000000000000000000","after":"`+headSHA+`","created":true}`), "push"); err == nil {
		t.Error("new branch without default branch accepted")
	}
	if _, err := Load(write("push2.json", `{"before":"abc","after":"`+headSHA+`"}`), "push"); err == nil {
		t.Error("bad before accepted")
	}
	if _, err := Load(write("mg.json", `{"merge_group":{"head_sha":"`+headSHA+`"}}`), "merge_group"); err == nil {
		t.Error("merge group without base accepted")
	}
}

func TestFromEnv(t *testing.T) {
	env := map[string]string{
		"GITHUB_EVENT_PATH": filepath.Join("testdata", "schedule.json"),
		"GITHUB_EVENT_NAME": "schedule",
		"GITHUB_REPOSITORY": "octocat/Hello-World",
		"GITHUB_SHA":        headSHA,
	}
	ev, err := FromEnv(func(k string) string { return env[k] })
	if err != nil {
		t.Fatal(err)
	}
	want := Event{Name: "schedule", Kind: KindSweep, Head: headSHA, Owner: "octocat", Repo: "Hello-World"}
	if !reflect.DeepEqual(*ev, want) {
		t.Errorf("got %+v", *ev)
	}
	if _, err := FromEnv(func(string) string { return "" }); err == nil {
		t.Error("no GITHUB_EVENT_PATH accepted")
	}
}

func FuzzParse(f *testing.F) {
	for _, name := range []string{"pull_request.json", "push.json", "merge_group.json", "schedule.json"} {
		b, err := os.ReadFile(filepath.Join("testdata", name))
		if err != nil {
			f.Fatal(err)
		}
		f.Add(b, "")
	}
	f.Fuzz(func(t *testing.T, data []byte, name string) {
		ev, err := Parse(data, name)
		if err == nil && ev.Kind == "" {
			t.Errorf("no kind for %q", data)
		}
	})
}
