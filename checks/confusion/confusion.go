// Package confusion is the "confusion" check for dependency confusion that
// has already happened: a package the organisation declares internal (by npm
// scope, name prefix or exact name, the config's internal: section) that a
// lockfile resolves from a public registry. A package manager that finds an
// internal name on the public registry at a higher version installs the
// public one (Birsan, 2021); the lockfile's download URL is the proof.
//
// It needs no network: it reads the lockfile's own URLs. Entries without a
// download URL (go.mod, Pipfile.lock, NuGet) cannot be judged this way and
// are not reported. Finding out whether an internal name is claimed on a
// public registry at all needs the registry's API and is not done here.
package confusion

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/tollgate-dev/tollgate/checks"
	"github.com/tollgate-dev/tollgate/lockfiles"
	"github.com/tollgate-dev/tollgate/scanner"
)

// RuleDependencyConfusion is the rule id.
const RuleDependencyConfusion = "dependency-confusion"

// Check is the "confusion" check. The zero value reports nothing.
type Check struct {
	// Scopes are npm scopes ("@acme"); the same word is a Packagist vendor
	// ("acme/...").
	Scopes []string
	// Prefixes are name prefixes ("acme-"), compared after each ecosystem's
	// name normalisation (PEP 503 for PyPI: "acme_" and "acme-" are one).
	Prefixes []string
	// Names are exact internal package names, normalised the same way.
	Names []string
}

// ID is the check's id in config.
const ID = "confusion"

// Entry registers the check in checks/all.
func Entry() checks.Entry {
	return checks.Entry{
		ID:      ID,
		Summary: "packages the config declares internal that a lockfile downloads from a public registry",
		Budget:  time.Minute,
		New: func(_ context.Context, d checks.Deps) (scanner.Check, error) {
			in := d.Config.Internal
			if len(in.Scopes)+len(in.Prefixes)+len(in.Names) == 0 {
				return nil, &checks.NotApplicable{Reason: "no internal package names configured (internal: scopes, prefixes, names)"}
			}
			return Check{Scopes: in.Scopes, Prefixes: in.Prefixes, Names: in.Names}, nil
		},
	}
}

// ID implements scanner.Check.
func (Check) ID() string { return ID }

// Needs implements scanner.Check: the lockfiles alone.
func (Check) Needs() scanner.Needs { return scanner.Needs{} }

// Rules implements scanner.Check.
func (Check) Rules() []scanner.Rule {
	return []scanner.Rule{{
		ID:        RuleDependencyConfusion,
		Name:      "DependencyConfusion",
		Short:     "An internal package is resolved from a public registry.",
		Full:      "The config declares this package name internal (internal: scopes, prefixes or names), yet the lockfile downloads it from a public registry. Either someone published a package under your internal name and the package manager preferred it (dependency confusion), or an internal package was published publicly by mistake.",
		Help:      "Do not merge. Find who published the public package and what it contains; pin the internal registry for the name (.npmrc @acme:registry=..., pip --index-url without --extra-index-url, a Bundler source block) and regenerate the lockfile. If the public package is really yours, remove its name from internal:.",
		Severity:  scanner.SeverityCritical,
		Precision: scanner.PrecisionHigh,
		Tags:      []string{"supply-chain", "dependency-confusion"},
	}}
}

// publicHosts are the download hosts of the public registries, per ecosystem.
// A mirror of a public registry counts as public.
func publicHosts(ecosystem string) []string {
	switch ecosystem {
	case lockfiles.EcosystemNPM:
		return []string{"registry.npmjs.org", "registry.yarnpkg.com", "registry.npmmirror.com", "registry.npm.taobao.org"}
	case lockfiles.EcosystemPyPI:
		return []string{"files.pythonhosted.org", "pypi.org", "pypi.python.org"}
	case lockfiles.EcosystemRubyGems:
		return []string{"rubygems.org", "index.rubygems.org"}
	case lockfiles.EcosystemNuGet:
		return []string{"api.nuget.org", "www.nuget.org"}
	case lockfiles.EcosystemCrates:
		return []string{"index.crates.io", "static.crates.io", "crates.io"}
	case lockfiles.EcosystemPub:
		return []string{"pub.dev", "pub.dartlang.org"}
	case lockfiles.EcosystemPackagist:
		return []string{"repo.packagist.org", "packagist.org"}
	}
	return nil
}

// Run implements scanner.Check: it judges the packages checked (those a pull
// request introduces, or all of them in a sweep).
func (c Check) Run(ctx context.Context, in *scanner.Input) ([]scanner.Finding, []scanner.Skipped, error) {
	if len(c.Scopes)+len(c.Prefixes)+len(c.Names) == 0 {
		return nil, nil, nil
	}
	var out []scanner.Finding
	for i := range in.Packages {
		if i&0x3ff == 0 {
			if err := ctx.Err(); err != nil {
				return out, nil, err
			}
		}
		p := &in.Packages[i]
		if p.Source == lockfiles.SourceLocal {
			continue // a workspace package is not fetched from anywhere
		}
		why := c.Internal(p.Ecosystem, p.Name)
		if why == "" {
			continue
		}
		host := publicHost(p.Ecosystem, p.Resolved)
		if host == "" {
			continue
		}
		who := fmt.Sprintf("%s package %s %s", p.Ecosystem, p.Name, p.Version)
		if p.Version == "" {
			who = fmt.Sprintf("%s package %s", p.Ecosystem, p.Name)
		}
		out = append(out, scanner.Finding{
			RuleID:   RuleDependencyConfusion,
			Severity: scanner.SeverityCritical,
			Message: fmt.Sprintf("%s %s, yet the lockfile downloads it from the public registry %s: a public package with an internal name was installed (dependency confusion).",
				who, why, host),
			Path:        p.Path,
			Line:        p.Line,
			Package:     p.PURL,
			Evidence:    host,
			Fingerprint: scanner.Fingerprint(RuleDependencyConfusion, p.Path, p.PURL, host),
		})
	}
	return out, nil, nil
}

// Internal says why name is internal ("is in the internal scope @acme"), or
// "" when it is not.
func (c Check) Internal(ecosystem, name string) string {
	norm := lockfiles.NormalizeName(ecosystem, name)
	for _, s := range c.Scopes {
		scope := strings.ToLower(strings.Trim(strings.TrimSpace(s), "@/"))
		if scope == "" {
			continue
		}
		switch ecosystem {
		case lockfiles.EcosystemNPM:
			if strings.HasPrefix(strings.ToLower(name), "@"+scope+"/") {
				return "is in the internal scope @" + scope
			}
		case lockfiles.EcosystemPackagist:
			if strings.HasPrefix(norm, scope+"/") {
				return "is of the internal vendor " + scope
			}
		}
	}
	for _, pre := range c.Prefixes {
		pre = strings.TrimSpace(pre)
		if pre != "" && strings.HasPrefix(norm, lockfiles.NormalizeName(ecosystem, pre)) {
			return "has the internal prefix " + pre
		}
	}
	for _, n := range c.Names {
		n = strings.TrimSpace(n)
		if n != "" && norm == lockfiles.NormalizeName(ecosystem, n) {
			return "is an internal name"
		}
	}
	return ""
}

// publicHost returns the public registry host resolved points at, or "".
// Cargo's registry source ("registry+https://github.com/rust-lang/crates.io-index")
// names crates.io by its index.
func publicHost(ecosystem, resolved string) string {
	if resolved == "" {
		return ""
	}
	if ecosystem == lockfiles.EcosystemCrates && strings.HasPrefix(resolved, "registry+https://github.com/rust-lang/crates.io-index") {
		return "crates.io"
	}
	_, host := lockfiles.DownloadHost(resolved)
	for _, h := range publicHosts(ecosystem) {
		if host == h {
			return h
		}
	}
	return ""
}
