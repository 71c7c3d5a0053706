package content

import (
	"context"
	"errors"
	"fmt"
	"sort"
	"strings"
	"sync"

	"github.com/tollgate-dev/tollgate/checks"
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
		Full:  "The downloaded artifact's hash is not the hash in the lockfile (or, when the lockfile carries none, not the registry's own digest): the registry (or a mirror, or something between) serves other bytes under this name and version than the ones the lockfile was made with.",
		Help:  "Do not install. Find out which side changed: a republished version, a compromised mirror, or a lockfile edited to match a tampered artifact.",
	}, {
		ID: analyze.RuleInstallScript, Name: "InstallScriptCapability", Severity: scanner.SeverityHigh, Precision: scanner.PrecisionMedium, Tags: tags,
		Short: "An install-time entry point of the new version reaches a dangerous capability.",
		Full:  "A script that runs when the package is installed (an npm install script, setup.py or an in-tree build backend, a .pth file, a gem extension build, NuGet install.ps1 or imported .targets/.props, Cargo build.rs, a Composer plugin class) is new or changed and runs programs, makes network requests, reads the environment or credential files, or evaluates code.",
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
	}, {
		ID: RuleShipsSecret, Name: "PackageShipsSecret", Severity: scanner.SeverityMedium, Precision: scanner.PrecisionHigh,
		Tags:  []string{"supply-chain", "secret", "package-content"},
		Short: "The new version of a package ships a credential.",
		Full:  "The secrets engine found a credential (a rule of high or very high precision) in a file the new version adds or in the lines a changed file gains: the publisher leaked it, or the release carries a stolen one (the 2025 npm worms published stolen tokens). The secret is redacted everywhere.",
		Help:  "Tell the package's maintainers so that the credential is revoked; read the release before installing it.",
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

func (j job) String() string {
	p := j.c.Package
	return checks.RegistryKey(p.Ecosystem) + " " + p.Name + "@" + p.Version
}

// outcome classes of a package that could not be judged, each its own
// skipped entry.
const (
	failSize    = "over the size cap"
	failTime    = "out of the per-package time"
	failRun     = "not reached before the run's time budget ran out"
	failLimit   = "over the extraction limits"
	failOther   = "could not be checked"
	unsupported = "unsupported"
)

// packages fetches and judges the packages a pull request adds or updates.
func (c Check) packages(ctx context.Context, in *scanner.Input) ([]scanner.Finding, []scanner.Skipped) {
	var jobs []job
	other := map[string]int{}
	for _, ch := range in.Changes {
		p := ch.Package
		if ch.Kind == lockfiles.ChangeRemoved || p.Source != lockfiles.SourceRegistry || p.Version == "" {
			continue
		}
		if checks.RegistryKey(p.Ecosystem) == "" {
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
		skipped = append(skipped, scanner.Skipped{Check: ID, ByChoice: true, Reason: "package contents are analysed for npm, PyPI, RubyGems, NuGet, crates.io, Go and Packagist only; not fetched: " + strings.Join(parts, ", ")})
	}
	if len(jobs) == 0 {
		return nil, skipped
	}
	if in.Offline {
		return nil, append(skipped, scanner.Skipped{Check: ID, ByChoice: true, Reason: fmt.Sprintf("offline: the contents of %d added or updated packages were not fetched", len(jobs))})
	}
	if len(jobs) > c.opts.MaxPackages {
		var rest []string
		for _, j := range jobs[c.opts.MaxPackages:] {
			rest = append(rest, j.String())
		}
		skipped = append(skipped, scanner.Skipped{Check: ID, Reason: fmt.Sprintf("%d packages over the limit of %d not fetched: %s", len(rest), c.opts.MaxPackages, scanner.ListSome(rest, 5))})
		jobs = jobs[:c.opts.MaxPackages]
	}
	runCtx := ctx
	if c.opts.PerRun > 0 {
		var cancel context.CancelFunc
		runCtx, cancel = context.WithTimeout(ctx, c.opts.PerRun)
		defer cancel()
	}
	var (
		mu         sync.Mutex
		findings   []scanner.Finding
		failed     = map[string][]string{}
		unverified []string
		done       = make([]bool, len(jobs))
	)
	order := make([]int, len(jobs))
	for i := range order {
		order[i] = i
	}
	workpool.Each(runCtx, workers, order, func(i int) {
		j := jobs[i]
		fs, note, err := c.judge(runCtx, j.c)
		mu.Lock()
		defer mu.Unlock()
		done[i] = true
		findings = append(findings, fs...)
		if note != "" {
			unverified = append(unverified, j.String())
		}
		if err != nil {
			class := classify(runCtx, err)
			if class == unsupported {
				other[j.c.Package.Ecosystem]++
				return
			}
			failed[class] = append(failed[class], fmt.Sprintf("%s (%v)", j, shorten(err)))
		}
	})
	for i, ok := range done {
		if !ok {
			failed[failRun] = append(failed[failRun], jobs[i].String())
		}
	}
	for _, class := range []string{failOther, failLimit, failSize, failTime, failRun} {
		list := failed[class]
		if len(list) == 0 {
			continue
		}
		sort.Strings(list)
		var reason string
		switch class {
		case failOther:
			reason = fmt.Sprintf("the contents of %d packages could not be checked: %s", len(list), scanner.ListSome(list, 3))
		case failLimit:
			reason = fmt.Sprintf("the contents of %d packages exceed the extraction limits (a decompression bomb, or too many or too large files) and were not analysed: %s", len(list), scanner.ListSome(list, 3))
		case failSize:
			reason = fmt.Sprintf("%d package artifacts are over the size cap of %d bytes and were not analysed: %s", len(list), c.opts.MaxArtifact, scanner.ListSome(list, 3))
		case failTime:
			reason = fmt.Sprintf("%d packages ran out of the per-package time of %s: %s", len(list), c.opts.PerPackage, scanner.ListSome(list, 3))
		case failRun:
			reason = fmt.Sprintf("%d packages were not checked before the run's time budget ran out: %s", len(list), scanner.ListSome(list, 5))
		}
		skipped = append(skipped, scanner.Skipped{Check: ID, Reason: reason})
	}
	if len(unverified) > 0 {
		sort.Strings(unverified)
		skipped = append(skipped, scanner.Skipped{Check: ID, ByChoice: true, Reason: fmt.Sprintf("%d artifacts were analysed without verifying their integrity: neither the lockfile nor the registry gives a hash (composer.lock leaves GitHub archives unhashed; go.mod without go.sum): %s", len(unverified), scanner.ListSome(unverified, 5))})
	}
	return findings, skipped
}

// classify says which skipped entry a failure belongs to.
func classify(runCtx context.Context, err error) string {
	switch {
	case errors.Is(err, errUnsupported):
		return unsupported
	case errors.Is(err, errTooLarge):
		return failSize
	case errors.Is(err, archive.ErrLimit):
		return failLimit
	case errors.Is(err, context.DeadlineExceeded) || errors.Is(err, context.Canceled):
		if runCtx.Err() != nil {
			return failRun
		}
		return failTime
	}
	return failOther
}

// fetched is one version's artifact, read.
type fetched struct {
	archive *archive.Archive
	art     located
	// unverified is set when no hash could be verified.
	unverified bool
}

// fetch locates, downloads, verifies and reads one version. An artifact
// that does not verify is returned read, with the *integrityError.
func (c Check) fetch(ctx context.Context, p *lockfiles.Package) (*fetched, error) {
	art, err := c.locate(ctx, p)
	if err != nil {
		return nil, err
	}
	f := &fetched{art: art}
	var data []byte
	if art.exp.ok() {
		data, err = c.f.get(ctx, art.url, art.exp)
	} else {
		f.unverified = true
		data, err = c.f.download(ctx, art.url)
		if err == nil && p.Ecosystem == lockfiles.EcosystemGo {
			_, err = digestOf(data, expectation{algorithm: "h1", module: art.exp.module}) // the module zip rules still apply
		}
	}
	var ie *integrityError
	if err != nil && !errors.As(err, &ie) {
		return nil, err
	}
	read := archive.Read
	if art.gem {
		read = archive.ReadGem
	}
	a, rerr := read(data, archive.Limits{})
	if rerr != nil {
		if ie != nil {
			return f, err
		}
		return nil, fmt.Errorf("read the artifact: %w", rerr)
	}
	f.archive = a
	return f, err
}

// judge fetches one package (and its previous version) and analyses it. It
// returns a note when the artifact could not be verified.
func (c Check) judge(ctx context.Context, ch lockfiles.Change) ([]scanner.Finding, string, error) {
	ctx, cancel := context.WithTimeout(ctx, c.opts.PerPackage)
	defer cancel()
	p := ch.Package
	label := checks.RegistryKey(p.Ecosystem)
	cur, err := c.fetch(ctx, &p)
	var ie *integrityError
	if errors.As(err, &ie) {
		msg := fmt.Sprintf("%s %s %s: the registry serves a different artifact than the lockfile locked (%s %s…, locked %s…): do not install it.", label, p.Name, p.Version, ie.algorithm, short(ie.got), short(ie.want))
		if cur.art.note != "" {
			msg = strings.TrimSuffix(msg, ": do not install it.") + "; " + cur.art.note + ": do not install it."
		}
		if ie.source == fromRegistry {
			msg = fmt.Sprintf("%s %s %s: the downloaded artifact does not match the registry's own digest (%s %s…, the registry says %s…; %s): something between the registry and this run changed it: do not install it.", label, p.Name, p.Version, ie.algorithm, short(ie.got), short(ie.want), cur.art.note)
		}
		return []scanner.Finding{{
			RuleID: RuleIntegrityMismatch, Severity: scanner.SeverityCritical, Path: p.Path, Line: p.Line, Package: p.PURL,
			Message:     msg,
			Evidence:    ie.algorithm + ":" + short(ie.got) + "…",
			Fingerprint: scanner.Fingerprint(RuleIntegrityMismatch, p.Path, p.PURL, ie.got),
		}}, "", nil
	}
	if err != nil {
		return nil, "", err
	}
	note := cur.art.note
	if cur.unverified {
		note = "not verified: neither the lockfile nor the registry gives a hash"
	}
	var old *archive.Archive
	from := ""
	if ch.Kind == lockfiles.ChangeUpdated && ch.Previous != nil && ch.Previous.Version != p.Version {
		prev := *ch.Previous
		pf, err := c.fetch(ctx, &prev)
		if err != nil && !errors.As(err, &ie) {
			return nil, "", fmt.Errorf("previous version %s: %w", prev.Version, err)
		}
		if pf == nil || pf.archive == nil {
			return nil, "", fmt.Errorf("previous version %s: %w", prev.Version, err)
		}
		old = pf.archive
		from = " (updated from " + prev.Version + ")"
	}
	verb := "adds"
	if old == nil {
		verb = "ships"
	}
	suffix := ""
	if note != "" {
		suffix = "; " + note
	}
	var out []scanner.Finding
	for _, r := range analyze.Analyze(old, cur.archive) {
		sev := r.Severity
		if old == nil && r.Rule == analyze.RuleInstallScript && sev == scanner.SeverityHigh {
			// A new dependency's install script that downloads or builds is
			// common; without a threat it is worth a look, not a block.
			sev = scanner.SeverityMedium
		}
		out = append(out, scanner.Finding{
			RuleID: r.Rule, Severity: sev, Path: p.Path, Line: p.Line, Package: p.PURL,
			Message:     fmt.Sprintf("%s %s %s%s %s %s: %s (in %s; evidence %s%s).", label, p.Name, p.Version, from, verb, r.Summary, strings.Join(r.Hits, ", "), r.File, r.Evidence, suffix),
			Evidence:    r.File + ": " + r.Evidence,
			Fingerprint: scanner.Fingerprint(r.Rule, p.Path, p.PURL, r.File),
		})
	}
	out = append(out, c.shippedSecrets(&p, old, cur.archive, from, verb, suffix)...)
	if cur.unverified {
		return out, note, nil
	}
	return out, "", nil
}

func short(digest string) string {
	return digest[:min(16, len(digest))]
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
