// Package secrets is the secrets check: it runs the secret rule engine
// (package secrets at the top level) over the lines a pull request adds, or
// over the whole tree in a sweep, and optionally asks providers whether what
// it found is live.
package secrets

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/tollgate-dev/tollgate/checks"
	"github.com/tollgate-dev/tollgate/scanner"
	engine "github.com/tollgate-dev/tollgate/secrets"
)

// ID is the secrets check's id in config and in Skipped entries.
const ID = "secrets"

// check adapts an Engine to scanner.Check.
type check struct {
	engine   *engine.Engine
	opts     engine.Options
	verifier *engine.Verifier
}

// Entry registers the check in checks/all.
func Entry() checks.Entry {
	return checks.Entry{
		ID:      ID,
		Summary: "secrets in the lines a pull request adds, or in every file of a sweep",
		Budget:  10 * time.Minute,
		New:     New,
	}
}

// New builds the check from the shared dependencies (EngineOptions).
func New(_ context.Context, d checks.Deps) (scanner.Check, error) {
	opts := EngineOptions(d)
	if d.VerifySecrets {
		opts.Verify = &engine.VerifyOptions{Fork: d.Fork, Client: d.HTTPClient}
	}
	c, err := FromOptions(opts)
	if err != nil {
		return nil, fmt.Errorf("%w: secrets: %w", checks.ErrSettings, err)
	}
	return c, nil
}

// EngineOptions are the rule engine's options under the config: excluded and
// allowed paths, allowed values and fingerprints, the baseline and the mask.
// Every secret scan of a run (the check, --history) uses them.
func EngineOptions(d checks.Deps) engine.Options {
	cfg := d.Config
	return engine.Options{
		Mask:     d.Mask,
		Baseline: d.Baseline,
		Allow: engine.Allowlist{
			Paths:        append(append([]string{}, cfg.Exclude...), cfg.Allow.Paths...),
			Fingerprints: cfg.Allow.Secrets,
			Patterns:     cfg.Allow.Patterns,
		},
	}
}

// FromOptions returns the secrets check with the engine options opts. It
// returns an error (rather than a Check that fails later) when opts hold a
// bad allow pattern or glob, so that bad configuration is reported as such
// before any scan.
func FromOptions(opts engine.Options) (scanner.Check, error) {
	e, err := engine.New(opts)
	if err != nil {
		return nil, err
	}
	c := &check{engine: e, opts: opts}
	if opts.Verify != nil {
		c.verifier = engine.NewVerifier(*opts.Verify)
	}
	return c, nil
}

func (c *check) ID() string { return ID }

// Needs implements scanner.Check: the scan itself is offline; live
// verification, an optional part, is skipped on its own when offline.
func (c *check) Needs() scanner.Needs { return scanner.Needs{} }

// Rules describes every rule for reports.
func (c *check) Rules() []scanner.Rule {
	rules := c.engine.Rules()
	out := make([]scanner.Rule, 0, len(rules))
	for _, r := range rules {
		out = append(out, engine.ReportRule(r))
	}
	return out
}

// Run scans the added lines in pull-request mode and the whole tree in a
// sweep. When ctx ends mid-way it returns what it found so far with the
// context's error.
func (c *check) Run(ctx context.Context, in *scanner.Input) ([]scanner.Finding, []scanner.Skipped, error) {
	var matches []engine.Match
	var skipped []scanner.Skipped
	var stopped error
	switch in.Mode {
	case scanner.ModePullRequest:
		if len(in.TooLarge) > 0 {
			skipped = append(skipped, scanner.Skipped{Check: ID, Reason: fmt.Sprintf(
				"%d changed file(s) too large for their added lines to be computed were not scanned for secrets: %s", len(in.TooLarge), scanner.ListSome(in.TooLarge, 5))})
		}
		for i, fl := range in.Added {
			if err := ctx.Err(); err != nil {
				stopped = fmt.Errorf("added lines of %d of %d files scanned: %w", i, len(in.Added), err)
				break
			}
			matches = append(matches, c.engine.ScanLines(fl.Path, fl.Lines)...)
		}
		for _, p := range in.Changed {
			matches = append(matches, c.engine.ScanName(p)...)
		}
	default:
		if in.FS == nil {
			return nil, nil, errors.New("sweep without a file tree")
		}
		res, err := c.engine.ScanFS(ctx, in.FS)
		if res == nil {
			return nil, nil, err
		}
		stopped = err
		matches = res.Matches
		if len(res.TooBig) > 0 {
			skipped = append(skipped, scanner.Skipped{Check: ID, Reason: fmt.Sprintf(
				"%d file(s) over the %d-byte size limit not scanned for secrets: %s", len(res.TooBig), c.engine.MaxFileSize(), scanner.ListSome(res.TooBig, 5))})
		}
		if len(res.Unreadable) > 0 {
			skipped = append(skipped, scanner.Skipped{Check: ID, Reason: fmt.Sprintf(
				"%d file(s) could not be read for the secret scan: %s", len(res.Unreadable), scanner.ListSome(res.Unreadable, 5))})
		}
	}
	if c.verifier != nil && len(matches) > 0 && stopped == nil {
		switch {
		case c.opts.Verify.Fork:
			skipped = append(skipped, scanner.Skipped{Check: ID, Reason: "live verification of secrets is disabled on fork pull requests", ByChoice: true})
		case in.Offline:
			skipped = append(skipped, scanner.Skipped{Check: ID, Reason: "live verification of secrets needs network access (offline)", ByChoice: true})
		default:
			matches = c.verifier.Verify(ctx, c.engine, matches)
		}
	}
	findings := make([]scanner.Finding, 0, len(matches))
	for _, m := range matches {
		findings = append(findings, c.engine.Finding(m))
	}
	return findings, skipped, stopped
}
