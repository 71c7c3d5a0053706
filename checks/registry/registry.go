// Package registry is the "registry" check: what the package registries
// say about each package a change adds or updates (every package in a
// sweep, within a limit), before any advisory exists. It asks each
// ecosystem's registry (config registries:, default the public one;
// clients in package registry) and reports:
//
//   - release-too-new: the locked version was published less than the
//     cooldown ago (config cooldown, default 72 hours; high under 24
//     hours), the window in which the 2025–2026 compromises were live;
//   - package-too-new: the package itself is less than 30 days old;
//   - install-script-added: the version runs install-time scripts the
//     previous locked version did not;
//   - provenance-downgrade: earlier versions of the same major were
//     published with provenance or a trusted publisher and this one is not
//     (trusted publisher to provenance is not a downgrade);
//   - publisher-changed: published by an account that published none of
//     the earlier versions, or the maintainers changed since the previous
//     locked version;
//   - dependency-added-in-patch: a patch update brings a runtime
//     dependency the previous version did not declare;
//   - deprecated, yanked (or unpublished, or gone from the registry), and
//     source-repository-changed.
//
// A registry that cannot be reached or answers garbage is a skipped entry
// naming the packages left unchecked, never a pass.
package registry

import (
	"context"
	"errors"
	"fmt"
	"maps"
	"slices"
	"sort"
	"strconv"
	"strings"
	"sync"
	"time"

	"golang.org/x/mod/semver"

	"github.com/tollgate-dev/tollgate/checks"
	"github.com/tollgate-dev/tollgate/checks/confusion"
	checkosv "github.com/tollgate-dev/tollgate/checks/osv"
	"github.com/tollgate-dev/tollgate/config"
	"github.com/tollgate-dev/tollgate/internal/workpool"
	"github.com/tollgate-dev/tollgate/lockfiles"
	osvdb "github.com/tollgate-dev/tollgate/osv"
	reg "github.com/tollgate-dev/tollgate/registry"
	"github.com/tollgate-dev/tollgate/scanner"
)

// ID is the check's id in config.
const ID = "registry"

// Rule ids.
const (
	RuleReleaseTooNew      = "release-too-new"
	RulePackageTooNew      = "package-too-new"
	RuleInstallScriptAdded = "install-script-added"
	RuleProvenance         = "provenance-downgrade"
	RulePublisherChanged   = "publisher-changed"
	RuleDependencyInPatch  = "dependency-added-in-patch"
	RuleDeprecated         = "deprecated"
	RuleYanked             = "yanked"
	RuleRepositoryChanged  = "source-repository-changed"
)

// Defaults.
const (
	DefaultCooldown  = 72 * time.Hour
	highCooldown     = 24 * time.Hour
	newPackage       = 30 * 24 * time.Hour
	DefaultMaxLookup = 500
	workers          = 16
)

// Entry registers the check in checks/all.
func Entry() checks.Entry {
	return checks.Entry{
		ID:      ID,
		Summary: "registry signals of added and updated packages: release cooldown, new packages, install scripts, provenance downgrades, publisher changes, deprecations and yanks",
		Budget:  3 * time.Minute,
		New: func(_ context.Context, d checks.Deps) (scanner.Check, error) {
			cfg := d.Config
			if cfg == nil {
				cfg = config.Default()
			}
			cooldown, err := ParseCooldown(cfg.Cooldown)
			if err != nil {
				return nil, fmt.Errorf("%w: cooldown: %v", checks.ErrSettings, err)
			}
			set := d.RegistrySet()
			clients, err := set.Configured()
			if err != nil {
				return nil, fmt.Errorf("%w: %v", checks.ErrSettings, err)
			}
			now := d.Now
			if now == nil {
				now = time.Now
			}
			public, err := set.Public()
			if err != nil {
				return nil, fmt.Errorf("%w: %v", checks.ErrSettings, err)
			}
			in := cfg.Internal
			// The OSV source is opened on first need only: most runs have no
			// update inside the cooldown.
			var (
				once   sync.Once
				src    osvdb.Source
				srcErr error
			)
			vulns := func(ctx context.Context) (osvdb.Source, error) {
				once.Do(func() { src, srcErr = checkosv.NewSource(ctx, d) })
				return src, srcErr
			}
			return &Check{clients: clients, cooldown: cooldown, now: now, max: DefaultMaxLookup, vulns: vulns,
				public: public, internal: confusion.Check{Scopes: in.Scopes, Prefixes: in.Prefixes, Names: in.Names}}, nil
		},
	}
}

// ParseCooldown reads a cooldown: a Go duration ("72h") or whole days
// ("3d"); empty is DefaultCooldown.
func ParseCooldown(s string) (time.Duration, error) {
	s = strings.TrimSpace(s)
	if s == "" {
		return DefaultCooldown, nil
	}
	if d, ok := strings.CutSuffix(s, "d"); ok {
		n, err := strconv.Atoi(d)
		if err != nil || n < 0 || n > 365 {
			return 0, fmt.Errorf("%q is not a number of days from 0 to 365", s)
		}
		return time.Duration(n) * 24 * time.Hour, nil
	}
	d, err := time.ParseDuration(s)
	if err != nil || d < 0 || d > 365*24*time.Hour {
		return 0, fmt.Errorf("%q is not a duration (72h) or days (3d) up to a year", s)
	}
	return d, nil
}

// Check is the registry check.
type Check struct {
	clients  map[string]reg.Client // by lockfiles ecosystem
	cooldown time.Duration
	now      func() time.Time
	max      int
	// public are the public registries' clients, for the online half of
	// dependency confusion (nil: not asked); internal holds the config's
	// internal names.
	public   map[string]reg.Client
	internal confusion.Check
	// vulns answers OSV queries, to lower release-too-new on an update
	// that fixes a known vulnerability of the version it replaces (nil:
	// not asked).
	vulns func(ctx context.Context) (osvdb.Source, error)
}

// WithOSV makes the check ask src whether an update inside the cooldown
// fixes a known vulnerability of the version it replaces.
func (c *Check) WithOSV(src osvdb.Source) *Check {
	c.vulns = func(context.Context) (osvdb.Source, error) { return src, nil }
	return c
}

// New returns the check over clients (by lockfiles ecosystem).
func New(clients map[string]reg.Client, cooldown time.Duration, now func() time.Time) *Check {
	if now == nil {
		now = time.Now
	}
	return &Check{clients: clients, cooldown: cooldown, now: now, max: DefaultMaxLookup}
}

// ID implements scanner.Check.
func (*Check) ID() string { return ID }

// Needs implements scanner.Check.
func (*Check) Needs() scanner.Needs {
	return scanner.Needs{Network: true, Hint: "release ages, install scripts, provenance and publishers of added and updated packages were not checked against their registries"}
}

// Rules implements scanner.Check.
func (*Check) Rules() []scanner.Rule {
	tags := []string{"supply-chain", "registry"}
	r := func(id, name, sev, prec, short, full, help string) scanner.Rule {
		return scanner.Rule{ID: id, Name: name, Severity: sev, Precision: prec, Tags: tags, Short: short, Full: full, Help: help}
	}
	return []scanner.Rule{
		confusion.Check{}.Rules()[0],
		r(RuleReleaseTooNew, "ReleaseTooNew", scanner.SeverityHigh, scanner.PrecisionMedium,
			"The locked version was published less than the cooldown ago.",
			"Compromised releases (nx, chalk and debug, the Shai-Hulud worms, axios 1.14.1) were live for hours before any advisory named them. A release younger than the cooldown (config cooldown, default 72 hours) has not had that time; under 24 hours is high.",
			"Wait for the cooldown, or lock the previous version; npm min-release-age, pnpm minimumReleaseAge and uv exclude-newer enforce the same at install time."),
		r(RulePackageTooNew, "PackageTooNew", scanner.SeverityMedium, scanner.PrecisionMedium,
			"The package itself was first published less than 30 days ago.",
			"Most malicious packages are new: typosquats and dependency-confusion packages are days old when they are found.",
			"Check who publishes the package and whether it is the one you meant."),
		r(RuleInstallScriptAdded, "InstallScriptAdded", scanner.SeverityHigh, scanner.PrecisionHigh,
			"The new version runs install-time scripts the previous version did not.",
			"A new postinstall in a patch release is how the nx s1ngularity and Shai-Hulud compromises ran their payloads on every install.",
			"Read the script before installing the update; install with scripts disabled (npm --ignore-scripts) until you have."),
		r(RuleProvenance, "ProvenanceDowngrade", scanner.SeverityHigh, scanner.PrecisionMedium,
			"Earlier versions of this major were published with provenance or a trusted publisher; this one is not.",
			"A release published from a stolen token instead of the project's CI loses the provenance its predecessors had (axios 1.14.1).",
			"Hold the update until the maintainers confirm the release; ignore the finding for the package if the project dropped provenance on purpose."),
		r(RulePublisherChanged, "PublisherChanged", scanner.SeverityMedium, scanner.PrecisionMedium,
			"The version was published by an account that published none of the earlier versions, or the maintainers changed.",
			"Account takeovers and handovers to strangers (event-stream) show as a new publisher.",
			"Check who the new publisher is before installing the update."),
		r(RuleDependencyInPatch, "DependencyAddedInPatch", scanner.SeverityMedium, scanner.PrecisionMedium,
			"A patch update declares a runtime dependency the previous version did not.",
			"A patch release should not need new code from elsewhere; a new dependency is how a hijacked release pulls its payload (axios 1.14.1 added plain-crypto-js).",
			"Look at the new dependency before installing the update."),
		r(RuleDeprecated, "Deprecated", scanner.SeverityLow, scanner.PrecisionHigh,
			"The locked version is deprecated on its registry.", "The maintainers marked the version deprecated; the message says why.",
			"Move to the version the deprecation names."),
		r(RuleYanked, "Yanked", scanner.SeverityHigh, scanner.PrecisionHigh,
			"The locked version was withdrawn from its registry (yanked, unpublished, or gone).",
			"Registries withdraw versions that are broken or malicious; a lockfile that still names one installs from caches and mirrors only.",
			"Find out why it was withdrawn and move to another version."),
		r(RuleRepositoryChanged, "SourceRepositoryChanged", scanner.SeverityMedium, scanner.PrecisionMedium,
			"The version declares another source repository than the previous version.",
			"A hijacked package often points its repository field elsewhere, or drops it.",
			"Check that the new repository belongs to the same project."),
	}
}

// lookup is one package to ask about, with its previous locked version.
type lookup struct {
	p    lockfiles.Package
	prev *lockfiles.Package
}

// Run implements scanner.Check.
func (c *Check) Run(ctx context.Context, in *scanner.Input) ([]scanner.Finding, []scanner.Skipped, error) {
	var todo []lookup
	seen := map[string]bool{}
	add := func(p lockfiles.Package, prev *lockfiles.Package) {
		if p.Source != lockfiles.SourceRegistry || p.Version == "" || c.clients[p.Ecosystem] == nil {
			return
		}
		k := p.Ecosystem + "\x00" + p.Name + "\x00" + p.Version + "\x00" + p.Path
		if !seen[k] {
			seen[k] = true
			todo = append(todo, lookup{p: p, prev: prev})
		}
	}
	if in.Mode == scanner.ModePullRequest {
		introduced := map[string]bool{}
		for _, p := range in.Packages {
			introduced[p.Ecosystem+"\x00"+p.Name+"\x00"+p.Version+"\x00"+p.Path] = true
		}
		for _, ch := range in.Changes {
			k := ch.Package.Ecosystem + "\x00" + ch.Package.Name + "\x00" + ch.Package.Version + "\x00" + ch.Package.Path
			if ch.Kind == lockfiles.ChangeRemoved || !introduced[k] {
				continue
			}
			add(ch.Package, ch.Previous)
		}
	} else {
		for _, p := range in.Packages {
			add(p, nil)
		}
	}
	var skipped []scanner.Skipped
	if len(todo) > c.max {
		var rest []string
		for _, l := range todo[c.max:] {
			rest = append(rest, l.p.Name+"@"+l.p.Version)
		}
		skipped = append(skipped, scanner.Skipped{Check: ID, Reason: fmt.Sprintf("%d packages over the limit of %d not asked about: %s", len(rest), c.max, scanner.ListSome(rest, 5))})
		todo = todo[:c.max]
	}
	var (
		mu       sync.Mutex
		findings []scanner.Finding
		failed   = map[string][]string{} // ecosystem -> packages
		why      = map[string]string{}
		partial  []string
	)
	workpool.Each(ctx, workers, todo, func(l lookup) {
		pkg, err := c.clients[l.p.Ecosystem].Package(ctx, l.p.Name)
		mu.Lock()
		defer mu.Unlock()
		switch {
		case errors.Is(err, reg.ErrNotFound):
			findings = append(findings, gone(l.p))
		case err != nil:
			failed[l.p.Ecosystem] = append(failed[l.p.Ecosystem], l.p.Name+"@"+l.p.Version)
			why[l.p.Ecosystem] = err.Error()
		default:
			findings = append(findings, c.signals(l, pkg)...)
			if missing := needed(pkg.Incomplete); len(missing) > 0 {
				partial = append(partial, fmt.Sprintf("%s@%s (%s)", l.p.Name, l.p.Version, strings.Join(missing, "; ")))
			}
		}
	})
	c.lowerFixes(ctx, todo, findings)
	cf, csk := c.claimed(ctx, in)
	findings = append(findings, cf...)
	skipped = append(skipped, csk...)
	for _, e := range slices.Sorted(maps.Keys(failed)) {
		list := failed[e]
		sort.Strings(list)
		skipped = append(skipped, scanner.Skipped{Check: ID, Reason: fmt.Sprintf("the %s registry could not answer for %d packages (%s): %s", checks.RegistryKey(e), len(list), why[e], scanner.ListSome(list, 5))})
	}
	if len(partial) > 0 {
		sort.Strings(partial)
		skipped = append(skipped, scanner.Skipped{Check: ID, Reason: fmt.Sprintf("registry metadata incomplete for %d packages, some signals not judged: %s", len(partial), scanner.ListSome(partial, 3))})
	}
	return findings, skipped, ctx.Err()
}

// gone reports a locked package its registry no longer knows.
func gone(p lockfiles.Package) scanner.Finding {
	return scanner.Finding{
		RuleID: RuleYanked, Severity: scanner.SeverityHigh, Path: p.Path, Line: p.Line, Package: p.PURL,
		Message:     fmt.Sprintf("%s package %s is not on its registry any more: unpublished or removed, as registries remove malware; the lockfile installs it from caches and mirrors only.", p.Ecosystem, p.Name),
		Fingerprint: scanner.Fingerprint(RuleYanked, p.Path, p.PURL, "gone"),
	}
}

// signals judges one package version against its registry metadata.
func (c *Check) signals(l lookup, pkg *reg.Package) []scanner.Finding {
	p := l.p
	var out []scanner.Finding
	f := func(rule, sev, msg, evidence string) {
		out = append(out, scanner.Finding{RuleID: rule, Severity: sev, Path: p.Path, Line: p.Line, Package: p.PURL,
			Message: fmt.Sprintf("%s %s %s: %s", p.Ecosystem, p.Name, p.Version, msg), Evidence: evidence,
			Fingerprint: scanner.Fingerprint(rule, p.Path, p.PURL)})
	}
	now := c.now()
	if pkg.Unpublished {
		f(RuleYanked, scanner.SeverityHigh, "the package was unpublished from its registry; only a tombstone remains.", "unpublished")
		return out
	}
	v, ok := pkg.Version(p.Version)
	if !ok {
		f(RuleYanked, scanner.SeverityHigh, "this version is not on its registry (unpublished or never published there); the lockfile installs it from caches and mirrors only.", "version missing")
		return out
	}
	var prev *reg.Version
	if l.prev != nil && l.prev.Version != p.Version {
		prev, _ = pkg.Version(l.prev.Version)
	}
	// Age of the release and of the package.
	if !v.Published.IsZero() {
		age := now.Sub(v.Published)
		if age >= 0 && age < c.cooldown {
			sev := scanner.SeverityMedium
			if age < highCooldown {
				sev = scanner.SeverityHigh
			}
			extra := ""
			if pub := firstTimePublisher(pkg, v); pub != "" {
				extra += " by a first-time publisher (" + pub + ")"
			}
			if n := provenanceBefore(pkg, v); n > 0 && v.Provenance.Rank() == 1 {
				extra += fmt.Sprintf(", without the provenance %d earlier versions had", n)
			}
			f(RuleReleaseTooNew, sev, fmt.Sprintf("published %s ago%s, inside the %s cooldown; compromised releases are live for hours before an advisory names them.", humanAge(age), extra, humanAge(c.cooldown)), v.Published.UTC().Format(time.RFC3339))
		}
	}
	if !pkg.Created.IsZero() {
		if age := now.Sub(pkg.Created); age >= 0 && age < newPackage {
			f(RulePackageTooNew, scanner.SeverityMedium, fmt.Sprintf("the package was first published %s ago; most malicious packages are days old when found.", humanAge(age)), pkg.Created.UTC().Format(time.RFC3339))
		}
	}
	// Install scripts the previous locked version did not run.
	if prev != nil {
		var added []string
		for _, s := range v.InstallScripts {
			if !contains(prev.InstallScripts, s) {
				added = append(added, s)
			}
		}
		if len(added) > 0 {
			cmd := ""
			for _, s := range added {
				if c := v.InstallCommands[s]; c != "" {
					cmd = fmt.Sprintf(" (%s: %q)", s, truncate(c, 80))
					break
				}
			}
			f(RuleInstallScriptAdded, scanner.SeverityHigh, fmt.Sprintf("adds install-time scripts %s that %s did not run%s.", strings.Join(added, ", "), prev.Version, cmd), strings.Join(added, ","))
		}
	}
	// Provenance downgrade within the major.
	if v.Provenance.Rank() == 1 {
		if n := provenanceBefore(pkg, v); n > 0 {
			f(RuleProvenance, scanner.SeverityHigh, fmt.Sprintf("published without provenance, though %d earlier versions of this major were published with provenance or a trusted publisher.", n), "provenance: none")
		}
	}
	// Publisher and maintainers.
	if pub := firstTimePublisher(pkg, v); pub != "" {
		f(RulePublisherChanged, scanner.SeverityMedium, fmt.Sprintf("published by %s, who published none of the %d earlier versions.", pub, earlier(pkg, v)), pub)
	} else if prev != nil && len(prev.Maintainers) > 0 && len(v.Maintainers) > 0 && !sameSet(prev.Maintainers, v.Maintainers) {
		f(RulePublisherChanged, scanner.SeverityMedium, fmt.Sprintf("the maintainers changed since %s: %s, were %s.", prev.Version, strings.Join(v.Maintainers, ", "), strings.Join(prev.Maintainers, ", ")), strings.Join(v.Maintainers, ","))
	}
	// A dependency added in a patch release.
	if prev != nil && prev.Dependencies != nil && v.Dependencies != nil && patchUpdate(prev.Version, v.Version) {
		var added []string
		for d := range v.Dependencies {
			if _, ok := prev.Dependencies[d]; !ok {
				added = append(added, d)
			}
		}
		sort.Strings(added)
		if len(added) > 0 {
			f(RuleDependencyInPatch, scanner.SeverityMedium, fmt.Sprintf("the patch update from %s adds the dependencies %s.", prev.Version, strings.Join(added, ", ")), strings.Join(added, ","))
		}
	}
	if v.Deprecated != "" {
		f(RuleDeprecated, scanner.SeverityLow, fmt.Sprintf("deprecated: %q.", truncate(v.Deprecated, 160)), "deprecated")
	}
	if v.Yanked {
		reason := ""
		if v.YankedReason != "" {
			reason = fmt.Sprintf(" (%q)", truncate(v.YankedReason, 120))
		}
		f(RuleYanked, scanner.SeverityHigh, "this version was withdrawn from its registry"+reason+".", "yanked")
	}
	if prev != nil && prev.Repository != "" && v.Repository != "" && normRepo(prev.Repository) != normRepo(v.Repository) {
		f(RuleRepositoryChanged, scanner.SeverityMedium, fmt.Sprintf("declares the source repository %s, where %s declared %s.", v.Repository, prev.Version, prev.Repository), v.Repository)
	}
	return out
}

// earlier counts the versions published before v.
func earlier(pkg *reg.Package, v *reg.Version) int {
	n := 0
	for i := range pkg.Versions {
		o := &pkg.Versions[i]
		if o.Version != v.Version && !o.Published.IsZero() && o.Published.Before(v.Published) {
			n++
		}
	}
	return n
}

// firstTimePublisher returns v's publisher when at least three earlier
// versions name publishers and none of them is v's.
func firstTimePublisher(pkg *reg.Package, v *reg.Version) string {
	if v.Publisher == "" || v.Published.IsZero() {
		return ""
	}
	known := 0
	for i := range pkg.Versions {
		o := &pkg.Versions[i]
		if o.Version == v.Version || o.Publisher == "" || o.Published.IsZero() || !o.Published.Before(v.Published) {
			continue
		}
		if strings.EqualFold(o.Publisher, v.Publisher) {
			return ""
		}
		known++
	}
	if known < 3 {
		return ""
	}
	return v.Publisher
}

// provenanceBefore counts the earlier versions of v's major published with
// provenance or a trusted publisher.
func provenanceBefore(pkg *reg.Package, v *reg.Version) int {
	major := semver.Major(canon(v.Version))
	n := 0
	for i := range pkg.Versions {
		o := &pkg.Versions[i]
		if o.Version == v.Version || o.Published.IsZero() || v.Published.IsZero() || !o.Published.Before(v.Published) {
			continue
		}
		if major != "" && semver.Major(canon(o.Version)) != major {
			continue
		}
		if o.Provenance.Rank() >= 2 {
			n++
		}
	}
	return n
}

// canon turns a version into semver's "v" form ("" when it is not semver).
func canon(v string) string {
	if !strings.HasPrefix(v, "v") {
		v = "v" + v
	}
	if !semver.IsValid(v) {
		return ""
	}
	return v
}

// patchUpdate reports an update within one major.minor.
func patchUpdate(from, to string) bool {
	a, b := canon(from), canon(to)
	return a != "" && b != "" && semver.MajorMinor(a) == semver.MajorMinor(b) && semver.Compare(a, b) < 0
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

func sameSet(a, b []string) bool {
	if len(a) != len(b) {
		return false
	}
	m := map[string]bool{}
	for _, x := range a {
		m[strings.ToLower(x)] = true
	}
	for _, x := range b {
		if !m[strings.ToLower(x)] {
			return false
		}
	}
	return true
}

// normRepo compares repositories without scheme, git+ prefix, .git suffix
// and case.
func normRepo(r string) string {
	r = strings.ToLower(strings.TrimSpace(r))
	r = strings.TrimPrefix(r, "git+")
	for _, p := range []string{"https://", "http://", "git://", "ssh://git@", "git@"} {
		r = strings.TrimPrefix(r, p)
	}
	r = strings.Replace(r, "github.com:", "github.com/", 1)
	r = strings.TrimSuffix(strings.TrimSuffix(r, "/"), ".git")
	return r
}

func truncate(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return s[:n] + "…"
}

// humanAge says a duration as people read ages: "2 h 14 m", "3 days".
func humanAge(d time.Duration) string {
	switch {
	case d < time.Hour:
		return fmt.Sprintf("%d m", int(d.Minutes()))
	case d < 48*time.Hour:
		return fmt.Sprintf("%d h %d m", int(d.Hours()), int(d.Minutes())%60)
	}
	return fmt.Sprintf("%d days", int(d.Hours()/24))
}

// lowerFixes lowers release-too-new to low on an update that fixes a known
// vulnerability (or malware record) of the version it replaces: waiting out
// the cooldown would keep the known problem to avoid an unknown one. It asks
// OSV about both versions of every such update in one lookup; when OSV
// cannot answer, the findings keep their severity and say so.
func (c *Check) lowerFixes(ctx context.Context, todo []lookup, findings []scanner.Finding) {
	if c.vulns == nil {
		return
	}
	updates := map[string]lookup{}
	for _, l := range todo {
		if l.prev != nil && l.prev.Version != l.p.Version {
			updates[l.p.PURL+"\x00"+l.p.Path] = l
		}
	}
	type pair struct {
		i          int
		prev, next osvdb.Query
	}
	var pairs []pair
	var queries []osvdb.Query
	for i, f := range findings {
		if f.RuleID != RuleReleaseTooNew {
			continue
		}
		l, ok := updates[f.Package+"\x00"+f.Path]
		if !ok {
			continue
		}
		pq, ok1 := checkosv.Query(l.prev)
		nq, ok2 := checkosv.Query(&l.p)
		if !ok1 || !ok2 {
			continue
		}
		pairs = append(pairs, pair{i, pq, nq})
		queries = append(queries, pq, nq)
	}
	if len(pairs) == 0 {
		return
	}
	src, err := c.vulns(ctx)
	var answers [][]*osvdb.Vuln
	if err == nil {
		answers, err = src.Lookup(ctx, queries)
	}
	if err == nil && len(answers) != len(queries) {
		err = errors.New("answer count does not match query count")
	}
	for k, pr := range pairs {
		f := &findings[pr.i]
		if err != nil {
			f.Message += fmt.Sprintf(" Whether it fixes a known vulnerability of %s could not be checked (OSV: %s).", pr.prev.Version, truncate(err.Error(), 120))
			continue
		}
		still := map[string]bool{}
		for _, v := range answers[2*k+1] {
			still[v.ID] = true
		}
		var fixed []string
		for _, v := range answers[2*k] {
			if !still[v.ID] {
				fixed = append(fixed, v.ID)
			}
		}
		if len(fixed) == 0 {
			continue
		}
		sort.Strings(fixed)
		f.Severity = scanner.SeverityLow
		f.Message += fmt.Sprintf(" It fixes %s of %s, the version it replaces, so it is lowered to low: waiting out the cooldown keeps a known vulnerability to avoid an unknown one.", scanner.ListSome(fixed, 3), pr.prev.Version)
	}
}

// needed keeps the parts of a package's Incomplete list that the signals
// judge on: provenance (provenance-downgrade, and the release-too-new
// message). Download counts and package-level owners (a separate request
// on npm, NuGet, crates.io and RubyGems) are typosquat's and nobody's here;
// an outage of npm's download API must not make this check incomplete.
func needed(incomplete []string) []string {
	var out []string
	for _, part := range incomplete {
		if strings.HasPrefix(part, "provenance") {
			out = append(out, part)
		}
	}
	return out
}
