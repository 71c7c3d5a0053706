package goproxy

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
	"github.com/tollgate-dev/tollgate/registry/internal/registrytest"
)

// The transport cases below share these: a token that must reach the
// registry's own origin only (and never an error message), retries that do
// not wait, a small byte limit and a streamed document far larger than it.
const (
	transportRegistry = "go"
	transportToken    = "transport-secret-token"
	transportRetries  = 2 // attempts are 1 + transportRetries
	transportLimit    = 4 << 10
	streamTotal       = 64 << 20
)

// transportEnv is one case's registry server, a server of another origin,
// the Authorization headers each route saw and the waits the HTTP layer
// was asked for.
type transportEnv struct {
	srv, other *registrytest.Server
	mu         sync.Mutex
	auth       map[string][]string // server URL + path → Authorization of each request
	waits      []time.Duration
	streamed   chan int64 // bytes a streaming handler wrote before it stopped
}

// newTransportEnv uses srv as the registry (nil: a new empty server).
func newTransportEnv(t *testing.T, srv *registrytest.Server) *transportEnv {
	if srv == nil {
		srv = registrytest.New(t)
	}
	return &transportEnv{srv: srv, other: registrytest.New(t), auth: map[string][]string{}, streamed: make(chan int64, 1)}
}

// httpClient retries transportRetries times and records every wait instead
// of sleeping.
func (e *transportEnv) httpClient() *httpx.Client {
	return httpx.New(httpx.Options{
		MaxRetries: transportRetries,
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

// options are the client options of every case: the token, the recording
// HTTP client, and limit as MaxDocumentBytes (0: the default).
func (e *transportEnv) options(base string, limit int64) registry.Options {
	return registry.Options{BaseURL: base, HTTP: e.httpClient(), Credentials: registry.Credentials{Token: transportToken}, MaxDocumentBytes: limit}
}

// handle routes path on s to h, recording each request's Authorization.
func (e *transportEnv) handle(s *registrytest.Server, path string, h http.HandlerFunc) {
	s.Handle(path, func(w http.ResponseWriter, r *http.Request) {
		e.mu.Lock()
		e.auth[s.URL+path] = append(e.auth[s.URL+path], r.Header.Get("Authorization"))
		e.mu.Unlock()
		h(w, r)
	})
}

func (e *transportEnv) authSeen(s *registrytest.Server, path string) []string {
	e.mu.Lock()
	defer e.mu.Unlock()
	return append([]string(nil), e.auth[s.URL+path]...)
}

func (e *transportEnv) waited() []time.Duration {
	e.mu.Lock()
	defer e.mu.Unlock()
	return append([]time.Duration(nil), e.waits...)
}

// wantHops checks that the first hop of a redirect (path on the registry)
// carried the token, and that the second (to on s) carried it only when s
// is the registry's own origin.
func (e *transportEnv) wantHops(t *testing.T, path string, s *registrytest.Server, to string) {
	t.Helper()
	first, second := e.authSeen(e.srv, path), e.authSeen(s, to)
	want := ""
	if s == e.srv {
		want = "Bearer " + transportToken
	}
	if len(first) != 1 || first[0] != "Bearer "+transportToken {
		t.Errorf("the registry saw Authorization %q, want the token once", first)
	}
	if len(second) != 1 || second[0] != want {
		t.Errorf("the redirect's target saw Authorization %q, want %q once", second, want)
	}
}

// wantAttempts checks that path was asked n times.
func (e *transportEnv) wantAttempts(t *testing.T, path string, n int) {
	t.Helper()
	if got := e.srv.Hits(path); got != n {
		t.Errorf("%s: %d requests, want %d", path, got, n)
	}
}

// wantWaits checks the HTTP layer waited exactly these times.
func (e *transportEnv) wantWaits(t *testing.T, want ...time.Duration) {
	t.Helper()
	if got := e.waited(); fmt.Sprint(got) != fmt.Sprint(want) {
		t.Errorf("waits %v, want %v", got, want)
	}
}

// fixture answers with the bytes of file.
func fixture(t *testing.T, file, contentType string) http.HandlerFunc {
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

// limited answers 429 with Retry-After: 1 the first n times, then next.
func limited(n int, next http.HandlerFunc) http.HandlerFunc {
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

// status answers code every time, with Retry-After when retryAfter is set.
func status(code int, retryAfter string) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		if retryAfter != "" {
			w.Header().Set("Retry-After", retryAfter)
		}
		http.Error(w, http.StatusText(code), code)
	}
}

func redirect(code int, to func() string) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) { http.Redirect(w, r, to(), code) }
}

// html answers 200 with an HTML page, as a captive portal or a misrouted
// proxy does.
func html(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	_, _ = w.Write([]byte("<html><head><title>Sign in</title></head><body><p>Please sign in to continue.</p></body></html>"))
}

// stream writes head, then item(0), item(1), ... separated by sep, until
// streamTotal bytes or until the client hangs up, and reports on
// e.streamed what it wrote.
func (e *transportEnv) stream(contentType, head, sep string, item func(i int) string) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", contentType)
		var wrote int64
		defer func() { e.streamed <- wrote }()
		n, err := w.Write([]byte(head))
		wrote += int64(n)
		var buf []byte
		for i := 0; err == nil && wrote < streamTotal; {
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

// wantStopped waits for the streaming handler and fails unless the client
// hung up long before the end of the document.
func (e *transportEnv) wantStopped(t *testing.T) {
	t.Helper()
	select {
	case wrote := <-e.streamed:
		t.Logf("the server wrote %d of %d bytes before the client hung up", wrote, streamTotal)
		if wrote >= streamTotal {
			t.Errorf("the client read the whole %d-byte document (limit %d)", wrote, transportLimit)
		}
	case <-time.After(20 * time.Second):
		t.Error("the streaming handler never stopped: the client kept reading")
	}
}

// wantError checks err is the client's *registry.Error for pkg wrapping
// kind, with the given HTTP status (0: none), never ErrNotFound unless kind
// is, and without the token.
func wantError(t *testing.T, err error, pkg string, kind error, code int) {
	t.Helper()
	var re *registry.Error
	if !errors.As(err, &re) {
		t.Fatalf("error %T %v, want *registry.Error", err, err)
	}
	if re.Registry != transportRegistry || re.Package != pkg || re.Status != code {
		t.Errorf("registry %q package %q status %d, want %s %q %d", re.Registry, re.Package, re.Status, transportRegistry, pkg, code)
	}
	if !errors.Is(err, kind) {
		t.Errorf("%v is not %v", err, kind)
	}
	if kind != registry.ErrNotFound && errors.Is(err, registry.ErrNotFound) {
		t.Errorf("%v is ErrNotFound", err)
	}
	if kind == registry.ErrTooLarge && (errors.Is(err, registry.ErrMalformed) || !strings.Contains(err.Error(), fmt.Sprint(transportLimit, " bytes"))) {
		t.Errorf("%v: want the limit, not malformed", err)
	}
	if msg := err.Error(); !strings.Contains(msg, transportRegistry+` registry: package "`+pkg+`"`) || strings.Contains(msg, transportToken) {
		t.Errorf("message %q", msg)
	}
}

func wantToml(t *testing.T, e *transportEnv, p *registry.Package, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
	if p.Name != "github.com/BurntSushi/toml" || p.Latest != "v1.6.0" || len(p.Versions) != 4 || p.Repository != "https://github.com/BurntSushi/toml" ||
		!p.Created.Equal(time.Date(2024, 6, 5, 17, 12, 54, 0, time.UTC)) {
		t.Fatalf("package %+v", p)
	}
	if v, _ := p.Version("v1.6.0"); v == nil || !v.Published.Equal(time.Date(2025, 12, 18, 9, 0, 0, 0, time.UTC)) || v.ArtifactURL != e.srv.URL+"/github.com/!burnt!sushi/toml/@v/v1.6.0.zip" {
		t.Errorf("v1.6.0 %+v", v)
	}
}

// TestTransport: the Go proxy client over the HTTP layer's answers (@v/list
// and .info; the rest served as recorded).
func TestTransport(t *testing.T) {
	const (
		mod    = "github.com/BurntSushi/toml"
		list   = "/github.com/!burnt!sushi/toml/@v/list"
		info   = "/github.com/!burnt!sushi/toml/@v/v1.6.0.info"
		mirror = "/mirror/github.com/!burnt!sushi/toml/@v/list"
		text   = "text/plain; charset=UTF-8"
	)
	listFile := "testdata/proxy" + list
	infoFile := "testdata/proxy" + info
	tests := []struct {
		name  string
		limit int64
		route func(t *testing.T, e *transportEnv)
		check func(t *testing.T, e *transportEnv, p *registry.Package, err error)
	}{
		{
			name: "429 with Retry-After on the list, then the list",
			route: func(t *testing.T, e *transportEnv) {
				e.handle(e.srv, list, limited(1, fixture(t, listFile, text)))
			},
			check: func(t *testing.T, e *transportEnv, p *registry.Package, err error) {
				wantToml(t, e, p, err)
				e.wantAttempts(t, list, 2)
				e.wantWaits(t, time.Second)
			},
		},
		{
			name: "429 with Retry-After on a .info, then the .info",
			route: func(t *testing.T, e *transportEnv) {
				e.handle(e.srv, info, limited(1, fixture(t, infoFile, "application/json")))
			},
			check: func(t *testing.T, e *transportEnv, p *registry.Package, err error) {
				wantToml(t, e, p, err)
				e.wantAttempts(t, info, 2)
				e.wantWaits(t, time.Second)
			},
		},
		{
			name: "307 on the same origin keeps the token",
			route: func(t *testing.T, e *transportEnv) {
				e.handle(e.srv, list, redirect(http.StatusTemporaryRedirect, func() string { return mirror }))
				e.handle(e.srv, mirror, fixture(t, listFile, text))
			},
			check: func(t *testing.T, e *transportEnv, p *registry.Package, err error) {
				wantToml(t, e, p, err)
				e.wantHops(t, list, e.srv, mirror)
			},
		},
		{
			name: "302 to another origin drops the token",
			route: func(t *testing.T, e *transportEnv) {
				e.handle(e.srv, list, redirect(http.StatusFound, func() string { return e.other.URL + list }))
				e.handle(e.other, list, fixture(t, listFile, text))
			},
			check: func(t *testing.T, e *transportEnv, p *registry.Package, err error) {
				wantToml(t, e, p, err)
				e.wantHops(t, list, e.other, list)
			},
		},
		{
			name: "500 on every attempt at the list",
			route: func(t *testing.T, e *transportEnv) {
				e.handle(e.srv, list, status(http.StatusInternalServerError, ""))
			},
			check: func(t *testing.T, e *transportEnv, p *registry.Package, err error) {
				wantError(t, err, mod, registry.ErrStatus, http.StatusInternalServerError)
				e.wantAttempts(t, list, 1+transportRetries)
				e.wantAttempts(t, info, 0)
			},
		},
		{
			name: "503 with Retry-After on every attempt at a .info",
			route: func(t *testing.T, e *transportEnv) {
				e.handle(e.srv, info, status(http.StatusServiceUnavailable, "1"))
			},
			check: func(t *testing.T, e *transportEnv, p *registry.Package, err error) {
				wantError(t, err, mod, registry.ErrStatus, http.StatusServiceUnavailable)
				e.wantAttempts(t, info, 1+transportRetries)
				if !strings.Contains(err.Error(), info) {
					t.Errorf("%v: want the .info URL", err)
				}
			},
		},
		{
			name: "429 on every attempt",
			route: func(t *testing.T, e *transportEnv) {
				e.handle(e.srv, list, limited(1<<30, nil))
			},
			check: func(t *testing.T, e *transportEnv, p *registry.Package, err error) {
				wantError(t, err, mod, registry.ErrStatus, http.StatusTooManyRequests)
				e.wantAttempts(t, list, 1+transportRetries)
			},
		},
		{
			name:  "a version list over the byte limit, cut inside a line",
			limit: transportLimit,
			route: func(t *testing.T, e *transportEnv) {
				e.handle(e.srv, list, e.stream(text, "", "\n", func(i int) string { return fmt.Sprintf("v1.%d.0", i) }))
			},
			check: func(t *testing.T, e *transportEnv, p *registry.Package, err error) {
				wantError(t, err, mod, registry.ErrTooLarge, 0)
				e.wantStopped(t)
			},
		},
		{
			name:  "a version list over the byte limit, cut between two lines",
			limit: transportLimit,
			route: func(t *testing.T, e *transportEnv) {
				// Every line is 16 bytes: the 4 KiB limit falls after line 256.
				e.handle(e.srv, list, e.stream(text, "", "\n", func(i int) string { return fmt.Sprintf("v1.%010d.0", 1000000000+i) }))
			},
			check: func(t *testing.T, e *transportEnv, p *registry.Package, err error) {
				wantError(t, err, mod, registry.ErrTooLarge, 0)
				e.wantStopped(t)
			},
		},
		{
			name:  "a .info over the byte limit",
			limit: transportLimit,
			route: func(t *testing.T, e *transportEnv) {
				e.handle(e.srv, info, e.stream("application/json", `{"Version":"v1.6.0","Time":"2025-12-18T09:00:00Z","Origin":{"VCS":"git","URL":"https://github.com/BurntSushi/toml","Ref":"refs/tags/v1.6.0","Hash":"0a1b2c3d4e5f60718293a4b5c6d7e8f90a1b2c3d","RepoSum":"r1:`, "", func(int) string {
					return "c2hhMjU2OjBhMWIyYzNkNGU1ZjYwNzE4MjkzYTRiNWM2ZDdlOGY5MGExYjJjM2Q="
				}))
			},
			check: func(t *testing.T, e *transportEnv, p *registry.Package, err error) {
				wantError(t, err, mod, registry.ErrTooLarge, 0)
				e.wantStopped(t)
			},
		},
		{
			name: "an HTML page with 200",
			route: func(t *testing.T, e *transportEnv) {
				e.handle(e.srv, list, html)
			},
			check: func(t *testing.T, e *transportEnv, p *registry.Package, err error) {
				wantError(t, err, mod, registry.ErrMalformed, 0)
			},
		},
		{
			name: "404",
			route: func(t *testing.T, e *transportEnv) {
				e.handle(e.srv, list, func(w http.ResponseWriter, r *http.Request) {
					http.Error(w, "not found: module github.com/BurntSushi/toml: no matching versions for query \"latest\"", http.StatusNotFound)
				})
			},
			check: func(t *testing.T, e *transportEnv, p *registry.Package, err error) {
				wantError(t, err, mod, registry.ErrNotFound, http.StatusNotFound)
				e.wantAttempts(t, list, 1)
			},
		},
		{
			name: "410",
			route: func(t *testing.T, e *transportEnv) {
				e.handle(e.srv, list, func(w http.ResponseWriter, r *http.Request) {
					http.Error(w, "not found: github.com/BurntSushi/toml@v1.6.0: invalid version: unknown revision v1.6.0", http.StatusGone)
				})
			},
			check: func(t *testing.T, e *transportEnv, p *registry.Package, err error) {
				wantError(t, err, mod, registry.ErrNotFound, http.StatusGone)
				e.wantAttempts(t, list, 1)
			},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e := newTransportEnv(t, serveProxy(t, ""))
			tt.route(t, e)
			c, err := New(e.options(e.srv.URL, tt.limit))
			if err != nil {
				t.Fatal(err)
			}
			p, err := c.Package(context.Background(), mod)
			tt.check(t, e, p, err)
		})
	}
}
