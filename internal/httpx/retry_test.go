package httpx

import (
	"bytes"
	"context"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

// fakeClock is a settable clock and a sleep that records its waits and
// returns at once.
type fakeClock struct {
	mu    sync.Mutex
	now   time.Time
	waits []time.Duration
}

func newFakeClock() *fakeClock {
	return &fakeClock{now: time.Date(2026, 3, 4, 5, 6, 7, 0, time.UTC)}
}

func (f *fakeClock) Now() time.Time {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.now
}

func (f *fakeClock) Advance(d time.Duration) {
	f.mu.Lock()
	f.now = f.now.Add(d)
	f.mu.Unlock()
}

func (f *fakeClock) Sleep(ctx context.Context, d time.Duration) error {
	f.mu.Lock()
	f.waits = append(f.waits, d)
	f.mu.Unlock()
	return ctx.Err()
}

func (f *fakeClock) Waits() []time.Duration {
	f.mu.Lock()
	defer f.mu.Unlock()
	return append([]time.Duration(nil), f.waits...)
}

// answer is one recorded response shape.
type answer struct {
	status int
	header map[string]string
	body   string
	// hangUp closes the connection without an answer (a network error).
	hangUp bool
}

func noJitter(int64) int64 { return 0 }

func TestRetries(t *testing.T) {
	clock := newFakeClock()
	httpDate := clock.Now().Add(10 * time.Second).Format(http.TimeFormat)
	pastDate := clock.Now().Add(-time.Hour).Format(http.TimeFormat)
	secondary := func(resp *http.Response) (bool, time.Duration) {
		if resp.StatusCode == http.StatusForbidden && bytes.Contains(PeekBody(resp, 1<<10), []byte("secondary rate limit")) {
			return true, 3 * time.Second
		}
		return DefaultShouldRetry(resp)
	}
	tests := []struct {
		name        string
		method      string
		body        string
		opaqueBody  bool // a body without GetBody: not replayable
		call        []CallOption
		opts        Options
		answers     []answer
		wantCalls   int
		wantStatus  int   // 0: an error is wanted
		wantErr     error // checked with errors.Is when wantStatus is 0
		wantWaits   []time.Duration
		wantBody    string
		wantErrText []string
	}{
		{
			name: "GET retried on 503 until it succeeds", method: http.MethodGet,
			answers:   []answer{{status: 503}, {status: 503}, {status: 200, body: "ok"}},
			wantCalls: 3, wantStatus: 200, wantBody: "ok", wantWaits: []time.Duration{100 * time.Millisecond, 200 * time.Millisecond},
		},
		{
			name: "GET gives up after MaxRetries and returns the last answer", method: http.MethodGet,
			opts:      Options{MaxRetries: 2},
			answers:   []answer{{status: 502}},
			wantCalls: 3, wantStatus: 502, wantWaits: []time.Duration{100 * time.Millisecond, 200 * time.Millisecond},
		},
		{
			name: "default MaxRetries is applied", method: http.MethodGet,
			answers:   []answer{{status: 500}},
			wantCalls: 1 + DefaultMaxRetries, wantStatus: 500,
			wantWaits: []time.Duration{100 * time.Millisecond, 200 * time.Millisecond, 400 * time.Millisecond, 800 * time.Millisecond},
		},
		{
			name: "negative MaxRetries: one attempt", method: http.MethodGet,
			opts:      Options{MaxRetries: -1},
			answers:   []answer{{status: 503}},
			wantCalls: 1, wantStatus: 503,
		},
		{
			name: "backoff doubles up to MaxBackoff", method: http.MethodGet,
			opts:      Options{MaxRetries: 5, MaxBackoff: 400 * time.Millisecond},
			answers:   []answer{{status: 503}},
			wantCalls: 6, wantStatus: 503,
			wantWaits: []time.Duration{100 * time.Millisecond, 200 * time.Millisecond, 400 * time.Millisecond, 400 * time.Millisecond, 400 * time.Millisecond},
		},
		{
			name: "POST not retried on 503 (it may have been applied)", method: http.MethodPost, body: `{"q":1}`,
			answers:   []answer{{status: 503}, {status: 200}},
			wantCalls: 1, wantStatus: 503,
		},
		{
			name: "POST marked Retryable is retried on 503 with its whole body", method: http.MethodPost, body: `{"q":1}`,
			call:      []CallOption{Retryable()},
			answers:   []answer{{status: 503}, {status: 200, body: "done"}},
			wantCalls: 2, wantStatus: 200, wantBody: "done", wantWaits: []time.Duration{100 * time.Millisecond},
		},
		{
			name: "POST retried on 429 (refused before acting)", method: http.MethodPost, body: `{"q":1}`,
			answers:   []answer{{status: 429}, {status: 201}},
			wantCalls: 2, wantStatus: 201, wantWaits: []time.Duration{100 * time.Millisecond},
		},
		{
			name: "a body that cannot be replayed is sent once", method: http.MethodPost, body: `{"q":1}`, opaqueBody: true,
			call:      []CallOption{Retryable()},
			answers:   []answer{{status: 429}, {status: 200}},
			wantCalls: 1, wantStatus: 429,
		},
		{
			name: "400 is not retried", method: http.MethodGet,
			answers:   []answer{{status: 400}, {status: 200}},
			wantCalls: 1, wantStatus: 400,
		},
		{
			name: "Retry-After seconds honoured exactly", method: http.MethodGet,
			answers:   []answer{{status: 429, header: map[string]string{"Retry-After": "7"}}, {status: 200}},
			wantCalls: 2, wantStatus: 200, wantWaits: []time.Duration{7 * time.Second},
		},
		{
			name: "Retry-After HTTP-date honoured", method: http.MethodGet,
			answers:   []answer{{status: 503, header: map[string]string{"Retry-After": httpDate}}, {status: 200}},
			wantCalls: 2, wantStatus: 200, wantWaits: []time.Duration{10 * time.Second},
		},
		{
			name: "Retry-After date in the past: backoff", method: http.MethodGet,
			answers:   []answer{{status: 503, header: map[string]string{"Retry-After": pastDate}}, {status: 200}},
			wantCalls: 2, wantStatus: 200, wantWaits: []time.Duration{100 * time.Millisecond},
		},
		{
			name: "Retry-After unreadable: backoff", method: http.MethodGet,
			answers:   []answer{{status: 503, header: map[string]string{"Retry-After": "soon"}}, {status: 200}},
			wantCalls: 2, wantStatus: 200, wantWaits: []time.Duration{100 * time.Millisecond},
		},
		{
			name: "Retry-After beyond MaxWait ends the retries with an error", method: http.MethodGet,
			answers:   []answer{{status: 429, header: map[string]string{"Retry-After": "120"}}, {status: 200}},
			wantCalls: 1, wantErr: ErrWaitTooLong,
			wantErrText: []string{"HTTP 429", "wait 2m0s", "1m0s limit"},
		},
		{
			name: "a huge Retry-After does not overflow", method: http.MethodGet,
			answers:   []answer{{status: 503, header: map[string]string{"Retry-After": "99999999999999999"}}},
			wantCalls: 1, wantErr: ErrWaitTooLong,
		},
		{
			name: "MaxWait is the caller's", method: http.MethodGet,
			opts:      Options{MaxWait: 5 * time.Second},
			answers:   []answer{{status: 429, header: map[string]string{"Retry-After": "7"}}},
			wantCalls: 1, wantErr: ErrWaitTooLong,
		},
		{
			name: "network error on GET retried", method: http.MethodGet,
			answers:   []answer{{hangUp: true}, {status: 200, body: "ok"}},
			wantCalls: 2, wantStatus: 200, wantBody: "ok", wantWaits: []time.Duration{100 * time.Millisecond},
		},
		{
			name: "network error on POST not retried", method: http.MethodPost, body: "x",
			answers:   []answer{{hangUp: true}, {status: 200}},
			wantCalls: 1, wantErrText: []string{"POST http://"},
		},
		{
			name: "network errors bounded, attempts named", method: http.MethodGet,
			opts:      Options{MaxRetries: 2},
			answers:   []answer{{hangUp: true}},
			wantCalls: 3, wantErrText: []string{"after 3 attempts"}, wantWaits: []time.Duration{100 * time.Millisecond, 200 * time.Millisecond},
		},
		{
			name: "ShouldRetry expresses a 403 secondary rate limit, body kept", method: http.MethodPost, body: "x",
			opts:      Options{ShouldRetry: secondary},
			answers:   []answer{{status: 403, body: "You have exceeded a secondary rate limit"}, {status: 403, body: "Resource not accessible"}},
			wantCalls: 2, wantStatus: 403, wantBody: "Resource not accessible", wantWaits: []time.Duration{3 * time.Second},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var calls atomic.Int32
			srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				n := int(calls.Add(1)) - 1
				if b, _ := io.ReadAll(r.Body); string(b) != tt.body {
					t.Errorf("attempt %d: body %q, want %q", n+1, b, tt.body)
				}
				a := tt.answers[min(n, len(tt.answers)-1)]
				if a.hangUp {
					conn, _, err := w.(http.Hijacker).Hijack()
					if err == nil {
						conn.Close()
					}
					return
				}
				for k, v := range a.header {
					w.Header().Set(k, v)
				}
				w.WriteHeader(a.status)
				io.WriteString(w, a.body)
			}))
			defer srv.Close()
			clock := newFakeClock()
			opts := tt.opts
			opts.Now, opts.Sleep, opts.Jitter = clock.Now, clock.Sleep, noJitter
			if opts.MinBackoff == 0 {
				opts.MinBackoff = 100 * time.Millisecond
			}
			c := New(opts)
			var body io.Reader
			if tt.body != "" {
				body = strings.NewReader(tt.body)
				if tt.opaqueBody {
					body = io.NopCloser(body)
				}
			}
			req, _ := http.NewRequest(tt.method, srv.URL+"/x", body)
			resp, err := c.Do(req, tt.call...)
			if got := int(calls.Load()); got != tt.wantCalls {
				t.Errorf("%d calls, want %d", got, tt.wantCalls)
			}
			if tt.wantStatus != 0 {
				if err != nil {
					t.Fatalf("error %v, want HTTP %d", err, tt.wantStatus)
				}
				b, _ := io.ReadAll(resp.Body)
				resp.Body.Close()
				if resp.StatusCode != tt.wantStatus || string(b) != tt.wantBody {
					t.Errorf("HTTP %d %q, want %d %q", resp.StatusCode, b, tt.wantStatus, tt.wantBody)
				}
			} else {
				if err == nil {
					resp.Body.Close()
					t.Fatalf("HTTP %d, want an error", resp.StatusCode)
				}
				if tt.wantErr != nil && !errors.Is(err, tt.wantErr) {
					t.Errorf("error %v, want %v", err, tt.wantErr)
				}
				var he *Error
				if !errors.As(err, &he) || he.Attempts != tt.wantCalls {
					t.Errorf("error %#v: want an *Error with %d attempts", err, tt.wantCalls)
				}
			}
			for _, s := range tt.wantErrText {
				if err == nil || !strings.Contains(err.Error(), s) {
					t.Errorf("error %v, want it to say %q", err, s)
				}
			}
			if got := clock.Waits(); !equalDurations(got, tt.wantWaits) {
				t.Errorf("waits %v, want %v", got, tt.wantWaits)
			}
		})
	}
}

func equalDurations(a, b []time.Duration) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}

func TestWaitTooLongError(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Retry-After", "3600")
		w.WriteHeader(http.StatusTooManyRequests)
	}))
	defer srv.Close()
	clock := newFakeClock()
	c := New(Options{Sleep: clock.Sleep, Now: clock.Now})
	req, _ := http.NewRequest(http.MethodGet, srv.URL, nil)
	_, err := c.Do(req)
	var he *Error
	if !errors.As(err, &he) || he.Status != 429 || he.Wait != time.Hour || he.Attempts != 1 {
		t.Fatalf("error %#v", err)
	}
	// The HTTPClient face hands the response back: the library reads it.
	resp, err := c.HTTPClient().Get(srv.URL)
	if err != nil || resp.StatusCode != 429 || resp.Header.Get("Retry-After") != "3600" {
		t.Fatalf("HTTPClient: %v %v", resp, err)
	}
	resp.Body.Close()
	if len(clock.Waits()) != 0 {
		t.Errorf("waited %v", clock.Waits())
	}
}

func TestJitterBounds(t *testing.T) {
	c := New(Options{MinBackoff: 100 * time.Millisecond, MaxBackoff: 800 * time.Millisecond})
	for n := 1; n <= 6; n++ {
		base := min(100*time.Millisecond<<(n-1), 800*time.Millisecond)
		seen := map[time.Duration]bool{}
		for range 500 {
			d := c.backoff(n)
			if d < base || d > base+base/2 {
				t.Fatalf("retry %d: wait %v outside [%v, %v]", n, d, base, base+base/2)
			}
			seen[d] = true
		}
		if len(seen) < 10 {
			t.Errorf("retry %d: only %d distinct waits in 500: no jitter", n, len(seen))
		}
	}
	// The extremes of the jitter source give exactly the bounds.
	lo := New(Options{MinBackoff: time.Second, Jitter: func(int64) int64 { return 0 }})
	hi := New(Options{MinBackoff: time.Second, Jitter: func(n int64) int64 { return n - 1 }})
	if lo.backoff(1) != time.Second || hi.backoff(1) != 1500*time.Millisecond {
		t.Errorf("bounds %v, %v", lo.backoff(1), hi.backoff(1))
	}
}

func TestRetryAfter(t *testing.T) {
	now := time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)
	for _, tc := range []struct {
		value string
		want  time.Duration
		ok    bool
	}{
		{"", 0, false},
		{"0", 0, true},
		{"30", 30 * time.Second, true},
		{"-1", 0, false},
		{"1.5", 0, false},
		{now.Add(90 * time.Second).Format(http.TimeFormat), 90 * time.Second, true},
		{now.Add(-time.Minute).Format(http.TimeFormat), 0, true},
		{"Fri, 02 Jan 2026 03:05:05 GMT", time.Minute, true},
		{"Friday, 02-Jan-26 03:05:05 GMT", time.Minute, true}, // RFC 850, which RFC 9110 still accepts
		{"next week", 0, false},
	} {
		h := http.Header{}
		if tc.value != "" {
			h.Set("Retry-After", tc.value)
		}
		got, ok := RetryAfter(h, now)
		if got != tc.want || ok != tc.ok {
			t.Errorf("Retry-After %q: %v %v, want %v %v", tc.value, got, ok, tc.want, tc.ok)
		}
	}
}

func TestMaxInFlightEnforced(t *testing.T) {
	const limit, requests = 2, 8
	var current, peak atomic.Int32
	release := make(chan struct{})
	arrived := make(chan struct{}, requests)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		n := current.Add(1)
		for {
			p := peak.Load()
			if n <= p || peak.CompareAndSwap(p, n) {
				break
			}
		}
		arrived <- struct{}{}
		<-release
		current.Add(-1)
		io.WriteString(w, "ok")
	}))
	defer srv.Close()
	c := New(Options{MaxInFlight: limit})
	var wg sync.WaitGroup
	errs := make(chan error, requests)
	for range requests {
		wg.Add(1)
		go func() {
			defer wg.Done()
			req, _ := http.NewRequest(http.MethodGet, srv.URL, nil)
			resp, err := c.Do(req)
			if err != nil {
				errs <- err
				return
			}
			io.Copy(io.Discard, resp.Body)
			resp.Body.Close()
		}()
	}
	for range limit {
		<-arrived
	}
	// With the limit reached, no third request may arrive.
	select {
	case <-arrived:
		t.Errorf("a request beyond the limit of %d arrived", limit)
	case <-time.After(100 * time.Millisecond):
	}
	close(release)
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}
	if p := peak.Load(); p != limit {
		t.Errorf("peak %d in flight, want %d", p, limit)
	}
}

func TestInFlightHeldUntilBodyClosed(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		io.WriteString(w, "body")
	}))
	defer srv.Close()
	c := New(Options{MaxInFlight: 1})
	req, _ := http.NewRequest(http.MethodGet, srv.URL, nil)
	first, err := c.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	// The first body is open: its slot is taken, a second request waits.
	ctx, cancel := context.WithTimeout(context.Background(), 50*time.Millisecond)
	defer cancel()
	req2, _ := http.NewRequestWithContext(ctx, http.MethodGet, srv.URL, nil)
	if _, err := c.Do(req2); !errors.Is(err, context.DeadlineExceeded) {
		t.Errorf("second request while the first body is open: %v", err)
	}
	first.Body.Close()
	req3, _ := http.NewRequest(http.MethodGet, srv.URL, nil)
	third, err := c.Do(req3)
	if err != nil {
		t.Fatalf("after the close: %v", err)
	}
	third.Body.Close()
}

func TestTimeoutPerAttempt(t *testing.T) {
	var calls atomic.Int32
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if calls.Add(1) == 1 || r.URL.Path == "/slow" {
			<-r.Context().Done() // never answers in time
			return
		}
		io.WriteString(w, "ok")
	}))
	defer srv.Close()
	clock := newFakeClock()
	c := New(Options{Timeout: 50 * time.Millisecond, MaxRetries: 2, Sleep: clock.Sleep})
	req, _ := http.NewRequest(http.MethodGet, srv.URL+"/x", nil)
	resp, err := c.Do(req)
	if err != nil || calls.Load() != 2 {
		t.Fatalf("after one timed-out attempt: %v, %d calls", err, calls.Load())
	}
	resp.Body.Close()

	calls.Store(0)
	req, _ = http.NewRequest(http.MethodGet, srv.URL+"/slow", nil)
	_, err = c.Do(req)
	var he *Error
	if !errors.Is(err, ErrTimeout) || !errors.As(err, &he) || !he.Timeout() || he.Attempts != 3 || calls.Load() != 3 {
		t.Errorf("always slow: %v (%d calls)", err, calls.Load())
	}
	if !strings.Contains(err.Error(), "no answer within 50ms") || !strings.Contains(err.Error(), "after 3 attempts") {
		t.Errorf("message %q", err)
	}
}

func TestContextCancelledWhileWaiting(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Retry-After", "30")
		w.WriteHeader(http.StatusServiceUnavailable)
	}))
	defer srv.Close()
	for _, face := range []string{"Do", "HTTPClient"} {
		t.Run(face, func(t *testing.T) {
			c := New(Options{}) // the real sleep: the wait must end with the context
			ctx, cancel := context.WithCancel(context.Background())
			req, _ := http.NewRequestWithContext(ctx, http.MethodGet, srv.URL, nil)
			time.AfterFunc(30*time.Millisecond, cancel)
			start := time.Now()
			var err error
			if face == "Do" {
				_, err = c.Do(req)
			} else {
				_, err = c.HTTPClient().Do(req)
			}
			if time.Since(start) > 5*time.Second {
				t.Error("cancellation not honoured while waiting")
			}
			if !errors.Is(err, context.Canceled) || !strings.Contains(err.Error(), "while waiting 30s to retry") || !strings.Contains(err.Error(), "last answer HTTP 503") {
				t.Errorf("error %v", err)
			}
		})
	}
}

func TestUserAgent(t *testing.T) {
	var got []string
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		got = append(got, r.UserAgent())
	}))
	defer srv.Close()
	c := New(Options{UserAgent: "tollgate-test"})
	req, _ := http.NewRequest(http.MethodGet, srv.URL, nil)
	resp, _ := c.Do(req)
	resp.Body.Close()
	req, _ = http.NewRequest(http.MethodGet, srv.URL, nil)
	req.Header.Set("User-Agent", "own/1")
	resp, _ = c.Do(req)
	resp.Body.Close()
	if len(got) != 2 || got[0] != "tollgate-test" || got[1] != "own/1" {
		t.Errorf("user agents %q", got)
	}
	if New(Options{}).opts.UserAgent != DefaultUserAgent {
		t.Error("no default User-Agent")
	}
}

func TestDefaults(t *testing.T) {
	o := New(Options{}).opts
	if o.Timeout != DefaultTimeout || o.MaxRetries != DefaultMaxRetries || o.MinBackoff != DefaultMinBackoff ||
		o.MaxBackoff != DefaultMaxBackoff || o.MaxWait != DefaultMaxWait || o.MaxInFlight != DefaultMaxInFlight ||
		o.CacheTTL != DefaultCacheTTL || o.MaxCacheEntry != DefaultMaxCacheEntry {
		t.Errorf("defaults not applied: %+v", o)
	}
	if o := New(Options{MaxRetries: -3, Timeout: -1}).opts; o.MaxRetries != 0 || o.Timeout >= 0 {
		t.Errorf("negative limits: %+v", o)
	}
}

func TestOverallTimeout(t *testing.T) {
	var calls atomic.Int32
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		calls.Add(1)
		<-r.Context().Done()
	}))
	defer srv.Close()
	// The caller's client Timeout bounds the whole call, retries included;
	// every run says so the same way.
	c := New(Options{HTTPClient: &http.Client{Timeout: 80 * time.Millisecond}, Timeout: 30 * time.Millisecond, MinBackoff: time.Millisecond})
	for range 5 {
		calls.Store(0)
		req, _ := http.NewRequest(http.MethodGet, srv.URL, nil)
		_, err := c.Do(req)
		var he *Error
		if !errors.Is(err, ErrTimeout) || !errors.As(err, &he) || !he.Timeout() || !strings.Contains(err.Error(), "Timeout of 80ms ran out") {
			t.Fatalf("error %v", err)
		}
		if n := calls.Load(); n < 1 || n > 3 {
			t.Errorf("%d attempts within 80 ms of 30 ms each", n)
		}
	}
}
