package typosquat

import (
	"context"
	"fmt"
	"net/http"
	"os"
	"time"

	"github.com/tollgate-dev/tollgate/checks"
	"github.com/tollgate-dev/tollgate/checks/typosquat/popular"
	"github.com/tollgate-dev/tollgate/internal/httpx"
)

// snapshotTTL is how long a fetched snapshot is used from the cache.
const snapshotTTL = 24 * time.Hour

// loadSnapshot reads a configured snapshot: an https URL (through the
// shared HTTP layer, cached for a day in the cache directory; offline, only
// the cache is read) or a file.
func loadSnapshot(ctx context.Context, src string, d checks.Deps) (*popular.Snapshot, error) {
	if len(src) > 8 && src[:8] == "https://" {
		if d.Offline && d.CacheDir == "" {
			return nil, fmt.Errorf("offline, and no cache directory holds a copy")
		}
		hx := httpx.New(httpx.Options{HTTPClient: d.HTTPClient, UserAgent: d.UserAgent, CacheDir: d.CacheDir, CacheTTL: snapshotTTL})
		if d.Offline {
			hx = httpx.New(httpx.Options{HTTPClient: &http.Client{Transport: offlineTransport{}}, CacheDir: d.CacheDir, CacheTTL: snapshotTTL})
		}
		req, err := http.NewRequestWithContext(ctx, http.MethodGet, src, nil)
		if err != nil {
			return nil, err
		}
		resp, err := hx.Do(req, httpx.Retryable())
		if err != nil {
			return nil, err
		}
		defer resp.Body.Close()
		if resp.StatusCode != http.StatusOK {
			return nil, fmt.Errorf("%s: HTTP %d", httpx.RedactURL(src), resp.StatusCode)
		}
		return popular.Parse(resp.Body)
	}
	f, err := os.Open(src)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	return popular.Parse(f)
}

// offlineTransport refuses every request: offline, a snapshot URL is read
// from the cache or not at all.
type offlineTransport struct{}

func (offlineTransport) RoundTrip(*http.Request) (*http.Response, error) {
	return nil, fmt.Errorf("offline: not fetched")
}
