package cli

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"path"
	"path/filepath"
	"strings"
	"time"

	"github.com/tollgate-dev/tollgate/config"
	"github.com/tollgate-dev/tollgate/diff"
	"github.com/tollgate-dev/tollgate/lockfiles"
	"github.com/tollgate-dev/tollgate/lockfiles/all"
	"github.com/tollgate-dev/tollgate/pipeline"
	"github.com/tollgate-dev/tollgate/report"
	"github.com/tollgate-dev/tollgate/sarif"
	"github.com/tollgate-dev/tollgate/scanner"
	"github.com/tollgate-dev/tollgate/secrets"
)

// ScanOptions are the scan command's settings.
type ScanOptions struct {
	Dir        string
	Base, Head string
	Format     string // text, json, sarif
	Output     string
	SARIF      string
	Config     string
	Offline    bool
	OSVDB      string
	OSVURL     string
	CacheDir   string
	Baseline   string
	History    bool
	Verify     bool
	FailOn     string
	// FailOnSkipped makes any skipped check end the scan as incomplete.
	FailOnSkipped bool
	Limits        lockfiles.Limits
	// Now is the policy clock (ignore expiry); zero means time.Now.
	Now time.Time

	failOnSet bool
}

func runScan(ctx context.Context, args []string, stdout, stderr io.Writer) (int, error) {
	fs := newFlagSet("scan", stderr)
	var o ScanOptions
	fs.StringVar(&o.Base, "base", "", "base revision: scan only what changed since REV (pull-request mode)")
	fs.StringVar(&o.Head, "head", "", "head revision (default: the work tree, i.e. HEAD plus uncommitted changes)")
	fs.StringVar(&o.Format, "format", "text", "output format: text, json or sarif")
	fs.StringVar(&o.Output, "output", "", "write the report to FILE instead of standard output")
	fs.StringVar(&o.SARIF, "sarif", "", "also write SARIF to FILE")
	fs.StringVar(&o.Config, "config", "", "config file (default .github/tollgate.yml when present)")
	fs.BoolVar(&o.Offline, "offline", false, "no network: online checks are skipped and listed")
	fs.StringVar(&o.OSVDB, "osv-db", "", "offline OSV database: a directory of OSV JSON records or <Ecosystem>/all.zip exports")
	fs.StringVar(&o.OSVURL, "osv-url", "", "OSV API base URL (default: config osv.url, then https://api.osv.dev)")
	fs.StringVar(&o.CacheDir, "cache-dir", "", "keep fetched OSV records in DIR between runs")
	fs.StringVar(&o.Baseline, "baseline", "", "secrets baseline written by tollgate baseline (default: DIR/"+DefaultBaseline+" when present)")
	fs.BoolVar(&o.Verify, "verify-secrets", false, "ask providers whether found secrets are live (sends each secret to its provider)")
	fs.BoolVar(&o.History, "history", false, "also scan every blob reachable from HEAD for secrets (once each)")
	fs.StringVar(&o.FailOn, "fail-on", "high", "exit 1 when a finding is at or above: critical, high, medium, low or none")
	fs.BoolVar(&o.FailOnSkipped, "fail-on-skipped", false, "exit 3 when any check was skipped (fail closed; also config fail-on-skipped)")
	fs.Int64Var(&o.Limits.MaxFileSize, "max-file-size", lockfiles.DefaultMaxFileSize, "report lockfiles larger than this many bytes instead of reading them")
	if err := parseFlags(fs, args); err != nil {
		return ExitUsage, err
	}
	fs.Visit(func(f *flag.Flag) {
		if f.Name == "fail-on" {
			o.failOnSet = true
		}
	})
	switch fs.NArg() {
	case 0:
		o.Dir = "."
	case 1:
		o.Dir = fs.Arg(0)
	default:
		return ExitUsage, usagef("scan takes one directory, got %d arguments", fs.NArg())
	}
	switch o.Format {
	case "text", "json", "sarif":
	default:
		return ExitUsage, usagef("--format must be text, json or sarif, not %q", o.Format)
	}
	if o.FailOn != "none" && scanner.SeverityRank(o.FailOn) < 1 {
		return ExitUsage, usagef("--fail-on must be critical, high, medium, low or none, not %q", o.FailOn)
	}
	if st, err := os.Stat(o.Dir); err != nil || !st.IsDir() {
		return ExitUsage, usagef("scan: %s is not a directory", o.Dir)
	}
	cfg, err := loadConfig(o.Config, o.Dir)
	if err != nil {
		return ExitUsage, err
	}
	if !o.failOnSet {
		o.FailOn = cfg.FailOn
	}
	if o.Head != "" && o.Base == "" {
		return ExitUsage, usagef("--head needs --base")
	}

	sc, scanErr := Scan(ctx, o, cfg)
	if sc == nil {
		return ExitIncomplete, scanErr
	}
	if err := writeReports(o, sc, stdout); err != nil {
		return ExitIncomplete, err
	}
	if scanErr != nil {
		fmt.Fprintf(stderr, "tollgate: scan incomplete: %v\n", scanErr)
		return ExitIncomplete, nil
	}
	if o.FailOnSkipped || cfg.FailOnSkipped {
		if err := SkippedError(sc.Skipped); err != nil {
			fmt.Fprintf(stderr, "tollgate: scan incomplete: %v\n", err)
			return ExitIncomplete, nil
		}
	}
	if FailsOn(sc.Findings, o.FailOn) {
		return ExitFindings, nil
	}
	return ExitOK, nil
}

// SkippedError describes the skipped checks as an error, or is nil when
// every check ran: with fail-on-skipped, a skipped check makes the scan
// incomplete.
func SkippedError(skipped []scanner.Skipped) error {
	if len(skipped) == 0 {
		return nil
	}
	parts := make([]string, 0, len(skipped))
	for _, s := range skipped {
		parts = append(parts, s.Check+" ("+s.Reason+")")
	}
	return fmt.Errorf("fail-on-skipped: %d check(s) did not run: %s", len(skipped), strings.Join(parts, "; "))
}

// FailsOn reports whether any finding is at or above the fail-on severity.
func FailsOn(findings []scanner.Finding, failOn string) bool {
	if failOn == "none" {
		return false
	}
	limit := scanner.SeverityRank(failOn)
	for _, f := range findings {
		if scanner.SeverityRank(f.Severity) >= limit {
			return true
		}
	}
	return false
}

// Scan runs a scan. The returned report is non-nil whenever something could be
// reported; the error says the scan did not complete (fail closed).
func Scan(ctx context.Context, o ScanOptions, cfg *config.Config) (*report.Scan, error) {
	if o.OSVDB == "" {
		o.OSVDB = cfg.OSV.DB
	}
	parsers := all.Parsers()
	var cs *diff.ChangeSet
	var err error
	if o.Base != "" {
		gitOpts := diff.Options{IsLockfile: LockfileMatcher(parsers), MergeBase: true}
		if o.Head == "" {
			cs, err = diff.FromWorkTree(ctx, o.Dir, o.Base, gitOpts)
		} else {
			cs, err = diff.FromGit(ctx, o.Dir, o.Base, o.Head, gitOpts)
		}
		if err != nil {
			if errors.Is(err, diff.ErrBaseMissing) {
				return nil, fmt.Errorf("%w (fetch more history, e.g. git fetch --deepen=100, or run in GitHub Actions where the API is used)", err)
			}
			return nil, err
		}
	} else {
		cs, err = diff.FromDirectory(o.Dir)
		if err != nil {
			return nil, err
		}
	}
	defer cs.Close()
	settings := pipeline.CheckSettings{OSVDB: o.OSVDB, Offline: o.Offline, OSVURL: o.OSVURL, CacheDir: o.CacheDir, VerifySecrets: o.Verify}
	if settings.Baseline, err = LoadBaseline(o.Baseline, o.Dir); err != nil {
		return nil, err
	}
	res, runErr := pipeline.Run(ctx, pipeline.Options{
		ChangeSet: cs,
		Parsers:   parsers,
		Settings:  settings,
		Config:    cfg,
		Limits:    o.Limits,
		Now:       o.Now,
	})
	if res == nil {
		if errors.Is(runErr, pipeline.ErrSettings) {
			return nil, usagef("%v", runErr)
		}
		return nil, runErr
	}
	if o.History && cfg.Enabled("secrets") {
		if err := addHistory(ctx, o.Dir, cfg, settings.Baseline, o.Now, res.Report); err != nil {
			return res.Report, err
		}
	}
	return res.Report, runErr
}

// LockfileMatcher returns a function telling whether a path is a lockfile any
// parser reads, or a go.sum (whose go.mod carries its hashes).
func LockfileMatcher(parsers []lockfiles.Parser) func(string) bool {
	return func(p string) bool {
		if path.Base(p) == "go.sum" {
			return true
		}
		for _, pr := range parsers {
			if pr.Match(p) {
				return true
			}
		}
		return false
	}
}

// loadConfig reads the config named by --config, or DIR/.github/tollgate.yml
// when present, or returns the default.
func loadConfig(path, dir string) (*config.Config, error) {
	if path == "" {
		p := filepath.Join(dir, filepath.FromSlash(config.DefaultPath))
		if _, err := os.Stat(p); err != nil {
			return config.Default(), nil
		}
		path = p
	}
	cfg, err := config.Load(path)
	if err != nil {
		return nil, usagef("%v", err)
	}
	return cfg, nil
}

func writeReports(o ScanOptions, sc *report.Scan, stdout io.Writer) error {
	res := &scanner.Result{Findings: sc.Findings, Skipped: sc.Skipped, Rules: sc.Rules}
	if o.SARIF != "" {
		if err := writeOutput(o.SARIF, stdout, func(w io.Writer) error {
			notes, err := sarif.Write(w, res, sarif.Options{ToolVersion: Version})
			sc.Notes = append(sc.Notes, notes...)
			return err
		}); err != nil {
			return err
		}
	}
	return writeOutput(o.Output, stdout, func(w io.Writer) error {
		switch o.Format {
		case "json":
			return report.JSON(w, sc)
		case "sarif":
			_, err := sarif.Write(w, res, sarif.Options{ToolVersion: Version})
			return err
		}
		return report.Text(w, sc)
	})
}

// addHistory scans every blob reachable from HEAD for secrets and adds what
// the tree scan did not already report (same fingerprint), after the policy.
func addHistory(ctx context.Context, dir string, cfg *config.Config, baseline *secrets.Baseline, now time.Time, sc *report.Scan) error {
	e, err := secrets.New(secrets.Options{
		Baseline: baseline,
		Allow: secrets.Allowlist{
			Paths:        append(append([]string{}, cfg.Exclude...), cfg.Allow.Paths...),
			Fingerprints: cfg.Allow.Secrets,
		},
	})
	if err != nil {
		return usagef("%v", err)
	}
	matches, err := secrets.ScanHistory(ctx, dir, e)
	if err != nil {
		return fmt.Errorf("history: %w", err)
	}
	seen := map[string]bool{}
	for _, f := range sc.Findings {
		seen[f.Fingerprint] = true
	}
	var found []scanner.Finding
	for _, m := range matches {
		if !seen[m.Fingerprint] {
			seen[m.Fingerprint] = true
			found = append(found, e.Finding(m))
		}
	}
	if now.IsZero() {
		now = time.Now()
	}
	kept := cfg.Apply(found, now).Kept
	sc.Findings = append(sc.Findings, kept...)
	scanner.SortFindings(sc.Findings)
	if sc.Rules == nil {
		sc.Rules = map[string]scanner.Rule{}
	}
	for _, r := range e.Rules() {
		rr := secrets.ReportRule(r)
		sc.Rules[rr.ID] = rr
	}
	sc.Notes = append(sc.Notes, fmt.Sprintf("history: %d secrets found in past commits that the tree no longer holds", len(kept)))
	return nil
}
