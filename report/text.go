package report

import (
	"fmt"
	"io"
	"slices"
	"strings"

	"github.com/tollgate-dev/tollgate/lockfiles"
	"github.com/tollgate-dev/tollgate/scanner"
)

// TextOptions configure the text report.
type TextOptions struct {
	// Color marks severities and headings with ANSI colours. The caller
	// decides: colour only on a terminal and when NO_COLOR is unset.
	Color bool
}

// UnreadableCheck is the id of the check that turns unreadable lockfiles
// into findings. Its Skipped entry restates those findings (their packages
// went unchecked), so reports say it with the findings, once, instead of
// in a list of their own.
const UnreadableCheck = "unreadable"

// maxAlso bounds the further install locations listed on one line.
const maxAlso = 5

// Text writes s for a terminal or a log, without colour; see WriteText.
func Text(w io.Writer, s *scanner.Result) error { return WriteText(w, s, TextOptions{}) }

// WriteText writes s for people: the findings grouped by package (then by
// lockfile), most severe group first, each group saying what to do; then
// what was not checked, what was turned off, notes and the counts.
func WriteText(w io.Writer, s *scanner.Result, opts TextOptions) error {
	ew := &errWriter{w: w}
	p := palette(opts.Color)
	mode := string(s.Mode)
	if s.Source != "" {
		mode += " from " + s.Source
	}
	ew.printf("tollgate %s: %d lockfiles, %d packages\n", mode, s.Lockfiles, s.Packages)

	entries := Entries(s)
	unreadable := UnreadablePaths(entries)
	for _, g := range textGroups(entries) {
		ew.raw("\n")
		writeTextGroup(ew, p, g, s.Rules)
	}

	skipped := NotCheckedBesides(s, unreadable)
	if len(skipped) > 0 {
		ew.raw("\n" + p.warn("NOT CHECKED") + " (what did run is reported; this is not an all clear)\n")
		for _, sk := range skipped {
			ew.printf("  %s: %s\n", sk.Check, sk.Reason)
		}
	}
	if errs := ErrorsBesides(s, unreadable); len(errs) > 0 {
		ew.raw("\n" + p.warn("COULD NOT READ") + " (their packages were not checked)\n")
		for _, e := range errs {
			ew.printf("  %s: %v\n", e.Path, e.Err)
		}
	}
	if groups := GroupDisabled(s.Disabled); len(groups) > 0 {
		ew.raw("\n" + p.bold("TURNED OFF") + "\n")
		for _, d := range groups {
			ew.printf("  %s: %s\n", strings.Join(d.Checks, ", "), d.Reason)
		}
	}
	if len(s.Notes) > 0 {
		ew.raw("\n" + p.bold("NOTES") + "\n")
		for _, n := range s.Notes {
			ew.printf("  %s\n", n)
		}
	}
	ew.printf("\n"+p.bold("%s")+"\n", FindingsLine(s.Findings))
	return ew.err
}

// FindingsLine counts findings in a sentence: "no findings", "1 finding:
// 1 high", "3 findings: 2 critical, 1 high".
func FindingsLine(findings []scanner.Finding) string {
	switch len(findings) {
	case 0:
		return "no findings"
	case 1:
		return "1 finding: " + CountsLine(findings)
	}
	return fmt.Sprintf("%d findings: %s", len(findings), CountsLine(findings))
}

// textGroup is what the text report says about one package version (in
// every lockfile that has it) or, for findings not about a package, one file.
type textGroup struct {
	pkg, path string
	entries   []*Entry
}

// textGroups groups entries by package, else by file, in the entries'
// order: the group of the most severe entry first.
func textGroups(entries []*Entry) []*textGroup {
	at := map[string]*textGroup{}
	var out []*textGroup
	for _, e := range entries {
		key := "pkg\x00" + e.Package
		if e.Package == "" {
			key = "path\x00" + e.Path
		}
		g := at[key]
		if g == nil {
			g = &textGroup{pkg: e.Package, path: e.Path}
			at[key] = g
			out = append(out, g)
		}
		g.entries = append(g.entries, e)
	}
	for _, g := range out {
		// Keep one lockfile's entries together, in first-seen order.
		var order []string
		for _, e := range g.entries {
			if !slices.Contains(order, e.Path) {
				order = append(order, e.Path)
			}
		}
		slices.SortStableFunc(g.entries, func(a, b *Entry) int {
			return slices.Index(order, a.Path) - slices.Index(order, b.Path)
		})
	}
	return out
}

func writeTextGroup(ew *errWriter, p colours, g *textGroup, rules map[string]scanner.Rule) {
	sev := g.entries[0].Severity
	var kinds []string
	for _, e := range g.entries {
		if l := kindLabel(e.Kind); !slices.Contains(kinds, l) {
			kinds = append(kinds, l)
		}
	}
	title := g.path
	if g.pkg != "" {
		typ, name, version := PackageParts(g.pkg)
		title = strings.TrimSpace(name + " " + version)
		if typ != "" {
			title += " (" + typ + ")"
		}
	}
	ew.printf(p.severity(sev, "%-8s")+"  "+p.bold("%s")+" · %s\n", strings.ToUpper(sev), title, strings.Join(kinds, ", "))
	var advice []string
	var lastPath string
	lastLine := -1
	for _, e := range g.entries {
		if e.Package == "" || e.Path != lastPath || e.Line != lastLine {
			ew.printf("  %s%s\n", place(e.Path, e.Line), alsoText(e))
		}
		lastPath, lastLine = e.Path, e.Line
		for _, f := range e.Findings {
			label := f.RuleID
			if f.Severity != sev {
				label += " (" + f.Severity + ")"
			}
			if f.Commit != "" {
				label += " in commit " + shortSHA(f.Commit)
			}
			ew.printf("    %s  %s\n", label, f.Message)
		}
		for _, a := range Advice(e.Kind, e.Findings, rules) {
			if !slices.Contains(advice, a) {
				advice = append(advice, a)
			}
		}
	}
	for _, a := range advice {
		ew.printf("  "+p.advice("→")+" %s\n", a)
	}
}

// kindLabel names one finding's kind in a text group's heading.
func kindLabel(k Kind) string {
	switch k {
	case KindConfusion:
		return "dependency confusion"
	case KindPolicy:
		return "policy change"
	case KindUnreadable:
		return "unreadable lockfile"
	}
	return string(k)
}

func place(path string, line int) string {
	if line > 0 {
		return fmt.Sprintf("%s:%d", path, line)
	}
	return path
}

// alsoText lists an entry's further install locations: ", also at lines
// 40, 90" in the same file, the first few of many.
func alsoText(e *Entry) string {
	if len(e.Also) == 0 {
		return ""
	}
	var parts []string
	sameFile := true
	for _, l := range e.Also {
		sameFile = sameFile && l.Path == e.Path && l.Line > 0
	}
	for i, l := range e.Also {
		if i == maxAlso {
			parts = append(parts, fmt.Sprintf("and %d more", len(e.Also)-maxAlso))
			break
		}
		if sameFile {
			parts = append(parts, fmt.Sprint(l.Line))
		} else {
			parts = append(parts, place(l.Path, l.Line))
		}
	}
	if sameFile {
		word := "line"
		if len(e.Also) > 1 {
			word = "lines"
		}
		return ", also at " + word + " " + strings.Join(parts, ", ")
	}
	return ", also at " + strings.Join(parts, ", ")
}

func shortSHA(s string) string {
	if len(s) > 12 {
		return s[:12]
	}
	return s
}

// UnreadablePaths are the lockfiles an unreadable-lockfile finding names.
func UnreadablePaths(entries []*Entry) []string {
	var out []string
	for _, e := range entries {
		if e.Kind == KindUnreadable && !slices.Contains(out, e.Path) {
			out = append(out, e.Path)
		}
	}
	return out
}

// NotCheckedBesides returns the skipped entries a report lists on their
// own: all but the unreadable check's, when its findings already say that
// the lockfiles at paths went unchecked.
func NotCheckedBesides(s *scanner.Result, unreadablePaths []string) []scanner.Skipped {
	var out []scanner.Skipped
	for _, sk := range s.Skipped {
		if sk.Check == UnreadableCheck && len(unreadablePaths) > 0 {
			continue
		}
		out = append(out, sk)
	}
	return out
}

// ErrorsBesides returns the lockfile errors no unreadable-lockfile finding
// already reports.
func ErrorsBesides(s *scanner.Result, unreadablePaths []string) []*lockfiles.FileError {
	var out []*lockfiles.FileError
	for _, e := range s.Errors {
		if !slices.Contains(unreadablePaths, e.Path) {
			out = append(out, e)
		}
	}
	return out
}

// colours paints text for a terminal; the zero value paints nothing.
type colours struct{ on bool }

func palette(on bool) colours { return colours{on: on} }

// ANSI SGR sequences (ECMA-48): the few a report needs do not justify a
// dependency.
const (
	ansiReset  = "\x1b[0m"
	ansiBold   = "\x1b[1m"
	ansiDim    = "\x1b[2m"
	ansiRed    = "\x1b[31m"
	ansiYellow = "\x1b[33m"
	ansiBlue   = "\x1b[34m"
	ansiCyan   = "\x1b[36m"
)

func (c colours) paint(code, s string) string {
	if !c.on {
		return s
	}
	return code + s + ansiReset
}

func (c colours) bold(s string) string { return c.paint(ansiBold, s) }
func (c colours) warn(s string) string { return c.paint(ansiBold+ansiYellow, s) }

func (c colours) advice(s string) string { return c.paint(ansiCyan, s) }

func (c colours) severity(sev, s string) string {
	switch sev {
	case scanner.SeverityCritical:
		return c.paint(ansiBold+ansiRed, s)
	case scanner.SeverityHigh:
		return c.paint(ansiRed, s)
	case scanner.SeverityMedium:
		return c.paint(ansiYellow, s)
	case scanner.SeverityLow:
		return c.paint(ansiBlue, s)
	}
	return c.paint(ansiDim, s)
}
