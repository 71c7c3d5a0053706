// Package content is the "content" check: what a change ships that is not
// source. In this version it reports the binary artifacts a pull request
// adds or changes in the repository itself — executables, libraries,
// WebAssembly, Java classes and archives (jars, wheels, nupkgs, tarballs),
// recognised by their first bytes, each with its size and SHA-256: code no
// reviewer can read, and the form a backdoor takes when it is committed
// rather than published. Diffing what changed inside a package between its
// old and new version is not built in this version.
package content

import (
	"context"
	"fmt"
	"time"

	"github.com/tollgate-dev/tollgate/checks"
	"github.com/tollgate-dev/tollgate/scanner"
)

// ID is the check's id in config.
const ID = "content"

// RuleBinaryArtifact is the rule id.
const RuleBinaryArtifact = "binary-artifact-added"

// Entry registers the check in checks/all.
func Entry() checks.Entry {
	return checks.Entry{
		ID:      ID,
		Summary: "binary artifacts (executables, libraries, archives) a pull request adds or changes",
		Budget:  time.Minute,
		New: func(context.Context, checks.Deps) (scanner.Check, error) {
			return Check{}, nil
		},
	}
}

// Check is the content check.
type Check struct{}

// ID implements scanner.Check.
func (Check) ID() string { return ID }

// Needs implements scanner.Check: the change set alone.
func (Check) Needs() scanner.Needs { return scanner.Needs{} }

// Rules implements scanner.Check.
func (Check) Rules() []scanner.Rule {
	return []scanner.Rule{{
		ID:        RuleBinaryArtifact,
		Name:      "BinaryArtifactAdded",
		Short:     "A pull request adds or changes a binary artifact (executable, library, archive).",
		Full:      "Binary files cannot be reviewed in a diff: an executable, a DLL, a jar or a tarball committed to the repository runs or ships whatever it contains. Executables outside test fixtures are rated high; archives, class files and fixtures low.",
		Help:      "Build binaries in CI from reviewed source instead of committing them; if the file must be committed, check where it came from and that its SHA-256 matches the upstream release, then ignore the finding for its path with a reason.",
		Severity:  scanner.SeverityHigh,
		Precision: scanner.PrecisionVeryHigh,
		Tags:      []string{"supply-chain", "binary-artifact"},
	}}
}

// Run implements scanner.Check: pull-request mode only (a sweep has no
// change to judge).
func (Check) Run(ctx context.Context, in *scanner.Input) ([]scanner.Finding, []scanner.Skipped, error) {
	if in.Mode != scanner.ModePullRequest || in.FS == nil {
		return nil, nil, nil
	}
	var out []scanner.Finding
	var unread []string
	for _, p := range in.Changed {
		if ctx.Err() != nil {
			return out, nil, ctx.Err()
		}
		a, size, sum, ok, err := examine(in.FS, p)
		if err != nil {
			unread = append(unread, p)
			continue
		}
		if !ok {
			continue
		}
		sev := scanner.SeverityLow
		if a.executable && !fixturePath(p) {
			sev = scanner.SeverityHigh
		}
		what := a.kind
		if a.detail != "" {
			what += ", " + a.detail
		}
		out = append(out, scanner.Finding{
			RuleID:      RuleBinaryArtifact,
			Severity:    sev,
			Message:     fmt.Sprintf("%s is a binary artifact (%s, %d bytes, sha256 %s) added or changed by this pull request: it cannot be reviewed in the diff. Build it from reviewed source, or check its origin against the upstream release's hash.", p, what, size, sum),
			Path:        p,
			Line:        1,
			Evidence:    "sha256:" + sum,
			Fingerprint: scanner.Fingerprint(RuleBinaryArtifact, p, sum),
		})
	}
	var skipped []scanner.Skipped
	if len(unread) > 0 {
		skipped = append(skipped, scanner.Skipped{Check: ID, Reason: fmt.Sprintf("%d changed file(s) could not be read to tell whether they are binary artifacts: %s", len(unread), scanner.ListSome(unread, 5))})
	}
	return out, skipped, nil
}
