package action

import (
	"encoding/json"
	"net/http/httptest"
	"testing"
)

// TestUploadCategoryAndRef pins where every kind of run uploads its SARIF:
// code scanning closes the alerts that a new analysis of the same category
// and ref no longer holds, so a delta must never be uploaded where a full
// sweep's alerts live. The repository's base already locks a malicious
// package in old/package-lock.json; the change adds another to
// package-lock.json. A sweep holds both, a delta only the new one.
func TestUploadCategoryAndRef(t *testing.T) {
	repo := newGitRepo(t)
	repo.write("package-lock.json", baseLock)
	repo.write("old/package-lock.json", headLock)
	before := repo.commit("base, with an old malicious package")
	repo.write("package-lock.json", headLock)
	after := repo.commit("add evil-helper")
	repoPayload := map[string]any{"id": 1, "name": "app", "full_name": "acme/app", "default_branch": "main", "owner": map[string]any{"login": "acme", "name": "acme"}}

	tests := []struct {
		name, eventName string
		payload         any
		ref             string // GITHUB_REF
		wantRef         string
		wantSHA         string
		wantCategory    string // SARIF automationDetails.id of the dependency run
		wantResults     int
	}{
		{
			name: "pull request: the delta, under the category, on the pull request's ref", eventName: "pull_request",
			payload: prPayload(before, after, false), ref: "refs/pull/7/merge",
			wantRef: "refs/pull/7/merge", wantSHA: after, wantCategory: "tollgate/dependencies/", wantResults: 1,
		},
		{
			name: "push to the default branch: a full sweep, under the sweep's category and ref", eventName: "push",
			payload: map[string]any{"ref": "refs/heads/main", "before": before, "after": after, "repository": repoPayload}, ref: "refs/heads/main",
			wantRef: "refs/heads/main", wantSHA: after, wantCategory: "tollgate/dependencies/", wantResults: 2,
		},
		{
			name: "scheduled sweep: the same category and ref as a push to the default branch", eventName: "schedule",
			payload: map[string]any{"schedule": "17 4 * * 1"}, ref: "refs/heads/main",
			wantRef: "refs/heads/main", wantSHA: after, wantCategory: "tollgate/dependencies/", wantResults: 2,
		},
		{
			name: "push to another branch: the delta, under a category of its own", eventName: "push",
			payload: map[string]any{"ref": "refs/heads/topic", "before": before, "after": after, "repository": repoPayload}, ref: "refs/heads/topic",
			wantRef: "refs/heads/topic", wantSHA: after, wantCategory: "tollgate-push/dependencies/", wantResults: 1,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			gh := &fakeGitHub{t: t}
			srv := httptest.NewServer(gh)
			defer srv.Close()
			env := newActionsEnv(t, repo.dir, tt.eventName, tt.payload)
			env.vars["INPUT_COMMENT"] = "never"
			env.vars["INPUT_UPLOAD"] = "true"
			env.vars["GITHUB_REF"] = tt.ref
			env.vars["GITHUB_SHA"] = after
			code, stdout, stderr := env.run(t, srv.URL+"/api/v3", srv.Client())
			if code != 1 {
				t.Fatalf("exit %d, want 1\nstdout:\n%s\nstderr:\n%s", code, stdout, stderr)
			}
			if len(gh.uploads) != 1 {
				t.Fatalf("%d uploads, want 1\n%s", len(gh.uploads), stdout)
			}
			up := gh.uploads[0]
			if up.Ref != tt.wantRef || up.CommitSHA != tt.wantSHA {
				t.Errorf("uploaded to ref %s commit %s, want %s %s", up.Ref, up.CommitSHA, tt.wantRef, tt.wantSHA)
			}
			var log struct {
				Runs []struct {
					AutomationDetails struct{ ID string } `json:"automationDetails"`
					Results           []json.RawMessage
				}
			}
			if err := json.Unmarshal(up.SARIF, &log); err != nil {
				t.Fatal(err)
			}
			if len(log.Runs) == 0 {
				t.Fatal("no runs in the uploaded SARIF")
			}
			dep := log.Runs[0]
			if dep.AutomationDetails.ID != tt.wantCategory {
				t.Errorf("category %q, want %q", dep.AutomationDetails.ID, tt.wantCategory)
			}
			if len(dep.Results) != tt.wantResults {
				t.Errorf("%d dependency results, want %d", len(dep.Results), tt.wantResults)
			}
		})
	}
}
