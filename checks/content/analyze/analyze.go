// Package analyze judges what a new version of a package adds: it diffs the
// files of the old and new artifact (checks/content/archive), runs the
// rules (rules.go, data with their true and false cases) on the added files
// and the added parts of changed ones, and reports a file only when a
// threat is present, or a capability and a threat meet in one file, or an
// install-time entry point (an npm install script, setup.py, an in-tree
// build backend, a .pth file, a gem's extension build script, NuGet's
// install.ps1 and imported .targets/.props, Cargo's build script, a
// Composer plugin's class: the EntryPoints table) reaches a capability. Minified and bundled files are
// compared statement by statement, so a rebuild that only reorders adds
// nothing. Nothing is executed: the analysis is pattern matching over text.
package analyze

import (
	"bytes"
	"encoding/json"
	"fmt"
	"maps"
	"path"
	"regexp"
	"slices"
	"strings"

	"github.com/tollgate-dev/tollgate/checks/content/archive"
)

// Result is one file of the new version that the rules judge, with what
// they found.
type Result struct {
	// File is the path inside the package (its top directory removed).
	File string
	// Rule is the finding's rule id: the most telling of Hits.
	Rule string
	// Severity and Confidence of the finding.
	Severity, Confidence string
	// Summary says in words what the file does ("an install script that
	// runs another program and names an exfiltration endpoint").
	Summary string
	// Evidence is short and redacted.
	Evidence string
	// Hits are the rule ids that matched, in rule order.
	Hits []string
}

// Rule ids of findings made from rule combinations.
const (
	RuleInstallScript    = "install-script-capability"
	RuleCapabilityThreat = "capability-with-threat"
	RuleNativeBinary     = "native-binary-added"
)

// hit is one rule matched in one file.
type hit struct {
	rule     *Rule
	evidence string
}

// fileHits are the hits of one file.
type fileHits struct {
	name string
	hits []hit
	// entry is set when the file is an install-time entry point (or run by
	// one), with what makes it one.
	entry string
	// ignore are capabilities the entry point reaches by design.
	ignore []string
}

func (f *fileHits) has(class string) bool {
	for _, h := range f.hits {
		if h.rule.Class == class {
			return true
		}
	}
	return false
}

// Analyze compares old (nil for a package new to the repository) with new
// and returns what the new version adds that the rules judge, by file.
func Analyze(old, new *archive.Archive) []Result {
	oldFiles, newFiles := files(old), files(new)
	entries := entryPoints(oldFiles, newFiles)
	var results []Result
	for _, name := range slices.Sorted(maps.Keys(newFiles)) {
		nf := newFiles[name]
		of := oldFiles[name]
		if of != nil && bytes.Equal(of.Data, nf.Data) {
			if _, ok := entries[name]; !ok {
				continue
			}
		}
		if isBinary(nf.Data) {
			if native(nf.Data) && (old == nil || !hasNative(oldFiles)) && old != nil {
				results = append(results, Result{File: name, Rule: RuleNativeBinary, Severity: "medium", Confidence: "high",
					Summary: "adds a native executable where the previous version had none", Evidence: name})
			}
			continue
		}
		fh := &fileHits{name: name}
		var units []string
		if e, ok := entries[name]; ok {
			fh.entry, fh.ignore = e.phrase, e.ignore
		}
		if e, ok := entries[name]; ok && e.whole {
			// An entry point that newly runs runs whole: judge all of it.
			units = splitUnits(name, nf.Data)
		} else {
			units = newUnits(name, of, nf)
		}
		match(fh, name, units)
		if r, ok := judge(fh); ok {
			results = append(results, r)
		}
	}
	// Inline install commands (package.json scripts) are entry points too.
	for _, cmd := range inlineCommands(oldFiles, newFiles) {
		fh := &fileHits{name: "package.json", entry: "the " + cmd.name + " script"}
		match(fh, "install.sh", []string{cmd.command})
		if r, ok := judge(fh); ok {
			r.File = "package.json"
			results = append(results, r)
		}
	}
	return results
}

// match runs every rule on the units of one file.
func match(fh *fileHits, name string, units []string) {
	for i := range Rules {
		r := &Rules[i]
		files := r.Files
		if files == nil {
			files = codeFiles
		}
		if !files.MatchString(name) && !files.MatchString(path.Base(name)) {
			continue
		}
		for _, u := range units {
			if r.MinCount > 1 {
				if locs := r.Pattern.FindAllStringIndex(u, r.MinCount); len(locs) >= r.MinCount {
					fh.hits = append(fh.hits, hit{rule: r, evidence: redact(fmt.Sprintf("%d× %s", len(locs), u[locs[0][0]:locs[0][1]]))})
					break
				}
				continue
			}
			if m := firstMatch(r, u); m != "" {
				fh.hits = append(fh.hits, hit{rule: r, evidence: redact(m)})
				break
			}
		}
	}
}

// firstMatch is r's first match in u that its Exclude does not take back.
func firstMatch(r *Rule, u string) string {
	for _, loc := range r.Pattern.FindAllStringIndex(u, 8) {
		m := u[loc[0]:loc[1]]
		if r.Exclude == nil || !r.Exclude.MatchString(m) {
			return m
		}
	}
	return ""
}

// judge turns a file's hits into a finding: a threat alone; a capability
// with a threat (critical); an entry point with a capability (high, or
// critical with a threat too).
func judge(fh *fileHits) (Result, bool) {
	threat, capability := fh.has(ClassThreat), fh.has(ClassCapability)
	if len(fh.ignore) > 0 && !threat {
		// Build scripts run compilers by design: only a build script that
		// also reaches the network, credentials or the environment counts.
		capability = false
		for _, h := range fh.hits {
			if h.rule.Class == ClassCapability && !slices.Contains(fh.ignore, h.rule.ID) {
				capability = true
			}
		}
	}
	var ids, what []string
	evidence := ""
	for _, h := range fh.hits {
		ids = append(ids, h.rule.ID)
		what = append(what, h.rule.Description)
		if evidence == "" || h.rule.Class == ClassThreat && !strings.HasPrefix(evidence, "threat:") {
			evidence = h.evidence
		}
	}
	r := Result{File: fh.name, Hits: ids, Evidence: evidence, Confidence: "medium"}
	switch {
	case fh.entry != "" && capability:
		r.Rule, r.Severity = RuleInstallScript, "high"
		if threat {
			r.Severity, r.Confidence = "critical", "high"
		}
		r.Summary = fmt.Sprintf("%s that %s", fh.entry, joinAnd(what))
	case capability && threat:
		r.Rule, r.Severity, r.Confidence = RuleCapabilityThreat, "critical", "high"
		r.Summary = "a file that " + joinAnd(what)
	case threat:
		for _, h := range fh.hits {
			if h.rule.Class == ClassThreat {
				r.Rule, r.Severity, r.Confidence = h.rule.ID, h.rule.Severity, h.rule.Confidence
				r.Evidence = h.evidence
				break
			}
		}
		r.Summary = "a file that " + joinAnd(what)
	default:
		return Result{}, false
	}
	return r, true
}

func joinAnd(items []string) string {
	switch len(items) {
	case 0:
		return ""
	case 1:
		return items[0]
	}
	return strings.Join(items[:len(items)-1], ", ") + " and " + items[len(items)-1]
}

// files maps an archive's files by path without the top directory all of
// them share (npm's package/, an sdist's name-version/).
func files(a *archive.Archive) map[string]*archive.File {
	out := map[string]*archive.File{}
	if a == nil {
		return out
	}
	prefix := ""
	if len(a.Files) > 0 {
		first := a.Files[0].Name
		candidates := []string{}
		// A Go module zip's files are under "<module path>@<version>/",
		// and a module path has slashes of its own.
		if at := strings.IndexByte(first, '@'); at > 0 {
			if j := strings.IndexByte(first[at:], '/'); j > 0 {
				candidates = append(candidates, first[:at+j+1])
			}
		}
		if i := strings.IndexByte(first, '/'); i > 0 {
			candidates = append(candidates, first[:i+1])
		}
	next:
		for _, c := range candidates {
			for _, f := range a.Files {
				if !strings.HasPrefix(f.Name, c) {
					continue next
				}
			}
			prefix = c
			break
		}
	}
	for i := range a.Files {
		out[strings.TrimPrefix(a.Files[i].Name, prefix)] = &a.Files[i]
	}
	return out
}

// minified says whether a file is minified or bundled: a .min file, or a
// line longer than 1,000 characters.
func minified(name string, data []byte) bool {
	if strings.Contains(path.Base(name), ".min.") {
		return true
	}
	for line := range bytes.SplitSeq(data, []byte("\n")) {
		if len(line) > 1000 {
			return true
		}
	}
	return false
}

var statementEnd = regexp.MustCompile(`[;{}]`)

// splitUnits splits a file into what is compared and matched: lines, or
// statements of a minified file.
func splitUnits(name string, data []byte) []string {
	s := string(data)
	if ext := strings.ToLower(path.Ext(name)); ext == ".html" || ext == ".htm" {
		return []string{s} // a form spans lines
	}
	if minified(name, data) {
		var out []string
		for _, part := range statementEnd.Split(s, -1) {
			if p := strings.TrimSpace(part); p != "" {
				out = append(out, p)
			}
		}
		return out
	}
	return strings.Split(s, "\n")
}

// newUnits returns the units of nf that old does not hold (as a multiset):
// all of nf for an added file.
func newUnits(name string, of, nf *archive.File) []string {
	units := splitUnits(name, nf.Data)
	if of == nil {
		return units
	}
	have := map[string]int{}
	for _, u := range splitUnits(name, of.Data) {
		have[u]++
	}
	var out []string
	for _, u := range units {
		if have[u] > 0 {
			have[u]--
			continue
		}
		out = append(out, u)
	}
	return out
}

// isBinary reports a NUL byte in the first 8 KB.
func isBinary(b []byte) bool {
	return bytes.IndexByte(b[:min(len(b), 8000)], 0) >= 0
}

// native reports an executable or library by its magic.
func native(b []byte) bool {
	return bytes.HasPrefix(b, []byte("\x7fELF")) || bytes.HasPrefix(b, []byte("MZ")) ||
		bytes.HasPrefix(b, []byte{0xcf, 0xfa, 0xed, 0xfe}) || bytes.HasPrefix(b, []byte{0xfe, 0xed, 0xfa, 0xcf})
}

func hasNative(fs map[string]*archive.File) bool {
	for _, f := range fs {
		if native(f.Data) {
			return true
		}
	}
	return false
}

// installScripts are the npm lifecycle scripts that run on install.
var installScripts = []string{"preinstall", "install", "postinstall"}

type command struct{ name, command string }

// scripts reads package.json's install scripts.
func scripts(fs map[string]*archive.File) map[string]string {
	out := map[string]string{}
	f := fs["package.json"]
	if f == nil {
		return out
	}
	var doc struct {
		Scripts map[string]any `json:"scripts"`
	}
	if json.Unmarshal(f.Data, &doc) != nil {
		return out
	}
	for _, s := range installScripts {
		if v, ok := doc.Scripts[s].(string); ok {
			out[s] = v
		}
	}
	return out
}

// inlineCommands are the install scripts the new version adds or changes.
func inlineCommands(oldFiles, newFiles map[string]*archive.File) []command {
	olds, news := scripts(oldFiles), scripts(newFiles)
	var out []command
	for _, s := range installScripts {
		if c, ok := news[s]; ok && olds[s] != c {
			out = append(out, command{s, c})
		}
	}
	return out
}

var scriptFile = regexp.MustCompile(`[\w./-]+\.(?:m?js|cjs|sh|py|ps1)\b`)

// entry is why a file of the new version runs at install time.
type entry struct {
	// phrase names it in a summary.
	phrase string
	// whole is set when the file newly runs (added, or not run before): all
	// of it is judged; else only what it gains.
	whole bool
	// ignore are capabilities it reaches by design.
	ignore []string
}

// entryPoints are the files that run at install time in the new version,
// when they are new or changed or newly run: files an added or changed npm
// install script names, and the files of the EntryPoints table (setup.py,
// an in-tree build backend, .pth files, a gem's extension build scripts,
// NuGet's install.ps1 and imported .targets/.props, Cargo's build script, a
// Composer plugin's class). A file that newly runs is judged whole, one
// that ran before only by what it gains.
func entryPoints(oldFiles, newFiles map[string]*archive.File) map[string]entry {
	out := map[string]entry{}
	for _, c := range inlineCommands(oldFiles, newFiles) {
		for _, f := range scriptFile.FindAllString(c.command, -1) {
			f = strings.TrimPrefix(path.Clean(f), "./")
			if _, ok := newFiles[f]; ok {
				out[f] = entry{phrase: fmt.Sprintf("a %s script (%q)", c.name, c.command), whole: true}
			}
		}
	}
	guess := make([]bool, len(EntryPoints))
	for i := range EntryPoints {
		guess[i] = EntryPoints[i].Guess != nil && EntryPoints[i].Guess(newFiles)
	}
	for name, nf := range newFiles {
		of := oldFiles[name]
		unchanged := of != nil && bytes.Equal(of.Data, nf.Data)
		for i := range EntryPoints {
			ep := &EntryPoints[i]
			if !ep.Match(name, newFiles) {
				continue
			}
			ran := of != nil && ep.Match(name, oldFiles)
			switch {
			case guess[i]:
				// Only a guess at the entry point: an unchanged file stays
				// unjudged, as any other unchanged file, and a changed one
				// is judged by what it gains.
				if !unchanged {
					out[name] = entry{phrase: ep.Phrase, whole: of == nil, ignore: ep.Ignore}
				}
			case !unchanged || !ran:
				// An unchanged file that newly runs (a package that became
				// a Composer plugin, a Cargo.toml that names another build
				// script) runs whole, as an added one.
				out[name] = entry{phrase: ep.Phrase, whole: !ran, ignore: ep.Ignore}
			}
			break
		}
	}
	return out
}

// redact shortens evidence and masks long tokens in it (a webhook's secret
// part, a bot token).
var longToken = regexp.MustCompile(`[A-Za-z0-9_\-]{24,}`)

func redact(s string) string {
	s = longToken.ReplaceAllStringFunc(s, func(t string) string { return t[:4] + "…" })
	if len(s) > 120 {
		s = s[:117] + "…"
	}
	return s
}
