package httpx

import (
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync"
	"testing"
)

// redirector is a RoundTripper standing in for the network: the first URL
// answers 302 to the second, which records the headers it receives. No
// socket is opened, so any host name and port can be tried.
type redirector struct {
	from, to string
	mu       sync.Mutex
	got      http.Header
}

func (r *redirector) RoundTrip(req *http.Request) (*http.Response, error) {
	resp := &http.Response{StatusCode: http.StatusOK, Header: http.Header{}, Body: io.NopCloser(strings.NewReader("")), Request: req}
	switch req.URL.String() {
	case r.from:
		resp.StatusCode = http.StatusFound
		resp.Header.Set("Location", r.to)
	case r.to:
		r.mu.Lock()
		r.got = req.Header.Clone()
		r.mu.Unlock()
	default:
		resp.StatusCode = http.StatusNotFound
	}
	return resp, nil
}

// authAdder sets a credential on every request, as go-github's
// WithAuthToken does in a RoundTripper of its own.
type authAdder struct{ next http.RoundTripper }

func (a authAdder) RoundTrip(req *http.Request) (*http.Response, error) {
	req = req.Clone(req.Context())
	req.Header.Set("Authorization", "Bearer from-roundtripper")
	return a.next.RoundTrip(req)
}

var credentialHeaders = []string{"Authorization", "Proxy-Authorization", "Cookie", "X-Api-Key", "X-Auth-Token", "Private-Token", "X-Custom-Token"}

func TestNoCredentialsAcrossOrigins(t *testing.T) {
	for _, tc := range []struct {
		name     string
		from, to string
		keep     bool
	}{
		{"same origin, other path", "https://api.example.com/a", "https://api.example.com/b", true},
		{"explicit default port", "https://api.example.com/a", "https://api.example.com:443/b", true},
		{"http to https on the same host", "http://api.example.com/a", "https://api.example.com/b", true},
		{"https to http on the same host", "https://api.example.com/a", "http://api.example.com/b", false},
		{"http to https on another port", "http://api.example.com:8080/a", "https://api.example.com/b", false},
		{"subdomain", "https://example.com/a", "https://evil.example.com/b", false},
		{"sub-subdomain of the API host", "https://api.example.com/a", "https://x.api.example.com/b", false},
		{"parent domain", "https://api.example.com/a", "https://example.com/b", false},
		{"port change", "https://api.example.com/a", "https://api.example.com:8443/b", false},
		{"port change on loopback", "http://127.0.0.1:8080/a", "http://127.0.0.1:8081/b", false},
		{"another host", "https://api.example.com/a", "https://attacker.test/b", false},
		{"look-alike host", "https://api.example.com/a", "https://api.example.com.attacker.test/b", false},
		{"IP instead of name", "https://api.example.com/a", "https://192.0.2.1/b", false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			for _, face := range []string{"headers set on the request (Do)", "credential set by a RoundTripper (HTTPClient)"} {
				rd := &redirector{from: tc.from, to: tc.to}
				c := New(Options{HTTPClient: &http.Client{Transport: rd}, CredentialHeaders: []string{"x-custom-token"}})
				req, _ := http.NewRequest(http.MethodGet, tc.from, nil)
				req.Header.Set("X-Trace", "kept")
				var resp *http.Response
				var err error
				if strings.HasPrefix(face, "headers") {
					for _, h := range credentialHeaders {
						req.Header.Set(h, "secret-"+h)
					}
					resp, err = c.Do(req)
				} else {
					hc := c.HTTPClient()
					hc.Transport = authAdder{hc.Transport}
					resp, err = hc.Do(req)
				}
				if err != nil {
					t.Fatalf("%s: %v", face, err)
				}
				resp.Body.Close()
				if rd.got == nil {
					t.Fatalf("%s: the redirect was not followed", face)
				}
				if rd.got.Get("X-Trace") != "kept" {
					t.Errorf("%s: an ordinary header was dropped", face)
				}
				for _, h := range credentialHeaders {
					if strings.HasPrefix(face, "credential") && h != "Authorization" {
						continue
					}
					if has := rd.got.Get(h) != ""; has != tc.keep {
						t.Errorf("%s: %s sent to %s: %v, want %v", face, h, tc.to, has, tc.keep)
					}
				}
			}
		})
	}
}

// The same across two real listeners: another port is another origin.
func TestNoCredentialsToAnotherServer(t *testing.T) {
	var got http.Header
	other := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		got = r.Header.Clone()
	}))
	defer other.Close()
	var sameGot string
	origin := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch r.URL.Path {
		case "/away":
			http.Redirect(w, r, other.URL+"/landed", http.StatusFound)
		case "/moved":
			http.Redirect(w, r, "/here", http.StatusMovedPermanently)
		case "/here":
			sameGot = r.Header.Get("Authorization")
		}
	}))
	defer origin.Close()
	c := New(Options{})
	for _, path := range []string{"/away", "/moved"} {
		req, _ := http.NewRequest(http.MethodGet, origin.URL+path, nil)
		req.Header.Set("Authorization", "Bearer t0ken")
		req.Header.Set("Cookie", "session=s3cret")
		resp, err := c.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
	}
	if got == nil || got.Get("Authorization") != "" || got.Get("Cookie") != "" {
		t.Errorf("the other server got %v", got)
	}
	if sameGot != "Bearer t0ken" {
		t.Errorf("a same-origin redirect lost the credential: %q", sameGot)
	}
}

func TestCredentialsMayFollow(t *testing.T) {
	parse := func(s string) *url.URL { u, _ := url.Parse(s); return u }
	if credentialsMayFollow(nil, parse("https://a")) || credentialsMayFollow(parse("https://a"), nil) {
		t.Error("a missing URL is trusted")
	}
	if !credentialsMayFollow(parse("https://a.example./x"), parse("https://a.example/y")) {
		t.Error("a trailing dot makes another origin")
	}
	// (net/http itself drops Authorization and Cookie here; this layer would not.)
	if !credentialsMayFollow(parse("https://api.example.com/x"), parse("HTTPS://API.Example.com/y")) {
		t.Error("letter case makes another origin")
	}
	if credentialsMayFollow(parse("file:///etc/passwd"), parse("file:///etc/shadow")) {
		t.Error("hostless URLs are one origin")
	}
}
