// Package api is tollgate's one GitHub REST client: the go-github client that
// the change set reads pull requests, comparisons, trees and blobs through,
// and the calls the Action makes itself (a sticky pull-request comment, SARIF
// upload to code scanning). A run builds one Client from one Options and
// hands it to every part that talks to GitHub.
//
// Requests go through internal/httpx: a timeout per attempt, bounded retries
// with backoff on 5xx (idempotent requests only), 429 and secondary rate
// limits, a wait for an exhausted primary limit only when it resets within
// MaxWait, and the token sent only as a header, only to the API's own origin.
// Errors name the cause (Classify) and wrap ErrForbidden or ErrRateLimited.
package api

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"time"

	gh "github.com/google/go-github/v60/github"

	"github.com/tollgate-dev/tollgate/internal/httpx"
)

// DefaultAPIURL is the public GitHub REST API root.
const DefaultAPIURL = "https://api.github.com/"

// Defaults of Options.
const (
	// DefaultTimeout bounds each attempt of a request, and each of the
	// Client's own calls (comment, upload) with its retries.
	DefaultTimeout = 60 * time.Second
	// DefaultMaxRetries bounds the retries of one request.
	DefaultMaxRetries = httpx.DefaultMaxRetries
	// DefaultMinBackoff is the first retry delay, doubled each retry.
	DefaultMinBackoff = time.Second
	// DefaultMaxWait is the longest wait accepted from Retry-After or a
	// rate-limit reset.
	DefaultMaxWait = 60 * time.Second
)

// Errors callers tell apart: none of them is a failure of the Action.
var (
	// ErrForbidden is wrapped when GitHub refuses a call for lack of
	// permission (403 that is not a rate limit): a read-only token on a fork
	// pull request, a missing permissions: entry, code scanning not enabled.
	ErrForbidden = errors.New("GitHub API forbids it")
	// ErrRateLimited is wrapped when the primary rate limit is exhausted, or a
	// secondary limit outlasted the retries.
	ErrRateLimited = errors.New("GitHub API rate limit")
	// ErrNoToken is returned when a call needs a token and none was given.
	ErrNoToken = errors.New("no GitHub token")
)

// Options configure a Client.
type Options struct {
	// BaseURL is the REST API root (GITHUB_API_URL): https://api.github.com or
	// https://ghes.example.com/api/v3; empty means the public API.
	BaseURL string
	// Token authenticates every call. It is sent only as a header, only to
	// BaseURL's origin, and never appears in errors or logs.
	Token string
	// HTTPClient is used as is apart from its transport, which internal/httpx
	// wraps; its own Timeout, if set, bounds a whole request, retries
	// included. nil means http.DefaultTransport.
	HTTPClient *http.Client
	// Timeout bounds each attempt of every request, and each of the Client's
	// own calls (comment upsert, SARIF upload) with its retries (default
	// DefaultTimeout).
	Timeout time.Duration
	// MaxRetries bounds the retries of one request (default
	// DefaultMaxRetries; negative: none).
	MaxRetries int
	// MinBackoff is the first retry delay, doubled each time (default
	// DefaultMinBackoff).
	MinBackoff time.Duration
	// MaxWait is the longest wait accepted from Retry-After or a rate-limit
	// reset; a longer one ends the retries (default DefaultMaxWait).
	MaxWait time.Duration
	// Now and Sleep replace the clock (rate-limit resets, Retry-After dates)
	// and the wait between attempts in tests; nil means the real ones.
	Now   func() time.Time
	Sleep func(ctx context.Context, d time.Duration) error
}

// Client is the GitHub REST client of a run.
type Client struct {
	gh      *gh.Client
	timeout time.Duration
	token   bool
	now     func() time.Time
}

// New returns a client for opts.
func New(opts Options) (*Client, error) {
	if opts.Timeout <= 0 {
		opts.Timeout = DefaultTimeout
	}
	if opts.MinBackoff <= 0 {
		opts.MinBackoff = DefaultMinBackoff
	}
	if opts.MaxWait <= 0 {
		opts.MaxWait = DefaultMaxWait
	}
	if opts.Now == nil {
		opts.Now = time.Now
	}
	c := &Client{timeout: opts.Timeout, token: opts.Token != "", now: opts.Now}
	hx := httpx.New(httpx.Options{
		HTTPClient:  opts.HTTPClient,
		Timeout:     opts.Timeout,
		MaxRetries:  opts.MaxRetries, // 0: DefaultMaxRetries, as httpx reads it
		MinBackoff:  opts.MinBackoff,
		MaxWait:     opts.MaxWait,
		ShouldRetry: c.shouldRetry,
		Now:         opts.Now,
		Sleep:       opts.Sleep,
	})
	// go-github sets its own User-Agent, and its WithAuthToken adds the token
	// in a RoundTripper above httpx's, which drops it on any redirect that
	// leaves the API's origin.
	api := gh.NewClient(hx.HTTPClient())
	if opts.Token != "" {
		api = api.WithAuthToken(opts.Token)
	}
	if opts.BaseURL != "" {
		u := opts.BaseURL
		if !strings.HasSuffix(u, "/") {
			u += "/"
		}
		parsed, err := api.BaseURL.Parse(u)
		if err != nil || (parsed.Scheme != "https" && parsed.Scheme != "http") || parsed.Host == "" {
			return nil, fmt.Errorf("GitHub API URL %q is not an http(s) URL", httpx.RedactURL(opts.BaseURL))
		}
		// GITHUB_API_URL is already the full REST root on github.com and on
		// Enterprise Server (…/api/v3), so it is used as is; go-github's
		// WithEnterpriseURLs would append /api/v3/ to a bare host.
		api.BaseURL = parsed
	}
	c.gh = api
	return c, nil
}

// REST returns the go-github client, for reads the Client has no method for
// (the change set's API source). Errors from it are named by Classify.
func (c *Client) REST() *gh.Client { return c.gh }

// call bounds one logical call (retries included) by the client's timeout.
func (c *Client) call(ctx context.Context) (context.Context, context.CancelFunc) {
	return context.WithTimeout(ctx, c.timeout)
}

// Classify turns go-github errors into ones naming the cause, wrapping the
// sentinel errors above. go-github's messages hold the method and URL (never
// a credential: the token travels as a header), never the Authorization
// header.
func Classify(what string, err error) error {
	var rl *gh.RateLimitError
	if errors.As(err, &rl) {
		return fmt.Errorf("%s: %w exhausted (%d requests an hour; resets at %s)", what, ErrRateLimited, rl.Rate.Limit, rl.Rate.Reset.UTC().Format(time.RFC3339))
	}
	var abuse *gh.AbuseRateLimitError
	if errors.As(err, &abuse) {
		return fmt.Errorf("%s: %w (secondary limit; retries exhausted)", what, ErrRateLimited)
	}
	var er *gh.ErrorResponse
	if errors.As(err, &er) && er.Response != nil {
		msg := er.Message
		switch er.Response.StatusCode {
		case http.StatusUnauthorized:
			return fmt.Errorf("%s: the token was refused (401): %s", what, msg)
		case http.StatusForbidden:
			return fmt.Errorf("%s: %w (403: %s)", what, ErrForbidden, msg)
		case http.StatusNotFound:
			return fmt.Errorf("%s: not found (404; the token may not see this repository): %s", what, msg)
		}
		return fmt.Errorf("%s: HTTP %d: %s", what, er.Response.StatusCode, msg)
	}
	return fmt.Errorf("%s: %w", what, err)
}

// shouldRetry is GitHub's retry policy for httpx: 5xx as httpx's default
// (idempotent requests only); 429 and secondary rate limits for any method
// (GitHub refused before acting), after Retry-After or backoff; an exhausted
// primary limit (X-RateLimit-Remaining: 0) until X-RateLimit-Reset, which
// httpx waits for only within MaxWait. The response goes back to go-github
// when the retries end, so that it reports RateLimitError or
// AbuseRateLimitError.
func (c *Client) shouldRetry(resp *http.Response) (bool, time.Duration) {
	switch {
	case resp.StatusCode >= 500:
		return httpx.DefaultShouldRetry(resp)
	case resp.StatusCode == http.StatusTooManyRequests || resp.StatusCode == http.StatusForbidden:
		if resp.Header.Get("X-RateLimit-Remaining") == "0" {
			reset, err := strconv.ParseInt(resp.Header.Get("X-RateLimit-Reset"), 10, 64)
			if err != nil {
				return false, 0
			}
			return true, max(time.Unix(reset, 0).Sub(c.now()), 0) + time.Second
		}
		if resp.Header.Get("Retry-After") != "" || resp.StatusCode == http.StatusTooManyRequests {
			return true, 0
		}
		// A 403 is a secondary rate limit only if its message says so.
		body := httpx.PeekBody(resp, 1<<16)
		return bytes.Contains(bytes.ToLower(body), []byte("secondary rate limit")), 0
	}
	return false, 0
}
