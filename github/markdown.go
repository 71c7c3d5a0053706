package github

import (
	"fmt"
	"slices"
	"strings"
	"unicode"

	"github.com/tollgate-dev/tollgate/github/api"
	"github.com/tollgate-dev/tollgate/report"
	"github.com/tollgate-dev/tollgate/scanner"
)

// Size limits of what GitHub renders, and how much of it tollgate fills.
const (
	// MaxSummaryBytes is GitHub's limit on one step's job summary (1 MiB).
	MaxSummaryBytes = 1 << 20
	// maxCommentBytes is what the comment body may use of GitHub's limit:
	// the API client prefixes the sticky marker (under 100 bytes).
	maxCommentBytes = api.MaxCommentChars - 512
	// maxSummaryRows bounds finding rows in the summary; beyond it the SARIF
	// file and code-scanning alerts carry the rest.
	maxSummaryRows = 1000
	// maxCommentRows bounds finding rows in the pull-request comment.
	maxCommentRows = 100
	// summaryOpenRows and commentOpenRows are the rows of a table shown
	// before the rest are folded into <details>.
	summaryOpenRows = 10
	commentOpenRows = 5
	// commentTableRows bounds one table's rows in the comment; the job
	// summary lists the rest.
	commentTableRows = 25
	// maxAlsoOpen is how many further install locations a row lists before
	// folding the rest.
	maxAlsoOpen = 5
)

// View is what the summary and the comment say about a run beyond the scan
// report itself.
type View struct {
	// Title names what was scanned, as markdown ("pull request #12" links
	// the pull request); escape untrusted parts with EscapeMarkdown.
	Title string
	// ServerURL, Owner, Repo and SHA build links to files (blob/<SHA>/path#Lline).
	ServerURL   string
	Owner, Repo string
	SHA         string
	// RunURL links to the workflow run.
	RunURL string
	// FailOn is the threshold in force; Outcome one of the scanner.Outcome* constants;
	// Incomplete says why the scan did not complete.
	FailOn     string
	Outcome    string
	Incomplete string
	// SARIFPath is where the SARIF file was written ("" if it was not).
	SARIFPath string
	// Hidden says how many findings were not shown as annotations.
	Hidden string
	// Notes are what the Action itself could not do (comment, upload), and why.
	Notes []string
}

func severityBadge(sev string) string {
	switch sev {
	case scanner.SeverityCritical:
		return "🔴 critical"
	case scanner.SeverityHigh:
		return "🟠 high"
	case scanner.SeverityMedium:
		return "🟡 medium"
	case scanner.SeverityLow:
		return "🔵 low"
	}
	return "⚪ " + text(sev)
}

// headline is the one-line verdict: outcome, counts per severity and per
// kind. An incomplete scan is never "all clear": it names what was not
// checked first.
func headline(sc *scanner.Result, v View, entries []*report.Entry) string {
	icon := "✅"
	switch v.Outcome {
	case scanner.OutcomeFailed:
		icon = "❌"
	case scanner.OutcomeIncomplete:
		icon = "⚠️"
	}
	counts, kinds := report.CountsLine(sc.Findings), kindsLine(entries)
	var what string
	switch {
	case v.Outcome == scanner.OutcomeIncomplete && len(sc.Findings) == 0:
		what = "scan incomplete, not checked: " + notChecked(sc) + "; no findings in what did run"
	case v.Outcome == scanner.OutcomeIncomplete:
		what = "scan incomplete, not checked: " + notChecked(sc) + "; " + counts + " — " + kinds
	case len(sc.Findings) == 0:
		what = "all clear"
	case v.Outcome == scanner.OutcomePassed && (v.FailOn == scanner.FailOnNone || v.FailOn == ""):
		what = "passed with " + counts + ", fail-on is none — " + kinds
	case v.Outcome == scanner.OutcomePassed:
		what = "passed with " + counts + ", below fail-on " + text(v.FailOn) + " — " + kinds
	default:
		what = counts + " — " + kinds
	}
	return fmt.Sprintf("%s tollgate: %s", icon, what)
}

// kindsLine counts entries per kind: "2 malicious packages, 1 secret".
func kindsLine(entries []*report.Entry) string {
	var parts []string
	for _, k := range report.Kinds {
		if n := kindCount(entries, k); n > 0 {
			parts = append(parts, report.KindCount(k, n))
		}
	}
	return strings.Join(parts, ", ")
}

// kindCount counts the package versions of a package kind (once, however
// many lockfiles hold them), or the findings of another kind.
func kindCount(entries []*report.Entry, k report.Kind) int {
	pkgs := map[string]bool{}
	n := 0
	for _, e := range entries {
		if e.Kind != k {
			continue
		}
		if report.IsPackageKind(k) && e.Package != "" {
			pkgs[e.Package] = true
			continue
		}
		n += len(e.Findings)
	}
	return n + len(pkgs)
}

// notChecked names the checks that could not run fully, once each.
func notChecked(sc *scanner.Result) string {
	var ids []string
	for _, s := range sc.Skipped {
		if id := text(s.Check); !slices.Contains(ids, id) {
			ids = append(ids, id)
		}
	}
	if len(ids) == 0 {
		return "the scan stopped"
	}
	return strings.Join(ids, ", ")
}

// incompleteBox says that an incomplete scan is not an all clear, why, and
// how to fix it or opt out.
func incompleteBox(v View) string {
	return fmt.Sprintf("> [!WARNING]\n> The scan did not complete (fail closed), so this is not an all clear: %s\n>\n"+
		"> Fix the cause and re-run, or, to judge only what did run, set `fail-on-skipped: false` in `.github/tollgate.yml` on the base branch (or the `fail-on-skipped` input).\n\n", text(v.Incomplete))
}

// Summary renders the job summary: the verdict with counts, then the
// findings grouped by kind (a table per lockfile for package kinds, one row
// per package version, long tables folded), then skipped checks, checks
// turned off, lockfiles no finding names and notes. It stays under
// GitHub's 1 MiB limit, saying what it left out.
func Summary(sc *scanner.Result, v View) string {
	entries := report.Entries(sc)
	var head strings.Builder
	fmt.Fprintf(&head, "## %s\n\n", headline(sc, v, entries))
	scope := v.Title
	if scope == "" {
		scope = string(sc.Mode)
	}
	fmt.Fprintf(&head, "Scanned %s: %d lockfiles, %d packages", scope, sc.Lockfiles, sc.Packages)
	if sc.Source != "" {
		fmt.Fprintf(&head, " (changes read from %s)", text(sc.Source))
	}
	fmt.Fprintf(&head, ". Fails on: %s. Result: **%s**.\n\n", code(v.FailOn), text(v.Outcome))
	if v.Incomplete != "" {
		head.WriteString(incompleteBox(v))
	}

	unreadable := report.UnreadablePaths(entries)
	var tail strings.Builder
	writeSkipped(&tail, report.NotCheckedBesides(sc, unreadable), "### Skipped checks\n\n")
	if groups := report.GroupDisabled(sc.Disabled); len(groups) > 0 {
		tail.WriteString("### Checks turned off\n\n")
		writeDisabled(&tail, groups)
	}
	if errs := report.ErrorsBesides(sc, unreadable); len(errs) > 0 {
		tail.WriteString("### Lockfiles that could not be read\n\n")
		for _, e := range errs {
			fmt.Fprintf(&tail, "- %s: %s\n", code(e.Path), text(fmt.Sprint(e.Err)))
		}
		tail.WriteString("\n")
	}
	var notes []string
	if v.Hidden != "" {
		notes = append(notes, v.Hidden)
	}
	notes = append(notes, v.Notes...)
	notes = append(notes, sc.Notes...)
	if v.SARIFPath != "" {
		notes = append(notes, "SARIF written to "+v.SARIFPath+".")
	}
	if len(notes) > 0 {
		tail.WriteString("### Notes\n\n")
		for _, n := range notes {
			fmt.Fprintf(&tail, "- %s\n", text(n))
		}
		tail.WriteString("\n")
	}

	d := &mdDoc{limit: MaxSummaryBytes - tail.Len() - 512, rowsLeft: maxSummaryRows}
	d.b.WriteString(head.String())
	writeFindings(d, sc, v, entries, mdStyle{kindHeading: "### ", fileHeading: "#### %s\n\n", open: summaryOpenRows})
	if omitted := len(sc.Findings) - d.shown; omitted > 0 {
		why := "cut to GitHub's 1 MiB job-summary limit"
		if !d.cutBySize {
			why = fmt.Sprintf("the summary lists at most %d rows", maxSummaryRows)
		}
		fmt.Fprintf(&d.b, "_… %d more findings are not listed here (%s); the SARIF file and the code-scanning alerts have every finding._\n\n", omitted, why)
	}
	d.b.WriteString(tail.String())
	out := d.b.String()
	if len(out) > MaxSummaryBytes {
		out = truncateUTF8(out, MaxSummaryBytes-200) + "\n\n_… cut to GitHub's 1 MiB job-summary limit; the SARIF file has every finding._\n"
	}
	return out
}

// CommentMarker returns the hidden HTML comment that starts tollgate's sticky
// comment, one per category (so a matrix of scans keeps one comment each).
func CommentMarker(category string) string {
	category = strings.Map(func(r rune) rune {
		if r == '-' || r == '_' || r == '.' || r == '/' || r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' {
			return r
		}
		return '_'
	}, category)
	category = strings.ReplaceAll(category, "--", "_-") // "--" may not appear inside an HTML comment
	return "<!-- tollgate:sticky-comment category=" + category + " -->"
}

// CommentBody renders the sticky pull-request comment: the verdict with
// counts, why the scan is incomplete if it is, the findings grouped as in
// the summary (fewer rows open), what could not run or was turned off, and
// a link to the run. With no findings it says all is clear (replacing an
// earlier comment's findings), unless the scan is incomplete. It stays
// under GitHub's comment size limit, saying what it left out.
func CommentBody(sc *scanner.Result, v View) string {
	entries := report.Entries(sc)
	var head strings.Builder
	fmt.Fprintf(&head, "### %s\n\n", headline(sc, v, entries))
	sha := v.SHA
	if len(sha) > 12 {
		sha = sha[:12]
	}
	if len(sc.Findings) == 0 {
		fmt.Fprintf(&head, "No supply-chain findings in this pull request as of %s", code(sha))
		if v.Outcome != scanner.OutcomeIncomplete {
			head.WriteString("; any findings reported earlier are resolved")
		}
		head.WriteString(".\n\n")
	} else {
		fmt.Fprintf(&head, "This pull request introduces %d finding(s) as of %s. Fails on: %s.\n\n", len(sc.Findings), code(sha), code(v.FailOn))
	}
	if v.Incomplete != "" {
		head.WriteString(incompleteBox(v))
	}

	var tail strings.Builder
	if skipped := report.NotCheckedBesides(sc, report.UnreadablePaths(entries)); len(skipped) > 0 {
		fmt.Fprintf(&tail, "<details><summary>%d check(s) could not run fully</summary>\n\n", len(skipped))
		writeSkipped(&tail, skipped, "")
		tail.WriteString("</details>\n\n")
	}
	if groups := report.GroupDisabled(sc.Disabled); len(groups) > 0 {
		fmt.Fprintf(&tail, "<details><summary>%d check(s) turned off</summary>\n\n", len(sc.Disabled))
		writeDisabled(&tail, groups)
		tail.WriteString("</details>\n\n")
	}
	if v.RunURL != "" {
		fmt.Fprintf(&tail, "<sub>[Job summary and run](%s) · updated in place by tollgate</sub>\n", v.RunURL)
	}

	d := &mdDoc{limit: maxCommentBytes - tail.Len() - 512, rowsLeft: maxCommentRows}
	d.b.WriteString(head.String())
	writeFindings(d, sc, v, entries, mdStyle{kindHeading: "#### ", fileHeading: "**%s**\n\n", open: commentOpenRows, most: commentTableRows})
	if omitted := len(sc.Findings) - d.shown - d.elsewhere; omitted > 0 {
		why := "cut to GitHub's 65,536-character comment limit"
		if !d.cutBySize {
			why = fmt.Sprintf("the comment lists at most %d rows", maxCommentRows)
		}
		fmt.Fprintf(&d.b, "_… %d more findings are not shown here (%s); the job summary and the code-scanning alerts have every finding._\n\n", omitted, why)
	}
	d.b.WriteString(tail.String())
	return d.b.String()
}

func writeSkipped(b *strings.Builder, skipped []scanner.Skipped, heading string) {
	if len(skipped) == 0 {
		return
	}
	b.WriteString(heading)
	for _, s := range skipped {
		fmt.Fprintf(b, "- **%s**: %s\n", text(s.Check), text(s.Reason))
	}
	b.WriteString("\n")
}

func writeDisabled(b *strings.Builder, groups []report.DisabledGroup) {
	for _, g := range groups {
		fmt.Fprintf(b, "- **%s**: %s\n", text(strings.Join(g.Checks, ", ")), text(g.Reason))
	}
	b.WriteString("\n")
}

// location renders path:line, linked to the file at the scanned commit.
func location(f scanner.Finding, v View) string {
	if f.Path == "" {
		return ""
	}
	label := f.Path
	if f.Line > 0 {
		label = fmt.Sprintf("%s:%d", f.Path, f.Line)
	}
	return link(code(label), v, f.Path, f.Line)
}

// EscapeMarkdown escapes untrusted text (a branch name, a package name) for
// the summary and the comment; see text.
func EscapeMarkdown(s string) string { return text(s) }

// text escapes untrusted text (package names and messages come from scanned
// lockfiles) for a markdown table cell: no HTML, no markdown syntax, no
// @-mentions (a zero-width space after @), no line breaks, no control
// characters.
func text(s string) string {
	var b strings.Builder
	for _, r := range s {
		switch r {
		case '&':
			b.WriteString("&amp;")
		case '<':
			b.WriteString("&lt;")
		case '>':
			b.WriteString("&gt;")
		case '\\', '`', '*', '_', '[', ']', '|', '~', '#', '!':
			b.WriteByte('\\')
			b.WriteRune(r)
		case '@':
			b.WriteString("@\u200b")
		case '\n', '\r', '\t':
			b.WriteByte(' ')
		case '\u2028', '\u2029', '\u0085':
			b.WriteByte(' ')
		default:
			if unicode.IsControl(r) {
				b.WriteRune('\uFFFD')
				continue
			}
			b.WriteRune(r)
		}
	}
	return b.String()
}

// code renders untrusted text as a code span in a table cell: backticks
// cannot be escaped inside a span, so they become a look-alike; a pipe is
// escaped for the table (GFM splits cells before parsing spans).
func code(s string) string {
	if s == "" {
		return ""
	}
	s = strings.NewReplacer("`", "ˋ", "|", "\\|", "\n", " ", "\r", " ").Replace(s)
	s = strings.Map(func(r rune) rune {
		if unicode.IsControl(r) {
			return '\uFFFD'
		}
		return r
	}, s)
	return "`" + s + "`"
}

// truncateUTF8 cuts s to at most n bytes without splitting a character (the
// API client has the same four lines for the comment body).
func truncateUTF8(s string, n int) string {
	if len(s) <= n {
		return s
	}
	for n > 0 && n < len(s) && s[n]&0xC0 == 0x80 {
		n--
	}
	return s[:n]
}
