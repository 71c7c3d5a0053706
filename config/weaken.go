package config

import (
	"fmt"
	"maps"
	"net/url"
	"slices"
	"sort"
	"strings"

	"github.com/tollgate-dev/tollgate/scanner"
)

// Weakenings lists, one phrase each, what head changes in base that lets
// more through: fail-on raised, fail-on-skipped turned off, checks turned
// off, budgets shortened, ignores, allowlists and excludes added, sources
// (OSV, GitHub API, registries) redirected, registries or internal names
// loosened. An empty list means the change only tightens or keeps the policy.
func Weakenings(base, head *Config) []string {
	var out []string
	add := func(format string, args ...any) { out = append(out, fmt.Sprintf(format, args...)) }
	rank := func(failOn string) int {
		if failOn == scanner.FailOnNone {
			return 5
		}
		return scanner.SeverityRank(failOn)
	}
	// A higher threshold fails on fewer findings: critical (4) and none (5)
	// let more through than high (3).
	if rank(head.FailOn) > rank(base.FailOn) {
		add("fail-on raised from %s to %s", base.FailOn, head.FailOn)
	}
	if base.FailOnSkipped && !head.FailOnSkipped {
		add("fail-on-skipped turned off")
	}
	ids := slices.Sorted(maps.Keys(mergeKeys(base.Checks, head.Checks)))
	var off []string
	for _, id := range ids {
		if base.Enabled(id) && !head.Enabled(id) {
			off = append(off, id)
		}
	}
	if len(off) > 0 {
		add("checks turned off: %s", strings.Join(off, ", "))
	}
	for _, id := range slices.Sorted(maps.Keys(head.budgets)) {
		if b, h := base.budgets[id], head.budgets[id]; b == 0 || h < b {
			add("budget of %s shortened to %s", id, h)
		}
	}
	if n := added(ignoreKeys(base.Ignore), ignoreKeys(head.Ignore)); len(n) > 0 {
		add("ignores added or changed: %s", strings.Join(n, "; "))
	}
	for _, l := range []struct {
		name       string
		base, head []string
	}{
		{"allow.paths", base.Allow.Paths, head.Allow.Paths},
		{"allow.secrets", base.Allow.Secrets, head.Allow.Secrets},
		{"allow.patterns", base.Allow.Patterns, head.Allow.Patterns},
		{"exclude", base.Exclude, head.Exclude},
	} {
		if n := added(l.base, l.head); len(n) > 0 {
			add("%s added: %s", l.name, strings.Join(quoteAll(n), ", "))
		}
	}
	if base.OSV.DB != head.OSV.DB {
		add("osv.db changed to %q", head.OSV.DB)
	}
	if base.OSV.URL != head.OSV.URL {
		add("osv.url changed to %q", redactURL(head.OSV.URL))
	}
	if base.Cooldown != head.Cooldown {
		add("cooldown changed from %q to %q", base.Cooldown, head.Cooldown)
	}
	if base.Typosquat.Snapshot != head.Typosquat.Snapshot {
		add("typosquat.snapshot changed to %q", redactURL(head.Typosquat.Snapshot))
	}
	if base.GitHub.API != head.GitHub.API {
		add("github.api changed to %q", redactURL(head.GitHub.API))
	}
	for _, name := range slices.Sorted(maps.Keys(mergeKeys(base.Registries, head.Registries))) {
		if base.Registries[name] != head.Registries[name] {
			add("registries.%s changed to %q", name, redactURL(head.Registries[name]))
		}
	}
	for _, name := range slices.Sorted(maps.Keys(mergeKeys(base.RegistryAuth, head.RegistryAuth))) {
		// Which variable's credential goes to which registry is policy: a
		// change could send another secret of the runner to a registry.
		if b, h := base.RegistryAuth[name], head.RegistryAuth[name]; b != h {
			add("registry-auth.%s changed to %s", name, authVars(h))
		}
	}
	switch {
	case len(base.AllowedRegistries) > 0 && len(head.AllowedRegistries) == 0:
		add("allowed-registries removed (any host allowed)")
	case len(base.AllowedRegistries) > 0:
		if n := added(base.AllowedRegistries, head.AllowedRegistries); len(n) > 0 {
			add("allowed-registries added: %s", strings.Join(quoteAll(n), ", "))
		}
	}
	for _, l := range []struct {
		name       string
		base, head []string
	}{
		{"internal.scopes", base.Internal.Scopes, head.Internal.Scopes},
		{"internal.prefixes", base.Internal.Prefixes, head.Internal.Prefixes},
		{"internal.names", base.Internal.Names, head.Internal.Names},
	} {
		if n := added(l.head, l.base); len(n) > 0 {
			add("%s removed: %s", l.name, strings.Join(quoteAll(n), ", "))
		}
	}
	for _, name := range slices.Sorted(maps.Keys(mergeKeys(base.Thresholds, head.Thresholds))) {
		if b, h := base.Thresholds[name], head.Thresholds[name]; b != h {
			add("thresholds.%s changed from %v to %v", name, b, h)
		}
	}
	return out
}

func mergeKeys[V any](a, b map[string]V) map[string]bool {
	out := map[string]bool{}
	for k := range a {
		out[k] = true
	}
	for k := range b {
		out[k] = true
	}
	return out
}

// added returns the entries of head that base lacks, in head's order.
func added(base, head []string) []string {
	have := map[string]bool{}
	for _, s := range base {
		have[s] = true
	}
	var out []string
	for _, s := range head {
		if !have[s] {
			have[s] = true
			out = append(out, s)
		}
	}
	return out
}

// ignoreKeys describes each ignore with its scope and expiry, so that a
// widened or extended ignore reads as a new one.
func ignoreKeys(igs []Ignore) []string {
	out := make([]string, 0, len(igs))
	for _, ig := range igs {
		out = append(out, ig.Describe()+" until "+ig.Until)
	}
	sort.Strings(out)
	return out
}

func quoteAll(list []string) []string {
	out := make([]string, len(list))
	for i, s := range list {
		out[i] = fmt.Sprintf("%q", s)
	}
	return out
}

// redactURL hides what a URL may carry as credentials (user information, a
// query, a fragment) before it is echoed in a message.
func redactURL(s string) string {
	u, err := url.Parse(s)
	if err != nil {
		return "(unparsable URL)"
	}
	if u.User != nil {
		u.User = url.User("REDACTED")
	}
	if u.RawQuery != "" {
		u.RawQuery = "REDACTED"
	}
	if u.Fragment != "" {
		u.Fragment = "REDACTED"
	}
	return u.String()
}

// authVars names the variables of a registry-auth entry.
func authVars(a RegistryAuth) string {
	switch {
	case a.TokenEnv != "":
		return "token-env " + a.TokenEnv
	case a.UsernameEnv != "" || a.PasswordEnv != "":
		return "username-env " + a.UsernameEnv + ", password-env " + a.PasswordEnv
	}
	return "none"
}
