package httpx

import (
	"net/http"
	"net/url"
	"regexp"
	"sort"
	"strings"
	"time"
)

// Redacted replaces a credential in URLs and messages.
const Redacted = "REDACTED"

// Error is what Do returns when no usable response came. Its URL and message
// hold no credentials: URL userinfo and credential query parameters are
// replaced, and no header value (Authorization or any credential header)
// appears. It unwraps only to a sentinel (ErrWaitTooLong, ErrTimeout,
// context.Canceled, context.DeadlineExceeded), never to the raw cause, whose
// message could hold what was redacted.
type Error struct {
	Method string
	// URL is the request URL, redacted.
	URL string
	// Status is the last HTTP status seen (0: none came).
	Status int
	// Attempts is how many attempts were made.
	Attempts int
	// Wait is the wait the server demanded, for ErrWaitTooLong.
	Wait time.Duration

	msg     string
	kind    error
	timeout bool
}

// Error names the request and what went wrong.
func (e *Error) Error() string { return e.Method + " " + e.URL + ": " + e.msg }

// Unwrap returns the sentinel the error is an instance of, or nil.
func (e *Error) Unwrap() error { return e.kind }

// Timeout reports whether the request ran out of time (net.Error).
func (e *Error) Timeout() bool { return e.timeout }

// sensitiveParam reports whether a query parameter name carries a credential.
func sensitiveParam(name string) bool {
	n := strings.ToLower(name)
	switch n {
	case "key", "sig", "code", "pwd", "session", "jwt", "auth":
		return true
	}
	for _, part := range []string{"token", "secret", "passw", "signature", "credential", "apikey", "api_key", "api-key", "access_key", "accesskey", "private_key", "auth_"} {
		if strings.Contains(n, part) {
			return true
		}
	}
	return false
}

// RedactURL returns raw with its userinfo and the values of credential query
// parameters (token, access_token, key, api_key, signature, X-Amz-Signature,
// client_secret, password, …) and fragment parameters replaced by REDACTED.
// A string that does not parse as a URL is redacted as text.
func RedactURL(raw string) string {
	u, err := url.Parse(raw)
	if err != nil {
		return redactURLText(raw)
	}
	if u.User != nil {
		u.User = url.User(Redacted)
	}
	u.RawQuery = redactParams(u.RawQuery)
	if strings.Contains(u.Fragment, "=") {
		// OAuth's implicit flow puts access_token in the fragment.
		u.RawFragment = redactParams(u.EscapedFragment())
		u.Fragment, _ = url.PathUnescape(u.RawFragment)
	}
	return u.String()
}

// redactParams redacts the values of credential parameters in a query
// string, keeping the order and the encoding of everything else.
func redactParams(q string) string {
	if q == "" {
		return q
	}
	parts := strings.Split(q, "&")
	for i, p := range parts {
		name, _, hasValue := strings.Cut(p, "=")
		unescaped, err := url.QueryUnescape(name)
		if err != nil {
			unescaped = name
		}
		if hasValue && sensitiveParam(unescaped) {
			parts[i] = name + "=" + Redacted
		}
	}
	return strings.Join(parts, "&")
}

var (
	urlInText = regexp.MustCompile(`(?i)\b[a-z][a-z0-9+.-]{1,15}://[^\s"'<>` + "`" + `]+`)
	// authInText finds an Authorization value written out ("Bearer abc…").
	authInText = regexp.MustCompile(`(?i)\b(bearer|token|basic)(\s+)[A-Za-z0-9._~+/=-]{16,}`)
)

// RedactText redacts every URL in s (as RedactURL) and any Authorization
// value written out in it ("Bearer …", "token …", "Basic …").
func RedactText(s string) string {
	s = urlInText.ReplaceAllStringFunc(s, func(u string) string {
		// Trailing punctuation belongs to the sentence, not the URL.
		trimmed := strings.TrimRight(u, ".,;:)]}")
		return RedactURL(trimmed) + u[len(trimmed):]
	})
	return authInText.ReplaceAllString(s, "${1}${2}"+Redacted)
}

// redactURLText handles a URL that does not parse: userinfo up to the host
// and credential parameters are cut textually.
func redactURLText(raw string) string {
	if i := strings.Index(raw, "://"); i >= 0 {
		rest := raw[i+3:]
		end := strings.IndexAny(rest, "/?#")
		if end < 0 {
			end = len(rest)
		}
		if at := strings.LastIndex(rest[:end], "@"); at >= 0 {
			raw = raw[:i+3] + Redacted + rest[at:]
		}
	}
	if q := strings.IndexByte(raw, '?'); q >= 0 {
		raw = raw[:q+1] + redactParams(raw[q+1:])
	}
	return raw
}

// minSecret is the shortest value scrub replaces: shorter ones would match
// ordinary text, and no real credential is that short.
const minSecret = 4

// secretsOf lists the credentials req carries: credential header values
// (whole, and the part after an auth scheme), URL userinfo and credential
// query values. Longest first, so that a value is replaced before its parts.
func (c *Client) secretsOf(req *http.Request) []string {
	var out []string
	add := func(s string) {
		if len(s) >= minSecret {
			out = append(out, s)
		}
	}
	for _, h := range c.credHeaders {
		for _, v := range req.Header.Values(h) {
			add(v)
			if _, cred, ok := strings.Cut(v, " "); ok {
				add(strings.TrimSpace(cred))
			}
		}
	}
	if req.URL != nil {
		if u := req.URL.User; u != nil {
			add(u.String())
			add(u.Username())
			if p, ok := u.Password(); ok {
				add(p)
				add(url.QueryEscape(p))
			}
		}
		for name, values := range req.URL.Query() {
			if sensitiveParam(name) {
				for _, v := range values {
					add(v)
					add(url.QueryEscape(v))
				}
			}
		}
	}
	sort.Slice(out, func(i, j int) bool { return len(out[i]) > len(out[j]) })
	return out
}

// scrub removes req's credentials and any URL credentials from msg.
func (c *Client) scrub(req *http.Request, msg string) string {
	for _, s := range c.secretsOf(req) {
		msg = strings.ReplaceAll(msg, s, Redacted)
	}
	return RedactText(msg)
}
