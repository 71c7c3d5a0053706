// Package content is the "content" check: what a change ships that no
// reviewer reads. Two halves:
//
//   - Packages: for each npm package a pull request adds or updates, the
//     tarball is downloaded from the lockfile's URL (or the configured npm
//     registry), verified against the lockfile's integrity hash (a mismatch
//     is artifact-integrity-mismatch: what the registry serves is not what
//     was locked), read safely in memory (checks/content/archive), and
//     compared with the previously locked version by the diff-aware
//     analyser (checks/content/analyze). Other ecosystems' artifacts are
//     not fetched in this version (listed, not a fault).
//   - The repository: binary artifacts the pull request adds or changes —
//     executables, libraries, WebAssembly, Java classes and archives,
//     recognised by their first bytes, with size and SHA-256.
package content

import (
	"context"
	"fmt"
	"net/http"
	"time"

	"github.com/tollgate-dev/tollgate/internal/httpx"

	"github.com/tollgate-dev/tollgate/checks"
	"github.com/tollgate-dev/tollgate/scanner"
)

// ID is the check's id in config.
const ID = "content"

// RuleBinaryArtifact is the rule id.
const RuleBinaryArtifact = "binary-artifact-added"

// Entry registers the check in checks/all.
func Entry() checks.Entry {
	return checks.Entry{
		ID:      ID,
		Summary: "binary artifacts (executables, libraries, archives) a pull request adds or changes",
		Budget:  time.Minute,
		New: func(_ context.Context, d checks.Deps) (scanner.Check, error) {
			registry := ""
			if d.Config != nil {
				registry = d.Config.Registries["npm"]
			}
			return New(Options{HTTPClient: d.HTTPClient, CacheDir: d.CacheDir, NPMRegistry: registry, UserAgent: d.UserAgent}), nil
		},
	}
}

// Options configure the package half of the check.
type Options struct {
	HTTPClient *http.Client
	// CacheDir keeps verified artifacts by digest ("" for none).
	CacheDir string
	// NPMRegistry is the npm registry base URL ("" for the public one).
	NPMRegistry string
	UserAgent   string
	// MaxPackages bounds the packages fetched in one run (0: 200); the
	// rest are a skipped entry.
	MaxPackages int
	// PerPackage bounds the fetch and analysis of one package (0: 60 s).
	PerPackage time.Duration
	// MaxArtifact bounds one download (0: DefaultMaxArtifact).
	MaxArtifact int64
	// MinBackoff is the first retry delay of downloads (tests).
	MinBackoff time.Duration
}

// Check is the content check. The zero value judges binary artifacts only
// and fetches with the defaults.
type Check struct {
	opts Options
	f    *fetcher
}

// New returns the check for opts.
func New(opts Options) Check {
	if opts.NPMRegistry == "" {
		opts.NPMRegistry = "https://registry.npmjs.org"
	}
	if opts.MaxPackages <= 0 {
		opts.MaxPackages = 200
	}
	if opts.PerPackage <= 0 {
		opts.PerPackage = time.Minute
	}
	if opts.MaxArtifact <= 0 {
		opts.MaxArtifact = DefaultMaxArtifact
	}
	hx := httpx.New(httpx.Options{HTTPClient: opts.HTTPClient, UserAgent: opts.UserAgent, MaxInFlight: workers, MinBackoff: opts.MinBackoff})
	return Check{opts: opts, f: &fetcher{hx: hx, cacheDir: opts.CacheDir, max: opts.MaxArtifact}}
}

// ID implements scanner.Check.
func (Check) ID() string { return ID }

// Needs implements scanner.Check: the change set alone.
func (Check) Needs() scanner.Needs { return scanner.Needs{} }

// Rules implements scanner.Check.
func (Check) Rules() []scanner.Rule {
	return append(packageRules(), scanner.Rule{
		ID:        RuleBinaryArtifact,
		Name:      "BinaryArtifactAdded",
		Short:     "A pull request adds or changes a binary artifact (executable, library, archive).",
		Full:      "Binary files cannot be reviewed in a diff: an executable, a DLL, a jar or a tarball committed to the repository runs or ships whatever it contains. Executables outside test fixtures are rated high; archives, class files and fixtures low.",
		Help:      "Build binaries in CI from reviewed source instead of committing them; if the file must be committed, check where it came from and that its SHA-256 matches the upstream release, then ignore the finding for its path with a reason.",
		Severity:  scanner.SeverityHigh,
		Precision: scanner.PrecisionVeryHigh,
		Tags:      []string{"supply-chain", "binary-artifact"},
	})
}

// Run implements scanner.Check: pull-request mode only (a sweep has no
// change to judge).
func (c Check) Run(ctx context.Context, in *scanner.Input) ([]scanner.Finding, []scanner.Skipped, error) {
	if in.Mode != scanner.ModePullRequest {
		return nil, nil, nil
	}
	out, skipped := c.packages(ctx, in)
	if in.FS == nil {
		return out, skipped, ctx.Err()
	}
	bin, binSkipped, err := binaries(ctx, in)
	return append(out, bin...), append(skipped, binSkipped...), err
}

// binaries judges the files the pull request adds or changes.
func binaries(ctx context.Context, in *scanner.Input) ([]scanner.Finding, []scanner.Skipped, error) {
	var out []scanner.Finding
	var unread []string
	for _, p := range in.Changed {
		if ctx.Err() != nil {
			return out, nil, ctx.Err()
		}
		a, size, sum, ok, err := examine(in.FS, p)
		if err != nil {
			unread = append(unread, p)
			continue
		}
		if !ok {
			continue
		}
		sev := scanner.SeverityLow
		if a.executable && !fixturePath(p) {
			sev = scanner.SeverityHigh
		}
		what := a.kind
		if a.detail != "" {
			what += ", " + a.detail
		}
		out = append(out, scanner.Finding{
			RuleID:      RuleBinaryArtifact,
			Severity:    sev,
			Message:     fmt.Sprintf("%s is a binary artifact (%s, %d bytes, sha256 %s) added or changed by this pull request: it cannot be reviewed in the diff. Build it from reviewed source, or check its origin against the upstream release's hash.", p, what, size, sum),
			Path:        p,
			Line:        1,
			Evidence:    "sha256:" + sum,
			Fingerprint: scanner.Fingerprint(RuleBinaryArtifact, p, sum),
		})
	}
	var skipped []scanner.Skipped
	if len(unread) > 0 {
		skipped = append(skipped, scanner.Skipped{Check: ID, Reason: fmt.Sprintf("%d changed file(s) could not be read to tell whether they are binary artifacts: %s", len(unread), scanner.ListSome(unread, 5))})
	}
	return out, skipped, nil
}
