// Package scanner holds what every check shares: the Finding and Skipped
// records, the Check interface, the Input a check reads, and Run, which runs
// checks concurrently and merges their results in a stable order.
package scanner

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io/fs"
	"sort"
	"strings"
	"sync"
	"time"

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
	// Fixed is the version that fixes what the finding is about (the
	// nearest fixed version of a vulnerable package), when known.
	Fixed string `json:"fixed,omitempty"`
	// Commit is the commit that introduced what the finding is about, when
	// known (a secret added by one commit of a pull request).
	Commit string `json:"commit,omitempty"`
	// Locations are the other places in the same file the finding also
	// applies to: every further install location of one name@version in a
	// lockfile (SARIF relatedLocations). Path and Line are the first.
	Locations []Location `json:"locations,omitempty"`
}

// Location is one further place a finding applies to.
type Location struct {
	Path string `json:"path"`
	Line int    `json:"line"`
}

// Skipped names a check, or part of one, that could not run, and why.
type Skipped struct {
	Check  string `json:"check"`
	Reason string `json:"reason"`
	// ByChoice marks a part left out by the user's choice (offline, live
	// verification off on forks), not a failure: Run lists it as Disabled,
	// so that it never makes a result incomplete.
	ByChoice bool `json:"-"`
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
	// Changed are the paths a pull request adds or changes (not those it
	// deletes), for what judges names rather than lines.
	Changed []string
	// TooLarge are the changed text files whose added lines were not
	// computed (over the change set's size limit), in pull-request mode.
	TooLarge []string
	// Offline forbids network access. Run never starts a check whose Needs
	// ask for the network when it is set; a check with an optional online
	// part (secret verification) reads it to skip that part.
	Offline bool
}

// Needs are what a check must have to run at all. Run checks them against
// the run's Environment before starting the check: a check whose needs are
// not met is never started and becomes a Skipped entry saying why.
type Needs struct {
	// Network: the check queries a remote service.
	Network bool
	// GitHubToken: the check calls the GitHub API with a token.
	GitHubToken bool
	// Registries are the package registries (config registries keys: npm,
	// pypi, ...) the check queries; each needs the network and a base URL.
	Registries []string
	// Hint is added to the reason when the needs are not met: what to do
	// instead ("pass --osv-db DIR to check packages offline").
	Hint string
}

// Environment is what a run offers checks.
type Environment struct {
	// Offline: no network.
	Offline bool
	// GitHubToken: a token for the GitHub API is available.
	GitHubToken bool
	// Registries maps registry keys to base URLs; a key mapped to "" or
	// absent means that registry is not available.
	Registries map[string]string
}

// Unmet says why env does not meet n, or "" when it does. byChoice is true
// when the only reason is the user's choice to run offline: the check is
// then listed as turned off, not as a failure.
func (n Needs) Unmet(env Environment) (reason string, byChoice bool) {
	var why []string
	offline := false
	switch {
	case n.Network && env.Offline:
		why, offline = append(why, "offline: the check needs network access"), true
	case len(n.Registries) > 0 && env.Offline:
		why, offline = append(why, "offline: the check needs the "+strings.Join(n.Registries, ", ")+" registry"), true
	}
	if !env.Offline {
		for _, r := range n.Registries {
			if env.Registries[r] == "" {
				why = append(why, "no base URL for the "+r+" registry")
			}
		}
	}
	if n.GitHubToken && !env.GitHubToken {
		why = append(why, "no GitHub token: the check calls the GitHub API")
	}
	if len(why) == 0 {
		return "", false
	}
	reason = strings.Join(why, "; ")
	if n.Hint != "" {
		reason += ": " + n.Hint
	}
	return reason, offline && len(why) == 1
}

// Check is one kind of analysis. Checks live under checks/<id>/ and are
// listed in checks/all.
type Check interface {
	// ID is the check's name as used in config ("osv", "secrets", ...).
	ID() string
	// Rules lists every rule id the check can report.
	Rules() []Rule
	// Needs says what the check must have to run; Run enforces it.
	Needs() Needs
	// Run analyses in. A returned error means the check could not complete
	// (the scan fails closed); partial inability is a Skipped entry. A check
	// whose context ends returns what it found so far with the context's
	// error: Run keeps those findings when the end was the check's budget.
	Run(ctx context.Context, in *Input) ([]Finding, []Skipped, error)
}

// Disabled names a check, or part of one, that did not run by the user's
// choice (turned off in the config, offline) or because this version does
// not have it: listed in the report, not a fault.
type Disabled struct {
	Check  string `json:"check"`
	Reason string `json:"reason"`
}

// Result is one scan's outcome: what every reporter (text, JSON, SARIF, the
// GitHub summary and comment) takes. JSON names are part of the CLI contract.
type Result struct {
	// Mode is sweep or pull-request; Source says where the change set came
	// from (git, github-api, work-tree) in pull-request mode.
	Mode   Mode   `json:"mode"`
	Source string `json:"source,omitempty"`
	// Lockfiles and Packages count what was read.
	Lockfiles int       `json:"lockfiles"`
	Packages  int       `json:"packages"`
	Findings  []Finding `json:"findings"`
	Skipped   []Skipped `json:"skipped"`
	// Disabled lists the checks turned off, each with why.
	Disabled []Disabled `json:"disabled,omitempty"`
	// Errors are the lockfiles that could not be read.
	Errors []*lockfiles.FileError `json:"errors,omitempty"`
	// Notes are things a reader should know (expired ignores, trimmed output).
	Notes []string `json:"notes,omitempty"`
	// Rules are the rules of every check that ran, by id.
	Rules map[string]Rule `json:"-"`
}

// DefaultGrace is how long Run waits for a check past its budget before it
// gives up on it.
const DefaultGrace = 5 * time.Second

// RunOptions configure Run.
type RunOptions struct {
	// Env is what the run offers; checks whose Needs it does not meet are
	// skipped.
	Env Environment
	// Budgets bound each check's run by id; a check without one runs until
	// ctx ends. When a budget runs out, what the check found so far is kept
	// and a Skipped entry names the unfinished part.
	Budgets map[string]time.Duration
	// Grace is how long a check may take past its budget to return before
	// Run stops waiting for it (default DefaultGrace).
	Grace time.Duration
}

// Run runs checks concurrently on in. It returns an error if any check
// failed; the result still holds what the others found.
func Run(ctx context.Context, checks []Check, in *Input, opts RunOptions) (*Result, error) {
	if opts.Grace <= 0 {
		opts.Grace = DefaultGrace
	}
	outs := make([]checkOutcome, len(checks))
	var wg sync.WaitGroup
	for i, c := range checks {
		if why, byChoice := c.Needs().Unmet(opts.Env); why != "" {
			outs[i].skipped = []Skipped{{Check: c.ID(), Reason: why, ByChoice: byChoice}}
			continue
		}
		wg.Add(1)
		go func() {
			defer wg.Done()
			outs[i] = runOne(ctx, c, in, opts.Budgets[c.ID()], opts.Grace)
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
		for _, sk := range o.skipped {
			if sk.ByChoice {
				res.Disabled = append(res.Disabled, Disabled{Check: sk.Check, Reason: sk.Reason})
				continue
			}
			res.Skipped = append(res.Skipped, sk)
		}
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

type checkOutcome struct {
	findings []Finding
	skipped  []Skipped
	err      error
}

// runOne runs one check under its budget. A check that outlives its budget
// by more than grace is left behind: its goroutine may still be running, but
// the scan goes on with a Skipped entry for it.
func runOne(ctx context.Context, c Check, in *Input, budget, grace time.Duration) checkOutcome {
	checkCtx, cancel := ctx, context.CancelFunc(func() {})
	if budget > 0 {
		checkCtx, cancel = context.WithTimeout(ctx, budget)
	}
	defer cancel()
	done := make(chan checkOutcome, 1)
	go func() {
		var o checkOutcome
		defer func() {
			if r := recover(); r != nil {
				o = checkOutcome{err: fmt.Errorf("internal error: %v", r)}
			}
			done <- o
		}()
		o.findings, o.skipped, o.err = c.Run(checkCtx, in)
	}()
	var o checkOutcome
	select {
	case o = <-done:
	case <-checkCtx.Done():
		timer := time.NewTimer(grace)
		select {
		case o = <-done:
			timer.Stop()
		case <-timer.C:
			o.err = fmt.Errorf("did not stop %s after its context ended: %w", grace, checkCtx.Err())
		}
	}
	// A budget that ran out before the check returned is never a silent
	// pass, even when the check swallowed its context's error.
	if budget > 0 && ctx.Err() == nil && errors.Is(checkCtx.Err(), context.DeadlineExceeded) {
		reason := fmt.Sprintf("time budget of %s ran out before the check finished: what it found so far is reported, the rest was not checked", budget)
		if o.err != nil {
			reason += " (" + o.err.Error() + ")"
		}
		o.skipped = append(o.skipped, Skipped{Check: c.ID(), Reason: reason})
		o.err = nil
	} else if o.err != nil {
		o.err = fmt.Errorf("check %s: %w", c.ID(), o.err)
	}
	return o
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

// MergeLocations gives one finding per package finding and file: findings
// about a package (Package set) with the same fingerprint and path become the
// first of them, with the lines of the others as Locations. The fingerprint
// names rule, path, package and advisory, so six install locations of one
// vulnerable name@version in a package-lock.json are one finding. Findings
// without a package (secrets) are kept as they are. Order is kept.
func MergeLocations(fs []Finding) []Finding {
	type key struct{ fp, path string }
	first := map[key]int{}
	out := fs[:0:0]
	for _, f := range fs {
		if f.Package == "" || f.Fingerprint == "" {
			out = append(out, f)
			continue
		}
		k := key{f.Fingerprint, f.Path}
		i, ok := first[k]
		if !ok {
			first[k] = len(out)
			f.Locations = append([]Location(nil), f.Locations...)
			out = append(out, f)
			continue
		}
		g := &out[i]
		if f.Line != 0 && f.Line < g.Line {
			g.Locations = append(g.Locations, Location{Path: g.Path, Line: g.Line})
			g.Line = f.Line
		} else {
			g.Locations = append(g.Locations, Location{Path: f.Path, Line: f.Line})
		}
		if SeverityRank(f.Severity) > SeverityRank(g.Severity) {
			g.Severity = f.Severity
		}
		g.Locations = append(g.Locations, f.Locations...)
	}
	for i := range out {
		if l := out[i].Locations; len(l) > 1 {
			sort.Slice(l, func(a, b int) bool { return l[a].Line < l[b].Line })
		}
	}
	return out
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

// Outcomes of a run, as the summary, the comment and the Action's `result`
// output name them.
const (
	OutcomePassed     = "passed"
	OutcomeFailed     = "failed"
	OutcomeIncomplete = "incomplete"
)

// FailOnNone is the fail-on threshold that fails on nothing.
const FailOnNone = "none"

// ParseFailOn reads a fail-on threshold: critical, high, medium, low or none,
// in any case and with surrounding space ("HIGH" is "high"). It is the one
// parser the CLI flag, the Action input and the config key share.
func ParseFailOn(s string) (string, error) {
	v := strings.ToLower(strings.TrimSpace(s))
	if v == FailOnNone || SeverityRank(v) >= 1 {
		return v, nil
	}
	return "", fmt.Errorf("fail-on must be critical, high, medium, low or none, not %q", s)
}

// FailsOn reports whether any finding is at or above the fail-on threshold
// (as ParseFailOn returns it).
func FailsOn(findings []Finding, failOn string) bool {
	if failOn == FailOnNone {
		return false
	}
	limit := SeverityRank(failOn)
	for _, f := range findings {
		if SeverityRank(f.Severity) >= limit {
			return true
		}
	}
	return false
}

// ListSome joins the first n items for a Skipped reason, saying how many
// more there are.
func ListSome(items []string, n int) string {
	if len(items) <= n {
		return strings.Join(items, ", ")
	}
	return strings.Join(items[:n], ", ") + fmt.Sprintf(" and %d more", len(items)-n)
}
