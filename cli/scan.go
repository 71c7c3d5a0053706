package cli

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"time"

	"golang.org/x/term"

	"github.com/tollgate-dev/tollgate/checks"
	"github.com/tollgate-dev/tollgate/diff"
	"github.com/tollgate-dev/tollgate/lockfiles"
	"github.com/tollgate-dev/tollgate/lockfiles/all"
	"github.com/tollgate-dev/tollgate/pipeline"
	"github.com/tollgate-dev/tollgate/report"
	"github.com/tollgate-dev/tollgate/sarif"
	"github.com/tollgate-dev/tollgate/scanner"
)

// scanHelp follows the flags in `tollgate scan -h`.
const scanHelp = `
Examples:
  tollgate scan --offline --osv-db DB .       sweep the work tree against an offline OSV database
  tollgate scan --base origin/main .          judge what this branch (and the work tree) changes
  tollgate scan --base main --head HEAD --format sarif --output tollgate.sarif .

Exit codes:
  0  nothing at or above --fail-on
  1  findings at or above --fail-on
  2  bad usage or bad config
  3  the scan could not complete: a check could not run (unless --fail-on-skipped=false)
`

// ScanOptions are the scan command's settings.
type ScanOptions struct {
	Dir string
	// File, when set, is the one lockfile to scan (in Dir).
	File       string
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
	// FailOn overrides the config's fail-on ("" keeps it).
	FailOn string
	// FailOnSkipped overrides the config's fail-on-skipped: "true", "false"
	// or "" (keep the config's, on by default).
	FailOnSkipped string
	Limits        lockfiles.Limits
	// GitHubAPIURL and GitHubToken are what checks that call GitHub use
	// (runScan reads GITHUB_API_URL and GITHUB_TOKEN): the token goes to that
	// API only. Empty: the public API, unauthenticated.
	GitHubAPIURL, GitHubToken string
	// Now is the policy clock (ignore expiry); zero means time.Now.
	Now time.Time
	// Color marks the text report's severities with colours (see useColor).
	Color bool
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
	fs.StringVar(&o.Baseline, "baseline", "", "secrets baseline written by tollgate baseline (default: DIR/"+pipeline.DefaultBaseline+" when present)")
	fs.BoolVar(&o.Verify, "verify-secrets", false, "ask providers whether found secrets are live (sends each secret to its provider)")
	fs.BoolVar(&o.History, "history", false, "also scan every blob reachable from HEAD for secrets (once each)")
	fs.StringVar(&o.FailOn, "fail-on", "", "exit 1 when a finding is at or above: critical, high, medium, low or none (default: config fail-on, else high)")
	fs.Var((*optionalBool)(&o.FailOnSkipped), "fail-on-skipped", "exit 3 when a check could not run (default: config fail-on-skipped, on unless set false); --fail-on-skipped=false passes on what did run")
	fs.Int64Var(&o.Limits.MaxFileSize, "max-file-size", lockfiles.DefaultMaxFileSize, "report lockfiles larger than this many bytes instead of reading them")
	flagsHelp := fs.Usage
	fs.Usage = func() {
		fmt.Fprint(stderr, "Usage: tollgate scan [flags] [DIR | LOCKFILE]\n\n")
		flagsHelp()
		fmt.Fprint(stderr, scanHelp)
	}
	if err := parseFlags(fs, args); err != nil {
		return pipeline.ExitUsage, err
	}
	switch fs.NArg() {
	case 0:
		o.Dir = "."
	case 1:
		o.Dir = fs.Arg(0)
	default:
		return pipeline.ExitUsage, usagef("scan takes one directory, got %d arguments", fs.NArg())
	}
	switch o.Format {
	case "text", "json", "sarif":
	default:
		return pipeline.ExitUsage, usagef("--format must be text, json or sarif, not %q", o.Format)
	}
	st, err := os.Stat(o.Dir)
	switch {
	case err != nil:
		return pipeline.ExitUsage, usagef("scan: %v", err)
	case st.Mode().IsRegular():
		// tollgate scan FILE: that lockfile alone (osv-scanner's -L habit).
		if o.Base != "" {
			return pipeline.ExitUsage, usagef("scan FILE sweeps one lockfile; --base needs a directory")
		}
		if pipeline.MatchLockfile(all.Parsers(), filepath.Base(o.Dir)) == nil {
			return pipeline.ExitUsage, usagef("scan: %s is not a supported lockfile name (give a directory to sweep it)", o.Dir)
		}
		o.File, o.Dir = o.Dir, filepath.Dir(o.Dir)
	case !st.IsDir():
		return pipeline.ExitUsage, usagef("scan: %s is neither a directory nor a file", o.Dir)
	}
	if o.Head != "" && o.Base == "" {
		return pipeline.ExitUsage, usagef("--head needs --base")
	}
	o.GitHubAPIURL, o.GitHubToken = os.Getenv("GITHUB_API_URL"), os.Getenv("GITHUB_TOKEN")
	o.Color = o.Output == "" && useColor(stdout, os.Getenv, term.IsTerminal)
	sc, err := Scan(ctx, o)
	if err != nil {
		return pipeline.ExitCode(err), err
	}
	if err := writeReports(o, sc.Report, stdout); err != nil {
		return pipeline.ExitIncomplete, err
	}
	if sc.Verdict.Incomplete != "" {
		fmt.Fprintf(stderr, "tollgate: scan incomplete: %s\n", sc.Verdict.Incomplete)
	}
	return sc.Verdict.Exit, nil
}

// Scan runs a scan with the CLI's options: the change set from the local
// directory or git history, the policy from the config and baseline of the
// swept tree or, in pull-request mode, of the base revision (or the named
// files outside the repository). The error says nothing could be reported; a
// scan that could not complete has an incomplete verdict.
func Scan(ctx context.Context, o ScanOptions) (*pipeline.Scan, error) {
	parsers := all.Parsers()
	cs, err := openChangeSet(ctx, o, parsers)
	if err != nil {
		return nil, err
	}
	defer cs.Close()
	// In pull-request mode the policy comes from the base revision.
	policy, err := pipeline.LoadPolicy(pipeline.PolicyRequest{
		Dir: o.Dir, ChangeSet: cs, ConfigPath: o.Config, BaselinePath: o.Baseline,
		FailOn: o.FailOn, FailOnSkipped: o.FailOnSkipped,
		OSVDB: o.OSVDB, OSVURL: o.OSVURL,
	})
	if err != nil {
		return nil, err
	}
	return pipeline.RunScan(ctx, pipeline.ScanRequest{
		Policy:    policy,
		ChangeSet: cs,
		Dir:       o.Dir,
		History:   o.History,
		Deps: checks.Deps{
			Offline:       o.Offline,
			CacheDir:      o.CacheDir,
			VerifySecrets: o.Verify,
			UserAgent:     "tollgate/" + pipeline.Version,
			GitHubAPIURL:  o.GitHubAPIURL,
			GitHubToken:   o.GitHubToken,
		},
		Parsers: parsers,
		Limits:  o.Limits,
		Now:     o.Now,
	})
}

// openChangeSet reads what to scan: the directory in a sweep; with --base,
// the local git history up to --head or the work tree.
func openChangeSet(ctx context.Context, o ScanOptions, parsers []lockfiles.Parser) (*diff.ChangeSet, error) {
	if o.File != "" {
		return diff.FromFile(o.File)
	}
	if o.Base == "" {
		return diff.FromDirectory(o.Dir)
	}
	gitOpts := diff.Options{IsLockfile: pipeline.LockfileMatcher(parsers), MergeBase: true}
	var cs *diff.ChangeSet
	var err error
	if o.Head == "" {
		cs, err = diff.FromWorkTree(ctx, o.Dir, o.Base, gitOpts)
	} else {
		cs, err = diff.FromGit(ctx, o.Dir, o.Base, o.Head, gitOpts)
	}
	if errors.Is(err, diff.ErrNotRepository) {
		return nil, pipeline.Usagef("%v", err)
	}
	if errors.Is(err, diff.ErrBaseMissing) {
		return nil, fmt.Errorf("%w (fetch more history, e.g. git fetch --deepen=100, or run in GitHub Actions where the API is used)", err)
	}
	return cs, err
}

func writeReports(o ScanOptions, res *scanner.Result, stdout io.Writer) error {
	if o.SARIF != "" {
		if err := writeOutput(o.SARIF, stdout, func(w io.Writer) error {
			notes, err := sarif.Write(w, res, sarif.Options{ToolVersion: pipeline.Version})
			res.Notes = append(res.Notes, notes...)
			return err
		}); err != nil {
			return err
		}
	}
	return writeOutput(o.Output, stdout, func(w io.Writer) error {
		switch o.Format {
		case "json":
			return report.JSON(w, res)
		case "sarif":
			_, err := sarif.Write(w, res, sarif.Options{ToolVersion: pipeline.Version})
			return err
		}
		return report.WriteText(w, res, report.TextOptions{Color: o.Color})
	})
}

// useColor says whether the text report to w may use colour: only when w is
// a terminal, and never when NO_COLOR holds anything (https://no-color.org).
func useColor(w io.Writer, getenv func(string) string, isTerminal func(fd int) bool) bool {
	if getenv("NO_COLOR") != "" {
		return false
	}
	f, ok := w.(interface{ Fd() uintptr })
	return ok && isTerminal(int(f.Fd()))
}

// optionalBool is a boolean flag that remembers whether it was given: ""
// when absent, else "true" or "false" (--flag alone is true).
type optionalBool string

func (b *optionalBool) String() string   { return string(*b) }
func (b *optionalBool) IsBoolFlag() bool { return true }
func (b *optionalBool) Set(s string) error {
	v, err := pipeline.ParseBool(s, false)
	if err != nil {
		return err
	}
	*b = optionalBool(fmt.Sprint(v))
	return nil
}
