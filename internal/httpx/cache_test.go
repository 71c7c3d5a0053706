package httpx

import (
	"bytes"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"
	"time"
)

func TestCache(t *testing.T) {
	var calls atomic.Int32
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		calls.Add(1)
		body, _ := io.ReadAll(r.Body)
		switch r.URL.Path {
		case "/missing":
			http.NotFound(w, r)
			return
		case "/big":
			io.WriteString(w, strings.Repeat("b", 2048))
			return
		}
		w.Header().Set("Content-Type", "application/json")
		w.Header().Set("Set-Cookie", "session=cookie-s3cret")
		w.Header().Set("Link", `<x?page=2>; rel="next"`)
		io.WriteString(w, `{"path":"`+r.URL.Path+`","body":"`+string(body)+`"}`)
	}))
	defer srv.Close()
	clock := newFakeClock()
	dir := t.TempDir()
	c := New(Options{CacheDir: dir, CacheTTL: time.Hour, MaxCacheEntry: 1024, Now: clock.Now, Sleep: clock.Sleep})

	// do returns the body and how many requests reached the server for it.
	do := func(method, path, body string, header map[string]string, opts ...CallOption) (string, int) {
		t.Helper()
		before := calls.Load()
		var rd io.Reader
		if body != "" {
			rd = strings.NewReader(body)
		}
		req, _ := http.NewRequest(method, srv.URL+path, rd)
		for k, v := range header {
			req.Header.Set(k, v)
		}
		resp, err := c.Do(req, opts...)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		if resp.StatusCode == http.StatusOK && resp.Header.Get("Set-Cookie") != "" && calls.Load() == before {
			t.Error("a cached answer carries Set-Cookie")
		}
		return string(b), int(calls.Load() - before)
	}

	tests := []struct {
		name    string
		advance time.Duration
		method  string
		path    string
		body    string
		header  map[string]string
		opts    []CallOption
		want    string
		calls   int
	}{
		{name: "miss", method: "GET", path: "/a", want: `{"path":"/a","body":""}`, calls: 1},
		{name: "hit", method: "GET", path: "/a", want: `{"path":"/a","body":""}`, calls: 0},
		{name: "another URL misses", method: "GET", path: "/a?v=2", want: `{"path":"/a","body":""}`, calls: 1},
		{name: "still fresh before the TTL", advance: 59 * time.Minute, method: "GET", path: "/a", want: `{"path":"/a","body":""}`, calls: 0},
		{name: "caller-given freshness shorter than the age", method: "GET", path: "/a", opts: []CallOption{MaxAge(time.Minute)}, want: `{"path":"/a","body":""}`, calls: 1},
		{name: "refreshed entry hits", method: "GET", path: "/a", want: `{"path":"/a","body":""}`, calls: 0},
		{name: "expired after the TTL", advance: time.Hour, method: "GET", path: "/a", want: `{"path":"/a","body":""}`, calls: 1},
		{name: "NoCache neither reads nor writes", method: "GET", path: "/n", opts: []CallOption{NoCache()}, want: `{"path":"/n","body":""}`, calls: 1},
		{name: "NoCache left nothing behind", method: "GET", path: "/n", want: `{"path":"/n","body":""}`, calls: 1},
		{name: "POST without MaxAge is not cached", method: "POST", path: "/q", body: "q1", want: `{"path":"/q","body":"q1"}`, calls: 1},
		{name: "POST without MaxAge again", method: "POST", path: "/q", body: "q1", want: `{"path":"/q","body":"q1"}`, calls: 1},
		{name: "POST with MaxAge misses", method: "POST", path: "/q", body: "q1", opts: []CallOption{MaxAge(time.Hour)}, want: `{"path":"/q","body":"q1"}`, calls: 1},
		{name: "POST with the same body hits", method: "POST", path: "/q", body: "q1", opts: []CallOption{MaxAge(time.Hour)}, want: `{"path":"/q","body":"q1"}`, calls: 0},
		{name: "POST with another body misses", method: "POST", path: "/q", body: "q2", opts: []CallOption{MaxAge(time.Hour)}, want: `{"path":"/q","body":"q2"}`, calls: 1},
		{name: "an answer over MaxCacheEntry is returned whole", method: "GET", path: "/big", want: strings.Repeat("b", 2048), calls: 1},
		{name: "and not stored", method: "GET", path: "/big", want: strings.Repeat("b", 2048), calls: 1},
		{name: "a 404 is not stored", method: "GET", path: "/missing", want: "404 page not found\n", calls: 1},
		{name: "a 404 again", method: "GET", path: "/missing", want: "404 page not found\n", calls: 1},
		{name: "Authorization: never cached", method: "GET", path: "/private", header: map[string]string{"Authorization": "Bearer hdr-s3cret"}, want: `{"path":"/private","body":""}`, calls: 1},
		{name: "Authorization: again", method: "GET", path: "/private", header: map[string]string{"Authorization": "Bearer hdr-s3cret"}, want: `{"path":"/private","body":""}`, calls: 1},
		{name: "token in the query: never cached", method: "GET", path: "/private?token=query-s3cret", want: `{"path":"/private","body":""}`, calls: 1},
		{name: "token in the query: again", method: "GET", path: "/private?token=query-s3cret", want: `{"path":"/private","body":""}`, calls: 1},
		{name: "a PUT is not cached", method: "PUT", path: "/a", want: `{"path":"/a","body":""}`, calls: 1},
	}
	for _, tt := range tests {
		clock.Advance(tt.advance)
		got, n := do(tt.method, tt.path, tt.body, tt.header, tt.opts...)
		if got != tt.want || n != tt.calls {
			t.Errorf("%s: %q after %d requests, want %q after %d", tt.name, got, n, tt.want, tt.calls)
		}
	}

	entries, _ := os.ReadDir(dir)
	if len(entries) != 5 { // /a, /a?v=2, /n (its second call), POST q1, POST q2
		t.Errorf("%d entries, want 5", len(entries))
	}
	for _, e := range entries {
		if strings.HasPrefix(e.Name(), ".tmp-") {
			t.Errorf("temporary file left: %s", e.Name())
		}
		info, _ := e.Info()
		if info.Mode().Perm()&0o077 != 0 {
			t.Errorf("%s is readable by others: %v", e.Name(), info.Mode())
		}
		b, _ := os.ReadFile(filepath.Join(dir, e.Name()))
		for _, s := range []string{"s3cret", "Set-Cookie"} {
			if bytes.Contains(b, []byte(s)) {
				t.Errorf("%s holds %q", e.Name(), s)
			}
		}
		if !bytes.Contains(b, []byte(`rel=\"next\"`)) {
			t.Errorf("%s lost the Link header", e.Name())
		}
	}
}

func TestCacheRejectsDamagedEntries(t *testing.T) {
	var calls atomic.Int32
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		calls.Add(1)
		io.WriteString(w, "fresh")
	}))
	defer srv.Close()
	dir := t.TempDir()
	c := New(Options{CacheDir: dir, MaxCacheEntry: 64})
	get := func() string {
		req, _ := http.NewRequest(http.MethodGet, srv.URL+"/x", nil)
		resp, err := c.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		return string(b)
	}
	get()
	entries, _ := os.ReadDir(dir)
	if len(entries) != 1 {
		t.Fatalf("%d entries", len(entries))
	}
	path := filepath.Join(dir, entries[0].Name())
	good, _ := os.ReadFile(path)
	line, _, _ := bytes.Cut(good, []byte("\n"))
	for name, content := range map[string][]byte{
		"truncated body":       good[:len(good)-1],
		"longer body":          append(append([]byte(nil), good...), 'x'),
		"no metadata line":     []byte("fresh"),
		"bad JSON":             []byte("{\nfresh"),
		"another URL":          bytes.Replace(good, []byte("/x"), []byte("/y"), 1),
		"over the entry bound": append(append(append([]byte(nil), line...), '\n'), bytes.Repeat([]byte("x"), 64<<10)...),
	} {
		calls.Store(0)
		os.WriteFile(path, content, 0o600)
		if got := get(); got != "fresh" || calls.Load() != 1 {
			t.Errorf("%s: %q after %d requests, want a new request", name, got, calls.Load())
		}
	}
}
