// Package typosquat is the "typosquat" check: package names built to be
// mistaken for a popular package (reqeusts, python-dateutils, lazystatic,
// Cyrillic look-alike NuGet ids, actlons/checkout) or for one of the
// repository's own dependencies.
//
// Offline first: each added package (every package in a sweep) is compared
// with the embedded popularity snapshot (package popular) of its ecosystem,
// after the ecosystem's own folding (PEP 503, case, separators, affixes,
// look-alike letters), for one-character edits, swapped, repeated or
// omitted letters, reordered words, an appended number and, for names under
// an owner (npm scopes, GitHub Actions, github.com modules), an imitated
// owner. A name in the snapshot is never a squat of another, names under the
// same owner are never squats of each other, and the looser a kind of
// confusion, the more popular its target must be (see match.go): honest
// names one letter from a name ranked 3,000th are common.
//
// Online, an offline match is confirmed with the registry's download counts
// and first-publish dates (confirm.go), and an added name outside the
// snapshot with no offline match goes to mid-tail discovery (discover.go):
// the registry is asked about a bounded, ranked set of the names it may
// imitate (variants.go), and a variant with a hundred times its downloads
// and an earlier first release is a finding. Offline, the check runs on
// the snapshot alone and says so.
package typosquat

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/tollgate-dev/tollgate/checks"
	"github.com/tollgate-dev/tollgate/checks/typosquat/popular"
	"github.com/tollgate-dev/tollgate/lockfiles"
	reg "github.com/tollgate-dev/tollgate/registry"
	"github.com/tollgate-dev/tollgate/scanner"
)

// ID is the check's id in config.
const ID = "typosquat"

// RuleTyposquat is the rule id.
const RuleTyposquat = "typosquat"

// Entry registers the check in checks/all.
func Entry() checks.Entry {
	return checks.Entry{
		ID:      ID,
		Summary: "names built to be mistaken for a popular package or for one of the repository's own dependencies",
		Budget:  time.Minute,
		New: func(ctx context.Context, d checks.Deps) (scanner.Check, error) {
			snap, err := popular.Embedded()
			if err != nil {
				return nil, err
			}
			c := New(snap)
			if d.Now != nil {
				c.now = d.Now
			}
			c.offline = d.Offline
			if !d.Offline {
				clients, err := d.RegistrySet().Configured()
				if err != nil {
					return nil, fmt.Errorf("%w: typosquat: %v", checks.ErrSettings, err)
				}
				c.clients = clients
			}
			if d.Config != nil && d.Config.Typosquat.Snapshot != "" {
				src := d.Config.Typosquat.Snapshot
				fresh, err := loadSnapshot(ctx, src, d)
				switch {
				case err != nil && strings.HasPrefix(src, "https://"):
					// A refresh that fails leaves the built-in snapshot
					// judging, and says so: the result is incomplete.
					c.warnings = append(c.warnings, scanner.Skipped{Check: ID, Reason: fmt.Sprintf("the configured popularity snapshot could not be fetched (%v): names were judged on the built-in snapshot", err)})
				case err != nil:
					return nil, fmt.Errorf("%w: typosquat.snapshot %s: %v", checks.ErrSettings, src, err)
				default:
					for eco, names := range fresh.Names {
						snap.Names[eco] = names
					}
				}
			}
			return c, nil
		},
	}
}

// Check is the typosquat check over one snapshot. Build it with New.
type Check struct {
	snap *popular.Snapshot
	mu   sync.Mutex
	ix   map[string]*index
	// warnings are reported as skipped entries by Run (a snapshot refresh
	// that failed).
	warnings []scanner.Skipped
	// clients, when set (online), confirm matches with the registries'
	// download counts and first-publish dates.
	clients map[string]reg.Client
	// now is the clock of the confirmation (first-publish ages).
	now func() time.Time
	// offline: the run forbids the network; mid-tail discovery says it did
	// not run.
	offline bool
	// maxDiscover bounds mid-tail discovery's lookups a run
	// (maxDiscoverPerRun; tests lower it).
	maxDiscover int
	genOnce     sync.Once
	gen         *variantGen
}

// New returns the check comparing names with snap.
func New(snap *popular.Snapshot) *Check {
	return &Check{snap: snap, ix: map[string]*index{}, now: time.Now, maxDiscover: maxDiscoverPerRun}
}

// ID implements scanner.Check.
func (*Check) ID() string { return ID }

// Needs implements scanner.Check: the snapshot is built in.
func (*Check) Needs() scanner.Needs { return scanner.Needs{} }

// Rules implements scanner.Check.
func (*Check) Rules() []scanner.Rule {
	return []scanner.Rule{{
		ID:        RuleTyposquat,
		Name:      "Typosquat",
		Short:     "A package name imitates a popular package or another dependency of the repository.",
		Full:      "The name differs from a far more popular package's (or from a dependency the repository already has) only in the way typosquats do: look-alike letters, separators or affixes, a swapped, repeated, omitted or neighbouring-key letter, reordered words, an appended number, or an imitated owner. Typosquats are the commonest way malicious packages reach a lockfile before any advisory names them.",
		Help:      "Check that the name is the one you meant. If it is a typo, replace it with the real package and regenerate the lockfile; if it was installed, treat the machine that installed it as compromised (rotate credentials). If the package is genuinely the one you want, ignore the finding for it with a reason (ignore: {rule: typosquat, package: ...}).",
		Severity:  scanner.SeverityHigh,
		Precision: scanner.PrecisionMedium,
		Tags:      []string{"supply-chain", "typosquat", "malicious"},
	}}
}

// index returns the snapshot index of eco (nil when the snapshot has no
// names for it), building it on first use.
func (c *Check) index(eco string) *index {
	c.mu.Lock()
	defer c.mu.Unlock()
	if ix, ok := c.ix[eco]; ok {
		return ix
	}
	var ix *index
	if names := c.snap.Names[eco]; len(names) > 0 {
		ix = newIndex(eco, names)
	}
	c.ix[eco] = ix
	return ix
}

// Run implements scanner.Check.
func (c *Check) Run(ctx context.Context, in *scanner.Input) ([]scanner.Finding, []scanner.Skipped, error) {
	type nameKey struct{ eco, name string }
	checked := map[nameKey]bool{}
	// In pull-request mode the repository's own dependencies are the names
	// it had before: an added name one letter from one of them imitates it.
	var own map[string]*index
	if in.Mode == scanner.ModePullRequest && in.Inventory != nil {
		own = ownIndexes(in)
	}
	var out []scanner.Finding
	// Names outside the snapshot without an offline match: mid-tail
	// discovery asks the registry about their variants.
	var midTail []*lockfiles.Package
	offline := c.offline || in.Offline
	confirmed := 0
	for i := range in.Packages {
		if i%256 == 0 && ctx.Err() != nil {
			return out, c.warnings, ctx.Err()
		}
		p := &in.Packages[i]
		if !judged(p) {
			continue
		}
		k := nameKey{p.Ecosystem, p.Name}
		if checked[k] {
			continue
		}
		checked[k] = true
		var m *Match
		ix := c.index(p.Ecosystem)
		if ix != nil {
			if ix.Popular(p.Name) {
				continue
			}
			m = ix.Match(p.Name)
		}
		if m == nil && own[p.Ecosystem] != nil {
			if om := own[p.Ecosystem].Match(p.Name); om != nil && om.maxRank >= rankWide {
				om.Rank = 0
				m = om
			}
		}
		if m == nil {
			// Offline, the note counts the names discovery would have asked
			// about; online, every ecosystem with a client is listed (those
			// without download counts as such).
			if offline && countedEcosystems[p.Ecosystem] || !offline && c.clients[p.Ecosystem] != nil {
				midTail = append(midTail, p)
			}
			continue
		}
		f := finding(p, m)
		if c.clients != nil && m.Rank > 0 && confirmed < maxConfirm {
			confirmed++
			var keep bool
			if f, keep = c.confirm(ctx, p, m, f); !keep {
				continue
			}
		}
		out = append(out, f)
	}
	skipped := slices.Clone(c.warnings)
	switch {
	case len(midTail) == 0:
	case offline:
		skipped = append(skipped, offlineNote(len(midTail)))
	case in.Mode != scanner.ModePullRequest:
		// A sweep holds every package the repository has had for years:
		// asking the registries about each one's look-alikes would spend
		// the run's lookups on names chosen long ago. Discovery is for the
		// names a change brings.
		skipped = append(skipped, sweepNote(len(midTail)))
	default:
		fs, sk := c.discover(ctx, midTail)
		out = append(out, fs...)
		skipped = append(skipped, sk...)
	}
	return out, skipped, ctx.Err()
}

// judged reports whether a package's name is its own choice on a public
// registry: workspace, path and git packages are named by the repository.
func judged(p *lockfiles.Package) bool {
	switch p.Source {
	case lockfiles.SourceRegistry, lockfiles.SourceUnpinned:
		return p.Name != ""
	}
	return false
}

// ownIndexes indexes, per ecosystem, the names of the head inventory that
// the change does not introduce.
func ownIndexes(in *scanner.Input) map[string]*index {
	added := map[string]bool{}
	for _, p := range in.Packages {
		added[p.Ecosystem+"\x00"+p.Name] = true
	}
	names := map[string][]string{}
	seen := map[string]bool{}
	for _, p := range in.Inventory.Packages {
		k := p.Ecosystem + "\x00" + p.Name
		if added[k] || seen[k] || !judged(&p) {
			continue
		}
		seen[k] = true
		names[p.Ecosystem] = append(names[p.Ecosystem], p.Name)
	}
	out := map[string]*index{}
	for eco, list := range names {
		out[eco] = newIndex(eco, list)
	}
	return out
}

// finding reports one match.
func finding(p *lockfiles.Package, m *Match) scanner.Finding {
	sev, why := scanner.SeverityMedium, ""
	switch {
	case m.Rank == 0:
		why = "a dependency this repository already has"
	case m.Confident && m.Rank <= rankSeverity:
		sev = scanner.SeverityHigh
		why = fmt.Sprintf("ranked %d in the %s popularity snapshot", m.Rank, p.Ecosystem)
	default:
		why = fmt.Sprintf("ranked %d in the %s popularity snapshot", m.Rank, p.Ecosystem)
	}
	return scanner.Finding{
		RuleID:   RuleTyposquat,
		Severity: sev,
		Message: fmt.Sprintf("%s package %s looks like a typosquat: %s, %s. Judged offline on the built-in popularity snapshot; make sure this is the package you meant.",
			p.Ecosystem, quote(p.Name), m.Kind, why),
		Path:        p.Path,
		Line:        p.Line,
		Package:     p.PURL,
		Evidence:    p.Name + " ~ " + m.Target,
		Fingerprint: scanner.Fingerprint(RuleTyposquat, p.Path, p.PURL, m.Target),
	}
}
