package osv

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/tollgate-dev/tollgate/internal/shareddata"
	"github.com/tollgate-dev/tollgate/lockfiles"
)

// fakeOSV is an httptest OSV API: /v1/querybatch answers from a DB (paged,
// pageSize ids per page) and /v1/vulns/{id} serves the records' original bytes.
type fakeOSV struct {
	db        *DB
	raw       map[string][]byte
	withdrawn []*Vuln // served by querybatch too, as a careless server might
	pageSize  int
	batches   atomic.Int64
	maxBatch  atomic.Int64
	// status, when set, answers every request with its result (0 = serve normally).
	status func(r *http.Request) int
}

func (f *fakeOSV) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if f.status != nil {
		if s := f.status(r); s != 0 {
			w.Header().Set("Retry-After", "0")
			http.Error(w, "fail", s)
			return
		}
	}
	switch {
	case r.Method == http.MethodPost && r.URL.Path == "/v1/querybatch":
		f.batches.Add(1)
		var req struct {
			Queries []apiQuery `json:"queries"`
		}
		if err := json.NewDecoder(r.Body).Decode(&req); err != nil || len(req.Queries) > 1000 {
			http.Error(w, "bad batch", http.StatusBadRequest)
			return
		}
		if n := int64(len(req.Queries)); n > f.maxBatch.Load() {
			f.maxBatch.Store(n)
		}
		type result struct {
			Vulns         []VulnRef `json:"vulns"`
			NextPageToken string    `json:"next_page_token,omitempty"`
		}
		resp := struct {
			Results []result `json:"results"`
		}{Results: make([]result, len(req.Queries))}
		for i, q := range req.Queries {
			var all []*Vuln
			if q.Version == "" { // the API lists every record of the package
				seen := map[*Vuln]bool{}
				for _, e := range f.db.index[pkgKey{q.Package.Ecosystem, lockfiles.NormalizeName(q.Package.Ecosystem, q.Package.Name)}] {
					if !seen[e.vuln] {
						seen[e.vuln] = true
						all = append(all, e.vuln)
					}
				}
			} else {
				all = f.db.Query(q.Package.Ecosystem, q.Package.Name, q.Version)
			}
			for _, v := range f.withdrawn {
				if Affects(v, q.Package.Ecosystem, q.Package.Name, q.Version).Affected {
					all = append(all, v)
				}
			}
			off, _ := strconv.Atoi(q.PageToken)
			end := min(off+f.pageSize, len(all))
			for _, v := range all[min(off, end):end] {
				resp.Results[i].Vulns = append(resp.Results[i].Vulns, VulnRef{ID: v.ID, Modified: v.Modified})
			}
			if end < len(all) {
				resp.Results[i].NextPageToken = strconv.Itoa(end)
			}
		}
		_ = json.NewEncoder(w).Encode(resp)
	case r.Method == http.MethodGet && strings.HasPrefix(r.URL.Path, "/v1/vulns/"):
		b, ok := f.raw[strings.TrimPrefix(r.URL.Path, "/v1/vulns/")]
		if !ok {
			http.NotFound(w, r)
			return
		}
		_, _ = w.Write(b)
	default:
		http.NotFound(w, r)
	}
}

// rawRecords reads every record in the zips and their JSON bytes.
func rawRecords(t testing.TB, zips ...string) (map[string][]byte, []*Vuln, []*Vuln) {
	t.Helper()
	raw := map[string][]byte{}
	var all, withdrawn []*Vuln
	for _, z := range zips {
		for _, v := range readZipRecords(t, z) {
			b, _ := json.Marshal(v)
			raw[v.ID] = b
			all = append(all, v)
			if v.Withdrawn != "" {
				withdrawn = append(withdrawn, v)
			}
		}
	}
	return raw, all, withdrawn
}

type realFixture struct {
	db      *DB
	raw     map[string][]byte
	records []*Vuln
	wd      []*Vuln
	err     error
}

var realOnce sync.Once
var realData realFixture

// loadReal loads every real OSV record once per test binary.
func loadReal(t testing.TB) *realFixture {
	t.Helper()
	root := shareddata.Path(t, "osv")
	realOnce.Do(func() {
		zips, _ := filepath.Glob(filepath.Join(root, "*", "*", "all.zip"))
		withdrawnZip := filepath.Join(root, "malicious-withdrawn", "all.zip")
		realData.db, realData.err = LoadDB(context.Background(), root, LoadOptions{})
		realData.raw, realData.records, realData.wd = rawRecords(t, append(zips, withdrawnZip)...)
	})
	if realData.err != nil {
		t.Fatal(realData.err)
	}
	return &realData
}

// Online and offline answers agree on the same real records.
func TestClientAgreesWithDB(t *testing.T) {
	fx := loadReal(t)
	fake := &fakeOSV{db: fx.db, raw: fx.raw, withdrawn: fx.wd, pageSize: 50}
	srv := httptest.NewServer(fake)
	defer srv.Close()

	var queries []Query
	n := 0
	{
		for _, v := range fx.records {
			n++
			if n%10 != 0 && v.Withdrawn == "" { // a sample; every withdrawn record
				continue
			}
			for i := range v.Affected {
				a := &v.Affected[i]
				ver := sampleAffected(a)
				if a.Package.Ecosystem == lockfiles.EcosystemGo && ver != "" {
					ver = "v" + ver
				}
				queries = append(queries,
					Query{Ecosystem: a.Package.Ecosystem, Name: a.Package.Name, Version: ver},
					Query{Ecosystem: a.Package.Ecosystem, Name: a.Package.Name, Version: "9999.0.1"},
					Query{Ecosystem: a.Package.Ecosystem, Name: a.Package.Name})
			}
		}
	}
	ctx := context.Background()
	client := NewClient(ClientOptions{BaseURL: srv.URL, CacheDir: t.TempDir()})
	online, err := client.Lookup(ctx, queries)
	if err != nil {
		t.Fatal(err)
	}
	offline, err := fx.db.Lookup(ctx, queries)
	if err != nil {
		t.Fatal(err)
	}
	hits, paged := 0, 0
	for i := range queries {
		a, b := ids(online[i]), ids(offline[i])
		slices.Sort(a)
		if !slices.Equal(a, b) {
			t.Errorf("%+v: online %v, offline %v", queries[i], a, b)
		}
		hits += len(b)
		if len(b) > 50 {
			paged++
		}
	}
	if hits < 5000 || paged == 0 || len(queries) < 5000 {
		t.Errorf("weak sample: %d queries, %d hits, %d paged answers", len(queries), hits, paged)
	}
	batches, _ := client.Calls()
	if limit := int64(1000); fake.maxBatch.Load() > limit {
		t.Errorf("a batch held %d queries", fake.maxBatch.Load())
	}
	t.Logf("%d queries, %d hits, %d batch calls (paged answers %d)", len(queries), hits, batches, paged)
}

func TestClientRetriesAndFailures(t *testing.T) {
	db, err := LoadDB(context.Background(), buildTestDB(t), LoadOptions{})
	if err != nil {
		t.Fatal(err)
	}
	raw := map[string][]byte{}
	for id, v := range db.byID {
		raw[id], _ = json.Marshal(v)
	}
	queries := []Query{{Ecosystem: "npm", Name: "express", Version: "4.19.1"}}
	ctx := context.Background()

	var calls atomic.Int64
	fake := &fakeOSV{db: db, raw: raw, pageSize: 10, status: func(r *http.Request) int {
		if calls.Add(1) <= 2 {
			return http.StatusServiceUnavailable
		}
		return 0
	}}
	srv := httptest.NewServer(fake)
	defer srv.Close()
	c := NewClient(ClientOptions{BaseURL: srv.URL, Backoff: time.Millisecond})
	got, err := c.Lookup(ctx, queries)
	if err != nil || len(got[0]) != 1 || got[0][0].ID != "GHSA-T-3" {
		t.Fatalf("after two 503s: %v %v", got, err)
	}
	if b, v := c.Calls(); b != 3 || v != 1 {
		t.Errorf("calls = %d batch, %d vulns; want 3 and 1", b, v)
	}

	// Always 429: bounded retries, then an error that names the status.
	calls.Store(0)
	fake.status = func(*http.Request) int { calls.Add(1); return http.StatusTooManyRequests }
	c = NewClient(ClientOptions{BaseURL: srv.URL, Backoff: time.Millisecond, MaxRetries: 2})
	_, err = c.Lookup(ctx, queries)
	if err == nil || !strings.Contains(err.Error(), "429") || calls.Load() != 3 {
		t.Errorf("persistent 429: err %v after %d calls, want 3 calls", err, calls.Load())
	}
	// The check turns it into a Skipped entry, not a clean result: tested
	// in checks/osv (TestCheckOnRateLimitedAPI).

	// 400 is not retried.
	calls.Store(0)
	fake.status = func(*http.Request) int { calls.Add(1); return http.StatusBadRequest }
	if _, err = c.Lookup(ctx, queries); err == nil || calls.Load() != 1 {
		t.Errorf("400: err %v after %d calls, want 1", err, calls.Load())
	}

	// A slow server: each attempt times out.
	slow := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		select {
		case <-time.After(2 * time.Second):
		case <-r.Context().Done():
		}
	}))
	defer slow.Close()
	c = NewClient(ClientOptions{BaseURL: slow.URL, HTTPClient: &http.Client{Timeout: 50 * time.Millisecond}, Backoff: time.Millisecond, MaxRetries: 1})
	if _, err := c.Lookup(ctx, queries); err == nil || !strings.Contains(err.Error(), "Timeout") {
		t.Errorf("timeout: err = %v", err)
	}
}

func TestClientDiskCache(t *testing.T) {
	db, err := LoadDB(context.Background(), buildTestDB(t), LoadOptions{})
	if err != nil {
		t.Fatal(err)
	}
	raw := map[string][]byte{}
	for id, v := range db.byID {
		raw[id], _ = json.Marshal(v)
	}
	srv := httptest.NewServer(&fakeOSV{db: db, raw: raw, pageSize: 10})
	defer srv.Close()
	dir := t.TempDir()
	queries := []Query{{Ecosystem: "npm", Name: "express", Version: "4.19.1"}, {Ecosystem: "npm", Name: "evil-pkg", Version: "1.0.0"}}
	c1 := NewClient(ClientOptions{BaseURL: srv.URL, CacheDir: dir})
	if _, err := c1.Lookup(context.Background(), queries); err != nil {
		t.Fatal(err)
	}
	if _, v := c1.Calls(); v != 2 {
		t.Errorf("first client fetched %d records, want 2", v)
	}
	c2 := NewClient(ClientOptions{BaseURL: srv.URL, CacheDir: dir})
	got, err := c2.Lookup(context.Background(), queries)
	if err != nil || len(got[0]) != 1 || len(got[1]) != 1 {
		t.Fatalf("cached lookup: %v %v", got, err)
	}
	if _, v := c2.Calls(); v != 0 {
		t.Errorf("second client fetched %d records, want 0 (disk cache)", v)
	}
	// A changed modified time makes the cached copy stale.
	db.byID["GHSA-T-3"].Modified = "2025-01-01T00:00:00Z"
	raw["GHSA-T-3"], _ = json.Marshal(db.byID["GHSA-T-3"])
	c3 := NewClient(ClientOptions{BaseURL: srv.URL, CacheDir: dir})
	if _, err := c3.Lookup(context.Background(), queries); err != nil {
		t.Fatal(err)
	}
	if _, v := c3.Calls(); v != 1 {
		t.Errorf("after a record changed, fetched %d, want 1", v)
	}
	if _, err := c3.GetVuln(context.Background(), "../../etc/passwd", ""); err == nil {
		t.Error("path-like id accepted")
	}
}

// benchPackages returns n distinct registry packages, every 50th malicious.
func benchPackages(n int) []lockfiles.Package {
	pkgs := make([]lockfiles.Package, n)
	for i := range pkgs {
		pkgs[i] = lockfiles.Package{Ecosystem: "npm", Name: "pkg-" + strconv.Itoa(i), Version: "1.0." + strconv.Itoa(i%7), Path: "package-lock.json", Line: i + 1}
		if i%50 == 0 {
			pkgs[i].Name = "evil-pkg"
			pkgs[i].Version = "1.0." + strconv.Itoa(i)
		}
	}
	return pkgs
}

// benchQueries are the lookups of benchPackages(n): the check's queries,
// without the check (which lives in checks/osv).
func benchQueries(n int) []Query {
	pkgs := benchPackages(n)
	qs := make([]Query, len(pkgs))
	for i, p := range pkgs {
		qs[i] = Query{Ecosystem: p.Ecosystem, Name: p.Name, Version: p.Version}
	}
	return qs
}

func TestClient10kPackagesBatchCalls(t *testing.T) {
	db, err := LoadDB(context.Background(), buildTestDB(t), LoadOptions{})
	if err != nil {
		t.Fatal(err)
	}
	raw := map[string][]byte{}
	for id, v := range db.byID {
		raw[id], _ = json.Marshal(v)
	}
	fake := &fakeOSV{db: db, raw: raw, pageSize: 1000}
	srv := httptest.NewServer(fake)
	defer srv.Close()
	c := NewClient(ClientOptions{BaseURL: srv.URL})
	answers, err := c.Lookup(context.Background(), benchQueries(10000))
	if err != nil {
		t.Fatal(err)
	}
	hits := 0
	for _, a := range answers {
		if len(a) > 0 {
			hits++
		}
	}
	if hits != 200 {
		t.Errorf("%d packages matched, want 200", hits)
	}
	if b := fake.batches.Load(); b > 11 {
		t.Errorf("%d querybatch calls for 10,000 packages, want at most 11", b)
	}
}

func BenchmarkClient10kPackages(b *testing.B) {
	db, err := LoadDB(context.Background(), buildTestDB(b), LoadOptions{})
	if err != nil {
		b.Fatal(err)
	}
	raw := map[string][]byte{}
	for id, v := range db.byID {
		raw[id], _ = json.Marshal(v)
	}
	fake := &fakeOSV{db: db, raw: raw, pageSize: 1000}
	srv := httptest.NewServer(fake)
	defer srv.Close()
	queries := benchQueries(10000)
	b.ResetTimer()
	for range b.N {
		c := NewClient(ClientOptions{BaseURL: srv.URL})
		if _, err := c.Lookup(context.Background(), queries); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(fake.batches.Load())/float64(b.N), "batch-calls/op")
	_ = io.Discard
}
