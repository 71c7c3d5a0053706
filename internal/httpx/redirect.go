package httpx

import (
	"net/http"
	"net/url"
	"strings"
)

// maxRedirectChain bounds the walk back to a chain's first request (net/http
// stops after 10 redirects; a caller's CheckRedirect may allow more).
const maxRedirectChain = 100

// dropCrossOriginCredentials removes credential headers from a redirect hop
// whose origin is not the one of the chain's first request. Done here, in
// the transport, rather than in CheckRedirect, because a RoundTripper above
// this one (go-github's WithAuthToken) sets Authorization on every hop, and
// because net/http itself keeps Authorization for a subdomain or another
// port of the same host.
func (c *Client) dropCrossOriginCredentials(out *http.Request) {
	if out.Response == nil {
		return // not a redirect hop
	}
	// The chain's first request; a chain that cannot be walked to its start
	// (too long, or a hop whose response names no request) counts as foreign.
	first := out
	for i := 0; first.Response != nil && first.Response.Request != nil && i < maxRedirectChain; i++ {
		first = first.Response.Request
	}
	if first.Response == nil && credentialsMayFollow(first.URL, out.URL) {
		return
	}
	for _, h := range c.credHeaders {
		out.Header.Del(h)
	}
}

// credentialsMayFollow reports whether credentials meant for from may be
// sent to to: the same origin (scheme, host and port), or the upgrade of
// http to https on the same host with both default ports. A subdomain, a
// parent domain, another port and https to http are other origins.
func credentialsMayFollow(from, to *url.URL) bool {
	if from == nil || to == nil {
		return false
	}
	fs, ts := strings.ToLower(from.Scheme), strings.ToLower(to.Scheme)
	fh, th := canonicalHost(from.Hostname()), canonicalHost(to.Hostname())
	if fh == "" || fh != th {
		return false
	}
	fp, tp := effectivePort(fs, from.Port()), effectivePort(ts, to.Port())
	if fs == ts {
		return fp == tp
	}
	return fs == "http" && ts == "https" && fp == "80" && tp == "443"
}

func canonicalHost(h string) string {
	return strings.TrimSuffix(strings.ToLower(h), ".")
}

func effectivePort(scheme, port string) string {
	if port != "" {
		return port
	}
	switch scheme {
	case "http":
		return "80"
	case "https":
		return "443"
	}
	return ""
}
