// Package osv is the OSV check: it looks every package to check up in OSV
// (the API, or an offline database; both in package osv at the top level)
// and reports known-malicious and vulnerable versions.
package osv

import (
	"context"
	"errors"
	"fmt"
	"regexp"
	"sort"
	"strings"
	"time"

	"github.com/tollgate-dev/tollgate/checks"
	"github.com/tollgate-dev/tollgate/config"
	"github.com/tollgate-dev/tollgate/lockfiles"
	osvdb "github.com/tollgate-dev/tollgate/osv"
	"github.com/tollgate-dev/tollgate/osv/index"
	"github.com/tollgate-dev/tollgate/osv/snapshot"
	"github.com/tollgate-dev/tollgate/osv/version"
	"github.com/tollgate-dev/tollgate/scanner"
)

// Rule ids of the osv check.
const (
	RuleMalicious  = "malicious-package"
	RuleVulnerable = "vulnerable-package"
)

// ID is the osv check's id in config.
const ID = "osv"

// Entry registers the check in checks/all.
func Entry() checks.Entry {
	return checks.Entry{
		ID:      ID,
		Summary: "known-malicious and vulnerable versions, from the OSV API or an offline OSV database",
		Budget:  3 * time.Minute,
		New:     New,
	}
}

// New builds the check from the shared dependencies: the offline database
// at config osv.db when set, through its on-disk index (osv/index: built
// once, kept in the cache directory or beside the exports, answering only
// the ecosystems to check); else, offline, the embedded malware snapshot;
// else the OSV API at config osv.url (default the public API), with the
// snapshot as the fallback when the API cannot be reached.
func New(ctx context.Context, d checks.Deps) (scanner.Check, error) {
	src, err := NewSource(ctx, d)
	if err != nil {
		return nil, err
	}
	if _, api := src.(*osvdb.Client); !api {
		return FromSource(src, CheckOptions{}), nil
	}
	snap, err := snapshot.Load()
	if err != nil {
		return nil, fmt.Errorf("osv: embedded malware snapshot: %w", err)
	}
	return FromSource(src, CheckOptions{Fallback: snap}), nil
}

// NewSource returns the OSV source the config and d name, as New uses it:
// the offline database at config osv.db (through its index); else, offline,
// the embedded malware snapshot; else the OSV API client at config osv.url.
// Other checks that need OSV's answer (the registry check, asking whether an
// update fixes a known vulnerability) ask the same source.
func NewSource(ctx context.Context, d checks.Deps) (osvdb.Source, error) {
	cfg := d.Config
	if cfg == nil {
		cfg = config.Default()
	}
	if cfg.OSV.DB != "" {
		db, err := index.Open(ctx, cfg.OSV.DB, index.Options{CacheDir: d.CacheDir, Limits: osvdb.LoadOptions{Ecosystems: d.Ecosystems}})
		if err != nil {
			return nil, fmt.Errorf("%w: osv database: %w", checks.ErrSettings, err)
		}
		return db, nil
	}
	if d.Offline {
		snap, err := snapshot.Load()
		if err != nil {
			return nil, fmt.Errorf("osv: embedded malware snapshot: %w", err)
		}
		return snap, nil
	}
	return osvdb.NewClient(osvdb.ClientOptions{
		BaseURL:    cfg.OSV.URL,
		CacheDir:   d.CacheDir,
		HTTPClient: d.HTTPClient,
		UserAgent:  d.UserAgent,
	}), nil
}

// Query is the OSV query of a locked package, as the check asks it; false
// for packages OSV does not name (local, git, Docker).
func Query(p *lockfiles.Package) (osvdb.Query, bool) { return registryQuery(p) }

// DefaultSeverity is used for a vulnerability whose record rates nothing
// (e.g. Go's GO- records): medium, so it shows without failing a default
// fail-on of high.
const DefaultSeverity = scanner.SeverityMedium

// CheckOptions configure the osv check.
type CheckOptions struct {
	// UnratedSeverity replaces DefaultSeverity when set.
	UnratedSeverity string
	// Fallback answers when the source cannot (the OSV API unreachable after
	// retries): the embedded malware snapshot. Its findings are reported, and
	// the check still lists the source's failure as skipped.
	Fallback osvdb.Source
}

// snapshotSource is implemented by the embedded malware snapshot
// (osv/snapshot): findings from it and the report say its date.
type snapshotSource interface {
	// SnapshotDate is the date of the newest record in the snapshot (YYYY-MM-DD).
	SnapshotDate() string
	// SnapshotEcosystems lists the ecosystems it holds malware records for.
	SnapshotEcosystems() []string
}

// snapshotNote names a snapshot for messages.
func snapshotNote(s snapshotSource) string {
	return "tollgate's embedded malware snapshot of " + s.SnapshotDate()
}

// networked is implemented by sources that need the network (the Client).
type networked interface{ NeedsNetwork() bool }

type check struct {
	src  osvdb.Source
	opts CheckOptions
}

// FromSource returns the "osv" check reading src (an *osv.DB or an *osv.Client). A
// nil src makes every run a Skipped entry; a source that needs the network
// makes the check need it.
//
// Failure policy: when the source cannot answer (network failure, OSV 5xx
// after retries, rate limit, timeout) the check returns a scanner.Skipped
// naming the cause and no findings, so the report says OSV was not
// consulted; it never reads as clean. Only a cancelled context is an error.
func FromSource(src osvdb.Source, opts CheckOptions) scanner.Check {
	if opts.UnratedSeverity == "" {
		opts.UnratedSeverity = DefaultSeverity
	}
	return &check{src: src, opts: opts}
}

func (c *check) ID() string { return ID }

// Needs implements scanner.Check: the network when the source is the API.
func (c *check) Needs() scanner.Needs {
	if online(c.src) {
		return scanner.Needs{Network: true, Hint: "the OSV API was not queried for known-malicious and vulnerable versions; pass --osv-db DIR to check packages against an offline OSV database"}
	}
	return scanner.Needs{}
}

func online(src osvdb.Source) bool {
	n, ok := src.(networked)
	return ok && n.NeedsNetwork()
}

// Rules lists the rules of the osv check.
func (c *check) Rules() []scanner.Rule { return Rules() }

// Rules describes the osv check's rules for reports.
func Rules() []scanner.Rule {
	return []scanner.Rule{
		{
			ID:        RuleMalicious,
			Name:      "MaliciousPackage",
			Short:     "A dependency is a known malicious package (an OSV MAL- record, or an advisory for embedded malicious code, CWE-506).",
			Full:      "The package name and version appear in an OSV malicious-package record: the package was published to steal data, install malware or sabotage builds.",
			Help:      "Remove the dependency and regenerate the lockfile. Treat every machine and CI runner that installed it as compromised: rotate the secrets it could read.",
			Severity:  scanner.SeverityCritical,
			Precision: scanner.PrecisionVeryHigh,
			Tags:      []string{"security", "supply-chain", "malware"},
		},
		{
			ID:        RuleVulnerable,
			Name:      "VulnerablePackage",
			Short:     "A dependency version has a published vulnerability (OSV).",
			Full:      "The package version falls in an affected range of an OSV advisory (GHSA, PYSEC, GO, RUSTSEC and their aliases). Severity comes from the advisory's CVSS vector or its own rating.",
			Help:      "Upgrade to the fixed version named in the message, or ignore the advisory by id with a reason and an expiry date when it is not reachable.",
			Severity:  scanner.SeverityHigh,
			Precision: scanner.PrecisionHigh,
			Tags:      []string{"security", "vulnerability"},
		},
	}
}

// registryQuery returns the lookup for p, or false when p is not a registry
// package. Local, git, URL and unpinned packages are NOT looked up by name:
// a workspace package that shares its name with a malicious npm package is
// not that package (jest's "example-typescript@0.0.0-use.local"); whether the
// public name is claimed is the confusion check's question, not this one's.
func registryQuery(p *lockfiles.Package) (osvdb.Query, bool) {
	if p.Source != lockfiles.SourceRegistry || p.Name == "" {
		return osvdb.Query{}, false
	}
	switch p.Ecosystem {
	case "", lockfiles.EcosystemDocker:
		return osvdb.Query{}, false
	case lockfiles.EcosystemGitHubActions:
		return actionQuery(p), true
	}
	return osvdb.Query{Ecosystem: p.Ecosystem, Name: p.Name, Version: osvdb.NormalizeVersion(p.Ecosystem, p.Version)}, true
}

// fullActionTag matches a complete release tag (v1.2.3, 1.2.3).
var fullActionTag = regexp.MustCompile(`^v?\d+\.\d+\.\d+$`)

// actionQuery looks an action up by its repository: OSV names GitHub Actions
// "owner/repo", while a uses: may point inside it ("github/codeql-action/init").
// Only a complete release tag is a version OSV ranges can order; a floating
// major tag (v4), a branch or a commit SHA can be any release, so it is
// looked up without a version and matches only records affecting every version.
func actionQuery(p *lockfiles.Package) osvdb.Query {
	name := p.Name
	if parts := strings.SplitN(name, "/", 3); len(parts) == 3 {
		name = parts[0] + "/" + parts[1]
	}
	q := osvdb.Query{Ecosystem: p.Ecosystem, Name: name}
	if fullActionTag.MatchString(p.Version) {
		q.Version = strings.TrimPrefix(p.Version, "v")
	}
	return q
}

func (c *check) Run(ctx context.Context, in *scanner.Input) ([]scanner.Finding, []scanner.Skipped, error) {
	if c.src == nil {
		return nil, []scanner.Skipped{{Check: ID, Reason: "no OSV source: neither the OSV API nor an offline database (--osv-db) is configured"}}, nil
	}
	// One query per distinct (ecosystem, name, version).
	type qkey struct{ eco, name, ver string }
	index := map[qkey]int{}
	var queries []osvdb.Query
	pkgQuery := make([]int, len(in.Packages))
	for i := range in.Packages {
		pkgQuery[i] = -1
		q, ok := registryQuery(&in.Packages[i])
		if !ok {
			continue
		}
		k := qkey{q.Ecosystem, lockfiles.NormalizeName(q.Ecosystem, q.Name), q.Version}
		j, seen := index[k]
		if !seen {
			j = len(queries)
			index[k] = j
			queries = append(queries, q)
		}
		pkgQuery[i] = j
	}
	if len(queries) == 0 {
		return nil, nil, nil
	}
	var skipped []scanner.Skipped
	if cov, ok := c.src.(osvdb.Coverage); ok {
		if sk := uncovered(cov.Ecosystems(), queries); sk != nil {
			skipped = append(skipped, *sk)
		}
	}
	src := c.src
	answers, err := lookup(ctx, src, queries)
	if err != nil {
		if ctx.Err() != nil {
			return nil, nil, fmt.Errorf("osv lookup: %w", ctx.Err())
		}
		reason := fmt.Sprintf("OSV lookup failed, %d packages not checked: %v", len(queries), err)
		if c.opts.Fallback == nil {
			return nil, append(skipped, scanner.Skipped{Check: ID, Reason: reason}), nil
		}
		lookupErr := err
		src = c.opts.Fallback
		answers, err = lookup(ctx, src, queries)
		if err != nil {
			if ctx.Err() != nil {
				return nil, nil, fmt.Errorf("osv lookup: %w", ctx.Err())
			}
			return nil, append(skipped, scanner.Skipped{Check: ID, Reason: reason + fmt.Sprintf("; the fallback failed too: %v", err)}), nil
		}
		if fb, ok := src.(snapshotSource); ok {
			reason = fmt.Sprintf("OSV lookup failed: %v: vulnerabilities of %d packages were not checked; known-malicious packages were checked against %s",
				lookupErr, len(queries), snapshotNote(fb))
		}
		skipped = append(skipped, scanner.Skipped{Check: ID, Reason: reason})
	}
	if len(answers) != len(queries) {
		return nil, nil, errors.New("osv lookup: answer count does not match query count")
	}
	snap, fromSnapshot := src.(snapshotSource)
	var records osvdb.RecordSource
	if rs, ok := src.(osvdb.RecordSource); ok {
		records = rs
	}
	var findings []scanner.Finding
	for i := range in.Packages {
		j := pkgQuery[i]
		if j < 0 || len(answers[j].Vulns) == 0 {
			continue
		}
		fs := c.findingsFor(ctx, records, &in.Packages[i], queries[j], answers[j].Vulns)
		if fromSnapshot {
			for k := range fs {
				fs[k].Message += " Source: " + snapshotNote(snap) + "."
			}
		}
		findings = append(findings, fs...)
	}
	if !online(src) {
		skipped = append(skipped, unordered(queries)...)
		if sk := unreadable(queries, answers); sk != nil {
			skipped = append(skipped, *sk)
		}
	}
	if fromSnapshot && src == c.src {
		skipped = append(skipped, scanner.Skipped{Check: ID, ByChoice: true, Reason: fmt.Sprintf(
			"offline: the check needs network access for the OSV API, so vulnerabilities were not checked; known-malicious packages were checked against %s (%s); pass --osv-db DIR to check against a current OSV database",
			snapshotNote(snap), strings.Join(snap.SnapshotEcosystems(), ", "))})
	}
	return findings, skipped, nil
}

// lookup asks src, through Answer when it can say what it could not evaluate.
func lookup(ctx context.Context, src osvdb.Source, queries []osvdb.Query) ([]osvdb.Answer, error) {
	if as, ok := src.(osvdb.AnswerSource); ok {
		return as.Answer(ctx, queries)
	}
	vulns, err := src.Lookup(ctx, queries)
	if err != nil {
		return nil, err
	}
	out := make([]osvdb.Answer, len(vulns))
	for i, vs := range vulns {
		out[i].Vulns = vs
	}
	return out, nil
}

// uncovered says which queried ecosystems an offline database holds no
// records for: those packages were not checked, which is not clean.
func uncovered(have []string, queries []osvdb.Query) *scanner.Skipped {
	held := map[string]bool{}
	for _, e := range have {
		held[e] = true
	}
	missing := map[string]int{}
	for _, q := range queries {
		if !held[q.Ecosystem] {
			missing[q.Ecosystem]++
		}
	}
	if len(missing) == 0 {
		return nil
	}
	var names []string
	n := 0
	for e, k := range missing {
		names = append(names, e)
		n += k
	}
	sort.Strings(names)
	what := "no records for " + strings.Join(names, ", ")
	if len(have) == 0 {
		what = "no records at all"
	}
	arg := strings.Join(names, ",")
	if strings.Contains(arg, " ") {
		arg = "'" + arg + "'"
	}
	return &scanner.Skipped{Check: ID, Reason: fmt.Sprintf(
		"the offline OSV database holds %s: %d packages of %s were not checked (run: tollgate db update --ecosystems %s DIR)",
		what, n, strings.Join(names, ", "), arg)}
}

// unreadable says which records could not be evaluated for a queried
// version (a range event that does not parse): unknown, not unaffected.
func unreadable(queries []osvdb.Query, answers []osvdb.Answer) *scanner.Skipped {
	var bad []string
	for i, a := range answers {
		for _, id := range a.Unreadable {
			q := queries[i]
			bad = append(bad, fmt.Sprintf("%s for %s %s %s", id, q.Ecosystem, q.Name, q.Version))
		}
	}
	if len(bad) == 0 {
		return nil
	}
	sort.Strings(bad)
	examples := bad
	if len(examples) > 5 {
		examples = examples[:5]
	}
	more := ""
	if len(bad) > len(examples) {
		more = fmt.Sprintf(", and %d more", len(bad)-len(examples))
	}
	return &scanner.Skipped{Check: ID, Reason: fmt.Sprintf(
		"%d OSV records could not be evaluated: a range has an event that does not parse as a version of its ecosystem (%s%s)",
		len(bad), strings.Join(examples, "; "), more)}
}

// unordered says which queried versions an offline lookup could not order
// in their ecosystem ("1.0-beta-2" is no PEP 440 version): OSV ranges were
// not evaluated for them, only exact version lists and all-version records.
// The OSV API orders versions itself, so it is only asked of offline
// sources. A version-less query (a floating GitHub Actions tag) is by design
// an all-version lookup and is not listed.
func unordered(queries []osvdb.Query) []scanner.Skipped {
	var bad []string
	for _, q := range queries {
		if q.Version == "" {
			continue
		}
		if _, err := version.Parse(q.Ecosystem, q.Version); err != nil {
			bad = append(bad, q.Ecosystem+" "+q.Name+" "+q.Version)
		}
	}
	if len(bad) == 0 {
		return nil
	}
	sort.Strings(bad)
	examples := bad
	if len(examples) > 5 {
		examples = examples[:5]
	}
	more := ""
	if len(bad) > len(examples) {
		more = fmt.Sprintf(", and %d more", len(bad)-len(examples))
	}
	return []scanner.Skipped{{Check: ID, Reason: fmt.Sprintf(
		"%d of %d package versions cannot be ordered in their ecosystem (%s%s): OSV ranges were not evaluated for them, only exact version lists and all-version records",
		len(bad), len(queries), strings.Join(examples, "; "), more)}}
}

// hit is one record that affects a package, with what the matcher learned.
type hit struct {
	vuln  *osvdb.Vuln
	match osvdb.Match
	aff   *osvdb.Affected
}

// findingsFor builds one finding per alias group of records affecting p.
func (c *check) findingsFor(ctx context.Context, records osvdb.RecordSource, p *lockfiles.Package, q osvdb.Query, vulns []*osvdb.Vuln) []scanner.Finding {
	hits := make([]hit, 0, len(vulns))
	for _, v := range vulns {
		if v.Withdrawn != "" {
			continue
		}
		h := hit{vuln: v, match: osvdb.Affects(v, q.Ecosystem, q.Name, q.Version)}
		norm := lockfiles.NormalizeName(q.Ecosystem, q.Name)
		for k := range v.Affected {
			a := &v.Affected[k]
			if a.Package.Ecosystem == q.Ecosystem && lockfiles.NormalizeName(q.Ecosystem, a.Package.Name) == norm {
				h.aff = a
				break
			}
		}
		hits = append(hits, h)
	}
	purl := p.PURL
	if purl == "" {
		purl = lockfiles.PURL(p.Ecosystem, p.Name, p.Version, nil)
	}
	var out []scanner.Finding
	for _, group := range groupByAlias(hits) {
		out = append(out, c.finding(ctx, records, p, purl, group))
	}
	return out
}

// groupByAlias merges records that name each other (id or alias in common)
// into one group: a GHSA, its CVE and the PYSEC of the same flaw.
func groupByAlias(hits []hit) [][]hit {
	parent := make([]int, len(hits))
	for i := range parent {
		parent[i] = i
	}
	find := func(i int) int {
		for parent[i] != i {
			parent[i] = parent[parent[i]]
			i = parent[i]
		}
		return i
	}
	owner := map[string]int{}
	for i, h := range hits {
		for _, id := range append([]string{h.vuln.ID}, h.vuln.Aliases...) {
			if j, ok := owner[id]; ok {
				parent[find(i)] = find(j)
			} else {
				owner[id] = i
			}
		}
	}
	byRoot := map[int][]hit{}
	var roots []int
	for i, h := range hits {
		r := find(i)
		if _, ok := byRoot[r]; !ok {
			roots = append(roots, r)
		}
		byRoot[r] = append(byRoot[r], h)
	}
	out := make([][]hit, 0, len(roots))
	for _, r := range roots {
		out = append(out, byRoot[r])
	}
	return out
}

// idRank orders ids for display: MAL first, then GHSA, then the ecosystem
// databases, CVE last.
func idRank(id string) int {
	switch {
	case strings.HasPrefix(id, "MAL-"):
		return 0
	case strings.HasPrefix(id, "GHSA-"):
		return 1
	case strings.HasPrefix(id, "CVE-"):
		return 3
	}
	return 2
}

func (c *check) finding(ctx context.Context, records osvdb.RecordSource, p *lockfiles.Package, purl string, group []hit) scanner.Finding {
	seen := map[string]bool{}
	var ids []string
	malicious := false
	best := osvdb.Rated{}
	fixed := ""
	informational := ""
	var summary string
	for _, h := range group {
		if h.vuln.IsMalicious() {
			malicious = true
		}
		for _, id := range append([]string{h.vuln.ID}, h.vuln.Aliases...) {
			if !seen[id] {
				seen[id] = true
				ids = append(ids, id)
			}
		}
		r := osvdb.RateVuln(h.vuln, h.aff)
		if scanner.SeverityRank(r.Severity) > scanner.SeverityRank(best.Severity) || r.Severity == best.Severity && r.Score > best.Score {
			best = r
		}
		if h.match.Fixed != "" && (fixed == "" || osvdb.Later(p.Ecosystem, h.match.Fixed, fixed)) {
			fixed = h.match.Fixed
		}
		if h.match.Informational != "" {
			informational = h.match.Informational
		}
		if summary == "" {
			summary = strings.TrimSpace(h.vuln.Summary)
		}
	}
	sort.SliceStable(ids, func(i, j int) bool {
		if ri, rj := idRank(ids[i]), idRank(ids[j]); ri != rj {
			return ri < rj
		}
		return ids[i] < ids[j]
	})
	primary := ids[0]
	var others string
	if len(ids) > 1 {
		others = " (" + strings.Join(ids[1:], ", ") + ")"
	}
	f := scanner.Finding{
		Path:    p.Path,
		Line:    p.Line,
		Package: purl,
		IDs:     ids,
	}
	who := fmt.Sprintf("%s package %s %s", p.Ecosystem, p.Name, p.Version)
	if p.Version == "" {
		who = fmt.Sprintf("%s package %s", p.Ecosystem, p.Name)
	}
	if malicious {
		f.RuleID = RuleMalicious
		f.Severity = scanner.SeverityCritical
		f.Message = fmt.Sprintf("%s is a known malicious package: %s%s. Remove it and treat machines that installed it as compromised (rotate reachable secrets).", who, primary, others)
		f.Evidence = primary
	} else {
		f.RuleID = RuleVulnerable
		severityNote := ""
		if best.Severity == "" && informational == "" {
			if r, from := aliasRating(ctx, records, group, p.Ecosystem); r.Severity != "" {
				best = r
				severityNote = " (severity from its alias " + from + ")"
			} else {
				severityNote = " (severity unknown: neither the record nor its aliases rate it)"
			}
		}
		f.Severity = best.Severity
		if f.Severity == "" {
			f.Severity = c.opts.UnratedSeverity
			if informational != "" {
				f.Severity = scanner.SeverityLow
			}
		}
		kind := "vulnerability"
		if informational != "" {
			kind = "informational advisory (" + informational + ")"
		}
		msg := fmt.Sprintf("%s is affected by %s %s%s%s", who, kind, primary, others, severityNote)
		if summary != "" {
			msg += ": " + strings.TrimSuffix(summary, ".")
		}
		if fixed != "" {
			msg += fmt.Sprintf(". Fixed in %s: upgrade to %s or later.", fixed, fixed)
		} else {
			msg += ". No fixed version is published."
		}
		f.Message = msg
		f.Evidence = best.Vector
		f.Fixed = fixed
	}
	f.Fingerprint = scanner.Fingerprint(f.RuleID, p.Path, purl, primary)
	return f
}

// aliasRating rates an unrated group by its aliases that the source holds
// but that did not match the package themselves (a GO- record's GHSA): the
// highest CVSS rating among them, else the highest word. from names the
// alias the rating came from. A source that cannot fetch records, or fails
// to, leaves the group unrated.
func aliasRating(ctx context.Context, records osvdb.RecordSource, group []hit, eco string) (osvdb.Rated, string) {
	if records == nil {
		return osvdb.Rated{}, ""
	}
	have := map[string]bool{}
	for _, h := range group {
		have[h.vuln.ID] = true
	}
	var want []string
	for _, h := range group {
		for _, a := range h.vuln.Aliases {
			if !have[a] {
				have[a] = true
				want = append(want, a)
			}
		}
	}
	if len(want) == 0 {
		return osvdb.Rated{}, ""
	}
	got, err := records.Records(ctx, want)
	if err != nil && len(got) == 0 {
		return osvdb.Rated{}, ""
	}
	best, from := osvdb.Rated{}, ""
	for _, id := range want {
		v := got[id]
		if v == nil || v.Withdrawn != "" {
			continue
		}
		var aff *osvdb.Affected
		for k := range v.Affected {
			if v.Affected[k].Package.Ecosystem == eco {
				aff = &v.Affected[k]
				break
			}
		}
		r := osvdb.RateVuln(v, aff)
		better := scanner.SeverityRank(r.Severity) > scanner.SeverityRank(best.Severity) || r.Severity == best.Severity && r.Score > best.Score
		// A CVSS score outranks a word, whatever the word says.
		if best.Score > 0 && r.Score == 0 {
			better = false
		} else if r.Score > 0 && best.Score == 0 && r.Severity != "" {
			better = true
		}
		if r.Severity != "" && better {
			best, from = r, id
		}
	}
	return best, from
}
