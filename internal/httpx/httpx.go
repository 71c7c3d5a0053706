// Package httpx is the one HTTP layer of tollgate's network clients (the OSV
// API, the GitHub API, live secret verification): a timeout on every attempt,
// bounded retries with exponential backoff and jitter that honour Retry-After
// up to a maximum wait, a limit on requests in flight, a User-Agent, an
// optional on-disk response cache, errors with every credential redacted, and
// credential headers that never follow a redirect to another origin.
//
// A Client serves two faces that share one retry loop: Do, for callers that
// build their own requests (with the cache and errors that say why retries
// ended), and HTTPClient, an *http.Client for libraries that want one
// (go-github), whose transport retries and guards credentials the same way.
//
// Written by hand: net/http has none of this, and hashicorp/go-retryablehttp
// covers only the retries (no per-origin credential policy, concurrency limit,
// cache or redaction), so it would add a dependency and still leave most of it.
package httpx

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"net/http"
	"net/textproto"
	"net/url"
	"sync"
	"time"
)

// Defaults and limits; a zero Options field means the default.
const (
	// DefaultTimeout bounds each attempt: connecting, the headers and reading
	// the body until it is closed.
	DefaultTimeout = 30 * time.Second
	// DefaultMaxRetries bounds the retries of one request (attempts are at
	// most 1 + MaxRetries).
	DefaultMaxRetries = 4
	// DefaultMinBackoff is the first retry delay; it doubles every retry.
	DefaultMinBackoff = 500 * time.Millisecond
	// DefaultMaxBackoff caps the doubled delay (jitter adds up to half of it).
	DefaultMaxBackoff = 20 * time.Second
	// DefaultMaxWait is the longest wait a server may demand (Retry-After, or
	// a ShouldRetry wait); a longer demand ends the retries.
	DefaultMaxWait = 60 * time.Second
	// DefaultMaxInFlight bounds the requests of one client in flight at once.
	DefaultMaxInFlight = 8
	// DefaultUserAgent is sent when a request has no User-Agent of its own.
	DefaultUserAgent = "tollgate"
	// DefaultCacheTTL is how long a cached GET answer stays fresh.
	DefaultCacheTTL = time.Hour
	// DefaultMaxCacheEntry bounds one cached body; larger answers are
	// returned whole but not stored.
	DefaultMaxCacheEntry = 8 << 20
	// maxDrain is how much of a response that is retried is read (so that the
	// connection can be reused) before it is closed.
	maxDrain = 64 << 10
)

// ErrWaitTooLong is wrapped (in an *Error from Do) when the server demands a
// longer wait before a retry than Options.MaxWait allows.
var ErrWaitTooLong = errors.New("server asks to wait longer than the limit")

// ErrTimeout is wrapped when an attempt got no complete answer within
// Options.Timeout (and the caller's context was still live).
var ErrTimeout = errors.New("no answer within the timeout")

// Options configure a Client. The zero value is usable.
type Options struct {
	// HTTPClient is copied and its transport wrapped (nil: a client without
	// an overall timeout over http.DefaultTransport). Its own Timeout, when
	// set, bounds a whole call: every attempt, every wait and the body.
	HTTPClient *http.Client
	// UserAgent is sent when a request sets none (default DefaultUserAgent).
	UserAgent string
	// Timeout bounds each attempt (default DefaultTimeout; negative: none).
	Timeout time.Duration
	// MaxRetries bounds retries per request (default DefaultMaxRetries;
	// negative: no retries).
	MaxRetries int
	// MinBackoff and MaxBackoff shape the delay between attempts:
	// MinBackoff·2^(retry-1), capped at MaxBackoff, plus a random jitter of up
	// to half of it.
	MinBackoff, MaxBackoff time.Duration
	// MaxWait is the longest wait a server may demand; a longer demand ends
	// the retries (default DefaultMaxWait).
	MaxWait time.Duration
	// MaxInFlight bounds the requests in flight at once, counted from sending
	// to the close of the response body (default DefaultMaxInFlight).
	MaxInFlight int
	// ShouldRetry decides about every response of a request that may be sent
	// again (nil: DefaultShouldRetry). It may read the body only through
	// PeekBody. A positive wait is a demand (compared with MaxWait, no
	// jitter); zero means Retry-After if the response has one, else backoff.
	ShouldRetry func(resp *http.Response) (retry bool, wait time.Duration)
	// CredentialHeaders names headers that carry credentials, beyond the
	// ones always treated so (Authorization, Proxy-Authorization, Cookie,
	// X-Api-Key, X-Auth-Token, Private-Token): they are never sent to another
	// origin on a redirect, their values never appear in errors, and a
	// request carrying one is never cached.
	CredentialHeaders []string
	// CacheDir turns on the response cache of Do (one file per entry).
	CacheDir string
	// CacheTTL is how long a cached GET answer is fresh (default
	// DefaultCacheTTL); the MaxAge call option overrides it.
	CacheTTL time.Duration
	// MaxCacheEntry bounds a stored body (default DefaultMaxCacheEntry).
	MaxCacheEntry int64
	// Now, Sleep and Jitter replace the clock, the wait between attempts and
	// the random jitter (Jitter(n) returns a value in [0, n)) in tests; nil
	// means the real ones.
	Now    func() time.Time
	Sleep  func(ctx context.Context, d time.Duration) error
	Jitter func(n int64) int64
}

// defaultCredentialHeaders are credential headers whatever the caller names.
var defaultCredentialHeaders = []string{"Authorization", "Proxy-Authorization", "Cookie", "X-Api-Key", "X-Auth-Token", "Private-Token"}

// Client sends requests with the policy of its Options. It is safe for
// concurrent use.
type Client struct {
	opts        Options
	credHeaders []string // canonical names
	inFlight    chan struct{}
	std         *http.Client
	// forDo is std without its Timeout, which Do applies itself: net/http
	// reports a Client.Timeout through a transport it does not know only
	// now and then as a timeout (its timer races the context deadline).
	forDo   *http.Client
	overall time.Duration
	cache   *diskCache
}

// New returns a client for opts, with defaults filled in.
func New(opts Options) *Client {
	if opts.UserAgent == "" {
		opts.UserAgent = DefaultUserAgent
	}
	if opts.Timeout == 0 {
		opts.Timeout = DefaultTimeout
	}
	switch {
	case opts.MaxRetries == 0:
		opts.MaxRetries = DefaultMaxRetries
	case opts.MaxRetries < 0:
		opts.MaxRetries = 0
	}
	if opts.MinBackoff <= 0 {
		opts.MinBackoff = DefaultMinBackoff
	}
	if opts.MaxBackoff <= 0 {
		opts.MaxBackoff = DefaultMaxBackoff
	}
	opts.MaxBackoff = max(opts.MaxBackoff, opts.MinBackoff)
	if opts.MaxWait <= 0 {
		opts.MaxWait = DefaultMaxWait
	}
	if opts.MaxInFlight <= 0 {
		opts.MaxInFlight = DefaultMaxInFlight
	}
	if opts.ShouldRetry == nil {
		opts.ShouldRetry = DefaultShouldRetry
	}
	if opts.CacheTTL <= 0 {
		opts.CacheTTL = DefaultCacheTTL
	}
	if opts.MaxCacheEntry <= 0 {
		opts.MaxCacheEntry = DefaultMaxCacheEntry
	}
	if opts.Now == nil {
		opts.Now = time.Now
	}
	if opts.Sleep == nil {
		opts.Sleep = sleep
	}
	if opts.Jitter == nil {
		opts.Jitter = rand.Int64N
	}
	c := &Client{opts: opts, inFlight: make(chan struct{}, opts.MaxInFlight)}
	seen := map[string]bool{}
	for _, h := range append(append([]string(nil), defaultCredentialHeaders...), opts.CredentialHeaders...) {
		h = textproto.CanonicalMIMEHeaderKey(h)
		if h != "" && !seen[h] {
			seen[h] = true
			c.credHeaders = append(c.credHeaders, h)
		}
	}
	std := &http.Client{}
	if opts.HTTPClient != nil {
		copied := *opts.HTTPClient
		std = &copied
	}
	base := std.Transport
	if base == nil {
		base = http.DefaultTransport
	}
	std.Transport = &transport{c: c, base: base}
	c.std = std
	forDo := *std
	forDo.Timeout = 0
	c.forDo, c.overall = &forDo, std.Timeout
	if opts.CacheDir != "" {
		c.cache = &diskCache{dir: opts.CacheDir, maxEntry: opts.MaxCacheEntry, now: opts.Now}
	}
	return c
}

// HTTPClient returns an *http.Client whose transport applies the client's
// timeouts, retries, concurrency limit, User-Agent and credential policy,
// for libraries that take one (go-github). A credential a RoundTripper
// wrapped around its transport adds to every request is still dropped on a
// redirect to another origin. It does not use the cache, and hands back
// every final response as a RoundTripper must, even when retries ended on a
// too-long wait: the library reads the status (and rate-limit headers) itself.
func (c *Client) HTTPClient() *http.Client {
	copied := *c.std
	return &copied
}

// A CallOption adjusts one Do call.
type CallOption func(*call)

// call is the state of one Do call, shared with the transport through the
// request context.
type call struct {
	retryable bool
	onAttempt func(attempt int)
	maxAge    time.Duration
	noCache   bool
	attempts  int
	// tooLong is set when the last hop's retries ended on a demanded wait
	// longer than MaxWait.
	tooLong *Error
}

type callKey struct{}
type retryableKey struct{}

// Retryable marks the request as safe to send again after a network error or
// a 5xx although its method is not idempotent (a POST that only queries, as
// OSV's querybatch). Its body must be replayable (Request.GetBody).
func Retryable() CallOption {
	return func(c *call) { c.retryable = true }
}

// OnAttempt calls f before each attempt of the call (attempts counted from 1).
func OnAttempt(f func(attempt int)) CallOption {
	return func(c *call) { c.onAttempt = f }
}

// MaxAge sets how long a cached answer to this call stays fresh (overriding
// Options.CacheTTL), and allows caching a POST (keyed by its body's hash)
// whose answer depends only on the body. Zero or negative: not cached.
func MaxAge(d time.Duration) CallOption {
	return func(c *call) {
		c.maxAge = d
		if d <= 0 {
			c.noCache = true
		}
	}
}

// NoCache keeps this call out of the cache (neither read nor written).
func NoCache() CallOption {
	return func(c *call) { c.noCache = true }
}

// WithRetryable returns a context whose requests are safe to send again
// although their method is not idempotent (for requests that a library such
// as go-github builds, e.g. a PATCH that sets a comment's whole body).
func WithRetryable(ctx context.Context) context.Context {
	return context.WithValue(ctx, retryableKey{}, true)
}

func callFrom(ctx context.Context) *call {
	c, _ := ctx.Value(callKey{}).(*call)
	return c
}

// Do sends req with the client's policy and returns the final response, as
// net/http does: a status that still asks for a retry when the retries are
// used up is returned as a response, for the caller to judge. It returns an
// *Error (URL and message redacted) when no response came (network error,
// timeout, cancelled context, also while waiting to retry) and when the
// server demanded a wait longer than MaxWait (wrapping ErrWaitTooLong). A
// fresh cached answer is returned without a request (see Options.CacheDir).
func (c *Client) Do(req *http.Request, opts ...CallOption) (*http.Response, error) {
	cl := &call{}
	ctx := req.Context()
	for _, o := range opts {
		o(cl)
	}
	if cl.retryable {
		ctx = WithRetryable(ctx)
	}
	ctx = context.WithValue(ctx, callKey{}, cl)
	cancel := context.CancelFunc(func() {})
	if c.overall > 0 {
		ctx, cancel = context.WithTimeout(ctx, c.overall)
	}
	outer := req
	req = req.WithContext(ctx)
	key, maxAge := c.cacheKey(req, cl)
	if key != "" {
		if resp := c.cache.get(key, req, maxAge); resp != nil {
			cancel()
			return resp, nil
		}
	}
	resp, err := c.forDo.Do(req)
	if err != nil {
		overallTimeout := ctx.Err() == context.DeadlineExceeded && outer.Context().Err() == nil
		cancel()
		e := c.doError(req, cl, err)
		if overallTimeout {
			e.msg += fmt.Sprintf(" (the HTTP client's Timeout of %s ran out)", c.overall)
			e.kind, e.timeout = ErrTimeout, true
		}
		return nil, e
	}
	resp.Body = &attemptBody{rc: resp.Body, done: sync.OnceFunc(cancel)}
	if cl.tooLong != nil {
		drain(resp)
		return nil, cl.tooLong
	}
	if key != "" && resp.StatusCode == http.StatusOK {
		resp = c.cache.put(key, req, resp)
	}
	return resp, nil
}

// doError turns what http.Client.Do returned into an *Error naming the
// request without its credentials.
func (c *Client) doError(req *http.Request, cl *call, err error) *Error {
	var ue *url.Error
	if errors.As(err, &ue) {
		// The url.Error holds the URL as sent (query tokens included); the
		// Error below names it redacted instead.
		err = ue.Err
	}
	e := &Error{Method: req.Method, URL: RedactURL(req.URL.String()), Attempts: cl.attempts}
	var ae *attemptError
	if errors.As(err, &ae) {
		e.Status = ae.status
	}
	e.kind, e.timeout = cause(err)
	e.msg = c.scrub(req, err.Error())
	return e
}

// sleep waits d or until ctx is done.
func sleep(ctx context.Context, d time.Duration) error {
	if d <= 0 {
		return ctx.Err()
	}
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return ctx.Err()
	case <-t.C:
		return nil
	}
}
