package secrets

import (
	"context"
	"fmt"
	"io/fs"
	"runtime"
	"sort"
	"strings"
	"sync"
	"unicode"

	"github.com/tollgate-dev/tollgate/scanner"
)

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
	if r, ok := e.Rule(m.RuleID); ok && r.NameOnly {
		msg = fmt.Sprintf("%s (%s): it holds private keys; remove it from the repository, rotate the keys it holds, and load it from a secret store.", desc, m.Redacted)
	}
	if m.InName {
		msg = fmt.Sprintf("%s found in the file's name (%s): revoke it, then rename the file.", desc, m.Redacted)
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

// SweepResult is what ScanFS found and what it could not scan.
type SweepResult struct {
	// Matches are in path and line order.
	Matches []Match
	// TooBig are paths of files over the size limit.
	TooBig []string
	// Unreadable are "path: error" entries of files and directories that could not be read.
	Unreadable []string
	// Scanned counts the files scanned.
	Scanned int
}

// ScanFS sweeps a tree: every regular file except vendored directories, with
// one worker per CPU. Only an ended context makes it fail; it then returns
// what the files scanned so far held, with the context's error.
func (e *Engine) ScanFS(ctx context.Context, fsys fs.FS) (*SweepResult, error) {
	// Every file is opened by a path this walk found (regular files, real
	// directories), so a tree's faster walked view serves (diff.TreeFS).
	if w, ok := fsys.(interface{ Walked() fs.FS }); ok {
		fsys = w.Walked()
	}
	type job struct{ path string }
	jobs := make(chan job)
	var (
		mu      sync.Mutex
		matches []Match
		tooBig  []string
		errs    []string
		scanned int
		wg      sync.WaitGroup
	)
	workers := runtime.GOMAXPROCS(0)
	for w := 0; w < workers; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for j := range jobs {
				ms, big, err := e.scanFSFile(fsys, j.path)
				ms = append(ms, e.ScanName(j.path)...)
				mu.Lock()
				scanned++
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
	sort.SliceStable(matches, func(i, j int) bool {
		if matches[i].Path != matches[j].Path {
			return matches[i].Path < matches[j].Path
		}
		return matches[i].Line < matches[j].Line
	})
	sort.Strings(tooBig)
	sort.Strings(errs)
	res := &SweepResult{Matches: matches, TooBig: tooBig, Unreadable: errs, Scanned: scanned}
	if walkErr != nil {
		return res, fmt.Errorf("sweep stopped after %d files: %w", scanned, walkErr)
	}
	return res, nil
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
