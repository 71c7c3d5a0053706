package pipeline

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"sort"

	"github.com/tollgate-dev/tollgate/config"
	"github.com/tollgate-dev/tollgate/confusion"
	"github.com/tollgate-dev/tollgate/lockfiles"
	"github.com/tollgate-dev/tollgate/osv"
	"github.com/tollgate-dev/tollgate/scanner"
	"github.com/tollgate-dev/tollgate/secrets"
	"github.com/tollgate-dev/tollgate/tamper"
)

// ErrSettings is wrapped by errors in the caller's settings (a database that
// cannot be read, a bad URL): bad usage rather than a failed scan.
var ErrSettings = errors.New("bad settings")

// CheckSettings are what checks need beyond the config file.
type CheckSettings struct {
	// OSVDB is an offline OSV database (directory of records or all.zip exports).
	OSVDB string
	// Offline forbids network access.
	Offline bool
	// Mask receives every clear secret found (the Action's ::add-mask::).
	Mask func(secret string)
	// Baseline holds accepted secret fingerprints (tollgate baseline).
	Baseline *secrets.Baseline
	// OSVURL is the OSV API base URL (default: config osv.url, then the public API).
	OSVURL string
	// CacheDir keeps fetched OSV records between runs (actions/cache).
	CacheDir string
	// HTTPClient is used by online checks (nil: each client's default).
	HTTPClient *http.Client
	// VerifySecrets asks providers whether found secrets are live (off by
	// default; Fork turns it off again, since fork code must not make the
	// Action send secrets anywhere).
	VerifySecrets bool
	Fork          bool
}

// BuildChecks returns the checks the config enables and what is skipped up
// front. ecosystems, when known, narrows the offline database load.
func BuildChecks(ctx context.Context, cfg *config.Config, s CheckSettings, ecosystems []string) ([]scanner.Check, []scanner.Skipped, error) {
	if s.OSVDB == "" {
		s.OSVDB = cfg.OSV.DB
	}
	checks := []scanner.Check{scanner.LockfileCheck{}}
	if cfg.Enabled("confusion") && len(cfg.Internal.Scopes)+len(cfg.Internal.Prefixes)+len(cfg.Internal.Names) > 0 {
		checks = append(checks, confusion.Check{Scopes: cfg.Internal.Scopes, Prefixes: cfg.Internal.Prefixes, Names: cfg.Internal.Names})
	}
	if cfg.Enabled("tamper") {
		checks = append(checks, tamper.Check{AllowedHosts: cfg.AllowedRegistries})
	}
	if cfg.Enabled("secrets") {
		var verify *secrets.VerifyOptions
		if s.VerifySecrets {
			verify = &secrets.VerifyOptions{Fork: s.Fork, Client: s.HTTPClient}
		}
		sc, err := secrets.NewCheck(secrets.Options{
			Mask:     s.Mask,
			Baseline: s.Baseline,
			Verify:   verify,
			Allow: secrets.Allowlist{
				Paths:        append(append([]string{}, cfg.Exclude...), cfg.Allow.Paths...),
				Fingerprints: cfg.Allow.Secrets,
				Patterns:     cfg.Allow.Patterns,
			},
		})
		if err != nil {
			return nil, nil, fmt.Errorf("%w: secrets: %w", ErrSettings, err)
		}
		checks = append(checks, sc)
	}
	var skipped []scanner.Skipped
	switch {
	case !cfg.Enabled("osv"):
	case s.OSVDB != "":
		db, err := osv.LoadDB(ctx, s.OSVDB, osv.LoadOptions{Ecosystems: ecosystems})
		if err != nil {
			return nil, nil, fmt.Errorf("%w: osv database: %w", ErrSettings, err)
		}
		checks = append(checks, osv.NewCheck(db, osv.CheckOptions{}))
	case s.Offline:
		skipped = append(skipped, scanner.Skipped{Check: osv.CheckID, Reason: "offline and no OSV database given (--osv-db): known-malicious and vulnerable versions were not looked up"})
	default:
		url := s.OSVURL
		if url == "" {
			url = cfg.OSV.URL
		}
		checks = append(checks, osv.NewCheck(osv.NewClient(osv.ClientOptions{
			BaseURL:    url,
			CacheDir:   s.CacheDir,
			HTTPClient: s.HTTPClient,
			UserAgent:  "tollgate",
		}), osv.CheckOptions{}))
	}
	return checks, skipped, nil
}

// Ecosystems lists the ecosystems of packages, sorted.
func Ecosystems(pkgs []lockfiles.Package) []string {
	seen := map[string]bool{}
	for _, p := range pkgs {
		seen[p.Ecosystem] = true
	}
	out := make([]string, 0, len(seen))
	for e := range seen {
		out = append(out, e)
	}
	sort.Strings(out)
	return out
}
