package registrytest

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"os"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/tollgate-dev/tollgate/internal/httpx"
	"github.com/tollgate-dev/tollgate/registry"
)

// The transport cases share these: a token that must reach the registry's
// own origin only (and never an error message), retries that do not wait,
// a small byte limit and a streamed document far larger than it.
const (
	// Token is the credential every transport case's client carries.
	Token = "transport-secret-token"
	// Retries is the HTTP layer's retry count: attempts are 1 + Retries.
	Retries = 2
	// ByteLimit is the MaxDocumentBytes of the cases that test the limit.
	ByteLimit = 4 << 10
	// StreamTotal is the size of the document Env.Stream writes when the
	// client does not hang up.
	StreamTotal = 64 << 20
)

// Env is one transport case's registry server, a server of another origin,
// the Authorization headers each route saw and the waits the HTTP layer
// was asked for.
type Env struct {
	// Srv is the registry; Other is a server of another origin.
	Srv, Other *Server
	// Registry is the client's registry name, as its errors give it.
	Registry string
	// Package is the name the case's client is asked for (RunTransport
	// sets it; the errors the case builders expect name it).
	Package  string
	mu       sync.Mutex
	auth     map[string][]string // server URL + path → Authorization of each request
	waits    []time.Duration
	streamed chan int64 // bytes a streaming handler wrote before it stopped
}

// NewEnv uses srv as the registry (nil: a new empty server) of the client
// named registryName in its errors.
func NewEnv(t testing.TB, registryName string, srv *Server) *Env {
	if srv == nil {
		srv = New(t)
	}
	return &Env{Srv: srv, Other: New(t), Registry: registryName, auth: map[string][]string{}, streamed: make(chan int64, 1)}
}

// HTTP retries Retries times and records every wait instead of sleeping.
func (e *Env) HTTP() *httpx.Client {
	return httpx.New(httpx.Options{
		MaxRetries: Retries,
		MinBackoff: time.Millisecond,
		MaxBackoff: time.Millisecond,
		Timeout:    10 * time.Second,
		Sleep: func(ctx context.Context, d time.Duration) error {
			e.mu.Lock()
			e.waits = append(e.waits, d)
			e.mu.Unlock()
			return ctx.Err()
		},
	})
}

// Options are the client options of every case: base as BaseURL, the
// token, the recording HTTP client, and limit as MaxDocumentBytes (0: the
// default).
func (e *Env) Options(base string, limit int64) registry.Options {
	return registry.Options{BaseURL: base, HTTP: e.HTTP(), Credentials: registry.Credentials{Token: Token}, MaxDocumentBytes: limit}
}

// Handle routes path on s to h, recording each request's Authorization.
func (e *Env) Handle(s *Server, path string, h http.HandlerFunc) {
	s.Handle(path, func(w http.ResponseWriter, r *http.Request) {
		e.mu.Lock()
		e.auth[s.URL+path] = append(e.auth[s.URL+path], r.Header.Get("Authorization"))
		e.mu.Unlock()
		h(w, r)
	})
}

// AuthSeen is the Authorization header of each request path on s received
// through Handle, in order.
func (e *Env) AuthSeen(s *Server, path string) []string {
	e.mu.Lock()
	defer e.mu.Unlock()
	return append([]string(nil), e.auth[s.URL+path]...)
}

// Waited is every wait the HTTP layer asked for, in order.
func (e *Env) Waited() []time.Duration {
	e.mu.Lock()
	defer e.mu.Unlock()
	return append([]time.Duration(nil), e.waits...)
}

// WantHops checks that the first hop of a redirect (path on the registry)
// carried the token, and that the second (to on s) carried it only when s
// is the registry's own origin.
func (e *Env) WantHops(t testing.TB, path string, s *Server, to string) {
	t.Helper()
	first, second := e.AuthSeen(e.Srv, path), e.AuthSeen(s, to)
	want := ""
	if s == e.Srv {
		want = "Bearer " + Token
	}
	if len(first) != 1 || first[0] != "Bearer "+Token {
		t.Errorf("the registry saw Authorization %q, want the token once", first)
	}
	if len(second) != 1 || second[0] != want {
		t.Errorf("the redirect's target saw Authorization %q, want %q once", second, want)
	}
}

// WantAttempts checks that path on the registry was asked n times.
func (e *Env) WantAttempts(t testing.TB, path string, n int) {
	t.Helper()
	if got := e.Srv.Hits(path); got != n {
		t.Errorf("%s: %d requests, want %d", path, got, n)
	}
}

// WantWaits checks the HTTP layer waited exactly these times.
func (e *Env) WantWaits(t testing.TB, want ...time.Duration) {
	t.Helper()
	if got := e.Waited(); fmt.Sprint(got) != fmt.Sprint(want) {
		t.Errorf("waits %v, want %v", got, want)
	}
}

// Fixture answers with the bytes of file, served with contentType.
func Fixture(t testing.TB, file, contentType string) http.HandlerFunc {
	t.Helper()
	b, err := os.ReadFile(file)
	if err != nil {
		t.Fatal(err)
	}
	return func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", contentType)
		_, _ = w.Write(b)
	}
}

// Limited answers 429 with Retry-After: 1 the first n times, then next.
func Limited(n int, next http.HandlerFunc) http.HandlerFunc {
	var mu sync.Mutex
	seen := 0
	return func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		seen++
		refuse := seen <= n
		mu.Unlock()
		if refuse {
			w.Header().Set("Retry-After", "1")
			http.Error(w, "Too Many Requests", http.StatusTooManyRequests)
			return
		}
		next(w, r)
	}
}

// Status answers code every time, with Retry-After when retryAfter is set.
func Status(code int, retryAfter string) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		if retryAfter != "" {
			w.Header().Set("Retry-After", retryAfter)
		}
		http.Error(w, http.StatusText(code), code)
	}
}

// Redirect answers code with a Location of to(), asked at each request
// (so that it may name a server started after the route).
func Redirect(code int, to func() string) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) { http.Redirect(w, r, to(), code) }
}

// HTML answers 200 with an HTML page, as a captive portal or a misrouted
// proxy does.
func HTML(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	_, _ = w.Write([]byte("<html><head><title>Sign in</title></head><body><p>Please sign in to continue.</p></body></html>"))
}

// Stream writes head, then item(0), item(1), ... separated by sep, until
// StreamTotal bytes or until the client hangs up, and reports what it
// wrote to WantStopped.
func (e *Env) Stream(contentType, head, sep string, item func(i int) string) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", contentType)
		var wrote int64
		defer func() { e.streamed <- wrote }()
		n, err := w.Write([]byte(head))
		wrote += int64(n)
		var buf []byte
		for i := 0; err == nil && wrote < StreamTotal; {
			buf = buf[:0]
			for ; len(buf) < 32<<10; i++ {
				if i > 0 {
					buf = append(buf, sep...)
				}
				buf = append(buf, item(i)...)
			}
			n, err = w.Write(buf)
			wrote += int64(n)
		}
	}
}

// WantStopped waits for the Stream handler and fails unless the client
// hung up long before the end of the document.
func (e *Env) WantStopped(t testing.TB) {
	t.Helper()
	select {
	case wrote := <-e.streamed:
		t.Logf("the server wrote %d of %d bytes before the client hung up", wrote, StreamTotal)
		if wrote >= StreamTotal {
			t.Errorf("the client read the whole %d-byte document (limit %d)", wrote, ByteLimit)
		}
	case <-time.After(20 * time.Second):
		t.Error("the streaming handler never stopped: the client kept reading")
	}
}

// WantError checks err is the client's *registry.Error for pkg wrapping
// kind, with the given HTTP status (0: none), never ErrNotFound unless kind
// is, naming ByteLimit when kind is ErrTooLarge, and without the token.
func (e *Env) WantError(t testing.TB, err error, pkg string, kind error, code int) {
	t.Helper()
	var re *registry.Error
	if !errors.As(err, &re) {
		t.Fatalf("error %T %v, want *registry.Error", err, err)
	}
	if re.Registry != e.Registry || re.Package != pkg || re.Status != code {
		t.Errorf("registry %q package %q status %d, want %s %q %d", re.Registry, re.Package, re.Status, e.Registry, pkg, code)
	}
	if !errors.Is(err, kind) {
		t.Errorf("%v is not %v", err, kind)
	}
	if kind != registry.ErrNotFound && errors.Is(err, registry.ErrNotFound) {
		t.Errorf("%v is ErrNotFound", err)
	}
	if kind == registry.ErrTooLarge && (errors.Is(err, registry.ErrMalformed) || !strings.Contains(err.Error(), fmt.Sprint(ByteLimit, " bytes"))) {
		t.Errorf("%v: want the limit, not malformed", err)
	}
	if msg := err.Error(); !strings.Contains(msg, e.Registry+` registry: package "`+pkg+`"`) || strings.Contains(msg, Token) {
		t.Errorf("message %q", msg)
	}
}

// Check judges what the client's Package answered in a case.
type Check func(t *testing.T, e *Env, p *registry.Package, err error)

// Case is one transport case: Route replaces the routes it is about,
// Check judges what the client's Package answered.
type Case struct {
	Name string
	// Limit is the client's MaxDocumentBytes (0: the default).
	Limit int64
	Route func(t *testing.T, e *Env)
	Check Check
}

// Transport is what RunTransport needs of one client.
type Transport struct {
	// Registry is the client's registry name, as its errors give it.
	Registry string
	// Package is the name every case asks for.
	Package string
	// Server, when set, starts each case's registry server (nil: an empty
	// one).
	Server func(t *testing.T) *Server
	// Serve, when set, routes the recorded answers each case starts from,
	// before the case's Route replaces some.
	Serve func(t *testing.T, e *Env)
	// BasePath follows the registry server's URL in Options.BaseURL.
	BasePath string
	// New is the client's constructor.
	New func(registry.Options) (registry.Client, error)
}

// RunTransport runs each case as a subtest: a new Env, c's recorded
// answers, the case's routes, then c's client asked for c.Package.
func RunTransport(t *testing.T, c Transport, cases []Case) {
	t.Helper()
	for _, tt := range cases {
		t.Run(tt.Name, func(t *testing.T) {
			var srv *Server
			if c.Server != nil {
				srv = c.Server(t)
			}
			e := NewEnv(t, c.Registry, srv)
			e.Package = c.Package
			if c.Serve != nil {
				c.Serve(t, e)
			}
			tt.Route(t, e)
			client, err := c.New(e.Options(e.Srv.URL+c.BasePath, tt.Limit))
			if err != nil {
				t.Fatal(err)
			}
			p, err := client.Package(context.Background(), c.Package)
			tt.Check(t, e, p, err)
		})
	}
}

// Doc is a document the registry serves in the cases: its escaped path,
// and the recorded file that answers it with its Content-Type.
type Doc struct{ Path, File, Type string }

func (d Doc) answer(t testing.TB) http.HandlerFunc { return Fixture(t, d.File, d.Type) }

// all runs each check in turn.
func all(t *testing.T, e *Env, p *registry.Package, err error, checks []Check) {
	t.Helper()
	for _, c := range checks {
		c(t, e, p, err)
	}
}

// Attempts is the check that path on the registry was asked n times.
func Attempts(path string, n int) Check {
	return func(t *testing.T, e *Env, p *registry.Package, err error) {
		t.Helper()
		e.WantAttempts(t, path, n)
	}
}

// Waits is the check that the HTTP layer waited exactly these times.
func Waits(want ...time.Duration) Check {
	return func(t *testing.T, e *Env, p *registry.Package, err error) {
		t.Helper()
		e.WantWaits(t, want...)
	}
}

// Mentions is the check that the error's message holds s (what names s in
// the failure).
func Mentions(s, what string) Check {
	return func(t *testing.T, e *Env, p *registry.Package, err error) {
		t.Helper()
		if !strings.Contains(err.Error(), s) {
			t.Errorf("%v: want %s", err, what)
		}
	}
}

// RetriedAfter is the case of d answering 429 with Retry-After: 1 once and
// then its file: want passes, d was asked twice after one wait of a
// second, and the checks also hold.
func RetriedAfter(name string, d Doc, want Check, also ...Check) Case {
	return Case{
		Name:  name,
		Route: func(t *testing.T, e *Env) { e.Handle(e.Srv, d.Path, Limited(1, d.answer(t))) },
		Check: func(t *testing.T, e *Env, p *registry.Package, err error) {
			t.Helper()
			want(t, e, p, err)
			e.WantAttempts(t, d.Path, 2)
			e.WantWaits(t, time.Second)
			all(t, e, p, err, also)
		},
	}
}

// SameOrigin is the case of d redirecting (code) to mirror on the registry,
// which answers d's file: want passes and both hops carried the token.
func SameOrigin(name string, code int, d Doc, mirror string, want Check) Case {
	return Case{
		Name: name,
		Route: func(t *testing.T, e *Env) {
			e.Handle(e.Srv, d.Path, Redirect(code, func() string { return mirror }))
			e.Handle(e.Srv, mirror, d.answer(t))
		},
		Check: func(t *testing.T, e *Env, p *registry.Package, err error) {
			t.Helper()
			want(t, e, p, err)
			e.WantHops(t, d.Path, e.Srv, mirror)
		},
	}
}

// CrossOrigin is the case of d redirecting (code) to the same path on the
// other origin, which answers d's file: want passes, the first hop carried
// the token and the second none.
func CrossOrigin(name string, code int, d Doc, want Check) Case {
	return Case{
		Name: name,
		Route: func(t *testing.T, e *Env) {
			e.Handle(e.Srv, d.Path, Redirect(code, func() string { return e.Other.URL + d.Path }))
			e.Handle(e.Other, d.Path, d.answer(t))
		},
		Check: func(t *testing.T, e *Env, p *registry.Package, err error) {
			t.Helper()
			want(t, e, p, err)
			e.WantHops(t, d.Path, e.Other, d.Path)
		},
	}
}

// TooLarge is the case of path streaming (Env.Stream) a document far over
// ByteLimit: the error is ErrTooLarge, the client hung up early, and the
// checks also hold.
func TooLarge(name, path, contentType, head, sep string, item func(i int) string, also ...Check) Case {
	return Case{
		Name:  name,
		Limit: ByteLimit,
		Route: func(t *testing.T, e *Env) { e.Handle(e.Srv, path, e.Stream(contentType, head, sep, item)) },
		Check: func(t *testing.T, e *Env, p *registry.Package, err error) {
			t.Helper()
			e.WantError(t, err, e.Package, registry.ErrTooLarge, 0)
			e.WantStopped(t)
			all(t, e, p, err, also)
		},
	}
}

// Refused is the case of path answering code (with Retry-After when
// retryAfter is set) every time: the error is ErrStatus with code after
// 1 + Retries attempts, and the checks also hold.
func Refused(name, path string, code int, retryAfter string, also ...Check) Case {
	return answered(name, path, Status(code, retryAfter), registry.ErrStatus, code, append([]Check{Attempts(path, 1+Retries)}, also...))
}

// Throttled is the case of path answering 429 with Retry-After: 1 every
// time: the error is ErrStatus with 429 after 1 + Retries attempts, and the
// checks also hold.
func Throttled(name, path string, also ...Check) Case {
	return answered(name, path, Limited(1<<30, nil), registry.ErrStatus, http.StatusTooManyRequests, append([]Check{Attempts(path, 1+Retries)}, also...))
}

// HTMLPage is the case of path answering 200 with an HTML page: the error
// is ErrMalformed.
func HTMLPage(name, path string) Case {
	return answered(name, path, HTML, registry.ErrMalformed, 0, nil)
}

// ErrorPage answers code with body, as http.Error writes it.
func ErrorPage(code int, body string) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) { http.Error(w, body, code) }
}

// NotFound is the case of path answered by h with code, the registry's
// "no such package": the error is ErrNotFound with code, after one
// attempt.
func NotFound(name, path string, code int, h http.HandlerFunc) Case {
	return answered(name, path, h, registry.ErrNotFound, code, []Check{Attempts(path, 1)})
}

// answered is the case of path answered by h: the error is the client's
// for the package, wrapping kind with the HTTP status code (0: none), and
// the checks also hold.
func answered(name, path string, h http.HandlerFunc, kind error, code int, also []Check) Case {
	return Case{
		Name:  name,
		Route: func(t *testing.T, e *Env) { e.Handle(e.Srv, path, h) },
		Check: func(t *testing.T, e *Env, p *registry.Package, err error) {
			t.Helper()
			e.WantError(t, err, e.Package, kind, code)
			all(t, e, p, err, also)
		},
	}
}
