package pipeline

import (
	"bytes"
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"github.com/tollgate-dev/tollgate/checks"
	"github.com/tollgate-dev/tollgate/diff"
	"github.com/tollgate-dev/tollgate/scanner"
	"github.com/tollgate-dev/tollgate/secrets"
	"github.com/tollgate-dev/tollgate/secrets/secretstest"
)

// scriptedRepo builds a repository with the git binary (the code under test
// reads it with go-git).
type scriptedRepo struct {
	t   *testing.T
	dir string
}

func newScriptedRepo(t *testing.T) *scriptedRepo {
	t.Helper()
	if _, err := exec.LookPath("git"); err != nil {
		t.Skip("git binary not available to build fixtures")
	}
	r := &scriptedRepo{t: t, dir: t.TempDir()}
	r.git("init", "-q", "-b", "main")
	return r
}

func (r *scriptedRepo) git(args ...string) string {
	r.t.Helper()
	cmd := exec.Command("git", args...)
	cmd.Dir = r.dir
	cmd.Env = append(os.Environ(), "GIT_CONFIG_GLOBAL=/dev/null", "GIT_CONFIG_SYSTEM=/dev/null",
		"GIT_AUTHOR_NAME=t", "GIT_AUTHOR_EMAIL=t@example.com", "GIT_COMMITTER_NAME=t", "GIT_COMMITTER_EMAIL=t@example.com")
	out, err := cmd.CombinedOutput()
	if err != nil {
		r.t.Fatalf("git %s: %v\n%s", strings.Join(args, " "), err, out)
	}
	return strings.TrimSpace(string(out))
}

func (r *scriptedRepo) write(name, content string) {
	r.t.Helper()
	p := filepath.Join(r.dir, filepath.FromSlash(name))
	if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
		r.t.Fatal(err)
	}
	if err := os.WriteFile(p, []byte(content), 0o644); err != nil {
		r.t.Fatal(err)
	}
}

func (r *scriptedRepo) commit(msg string) string {
	r.t.Helper()
	r.git("add", "-A")
	r.git("commit", "-q", "--allow-empty", "-m", msg)
	return r.git("rev-parse", "HEAD")
}

func planted(t *testing.T, seed uint64) string {
	t.Helper()
	p, err := secretstest.Secret("github-pat", seed)
	if err != nil {
		t.Fatal(err)
	}
	return p.Secret
}

// scanChange runs the scan of base..head as the CLI and the Action do:
// the policy from the base, the registry's checks, offline.
func scanChange(t *testing.T, dir, base, head string, limits diff.CommitLimits, mask func(string)) *Scan {
	t.Helper()
	cs, err := diff.FromGit(context.Background(), dir, base, head, diff.Options{MergeBase: true})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { cs.Close() })
	policy, err := LoadPolicy(PolicyRequest{Dir: dir, ChangeSet: cs})
	if err != nil {
		t.Fatal(err)
	}
	sc, err := RunScan(context.Background(), ScanRequest{Policy: policy, ChangeSet: cs, Dir: dir, Commits: limits,
		Deps: checks.Deps{Offline: true, Mask: mask}})
	if err != nil {
		t.Fatal(err)
	}
	return sc
}

func secretFindings(res *scanner.Result) []scanner.Finding {
	var out []scanner.Finding
	for _, f := range res.Findings {
		if strings.HasPrefix(f.RuleID, "secret/") {
			out = append(out, f)
		}
	}
	return out
}

// TestCommitsSecretAddedThenRemoved: a token one commit adds and the next
// deletes is reported on the commit that added it; a token still at the tip
// is reported once, with the commit that added it; the base's allowlist and
// baseline apply, and what the change does to them does not.
func TestCommitsSecretAddedThenRemoved(t *testing.T) {
	removed, kept, allowed, accepted := planted(t, 1), planted(t, 2), planted(t, 3), planted(t, 4)

	// The base's baseline accepts `accepted` in legacy.env.
	e, err := secrets.New(secrets.Options{})
	if err != nil {
		t.Fatal(err)
	}
	var baseline bytes.Buffer
	if err := secrets.WriteBaseline(&baseline, e.ScanFile("legacy.env", []byte("TOKEN="+accepted+"\n"))); err != nil {
		t.Fatal(err)
	}

	r := newScriptedRepo(t)
	r.write("README.md", "app\n")
	r.write(".github/tollgate.yml", "allow:\n  paths: [\"fixtures/**\"]\n")
	r.write(DefaultBaseline, baseline.String())
	base := r.commit("base")
	r.git("checkout", "-q", "-b", "feature")
	r.write("config.env", "# settings\nTOKEN="+removed+"\n")
	r.write("app.env", "KEY="+kept+"\n")
	r.write("fixtures/test.env", "TOKEN="+allowed+"\n")
	r.write("legacy.env", "TOKEN="+accepted+"\n")
	added := r.commit("add settings")
	r.git("rm", "-q", "config.env", "fixtures/test.env", "legacy.env")
	// The change also tries to silence the scan: allow everything. The
	// base's policy judges it.
	r.write(".github/tollgate.yml", "allow:\n  paths: [\"**\"]\n")
	r.write("app.env", "KEY="+kept+"\nMORE=1\n")
	head := r.commit("remove the settings")

	var mu sync.Mutex
	masked := map[string]bool{}
	sc := scanChange(t, r.dir, "main", "feature", diff.CommitLimits{}, func(s string) { mu.Lock(); masked[s] = true; mu.Unlock() })
	got := secretFindings(sc.Report)
	if len(got) != 2 {
		t.Fatalf("%d secret findings, want 2: %+v", len(got), got)
	}
	byPath := map[string]scanner.Finding{}
	for _, f := range got {
		byPath[f.Path] = f
	}
	gone := byPath["config.env"]
	if gone.Line != 2 || gone.Commit != added || gone.RuleID != "secret/github-pat" ||
		!strings.Contains(gone.Message, "added in commit "+added[:12]) || !strings.Contains(gone.Message, "does not un-leak it") {
		t.Errorf("removed secret: %+v", gone)
	}
	tip := byPath["app.env"]
	if tip.Line != 1 || tip.Commit != added || !strings.HasSuffix(tip.Message, "Added in commit "+added[:12]+".") {
		t.Errorf("secret at the tip: %+v", tip)
	}
	if !masked[removed] || !masked[kept] {
		t.Errorf("masked %d values; the removed and kept secrets must both be", len(masked))
	}
	if sc.Verdict.Outcome != scanner.OutcomeFailed || sc.Verdict.Incomplete != "" {
		t.Errorf("verdict %+v", sc.Verdict)
	}
	notes := strings.Join(sc.Report.Notes, "\n")
	if !strings.Contains(notes, "commits: the lines of 2 commit(s) scanned for secrets (from git); 1 secret(s) found that later commits removed") {
		t.Errorf("notes:\n%s", notes)
	}
	secretstest.AssertNoLeak(t, []byte(gone.Message+tip.Message+notes), []secretstest.Planted{{RuleID: "secret/github-pat", Secret: removed}, {RuleID: "secret/github-pat", Secret: kept}})

	// The secrets check turned off turns this off too.
	cs, err := diff.FromGit(context.Background(), r.dir, base, head, diff.Options{MergeBase: true})
	if err != nil {
		t.Fatal(err)
	}
	defer cs.Close()
	policy, err := LoadPolicy(PolicyRequest{Dir: r.dir, ChangeSet: cs, Checks: "osv"})
	if err != nil {
		t.Fatal(err)
	}
	sc, err = RunScan(context.Background(), ScanRequest{Policy: policy, ChangeSet: cs, Dir: r.dir, Deps: checks.Deps{Offline: true}})
	if err != nil {
		t.Fatal(err)
	}
	if got := secretFindings(sc.Report); len(got) != 0 || strings.Contains(strings.Join(sc.Report.Notes, "\n"), "commits:") {
		t.Errorf("secrets off: %+v %v", got, sc.Report.Notes)
	}
}

// TestCommitsLimitsMakeTheScanIncomplete: a commit the limits leave out is a
// skipped entry of the secrets check, so the scan is incomplete, not clean.
func TestCommitsLimitsMakeTheScanIncomplete(t *testing.T) {
	r := newScriptedRepo(t)
	r.write("README.md", "app\n")
	r.commit("base")
	r.git("checkout", "-q", "-b", "feature")
	r.write("a.txt", "one\n")
	r.commit("one")
	r.write("b.txt", "two\n")
	r.commit("two")

	sc := scanChange(t, r.dir, "main", "feature", diff.CommitLimits{MaxCommits: 1}, nil)
	var reasons []string
	for _, s := range sc.Report.Skipped {
		if s.Check == "secrets" {
			reasons = append(reasons, s.Reason)
		}
	}
	if len(reasons) != 1 || !strings.Contains(reasons[0], "commits: 1 part(s) of the change's commits not scanned for secrets") || !strings.Contains(reasons[0], "limit 1") {
		t.Errorf("skipped: %q", reasons)
	}
	if sc.Verdict.Outcome != scanner.OutcomeIncomplete || sc.Verdict.Exit != ExitIncomplete {
		t.Errorf("verdict %+v", sc.Verdict)
	}

	// A walk that fails (a shallow clone without an API) is skipped too.
	clone := filepath.Join(t.TempDir(), "shallow")
	cmd := exec.Command("git", "clone", "-q", "--depth", "1", "--no-single-branch", "file://"+r.dir, clone)
	cmd.Env = append(os.Environ(), "GIT_CONFIG_GLOBAL=/dev/null", "GIT_CONFIG_SYSTEM=/dev/null")
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("clone: %v\n%s", err, out)
	}
	cs, err := diff.FromGit(context.Background(), clone, "origin/main", "origin/feature", diff.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer cs.Close()
	policy, err := LoadPolicy(PolicyRequest{Dir: clone, ChangeSet: cs})
	if err != nil {
		t.Fatal(err)
	}
	sc, err = RunScan(context.Background(), ScanRequest{Policy: policy, ChangeSet: cs, Dir: clone, Deps: checks.Deps{Offline: true}})
	if err != nil {
		t.Fatal(err)
	}
	found := false
	for _, s := range sc.Report.Skipped {
		found = found || s.Check == "secrets" && strings.Contains(s.Reason, "not in the local git history") && strings.Contains(s.Reason, "fetch-depth: 0")
	}
	if !found || sc.Verdict.Outcome != scanner.OutcomeIncomplete {
		t.Errorf("shallow: skipped %+v, verdict %+v", sc.Report.Skipped, sc.Verdict)
	}
}
