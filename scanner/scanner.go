// Package scanner holds what every check shares: the Finding and Skipped
// records, the Check interface, the Input a check reads, and Run, which runs
// checks concurrently and merges their results in a stable order.
package scanner

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io/fs"
	"sort"
	"strings"
	"sync"

	"github.com/tollgate-dev/tollgate/lockfiles"
)

// Severity levels, most severe first.
const (
	SeverityCritical = "critical"
	SeverityHigh     = "high"
	SeverityMedium   = "medium"
	SeverityLow      = "low"
	SeverityInfo     = "info"
)

// SeverityRank orders severities: critical 4 … info 0; unknown strings -1.
func SeverityRank(s string) int {
	switch s {
	case SeverityCritical:
		return 4
	case SeverityHigh:
		return 3
	case SeverityMedium:
		return 2
	case SeverityLow:
		return 1
	case SeverityInfo:
		return 0
	}
	return -1
}

// Precision values (SARIF rule property "precision"): how sure a rule is.
const (
	PrecisionVeryHigh = "very-high"
	PrecisionHigh     = "high"
	PrecisionMedium   = "medium"
	PrecisionLow      = "low"
)

// Finding is one problem found. JSON names are part of the CLI contract.
type Finding struct {
	RuleID   string `json:"rule_id"`
	Severity string `json:"severity"`
	// Message is one sentence a reviewer can act on; secrets always redacted.
	Message string `json:"message"`
	Path    string `json:"path"`
	Line    int    `json:"line"`
	// Package is the purl of the package the finding is about, if any.
	Package string `json:"package,omitempty"`
	// Evidence is short and redacted.
	Evidence string `json:"evidence,omitempty"`
	// Fingerprint is stable across runs and line moves.
	Fingerprint string `json:"fingerprint"`
	// IDs are advisory identifiers (OSV, GHSA, CVE) the finding rests on.
	IDs []string `json:"ids,omitempty"`
}

// Skipped names a check, or part of one, that could not run, and why.
type Skipped struct {
	Check  string `json:"check"`
	Reason string `json:"reason"`
}

// Rule describes a rule id for reports (SARIF rules, summaries).
type Rule struct {
	ID    string
	Name  string // CamelCase display name
	Short string // one line
	Full  string // a paragraph
	// Help is markdown: what it means, how to fix.
	Help      string
	Severity  string
	Precision string
	Tags      []string
}

// Mode says what a scan covers.
type Mode string

// Scan modes.
const (
	// ModeSweep reports everything in the tree.
	ModeSweep Mode = "sweep"
	// ModePullRequest reports only what a change introduced.
	ModePullRequest Mode = "pull-request"
)

// Line is one line of text with its 1-based number.
type Line struct {
	Number int
	Text   string
}

// FileLines are the lines a change adds to one file.
type FileLines struct {
	Path  string
	Lines []Line
}

// Input is what checks read. Checks must not modify it.
type Input struct {
	Mode Mode
	// FS is the head tree (the work tree in a sweep).
	FS fs.FS
	// Inventory is the head inventory (all lockfiles).
	Inventory *lockfiles.Inventory
	// Packages are the packages to check: every package in a sweep, the added
	// and updated ones in pull-request mode.
	Packages []lockfiles.Package
	// Changes is the dependency delta in pull-request mode (nil in a sweep).
	Changes []lockfiles.Change
	// Added are the added lines per file in pull-request mode (nil in a sweep).
	Added []FileLines
	// Offline forbids network access; checks that need it return a Skipped.
	Offline bool
}

// Check is one kind of analysis.
type Check interface {
	// ID is the check's name as used in config ("osv", "secrets", ...).
	ID() string
	// Rules lists every rule id the check can report.
	Rules() []Rule
	// Run analyses in. A returned error means the check could not complete
	// (the scan fails closed); partial inability is a Skipped entry.
	Run(ctx context.Context, in *Input) ([]Finding, []Skipped, error)
}

// Result is the merged outcome of running checks.
type Result struct {
	Findings []Finding `json:"findings"`
	Skipped  []Skipped `json:"skipped"`
	// Rules are the rules of every check that ran, by id.
	Rules map[string]Rule `json:"-"`
}

// Run runs checks concurrently on in. It returns an error if any check failed;
// the result still holds what the others found.
func Run(ctx context.Context, checks []Check, in *Input) (*Result, error) {
	type out struct {
		findings []Finding
		skipped  []Skipped
		err      error
	}
	outs := make([]out, len(checks))
	var wg sync.WaitGroup
	for i, c := range checks {
		wg.Add(1)
		go func() {
			defer wg.Done()
			defer func() {
				if r := recover(); r != nil {
					outs[i].err = fmt.Errorf("check %s: internal error: %v", c.ID(), r)
				}
			}()
			f, s, err := c.Run(ctx, in)
			if err != nil {
				err = fmt.Errorf("check %s: %w", c.ID(), err)
			}
			outs[i] = out{f, s, err}
		}()
	}
	wg.Wait()
	res := &Result{Findings: []Finding{}, Skipped: []Skipped{}, Rules: map[string]Rule{}}
	var errs []string
	for i, o := range outs {
		for _, r := range checks[i].Rules() {
			res.Rules[r.ID] = r
		}
		for _, f := range o.findings {
			if f.Fingerprint == "" {
				f.Fingerprint = Fingerprint(f.RuleID, f.Path, f.Package, strings.Join(f.IDs, ","))
			}
			res.Findings = append(res.Findings, f)
		}
		res.Skipped = append(res.Skipped, o.skipped...)
		if o.err != nil {
			errs = append(errs, o.err.Error())
		}
	}
	SortFindings(res.Findings)
	if len(errs) > 0 {
		return res, fmt.Errorf("%s", strings.Join(errs, "; "))
	}
	return res, nil
}

// SortFindings orders findings most severe first, then by path, line, rule and package.
func SortFindings(fs []Finding) {
	sort.SliceStable(fs, func(i, j int) bool {
		a, b := &fs[i], &fs[j]
		if ra, rb := SeverityRank(a.Severity), SeverityRank(b.Severity); ra != rb {
			return ra > rb
		}
		if a.Path != b.Path {
			return a.Path < b.Path
		}
		if a.Line != b.Line {
			return a.Line < b.Line
		}
		if a.RuleID != b.RuleID {
			return a.RuleID < b.RuleID
		}
		return a.Package < b.Package
	})
}

// Fingerprint hashes the parts that identify a finding independent of its line.
func Fingerprint(parts ...string) string {
	h := sha256.New()
	for _, p := range parts {
		h.Write([]byte(p))
		h.Write([]byte{0})
	}
	return hex.EncodeToString(h.Sum(nil))[:32]
}
