package github

import (
	"fmt"
	"net/url"
	"slices"
	"strings"

	"github.com/tollgate-dev/tollgate/report"
	"github.com/tollgate-dev/tollgate/scanner"
)

// mdStyle is how the summary and the comment differ in their findings.
type mdStyle struct {
	// kindHeading starts a kind's heading; fileHeading formats a lockfile's
	// (its %s is the linked path).
	kindHeading, fileHeading string
	// open is how many rows of a table show before the rest are folded;
	// most, when set, bounds a table's rows, so that one long table does not
	// crowd the kinds after it out of the comment.
	open, most int
}

// mdDoc is markdown under a size and row budget. Headings wait (pending)
// until a row below them fits, so that a cut never leaves a heading, a
// table header or a <details> block without its rows or its end.
type mdDoc struct {
	b        strings.Builder
	limit    int // bytes the document may reach
	rowsLeft int
	pending  string
	// shown counts the findings in rows written, elsewhere those a table
	// left out by its bound (and said so); cut is set by the first row that
	// did not fit, cutBySize when the size was the reason.
	shown, elsewhere int
	cut, cutBySize   bool
}

// mdRow is one table row (or list item) and the findings it stands for.
type mdRow struct {
	text     string
	findings int
}

func (d *mdDoc) lead(s string) {
	if !d.cut {
		d.pending += s
	}
}

// rows writes rows under header (a table's header, or "" for a list), the
// rows past st.open folded into a <details> block saying how many more there
// are, and the rows past st.most left to the job summary with a line saying
// so. It stops at the first row over the budget and marks the document cut.
func (d *mdDoc) rows(header string, rows []mdRow, st mdStyle, more string) {
	if d.cut || len(rows) == 0 {
		return
	}
	open := st.open
	var left []mdRow
	if st.most > 0 && len(rows) > st.most {
		rows, left = rows[:st.most], rows[st.most:]
	}
	const endFold = "\n</details>\n\n"
	folded, wrote := false, false
	for i, r := range rows {
		pre := ""
		if i == 0 {
			pre = d.pending + header
		}
		nowFolded := folded
		if i == open {
			pre = fmt.Sprintf("\n<details><summary>%d more %s</summary>\n\n", len(rows)-open, more) + header
			nowFolded = true
		}
		end := "\n"
		if nowFolded {
			end = endFold
		}
		if d.rowsLeft == 0 || d.b.Len()+len(pre)+len(r.text)+len(end) > d.limit {
			d.cut, d.cutBySize = true, d.rowsLeft > 0
			break
		}
		d.b.WriteString(pre)
		d.b.WriteString(r.text)
		d.pending, folded, wrote = "", nowFolded, true
		d.rowsLeft--
		d.shown += r.findings
	}
	switch {
	case folded:
		d.b.WriteString(endFold)
	case wrote:
		d.b.WriteString("\n")
	}
	if len(left) > 0 && !d.cut {
		n := 0
		for _, r := range left {
			n += r.findings
		}
		d.elsewhere += n
		fmt.Fprintf(&d.b, "_… and %d more %s, listed in the job summary._\n\n", len(left), more)
	}
}

// writeFindings writes one section per kind, in report order.
func writeFindings(d *mdDoc, sc *scanner.Result, v View, entries []*report.Entry, st mdStyle) {
	for _, k := range report.Kinds {
		var ofKind []*report.Entry
		var findings []scanner.Finding
		for _, e := range entries {
			if e.Kind == k {
				ofKind = append(ofKind, e)
				findings = append(findings, e.Findings...)
			}
		}
		if len(ofKind) == 0 {
			continue
		}
		d.lead(fmt.Sprintf("%s%s (%d)\n\n", st.kindHeading, report.KindTitle(k), kindCount(ofKind, k)))
		d.lead(adviceMarkdown(report.Advice(k, findings, sc.Rules)))
		switch {
		case report.IsPackageKind(k):
			writePackageTables(d, v, ofKind, st)
		case k == report.KindSecret:
			d.rows("| Path:line | Rule | Severity | Commit | Evidence |\n|---|---|---|---|---|\n", mapRows(ofKind, func(e *report.Entry) string {
				f := e.Findings[0]
				return fmt.Sprintf("| %s | %s | %s | %s | %s |\n", location(f, v), code(f.RuleID), severityBadge(f.Severity), commitLink(f.Commit, v), orDash(code(f.Evidence)))
			}), st, "secrets")
		case k == report.KindPolicy:
			d.rows("| Path:line | Severity | Change |\n|---|---|---|\n", mapRows(ofKind, func(e *report.Entry) string {
				f := e.Findings[0]
				return fmt.Sprintf("| %s | %s | %s |\n", location(f, v), severityBadge(f.Severity), text(f.Message))
			}), st, "policy changes")
		case k == report.KindUnreadable:
			d.rows("", mapRows(ofKind, func(e *report.Entry) string {
				f := e.Findings[0]
				return fmt.Sprintf("- %s: %s\n", location(f, v), text(f.Message))
			}), st, "lockfiles")
		default:
			d.rows("| Severity | Rule | Location | Finding |\n|---|---|---|---|\n", mapRows(ofKind, func(e *report.Entry) string {
				var rules []string
				for _, f := range e.Findings {
					if c := code(f.RuleID); !slices.Contains(rules, c) {
						rules = append(rules, c)
					}
				}
				return fmt.Sprintf("| %s | %s | %s%s | %s |\n", severityBadge(e.Severity), strings.Join(rules, ", "), location(scanner.Finding{Path: e.Path, Line: e.Line}, v), alsoCell(e, v), findingsCell(e))
			}), st, "findings")
		}
		d.pending = ""
	}
}

// writePackageTables writes a table per lockfile, lockfiles in the order of
// their most severe row: Package | Version | Finding | Severity | Fixed in.
func writePackageTables(d *mdDoc, v View, entries []*report.Entry, st mdStyle) {
	var paths []string
	byPath := map[string][]*report.Entry{}
	for _, e := range entries {
		if byPath[e.Path] == nil {
			paths = append(paths, e.Path)
		}
		byPath[e.Path] = append(byPath[e.Path], e)
	}
	for _, p := range paths {
		label := code(p)
		if p == "" {
			label = "Not in a lockfile"
		}
		d.lead(fmt.Sprintf(st.fileHeading, link(label, v, p, 0)))
		d.rows("| Package | Version | Finding | Severity | Fixed in |\n|---|---|---|---|---|\n", mapRows(byPath[p], func(e *report.Entry) string {
			_, name, version := report.PackageParts(e.Package)
			pkg := link(code(name), v, e.Path, e.Line)
			if e.Package == "" { // a package rule's finding that names none
				pkg = location(scanner.Finding{Path: e.Path, Line: e.Line}, v)
			}
			return fmt.Sprintf("| %s%s | %s | %s | %s | %s |\n", pkg, alsoCell(e, v), orDash(code(version)), findingsCell(e), severityBadge(e.Severity), fixedIn(e))
		}), st, "packages")
	}
}

// fixedIn is the version that fixes an entry's advisories (Finding.Fixed,
// each once), or "—".
func fixedIn(e *report.Entry) string {
	var fixed []string
	for _, f := range e.Findings {
		if f.Fixed != "" && !slices.Contains(fixed, f.Fixed) {
			fixed = append(fixed, f.Fixed)
		}
	}
	if len(fixed) == 0 {
		return "—"
	}
	for i, v := range fixed {
		fixed[i] = code(v)
	}
	return strings.Join(fixed, ", ")
}

func mapRows(entries []*report.Entry, row func(*report.Entry) string) []mdRow {
	out := make([]mdRow, len(entries))
	for i, e := range entries {
		out[i] = mdRow{text: row(e), findings: len(e.Findings)}
	}
	return out
}

// adviceMarkdown renders what to do as a paragraph, or a list of several.
func adviceMarkdown(advice []string) string {
	switch len(advice) {
	case 0:
		return ""
	case 1:
		return "**What to do:** " + text(advice[0]) + "\n\n"
	}
	var b strings.Builder
	b.WriteString("**What to do:**\n\n")
	for _, a := range advice {
		fmt.Fprintf(&b, "- %s\n", text(a))
	}
	b.WriteString("\n")
	return b.String()
}

// findingsCell names an entry's advisories once, linked, then each
// finding's rule and message.
func findingsCell(e *report.Entry) string {
	var parts []string
	if len(e.IDs) > 0 {
		links := make([]string, 0, len(e.IDs))
		for _, id := range e.IDs {
			links = append(links, advisoryLink(id))
		}
		parts = append(parts, strings.Join(links, ", "))
	}
	for _, f := range e.Findings {
		parts = append(parts, code(f.RuleID)+": "+text(f.Message))
	}
	return strings.Join(parts, "<br>")
}

func advisoryLink(id string) string {
	return fmt.Sprintf("[%s](https://osv.dev/vulnerability/%s)", text(id), url.PathEscape(id))
}

// alsoCell lists an entry's further install locations as line links, the
// first few of many open and the rest folded.
func alsoCell(e *report.Entry, v View) string {
	if len(e.Also) == 0 {
		return ""
	}
	links := make([]string, len(e.Also))
	for i, l := range e.Also {
		label := fmt.Sprintf("L%d", l.Line)
		switch {
		case l.Path != e.Path && l.Line > 0:
			label = fmt.Sprintf("%s:%d", l.Path, l.Line)
		case l.Path != e.Path || l.Line == 0:
			label = l.Path
		}
		links[i] = link(text(label), v, l.Path, l.Line)
	}
	if len(links) <= maxAlsoOpen {
		return "<br>also at " + strings.Join(links, ", ")
	}
	const shown = maxAlsoOpen - 2
	return fmt.Sprintf("<br>also at %s <details><summary>and %d more</summary>%s</details>", strings.Join(links[:shown], ", "), len(links)-shown, strings.Join(links[shown:], ", "))
}

// commitLink links a commit (from a scanned repository: escaped) by its
// short id, or is "—" when the finding names none.
func commitLink(commit string, v View) string {
	if commit == "" {
		return "—"
	}
	label := commit
	if len(label) > 12 {
		label = label[:12]
	}
	if v.ServerURL == "" || v.Owner == "" || v.Repo == "" {
		return code(label)
	}
	return fmt.Sprintf("[%s](%s/%s/%s/commit/%s)", code(label), strings.TrimSuffix(v.ServerURL, "/"), url.PathEscape(v.Owner), url.PathEscape(v.Repo), url.PathEscape(commit))
}

func orDash(s string) string {
	if s == "" {
		return "—"
	}
	return s
}

// blobURL links a file at the scanned commit, at a line when line > 0; ""
// when the view cannot build links.
func blobURL(v View, path string, line int) string {
	if path == "" || v.ServerURL == "" || v.Owner == "" || v.Repo == "" || v.SHA == "" {
		return ""
	}
	segs := strings.Split(path, "/")
	for i, s := range segs {
		// "@" is legal in a path but escaped all the same: a link is no
		// place for something that reads as a mention.
		segs[i] = strings.ReplaceAll(url.PathEscape(s), "@", "%40")
	}
	u := fmt.Sprintf("%s/%s/%s/blob/%s/%s", strings.TrimSuffix(v.ServerURL, "/"), url.PathEscape(v.Owner), url.PathEscape(v.Repo), url.PathEscape(v.SHA), strings.Join(segs, "/"))
	if line > 0 {
		u += fmt.Sprintf("#L%d", line)
	}
	return u
}

// link makes label (markdown, already escaped) a link to path at line, or
// leaves it as it is when no link can be built.
func link(label string, v View, path string, line int) string {
	if u := blobURL(v, path, line); u != "" {
		return "[" + label + "](" + u + ")"
	}
	return label
}
