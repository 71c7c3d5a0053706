package all

import (
	"context"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/tollgate-dev/tollgate/internal/httpx"
)

func TestNewEveryRegistry(t *testing.T) {
	clients, err := New(Config{})
	if err != nil {
		t.Fatal(err)
	}
	want := []string{"Go", "NuGet", "Packagist", "PyPI", "RubyGems", "crates.io", "npm"}
	if len(clients) != len(want) {
		t.Fatalf("%d clients", len(clients))
	}
	for _, eco := range want {
		if c := clients[eco]; c == nil || c.Ecosystem() != eco {
			t.Errorf("%s: %v", eco, c)
		}
	}
	if _, err := New(Config{Registries: map[string]string{"maven": "https://repo1.maven.org"}}); err == nil || !strings.Contains(err.Error(), `"maven" is not a known registry`) {
		t.Errorf("unknown key: %v", err)
	}
	if _, err := New(Config{Registries: map[string]string{"pypi": "ftp://mirror"}}); err == nil || !strings.Contains(err.Error(), "registries.pypi") {
		t.Errorf("bad URL: %v", err)
	}
	if _, err := New(Config{Registries: map[string]string{"npm": "https://user:pw@mirror.example"}}); err == nil || strings.Contains(err.Error(), "pw@") {
		t.Errorf("credentials in the URL: %v", err)
	}
}

// TestConcurrencyPerRegistry: each registry's requests in flight stay
// within its own limit, and one registry's limit does not hold another's.
func TestConcurrencyPerRegistry(t *testing.T) {
	var inFlight, peak atomic.Int32
	release := make(chan struct{})
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		n := inFlight.Add(1)
		defer inFlight.Add(-1)
		for {
			p := peak.Load()
			if n <= p || peak.CompareAndSwap(p, n) {
				break
			}
		}
		<-release
		http.NotFound(w, r)
	}))
	defer srv.Close()
	clients, err := New(Config{
		Registries:  map[string]string{"npm": srv.URL, "crates": srv.URL},
		Concurrency: map[string]int{"npm": 2},
		HTTP:        httpx.Options{MaxRetries: -1},
	})
	if err != nil {
		t.Fatal(err)
	}
	var wg sync.WaitGroup
	for i := range 6 {
		wg.Go(func() { _, _ = clients["npm"].Package(context.Background(), "p"+string(rune('a'+i))) })
		wg.Go(func() { _, _ = clients["crates.io"].Package(context.Background(), "c"+string(rune('a'+i))) })
	}
	deadline := time.Now().Add(5 * time.Second)
	for inFlight.Load() < 3 && time.Now().Before(deadline) {
		time.Sleep(5 * time.Millisecond)
	}
	time.Sleep(50 * time.Millisecond) // room for any request over the limits to arrive
	got := inFlight.Load()
	close(release)
	wg.Wait()
	if got != 3 || peak.Load() != 3 {
		t.Errorf("in flight %d, peak %d: want 2 (npm) + 1 (crates)", got, peak.Load())
	}
}

// BenchmarkNpm500At50ms: 500 packages from a registry answering after
// 50 ms, through the default concurrency limit (registry.DefaultConcurrency,
// 16): at least 500 × 50 ms / 16 ≈ 1.6 s a run (2.0 s measured on the
// shared 2-core build machine).
func BenchmarkNpm500At50ms(b *testing.B) {
	doc := []byte(`{"name":"%s","dist-tags":{"latest":"1.0.0"},"versions":{"1.0.0":{"version":"1.0.0","dist":{"tarball":"https://r/x.tgz","integrity":"sha512-AA=="}}},"time":{"1.0.0":"2020-01-01T00:00:00.000Z"}}`)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		time.Sleep(50 * time.Millisecond)
		_, _ = w.Write([]byte(strings.Replace(string(doc), "%s", strings.TrimPrefix(r.URL.Path, "/"), 1)))
	}))
	defer srv.Close()
	for b.Loop() {
		clients, err := New(Config{Registries: map[string]string{"npm": srv.URL}})
		if err != nil {
			b.Fatal(err)
		}
		var wg sync.WaitGroup
		var failed atomic.Int32
		for i := range 500 {
			wg.Go(func() {
				if _, err := clients["npm"].Package(context.Background(), "pkg-"+strconv.Itoa(i)); err != nil {
					failed.Add(1)
				}
			})
		}
		wg.Wait()
		if failed.Load() != 0 {
			b.Fatalf("%d failed", failed.Load())
		}
	}
}
