package github

import (
	"bytes"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/tollgate-dev/tollgate/scanner"
)

func TestCommentMarker(t *testing.T) {
	for in, want := range map[string]string{
		"tollgate":          "<!-- tollgate:sticky-comment category=tollgate -->",
		"org/repo sweep":    "<!-- tollgate:sticky-comment category=org/repo_sweep -->",
		"x-->y<script>":     "<!-- tollgate:sticky-comment category=x_-_y_script_ -->",
		"tollgate/services": "<!-- tollgate:sticky-comment category=tollgate/services -->",
	} {
		if got := CommentMarker(in); got != want {
			t.Errorf("CommentMarker(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestSelectAnnotations(t *testing.T) {
	var findings []scanner.Finding
	add := func(n int, sev string) {
		for i := 0; i < n; i++ {
			findings = append(findings, scanner.Finding{RuleID: "r-" + sev, Severity: sev, Path: "a.txt", Line: len(findings) + 1, Message: "m"})
		}
	}
	add(3, scanner.SeverityLow)
	add(14, scanner.SeverityHigh)
	add(2, scanner.SeverityCritical)
	add(11, scanner.SeverityMedium)
	shown, hidden := SelectAnnotations(findings, 0, 0)
	levels := map[string]int{}
	for _, a := range shown {
		levels[a.Level]++
	}
	if levels[LevelError] != 10 || levels[LevelWarning] != 10 || levels[LevelNotice] != 3 {
		t.Errorf("shown per level %v", levels)
	}
	// the two critical findings come first
	if shown[0].Title != "tollgate critical: r-critical" || shown[1].Title != "tollgate critical: r-critical" {
		t.Errorf("first annotations %q, %q", shown[0].Title, shown[1].Title)
	}
	if hidden[LevelError] != 6 || hidden[LevelWarning] != 1 || hidden[LevelNotice] != 0 {
		t.Errorf("hidden %v", hidden)
	}
	line := HiddenLine(hidden)
	if !strings.HasPrefix(line, "7 more findings not shown as annotations (6 error, 1 warning)") {
		t.Errorf("hidden line %q", line)
	}
	// a job-wide cap below the per-level ones
	shown, hidden = SelectAnnotations(findings, 0, 12)
	if len(shown) != 12 || hidden[LevelError]+hidden[LevelWarning]+hidden[LevelNotice] != len(findings)-12 {
		t.Errorf("perJob 12: %d shown, hidden %v", len(shown), hidden)
	}
	if HiddenLine(map[string]int{}) != "" {
		t.Error("HiddenLine of nothing hidden is not empty")
	}
}

func TestCommands(t *testing.T) {
	dir := t.TempDir()
	env := map[string]string{"GITHUB_OUTPUT": filepath.Join(dir, "out"), "GITHUB_STEP_SUMMARY": filepath.Join(dir, "sum"), "INPUT_FAIL-ON": " high "}
	var log bytes.Buffer
	c := NewCommands(&log, func(k string) string { return env[k] })
	if c.Input("fail-on") != "high" {
		t.Errorf("input %q", c.Input("fail-on"))
	}
	c.Mask("-----BEGIN KEY-----\nAAAABBBBCCCC\n-----END KEY-----")
	c.Mask("AAAABBBBCCCC") // already masked: not repeated
	if err := c.Annotate(Annotation{Level: LevelWarning, File: "a b.txt", Line: 3, Title: "t: x", Message: "two\nlines"}); err != nil {
		t.Fatal(err)
	}
	if err := c.LogUntrusted("::warning::injected"); err != nil {
		t.Fatal(err)
	}
	if err := c.SetOutputs(map[string]string{"b": "2", "a": "1"}); err != nil {
		t.Fatal(err)
	}
	if err := c.AddSummary("# hi"); err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(strings.TrimSpace(log.String()), "\n")
	want := []string{
		"::add-mask::-----BEGIN KEY-----",
		"::add-mask::AAAABBBBCCCC",
		"::add-mask::-----END KEY-----",
		"::warning file=a b.txt,line=3,title=t%3A x::two%0Alines",
	}
	for i, w := range want {
		if i >= len(lines) || lines[i] != w {
			t.Errorf("log line %d = %q, want %q", i, lines[min(i, len(lines)-1)], w)
		}
	}
	// the injected command sits between stop-commands and its token
	if len(lines) != 7 || !strings.HasPrefix(lines[4], "::stop-commands::") || lines[5] != "::warning::injected" || lines[6] != "::"+strings.TrimPrefix(lines[4], "::stop-commands::")+"::" {
		t.Errorf("untrusted log lines %q", lines[4:])
	}
	out, _ := os.ReadFile(env["GITHUB_OUTPUT"])
	if !strings.HasPrefix(string(out), "a<<") || !strings.Contains(string(out), "\n1\n") || !strings.Contains(string(out), "b<<") {
		t.Errorf("outputs %q", out)
	}
	// without the files, errors instead of panics
	bare := NewCommands(io.Discard, func(string) string { return "" })
	if err := bare.SetOutputs(map[string]string{"a": "1"}); err == nil {
		t.Error("SetOutputs without GITHUB_OUTPUT succeeded")
	}
	env["GITHUB_STEP_SUMMARY"] = filepath.Join(dir, "missing", "sum")
	if err := c.AddSummary("x"); err == nil {
		t.Error("AddSummary into a missing directory succeeded")
	}
}

func TestMarkdownEscaping(t *testing.T) {
	for in, want := range map[string]string{
		"<img src=x onerror=alert(1)>": "&lt;img src=x onerror=alert(1)&gt;",
		"@octocat please":              "@\u200boctocat please",
		"a|b\nc":                       `a\|b c`,
		"[click](http://evil)":         `\[click\](http://evil)`,
		"**bold** _i_ `code`":          "\\*\\*bold\\*\\* \\_i\\_ \\`code\\`",
	} {
		if got := text(in); got != want {
			t.Errorf("text(%q) = %q, want %q", in, got, want)
		}
	}
	if got := code("a`b|c"); got != "`aˋb\\|c`" {
		t.Errorf("code = %q", got)
	}
}

func TestSummaryLimits(t *testing.T) {
	var findings []scanner.Finding
	for i := 0; i < maxSummaryRows+5; i++ {
		findings = append(findings, scanner.Finding{RuleID: "r", Severity: scanner.SeverityLow, Path: "f", Line: i + 1, Package: fmt.Sprintf("pkg:npm/p%d@1", i), Message: strings.Repeat("x", 1200)})
	}
	s := Summary(&scanner.Result{Findings: findings}, View{Outcome: scanner.OutcomePassed, FailOn: "high"})
	if len(s) > MaxSummaryBytes {
		t.Errorf("summary is %d bytes, over %d", len(s), MaxSummaryBytes)
	}
	if !strings.Contains(s, "cut to GitHub's 1 MiB job-summary limit") {
		t.Error("no note about the cut")
	}
	if got := truncateUTF8("aé", 2); got != "a" {
		t.Errorf("truncateUTF8 split a character: %q", got)
	}
}

// An incomplete scan never reads as all clear: the header names what was not
// checked, and the box says how to fix it or opt out.
func TestIncompleteIsNotAllClear(t *testing.T) {
	res := &scanner.Result{Mode: scanner.ModePullRequest, Skipped: []scanner.Skipped{
		{Check: "osv", Reason: "OSV lookup failed, 3 packages not checked: HTTP 504"},
		{Check: "osv", Reason: "again"},
		{Check: "unreadable", Reason: "1 lockfile(s) could not be read"},
	}}
	v := View{Outcome: scanner.OutcomeIncomplete, Incomplete: "fail-on-skipped: 2 check(s) did not run", FailOn: "high", SHA: "abc"}
	for name, md := range map[string]string{"summary": Summary(res, v), "comment": CommentBody(res, v)} {
		first := strings.SplitN(md, "\n", 2)[0]
		if strings.Contains(first, "all clear") || !strings.Contains(first, "⚠️") || !strings.Contains(first, "not checked: osv, unreadable") {
			t.Errorf("%s header %q", name, first)
		}
		if !strings.Contains(md, "not an all clear") || !strings.Contains(md, "fail-on-skipped: false") {
			t.Errorf("%s lacks the fix or opt-out:\n%s", name, md)
		}
		if name == "comment" && strings.Contains(md, "any findings reported earlier are resolved") {
			t.Errorf("an incomplete comment says earlier findings are resolved:\n%s", md)
		}
	}
}

// An output value holding newlines and the library's fixed delimiter (a URL
// from an API answer, say) cannot end its output early or set another.
func TestSetOutputsCannotBeInjected(t *testing.T) {
	file := filepath.Join(t.TempDir(), "output")
	var log bytes.Buffer
	c := NewCommands(&log, func(k string) string {
		if k == "GITHUB_OUTPUT" {
			return file
		}
		return ""
	})
	hostile := "https://x\n_GitHubActionsFileCommandDelimeter_\nresult<<EOF\npassed\nEOF\nresult=passed"
	if err := c.SetOutputs(map[string]string{"comment-url": hostile, "result": "failed"}); err != nil {
		t.Fatal(err)
	}
	data, err := os.ReadFile(file)
	if err != nil {
		t.Fatal(err)
	}
	// Parse as the runner does: name<<delim, lines, delim.
	got := map[string]string{}
	lines := strings.Split(strings.TrimSuffix(string(data), "\n"), "\n")
	for i := 0; i < len(lines); i++ {
		name, delim, ok := strings.Cut(lines[i], "<<")
		if !ok {
			t.Fatalf("line %d is not an output header: %q", i, lines[i])
		}
		var val []string
		for i++; i < len(lines) && lines[i] != delim; i++ {
			val = append(val, lines[i])
		}
		if _, dup := got[name]; dup {
			t.Errorf("output %s set twice", name)
		}
		got[name] = strings.Join(val, "\n")
	}
	if len(got) != 2 || got["result"] != "failed" || got["comment-url"] != hostile {
		t.Errorf("outputs %q", got)
	}
	if err := c.SetOutputs(map[string]string{"bad\nname": "x"}); err == nil {
		t.Error("an output name with a newline was written")
	}
}
