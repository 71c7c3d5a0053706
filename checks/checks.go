// Package checks holds what the check registry (checks/all) and the run
// layer (pipeline) share: the dependencies every check constructor takes,
// the registry entry, and how a constructor says that its check has nothing
// to do under the config. Each check lives in its own package below.
package checks

import (
	"context"
	"errors"
	"net/http"
	"slices"
	"time"

	"github.com/tollgate-dev/tollgate/config"
	regall "github.com/tollgate-dev/tollgate/registry/all"
	"github.com/tollgate-dev/tollgate/scanner"
	"github.com/tollgate-dev/tollgate/secrets"
)

// Deps are the shared dependencies every check constructor takes.
type Deps struct {
	// Config is the policy in force (from the base revision in pull-request
	// mode).
	Config *config.Config
	// HTTPClient is the HTTP layer network clients use (nil: each client's
	// default).
	HTTPClient *http.Client
	// CacheDir keeps fetched records between runs ("" for none).
	CacheDir string
	// Offline forbids network access; the registry still builds networked
	// checks, and scanner.Run lists them as skipped.
	Offline bool
	// Now is the clock (nil: time.Now).
	Now func() time.Time
	// Mask receives every clear secret found (the Action's ::add-mask::).
	Mask func(secret string)
	// GitHubToken authenticates GitHub API calls ("" for none).
	GitHubToken string
	// GitHubAPIURL is the GitHub REST API root the token belongs to (the
	// runner's GITHUB_API_URL; "" for the public API). Checks that call
	// GitHub send the token there and nowhere else.
	GitHubAPIURL string
	// UserAgent names tollgate in requests.
	UserAgent string
	// Registries are the run's registry clients, shared by every check that
	// asks a registry (nil: RegistrySet builds a set for the caller alone).
	Registries *regall.Set
	// Getenv reads the environment variables config registry-auth names
	// (nil: os.Getenv).
	Getenv func(string) string

	// Ecosystems are the ecosystems of the packages to check, when known:
	// they narrow what an offline database loads.
	Ecosystems []string
	// Baseline holds accepted secret fingerprints (tollgate baseline).
	Baseline *secrets.Baseline
	// VerifySecrets asks providers whether found secrets are live; Fork
	// turns it off again (fork code must not make the Action send secrets
	// anywhere).
	VerifySecrets, Fork bool
}

// Entry registers one check.
type Entry struct {
	// ID is the check's id in config and reports; the package is checks/<ID>.
	ID string
	// Summary says in one line what the check looks for.
	Summary string
	// Budget is the check's default time budget (config budgets override it).
	Budget time.Duration
	// Required checks always run: the config cannot name them (the
	// unreadable-lockfile check, without which a broken lockfile would hide
	// its packages silently).
	Required bool
	// New builds the check. It returns an error wrapping ErrSettings for bad
	// settings, and a *NotApplicable when the config gives it nothing to do.
	// A nil New marks a check id that is reserved in config but not built in
	// this version.
	New func(ctx context.Context, d Deps) (scanner.Check, error)
}

// ErrSettings is wrapped by constructor errors caused by the caller's
// settings (a database that cannot be read, a bad pattern): bad usage rather
// than a failed scan.
var ErrSettings = errors.New("bad settings")

// NotApplicable is returned by a constructor whose check has nothing to do
// under the config (confusion without internal names): the check is listed
// as disabled with Reason.
type NotApplicable struct{ Reason string }

func (e *NotApplicable) Error() string { return e.Reason }

// Registry is the list of checks, in the order they are built and reported.
type Registry []Entry

// IDs lists every check id the config may name: built or reserved, not
// required.
func (r Registry) IDs() []string {
	out := make([]string, 0, len(r))
	for _, e := range r {
		if !e.Required {
			out = append(out, e.ID)
		}
	}
	return out
}

// Lookup returns the entry for a check id the config may name.
func (r Registry) Lookup(id string) (Entry, bool) {
	i := slices.IndexFunc(r, func(e Entry) bool { return e.ID == id && !e.Required })
	if i < 0 {
		return Entry{}, false
	}
	return r[i], true
}

// Build builds the checks cfg turns on. Checks turned off, reserved or not
// applicable are returned as Disabled entries; budgets maps each built
// check to its budget (the config's, else the entry's default).
func (r Registry) Build(ctx context.Context, d Deps) (built []scanner.Check, disabled []scanner.Disabled, budgets map[string]time.Duration, err error) {
	cfg := d.Config
	if cfg == nil {
		cfg = config.Default()
		d.Config = cfg
	}
	budgets = map[string]time.Duration{}
	for _, e := range r {
		switch {
		case e.New == nil:
			disabled = append(disabled, scanner.Disabled{Check: e.ID, Reason: "not built in this version"})
			continue
		case !e.Required && !cfg.Enabled(e.ID):
			where := "the config"
			switch {
			case cfg.ChecksSetBy != "":
				where = cfg.ChecksSetBy
			case cfg.Path != "":
				where = cfg.Path
			}
			disabled = append(disabled, scanner.Disabled{Check: e.ID, Reason: "turned off in " + where})
			continue
		}
		c, err := e.New(ctx, d)
		var na *NotApplicable
		switch {
		case errors.As(err, &na):
			disabled = append(disabled, scanner.Disabled{Check: e.ID, Reason: na.Reason})
			continue
		case err != nil:
			return nil, nil, nil, err
		}
		built = append(built, c)
		budgets[e.ID] = e.Budget
		if b := cfg.Budget(e.ID); b > 0 {
			budgets[e.ID] = b
		}
	}
	return built, disabled, budgets, nil
}
