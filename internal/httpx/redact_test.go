package httpx

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"
)

// The secret values below appear in requests; no error may hold any of them.
var secretValues = []string{
	"us3rname", "p4ssw0rd", "tok-123456", "k3y-123456", "at-123456", "ak-123456", "sig-123456", "amz-123456",
	"cs-123456", "ghp_authheadervalue123", "cookie-123456", "xapikey-123456", "custom-123456", "proxy-123456",
}

const secretQuery = "token=tok-123456&key=k3y-123456&access_token=at-123456&api_key=ak-123456&signature=sig-123456&X-Amz-Signature=amz-123456&client_secret=cs-123456&page=2"

func credentialRequest(t *testing.T, ctx context.Context, rawURL string) *http.Request {
	t.Helper()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, rawURL, nil)
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Authorization", "Bearer ghp_authheadervalue123")
	req.Header.Set("Cookie", "session=cookie-123456")
	req.Header.Set("X-Api-Key", "xapikey-123456")
	req.Header.Set("X-Custom-Token", "custom-123456")
	req.Header.Set("Proxy-Authorization", "Basic proxy-123456")
	return req
}

// echoer is a transport whose error repeats everything it was sent, as a
// careless proxy or library might.
type echoer struct{}

func (echoer) RoundTrip(req *http.Request) (*http.Response, error) {
	return nil, fmt.Errorf("refused %s with headers %v", req.URL, req.Header)
}

func TestErrorsAreRedacted(t *testing.T) {
	closed := httptest.NewServer(http.NotFoundHandler())
	closed.Close() // connection refused from here on
	slow := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { <-r.Context().Done() }))
	defer slow.Close()
	busy := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Retry-After", "86400")
		w.WriteHeader(http.StatusTooManyRequests)
	}))
	defer busy.Close()
	hostOf := func(s *httptest.Server) string { return strings.TrimPrefix(s.URL, "http://") }
	clock := newFakeClock()
	base := Options{MaxRetries: 1, Sleep: clock.Sleep, CredentialHeaders: []string{"X-Custom-Token"}}

	tests := []struct {
		name string
		opts Options
		url  string
		ctx  func() (context.Context, context.CancelFunc)
		face string
		want error
	}{
		{name: "connection refused", url: "http://us3rname:p4ssw0rd@" + hostOf(closed) + "/x?" + secretQuery},
		{name: "token as the URL user", url: "http://p4ssw0rd@" + hostOf(closed) + "/x?" + secretQuery},
		{name: "a transport error that echoes the request", opts: Options{HTTPClient: &http.Client{Transport: echoer{}}}, url: "http://us3rname:p4ssw0rd@api.example.com/x?" + secretQuery},
		{name: "the same through HTTPClient", opts: Options{HTTPClient: &http.Client{Transport: echoer{}}}, url: "http://api.example.com/x?" + secretQuery, face: "HTTPClient"},
		{name: "attempt timeout", opts: Options{Timeout: 20 * time.Millisecond}, url: "http://us3rname:p4ssw0rd@" + hostOf(slow) + "/x?" + secretQuery, want: ErrTimeout},
		{name: "wait too long", url: "http://us3rname:p4ssw0rd@" + hostOf(busy) + "/x?" + secretQuery, want: ErrWaitTooLong},
		{name: "cancelled", url: "http://us3rname:p4ssw0rd@" + hostOf(slow) + "/x?" + secretQuery, want: context.DeadlineExceeded,
			ctx: func() (context.Context, context.CancelFunc) {
				return context.WithTimeout(context.Background(), 20*time.Millisecond)
			}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			opts := tt.opts
			opts.MaxRetries, opts.Sleep, opts.CredentialHeaders = base.MaxRetries, base.Sleep, base.CredentialHeaders
			c := New(opts)
			ctx, cancel := context.Background(), context.CancelFunc(func() {})
			if tt.ctx != nil {
				ctx, cancel = tt.ctx()
			}
			defer cancel()
			req := credentialRequest(t, ctx, tt.url)
			var err error
			if tt.face == "HTTPClient" {
				var resp *http.Response
				resp, err = c.HTTPClient().Do(req)
				if err == nil {
					resp.Body.Close()
				}
				// net/http's own url.Error repeats the URL it was given; the
				// layer's part of the message must be clean.
				err = errors.Unwrap(err)
			} else {
				_, err = c.Do(req)
			}
			if err == nil {
				t.Fatal("no error")
			}
			msg := err.Error()
			t.Log(msg)
			for _, s := range secretValues {
				if strings.Contains(msg, s) {
					t.Errorf("error holds %q: %s", s, msg)
				}
			}
			if !strings.Contains(msg, Redacted) && tt.face == "" {
				t.Errorf("nothing marked redacted: %s", msg)
			}
			if tt.face == "" && !strings.Contains(msg, "page=2") {
				t.Errorf("an ordinary parameter was lost: %s", msg)
			}
			if tt.want != nil && !errors.Is(err, tt.want) {
				t.Errorf("error %v, want %v", err, tt.want)
			}
			// Unwrapping never reaches the raw cause.
			for e := errors.Unwrap(err); e != nil; e = errors.Unwrap(e) {
				for _, s := range secretValues {
					if strings.Contains(e.Error(), s) {
						t.Errorf("unwrapped error holds %q: %v", s, e)
					}
				}
			}
		})
	}
}

func TestRedactURL(t *testing.T) {
	for in, want := range map[string]string{
		"https://api.osv.dev/v1/querybatch":                          "https://api.osv.dev/v1/querybatch",
		"https://user:pass@registry.example/pkg":                     "https://REDACTED@registry.example/pkg",
		"https://ghp_abc123@github.com/o/r.git":                      "https://REDACTED@github.com/o/r.git",
		"https://x/p?page=2&token=abc&per_page=100":                  "https://x/p?page=2&token=REDACTED&per_page=100",
		"https://x/p?access_token=a&api_key=b&apikey=c&key=d":        "https://x/p?access_token=REDACTED&api_key=REDACTED&apikey=REDACTED&key=REDACTED",
		"https://s3/b?X-Amz-Signature=s&X-Amz-Credential=c&x=1":      "https://s3/b?X-Amz-Signature=REDACTED&X-Amz-Credential=REDACTED&x=1",
		"https://x/p?signature=s&sig=t&client_secret=u&password=v":   "https://x/p?signature=REDACTED&sig=REDACTED&client_secret=REDACTED&password=REDACTED",
		"https://x/p?private_token=a&refresh_token=b&id_token=c":     "https://x/p?private_token=REDACTED&refresh_token=REDACTED&id_token=REDACTED",
		"https://x/cb#access_token=abc&state=1":                      "https://x/cb#access_token=REDACTED&state=1",
		"https://x/p?Token=abc":                                      "https://x/p?Token=REDACTED",
		"https://x/p?flag":                                           "https://x/p?flag",
		"https://us%3Aer:p%40ss@x/p":                                 "https://REDACTED@x/p",
		"https://user:pass@x/%zz?token=abc":                          "https://REDACTED@x/%zz?token=REDACTED", // does not parse
		"http://[::1]:8080/p?key=abc":                                "http://[::1]:8080/p?key=REDACTED",
		"https://registry.npmjs.org/lodash/-/lodash-4.17.21.tgz?v=1": "https://registry.npmjs.org/lodash/-/lodash-4.17.21.tgz?v=1",
	} {
		if got := RedactURL(in); got != want {
			t.Errorf("RedactURL(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestRedactText(t *testing.T) {
	for in, want := range map[string]string{
		`Get "https://u:p@x/y?token=abc": dial tcp: refused`: `Get "https://REDACTED@x/y?token=REDACTED": dial tcp: refused`,
		"see https://x/y?key=abc.":                           "see https://x/y?key=REDACTED.",
		"Authorization: Bearer ghp_0123456789abcdefghij":     "Authorization: Bearer REDACTED",
		"header token 0123456789abcdef0123 refused":          "header token REDACTED refused",
		"Basic dXNlcjpwYXNzd29yZDEyMzQ=":                     "Basic REDACTED",
		"the token was refused (401)":                        "the token was refused (401)",
		"no URL here":                                        "no URL here",
	} {
		if got := RedactText(in); got != want {
			t.Errorf("RedactText(%q) = %q, want %q", in, got, want)
		}
	}
}
