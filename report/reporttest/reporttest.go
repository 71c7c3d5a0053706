// Package reporttest holds scan results shaped like real runs, with the real
// rules of the checks, for the golden tests of the text report, the job
// summary and the pull-request comment: each reporter renders the same cases.
package reporttest

import (
	"errors"
	"fmt"

	"github.com/tollgate-dev/tollgate/checks/confusion"
	"github.com/tollgate-dev/tollgate/checks/osv"
	"github.com/tollgate-dev/tollgate/checks/tamper"
	"github.com/tollgate-dev/tollgate/checks/unreadable"
	"github.com/tollgate-dev/tollgate/lockfiles"
	"github.com/tollgate-dev/tollgate/scanner"
	"github.com/tollgate-dev/tollgate/secrets"
)

// Case is one scan outcome to render.
type Case struct {
	// Name names the golden files (summary-<Name>.md, text-<Name>.txt).
	Name   string
	Result *scanner.Result
	// Outcome, Incomplete and FailOn are the verdict the pipeline reached.
	Outcome    string
	Incomplete string
	FailOn     string
}

// Rules returns the rules of the checks the cases use, by id, as a run
// holds them in Result.Rules: the checks' own, so that a report's grouping
// is tested against the tags the checks really carry.
func Rules() map[string]scanner.Rule {
	out := map[string]scanner.Rule{}
	var all []scanner.Rule
	all = append(all, osv.Rules()...)
	all = append(all, tamper.Check{}.Rules()...)
	all = append(all, confusion.Check{}.Rules()...)
	all = append(all, unreadable.Check{}.Rules()...)
	for _, r := range secrets.Builtin() {
		all = append(all, secrets.ReportRule(r))
	}
	all = append(all, policyChanged, installScript)
	for _, r := range all {
		out[r.ID] = r
	}
	return out
}

// policyChanged is pipeline's policy-changed rule (unexported there), with
// the same id and tags.
var policyChanged = scanner.Rule{
	ID: "policy-changed", Name: "PolicyChanged", Short: "The change edits the policy that judges it",
	Help:     "Review the policy change with the same care as code: each weakening named in the message lets something through once merged.",
	Severity: scanner.SeverityHigh, Tags: []string{"security", "policy"},
}

// installScript stands for a rule of a check no kind names (a content check
// yet to be built): it is reported under "other".
var installScript = scanner.Rule{
	ID: "install-script-added", Name: "InstallScriptAdded", Short: "A new version adds an install script.",
	Help:     "Read the install script before merging. It runs with the installing user's rights on every npm install.",
	Severity: scanner.SeverityMedium, Tags: []string{"supply-chain", "content"},
}

func result(mode scanner.Mode, findings ...scanner.Finding) *scanner.Result {
	for i := range findings {
		if findings[i].Fingerprint == "" {
			f := &findings[i]
			f.Fingerprint = scanner.Fingerprint(f.RuleID, f.Path, f.Package, fmt.Sprint(f.IDs))
		}
	}
	scanner.SortFindings(findings)
	return &scanner.Result{
		Mode: mode, Lockfiles: 3, Packages: 412, Findings: findings,
		Skipped: []scanner.Skipped{}, Rules: Rules(),
	}
}

func lines(path string, ls ...int) []scanner.Location {
	out := make([]scanner.Location, len(ls))
	for i, l := range ls {
		out[i] = scanner.Location{Path: path, Line: l}
	}
	return out
}

// notBuilt is how the pipeline lists the checks a version does not have.
var notBuilt = []scanner.Disabled{
	{Check: "typosquat", Reason: "not built in this version"},
	{Check: "registry", Reason: "not built in this version"},
	{Check: "repojack", Reason: "not built in this version"},
	{Check: "content", Reason: "not built in this version"},
}

// Passed is a pull request that adds nothing risky.
func Passed() Case {
	r := result(scanner.ModePullRequest)
	r.Source = "git"
	r.Disabled = notBuilt
	return Case{Name: "passed", Result: r, Outcome: scanner.OutcomePassed, FailOn: scanner.SeverityHigh}
}

// Failed is a pull request with a finding of every kind: a malicious
// package installed at two places, two vulnerable ones (one installed at
// three places), a package re-hashed and re-hosted (two rules, one row), a
// dependency-confusion package, two secrets (one from a commit of the pull
// request since removed), a weakened policy, an unreadable lockfile (a
// finding, an inventory error and a skipped entry, said once) and a finding
// of a kind no group names.
func Failed() Case {
	const web, api = "web/package-lock.json", "api/requirements.txt"
	r := result(scanner.ModePullRequest,
		scanner.Finding{
			RuleID: osv.RuleMalicious, Severity: scanner.SeverityCritical, Path: web, Line: 20, Package: "pkg:npm/evil-helper@2.0.0",
			Message:   "npm package evil-helper 2.0.0 is a known malicious package: MAL-2024-1234. Remove it and treat machines that installed it as compromised (rotate reachable secrets).",
			Evidence:  "MAL-2024-1234",
			IDs:       []string{"MAL-2024-1234"},
			Locations: lines(web, 88),
		},
		scanner.Finding{
			RuleID: osv.RuleVulnerable, Severity: scanner.SeverityHigh, Path: web, Line: 28, Package: "pkg:npm/lodash@4.17.20",
			Message:   "npm package lodash 4.17.20 is affected by vulnerability GHSA-35jh-r3h4-6jhm (CVE-2021-23337): Command Injection in lodash. Fixed in 4.17.21: upgrade to 4.17.21 or later.",
			Evidence:  "CVSS:3.1/AV:N/AC:L/PR:H/UI:N/S:U/C:H/I:H/A:H",
			IDs:       []string{"GHSA-35jh-r3h4-6jhm", "CVE-2021-23337"},
			Locations: lines(web, 140, 301),
		},
		scanner.Finding{
			RuleID: osv.RuleVulnerable, Severity: scanner.SeverityMedium, Path: api, Line: 3, Package: "pkg:pypi/requests@2.19.0",
			Message: "PyPI package requests 2.19.0 is affected by vulnerability GHSA-x84v-xcm2-53pg (PYSEC-2018-28, CVE-2018-18074): Insufficiently Protected Credentials in Requests. Fixed in 2.20.0: upgrade to 2.20.0 or later.",
			IDs:     []string{"GHSA-x84v-xcm2-53pg", "PYSEC-2018-28", "CVE-2018-18074"},
		},
		scanner.Finding{
			RuleID: tamper.RuleIntegrityChanged, Severity: scanner.SeverityHigh, Path: web, Line: 50, Package: "pkg:npm/left-pad@1.3.0",
			Message:  "npm left-pad 1.3.0: the integrity hash changed from sha512-Hx0h…(88) to sha512-9Qy1…(88) while the version stayed the same; the artifact differs from the one locked before.",
			Evidence: "sha512-Hx0h…(88) -> sha512-9Qy1…(88)",
		},
		scanner.Finding{
			RuleID: tamper.RuleHostChanged, Severity: scanner.SeverityHigh, Path: web, Line: 50, Package: "pkg:npm/left-pad@1.3.0",
			Message:  "npm left-pad 1.3.0 is now downloaded from npm.evil.example instead of registry.npmjs.org.",
			Evidence: "registry.npmjs.org -> npm.evil.example",
		},
		scanner.Finding{
			RuleID: confusion.RuleDependencyConfusion, Severity: scanner.SeverityCritical, Path: web, Line: 70, Package: "pkg:npm/%40acme/billing@9.9.9",
			Message:  "npm package @acme/billing 9.9.9 is in an internal scope (@acme), yet the lockfile downloads it from the public registry registry.npmjs.org: a public package with an internal name was installed (dependency confusion).",
			Evidence: "registry.npmjs.org",
		},
		scanner.Finding{
			RuleID: "secret/github-pat", Severity: scanner.SeverityHigh, Path: "src/config.js", Line: 3,
			Message:  "GitHub personal access token (classic) found (ghp_…(40 chars)): revoke it, then load it from a secret store.",
			Evidence: "ghp_…(40 chars)", Commit: "4f2a9c1e0b7d3a5f6e8c9b0a1d2e3f4a5b6c7d8e",
		},
		scanner.Finding{
			RuleID: "secret/aws-access-key-id", Severity: scanner.SeverityHigh, Path: "deploy/.env", Line: 1,
			Message:  "AWS access key id found (AKIA…(20 chars)): revoke it, then load it from a secret store.",
			Evidence: "AKIA…(20 chars)",
		},
		scanner.Finding{
			RuleID: "policy-changed", Severity: scanner.SeverityHigh, Path: ".github/tollgate.yml", Line: 2,
			Message:  "This change weakens the policy that judges it (.github/tollgate.yml): fail-on raised from high to none. This scan applied the base revision's policy; the change takes effect once merged.",
			Evidence: "fail-on raised from high to none",
		},
		scanner.Finding{
			RuleID: unreadable.RuleUnreadableLockfile, Severity: scanner.SeverityMedium, Path: "broken/package-lock.json", Line: 4,
			Message: "broken/package-lock.json could not be parsed, so its packages were not checked: parse broken/package-lock.json:4: expected a string key, found 'b'",
		},
		scanner.Finding{
			RuleID: "install-script-added", Severity: scanner.SeverityMedium, Path: web, Line: 96, Package: "pkg:npm/color-string@1.9.2",
			Message: "npm package color-string 1.9.2 adds a postinstall script (node ./setup.js).",
		},
	)
	r.Source = "git"
	r.Skipped = []scanner.Skipped{{Check: "unreadable", Reason: "1 lockfile(s) could not be read, so their packages were not checked: broken/package-lock.json"}}
	r.Errors = []*lockfiles.FileError{{Path: "broken/package-lock.json", Parser: "npm", Err: errors.New("parse broken/package-lock.json:4: expected a string key, found 'b'")}}
	r.Disabled = notBuilt
	// Run with fail-on-skipped: false, so that the unreadable lockfile
	// leaves the verdict failed rather than incomplete.
	return Case{Name: "failed", Result: r, Outcome: scanner.OutcomeFailed, FailOn: scanner.SeverityHigh}
}

// Incomplete is a pull request whose OSV lookup failed on the network: a
// secret is still reported, and the verdict is incomplete, not all clear.
func Incomplete() Case {
	r := result(scanner.ModePullRequest, scanner.Finding{
		RuleID: "secret/github-pat", Severity: scanner.SeverityHigh, Path: "src/config.js", Line: 3,
		Message:  "GitHub personal access token (classic) found (ghp_…(40 chars)): revoke it, then load it from a secret store.",
		Evidence: "ghp_…(40 chars)",
	})
	r.Source = "github-api"
	r.Skipped = []scanner.Skipped{{Check: "osv", Reason: `OSV lookup failed, 12 packages not checked: Post "https://api.osv.dev/v1/querybatch": dial tcp: lookup api.osv.dev: no such host`}}
	return Case{Name: "incomplete", Result: r, Outcome: scanner.OutcomeIncomplete, FailOn: scanner.SeverityHigh,
		Incomplete: "fail-on-skipped: 1 check(s) did not run: osv"}
}

// IncompleteClean is the same outage with nothing found in what did run.
func IncompleteClean() Case {
	c := Incomplete()
	c.Name = "incomplete-clean"
	c.Result.Findings = []scanner.Finding{}
	return c
}

// TurnedOff is a sweep with checks turned off in the config and offline by
// choice: listed, not a fault; the low finding is below fail-on.
func TurnedOff() Case {
	r := result(scanner.ModeSweep, scanner.Finding{
		RuleID: osv.RuleVulnerable, Severity: scanner.SeverityLow, Path: "go.mod", Line: 7, Package: "pkg:golang/golang.org/x/net@v0.17.0",
		Message: "Go package golang.org/x/net v0.17.0 is affected by vulnerability GO-2024-2687 (GHSA-4v7x-pqxf-cx7m, CVE-2023-45288): HTTP/2 CONTINUATION flood in net/http. Fixed in 0.23.0: upgrade to 0.23.0 or later.",
		IDs:     []string{"GO-2024-2687", "GHSA-4v7x-pqxf-cx7m", "CVE-2023-45288"},
	})
	r.Disabled = append([]scanner.Disabled{
		{Check: "secrets", Reason: "turned off in the config (checks: secrets: false)"},
		{Check: "confusion", Reason: "no internal package names configured (internal: scopes, prefixes, names)"},
	}, notBuilt...)
	r.Notes = []string{"ignore GHSA-xxxx-yyyy-zzzz (reason: not reachable) matches no finding: remove it from the config."}
	return Case{Name: "turned-off", Result: r, Outcome: scanner.OutcomePassed, FailOn: scanner.SeverityHigh}
}

// Hostile holds names, paths and messages written to break out of a
// table, a code span or a log line: pipes, backticks, newlines, HTML,
// links, mentions, terminal escapes.
func Hostile() Case {
	const path = "x|y/`pkg`)(<b>/package-lock.json"
	r := result(scanner.ModePullRequest,
		scanner.Finding{
			RuleID: osv.RuleMalicious, Severity: scanner.SeverityCritical, Path: path, Line: 9,
			Package: "pkg:npm/%60evil%7C%3Cimg%20src%3Dx%20onerror%3Dalert(1)%3E%40octocat@1.0.0%7C%5Bx%5D(https%3A%2F%2Fevil.example)",
			Message: "npm package `evil|<img src=x onerror=alert(1)>@octocat 1.0.0|[x](https://evil.example) is malicious\n| forged | row |\x1b[31mred",
			IDs:     []string{"MAL-1](javascript:alert(1))"},
		},
		scanner.Finding{
			RuleID: "secret/github-pat", Severity: scanner.SeverityHigh, Path: "docs/@octocat\n::error::forged.md", Line: 2,
			Message: "GitHub personal access token (classic) found (ghp_…(40 chars)): revoke it.", Evidence: "ghp_…(40 chars)|`x`",
			Commit: "deadbeef](https://evil.example)",
		},
	)
	return Case{Name: "hostile", Result: r, Outcome: scanner.OutcomeFailed, FailOn: scanner.SeverityHigh}
}

// Large is a sweep of a monorepo: hundreds of vulnerable packages in two
// lockfiles (one installed at thirty places) and dozens of secrets, more
// than a comment can hold.
func Large() Case {
	var fs []scanner.Finding
	for i := range 320 {
		path := "services/web/package-lock.json"
		if i%8 == 7 {
			path = "services/admin/package-lock.json"
		}
		sev := []string{scanner.SeverityCritical, scanner.SeverityHigh, scanner.SeverityMedium, scanner.SeverityLow}[i%4]
		f := scanner.Finding{
			RuleID: osv.RuleVulnerable, Severity: sev, Path: path, Line: 100 + 10*i,
			Package: fmt.Sprintf("pkg:npm/package-%03d@1.%d.0", i, i%7),
			Message: fmt.Sprintf("npm package package-%03d 1.%d.0 is affected by vulnerability GHSA-%04d-aaaa-bbbb (CVE-2024-%05d): Prototype pollution in package-%03d. Fixed in 1.%d.1: upgrade to 1.%d.1 or later.", i, i%7, i, 10000+i, i, i%7, i%7),
			IDs:     []string{fmt.Sprintf("GHSA-%04d-aaaa-bbbb", i), fmt.Sprintf("CVE-2024-%05d", 10000+i)},
		}
		if i == 1 {
			for l := range 30 {
				f.Locations = append(f.Locations, scanner.Location{Path: path, Line: 5000 + 7*l})
			}
		}
		fs = append(fs, f)
	}
	for i := range 40 {
		fs = append(fs, scanner.Finding{
			RuleID: "secret/aws-access-key-id", Severity: scanner.SeverityHigh, Path: fmt.Sprintf("config/env-%02d.sh", i), Line: 1 + i,
			Message: "AWS access key id found (AKIA…(20 chars)): revoke it, then load it from a secret store.", Evidence: "AKIA…(20 chars)",
		})
	}
	r := result(scanner.ModeSweep, fs...)
	r.Lockfiles, r.Packages = 2, 35412
	return Case{Name: "large", Result: r, Outcome: scanner.OutcomeFailed, FailOn: scanner.SeverityHigh}
}

// Cases are every case, in golden-file order.
func Cases() []Case {
	return []Case{Passed(), Failed(), Incomplete(), IncompleteClean(), TurnedOff(), Hostile(), Large()}
}
