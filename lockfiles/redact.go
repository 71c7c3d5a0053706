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
// that is not a plain account name, and so is the value of a query or
// fragment parameter named like a credential (token=, access_token=,
// X-Amz-Signature=, ...; signed download URLs carry them). Inventories and
// reports print Resolved, and a secret must never be printed. Other strings
// are returned as they are (a yarn "#<sha1>" fragment is a hash, not a
// secret).
func RedactURL(s string) string {
	s = redactParams(s)
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

// credentialParams are query and fragment parameter names (lower case) whose
// values are credentials.
var credentialParams = map[string]bool{
	"token": true, "access_token": true, "auth": true, "auth_token": true, "authtoken": true,
	"key": true, "apikey": true, "api_key": true, "api-key": true, "password": true, "pass": true,
	"secret": true, "client_secret": true, "sig": true, "signature": true, "private_token": true,
	"x-amz-signature": true, "x-amz-credential": true, "x-amz-security-token": true,
	"x-goog-signature": true, "x-goog-credential": true, "jwt": true, "code": true, "sas": true,
}

// redactParams replaces the values of credential parameters in the query
// and the fragment of a URL, keeping the rest byte for byte.
func redactParams(s string) string {
	q := strings.IndexAny(s, "?#")
	if q < 0 || !strings.Contains(s[:q], "://") {
		return s
	}
	var b strings.Builder
	b.WriteString(s[:q])
	rest := s[q:]
	for len(rest) > 0 {
		// rest starts with a separator: ?, # or &.
		b.WriteByte(rest[0])
		rest = rest[1:]
		end := strings.IndexAny(rest, "&#")
		if end < 0 {
			end = len(rest)
		}
		param := rest[:end]
		rest = rest[end:]
		name, _, hasValue := strings.Cut(param, "=")
		if n, err := url.QueryUnescape(name); err == nil && hasValue && credentialParams[strings.ToLower(n)] {
			param = name + "=" + redactedUser
		}
		b.WriteString(param)
	}
	return b.String()
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
