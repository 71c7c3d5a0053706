package lockfiles

import (
	"net/url"
	"strings"

	"github.com/package-url/packageurl-go"
)

// redactedUser replaces credentials found in download URLs.
const redactedUser = "REDACTED"

// RedactURL removes credentials from a download URL as lockfiles write it
// (private registries put tokens in "https://user:token@host/..." or use the
// token as the user name): the password is replaced, and so is a user name
// that is not a plain account name. Inventories and reports print Resolved,
// and a secret must never be printed. Other strings are returned as they are.
func RedactURL(s string) string {
	at := strings.IndexByte(s, '@')
	if at < 0 || !strings.Contains(s[:at], "://") {
		return s
	}
	// Keep a "git+" or similar prefix out of the URL parser's way.
	prefix, rest := "", s
	if i := strings.Index(s, "://"); i > 0 {
		if j := strings.IndexByte(s[:i], '+'); j >= 0 {
			prefix, rest = s[:j+1], s[j+1:]
		}
	}
	u, err := url.Parse(rest)
	if err != nil || u.User == nil {
		return s
	}
	name := u.User.Username()
	_, hasPassword := u.User.Password()
	switch {
	case hasPassword && plainAccount(name):
		u.User = url.UserPassword(name, redactedUser)
	case hasPassword || !plainAccount(name):
		u.User = url.User(redactedUser)
	default:
		return s
	}
	return prefix + u.String()
}

// plainAccount is true for short user names like "git" or "deploy" that are
// account names, not tokens.
func plainAccount(name string) bool {
	if len(name) == 0 || len(name) > 16 {
		return false
	}
	digits := 0
	for _, c := range name {
		if c >= '0' && c <= '9' {
			digits++
		}
	}
	return digits < 4 && !strings.ContainsAny(name, "_")
}

// redactPURL applies RedactURL to the URL qualifiers of a purl
// (download_url, vcs_url, repository_url).
func redactPURL(s string) string {
	if !strings.Contains(s, "%40") && !strings.Contains(s, "@") {
		return s
	}
	p, err := packageurl.FromString(s)
	if err != nil {
		return s
	}
	changed := false
	for i, q := range p.Qualifiers {
		if r := RedactURL(q.Value); r != q.Value {
			p.Qualifiers[i].Value = r
			changed = true
		}
	}
	if !changed {
		return s
	}
	return p.ToString()
}
