// Package registrytest serves recorded registry answers from httptest
// servers for the registry clients' tests: no test touches the network.
package registrytest

import (
	"context"
	"net/http"
	"net/http/httptest"
	"os"
	"sync"
	"testing"
	"time"

	"github.com/tollgate-dev/tollgate/internal/httpx"
)

// Server is an httptest server with a route per request path (the escaped
// path, as sent: "/@types%2fleft-pad"), counting the requests it answers.
type Server struct {
	*httptest.Server
	mu     sync.Mutex
	routes map[string]http.HandlerFunc
	hits   map[string]int
	// Requests records every request, in order.
	Requests []*http.Request
}

// New starts a server that answers 404 for every path without a route,
// and closes it at the end of the test.
func New(t testing.TB) *Server {
	s := &Server{routes: map[string]http.HandlerFunc{}, hits: map[string]int{}}
	s.Server = httptest.NewServer(http.HandlerFunc(s.serve))
	t.Cleanup(s.Close)
	return s
}

func (s *Server) serve(w http.ResponseWriter, r *http.Request) {
	path := r.URL.EscapedPath()
	s.mu.Lock()
	h := s.routes[path]
	s.hits[path]++
	s.Requests = append(s.Requests, r.Clone(context.Background()))
	s.mu.Unlock()
	if h == nil {
		http.Error(w, `{"error":"Not found"}`, http.StatusNotFound)
		return
	}
	h(w, r)
}

// Handle routes the escaped path to h.
func (s *Server) Handle(path string, h http.HandlerFunc) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.routes[path] = h
}

// File routes path to the bytes of file, served with contentType and the
// extra header pairs (name, value, ...).
func (s *Server) File(t testing.TB, path, file, contentType string, header ...string) {
	t.Helper()
	b, err := os.ReadFile(file)
	if err != nil {
		t.Fatal(err)
	}
	s.Bytes(path, b, contentType, header...)
}

// Bytes routes path to b.
func (s *Server) Bytes(path string, b []byte, contentType string, header ...string) {
	s.Handle(path, func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", contentType)
		for i := 0; i+1 < len(header); i += 2 {
			w.Header().Set(header[i], header[i+1])
		}
		_, _ = w.Write(b)
	})
}

// Hits is how many requests path received.
func (s *Server) Hits(path string) int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.hits[path]
}

// HTTP returns an httpx client for tests: two retries that do not wait.
func HTTP() *httpx.Client {
	return httpx.New(httpx.Options{
		MaxRetries: 2,
		Timeout:    10 * time.Second,
		Sleep:      func(ctx context.Context, d time.Duration) error { return ctx.Err() },
	})
}
