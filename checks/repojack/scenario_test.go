package repojack_test

import (
	"fmt"
	"net/http/httptest"
	"strings"
	"testing"
	"testing/fstest"

	"github.com/tollgate-dev/tollgate/checks"
	"github.com/tollgate-dev/tollgate/checks/repojack"
	"github.com/tollgate-dev/tollgate/diff"
	"github.com/tollgate-dev/tollgate/lockfiles/all"
	"github.com/tollgate-dev/tollgate/pipeline"
	"github.com/tollgate-dev/tollgate/scanner"
)

func summary(fs []scanner.Finding) []string {
	var out []string
	for _, f := range fs {
		out = append(out, fmt.Sprintf("%s %s %s:%d", f.RuleID, f.Severity, f.Path, f.Line))
	}
	return out
}

// The scenario of the issue: a pull request whose workflow adds an Action of
// a renamed owner and whose go.mod requires a module whose owner was
// deleted reports both, on the lines the pull request added.
func TestPullRequestScenario(t *testing.T) {
	fake := repojack.NewFake(t)
	srv := httptest.NewServer(fake)
	defer srv.Close()
	base := fstest.MapFS{
		".github/workflows/ci.yml": {Data: []byte("on: push\njobs:\n  build:\n    runs-on: ubuntu-latest\n    steps:\n      - run: make\n")},
		"go.mod":                   {Data: []byte("module example.com/app\n\ngo 1.22\n\nrequire github.com/kr/pretty v0.3.1\n")},
	}
	head := fstest.MapFS{
		".github/workflows/ci.yml": {Data: []byte("on: push\njobs:\n  build:\n    runs-on: ubuntu-latest\n    steps:\n      - run: make\n      - uses: old-owner/deploy-action@v2\n")},
		"go.mod":                   {Data: []byte("module example.com/app\n\ngo 1.22\n\nrequire (\n\tgithub.com/kr/pretty v0.3.1\n\tgithub.com/gone-owner/mod v1.2.0\n)\n")},
	}
	cs := &diff.ChangeSet{Source: diff.SourceGit, BaseFS: base, HeadFS: head, Files: []diff.FileChange{
		{Path: ".github/workflows/ci.yml", Status: diff.StatusModified, Added: []diff.Line{{Number: 7, Text: "      - uses: old-owner/deploy-action@v2"}}},
		{Path: "go.mod", Status: diff.StatusModified, Added: []diff.Line{{Number: 5, Text: "require ("}, {Number: 6, Text: "\tgithub.com/kr/pretty v0.3.1"}, {Number: 7, Text: "\tgithub.com/gone-owner/mod v1.2.0"}, {Number: 8, Text: ")"}}},
	}}
	res, err := pipeline.Run(t.Context(), pipeline.Options{
		ChangeSet: cs, Parsers: all.Parsers(),
		Registry: checks.Registry{repojack.Entry()},
		Deps:     checks.Deps{GitHubAPIURL: srv.URL + "/api/v3", GitHubToken: "test-token", HTTPClient: srv.Client()},
	})
	if err != nil {
		t.Fatal(err)
	}
	got := summary(res.Report.Findings)
	want := []string{
		"repository-missing critical go.mod:7",
		"repository-renamed high .github/workflows/ci.yml:7",
		"action-unpinned medium .github/workflows/ci.yml:7",
	}
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("findings:\n%s\nwant:\n%s\nskipped: %v", strings.Join(got, "\n"), strings.Join(want, "\n"), res.Report.Skipped)
	}
	if fake.Calls("/repos/kr/pretty") != 0 {
		t.Error("a dependency the pull request did not add was looked up")
	}
}
