// Package github is tollgate's reporting side of GitHub: workflow commands
// (annotations, masks, outputs, the job summary) through go-githubactions, and
// the markdown of the summary and of the sticky pull-request comment. It
// renders findings; it never runs a check and makes no API call (those are
// github/api's; the event that started a run is read by github/event).
package github

import (
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"os"
	"sort"
	"strconv"
	"strings"
	"sync"

	"github.com/sethvargo/go-githubactions"

	"github.com/tollgate-dev/tollgate/scanner"
)

// Annotation levels (workflow commands).
const (
	LevelError   = "error"
	LevelWarning = "warning"
	LevelNotice  = "notice"
)

// GitHub's display limits for annotations ("workflow commands" docs): per step
// at most 10 of each level are shown, per job at most 50 in all.
const (
	MaxAnnotationsPerLevel = 10
	MaxAnnotationsPerJob   = 50
)

// Annotation is one workflow-command annotation.
type Annotation struct {
	Level   string
	File    string
	Line    int
	Title   string
	Message string
}

// AnnotationLevel maps a severity to an annotation level: critical and high
// are errors, medium warnings, low and info notices.
func AnnotationLevel(severity string) string {
	switch severity {
	case scanner.SeverityCritical, scanner.SeverityHigh:
		return LevelError
	case scanner.SeverityMedium:
		return LevelWarning
	}
	return LevelNotice
}

// SelectAnnotations returns the annotations to emit, most severe first,
// within GitHub's display limits (perLevel of each level, perJob in all; 0
// means GitHub's), and how many findings of each level were left out.
func SelectAnnotations(findings []scanner.Finding, perLevel, perJob int) ([]Annotation, map[string]int) {
	if perLevel <= 0 {
		perLevel = MaxAnnotationsPerLevel
	}
	if perJob <= 0 {
		perJob = MaxAnnotationsPerJob
	}
	sorted := append([]scanner.Finding(nil), findings...)
	scanner.SortFindings(sorted)
	shown := map[string]int{}
	hidden := map[string]int{}
	var out []Annotation
	for _, f := range sorted {
		level := AnnotationLevel(f.Severity)
		if shown[level] >= perLevel || len(out) >= perJob {
			hidden[level]++
			continue
		}
		shown[level]++
		out = append(out, annotationOf(f, level))
	}
	return out, hidden
}

func annotationOf(f scanner.Finding, level string) Annotation {
	msg := f.Message
	if f.Package != "" {
		msg += "\nPackage: " + f.Package
	}
	if len(f.IDs) > 0 {
		msg += "\nAdvisories: " + strings.Join(f.IDs, ", ")
	}
	if f.Evidence != "" {
		msg += "\nEvidence: " + f.Evidence
	}
	return Annotation{
		Level:   level,
		File:    f.Path,
		Line:    f.Line,
		Title:   fmt.Sprintf("tollgate %s: %s", f.Severity, f.RuleID),
		Message: msg,
	}
}

// HiddenLine says how many findings were not shown as annotations, or "" when
// all were.
func HiddenLine(hidden map[string]int) string {
	total := 0
	var parts []string
	for _, level := range []string{LevelError, LevelWarning, LevelNotice} {
		if n := hidden[level]; n > 0 {
			total += n
			parts = append(parts, fmt.Sprintf("%d %s", n, level))
		}
	}
	if total == 0 {
		return ""
	}
	plural := "s"
	if total == 1 {
		plural = ""
	}
	return fmt.Sprintf("%d more finding%s not shown as annotations (%s): GitHub shows at most %d error, %d warning and %d notice annotations per step and %d per job. All findings are in this summary and in the SARIF file.",
		total, plural, strings.Join(parts, ", "), MaxAnnotationsPerLevel, MaxAnnotationsPerLevel, MaxAnnotationsPerLevel, MaxAnnotationsPerJob)
}

// Commands writes workflow commands (annotations, masks) to the log and
// environment files (outputs, job summary) through go-githubactions. Its
// methods return errors where go-githubactions would panic. It is safe for
// concurrent use (Mask is called from the secret scanner's workers).
type Commands struct {
	mu     sync.Mutex
	action *githubactions.Action
	getenv func(string) string
	masked map[string]bool
}

// NewCommands returns Commands writing to w (the step's standard output) and
// to the files named by getenv (GITHUB_OUTPUT, GITHUB_STEP_SUMMARY).
func NewCommands(w io.Writer, getenv func(string) string) *Commands {
	return &Commands{
		action: githubactions.New(githubactions.WithWriter(w), githubactions.WithGetenv(githubactions.GetenvFunc(getenv))),
		getenv: getenv,
		masked: map[string]bool{},
	}
}

// Input returns the Action input name (INPUT_<NAME>), trimmed.
func (c *Commands) Input(name string) string {
	return c.action.GetInput(name)
}

// guard turns a go-githubactions panic (a failed write) into an error.
func guard(what string, fn func()) (err error) {
	defer func() {
		if r := recover(); r != nil {
			if e, ok := r.(error); ok {
				err = fmt.Errorf("%s: %w", what, e)
				return
			}
			err = fmt.Errorf("%s: %v", what, r)
		}
	}()
	fn()
	return nil
}

// Mask registers a secret with the runner (::add-mask::) so that it is
// replaced by *** wherever it would appear in the log. A multi-line secret
// (a private key) is masked line by line, as the runner matches single lines.
func (c *Commands) Mask(secret string) {
	c.mu.Lock()
	defer c.mu.Unlock()
	for _, line := range strings.Split(secret, "\n") {
		line = strings.TrimSpace(line)
		if len(line) < 4 || c.masked[line] {
			continue
		}
		c.masked[line] = true
		// A failed write to the log cannot be reported anywhere better.
		_ = guard("add-mask", func() { c.action.AddMask(line) })
	}
}

// Annotate emits one annotation.
func (c *Commands) Annotate(a Annotation) error {
	props := githubactions.CommandProperties{"title": a.Title}
	if a.File != "" {
		props["file"] = a.File
		if a.Line > 0 {
			props["line"] = strconv.Itoa(a.Line)
		}
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	return guard("annotation", func() {
		c.action.IssueCommand(&githubactions.Command{Name: a.Level, Message: a.Message, Properties: props})
	})
}

// Log writes a plain line to the step log.
func (c *Commands) Log(format string, args ...any) {
	c.mu.Lock()
	defer c.mu.Unlock()
	_ = guard("log", func() { c.action.Infof(format, args...) })
}

// LogUntrusted writes text that may hold content from scanned files (package
// names, messages) to the step log with workflow commands turned off
// (::stop-commands::), so a line in it that starts with "::" is not run.
func (c *Commands) LogUntrusted(text string) error {
	var raw [16]byte
	if _, err := rand.Read(raw[:]); err != nil {
		return fmt.Errorf("log: stop-commands token: %w", err)
	}
	token := hex.EncodeToString(raw[:])
	c.mu.Lock()
	defer c.mu.Unlock()
	return guard("log", func() {
		c.action.IssueCommand(&githubactions.Command{Name: "stop-commands", Message: token})
		c.action.Infof("%s", text)
		c.action.IssueCommand(&githubactions.Command{Name: token})
	})
}

// SetOutputs writes step outputs (GITHUB_OUTPUT), in name order, each as
// name<<DELIMITER / value / DELIMITER with a random delimiter per output.
// Written by hand: go-githubactions uses one fixed, public delimiter, so a
// value holding it (a URL or text from an API response) could end its
// output early and set others.
func (c *Commands) SetOutputs(outputs map[string]string) error {
	file := c.getenv("GITHUB_OUTPUT")
	if file == "" {
		return errors.New("step outputs: GITHUB_OUTPUT is not set")
	}
	names := make([]string, 0, len(outputs))
	for n := range outputs {
		if strings.ContainsAny(n, "\r\n<=") {
			return fmt.Errorf("step outputs: %q is not an output name", n)
		}
		names = append(names, n)
	}
	sort.Strings(names)
	var b strings.Builder
	for _, n := range names {
		v := outputs[n]
		delim, err := outputDelimiter(v)
		if err != nil {
			return err
		}
		fmt.Fprintf(&b, "%s<<%s\n%s\n%s\n", n, delim, v, delim)
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	f, err := os.OpenFile(file, os.O_APPEND|os.O_CREATE|os.O_WRONLY, 0o644)
	if err != nil {
		return fmt.Errorf("step outputs: %w", err)
	}
	if _, err := f.WriteString(b.String()); err != nil {
		f.Close()
		return fmt.Errorf("step outputs: %w", err)
	}
	if err := f.Close(); err != nil {
		return fmt.Errorf("step outputs: %w", err)
	}
	return nil
}

// outputDelimiter returns a random delimiter that does not occur in value.
func outputDelimiter(value string) (string, error) {
	for range 4 {
		var raw [16]byte
		if _, err := rand.Read(raw[:]); err != nil {
			return "", fmt.Errorf("step outputs: delimiter: %w", err)
		}
		d := "ghadelimiter_" + hex.EncodeToString(raw[:])
		if !strings.Contains(value, d) {
			return d, nil
		}
	}
	return "", errors.New("step outputs: no delimiter that the value does not hold")
}

// AddSummary appends markdown to the job summary (GITHUB_STEP_SUMMARY).
func (c *Commands) AddSummary(markdown string) error {
	if c.getenv("GITHUB_STEP_SUMMARY") == "" {
		return errors.New("job summary: GITHUB_STEP_SUMMARY is not set")
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	return guard("job summary", func() { c.action.AddStepSummary(markdown) })
}
