package pipeline

import (
	"os"
	"path"
	"path/filepath"
	"strings"

	"github.com/tollgate-dev/tollgate/checks"
	"github.com/tollgate-dev/tollgate/config"
	"github.com/tollgate-dev/tollgate/lockfiles"
	"github.com/tollgate-dev/tollgate/secrets"
)

// DefaultBaseline is where `tollgate baseline` writes and a scan looks, in
// the repository root.
const DefaultBaseline = ".tollgate-baseline.json"

// LoadConfig reads the config at file, or dir/.github/tollgate.yml when file
// is "" and that exists, or returns the default. The checks and budgets
// maps are validated against reg's ids. Errors are usage errors naming the
// file and line.
func LoadConfig(file, dir string, reg checks.Registry) (*config.Config, error) {
	if file == "" {
		p := filepath.Join(dir, filepath.FromSlash(config.DefaultPath))
		if _, err := os.Stat(p); err != nil {
			return config.Default(), nil
		}
		file = p
	}
	cfg, err := config.Load(file, reg.IDs())
	if err != nil {
		return nil, &UsageError{err}
	}
	return cfg, nil
}

// ApplyChecks replaces the config's checks map with a comma-separated list
// of check ids (the Action's checks input): the listed checks on, every
// other one off. An unknown id is a usage error.
func ApplyChecks(cfg *config.Config, list string, reg checks.Registry) error {
	if strings.TrimSpace(list) == "" {
		return nil
	}
	want := map[string]bool{}
	for _, n := range strings.Split(list, ",") {
		n = strings.TrimSpace(n)
		if n == "" {
			continue
		}
		if _, ok := reg.Lookup(n); !ok {
			return Usagef("checks: %q is not a known check (known: %s)", n, strings.Join(reg.IDs(), ", "))
		}
		want[n] = true
	}
	cfg.Checks = map[string]bool{}
	cfg.ChecksSetBy = "the checks input"
	for _, id := range reg.IDs() {
		cfg.Checks[id] = want[id]
	}
	return nil
}

// LoadBaseline reads the secrets baseline at file, or dir's DefaultBaseline
// when file is "" and that exists; nil when there is none.
func LoadBaseline(file, dir string) (*secrets.Baseline, error) {
	if file == "" {
		p := filepath.Join(dir, DefaultBaseline)
		if _, err := os.Stat(p); err != nil {
			return nil, nil
		}
		file = p
	}
	f, err := os.Open(file)
	if err != nil {
		return nil, Usagef("baseline: %v", err)
	}
	defer f.Close()
	b, err := secrets.LoadBaseline(f)
	if err != nil {
		return nil, Usagef("baseline %s: %v", file, err)
	}
	return b, nil
}

// LockfileMatcher returns a function telling whether a path is a lockfile any
// parser reads, or a go.sum (whose go.mod carries its hashes).
func LockfileMatcher(parsers []lockfiles.Parser) func(string) bool {
	return func(p string) bool {
		if path.Base(p) == "go.sum" {
			return true
		}
		return matchParser(parsers, p) != nil
	}
}

// matchParser returns the first parser that reads p, or nil.
func matchParser(parsers []lockfiles.Parser, p string) lockfiles.Parser {
	for _, pr := range parsers {
		if pr.Match(p) {
			return pr
		}
	}
	return nil
}
