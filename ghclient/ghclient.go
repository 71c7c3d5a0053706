// Package ghclient builds the go-github REST client tollgate uses everywhere
// it talks to GitHub (the change set's API source, the Action's comment and
// SARIF upload): a base URL taken as given (GITHUB_API_URL, Enterprise Server
// included), a token sent only as a header, bounded retries with backoff on
// 5xx, 429 and secondary rate limits, and errors that name the cause.
package ghclient

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"strings"
	"time"

	gh "github.com/google/go-github/v60/github"
)

// Errors callers tell apart.
var (
	// ErrForbidden is wrapped when GitHub refuses a call for lack of
	// permission (403 that is not a rate limit): a read-only token on a fork
	// pull request, a missing permissions: entry, code scanning not enabled.
	ErrForbidden = errors.New("GitHub API forbids it")
	// ErrRateLimited is wrapped when the primary rate limit is exhausted, or a
	// secondary limit outlasted the retries.
	ErrRateLimited = errors.New("GitHub API rate limit")
)

// Options configure a client.
type Options struct {
	// BaseURL is the REST API root (GITHUB_API_URL): https://api.github.com or
	// https://ghes.example.com/api/v3; empty means the public API.
	BaseURL string
	// Token authenticates every call. It is sent only as a header and never
	// appears in errors or logs.
	Token string
	// HTTPClient is used as is apart from its transport, which is wrapped with
	// retries; nil means a client with a 60 s timeout per request.
	HTTPClient *http.Client
	// MaxRetries bounds the retries of one request (default 3).
	MaxRetries int
	// MinBackoff is the first retry delay, doubled each time (default 1 s).
	MinBackoff time.Duration
	// MaxWait is the longest wait accepted from Retry-After or a rate-limit
	// reset; a longer one ends the retries (default 60 s).
	MaxWait time.Duration
}

// New returns a go-github client configured by opts.
func New(opts Options) (*gh.Client, error) {
	if opts.MaxRetries <= 0 {
		opts.MaxRetries = 3
	}
	if opts.MinBackoff <= 0 {
		opts.MinBackoff = time.Second
	}
	if opts.MaxWait <= 0 {
		opts.MaxWait = 60 * time.Second
	}
	hc := &http.Client{Timeout: 60 * time.Second}
	if opts.HTTPClient != nil {
		copied := *opts.HTTPClient
		hc = &copied
	}
	base := hc.Transport
	if base == nil {
		base = http.DefaultTransport
	}
	hc.Transport = &retryTransport{base: base, maxRetries: opts.MaxRetries, minBackoff: opts.MinBackoff, maxWait: opts.MaxWait}
	api := gh.NewClient(hc)
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
			return nil, fmt.Errorf("GitHub API URL %q is not an http(s) URL", opts.BaseURL)
		}
		// GITHUB_API_URL is already the full REST root on github.com and on
		// Enterprise Server (…/api/v3), so it is used as is; go-github's
		// WithEnterpriseURLs would append /api/v3/ to a bare host.
		api.BaseURL = parsed
	}
	return api, nil
}

// Classify turns go-github errors into ones naming the cause, wrapping the
// sentinel errors above. go-github's messages hold the method and URL, never
// the Authorization header.
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

// retryTransport retries on 5xx (idempotent methods only), on 429 and on
// secondary rate limits (any method: GitHub rejected the request before acting
// on it), with exponential backoff that honours Retry-After and
// X-RateLimit-Reset up to maxWait, a bounded number of times. An exhausted
// primary rate limit is retried only when it resets within maxWait.
// Written by hand because go-github only reports rate limits, it never retries.
type retryTransport struct {
	base       http.RoundTripper
	maxRetries int
	minBackoff time.Duration
	maxWait    time.Duration
	// now is the clock for X-RateLimit-Reset (nil: time.Now).
	now func() time.Time
}

func (t *retryTransport) RoundTrip(req *http.Request) (*http.Response, error) {
	// A body must be replayable to be retried; go-github sets GetBody for the
	// bytes.Buffer bodies it builds.
	if req.Body != nil && req.GetBody == nil {
		return t.base.RoundTrip(req)
	}
	idempotent := req.Method != http.MethodPost
	backoff := t.minBackoff
	for attempt := 0; ; attempt++ {
		if attempt > 0 && req.GetBody != nil {
			body, err := req.GetBody()
			if err != nil {
				return nil, fmt.Errorf("replay request body: %w", err)
			}
			req.Body = body
		}
		resp, err := t.base.RoundTrip(req)
		if attempt >= t.maxRetries {
			return resp, err
		}
		var wait time.Duration
		switch {
		case err != nil:
			if req.Context().Err() != nil || !idempotent {
				return nil, err
			}
			wait = backoff
		default:
			var retry bool
			retry, wait = t.retryAfter(resp, idempotent, backoff)
			if !retry || wait > t.maxWait {
				return resp, nil
			}
			_, _ = io.Copy(io.Discard, io.LimitReader(resp.Body, 1<<16))
			resp.Body.Close()
		}
		timer := time.NewTimer(wait)
		select {
		case <-req.Context().Done():
			timer.Stop()
			return nil, req.Context().Err()
		case <-timer.C:
		}
		backoff *= 2
	}
}

// retryAfter says whether resp is worth retrying and after how long. It may
// buffer the body (to read a 403's message) and leaves it readable.
func (t *retryTransport) retryAfter(resp *http.Response, idempotent bool, backoff time.Duration) (bool, time.Duration) {
	wait := backoff
	if ra := resp.Header.Get("Retry-After"); ra != "" {
		if secs, err := strconv.Atoi(ra); err == nil && secs >= 0 {
			wait = time.Duration(secs) * time.Second
		}
	}
	switch {
	case resp.StatusCode >= 500:
		return idempotent, wait
	case resp.StatusCode == http.StatusTooManyRequests || resp.StatusCode == http.StatusForbidden:
		if resp.Header.Get("X-RateLimit-Remaining") == "0" {
			// Primary limit: wait for the reset only when it is near.
			reset, err := strconv.ParseInt(resp.Header.Get("X-RateLimit-Reset"), 10, 64)
			if err != nil {
				return false, 0
			}
			now := time.Now
			if t.now != nil {
				now = t.now
			}
			return true, max(time.Unix(reset, 0).Sub(now()), 0) + time.Second
		}
		if resp.Header.Get("Retry-After") != "" || resp.StatusCode == http.StatusTooManyRequests {
			return true, wait
		}
		// A 403 is a secondary rate limit only if its message says so.
		body, _ := io.ReadAll(io.LimitReader(resp.Body, 1<<16))
		resp.Body.Close()
		resp.Body = io.NopCloser(bytes.NewReader(body))
		return bytes.Contains(bytes.ToLower(body), []byte("secondary rate limit")), wait
	}
	return false, 0
}
