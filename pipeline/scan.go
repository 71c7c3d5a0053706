package pipeline

import (
	"context"
	"fmt"
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
	// Dir is the repository root: the default config and baseline are there.
	Dir string
	// ConfigPath and BaselinePath name the files ("" for Dir's defaults).
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
}

// LoadPolicy reads the config and the baseline and applies the overrides.
// Every error is a usage error naming the file, flag or input at fault.
func LoadPolicy(req PolicyRequest) (*Policy, error) {
	reg := req.Registry
	if reg == nil {
		reg = all.Registry()
	}
	cfg, err := LoadConfig(req.ConfigPath, req.Dir, reg)
	if err != nil {
		return nil, err
	}
	if err := ApplyChecks(cfg, req.Checks, reg); err != nil {
		return nil, err
	}
	if req.OSVDB != "" {
		cfg.OSV.DB = req.OSVDB
	}
	if req.OSVURL != "" {
		cfg.OSV.URL = req.OSVURL
	}
	p := &Policy{Config: cfg, FailOn: cfg.FailOn, FailOnSkipped: cfg.FailOnSkipped}
	if req.FailOn != "" {
		if p.FailOn, err = scanner.ParseFailOn(req.FailOn); err != nil {
			return nil, &UsageError{err}
		}
	}
	if p.FailOnSkipped, err = ParseBool(req.FailOnSkipped, cfg.FailOnSkipped); err != nil {
		return nil, Usagef("fail-on-skipped: %w", err)
	}
	if p.Baseline, err = LoadBaseline(req.BaselinePath, req.Dir); err != nil {
		return nil, err
	}
	return p, nil
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
	if req.History && p.Config.Enabled("secrets") {
		if err := AddHistory(ctx, req.Dir, deps, req.Now, res.Report); err != nil && runErr == nil {
			runErr = err
		}
	}
	return &Scan{Result: res, Verdict: Decide(res.Report, runErr, p.FailOn, p.FailOnSkipped)}, nil
}
