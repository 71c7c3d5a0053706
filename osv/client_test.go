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
	"sync/atomic"
	"testing"
	"time"

	"github.com/tollgate-dev/tollgate/internal/shareddata"
	"github.com/tollgate-dev/tollgate/lockfiles"
	"github.com/tollgate-dev/tollgate/osv/osvtest"
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
	// servedWithdrawn counts the withdrawn ids querybatch answered with.
	servedWithdrawn atomic.Int64
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
					f.servedWithdrawn.Add(1)
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

// realFixture is a deterministic sample of the real OSV records, written
// back into zips with the corpus's layout and loaded as a DB.
type realFixture struct {
	db      *DB
	raw     map[string][]byte // id -> the record's bytes as found in the corpus
	records []*Vuln           // every sampled record, withdrawn ones included
	wd      []*Vuln           // the withdrawn ones
	zips    []string          // the corpus zips sampled, relative to osv/
}

// Sample sizes of loadRealSample.
const (
	perZipSample = 25 // records spread evenly over each zip's sorted entries
	onePage      = 50 // fakeOSV's page size in TestClientAgreesWithDB
)

// loadRealSample reads every zip of ../shared/data/osv and keeps, from each:
// perZipSample records at even steps through its entries sorted by name (all
// of them in a smaller zip), every record of the zip's package with the fewest
// records above one page of onePage, if any (Go's traefik/v3 with 53, PyPI's
// pillow with 51, so that answers are paged), and every withdrawn record. The
// choice depends on the data alone.
func loadRealSample(t testing.TB) *realFixture {
	t.Helper()
	root := shareddata.Path(t, "osv")
	zips, _ := filepath.Glob(filepath.Join(root, "*", "*", "all.zip"))
	zips = append(zips, filepath.Join(root, "malicious-withdrawn", "all.zip"))
	dir := t.TempDir()
	fx := &realFixture{raw: map[string][]byte{}}
	for _, z := range zips {
		rel, _ := filepath.Rel(root, z)
		fx.zips = append(fx.zips, filepath.ToSlash(rel))
		picked := sampleZip(t, z)
		entries := map[string]string{}
		for name, b := range picked {
			var v Vuln
			if err := json.Unmarshal(b, &v); err != nil {
				t.Fatalf("%s: %s: %v", z, name, err)
			}
			entries[name] = string(b)
			if _, dup := fx.raw[v.ID]; dup { // a record listed under several ecosystems
				continue
			}
			fx.raw[v.ID] = b
			fx.records = append(fx.records, &v)
			if v.Withdrawn != "" {
				fx.wd = append(fx.wd, &v)
			}
		}
		writeZip(t, filepath.Join(dir, rel), entries)
	}
	slices.SortFunc(fx.records, func(a, b *Vuln) int { return strings.Compare(a.ID, b.ID) })
	var err error
	if fx.db, err = LoadDB(context.Background(), dir, LoadOptions{}); err != nil {
		t.Fatal(err)
	}
	return fx
}

// sampleZip returns loadRealSample's choice from one zip: entry name -> bytes.
func sampleZip(t testing.TB, path string) map[string][]byte {
	t.Helper()
	files := osvtest.ReadZip(t, path)
	slices.SortFunc(files, func(a, b osvtest.ZipEntry) int { return strings.Compare(a.Name, b.Name) })
	type entry struct {
		name      string
		body      []byte
		withdrawn bool
		pkgs      []pkgKey
	}
	all := make([]entry, 0, len(files))
	count := map[pkgKey]int{}
	for _, f := range files {
		b := f.Data
		// Only what the choice needs: decoding every field of 40,000
		// records took most of this test's time.
		var head struct {
			Withdrawn string `json:"withdrawn"`
			Affected  []struct {
				Package struct{ Ecosystem, Name string } `json:"package"`
			} `json:"affected"`
		}
		if err := json.Unmarshal(b, &head); err != nil {
			t.Fatalf("%s: %s: %v", path, f.Name, err)
		}
		e := entry{name: f.Name, body: b, withdrawn: head.Withdrawn != ""}
		for _, a := range head.Affected {
			k := pkgKey{a.Package.Ecosystem, a.Package.Name}
			if !slices.Contains(e.pkgs, k) {
				e.pkgs = append(e.pkgs, k)
				count[k]++
			}
		}
		all = append(all, e)
	}
	// The smallest package past one page: paged answers without the cost
	// of the largest (mattermost-server's 293 records took 20 s).
	var heavy pkgKey
	for k, n := range count {
		if n <= onePage {
			continue
		}
		if h := count[heavy]; h == 0 || n < h || n == h && (k.eco+" "+k.name) < (heavy.eco+" "+heavy.name) {
			heavy = k
		}
	}
	step := max(1, len(all)/perZipSample)
	out := map[string][]byte{}
	for i, e := range all {
		if i%step == 0 || e.withdrawn || heavy != (pkgKey{}) && slices.Contains(e.pkgs, heavy) {
			out[e.name] = e.body
		}
	}
	return out
}

// Online and offline answers agree on the same real records.
func TestClientAgreesWithDB(t *testing.T) {
	fx := loadRealSample(t)
	fake := &fakeOSV{db: fx.db, raw: fx.raw, withdrawn: fx.wd, pageSize: onePage}
	srv := httptest.NewServer(fake)
	defer srv.Close()

	var queries []Query
	for _, v := range fx.records {
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
		if len(b) > onePage {
			paged++
		}
	}
	if hits < 5000 || paged == 0 || len(queries) < 1000 {
		t.Errorf("weak sample: %d queries, %d hits, %d paged answers", len(queries), hits, paged)
	}
	batches, _ := client.Calls()
	if limit := int64(1000); fake.maxBatch.Load() > limit {
		t.Errorf("a batch held %d queries", fake.maxBatch.Load())
	}
	t.Logf("%d queries, %d hits, %d batch calls (paged answers %d)", len(queries), hits, batches, paged)
	// Malicious and vulnerability records of every ecosystem the corpus has
	// them for are found (the old one-in-ten sample of the whole corpus found
	// all of these but malicious Go and Maven and vulnerable GitHub Actions,
	// Maven and NuGet); Pub's one record, open from 0 to a fix, names no
	// version to ask for.
	found := map[string]int{}
	for i, q := range queries {
		for _, v := range offline[i] {
			kind := "vuln"
			if strings.HasPrefix(v.ID, "MAL-") {
				kind = "MAL"
			}
			found[kind+" "+q.Ecosystem]++
		}
	}
	for _, want := range []string{
		"MAL Go", "MAL Maven", "MAL NuGet", "MAL PyPI", "MAL RubyGems", "MAL crates.io", "MAL npm",
		"vuln GitHub Actions", "vuln Go", "vuln Maven", "vuln NuGet", "vuln Packagist", "vuln PyPI",
		"vuln RubyGems", "vuln crates.io", "vuln npm",
	} {
		if found[want] == 0 {
			t.Errorf("no %s record found: the sample lost it", want)
		}
	}
	// The fake serves withdrawn records too; the client must drop them.
	if len(fx.wd) == 0 || fake.servedWithdrawn.Load() == 0 {
		t.Errorf("%d withdrawn records sampled, %d served: the client's filter went untested", len(fx.wd), fake.servedWithdrawn.Load())
	}
	t.Logf("%d records (%d withdrawn) from %d zips; found %v", len(fx.records), len(fx.wd), len(fx.zips), found)
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
