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
	"github.com/tollgate-dev/tollgate/lockfiles"
	osvdb "github.com/tollgate-dev/tollgate/osv"
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
// at config osv.db when set (loading only the ecosystems to check), else
// the OSV API at config osv.url (default the public API).
func New(ctx context.Context, d checks.Deps) (scanner.Check, error) {
	if d.Config.OSV.DB != "" {
		db, err := osvdb.LoadDB(ctx, d.Config.OSV.DB, osvdb.LoadOptions{Ecosystems: d.Ecosystems})
		if err != nil {
			return nil, fmt.Errorf("%w: osv database: %w", checks.ErrSettings, err)
		}
		return FromSource(db, CheckOptions{}), nil
	}
	return FromSource(osvdb.NewClient(osvdb.ClientOptions{
		BaseURL:    d.Config.OSV.URL,
		CacheDir:   d.CacheDir,
		HTTPClient: d.HTTPClient,
		UserAgent:  d.UserAgent,
	}), CheckOptions{}), nil
}

// DefaultSeverity is used for a vulnerability whose record rates nothing
// (e.g. Go's GO- records): medium, so it shows without failing a default
// fail-on of high.
const DefaultSeverity = scanner.SeverityMedium

// CheckOptions configure the osv check.
type CheckOptions struct {
	// UnratedSeverity replaces DefaultSeverity when set.
	UnratedSeverity string
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
	answers, err := c.src.Lookup(ctx, queries)
	if err != nil {
		if ctx.Err() != nil {
			return nil, nil, fmt.Errorf("osv lookup: %w", ctx.Err())
		}
		return nil, []scanner.Skipped{{Check: ID, Reason: fmt.Sprintf("OSV lookup failed, %d packages not checked: %v", len(queries), err)}}, nil
	}
	if len(answers) != len(queries) {
		return nil, nil, errors.New("osv lookup: answer count does not match query count")
	}
	var findings []scanner.Finding
	for i := range in.Packages {
		j := pkgQuery[i]
		if j < 0 || len(answers[j]) == 0 {
			continue
		}
		findings = append(findings, c.findingsFor(&in.Packages[i], queries[j], answers[j])...)
	}
	var skipped []scanner.Skipped
	if !online(c.src) {
		skipped = unordered(queries)
	}
	return findings, skipped, nil
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
func (c *check) findingsFor(p *lockfiles.Package, q osvdb.Query, vulns []*osvdb.Vuln) []scanner.Finding {
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
		out = append(out, c.finding(p, purl, group))
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

func (c *check) finding(p *lockfiles.Package, purl string, group []hit) scanner.Finding {
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
		msg := fmt.Sprintf("%s is affected by %s %s%s", who, kind, primary, others)
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
	}
	f.Fingerprint = scanner.Fingerprint(f.RuleID, p.Path, purl, primary)
	return f
}
