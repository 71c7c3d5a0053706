package typosquat

import (
	"context"
	"errors"
	"fmt"
	"maps"
	"slices"
	"sync"
	"time"

	"github.com/tollgate-dev/tollgate/checks/typosquat/popular"
	"github.com/tollgate-dev/tollgate/internal/workpool"
	"github.com/tollgate-dev/tollgate/lockfiles"
	reg "github.com/tollgate-dev/tollgate/registry"
	"github.com/tollgate-dev/tollgate/scanner"
)

// Mid-tail discovery: an added name outside the snapshot, and with no
// offline match, may imitate a package no top-N list holds (the 2020
// RubyGems campaign took such names: atlas-client for atlas_client). The
// registry is asked whether one of the name's variants (variants.go)
// exists, is far more downloaded and older.
const (
	// maxDiscoverPerRun bounds the registry lookups of mid-tail discovery in
	// one run, candidates and variants together: 200 is about fifteen
	// names of thirteen lookups each, within the check's one-minute budget
	// at the registries' concurrency. Names beyond it are a skipped entry.
	maxDiscoverPerRun = 200
	// farMoreDownloads: a variant is a target only with at least this many
	// times the candidate's downloads (over the same period, from the same
	// registry).
	farMoreDownloads = 100
	// discoverWorkers is how many names are worked on at once; the
	// registry clients' own limits (MaxInFlight) bound the requests.
	discoverWorkers = 8
)

// minTargetDownloads is the fewest downloads, per counting period, a
// variant needs to be a target at all: a hundred times a new package's
// handful of downloads is still nobody's name to imitate.
var minTargetDownloads = map[string]int64{
	reg.DownloadsTotal:     20_000, // RubyGems, NuGet: since the first release
	reg.Downloads90Days:    2_000,  // crates.io
	reg.DownloadsLastMonth: 700,
	reg.DownloadsLastWeek:  200, // npm
}

// countedEcosystems are the ecosystems whose registry client fills
// Package.Downloads (registry/doc.go): npm (the public registry's
// download API only), RubyGems, NuGet and crates.io. PyPI, the Go proxy and
// Packagist publish none, so "far more downloads" cannot be shown there
// and existence alone is never reported.
var countedEcosystems = map[string]bool{
	lockfiles.EcosystemNPM:      true,
	lockfiles.EcosystemRubyGems: true,
	lockfiles.EcosystemNuGet:    true,
	lockfiles.EcosystemCrates:   true,
}

// discovery is what mid-tail discovery found and could not do.
type discovery struct {
	mu       sync.Mutex
	findings map[int]scanner.Finding // by the name's place in the list
	failed   map[string][]string     // ecosystem -> names
	why      map[string]string       // ecosystem -> one error
	cut      []string                // names over the run's limit or budget
	capped   []string                // names with more confident variants than asked
	uncount  map[string][]string     // ecosystem -> names without counts
}

// discover runs mid-tail discovery on pkgs (added names of ecosystems with
// a registry client, outside the snapshot, with no offline match).
func (c *Check) discover(ctx context.Context, pkgs []*lockfiles.Package) ([]scanner.Finding, []scanner.Skipped) {
	d := &discovery{findings: map[int]scanner.Finding{}, failed: map[string][]string{}, why: map[string]string{}, uncount: map[string][]string{}}
	type job struct {
		i        int
		p        *lockfiles.Package
		variants []variant
		started  bool
	}
	var jobs []*job
	left := c.maxDiscover
	gen := c.variants()
	for i, p := range pkgs {
		if !countedEcosystems[p.Ecosystem] {
			d.uncount[p.Ecosystem] = append(d.uncount[p.Ecosystem], p.Name)
			continue
		}
		if left == 0 {
			d.cut = append(d.cut, p.Name)
			continue
		}
		vs, confident := gen.Variants(p.Ecosystem, p.Name)
		// A variant in the snapshot was judged offline, with the rank
		// limits that keep honest neighbours of popular names quiet.
		ix := c.index(p.Ecosystem)
		vs = slices.DeleteFunc(vs, func(v variant) bool { return ix != nil && ix.Popular(v.Name) })
		if len(vs) == 0 {
			continue
		}
		// Lookups are allotted in the order of the names, before any is
		// sent, so that which names a limit cuts does not depend on timing.
		if need := 1 + len(vs); need > left {
			d.cut = append(d.cut, p.Name)
			left = 0
			continue
		} else {
			left -= need
		}
		if confident > maxVariantsPerName {
			d.capped = append(d.capped, p.Name)
		}
		jobs = append(jobs, &job{i: i, p: p, variants: vs})
	}
	workpool.Each(ctx, discoverWorkers, jobs, func(j *job) {
		j.started = true
		if f, ok := c.discoverOne(ctx, d, j.p, j.variants); ok {
			d.mu.Lock()
			d.findings[j.i] = f
			d.mu.Unlock()
		}
	})
	for _, j := range jobs {
		if !j.started {
			d.cut = append(d.cut, j.p.Name)
		}
	}
	return d.report(ctx, c.maxDiscover)
}

// discoverOne asks about one candidate and its variants, and returns a
// finding for the first variant that is far more downloaded and older.
func (c *Check) discoverOne(ctx context.Context, d *discovery, p *lockfiles.Package, vs []variant) (scanner.Finding, bool) {
	client := c.clients[p.Ecosystem]
	fail := func(err error) {
		d.mu.Lock()
		defer d.mu.Unlock()
		if ctx.Err() != nil {
			d.cut = append(d.cut, p.Name)
			return
		}
		d.failed[p.Ecosystem] = append(d.failed[p.Ecosystem], p.Name)
		d.why[p.Ecosystem] = err.Error()
	}
	cand, err := client.Package(ctx, p.Name)
	switch {
	case errors.Is(err, reg.ErrNotFound):
		// Not on the registry (private, or removed: the registry check
		// reports that): nothing to compare.
		return scanner.Finding{}, false
	case err != nil:
		fail(err)
		return scanner.Finding{}, false
	case cand.Downloads < 0:
		d.mu.Lock()
		d.uncount[p.Ecosystem] = append(d.uncount[p.Ecosystem], p.Name)
		d.mu.Unlock()
		return scanner.Finding{}, false
	}
	var failure error
	for _, v := range vs {
		if ctx.Err() != nil {
			fail(ctx.Err())
			return scanner.Finding{}, false
		}
		tgt, err := client.Package(ctx, v.Name)
		switch {
		case errors.Is(err, reg.ErrNotFound):
			continue
		case err != nil:
			failure = err
			continue
		}
		if f, ok := c.judgeVariant(p, cand, v, tgt); ok {
			return f, true
		}
	}
	if failure != nil {
		fail(failure)
	}
	return scanner.Finding{}, false
}

// judgeVariant reports a candidate whose variant exists with at least
// farMoreDownloads times its downloads (and at least minTargetDownloads)
// and was published before it. A candidate with a tenth of the variant's
// downloads or more is an honest name of its own (popularEnough) and never
// reported; neither is a variant the registry answers for under the
// candidate's own name.
func (c *Check) judgeVariant(p *lockfiles.Package, cand *reg.Package, v variant, tgt *reg.Package) (scanner.Finding, bool) {
	switch {
	case fold(p.Ecosystem, tgt.Name) == fold(p.Ecosystem, p.Name):
		return scanner.Finding{}, false // the registry resolved the variant to the candidate
	case tgt.Downloads < 0 || tgt.DownloadsPeriod != cand.DownloadsPeriod:
		return scanner.Finding{}, false
	case tgt.Downloads < minTargetDownloads[tgt.DownloadsPeriod] || minTargetDownloads[tgt.DownloadsPeriod] == 0:
		return scanner.Finding{}, false
	case cand.Downloads*popularEnough >= tgt.Downloads || cand.Downloads*farMoreDownloads > tgt.Downloads:
		return scanner.Finding{}, false
	case cand.Created.IsZero() || tgt.Created.IsZero() || !cand.Created.After(tgt.Created):
		return scanner.Finding{}, false
	}
	target := tgt.Name
	if target == "" {
		target = v.Name
	}
	ratio := tgt.Downloads / max(cand.Downloads, 1)
	age := "first published " + c.ago(cand.Created)
	kind := fmt.Sprintf(v.Kind, quote(target))
	return scanner.Finding{
		RuleID:   RuleTyposquat,
		Severity: scanner.SeverityMedium,
		Message: fmt.Sprintf("%s package %s looks like a typosquat: %s, %s× fewer downloads (%s against %s %s), %s, after %s (%s). Found online: %s is not in the popularity snapshot; the %s registry shows it. Make sure this is the package you meant.",
			p.Ecosystem, quote(p.Name), kind, thousands(ratio), thousands(cand.Downloads), thousands(tgt.Downloads), periodWords(tgt.DownloadsPeriod),
			age, quote(target), tgt.Created.UTC().Format("2006-01-02"), quote(target), p.Ecosystem),
		Path:        p.Path,
		Line:        p.Line,
		Package:     p.PURL,
		Evidence:    p.Name + " ~ " + target + " (online)",
		Fingerprint: scanner.Fingerprint(RuleTyposquat, p.Path, p.PURL, target),
	}, true
}

// ago says how long before now t was, in days (or as a date beyond 90).
func (c *Check) ago(t time.Time) string {
	d := c.now().Sub(t)
	switch days := int(d.Hours() / 24); {
	case d < 24*time.Hour:
		return "less than a day ago"
	case days == 1:
		return "1 day ago"
	case d < recent:
		return fmt.Sprintf("%d days ago", days)
	}
	return "on " + t.UTC().Format("2006-01-02")
}

// periodWords names a download-count period.
func periodWords(period string) string {
	switch period {
	case reg.DownloadsTotal:
		return "in total"
	case reg.DownloadsLastWeek:
		return "last week"
	case reg.DownloadsLastMonth:
		return "last month"
	case reg.Downloads90Days:
		return "in 90 days"
	}
	return period
}

// report turns what could not be done into skipped entries: names cut by
// the run's limit or budget, names whose lookups failed, names with more
// confident variants than asked (all incomplete), and ecosystems whose
// registry publishes no download counts (a limit of the registry, listed,
// not counted against the result).
func (d *discovery) report(ctx context.Context, limit int) ([]scanner.Finding, []scanner.Skipped) {
	var out []scanner.Finding
	for _, i := range slices.Sorted(maps.Keys(d.findings)) {
		out = append(out, d.findings[i])
	}
	var sk []scanner.Skipped
	if len(d.cut) > 0 {
		why := fmt.Sprintf("the limit of %d registry lookups a run", limit)
		if ctx.Err() != nil {
			why += " or the check's time budget"
		}
		slices.Sort(d.cut)
		sk = append(sk, scanner.Skipped{Check: ID, Reason: fmt.Sprintf("mid-tail discovery: %s outside the popularity snapshot %s not checked online for a far more downloaded look-alike (%s): %s", plural(len(d.cut), "name"), were(len(d.cut)), why, scanner.ListSome(d.cut, 5))})
	}
	for _, eco := range slices.Sorted(maps.Keys(d.failed)) {
		list := d.failed[eco]
		slices.Sort(list)
		sk = append(sk, scanner.Skipped{Check: ID, Reason: fmt.Sprintf("mid-tail discovery: the %s registry could not answer (%s): %s %s not checked online for a far more downloaded look-alike: %s", eco, d.why[eco], plural(len(list), "name"), were(len(list)), scanner.ListSome(list, 5))})
	}
	if len(d.capped) > 0 {
		slices.Sort(d.capped)
		sk = append(sk, scanner.Skipped{Check: ID, Reason: fmt.Sprintf("mid-tail discovery: %s more look-alike variants than the %d asked about a name; the rest were not checked online: %s", plural(len(d.capped), "name")+" "+has(len(d.capped)), maxVariantsPerName, scanner.ListSome(d.capped, 5))})
	}
	for _, eco := range slices.Sorted(maps.Keys(d.uncount)) {
		list := d.uncount[eco]
		slices.Sort(list)
		sk = append(sk, scanner.Skipped{Check: ID, ByChoice: true, Reason: fmt.Sprintf("mid-tail discovery needs download counts, which the %s registry did not give: %s outside the popularity snapshot %s judged on the snapshot alone (a look-alike's existence is not reported): %s", eco, plural(len(list), "name"), were(len(list)), scanner.ListSome(list, 5))})
	}
	return out, sk
}

// offlineNote says that mid-tail discovery did not run.
func offlineNote(n int) scanner.Skipped {
	return scanner.Skipped{Check: ID, ByChoice: true, Reason: fmt.Sprintf("offline: mid-tail discovery did not run: %s not among the built-in popular names %s judged on them alone (online, the registries are asked whether a far more downloaded look-alike exists)", plural(n, "name"), were(n))}
}

// sweepNote says that a sweep judged the names outside the snapshot on it
// alone.
func sweepNote(n int) scanner.Skipped {
	return scanner.Skipped{Check: ID, ByChoice: true, Reason: fmt.Sprintf("mid-tail discovery asks the registries about the names a pull request adds, not in a sweep: %s not among the built-in popular names %s judged on them alone", plural(n, "name"), were(n))}
}

// variants returns the check's variant generator, built on first use. Its
// character model is learnt from the built-in snapshot's 30,000 names
// (how package names are spelt does not change with a configured list of
// popular ones); its words from both.
func (c *Check) variants() *variantGen {
	c.genOnce.Do(func() {
		snaps := []*popular.Snapshot{c.snap}
		if builtin, err := popular.Embedded(); err == nil {
			snaps = []*popular.Snapshot{builtin, c.snap}
		}
		c.gen = newVariantGen(snaps...)
	})
	return c.gen
}

// plural writes n and the noun, with an s unless n is 1.
func plural(n int, noun string) string {
	if n == 1 {
		return "1 " + noun
	}
	return fmt.Sprintf("%s %ss", thousands(int64(n)), noun)
}

// were is "was" for one, "were" for more.
func were(n int) string {
	if n == 1 {
		return "was"
	}
	return "were"
}

// has is "has" for one, "have" for more.
func has(n int) string {
	if n == 1 {
		return "has"
	}
	return "have"
}
