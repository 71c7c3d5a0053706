// Package content is the "content" check: what a change ships that no
// reviewer reads. Two halves:
//
//   - Packages: for each npm, PyPI, RubyGems, NuGet, crates.io, Go or
//     Packagist package a pull request adds or updates, the artifact
//     (tarball, wheel or sdist, .gem, .nupkg, .crate, module zip, dist zip)
//     is downloaded from the lockfile's URL, else the registry client's,
//     else the registry's conventional path under config registries:,
//     verified against the lockfile's hash (else the registry's digest; a
//     mismatch is artifact-integrity-mismatch: what the registry serves is
//     not what was locked), read safely in memory (checks/content/archive),
//     and compared with the previously locked version by the diff-aware
//     analyser (checks/content/analyze) and the secrets engine. Other
//     ecosystems' artifacts are not fetched (listed, not a fault).
//   - The repository: binary artifacts the pull request adds or changes —
//     executables, libraries, WebAssembly, Java classes and archives,
//     recognised by their first bytes, with size and SHA-256.
package content

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"sync"
	"time"

	"github.com/tollgate-dev/tollgate/config"
	"github.com/tollgate-dev/tollgate/internal/httpx"

	"github.com/tollgate-dev/tollgate/checks"
	"github.com/tollgate-dev/tollgate/registry"
	"github.com/tollgate-dev/tollgate/scanner"
	engine "github.com/tollgate-dev/tollgate/secrets"
)

// ID is the check's id in config.
const ID = "content"

// RuleBinaryArtifact is the rule id.
const RuleBinaryArtifact = "binary-artifact-added"

// Entry registers the check in checks/all.
func Entry() checks.Entry {
	return checks.Entry{
		ID:      ID,
		Summary: "what the packages a pull request adds or updates ship (fetched, verified, diffed), and the binary artifacts it adds or changes",
		// Up to 200 packages, four at a time, each fetched twice on an update.
		Budget: 3 * time.Minute,
		New: func(_ context.Context, d checks.Deps) (scanner.Check, error) {
			opts := Options{HTTPClient: d.HTTPClient, CacheDir: d.CacheDir, UserAgent: d.UserAgent, Mask: d.Mask}
			if d.Config != nil {
				opts.Bases = d.Config.Registries
				opts.Credentials = checks.Credentials(d.Config, d.Getenv)
				opts.SecretAllow = engine.Allowlist{Patterns: d.Config.Allow.Patterns, Fingerprints: d.Config.Allow.Secrets}
			}
			opts.Registries, opts.RegistryErr = d.RegistrySet().Configured()
			return New(opts), nil
		},
	}
}

// Options configure the package half of the check.
type Options struct {
	HTTPClient *http.Client
	// CacheDir keeps verified artifacts by digest ("" for none).
	CacheDir string
	// Bases are the registries' base URLs by config key (config
	// registries:; a key absent or empty: the public registry).
	Bases map[string]string
	// Credentials are the registries' credentials by config key (config
	// registry-auth), sent with downloads from that registry's origin only.
	Credentials map[string]registry.Credentials
	// NPMRegistry is the npm registry base URL, when Bases names none.
	NPMRegistry string
	// Registries are the run's registry clients by ecosystem, asked for an
	// artifact's URL and digest when the lockfile records neither.
	Registries map[string]registry.Client
	// RegistryErr is why Registries could not be built, if they could not.
	RegistryErr error
	UserAgent   string
	// Mask receives every clear secret found in a package (::add-mask::).
	Mask func(string)
	// SecretAllow are the config's allowed secret values and fingerprints.
	SecretAllow engine.Allowlist
	// MaxPackages bounds the packages fetched in one run (0: 200); the
	// rest are a skipped entry.
	MaxPackages int
	// PerPackage bounds the fetch and analysis of one package (0: 60 s).
	PerPackage time.Duration
	// PerRun bounds the package half of one run (0: the check's budget
	// alone); the packages not reached are a skipped entry.
	PerRun time.Duration
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
	sec  *secretState
}

// secretState holds the secrets engine, built on first use.
type secretState struct {
	once   sync.Once
	engine *engine.Engine
}

// New returns the check for opts.
func New(opts Options) Check {
	bases := map[string]string{}
	for k, v := range opts.Bases {
		bases[k] = v
	}
	if bases["npm"] == "" {
		bases["npm"] = opts.NPMRegistry
	}
	opts.Bases = bases
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
	creds := map[string]registry.Credentials{}
	public := config.DefaultRegistries()
	for key, c := range opts.Credentials {
		base := bases[key]
		if base == "" {
			base = public[key]
		}
		if u, err := url.Parse(base); err == nil && u.Host != "" && !c.IsZero() {
			creds[origin(u)] = c
		}
	}
	return Check{opts: opts, f: &fetcher{hx: hx, cacheDir: opts.CacheDir, max: opts.MaxArtifact, creds: creds}, sec: &secretState{}}
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
