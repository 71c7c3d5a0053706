package pipeline

import (
	"errors"
	"fmt"
	"strings"

	"github.com/tollgate-dev/tollgate/scanner"
)

// Exit codes of the CLI contract (DESIGN.md), shared by the CLI and the Action.
const (
	ExitOK         = 0 // nothing at or above fail-on
	ExitFindings   = 1 // findings at or above fail-on
	ExitUsage      = 2 // bad usage or bad config
	ExitIncomplete = 3 // the scan could not complete (fail closed)
)

// Version is the tool version reported in SARIF and by `tollgate version`;
// releases stamp it with -ldflags "-X github.com/tollgate-dev/tollgate/pipeline.Version=v1.2.3".
var Version = "0.1.0-dev"

// UsageError is bad usage, bad inputs or bad config: exit code 2.
type UsageError struct{ Err error }

func (e *UsageError) Error() string { return e.Err.Error() }
func (e *UsageError) Unwrap() error { return e.Err }

// Usagef returns a UsageError.
func Usagef(format string, args ...any) error {
	return &UsageError{fmt.Errorf(format, args...)}
}

// IsUsage reports whether err is bad usage.
func IsUsage(err error) bool {
	var ue *UsageError
	return errors.As(err, &ue)
}

// ExitCode maps an error that stopped a run to its exit code: 2 for bad
// usage, 3 for anything else (the scan could not complete).
func ExitCode(err error) int {
	switch {
	case err == nil:
		return ExitOK
	case IsUsage(err):
		return ExitUsage
	}
	return ExitIncomplete
}

// Verdict is what a run's result means for the gate.
type Verdict struct {
	// Outcome is scanner.OutcomePassed, OutcomeFailed or OutcomeIncomplete.
	Outcome string
	// Exit is the process exit code.
	Exit int
	// Incomplete says why the scan did not complete ("" when it did).
	Incomplete string
}

// Decide turns a result into a verdict: incomplete (exit 3) when the run
// failed, or when a check was skipped under fail-on-skipped; failed (exit 1)
// when a finding is at or above failOn; passed otherwise.
func Decide(res *scanner.Result, runErr error, failOn string, failOnSkipped bool) Verdict {
	if runErr == nil && failOnSkipped {
		runErr = SkippedError(res.Skipped)
	}
	switch {
	case runErr != nil:
		return Verdict{Outcome: scanner.OutcomeIncomplete, Exit: ExitIncomplete, Incomplete: runErr.Error()}
	case scanner.FailsOn(res.Findings, failOn):
		return Verdict{Outcome: scanner.OutcomeFailed, Exit: ExitFindings}
	}
	return Verdict{Outcome: scanner.OutcomePassed, Exit: ExitOK}
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

// ParseBool reads a boolean input or flag value ("true", "yes", "1", "on"
// and their opposites, any case); "" is def.
func ParseBool(s string, def bool) (bool, error) {
	switch strings.ToLower(strings.TrimSpace(s)) {
	case "":
		return def, nil
	case "true", "yes", "1", "on":
		return true, nil
	case "false", "no", "0", "off":
		return false, nil
	}
	return false, fmt.Errorf("%q is not true or false", s)
}
