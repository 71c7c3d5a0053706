// Package report writes scan results and inventories for people and programs:
// plain text for terminals and logs, JSON for the CLI contract, tables for
// inventories. SARIF lives in package sarif; GitHub outputs in package github.
package report

import (
	"bufio"
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"sort"
	"strconv"
	"strings"
	"text/tabwriter"
	"unicode"

	"github.com/tollgate-dev/tollgate/lockfiles"
	"github.com/tollgate-dev/tollgate/scanner"
)

// JSON writes s as one indented JSON object: {"findings": [...], "skipped": [...], ...}.
func JSON(w io.Writer, s *scanner.Result) error {
	if s.Findings == nil {
		s.Findings = []scanner.Finding{}
	}
	if s.Skipped == nil {
		s.Skipped = []scanner.Skipped{}
	}
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	if err := enc.Encode(s); err != nil {
		return fmt.Errorf("write json: %w", err)
	}
	return nil
}

// DisabledGroup is checks turned off for the same reason.
type DisabledGroup struct {
	Checks []string
	Reason string
}

// GroupDisabled groups disabled checks by reason, in first-seen order, so
// that four checks not built yet read as one line.
func GroupDisabled(ds []scanner.Disabled) []DisabledGroup {
	var out []DisabledGroup
	at := map[string]int{}
	for _, d := range ds {
		i, ok := at[d.Reason]
		if !ok {
			i = len(out)
			at[d.Reason] = i
			out = append(out, DisabledGroup{Reason: d.Reason})
		}
		out[i].Checks = append(out[i].Checks, d.Check)
	}
	return out
}

// Counts returns the number of findings per severity.
func Counts(findings []scanner.Finding) map[string]int {
	c := map[string]int{}
	for _, f := range findings {
		c[f.Severity]++
	}
	return c
}

// CountsLine renders counts as "1 critical, 2 high" (most severe first).
func CountsLine(findings []scanner.Finding) string {
	c := Counts(findings)
	var parts []string
	for _, sev := range []string{scanner.SeverityCritical, scanner.SeverityHigh, scanner.SeverityMedium, scanner.SeverityLow, scanner.SeverityInfo} {
		if c[sev] > 0 {
			parts = append(parts, fmt.Sprintf("%d %s", c[sev], sev))
		}
	}
	if len(parts) == 0 {
		return "no findings"
	}
	return strings.Join(parts, ", ")
}

// InventoryJSON writes {"packages": [...]} (plus "errors" when some file failed).
func InventoryJSON(w io.Writer, inv *lockfiles.Inventory) error {
	// Streamed one package at a time: encoding the whole inventory at once
	// held the compact and the indented text of every package in memory
	// together (about 30 MB for 35,000 packages) on top of the packages.
	bw := bufio.NewWriterSize(w, 64<<10)
	var one bytes.Buffer
	enc := json.NewEncoder(&one)
	enc.SetIndent("    ", "  ")
	bw.WriteString("{\n  \"packages\": [")
	for i := range inv.Packages {
		one.Reset()
		if err := enc.Encode(&inv.Packages[i]); err != nil {
			return fmt.Errorf("write json: %w", err)
		}
		if i > 0 {
			bw.WriteString(",")
		}
		bw.WriteString("\n    ")
		bw.Write(bytes.TrimSuffix(one.Bytes(), []byte("\n")))
	}
	if len(inv.Packages) > 0 {
		bw.WriteString("\n  ")
	}
	bw.WriteString("]")
	if len(inv.Errors) > 0 {
		one.Reset()
		enc.SetIndent("  ", "  ")
		if err := enc.Encode(inv.Errors); err != nil {
			return fmt.Errorf("write json: %w", err)
		}
		bw.WriteString(",\n  \"errors\": ")
		bw.Write(bytes.TrimSuffix(one.Bytes(), []byte("\n")))
	}
	bw.WriteString("\n}\n")
	if err := bw.Flush(); err != nil {
		return fmt.Errorf("write json: %w", err)
	}
	return nil
}

// InventoryTable writes one aligned row per package, then a count per
// ecosystem and the files that could not be read.
func InventoryTable(w io.Writer, inv *lockfiles.Inventory) error {
	tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
	ew := &errWriter{w: tw}
	ew.printf("ECOSYSTEM\tNAME\tVERSION\tLOCATION\tFLAGS\n")
	perEco := map[string]int{}
	for _, p := range inv.Packages {
		perEco[p.Ecosystem]++
		var flags []string
		if p.Direct {
			flags = append(flags, "direct")
		}
		if p.Dev {
			flags = append(flags, "dev")
		}
		if p.Source != "" {
			flags = append(flags, p.Source)
		}
		if p.PinnedSHA {
			flags = append(flags, "sha-pinned")
		}
		ew.printf("%s\t%s\t%s\t%s:%d\t%s\n", p.Ecosystem, p.Name, p.Version, p.Path, p.Line, strings.Join(flags, ","))
	}
	if ew.err == nil {
		ew.err = tw.Flush()
	}
	ecos := make([]string, 0, len(perEco))
	for e := range perEco {
		ecos = append(ecos, e)
	}
	sort.Strings(ecos)
	ew.w = w
	var parts []string
	for _, e := range ecos {
		parts = append(parts, fmt.Sprintf("%s %d", e, perEco[e]))
	}
	ew.printf("%d packages in %d lockfiles (%s)\n", len(inv.Packages), len(inv.Files), strings.Join(parts, ", "))
	for _, e := range inv.Errors {
		ew.printf("error: %v\n", e.Err)
	}
	return ew.err
}

// errWriter keeps the first write error so that report code stays linear.
type errWriter struct {
	w   io.Writer
	err error
}

func (e *errWriter) printf(format string, args ...any) {
	if e.err != nil {
		return
	}
	for i, a := range args {
		switch v := a.(type) {
		case string:
			args[i] = oneLine(v)
		case error, fmt.Stringer:
			args[i] = oneLine(fmt.Sprint(v))
		}
	}
	_, e.err = fmt.Fprintf(e.w, format, args...)
}

// raw writes s as it is: for the report's own text (headings, colour
// sequences), never for text from a scanned repository.
func (e *errWriter) raw(s string) {
	if e.err != nil {
		return
	}
	_, e.err = io.WriteString(e.w, s)
}

// oneLine escapes the control characters of text from a scanned repository
// (a path holding a newline, a lockfile value holding a carriage return), so
// that it cannot start a line of its own in a log, where it could pass for
// a finding or a workflow command.
func oneLine(s string) string {
	if !strings.ContainsFunc(s, unicode.IsControl) && !strings.ContainsAny(s, "\u2028\u2029\u0085") {
		return s
	}
	q := strconv.Quote(s)
	return q[1 : len(q)-1]
}
