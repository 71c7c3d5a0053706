package osv

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/tollgate-dev/tollgate/internal/atomicfile"

	"github.com/tollgate-dev/tollgate/internal/httpx"
)

// DefaultBaseURL is the public OSV API.
const DefaultBaseURL = "https://api.osv.dev"

// Client defaults.
const (
	DefaultBatchSize   = 1000 // the OSV API's limit of queries per querybatch call
	DefaultConcurrency = 8    // vulnerability detail requests in flight
	DefaultMaxRetries  = 4
	DefaultTimeout     = 30 * time.Second
	DefaultBackoff     = 500 * time.Millisecond
	maxBackoff         = 20 * time.Second
	maxResponseBytes   = 64 << 20
	maxPages           = 1000 // next_page_token rounds before giving up
)

// ClientOptions configure a Client. Zero fields mean the defaults.
type ClientOptions struct {
	// BaseURL of the OSV API, without a trailing /v1 (tests use httptest).
	BaseURL string
	// HTTPClient is used for every request (its transport wrapped by
	// internal/httpx); its own Timeout, if set, bounds a whole call, retries
	// included. Each attempt is bounded by DefaultTimeout.
	HTTPClient *http.Client
	// CacheDir, when set, keeps fetched records as <CacheDir>/vulns/<id>.json,
	// reused while their "modified" time matches (a directory the Action can
	// keep with actions/cache).
	CacheDir    string
	BatchSize   int
	Concurrency int
	// MaxRetries bounds retries of one request on 429, 5xx and network errors
	// (negative: none).
	MaxRetries int
	// Backoff is the first retry delay; it doubles each attempt (up to 20 s),
	// with jitter. A Retry-After is honoured up to httpx.DefaultMaxWait; a
	// longer one ends the retries with an error.
	Backoff   time.Duration
	UserAgent string
}

// Client queries the OSV API. It implements Source and is safe for
// concurrent use. Records are cached in memory and, if set, on disk.
type Client struct {
	opts       ClientOptions
	http       *httpx.Client
	mu         sync.Mutex
	mem        map[string]*Vuln
	batchCalls atomic.Int64
	vulnCalls  atomic.Int64
}

// NewClient returns a Client with opts filled with defaults.
func NewClient(opts ClientOptions) *Client {
	if opts.BaseURL == "" {
		opts.BaseURL = DefaultBaseURL
	}
	opts.BaseURL = strings.TrimRight(opts.BaseURL, "/")
	if opts.BatchSize <= 0 || opts.BatchSize > DefaultBatchSize {
		opts.BatchSize = DefaultBatchSize
	}
	if opts.Concurrency <= 0 {
		opts.Concurrency = DefaultConcurrency
	}
	if opts.MaxRetries < 0 {
		opts.MaxRetries = 0
	} else if opts.MaxRetries == 0 {
		opts.MaxRetries = DefaultMaxRetries
	}
	if opts.Backoff <= 0 {
		opts.Backoff = DefaultBackoff
	}
	if opts.UserAgent == "" {
		opts.UserAgent = "tollgate"
	}
	retries := opts.MaxRetries
	if retries == 0 {
		retries = -1 // httpx reads 0 as its default
	}
	hc := httpx.New(httpx.Options{
		HTTPClient:  opts.HTTPClient,
		UserAgent:   opts.UserAgent,
		Timeout:     DefaultTimeout,
		MaxRetries:  retries,
		MinBackoff:  opts.Backoff,
		MaxBackoff:  maxBackoff,
		MaxInFlight: opts.Concurrency,
	})
	return &Client{opts: opts, http: hc, mem: map[string]*Vuln{}}
}

// NeedsNetwork says that the client queries the OSV API: the osv check then
// needs the network.
func (c *Client) NeedsNetwork() bool { return true }

// Calls returns how many querybatch and vulnerability-detail requests the
// client has made (each retry counts).
func (c *Client) Calls() (batch, vulns int) {
	return int(c.batchCalls.Load()), int(c.vulnCalls.Load())
}

// VulnRef is what querybatch returns for a record: its id and modified time.
type VulnRef struct {
	ID       string `json:"id"`
	Modified string `json:"modified"`
}

type apiQuery struct {
	Package   apiPackage `json:"package"`
	Version   string     `json:"version,omitempty"`
	PageToken string     `json:"page_token,omitempty"`
}

type apiPackage struct {
	Name      string `json:"name"`
	Ecosystem string `json:"ecosystem"`
}

type batchResponse struct {
	Results []struct {
		Vulns         []VulnRef `json:"vulns"`
		NextPageToken string    `json:"next_page_token"`
	} `json:"results"`
}

// QueryBatch asks /v1/querybatch which records affect each query, up to
// BatchSize queries a call, following next_page_token until every query is
// complete. The result is in query order.
func (c *Client) QueryBatch(ctx context.Context, queries []Query) ([][]VulnRef, error) {
	out := make([][]VulnRef, len(queries))
	type pending struct {
		idx   int
		token string
	}
	todo := make([]pending, len(queries))
	for i := range queries {
		todo[i] = pending{idx: i}
	}
	for round := 0; len(todo) > 0; round++ {
		if round > maxPages {
			return nil, fmt.Errorf("osv querybatch: more than %d pages of results", maxPages)
		}
		var next []pending
		for start := 0; start < len(todo); start += c.opts.BatchSize {
			chunk := todo[start:min(start+c.opts.BatchSize, len(todo))]
			req := struct {
				Queries []apiQuery `json:"queries"`
			}{Queries: make([]apiQuery, len(chunk))}
			for k, p := range chunk {
				q := queries[p.idx]
				req.Queries[k] = apiQuery{Package: apiPackage{Name: q.Name, Ecosystem: q.Ecosystem},
					Version: NormalizeVersion(q.Ecosystem, q.Version), PageToken: p.token}
			}
			body, err := json.Marshal(req)
			if err != nil {
				return nil, fmt.Errorf("osv querybatch: %w", err)
			}
			raw, err := c.do(ctx, &c.batchCalls, http.MethodPost, c.opts.BaseURL+"/v1/querybatch", body)
			if err != nil {
				return nil, fmt.Errorf("osv querybatch: %w", err)
			}
			var resp batchResponse
			if err := json.Unmarshal(raw, &resp); err != nil {
				return nil, fmt.Errorf("osv querybatch: bad response: %w", err)
			}
			if len(resp.Results) != len(chunk) {
				return nil, fmt.Errorf("osv querybatch: %d results for %d queries", len(resp.Results), len(chunk))
			}
			for k, r := range resp.Results {
				p := chunk[k]
				out[p.idx] = append(out[p.idx], r.Vulns...)
				if r.NextPageToken != "" {
					next = append(next, pending{idx: p.idx, token: r.NextPageToken})
				}
			}
		}
		todo = next
	}
	return out, nil
}

// safeID limits ids used as cache file names.
var safeID = regexp.MustCompile(`^[A-Za-z0-9][A-Za-z0-9._-]{0,127}$`)

// GetVuln returns the record with id from /v1/vulns/{id}, from the memory or
// disk cache when its modified time equals modified (or modified is empty).
func (c *Client) GetVuln(ctx context.Context, id, modified string) (*Vuln, error) {
	if !safeID.MatchString(id) {
		return nil, fmt.Errorf("osv vuln: unexpected id %q", id)
	}
	c.mu.Lock()
	v, ok := c.mem[id]
	c.mu.Unlock()
	if ok && (modified == "" || v.Modified == modified) {
		return v, nil
	}
	cachePath := ""
	if c.opts.CacheDir != "" {
		cachePath = filepath.Join(c.opts.CacheDir, "vulns", id+".json")
		if b, err := os.ReadFile(cachePath); err == nil {
			var cv Vuln
			if json.Unmarshal(b, &cv) == nil && cv.ID == id && (modified == "" || cv.Modified == modified) {
				c.remember(&cv)
				return &cv, nil
			}
		}
	}
	raw, err := c.do(ctx, &c.vulnCalls, http.MethodGet, c.opts.BaseURL+"/v1/vulns/"+id, nil)
	if err != nil {
		return nil, fmt.Errorf("osv vuln %s: %w", id, err)
	}
	var nv Vuln
	if err := json.Unmarshal(raw, &nv); err != nil {
		return nil, fmt.Errorf("osv vuln %s: bad response: %w", id, err)
	}
	if nv.ID != id {
		return nil, fmt.Errorf("osv vuln %s: response is record %q", id, nv.ID)
	}
	c.remember(&nv)
	if cachePath != "" {
		// A cache write failure only costs a later download.
		_ = atomicfile.Write(cachePath, raw)
	}
	return &nv, nil
}

func (c *Client) remember(v *Vuln) {
	c.mu.Lock()
	c.mem[v.ID] = v
	c.mu.Unlock()
}

// Lookup implements Source: QueryBatch, then the records fetched
// concurrently (at most Concurrency at a time) and cached. Withdrawn records
// are dropped. For a query without a version the API returns every record of
// the package; those are narrowed to records affecting every version, as the
// offline DB answers.
func (c *Client) Lookup(ctx context.Context, queries []Query) ([][]*Vuln, error) {
	refs, err := c.QueryBatch(ctx, queries)
	if err != nil {
		return nil, err
	}
	want := map[string]string{}
	var order []string
	for _, rs := range refs {
		for _, r := range rs {
			if _, ok := want[r.ID]; !ok {
				order = append(order, r.ID)
			}
			want[r.ID] = r.Modified
		}
	}
	got := make(map[string]*Vuln, len(order))
	var (
		gotMu    sync.Mutex
		firstErr error
		wg       sync.WaitGroup
	)
	sem := make(chan struct{}, c.opts.Concurrency)
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	for _, id := range order {
		wg.Add(1)
		sem <- struct{}{}
		go func() {
			defer wg.Done()
			defer func() { <-sem }()
			v, err := c.GetVuln(ctx, id, want[id])
			gotMu.Lock()
			defer gotMu.Unlock()
			if err != nil {
				if firstErr == nil {
					firstErr = err
					cancel()
				}
				return
			}
			got[id] = v
		}()
	}
	wg.Wait()
	if firstErr != nil {
		return nil, firstErr
	}
	out := make([][]*Vuln, len(queries))
	for i, rs := range refs {
		seen := map[string]bool{}
		for _, r := range rs {
			v := got[r.ID]
			if v == nil || seen[r.ID] || v.Withdrawn != "" {
				continue
			}
			seen[r.ID] = true
			if queries[i].Version == "" && !Affects(v, queries[i].Ecosystem, queries[i].Name, "").Affected {
				continue
			}
			out[i] = append(out[i], v)
		}
	}
	return out, nil
}

// StatusError is an HTTP answer that was not 200 after retries.
type StatusError struct {
	// URL is redacted (httpx.RedactURL).
	Method, URL string
	Status      int
}

// Error names the request and the status.
func (e *StatusError) Error() string {
	return fmt.Sprintf("%s %s: HTTP %d %s", e.Method, e.URL, e.Status, http.StatusText(e.Status))
}

// do sends one request through httpx: bounded retries on 429, 5xx and
// network errors (querybatch is a POST that only queries, so it is marked
// retryable), each attempt counted in calls. A final status other than 200 is
// a StatusError.
func (c *Client) do(ctx context.Context, calls *atomic.Int64, method, url string, body []byte) ([]byte, error) {
	var rd io.Reader
	if body != nil {
		rd = bytes.NewReader(body)
	}
	req, err := http.NewRequestWithContext(ctx, method, url, rd)
	if err != nil {
		return nil, fmt.Errorf("%s %s: %w", method, httpx.RedactURL(url), err)
	}
	req.Header.Set("Accept", "application/json")
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	attempts := 0
	resp, err := c.http.Do(req, httpx.Retryable(), httpx.OnAttempt(func(n int) {
		calls.Add(1)
		attempts = n
	}))
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		_, _ = io.Copy(io.Discard, io.LimitReader(resp.Body, 1<<20))
		se := &StatusError{Method: method, URL: httpx.RedactURL(url), Status: resp.StatusCode}
		if attempts > 1 {
			return nil, fmt.Errorf("%w (after %d attempts)", se, attempts)
		}
		return nil, se
	}
	b, err := readLimited(resp.Body, maxResponseBytes)
	if err != nil {
		return nil, fmt.Errorf("%s %s: %w", method, httpx.RedactURL(url), err)
	}
	return b, nil
}

// Records implements RecordSource: each id through GetVuln (the caches
// first), at most Concurrency at a time. An id the API does not know (404)
// or that is not a safe id is left out; the first other error is returned
// with what was fetched.
func (c *Client) Records(ctx context.Context, ids []string) (map[string]*Vuln, error) {
	out := map[string]*Vuln{}
	var (
		mu       sync.Mutex
		firstErr error
		wg       sync.WaitGroup
	)
	sem := make(chan struct{}, c.opts.Concurrency)
	for _, id := range ids {
		if !safeID.MatchString(id) {
			continue
		}
		wg.Add(1)
		sem <- struct{}{}
		go func() {
			defer wg.Done()
			defer func() { <-sem }()
			v, err := c.GetVuln(ctx, id, "")
			mu.Lock()
			defer mu.Unlock()
			var se *StatusError
			switch {
			case err == nil:
				out[id] = v
			case errors.As(err, &se) && se.Status == http.StatusNotFound:
			case firstErr == nil:
				firstErr = err
			}
		}()
	}
	wg.Wait()
	return out, firstErr
}
