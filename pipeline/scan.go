package pipeline

import (
	"context"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/tollgate-dev/tollgate/checks"
	"github.com/tollgate-dev/tollgate/checks/all"
	"github.com/tollgate-dev/tollgate/config"
	"github.com/tollgate-dev/tollgate/diff"
	"github.com/tollgate-dev/tollgate/lockfiles"
	lockfilesall "github.com/tollgate-dev/tollgate/lockfiles/all"
	"github.com/tollgate-dev/tollgate/scanner"
	"github.com/tollgate-dev/tollgate/secrets"
)

// PolicyRequest says where a front end's policy comes from and what its
// flags or inputs override.
type PolicyRequest struct {
	// Dir is the repository root on disk: the default config and baseline
	// are in it, and named files inside it are read as repository paths.
	Dir string
	// ChangeSet, when set, is what the policy judges: in pull-request mode
	// the config and baseline inside the repository are read from its base
	// tree (the change under review never sets its own policy), and a change
	// its head makes to them is a policy-changed finding; in a sweep they
	// are read from the swept tree. Without it they are read from Dir.
	ChangeSet *diff.ChangeSet
	// ConfigPath and BaselinePath name the files ("" for Dir's defaults). A
	// file outside Dir is read from disk as given.
	ConfigPath, BaselinePath string
	// Checks, when not empty, replaces the config's checks map: a
	// comma-separated list of the check ids to run.
	Checks string
	// FailOn and FailOnSkipped override the config's ("" keeps it); both are
	// parsed here, the same way for every front end.
	FailOn, FailOnSkipped string
	// OSVDB and OSVURL override the config's osv.db and osv.url.
	OSVDB, OSVURL string
	// Registry lists the checks (nil: checks/all.Registry()).
	Registry checks.Registry
}

// Policy is what judges a scan: the config with its overrides applied, the
// fail-on threshold and the secrets baseline.
type Policy struct {
	Config        *config.Config
	FailOn        string
	FailOnSkipped bool
	Baseline      *secrets.Baseline
	// Findings are policy-changed findings: what the change under review
	// does to the policy files, effective once merged.
	Findings []scanner.Finding
	// Notes say where the policy came from.
	Notes []string
}

// LoadPolicy reads the config and the baseline and applies the overrides.
// Every error is a usage error naming the file, flag or input at fault.
func LoadPolicy(req PolicyRequest) (*Policy, error) {
	reg := req.Registry
	if reg == nil {
		reg = all.Registry()
	}
	tree, head := req.policyTrees()
	if tree == nil {
		root, err := os.OpenRoot(req.Dir)
		if err != nil {
			return nil, Usagef("policy: %v", err)
		}
		defer root.Close()
		tree = root.FS()
	}
	cfgFile := locate(req.ConfigPath, req.Dir, config.DefaultPath)
	cfg, err := loadConfigFile(cfgFile, tree, reg)
	if err != nil {
		return nil, err
	}
	baseFile := locate(req.BaselinePath, req.Dir, DefaultBaseline)
	p := &Policy{Config: cfg}
	if p.Baseline, err = loadBaselineFile(baseFile, tree); err != nil {
		return nil, err
	}
	if head != nil {
		p.Findings = policyChanges(req.ChangeSet, cfgFile, baseFile, cfg, p.Baseline, reg)
		if len(p.Findings) > 0 {
			p.Notes = append(p.Notes, "This change edits the policy files; the scan applied the base revision's policy, and the change takes effect once merged.")
		}
	}
	if err := ApplyChecks(cfg, req.Checks, reg); err != nil {
		return nil, err
	}
	if head != nil && req.OSVDB == "" && cfg.OSV.DB != "" {
		// The work tree is the change under review: a database inside it
		// would be the change's to rewrite.
		if f := locate(cfg.OSV.DB, req.Dir, ""); f.repoPath != "" || !filepath.IsAbs(cfg.OSV.DB) {
			return nil, Usagef("config %s: osv.db %q is inside the repository (or relative to it), and in pull-request mode the change under review could rewrite it: keep the database outside the work tree (a cache directory), or name it with --osv-db or the osv-db input", cfg.Path, cfg.OSV.DB)
		}
	}
	if head != nil && cfg.Typosquat.Snapshot != "" && !strings.HasPrefix(cfg.Typosquat.Snapshot, "https://") {
		if f := locate(cfg.Typosquat.Snapshot, req.Dir, ""); f.repoPath != "" || !filepath.IsAbs(cfg.Typosquat.Snapshot) {
			return nil, Usagef("config %s: typosquat.snapshot %q is inside the repository (or relative to it), and in pull-request mode the change under review could rewrite it: keep it outside the work tree or use an https URL", cfg.Path, cfg.Typosquat.Snapshot)
		}
	}
	if req.OSVDB != "" {
		cfg.OSV.DB = req.OSVDB
	}
	if req.OSVURL != "" {
		cfg.OSV.URL = req.OSVURL
	}
	p.FailOn, p.FailOnSkipped = cfg.FailOn, cfg.FailOnSkipped
	if req.FailOn != "" {
		if p.FailOn, err = scanner.ParseFailOn(req.FailOn); err != nil {
			return nil, &UsageError{err}
		}
	}
	if p.FailOnSkipped, err = ParseBool(req.FailOnSkipped, cfg.FailOnSkipped); err != nil {
		return nil, Usagef("fail-on-skipped: %w", err)
	}
	return p, nil
}

// policyTrees returns the tree the policy is read from and, in pull-request
// mode, the head tree whose changes to it are reported.
func (req PolicyRequest) policyTrees() (tree, head fs.FS) {
	cs := req.ChangeSet
	switch {
	case cs == nil:
		return nil, nil
	case cs.Source == diff.SourceDirectory:
		return cs.HeadFS, nil
	}
	return cs.BaseFS, cs.HeadFS
}

// ScanRequest is one scan under a policy.
type ScanRequest struct {
	Policy    *Policy
	ChangeSet *diff.ChangeSet
	// Dir is the repository on disk, for History.
	Dir string
	// History also scans every blob reachable from HEAD for secrets, with
	// the same engine options as the secrets check.
	History bool
	// Commits bound the scan of every commit of a change for secrets
	// (AddCommits); the zero value means diff's defaults.
	Commits diff.CommitLimits
	// CommitsOf, when ChangeSet is a sweep, is the change whose commits are
	// scanned for secrets all the same (a push to the default branch, swept
	// whole: its before..after). CommitsErr says why it could not be read;
	// the scan is then incomplete.
	CommitsOf  *diff.ChangeSet
	CommitsErr error
	// Deps are the checks' shared dependencies (Config and Baseline are
	// taken from Policy).
	Deps checks.Deps
	// Parsers default to lockfiles/all.Parsers(); Registry to checks/all.
	Parsers  []lockfiles.Parser
	Registry checks.Registry
	Limits   lockfiles.Limits
	Grace    time.Duration
	// Now is the policy clock; zero means time.Now.
	Now time.Time
}

// Scan is one scan's outcome and its verdict.
type Scan struct {
	*Result
	Verdict Verdict
}

// RunScan runs the flow and decides the verdict. It returns an error only
// when nothing can be reported (bad settings: a usage error); a scan that
// could not complete is a Scan whose verdict is incomplete.
func RunScan(ctx context.Context, req ScanRequest) (*Scan, error) {
	p := req.Policy
	deps := req.Deps
	deps.Config, deps.Baseline = p.Config, p.Baseline
	parsers := req.Parsers
	if parsers == nil {
		parsers = lockfilesall.Parsers()
	}
	res, runErr := Run(ctx, Options{
		ChangeSet: req.ChangeSet,
		Parsers:   parsers,
		Registry:  req.Registry,
		Deps:      deps,
		Config:    p.Config,
		Limits:    req.Limits,
		Grace:     req.Grace,
		Now:       req.Now,
	})
	if res == nil {
		if runErr == nil {
			runErr = fmt.Errorf("scan: no result")
		}
		return nil, runErr
	}
	if len(p.Findings) > 0 {
		res.Report.Findings = append(res.Report.Findings, p.Config.Apply(p.Findings, nowOr(req.Now)).Kept...)
		scanner.SortFindings(res.Report.Findings)
		res.Report.Rules[RulePolicyChanged] = policyChangedRule
	}
	res.Report.Notes = append(res.Report.Notes, p.Notes...)
	// Every commit of a change counts for secrets, not only its net diff.
	cs := req.ChangeSet
	if cs != nil && cs.Source == diff.SourceDirectory {
		cs = req.CommitsOf
	}
	if cs != nil && p.Config.Enabled("secrets") {
		if err := AddCommits(ctx, cs, deps, req.Commits, req.Now, res.Report); err != nil && runErr == nil {
			runErr = err
		}
	}
	if req.CommitsErr != nil && p.Config.Enabled("secrets") {
		res.Report.Skipped = append(res.Report.Skipped, scanner.Skipped{Check: "secrets", Reason: fmt.Sprintf("the commits of this push could not be read, so secrets added and removed again inside it were not looked for: %v", req.CommitsErr)})
	}
	if req.History && p.Config.Enabled("secrets") {
		if err := AddHistory(ctx, req.Dir, deps, req.Now, res.Report); err != nil && runErr == nil {
			runErr = err
		}
	}
	return &Scan{Result: res, Verdict: Decide(res.Report, runErr, p.FailOn, p.FailOnSkipped)}, nil
}
