package secrets

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"runtime"
	"sort"
	"strings"
	"sync"
	"unicode"

	"github.com/tollgate-dev/tollgate/scanner"
)

// CheckID is the secrets check's id in config and in Skipped entries.
const CheckID = "secrets"

// check adapts an Engine to scanner.Check.
type check struct {
	engine   *Engine
	opts     Options
	verifier *Verifier
}

// NewCheck returns the secrets check. It returns an error (rather than a
// Check that fails later) when opts hold a bad allow pattern or glob, so
// that bad configuration is reported as such before any scan.
func NewCheck(opts Options) (scanner.Check, error) {
	e, err := New(opts)
	if err != nil {
		return nil, err
	}
	c := &check{engine: e, opts: opts}
	if opts.Verify != nil {
		c.verifier = NewVerifier(*opts.Verify)
	}
	return c, nil
}

func (c *check) ID() string { return CheckID }

// Rules describes every rule for reports.
func (c *check) Rules() []scanner.Rule {
	rules := c.engine.Rules()
	out := make([]scanner.Rule, 0, len(rules))
	for _, r := range rules {
		out = append(out, ReportRule(r))
	}
	return out
}

// ReportRule turns a rule into its report description.
func ReportRule(r Rule) scanner.Rule {
	return scanner.Rule{
		ID:    "secret/" + r.ID,
		Name:  camel(r.ID),
		Short: r.Description,
		Full: fmt.Sprintf("A %s (%s) was found in the code. Anyone who can read the repository, "+
			"its history or a package built from it can use it.", r.Description, r.Provider),
		Help: "**Revoke or rotate the credential first** (removing it from the code does not remove it " +
			"from git history or published packages), then load it from a secret store or environment " +
			"variable. If it is a test value, add `" + InlineAllow + "` in a comment on the line, or add its " +
			"fingerprint to `allow.secrets` in `.github/tollgate.yml`.",
		Severity:  r.Severity,
		Precision: r.Precision,
		Tags:      []string{"security", "secret", strings.ToLower(r.Provider)},
	}
}

// camel turns "github-pat" into "GithubPat".
func camel(id string) string {
	var b strings.Builder
	for _, part := range strings.Split(id, "-") {
		if part == "" {
			continue
		}
		r := []rune(part)
		r[0] = unicode.ToUpper(r[0])
		b.WriteString(string(r))
	}
	return b.String()
}

// Run scans the added lines in pull-request mode and the whole tree in a sweep.
func (c *check) Run(ctx context.Context, in *scanner.Input) ([]scanner.Finding, []scanner.Skipped, error) {
	var matches []Match
	var skipped []scanner.Skipped
	switch in.Mode {
	case scanner.ModePullRequest:
		for _, fl := range in.Added {
			if err := ctx.Err(); err != nil {
				return nil, nil, err
			}
			matches = append(matches, c.engine.ScanLines(fl.Path, fl.Lines)...)
		}
	default:
		if in.FS == nil {
			return nil, nil, errors.New("sweep without a file tree")
		}
		res, err := c.engine.ScanFS(ctx, in.FS)
		if err != nil {
			return nil, nil, err
		}
		matches = res.Matches
		if len(res.TooBig) > 0 {
			skipped = append(skipped, scanner.Skipped{Check: CheckID, Reason: fmt.Sprintf(
				"%d file(s) over the %d-byte size limit not scanned for secrets: %s", len(res.TooBig), c.engine.maxSize, listSome(res.TooBig, 5))})
		}
		if len(res.Unreadable) > 0 {
			skipped = append(skipped, scanner.Skipped{Check: CheckID, Reason: fmt.Sprintf(
				"%d file(s) could not be read for the secret scan: %s", len(res.Unreadable), listSome(res.Unreadable, 5))})
		}
	}
	if c.verifier != nil && len(matches) > 0 {
		switch {
		case c.opts.Verify.Fork:
			skipped = append(skipped, scanner.Skipped{Check: CheckID, Reason: "live verification of secrets is disabled on fork pull requests"})
		case in.Offline:
			skipped = append(skipped, scanner.Skipped{Check: CheckID, Reason: "live verification of secrets needs network access (offline)"})
		default:
			matches = c.verifier.Verify(ctx, c.engine, matches)
		}
	}
	findings := make([]scanner.Finding, 0, len(matches))
	for _, m := range matches {
		findings = append(findings, c.engine.Finding(m))
	}
	return findings, skipped, nil
}

// Finding turns a match into a report finding; the secret is only redacted.
// A match from a history scan names the commit it was first seen in.
func (e *Engine) Finding(m Match) scanner.Finding {
	desc := m.Provider + " secret"
	if r, ok := e.Rule(m.RuleID); ok {
		desc = r.Description
	}
	msg := fmt.Sprintf("%s found (%s): revoke it, then load it from a secret store.", desc, m.Redacted)
	switch m.Verified {
	case VerifiedValid:
		msg = fmt.Sprintf("Live %s found (%s), confirmed valid by %s: revoke it now.", desc, m.Redacted, m.Provider)
	case VerifiedInvalid:
		msg = fmt.Sprintf("%s found (%s); %s rejected it as invalid, remove it anyway.", desc, m.Redacted, m.Provider)
	}
	if m.Commit != "" {
		msg += fmt.Sprintf(" It is in the git history (first seen in commit %s): rewriting history does not un-leak it.", m.Commit)
	}
	sev := m.Severity
	if m.Verified == VerifiedValid {
		sev = scanner.SeverityCritical
	}
	return scanner.Finding{
		RuleID:      m.RuleID,
		Severity:    sev,
		Message:     msg,
		Path:        m.Path,
		Line:        m.Line,
		Evidence:    m.Redacted,
		Fingerprint: m.Fingerprint,
	}
}

func listSome(items []string, n int) string {
	if len(items) <= n {
		return strings.Join(items, ", ")
	}
	return strings.Join(items[:n], ", ") + fmt.Sprintf(" and %d more", len(items)-n)
}

// SweepResult is what ScanFS found and what it could not scan.
type SweepResult struct {
	// Matches are in path and line order.
	Matches []Match
	// TooBig are paths of files over the size limit.
	TooBig []string
	// Unreadable are "path: error" entries of files and directories that could not be read.
	Unreadable []string
}

// ScanFS sweeps a tree: every regular file except vendored directories, with
// one worker per CPU. Only a cancelled context makes it fail.
func (e *Engine) ScanFS(ctx context.Context, fsys fs.FS) (*SweepResult, error) {
	type job struct{ path string }
	jobs := make(chan job)
	var (
		mu      sync.Mutex
		matches []Match
		tooBig  []string
		errs    []string
		wg      sync.WaitGroup
	)
	workers := runtime.GOMAXPROCS(0)
	for w := 0; w < workers; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for j := range jobs {
				ms, big, err := e.scanFSFile(fsys, j.path)
				mu.Lock()
				switch {
				case err != nil:
					errs = append(errs, err.Error())
				case big:
					tooBig = append(tooBig, j.path)
				default:
					matches = append(matches, ms...)
				}
				mu.Unlock()
			}
		}()
	}
	walkErr := fs.WalkDir(fsys, ".", func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			// An unreadable directory is reported; the sweep goes on.
			mu.Lock()
			errs = append(errs, fmt.Sprintf("walk %s: %v", p, err))
			mu.Unlock()
			if d != nil && d.IsDir() {
				return fs.SkipDir
			}
			return nil
		}
		if d.IsDir() {
			if p != "." && (IsSkippedDir(d.Name()) && !e.skippable || d.Name() == ".git") {
				return fs.SkipDir
			}
			return nil
		}
		if !d.Type().IsRegular() || e.pathAllowed(p) {
			return nil
		}
		select {
		case jobs <- job{p}:
		case <-ctx.Done():
			return ctx.Err()
		}
		return nil
	})
	close(jobs)
	wg.Wait()
	if walkErr != nil {
		return nil, fmt.Errorf("sweep: %w", walkErr)
	}
	sort.SliceStable(matches, func(i, j int) bool {
		if matches[i].Path != matches[j].Path {
			return matches[i].Path < matches[j].Path
		}
		return matches[i].Line < matches[j].Line
	})
	sort.Strings(tooBig)
	sort.Strings(errs)
	return &SweepResult{Matches: matches, TooBig: tooBig, Unreadable: errs}, nil
}

// scanFSFile reads and scans one file, reporting whether it was too big.
func (e *Engine) scanFSFile(fsys fs.FS, p string) ([]Match, bool, error) {
	info, err := fs.Stat(fsys, p)
	if err != nil {
		return nil, false, fmt.Errorf("stat %s: %w", p, err)
	}
	if info.Size() > e.maxSize {
		return nil, true, nil
	}
	data, err := fs.ReadFile(fsys, p)
	if err != nil {
		return nil, false, fmt.Errorf("read %s: %w", p, err)
	}
	return e.ScanFile(p, data), false, nil
}
