package github

import (
	"context"
	"flag"
	"regexp"
	"strings"
	"testing"

	goldenfile "github.com/tollgate-dev/tollgate/internal/golden"

	"github.com/tollgate-dev/tollgate/cli"
	"github.com/tollgate-dev/tollgate/github/api"
	"github.com/tollgate-dev/tollgate/report/reporttest"
	"github.com/tollgate-dev/tollgate/scanner"
)

var update = flag.Bool("update", false, "rewrite golden files")

func golden(t *testing.T, name, got string) {
	t.Helper()
	goldenfile.Check(t, "./github", name, got, *update)
}

// caseView is the view the Action builds for a pull request on github.com.
func caseView(c reporttest.Case) View {
	return View{
		Title: "pull request #7", ServerURL: "https://github.com", Owner: "acme", Repo: "app",
		SHA: "9fceb02d0ae598e95dc970b74767f19372d61af8", RunURL: "https://github.com/acme/app/actions/runs/4242",
		FailOn: c.FailOn, Outcome: c.Outcome, Incomplete: c.Incomplete, SARIFPath: "tollgate.sarif",
	}
}

func TestMarkdownGolden(t *testing.T) {
	for _, c := range reporttest.Cases() {
		t.Run(c.Name, func(t *testing.T) {
			v := caseView(c)
			summary, comment := Summary(c.Result, v), CommentBody(c.Result, v)
			golden(t, "summary-"+c.Name+".md", summary)
			golden(t, "comment-"+c.Name+".md", comment)
			for name, md := range map[string]string{"summary": summary, "comment": comment} {
				checkMarkdownShape(t, name, md)
			}
			if n := len(CommentMarker("tollgate")) + 1 + len(comment); n > api.MaxCommentChars {
				t.Errorf("comment with its marker is %d bytes, over GitHub's %d", n, api.MaxCommentChars)
			}
		})
	}
}

var (
	pipeRE     = regexp.MustCompile(`(^|[^\\])\|`)
	codeSpanRE = regexp.MustCompile("`[^`\n]*`")
)

// checkMarkdownShape checks what a hostile name must not break: every table
// row has its header's number of cells, <details> blocks are closed, and no
// raw HTML or link from a scanned repository survives.
func checkMarkdownShape(t *testing.T, name, md string) {
	t.Helper()
	if o, c := strings.Count(md, "<details>"), strings.Count(md, "</details>"); o != c {
		t.Errorf("%s: %d <details> opened, %d closed", name, o, c)
	}
	cells := 0
	for i, line := range strings.Split(md, "\n") {
		if !strings.HasPrefix(line, "|") {
			cells = 0
			continue
		}
		// Pipes inside code spans are escaped too (GFM splits cells first).
		n := len(pipeRE.FindAllString(line, -1))
		if cells == 0 {
			cells = n
		} else if n != cells {
			t.Errorf("%s line %d has %d cell borders, its header %d: %s", name, i+1, n, cells, line)
		}
	}
	// Code spans show their text as it is (HTML and links inside are
	// inert); outside them nothing may be live.
	outside := codeSpanRE.ReplaceAllString(strings.ReplaceAll(md, "\\`", ""), "")
	for _, bad := range []*regexp.Regexp{
		regexp.MustCompile(`<img|<b>|<script`),
		regexp.MustCompile(`(^|[^\\])\]\((javascript:|https://evil)`),
		regexp.MustCompile(`@octocat`), // a mention; "@\u200boctocat" is none
		regexp.MustCompile(`[\x00-\x08\x0b-\x1f\x7f]`),
	} {
		if m := bad.FindString(outside); m != "" {
			t.Errorf("%s holds %q from the scanned repository outside a code span:\n%s", name, m, md)
		}
	}
}

// Findings are grouped by kind, most urgent kind first; a package version
// with two rules in one lockfile is one row naming both; an unreadable
// lockfile is said once.
func TestMarkdownGroupsByKind(t *testing.T) {
	c := reporttest.Failed()
	v := caseView(c)
	for name, md := range map[string]string{"summary": Summary(c.Result, v), "comment": CommentBody(c.Result, v)} {
		last := -1
		for _, h := range []string{"Malicious packages (1)", "Vulnerable packages (2)", "Tampering (1)", "Dependency confusion (1)", "Secrets (2)", "Policy changes (1)", "Unreadable lockfiles (1)", "Other findings (1)"} {
			i := strings.Index(md, h+"\n")
			if i < 0 || i < last {
				t.Errorf("%s: heading %q missing or out of order", name, h)
			}
			last = i
		}
		var leftPad []string
		for _, line := range strings.Split(md, "\n") {
			if strings.Contains(line, "`left-pad`") {
				leftPad = append(leftPad, line)
			}
		}
		if len(leftPad) != 1 || !strings.Contains(leftPad[0], "`integrity-changed`") || !strings.Contains(leftPad[0], "`download-host-changed`") {
			t.Errorf("%s: left-pad rows %q", name, leftPad)
		}
		if n := strings.Count(md, "broken/package-lock.json:4`]"); n != 1 || strings.Contains(md, "- **unreadable**") {
			t.Errorf("%s: the unreadable lockfile is linked %d times, or listed as a skipped check:\n%s", name, n, md)
		}
		for _, want := range []string{
			"## ❌ tollgate: 2 critical, 6 high, 3 medium — 1 malicious package, 2 vulnerable packages, 1 tampered package, 1 dependency-confusion package, 2 secrets, 1 policy change, 1 unreadable lockfile, 1 other finding",
			"[`lodash`](https://github.com/acme/app/blob/9fceb02d0ae598e95dc970b74767f19372d61af8/web/package-lock.json#L28)<br>also at [L140](https://github.com/acme/app/blob/9fceb02d0ae598e95dc970b74767f19372d61af8/web/package-lock.json#L140), [L301]",
			"[GHSA-35jh-r3h4-6jhm](https://osv.dev/vulnerability/GHSA-35jh-r3h4-6jhm), [CVE-2021-23337](https://osv.dev/vulnerability/CVE-2021-23337)<br>`vulnerable-package`: ",
			"| [`src/config.js:3`](https://github.com/acme/app/blob/9fceb02d0ae598e95dc970b74767f19372d61af8/src/config.js#L3) | `secret/github-pat` | 🟠 high | [`4f2a9c1e0b7d`](https://github.com/acme/app/commit/4f2a9c1e0b7d3a5f6e8c9b0a1d2e3f4a5b6c7d8e) | `ghp_…(40 chars)` |",
			"removing it from the tip of the branch does not un-leak it",
		} {
			if name == "comment" {
				want = strings.Replace(want, "## ❌", "### ❌", 1)
			}
			if !strings.Contains(md, want) {
				t.Errorf("%s lacks %q:\n%s", name, want, md)
			}
		}
	}
}

// A large result folds long tables after their first rows, and the comment
// stays under GitHub's limit, saying how much it left out.
func TestMarkdownLarge(t *testing.T) {
	c := reporttest.Large()
	v := caseView(c)
	s := Summary(c.Result, v)
	if !strings.Contains(s, "<details><summary>270 more packages</summary>") || !strings.Contains(s, "<details><summary>30 more secrets</summary>") {
		t.Errorf("summary does not fold its long tables")
	}
	if !strings.Contains(s, "<details><summary>and 27 more</summary>") {
		t.Errorf("summary does not fold 30 install locations")
	}
	cm := CommentBody(c.Result, v)
	if len(cm) > maxCommentBytes {
		t.Errorf("comment is %d bytes, over %d", len(cm), maxCommentBytes)
	}
	// Each table of the comment stops at 25 rows, so that the secrets after
	// hundreds of vulnerable packages still show.
	for _, want := range []string{"_… and 255 more packages, listed in the job summary._", "_… and 15 more packages, listed in the job summary._", "#### Secrets (40)", "_… and 15 more secrets, listed in the job summary._"} {
		if !strings.Contains(cm, want) {
			t.Errorf("comment lacks %q", want)
		}
	}
	if strings.Contains(cm, "more findings are not shown here") {
		t.Errorf("comment says it left out findings its tables already account for")
	}
	// With longer messages the size, not the row count, cuts it.
	for i := range c.Result.Findings {
		c.Result.Findings[i].Message += strings.Repeat(" and more words", 60)
	}
	cm = CommentBody(c.Result, v)
	if len(cm) > maxCommentBytes || !strings.Contains(cm, "cut to GitHub's 65,536-character comment limit") || !strings.HasSuffix(cm, "updated in place by tollgate</sub>\n") {
		t.Errorf("comment of %d bytes, cut note or footer missing:\n%s", len(cm), cm[max(0, len(cm)-600):])
	}
	checkMarkdownShape(t, "cut comment", cm)
}

// The passed, turned-off and incomplete verdicts read as they should.
func TestMarkdownVerdicts(t *testing.T) {
	for _, tt := range []struct {
		c    reporttest.Case
		want string
	}{
		{reporttest.Passed(), "## ✅ tollgate: all clear\n"},
		{reporttest.TurnedOff(), "## ✅ tollgate: passed with 1 low, below fail-on high — 1 vulnerable package\n"},
		{reporttest.Incomplete(), "## ⚠️ tollgate: scan incomplete, not checked: osv; 1 high — 1 secret\n"},
		{reporttest.IncompleteClean(), "## ⚠️ tollgate: scan incomplete, not checked: osv; no findings in what did run\n"},
	} {
		s := Summary(tt.c.Result, caseView(tt.c))
		if !strings.HasPrefix(s, tt.want) {
			t.Errorf("%s: summary starts %q, want %q", tt.c.Name, s[:min(len(s), 120)], tt.want)
		}
	}
	off := Summary(reporttest.TurnedOff().Result, caseView(reporttest.TurnedOff()))
	if !strings.Contains(off, "### Checks turned off\n\n- **secrets**: turned off in the config") || strings.Contains(off, "Skipped checks") {
		t.Errorf("turned-off checks:\n%s", off)
	}
	// A passed comment without findings says earlier findings are resolved;
	// an incomplete one does not.
	clean := CommentBody(&scanner.Result{}, View{SHA: "0123456789abcdef", Outcome: scanner.OutcomePassed})
	if !strings.HasPrefix(clean, "### ✅ tollgate: all clear\n\nNo supply-chain findings in this pull request as of `0123456789ab`; any findings reported earlier are resolved.") {
		t.Errorf("clean comment:\n%s", clean)
	}
}

// The demo repository, scanned for real (offline, against the demo OSV
// records), renders as the golden summary and comment say.
func TestMarkdownDemoGolden(t *testing.T) {
	sc, err := cli.Scan(context.Background(), cli.ScanOptions{Dir: "../testdata/demo", Offline: true, OSVDB: "../testdata/demo-osv"})
	if err != nil {
		t.Fatal(err)
	}
	v := View{
		Title: "sweep of acme/demo (schedule)", ServerURL: "https://github.com", Owner: "acme", Repo: "demo",
		SHA: "9fceb02d0ae598e95dc970b74767f19372d61af8", FailOn: scanner.SeverityHigh,
		Outcome: sc.Verdict.Outcome, Incomplete: sc.Verdict.Incomplete,
	}
	summary, comment := Summary(sc.Report, v), CommentBody(sc.Report, v)
	golden(t, "summary-demo.md", summary)
	golden(t, "comment-demo.md", comment)
	checkMarkdownShape(t, "demo summary", summary)
	if !strings.HasPrefix(summary, "## ❌ tollgate: 2 critical, 2 high — 2 malicious packages, 1 vulnerable package, 1 possible typosquat\n") {
		t.Errorf("demo summary starts %q", summary[:min(len(summary), 120)])
	}
}
