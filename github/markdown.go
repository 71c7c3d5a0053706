package github

import (
	"fmt"
	"net/url"
	"sort"
	"strings"

	"github.com/tollgate-dev/tollgate/report"
	"github.com/tollgate-dev/tollgate/scanner"
)

// Size limits of what GitHub renders.
const (
	// MaxSummaryBytes is GitHub's limit on one step's job summary (1 MiB).
	MaxSummaryBytes = 1 << 20
	// maxSummaryRows bounds finding rows in the summary; beyond it the SARIF
	// file and code-scanning alerts carry the rest.
	maxSummaryRows = 1000
	// maxCommentRows bounds finding rows in the pull-request comment.
	maxCommentRows = 25
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

var severityOrder = []string{scanner.SeverityCritical, scanner.SeverityHigh, scanner.SeverityMedium, scanner.SeverityLow, scanner.SeverityInfo}

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

func headline(sc *scanner.Result, v View) string {
	icon := "✅"
	switch v.Outcome {
	case scanner.OutcomeFailed:
		icon = "❌"
	case scanner.OutcomeIncomplete:
		icon = "⚠️"
	}
	what := report.CountsLine(sc.Findings)
	switch {
	case v.Outcome == scanner.OutcomeIncomplete:
		// Never "all clear" when something was not checked.
		what = "scan incomplete, not checked: " + notChecked(sc) + "; " + what
	case len(sc.Findings) == 0:
		what = "all clear"
	}
	return fmt.Sprintf("%s tollgate: %s", icon, what)
}

// notChecked names the checks that could not run fully, once each.
func notChecked(sc *scanner.Result) string {
	var ids []string
	seen := map[string]bool{}
	for _, s := range sc.Skipped {
		if !seen[s.Check] {
			seen[s.Check] = true
			ids = append(ids, text(s.Check))
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

// Summary renders the job summary: outcome, counts, findings grouped by
// package (most severe group first) with links, then skipped checks,
// unreadable lockfiles and notes.
func Summary(sc *scanner.Result, v View) string {
	var b strings.Builder
	fmt.Fprintf(&b, "## %s\n\n", headline(sc, v))
	scope := v.Title
	if scope == "" {
		scope = string(sc.Mode)
	}
	fmt.Fprintf(&b, "Scanned %s: %d lockfiles, %d packages", scope, sc.Lockfiles, sc.Packages)
	if sc.Source != "" {
		fmt.Fprintf(&b, " (changes read from %s)", text(sc.Source))
	}
	fmt.Fprintf(&b, ". Fails on: %s. Result: **%s**.\n\n", code(v.FailOn), text(v.Outcome))
	if v.Incomplete != "" {
		b.WriteString(incompleteBox(v))
	}
	if len(sc.Findings) > 0 {
		counts := report.Counts(sc.Findings)
		b.WriteString("| Severity | Findings |\n|---|---:|\n")
		for _, sev := range severityOrder {
			if counts[sev] > 0 {
				fmt.Fprintf(&b, "| %s | %d |\n", severityBadge(sev), counts[sev])
			}
		}
		b.WriteString("\n### Findings by package\n\n")
		rows := 0
		for _, g := range groupFindings(sc.Findings) {
			if rows >= maxSummaryRows {
				break
			}
			fmt.Fprintf(&b, "#### %s — %s\n\n", g.title(), report.CountsLine(g.findings))
			b.WriteString("| Severity | Rule | Location | Finding |\n|---|---|---|---|\n")
			for _, f := range g.findings {
				if rows >= maxSummaryRows {
					break
				}
				rows++
				fmt.Fprintf(&b, "| %s | %s | %s | %s |\n", severityBadge(f.Severity), code(f.RuleID), location(f, v), findingText(f))
			}
			b.WriteString("\n")
		}
		if rows < len(sc.Findings) {
			fmt.Fprintf(&b, "_%d more findings are not listed here; they are in the SARIF file and the code-scanning alerts._\n\n", len(sc.Findings)-rows)
		}
	}
	writeSkipped(&b, sc, "### Skipped checks\n\n")
	if groups := report.GroupDisabled(sc.Disabled); len(groups) > 0 {
		b.WriteString("### Checks turned off\n\n")
		for _, g := range groups {
			fmt.Fprintf(&b, "- **%s**: %s\n", text(strings.Join(g.Checks, ", ")), text(g.Reason))
		}
		b.WriteString("\n")
	}
	if len(sc.Errors) > 0 {
		b.WriteString("### Lockfiles that could not be read\n\n")
		for _, e := range sc.Errors {
			fmt.Fprintf(&b, "- %s: %s\n", code(e.Path), text(fmt.Sprint(e.Err)))
		}
		b.WriteString("\n")
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
		b.WriteString("### Notes\n\n")
		for _, n := range notes {
			fmt.Fprintf(&b, "- %s\n", text(n))
		}
		b.WriteString("\n")
	}
	out := b.String()
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

// CommentBody renders the sticky pull-request comment: the outcome, the most
// severe findings, what was skipped, and a link to the run. With no findings
// it says all is clear (replacing an earlier comment's findings).
func CommentBody(sc *scanner.Result, v View) string {
	var b strings.Builder
	fmt.Fprintf(&b, "### %s\n\n", headline(sc, v))
	sha := v.SHA
	if len(sha) > 12 {
		sha = sha[:12]
	}
	if len(sc.Findings) == 0 {
		fmt.Fprintf(&b, "No supply-chain findings in this pull request as of %s", code(sha))
		if v.Outcome != scanner.OutcomeIncomplete {
			b.WriteString("; any findings reported earlier are resolved")
		}
		b.WriteString(".\n\n")
	} else {
		fmt.Fprintf(&b, "This pull request introduces %d finding(s) as of %s. Fails on: %s.\n\n", len(sc.Findings), code(sha), code(v.FailOn))
		sorted := append([]scanner.Finding(nil), sc.Findings...)
		scanner.SortFindings(sorted)
		b.WriteString("| Severity | Rule | Location | Finding |\n|---|---|---|---|\n")
		for i, f := range sorted {
			if i >= maxCommentRows {
				break
			}
			fmt.Fprintf(&b, "| %s | %s | %s | %s |\n", severityBadge(f.Severity), code(f.RuleID), location(f, v), findingText(f))
		}
		if len(sorted) > maxCommentRows {
			fmt.Fprintf(&b, "\n_… and %d more, in the job summary and the code-scanning alerts._\n", len(sorted)-maxCommentRows)
		}
		b.WriteString("\n")
	}
	if v.Incomplete != "" {
		b.WriteString(incompleteBox(v))
	}
	if len(sc.Skipped) > 0 {
		fmt.Fprintf(&b, "<details><summary>%d check(s) could not run fully</summary>\n\n", len(sc.Skipped))
		writeSkipped(&b, sc, "")
		b.WriteString("</details>\n\n")
	}
	if v.RunURL != "" {
		fmt.Fprintf(&b, "<sub>[Job summary and run](%s) · updated in place by tollgate</sub>\n", v.RunURL)
	}
	return b.String()
}

func writeSkipped(b *strings.Builder, sc *scanner.Result, heading string) {
	if len(sc.Skipped) == 0 {
		return
	}
	b.WriteString(heading)
	for _, s := range sc.Skipped {
		fmt.Fprintf(b, "- **%s**: %s\n", text(s.Check), text(s.Reason))
	}
	b.WriteString("\n")
}

// group is the findings about one package (or, without a package, one file).
type group struct {
	pkg, path string
	findings  []scanner.Finding
}

func (g *group) title() string {
	if g.pkg != "" {
		return code(g.pkg)
	}
	if g.path != "" {
		return "In " + code(g.path)
	}
	return "Other findings"
}

// groupFindings groups by package, most severe group first.
func groupFindings(findings []scanner.Finding) []*group {
	byKey := map[string]*group{}
	var groups []*group
	for _, f := range findings {
		key := "pkg\x00" + f.Package
		if f.Package == "" {
			key = "path\x00" + f.Path
		}
		g := byKey[key]
		if g == nil {
			g = &group{pkg: f.Package}
			if f.Package == "" {
				g.path = f.Path
			}
			byKey[key] = g
			groups = append(groups, g)
		}
		g.findings = append(g.findings, f)
	}
	worst := func(g *group) int {
		w := -1
		for _, f := range g.findings {
			w = max(w, scanner.SeverityRank(f.Severity))
		}
		return w
	}
	for _, g := range groups {
		scanner.SortFindings(g.findings)
	}
	sort.SliceStable(groups, func(i, j int) bool {
		if wi, wj := worst(groups[i]), worst(groups[j]); wi != wj {
			return wi > wj
		}
		if groups[i].pkg != groups[j].pkg {
			return groups[i].pkg < groups[j].pkg
		}
		return groups[i].path < groups[j].path
	})
	return groups
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
	if v.ServerURL == "" || v.Owner == "" || v.Repo == "" || v.SHA == "" {
		return code(label)
	}
	segs := strings.Split(f.Path, "/")
	for i, s := range segs {
		segs[i] = url.PathEscape(s)
	}
	link := fmt.Sprintf("%s/%s/%s/blob/%s/%s", strings.TrimSuffix(v.ServerURL, "/"), url.PathEscape(v.Owner), url.PathEscape(v.Repo), url.PathEscape(v.SHA), strings.Join(segs, "/"))
	if f.Line > 0 {
		link += fmt.Sprintf("#L%d", f.Line)
	}
	return fmt.Sprintf("[%s](%s)", code(label), link)
}

// findingText is the message with advisory links.
func findingText(f scanner.Finding) string {
	s := text(f.Message)
	if len(f.IDs) > 0 {
		links := make([]string, 0, len(f.IDs))
		for _, id := range f.IDs {
			links = append(links, fmt.Sprintf("[%s](https://osv.dev/vulnerability/%s)", text(id), url.PathEscape(id)))
		}
		s += " (" + strings.Join(links, ", ") + ")"
	}
	return s
}

// EscapeMarkdown escapes untrusted text (a branch name, a package name) for
// the summary and the comment; see text.
func EscapeMarkdown(s string) string { return text(s) }

// text escapes untrusted text (package names and messages come from scanned
// lockfiles) for a markdown table cell: no HTML, no markdown syntax, no
// @-mentions (a zero-width space after @), no line breaks.
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
		default:
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
