// Package unreadable is the check that turns inventory errors into findings,
// so that a lockfile that could not be read is visible where the reviewer
// looks, not only in a log.
package unreadable

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/tollgate-dev/tollgate/checks"
	"github.com/tollgate-dev/tollgate/lockfiles"
	"github.com/tollgate-dev/tollgate/scanner"
)

// ID is the check's id in config.
const ID = "unreadable"

// RuleUnreadableLockfile is reported for a lockfile that could not be parsed:
// its packages went unchecked, and a malformed lockfile in a pull request can
// be an attempt to hide one.
const RuleUnreadableLockfile = "unreadable-lockfile"

// Entry registers the check in checks/all.
func Entry() checks.Entry {
	return checks.Entry{
		ID:       ID,
		Summary:  "lockfiles that could not be read, whose packages went unchecked",
		Budget:   time.Minute,
		Required: true,
		New:      func(context.Context, checks.Deps) (scanner.Check, error) { return Check{}, nil },
	}
}

// Check reports every lockfile the inventory could not read.
type Check struct{}

// ID implements scanner.Check.
func (Check) ID() string { return ID }

// Needs implements scanner.Check: nothing beyond the inventory.
func (Check) Needs() scanner.Needs { return scanner.Needs{} }

// Rules implements scanner.Check.
func (Check) Rules() []scanner.Rule {
	return []scanner.Rule{{
		ID:        RuleUnreadableLockfile,
		Name:      "UnreadableLockfile",
		Short:     "Lockfile could not be parsed",
		Full:      "tollgate could not parse this lockfile, so none of its packages were checked. A malformed or oversized lockfile can also be an attempt to hide a dependency.",
		Help:      "Check that the file is a valid lockfile produced by its package manager (regenerate it), or exclude it in `.github/tollgate.yml` if it is a test fixture.",
		Severity:  scanner.SeverityMedium,
		Precision: scanner.PrecisionHigh,
		Tags:      []string{"lockfile"},
	}}
}

// Run implements scanner.Check: a finding per unreadable lockfile, and one
// skipped entry listing them.
func (Check) Run(_ context.Context, in *scanner.Input) ([]scanner.Finding, []scanner.Skipped, error) {
	if in.Inventory == nil {
		return nil, nil, nil
	}
	var out []scanner.Finding
	var paths []string
	for _, e := range in.Inventory.Errors {
		paths = append(paths, e.Path)
		line := 0
		var pe *lockfiles.ParseError
		if errors.As(e.Err, &pe) {
			line = pe.Line
		}
		out = append(out, scanner.Finding{
			RuleID:      RuleUnreadableLockfile,
			Severity:    scanner.SeverityMedium,
			Message:     fmt.Sprintf("%s could not be parsed, so its packages were not checked: %v", e.Path, e.Err),
			Path:        e.Path,
			Line:        line,
			Fingerprint: scanner.Fingerprint(RuleUnreadableLockfile, e.Path),
		})
	}
	if len(paths) == 0 {
		return out, nil, nil
	}
	// Unreadable is not clean: the packages of these files went unchecked,
	// so the scan is incomplete (exit 3 under fail-on-skipped), besides the
	// finding a reviewer sees on the file.
	skipped := []scanner.Skipped{{Check: ID, Reason: fmt.Sprintf(
		"%d lockfile(s) could not be read, so their packages were not checked: %s", len(paths), strings.Join(paths, ", "))}}
	return out, skipped, nil
}
