package registry

import (
	"context"
	"errors"
	"fmt"
	"sort"
	"strings"
	"sync"

	"golang.org/x/mod/semver"

	"github.com/tollgate-dev/tollgate/checks/confusion"
	"github.com/tollgate-dev/tollgate/internal/workpool"
	"github.com/tollgate-dev/tollgate/lockfiles"
	reg "github.com/tollgate-dev/tollgate/registry"
	"github.com/tollgate-dev/tollgate/scanner"
)

// maxClaimed bounds the internal and workspace names asked of the public
// registries in one run.
const maxClaimed = 100

// claimedName is a name of the repository's own that a public registry
// might also serve.
type claimedName struct {
	p   lockfiles.Package
	why string // "is in the internal scope @acme", "is a workspace package of this repository"
	// internal: declared internal in the config (critical when the public
	// version is higher); else a workspace package (lower).
	internal bool
}

// claimed is the online half of dependency confusion: an internal name
// (config internal:) or a workspace package name of the repository that
// exists on the public registry, where a package manager that looks there
// (a missing scope mapping, --extra-index-url) can install it instead.
func (c *Check) claimed(ctx context.Context, in *scanner.Input) ([]scanner.Finding, []scanner.Skipped) {
	if c.public == nil || in.Inventory == nil {
		return nil, nil
	}
	seen := map[string]bool{}
	var names []claimedName
	for _, p := range in.Inventory.Packages {
		if c.public[p.Ecosystem] == nil || p.Name == "" || strings.HasPrefix(p.Name, ".") || strings.ContainsAny(p.Name, "/\\") && p.Ecosystem != lockfiles.EcosystemNPM {
			continue
		}
		k := p.Ecosystem + "\x00" + lockfiles.NormalizeName(p.Ecosystem, p.Name)
		if seen[k] {
			continue
		}
		n := claimedName{p: p}
		switch {
		case c.internal.Internal(p.Ecosystem, p.Name) != "":
			n.why, n.internal = c.internal.Internal(p.Ecosystem, p.Name), true
		case p.Source == lockfiles.SourceLocal && p.Version != "" && p.Version != "0.0.0":
			n.why = "is a workspace package of this repository"
		default:
			continue
		}
		seen[k] = true
		names = append(names, n)
	}
	sort.Slice(names, func(i, j int) bool { return names[i].p.Name < names[j].p.Name })
	if len(names) > maxClaimed {
		names = names[:maxClaimed]
	}
	var (
		mu     sync.Mutex
		out    []scanner.Finding
		failed []string
	)
	workpool.Each(ctx, workers, names, func(n claimedName) {
		pkg, err := c.public[n.p.Ecosystem].Package(ctx, n.p.Name)
		mu.Lock()
		defer mu.Unlock()
		switch {
		case errors.Is(err, reg.ErrNotFound):
		case err != nil:
			failed = append(failed, n.p.Name)
		default:
			out = append(out, claimedFinding(n, pkg))
		}
	})
	var skipped []scanner.Skipped
	if len(failed) > 0 {
		sort.Strings(failed)
		skipped = append(skipped, scanner.Skipped{Check: ID, Reason: fmt.Sprintf("the public registries could not say whether %d internal or workspace names are taken there: %s", len(failed), scanner.ListSome(failed, 5))})
	}
	return out, skipped
}

// claimedFinding reports an internal or workspace name the public registry
// serves: critical for an internal name whose public version is higher
// (what a package manager prefers), high for another internal name; for a
// workspace package, medium when the public version is higher, else low.
func claimedFinding(n claimedName, pkg *reg.Package) scanner.Finding {
	p := n.p
	higher := pkg.Latest != "" && p.Version != "" && versionLess(p.Version, pkg.Latest)
	sev := scanner.SeverityLow
	switch {
	case n.internal && higher:
		sev = scanner.SeverityCritical
	case n.internal:
		sev = scanner.SeverityHigh
	case higher:
		sev = scanner.SeverityMedium
	}
	when := ""
	if !pkg.Created.IsZero() {
		when = ", first published " + pkg.Created.UTC().Format("2006-01-02")
	}
	latest := pkg.Latest
	if latest == "" {
		latest = "unknown"
	}
	return scanner.Finding{
		RuleID: confusion.RuleDependencyConfusion, Severity: sev, Path: p.Path, Line: p.Line, Package: p.PURL,
		Message: fmt.Sprintf("%s %s %s, yet the public registry has a package of that name (latest %s%s): a package manager that looks there (a missing scope mapping, --extra-index-url) can install it instead of yours. Claim or reserve the name, or map it to your registry explicitly.",
			p.Ecosystem, p.Name, n.why, latest, when),
		Evidence:    "public " + p.Name + "@" + latest,
		Fingerprint: scanner.Fingerprint(confusion.RuleDependencyConfusion, p.Path, p.PURL, "public"),
	}
}

// versionLess compares versions as semver where both are, else as strings
// never (false): only a version known to be higher counts.
func versionLess(a, b string) bool {
	ca, cb := canon(a), canon(b)
	if ca == "" || cb == "" {
		return false
	}
	return semver.Compare(ca, cb) < 0
}
