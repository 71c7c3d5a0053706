package scanner

import (
	"context"
	"errors"
	"fmt"

	"github.com/tollgate-dev/tollgate/lockfiles"
)

// RuleUnreadableLockfile is reported for a lockfile that could not be parsed:
// its packages went unchecked, and a malformed lockfile in a pull request can
// be an attempt to hide one.
const RuleUnreadableLockfile = "unreadable-lockfile"

// LockfileCheck turns inventory errors into findings, so that a lockfile that
// could not be read is visible where the reviewer looks, not only in a log.
type LockfileCheck struct{}

// ID implements Check.
func (LockfileCheck) ID() string { return "lockfiles" }

// Rules implements Check.
func (LockfileCheck) Rules() []Rule {
	return []Rule{{
		ID:        RuleUnreadableLockfile,
		Name:      "UnreadableLockfile",
		Short:     "Lockfile could not be parsed",
		Full:      "tollgate could not parse this lockfile, so none of its packages were checked. A malformed or oversized lockfile can also be an attempt to hide a dependency.",
		Help:      "Check that the file is a valid lockfile produced by its package manager (regenerate it), or exclude it in `.github/tollgate.yml` if it is a test fixture.",
		Severity:  SeverityMedium,
		Precision: PrecisionHigh,
		Tags:      []string{"lockfile"},
	}}
}

// Run implements Check.
func (LockfileCheck) Run(_ context.Context, in *Input) ([]Finding, []Skipped, error) {
	if in.Inventory == nil {
		return nil, nil, nil
	}
	var out []Finding
	for _, e := range in.Inventory.Errors {
		line := 0
		var pe *lockfiles.ParseError
		if errors.As(e.Err, &pe) {
			line = pe.Line
		}
		out = append(out, Finding{
			RuleID:      RuleUnreadableLockfile,
			Severity:    SeverityMedium,
			Message:     fmt.Sprintf("%s could not be parsed, so its packages were not checked: %v", e.Path, e.Err),
			Path:        e.Path,
			Line:        line,
			Fingerprint: Fingerprint(RuleUnreadableLockfile, e.Path),
		})
	}
	return out, nil, nil
}
