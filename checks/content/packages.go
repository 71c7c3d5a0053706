package content

import (
	"context"
	"errors"
	"fmt"
	"sort"
	"strings"
	"sync"

	"github.com/tollgate-dev/tollgate/checks/content/analyze"
	"github.com/tollgate-dev/tollgate/checks/content/archive"
	"github.com/tollgate-dev/tollgate/internal/workpool"
	"github.com/tollgate-dev/tollgate/lockfiles"
	"github.com/tollgate-dev/tollgate/scanner"
)

// RuleIntegrityMismatch is the rule of an artifact that is not what was locked.
const RuleIntegrityMismatch = "artifact-integrity-mismatch"

// workers is how many packages are fetched and analysed at once.
const workers = 4

// packageRules are the rules of the package half: the integrity check and
// one rule per analyser outcome.
func packageRules() []scanner.Rule {
	tags := []string{"supply-chain", "malware", "package-content"}
	out := []scanner.Rule{{
		ID: RuleIntegrityMismatch, Name: "ArtifactIntegrityMismatch", Severity: scanner.SeverityCritical, Precision: scanner.PrecisionVeryHigh,
		Tags:  []string{"supply-chain", "tampering", "package-content"},
		Short: "The registry serves a different artifact than the lockfile locked.",
		Full:  "The downloaded tarball's hash is not the integrity hash in the lockfile: the registry (or a mirror, or something between) serves other bytes under this name and version than the ones the lockfile was made with.",
		Help:  "Do not install. Find out which side changed: a republished version, a compromised mirror, or a lockfile edited to match a tampered artifact.",
	}, {
		ID: analyze.RuleInstallScript, Name: "InstallScriptCapability", Severity: scanner.SeverityHigh, Precision: scanner.PrecisionMedium, Tags: tags,
		Short: "An install-time entry point of the new version reaches a dangerous capability.",
		Full:  "A script that runs when the package is installed (an npm install script, setup.py, a .pth file, an extconf.rb, install.ps1, build.rs) is new or changed and runs programs, makes network requests, reads the environment or credential files, or evaluates code.",
		Help:  "Read the script before installing; pin the previous version until you know why it changed.",
	}, {
		ID: analyze.RuleCapabilityThreat, Name: "CapabilityWithThreat", Severity: scanner.SeverityCritical, Precision: scanner.PrecisionHigh, Tags: tags,
		Short: "New code in the package pairs a dangerous capability with a threat.",
		Full:  "A file the new version adds or changes both reaches a capability (network, processes, credentials, dynamic code) and carries a threat (an exfiltration endpoint, encoded execution, obfuscation, worm behaviour): the shape of the 2025–2026 npm compromises.",
		Help:  "Do not install; pin the previous version and report the release to the registry.",
	}, {
		ID: analyze.RuleNativeBinary, Name: "NativeBinaryAdded", Severity: scanner.SeverityMedium, Precision: scanner.PrecisionHigh, Tags: tags,
		Short: "The new version ships a native executable the previous one did not.",
		Full:  "An update that starts shipping machine code cannot be reviewed from its source.",
		Help:  "Check where the binary comes from before installing the update.",
	}}
	for _, r := range analyze.Rules {
		if r.Class != analyze.ClassThreat {
			continue
		}
		out = append(out, scanner.Rule{ID: r.ID, Name: camel(r.ID), Severity: r.Severity, Precision: r.Confidence, Tags: tags,
			Short: "New code in the package " + r.Description + ".",
			Full:  "A file the new version adds or changes " + r.Description + ": a threat no honest package needs.",
			Help:  "Read the file named in the finding before installing; pin the previous version until you know why it changed."})
	}
	return out
}

func camel(id string) string {
	var b strings.Builder
	for _, w := range strings.Split(id, "-") {
		if w != "" {
			b.WriteString(strings.ToUpper(w[:1]) + w[1:])
		}
	}
	return b.String()
}

// job is one package to fetch and analyse.
type job struct {
	c lockfiles.Change
}

// packages fetches and judges the npm packages a pull request adds or
// updates.
func (c Check) packages(ctx context.Context, in *scanner.Input) ([]scanner.Finding, []scanner.Skipped) {
	var jobs []job
	other := map[string]int{}
	for _, ch := range in.Changes {
		p := ch.Package
		if ch.Kind == lockfiles.ChangeRemoved || p.Source != lockfiles.SourceRegistry || p.Version == "" {
			continue
		}
		if p.Ecosystem != lockfiles.EcosystemNPM {
			other[p.Ecosystem]++
			continue
		}
		jobs = append(jobs, job{c: ch})
	}
	var skipped []scanner.Skipped
	if len(other) > 0 {
		var parts []string
		for eco, n := range other {
			parts = append(parts, fmt.Sprintf("%s %d", eco, n))
		}
		sort.Strings(parts)
		skipped = append(skipped, scanner.Skipped{Check: ID, ByChoice: true, Reason: "package contents are analysed for npm only in this version; not fetched: " + strings.Join(parts, ", ")})
	}
	if len(jobs) == 0 {
		return nil, skipped
	}
	if in.Offline {
		return nil, append(skipped, scanner.Skipped{Check: ID, ByChoice: true, Reason: fmt.Sprintf("offline: the contents of %d added or updated npm packages were not fetched", len(jobs))})
	}
	if len(jobs) > c.opts.MaxPackages {
		var rest []string
		for _, j := range jobs[c.opts.MaxPackages:] {
			rest = append(rest, j.c.Package.Name+"@"+j.c.Package.Version)
		}
		skipped = append(skipped, scanner.Skipped{Check: ID, Reason: fmt.Sprintf("%d packages over the limit of %d not fetched: %s", len(rest), c.opts.MaxPackages, scanner.ListSome(rest, 5))})
		jobs = jobs[:c.opts.MaxPackages]
	}
	var (
		mu       sync.Mutex
		findings []scanner.Finding
		failed   []string
	)
	workpool.Each(ctx, workers, jobs, func(j job) {
		fs, err := c.judge(ctx, j.c)
		mu.Lock()
		defer mu.Unlock()
		findings = append(findings, fs...)
		if err != nil {
			failed = append(failed, fmt.Sprintf("%s@%s (%v)", j.c.Package.Name, j.c.Package.Version, err))
		}
	})
	if len(failed) > 0 {
		sort.Strings(failed)
		skipped = append(skipped, scanner.Skipped{Check: ID, Reason: fmt.Sprintf("the contents of %d npm packages could not be checked: %s", len(failed), scanner.ListSome(failed, 3))})
	}
	return findings, skipped
}

// judge fetches one package (and its previous version) and analyses it.
func (c Check) judge(ctx context.Context, ch lockfiles.Change) ([]scanner.Finding, error) {
	ctx, cancel := context.WithTimeout(ctx, c.opts.PerPackage)
	defer cancel()
	p := ch.Package
	newData, err := c.f.get(ctx, npmURL(&p, c.opts.NPMRegistry), p.Integrity)
	var ie *integrityError
	if errors.As(err, &ie) {
		return []scanner.Finding{{
			RuleID: RuleIntegrityMismatch, Severity: scanner.SeverityCritical, Path: p.Path, Line: p.Line, Package: p.PURL,
			Message:     fmt.Sprintf("npm %s %s: the registry serves a different artifact than the lockfile locked (%s %s…, locked %s…): do not install it.", p.Name, p.Version, ie.algorithm, ie.got[:16], ie.want[:16]),
			Evidence:    ie.algorithm + ":" + ie.got[:16] + "…",
			Fingerprint: scanner.Fingerprint(RuleIntegrityMismatch, p.Path, p.PURL, ie.got),
		}}, nil
	}
	if err != nil {
		return nil, shorten(err)
	}
	newArchive, err := archive.Read(newData, archive.Limits{})
	if err != nil {
		return nil, fmt.Errorf("read the tarball: %w", err)
	}
	var oldArchive *archive.Archive
	from := ""
	if ch.Kind == lockfiles.ChangeUpdated && ch.Previous != nil && ch.Previous.Version != p.Version {
		prev := *ch.Previous
		oldData, err := c.f.get(ctx, npmURL(&prev, c.opts.NPMRegistry), prev.Integrity)
		if err != nil && !errors.As(err, &ie) {
			return nil, fmt.Errorf("previous version %s: %w", prev.Version, shorten(err))
		}
		if oldArchive, err = archive.Read(oldData, archive.Limits{}); err != nil {
			return nil, fmt.Errorf("previous version %s: %w", prev.Version, err)
		}
		from = " (updated from " + prev.Version + ")"
	}
	var out []scanner.Finding
	for _, r := range analyze.Analyze(oldArchive, newArchive) {
		sev := r.Severity
		if oldArchive == nil && r.Rule == analyze.RuleInstallScript && sev == scanner.SeverityHigh {
			// A new dependency's install script that downloads or builds is
			// common; without a threat it is worth a look, not a block.
			sev = scanner.SeverityMedium
		}
		verb := "adds"
		if oldArchive == nil {
			verb = "ships"
		}
		out = append(out, scanner.Finding{
			RuleID: r.Rule, Severity: sev, Path: p.Path, Line: p.Line, Package: p.PURL,
			Message:     fmt.Sprintf("npm %s %s%s %s %s: %s (in %s; evidence %s).", p.Name, p.Version, from, verb, r.Summary, strings.Join(r.Hits, ", "), r.File, r.Evidence),
			Evidence:    r.File + ": " + r.Evidence,
			Fingerprint: scanner.Fingerprint(r.Rule, p.Path, p.PURL, r.File),
		})
	}
	return out, nil
}

// shorten keeps a fetch error to its first line.
func shorten(err error) error {
	msg := err.Error()
	if i := strings.IndexByte(msg, '\n'); i >= 0 {
		msg = msg[:i]
	}
	if errors.Is(err, context.DeadlineExceeded) {
		msg = "ran out of its time (" + msg + ")"
	}
	return errors.New(msg)
}
