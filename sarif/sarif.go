// Package sarif turns scan results into SARIF 2.1.0 for GitHub code scanning,
// through github.com/owenrumney/go-sarif, within GitHub's published limits.
package sarif

import (
	"bytes"
	"compress/gzip"
	"encoding/json"
	"fmt"
	"io"
	"net/url"
	"sort"
	"strings"

	gosarif "github.com/owenrumney/go-sarif/v2/sarif"
	"github.com/tollgate-dev/tollgate/scanner"
)

// GitHub's limits for one SARIF upload (docs: "SARIF support for code scanning").
const (
	MaxResultsPerRun = 25000
	MaxRuns          = 20
	MaxGzipBytes     = 10 << 20
	maxDescription   = 1024
	maxTags          = 20
)

// SchemaURI is the $schema GitHub's documentation shows.
const SchemaURI = "https://json.schemastore.org/sarif-2.1.0.json"

// InformationURI is where the tool's documentation lives.
const InformationURI = "https://github.com/tollgate-dev/tollgate"

// Options shape the report.
type Options struct {
	// ToolVersion is the driver's semantic version.
	ToolVersion string
	// Category prefixes each run's automationDetails.id (default "tollgate").
	Category string
	// MaxResultsPerRun and MaxGzipBytes override GitHub's limits (tests).
	MaxResultsPerRun int
	MaxGzipBytes     int
}

// category names the run a rule belongs to: secrets apart from dependency
// findings, so that each can be re-uploaded and dismissed on its own.
func category(ruleID string) string {
	if strings.HasPrefix(ruleID, "secret/") {
		return "secrets"
	}
	return "dependencies"
}

// securitySeverity maps our severities into GitHub's bands (one decimal,
// avoiding the unassigned 9.0 boundary).
func securitySeverity(sev string) string {
	switch sev {
	case scanner.SeverityCritical:
		return "9.5"
	case scanner.SeverityHigh:
		return "8.0"
	case scanner.SeverityMedium:
		return "5.5"
	case scanner.SeverityLow:
		return "2.0"
	}
	return ""
}

func level(sev string) string {
	switch sev {
	case scanner.SeverityCritical, scanner.SeverityHigh:
		return "error"
	case scanner.SeverityMedium:
		return "warning"
	}
	return "note"
}

// Build returns the SARIF report of res. notes say what was dropped to stay
// within GitHub's limits (empty when nothing was).
func Build(res *scanner.Result, opts Options) (*gosarif.Report, []string, error) {
	if opts.Category == "" {
		opts.Category = "tollgate"
	}
	maxResults := opts.MaxResultsPerRun
	if maxResults <= 0 {
		maxResults = MaxResultsPerRun
	}
	report, err := gosarif.New(gosarif.Version210, false)
	if err != nil {
		return nil, nil, fmt.Errorf("sarif: %w", err)
	}
	report.Schema = SchemaURI

	byCategory := map[string][]scanner.Finding{}
	for _, f := range res.Findings {
		c := category(f.RuleID)
		byCategory[c] = append(byCategory[c], f)
	}
	// Every category gets a run, even when empty, so that an upload clears
	// alerts that are fixed.
	cats := []string{"dependencies", "secrets"}
	var notes []string
	for _, cat := range cats {
		findings := append([]scanner.Finding(nil), byCategory[cat]...)
		scanner.SortFindings(findings) // most severe first, so truncation drops the least severe
		if len(findings) > maxResults {
			notes = append(notes, fmt.Sprintf("%s: %d results over GitHub's limit of %d per run were dropped, least severe first", cat, len(findings)-maxResults, maxResults))
			findings = findings[:maxResults]
		}
		run := buildRun(cat, findings, res.Rules, opts, notes)
		addCheckNotifications(run, cat, res)
		report.AddRun(run)
	}
	if len(report.Runs) > MaxRuns {
		return nil, nil, fmt.Errorf("sarif: %d runs exceed GitHub's limit of %d", len(report.Runs), MaxRuns)
	}
	return report, notes, nil
}

// checkCategory is the run a check's notifications belong to.
func checkCategory(check string) string {
	if check == "secrets" {
		return "secrets"
	}
	return "dependencies"
}

// addCheckNotifications records in the run's invocation what could not run
// (skipped: an error notification each, and executionSuccessful false, so a
// code-scanning reader can tell an incomplete run from a clean one) and what
// was left out by choice (disabled: a note each).
func addCheckNotifications(run *gosarif.Run, cat string, res *scanner.Result) {
	var skipped []scanner.Skipped
	for _, s := range res.Skipped {
		if checkCategory(s.Check) == cat {
			skipped = append(skipped, s)
		}
	}
	var disabled []scanner.Disabled
	for _, d := range res.Disabled {
		if checkCategory(d.Check) == cat {
			disabled = append(disabled, d)
		}
	}
	if len(skipped)+len(disabled) == 0 {
		return
	}
	var inv *gosarif.Invocation
	if len(run.Invocations) > 0 {
		inv = run.Invocations[0]
	} else {
		inv = run.AddInvocation(true)
	}
	if len(skipped) > 0 {
		ok := false
		inv.ExecutionSuccessful = &ok
	}
	for _, s := range skipped {
		inv.ToolExecutionNotifications = append(inv.ToolExecutionNotifications,
			gosarif.NewNotification().WithMessage(gosarif.NewTextMessage(s.Check+" could not run fully: "+s.Reason)).WithLevel("error"))
	}
	for _, d := range disabled {
		inv.ToolExecutionNotifications = append(inv.ToolExecutionNotifications,
			gosarif.NewNotification().WithMessage(gosarif.NewTextMessage(d.Check+" turned off: "+d.Reason)).WithLevel("note"))
	}
}

func buildRun(cat string, findings []scanner.Finding, rules map[string]scanner.Rule, opts Options, notes []string) *gosarif.Run {
	driver := gosarif.NewDriver("tollgate").WithInformationURI(InformationURI)
	if opts.ToolVersion != "" {
		v := opts.ToolVersion
		driver.SemanticVersion = &v
	}
	run := gosarif.NewRun(*gosarif.NewTool(driver))
	run.Results = []*gosarif.Result{}
	run.Tool.Driver.Rules = []*gosarif.ReportingDescriptor{}
	id := opts.Category + "/" + cat + "/"
	run.AutomationDetails = &gosarif.RunAutomationDetails{ID: &id}

	// Rules: those the results cite, sorted so that ruleIndex is stable. Rules
	// without results are left out: the secrets check alone has 150+ rules,
	// and declaring them all would make every upload hundreds of kilobytes.
	var ids []string
	for _, f := range findings {
		if _, ok := rules[f.RuleID]; !ok {
			rules = withRule(rules, scanner.Rule{ID: f.RuleID, Severity: f.Severity}) // never cite an undeclared rule
		}
		ids = append(ids, f.RuleID)
	}
	ids = dedupe(ids)
	index := map[string]int{}
	for i, rid := range ids {
		index[rid] = i
		run.Tool.Driver.AddRule(rule(rules[rid]))
	}

	seen := map[string]int{}
	for _, f := range findings {
		r := gosarif.NewRuleResult(f.RuleID).
			WithRuleIndex(index[f.RuleID]).
			WithLevel(level(f.Severity)).
			WithMessage(gosarif.NewTextMessage(nonEmpty(f.Message, f.RuleID)))
		line := max(f.Line, 1)
		loc := gosarif.NewPhysicalLocation().
			WithArtifactLocation(gosarif.NewSimpleArtifactLocation(escapePath(f.Path))).
			WithRegion(gosarif.NewRegion().WithStartLine(line).WithEndLine(line).WithStartColumn(1))
		r.AddLocation(gosarif.NewLocationWithPhysicalLocation(loc))
		// Further install locations of the same name@version in the file.
		for i, l := range f.Locations {
			ll := max(l.Line, 1)
			rl := gosarif.NewLocationWithPhysicalLocation(gosarif.NewPhysicalLocation().
				WithArtifactLocation(gosarif.NewSimpleArtifactLocation(escapePath(l.Path))).
				WithRegion(gosarif.NewRegion().WithStartLine(ll).WithEndLine(ll).WithStartColumn(1))).
				WithId(i + 1).
				WithMessage(gosarif.NewTextMessage("also installed here"))
			r.AddRelatedLocation(rl)
		}
		// GitHub matches alerts across runs on primaryLocationLineHash. Ours is
		// derived from the finding's line-independent fingerprint, so an alert
		// survives its line moving; the count keeps twins in one file apart.
		key := f.Path + "\x00" + f.Fingerprint
		seen[key]++
		r.WithPartialFingerPrints(map[string]any{
			"primaryLocationLineHash": fmt.Sprintf("%s:%d", short(f.Fingerprint), seen[key]),
			"tollgate/v1":             f.Fingerprint,
		})
		props := gosarif.Properties{"severity": f.Severity}
		if f.Package != "" {
			props["purl"] = f.Package
		}
		if len(f.IDs) > 0 {
			props["ids"] = f.IDs
		}
		if s := securitySeverity(f.Severity); s != "" {
			props["security-severity"] = s
		}
		r.PropertyBag = gosarif.PropertyBag{Properties: props}
		run.AddResult(r)
	}
	var runNotes []string
	for _, n := range notes {
		if strings.HasPrefix(n, cat+":") {
			runNotes = append(runNotes, n)
		}
	}
	if len(runNotes) > 0 {
		inv := run.AddInvocation(true)
		for _, n := range runNotes {
			inv.ToolExecutionNotifications = append(inv.ToolExecutionNotifications, gosarif.NewNotification().WithMessage(gosarif.NewTextMessage(n)).WithLevel("warning"))
		}
	}
	return run
}

func withRule(rules map[string]scanner.Rule, r scanner.Rule) map[string]scanner.Rule {
	out := make(map[string]scanner.Rule, len(rules)+1)
	for k, v := range rules {
		out[k] = v
	}
	out[r.ID] = r
	return out
}

func dedupe(ids []string) []string {
	sort.Strings(ids)
	out := ids[:0]
	for i, id := range ids {
		if i == 0 || id != ids[i-1] {
			out = append(out, id)
		}
	}
	return out
}

func rule(r scanner.Rule) *gosarif.ReportingDescriptor {
	short := truncate(nonEmpty(r.Short, r.ID), maxDescription)
	full := truncate(nonEmpty(r.Full, short), maxDescription)
	help := nonEmpty(r.Help, full)
	d := gosarif.NewRule(r.ID).
		WithName(nonEmpty(r.Name, camel(r.ID))).
		WithShortDescription(gosarif.NewMultiformatMessageString(short)).
		WithFullDescription(gosarif.NewMultiformatMessageString(full)).
		WithHelp(gosarif.NewMultiformatMessageString(help).WithMarkdown(help)).
		WithDefaultConfiguration(gosarif.NewReportingConfiguration().WithLevel(level(r.Severity)))
	tags := append([]string{"security", "supply-chain"}, r.Tags...)
	tags = dedupe(tags)
	if len(tags) > maxTags {
		tags = tags[:maxTags]
	}
	props := gosarif.Properties{
		"tags":      tags,
		"precision": nonEmpty(r.Precision, scanner.PrecisionHigh),
	}
	if s := securitySeverity(r.Severity); s != "" {
		props["security-severity"] = s
	}
	d.WithProperties(props)
	return d
}

// escapePath makes a repository-relative URI: forward slashes, each segment
// percent-escaped, never absolute. A colon in the first segment is escaped
// too (RFC 3986 section 4.2): unescaped, a top-level directory named
// "https:" would turn the reference into an absolute URI with a scheme.
func escapePath(p string) string {
	p = strings.TrimLeft(strings.ReplaceAll(p, "\\", "/"), "/")
	if p == "" {
		return "."
	}
	segs := strings.Split(p, "/")
	for i, s := range segs {
		segs[i] = url.PathEscape(s)
	}
	segs[0] = strings.ReplaceAll(segs[0], ":", "%3A")
	return strings.Join(segs, "/")
}

func camel(id string) string {
	var b strings.Builder
	up := true
	for _, r := range id {
		if r == '-' || r == '/' || r == '_' || r == '.' {
			up = true
			continue
		}
		if up {
			b.WriteString(strings.ToUpper(string(r)))
			up = false
			continue
		}
		b.WriteRune(r)
	}
	return b.String()
}

func nonEmpty(s, fallback string) string {
	if strings.TrimSpace(s) == "" {
		return fallback
	}
	return s
}

func truncate(s string, n int) string {
	if len(s) <= n {
		return s
	}
	cut := n - 3
	for cut > 0 && s[cut]&0xC0 == 0x80 { // do not split a UTF-8 sequence
		cut--
	}
	return s[:cut] + "..."
}

func short(fp string) string {
	if len(fp) > 16 {
		return fp[:16]
	}
	return fp
}

// Write builds the report and writes it as indented JSON. When the gzipped
// size exceeds GitHub's limit, the least severe results are dropped (halving
// the largest run) until it fits, and a note says so.
func Write(w io.Writer, res *scanner.Result, opts Options) ([]string, error) {
	limit := opts.MaxGzipBytes
	if limit <= 0 {
		limit = MaxGzipBytes
	}
	trimmed := *res
	var notes []string
	for {
		report, buildNotes, err := Build(&trimmed, opts)
		if err != nil {
			return nil, err
		}
		data, err := json.MarshalIndent(report, "", "  ")
		if err != nil {
			return nil, fmt.Errorf("sarif: encode: %w", err)
		}
		size, err := gzipSize(data)
		if err != nil {
			return nil, err
		}
		if size <= limit || len(trimmed.Findings) == 0 {
			notes = append(notes, buildNotes...)
			if _, err := w.Write(append(data, '\n')); err != nil {
				return nil, fmt.Errorf("sarif: write: %w", err)
			}
			return notes, nil
		}
		fs := append([]scanner.Finding(nil), trimmed.Findings...)
		scanner.SortFindings(fs)
		keep := len(fs) / 2
		notes = append(notes, fmt.Sprintf("SARIF was %d bytes gzipped, over the %d-byte limit: dropped the %d least severe results", size, limit, len(fs)-keep))
		trimmed.Findings = fs[:keep]
	}
}

func gzipSize(data []byte) (int, error) {
	var buf bytes.Buffer
	zw := gzip.NewWriter(&buf)
	if _, err := zw.Write(data); err != nil {
		return 0, fmt.Errorf("sarif: gzip: %w", err)
	}
	if err := zw.Close(); err != nil {
		return 0, fmt.Errorf("sarif: gzip: %w", err)
	}
	return buf.Len(), nil
}
