package httpx

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"sync"
	"time"
)

// transport is the RoundTripper under both faces of a Client: it retries one
// request (one redirect hop) and applies the per-attempt timeout, the
// concurrency limit, the User-Agent and the credential policy.
type transport struct {
	c    *Client
	base http.RoundTripper
}

// attemptError is what the transport returns when no response came. Its
// message has no URL (http.Client adds one) and no credentials.
type attemptError struct {
	msg      string
	kind     error // a sentinel for errors.Is, or nil
	status   int   // the last status seen, if any
	attempts int
	timeout  bool
}

func (e *attemptError) Error() string { return e.msg }
func (e *attemptError) Unwrap() error { return e.kind }
func (e *attemptError) Timeout() bool { return e.timeout }

func (t *transport) RoundTrip(req *http.Request) (*http.Response, error) {
	c := t.c
	ctx := req.Context()
	cl := callFrom(ctx)
	if cl != nil {
		cl.tooLong = nil
	}
	// Only a request whose body can be sent again is ever retried.
	replayable := Replayable(req)
	lastStatus := 0
	for attempt := 1; ; attempt++ {
		if cl != nil {
			cl.attempts++
			if cl.onAttempt != nil {
				cl.onAttempt(attempt)
			}
		}
		final := !replayable || attempt > c.opts.MaxRetries
		resp, err := t.once(req, attempt)
		var wait time.Duration
		if err != nil {
			if ctx.Err() != nil {
				if !errors.Is(err, ctx.Err()) {
					err = fmt.Errorf("%w (%v)", ctx.Err(), err)
				}
				return nil, c.attemptFailure(req, err, attempt, lastStatus, "")
			}
			if final || !Idempotent(req) {
				return nil, c.attemptFailure(req, err, attempt, lastStatus, "")
			}
		} else {
			if final {
				return resp, nil
			}
			retry, demanded := c.opts.ShouldRetry(resp)
			if !retry {
				return resp, nil
			}
			if demanded <= 0 {
				if ra, ok := RetryAfter(resp.Header, c.opts.Now()); ok {
					demanded = ra
				}
			}
			if demanded > c.opts.MaxWait {
				if cl != nil {
					cl.tooLong = &Error{
						Method: req.Method, URL: RedactURL(req.URL.String()), Status: resp.StatusCode, Attempts: cl.attempts, Wait: demanded,
						msg:  fmt.Sprintf("HTTP %d: the server asks to wait %s before a retry, longer than the %s limit (%s)", resp.StatusCode, demanded.Round(time.Second), c.opts.MaxWait, plural(attempt, "attempt")),
						kind: ErrWaitTooLong,
					}
				}
				return resp, nil
			}
			lastStatus = resp.StatusCode
			wait = demanded
			drain(resp)
		}
		if wait <= 0 {
			wait = c.backoff(attempt)
		}
		if serr := c.opts.Sleep(ctx, wait); serr != nil {
			why := fmt.Sprintf("while waiting %s to retry", wait.Round(time.Millisecond))
			if err != nil {
				why += " after: " + err.Error()
			}
			return nil, c.attemptFailure(req, serr, attempt, lastStatus, why)
		}
	}
}

// once sends one attempt: a clone of req under the attempt timeout, with the
// body replayed after the first attempt, the User-Agent set and credential
// headers dropped on a redirect to another origin. The response body, when
// closed or read to the end, ends the attempt (its timeout and its slot).
func (t *transport) once(req *http.Request, attempt int) (*http.Response, error) {
	c := t.c
	// The slot first: the attempt's timeout counts from sending, not from
	// queueing behind other requests.
	select {
	case c.inFlight <- struct{}{}:
	case <-req.Context().Done():
		return nil, req.Context().Err()
	}
	ctx, cancel := req.Context(), context.CancelFunc(func() {})
	if c.opts.Timeout > 0 {
		ctx, cancel = context.WithTimeout(ctx, c.opts.Timeout)
	}
	var once sync.Once
	done := func() {
		once.Do(func() {
			<-c.inFlight
			cancel()
		})
	}
	out := req.Clone(ctx)
	if attempt > 1 && req.GetBody != nil {
		body, err := req.GetBody()
		if err != nil {
			done()
			return nil, fmt.Errorf("replay the request body: %w", err)
		}
		out.Body = body
	}
	if out.Header.Get("User-Agent") == "" {
		out.Header.Set("User-Agent", c.opts.UserAgent)
	}
	c.dropCrossOriginCredentials(out)
	resp, err := t.base.RoundTrip(out)
	if err != nil {
		timedOut := ctx.Err() == context.DeadlineExceeded && req.Context().Err() == nil
		done()
		if timedOut {
			return nil, &attemptError{msg: fmt.Sprintf("no answer within %s: %v", c.opts.Timeout, err), kind: ErrTimeout, timeout: true}
		}
		return nil, err
	}
	if resp.Body == nil {
		resp.Body = http.NoBody
	}
	resp.Body = &attemptBody{rc: resp.Body, done: done}
	// The request this response answers, as the caller (or http.Client) sent
	// it: the next hop of a redirect finds the chain's origin through it, and
	// ShouldRetry its method and marks.
	resp.Request = req
	return resp, nil
}

// attemptFailure builds the transport's error for an attempt that ended
// without a usable response.
func (c *Client) attemptFailure(req *http.Request, err error, attempt, lastStatus int, why string) error {
	e := &attemptError{status: lastStatus, attempts: attempt}
	e.kind, e.timeout = cause(err)
	msg := err.Error()
	if why != "" {
		msg += " (" + why + ")"
	}
	if attempt > 1 || lastStatus != 0 {
		msg += " (" + plural(attempt, "attempt")
		if lastStatus != 0 {
			msg += fmt.Sprintf("; last answer HTTP %d", lastStatus)
		}
		msg += ")"
	}
	e.msg = c.scrub(req, msg)
	return e
}

// cause names what ended a request: an attempt's own kind, else the
// context's; timeout is true for any deadline or timeout along the way.
func cause(err error) (kind error, timeout bool) {
	var ae *attemptError
	switch {
	case errors.As(err, &ae):
		kind, timeout = ae.kind, ae.timeout
	case errors.Is(err, context.Canceled):
		kind = context.Canceled
	case errors.Is(err, context.DeadlineExceeded):
		kind, timeout = context.DeadlineExceeded, true
	}
	var te interface{ Timeout() bool }
	if errors.As(err, &te) && te.Timeout() {
		timeout = true
	}
	return kind, timeout
}

func plural(n int, what string) string {
	if n == 1 {
		return "1 " + what
	}
	return fmt.Sprintf("after %d %ss", n, what)
}

// attemptBody ends its attempt at Close or at the end of the body.
type attemptBody struct {
	rc   io.ReadCloser
	done func()
}

func (b *attemptBody) Read(p []byte) (int, error) {
	n, err := b.rc.Read(p)
	if err == io.EOF {
		b.done()
	}
	return n, err
}

func (b *attemptBody) Close() error {
	err := b.rc.Close()
	b.done()
	return err
}

// backoff is the delay before retry number n (n >= 1):
// MinBackoff·2^(n-1), capped at MaxBackoff, plus up to half of that at random.
func (c *Client) backoff(n int) time.Duration {
	d := c.opts.MinBackoff
	for i := 1; i < n && d < c.opts.MaxBackoff; i++ {
		d *= 2
	}
	d = min(d, c.opts.MaxBackoff)
	return d + time.Duration(c.opts.Jitter(int64(d)/2+1))
}

// drain reads a little of a response that will not be used and closes it.
func drain(resp *http.Response) {
	_, _ = io.Copy(io.Discard, io.LimitReader(resp.Body, maxDrain))
	resp.Body.Close()
}

// DefaultShouldRetry retries a 429 (the server refused before acting, so any
// method whose body can be replayed) and a 5xx when the request may be sent
// again (Idempotent), with the wait Retry-After gives or else backoff.
func DefaultShouldRetry(resp *http.Response) (bool, time.Duration) {
	switch {
	case resp.StatusCode == http.StatusTooManyRequests:
		return true, 0
	case resp.StatusCode >= 500:
		return resp.Request != nil && Idempotent(resp.Request), 0
	}
	return false, 0
}

// Idempotent reports whether req may be sent again after a network error or
// a 5xx: its method is idempotent (RFC 9110: GET, HEAD, OPTIONS, TRACE, PUT,
// DELETE), or the caller marked it (Retryable, WithRetryable).
func Idempotent(req *http.Request) bool {
	switch req.Method {
	case http.MethodGet, http.MethodHead, http.MethodOptions, http.MethodTrace, http.MethodPut, http.MethodDelete, "":
		return true
	}
	marked, _ := req.Context().Value(retryableKey{}).(bool)
	return marked
}

// Replayable reports whether req's body can be sent again: none, or one
// that Request.GetBody recreates (http.NewRequest sets it for bytes and
// strings readers).
func Replayable(req *http.Request) bool {
	return req.Body == nil || req.Body == http.NoBody || req.GetBody != nil
}

// maxRetryAfter keeps a huge Retry-After from overflowing time.Duration; it
// is far above any MaxWait.
const maxRetryAfter = 100 * 365 * 24 * time.Hour

// RetryAfter reads the Retry-After header: delay-seconds or an HTTP-date
// (RFC 9110 section 10.2.3), relative to now; a date in the past is zero.
func RetryAfter(h http.Header, now time.Time) (time.Duration, bool) {
	v := h.Get("Retry-After")
	if v == "" {
		return 0, false
	}
	if secs, err := strconv.ParseInt(v, 10, 64); err == nil {
		if secs < 0 {
			return 0, false
		}
		if secs > int64(maxRetryAfter/time.Second) {
			return maxRetryAfter, true
		}
		return time.Duration(secs) * time.Second, true
	}
	if at, err := http.ParseTime(v); err == nil {
		return min(max(at.Sub(now), 0), maxRetryAfter), true
	}
	return 0, false
}

// PeekBody reads up to n bytes of resp's body and leaves the body whole for
// whoever reads it next (for a ShouldRetry that looks at an error message).
func PeekBody(resp *http.Response, n int64) []byte {
	head, _ := io.ReadAll(io.LimitReader(resp.Body, n))
	resp.Body = &peekedBody{Reader: io.MultiReader(bytes.NewReader(head), resp.Body), Closer: resp.Body}
	return head
}

type peekedBody struct {
	io.Reader
	io.Closer
}
