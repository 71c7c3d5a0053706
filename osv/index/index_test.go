package index

import (
	"archive/zip"
	"bytes"
	"compress/flate"
	"context"
	"errors"
	"io"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/tollgate-dev/tollgate/internal/shareddata"
	"github.com/tollgate-dev/tollgate/lockfiles"
	"github.com/tollgate-dev/tollgate/osv"
	"github.com/tollgate-dev/tollgate/osv/osvtest"
)

func open(t testing.TB, path string, opts Options) *DB {
	t.Helper()
	db, err := Open(context.Background(), path, opts)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	return db
}

func q(eco, name, ver string) osv.Query { return osv.Query{Ecosystem: eco, Name: name, Version: ver} }

func ids(vs []*osv.Vuln) []string {
	out := []string{}
	for _, v := range vs {
		out = append(out, v.ID)
	}
	return out
}

// sameAnswers asks the index and LoadDB the same queries and compares the
// record ids, in order.
func sameAnswers(t *testing.T, dbPath string, idx *DB, queries []osv.Query) {
	t.Helper()
	mem, err := osv.LoadDB(context.Background(), dbPath, osv.LoadOptions{})
	if err != nil {
		t.Fatal(err)
	}
	want, err := mem.Answer(context.Background(), queries)
	if err != nil {
		t.Fatal(err)
	}
	got, err := idx.Answer(context.Background(), queries)
	if err != nil {
		t.Fatal(err)
	}
	bad := 0
	for i, q := range queries {
		if g, w := ids(got[i].Vulns), ids(want[i].Vulns); !slices.Equal(g, w) || !slices.Equal(got[i].Unreadable, want[i].Unreadable) {
			if bad++; bad <= 10 {
				t.Errorf("%+v: index %v (unreadable %v), LoadDB %v (unreadable %v)", q, g, got[i].Unreadable, w, want[i].Unreadable)
			}
		}
	}
	if bad > 10 {
		t.Errorf("... %d queries differ in all", bad)
	}
}

// The queries of osv's own TestDBQuery table, and more.
var testQueries = []osv.Query{
	q("npm", "evil-pkg", "1.0.0"), q("npm", "evil-pkg", "7.7.7"), q("npm", "evil-pkg", "not a version"), q("npm", "evil-pkg", ""),
	q("npm", "Evil-Pkg", "1.0.0"), q("npm", "squat-pkg", "99.2.2"), q("npm", "squat-pkg", "99.2.1"), q("npm", "squat-pkg", ""),
	q("npm", "express", "4.19.1"), q("npm", "express", "4.19.2"), q("npm", "express", "5.0.0-alpha.8"), q("npm", "express", "5.0.0"),
	q("npm", "request", "2.88.2"), q("npm", "request", "2.88.3-beta"),
	q("Go", "example.com/mod", "1.0.3"), q("Go", "example.com/mod", "1.0.4"),
	q("Packagist", "Symfony/HTTP-Kernel", "4.4.0"), q("Packagist", "symfony/http-kernel", "4.4.50"),
	q("NuGet", "sixlabors.imagesharp", "2.1.0"), q("NuGet", "SixLabors.ImageSharp", "3.1.3"),
	q("NuGet", "2Cаptcha.API", "1.0.0"), q("NuGet", "2captcha.api", "1.0.0"),
	q("RubyGems", "bad-gem", "1.0.0.pre"), q("RubyGems", "bad-gem", "1.2.4"), q("RubyGems", "bad-gem", ""),
	q("crates.io", "old-crate", "0.1.0"), q("PyPI", "evil-pkg", "1.0.0"), q("PyPI", "sample.pkg", "1.2"),
	q("PyPI", "SAMPLE_PKG", "1.1rc1"), q("PyPI", "sample-pkg", "1.4.2"), q("npm", "withdrawn-pkg", "1.0.0"),
}

func TestIndexAgreesWithLoadDB(t *testing.T) {
	for _, dir := range []string{osvtest.BuildDB(t), copyTree(t, filepath.Join("..", "testdata", "db"))} {
		idx := open(t, dir, Options{})
		sameAnswers(t, dir, idx, testQueries)
	}
}

// Every real record, found through the index exactly as through LoadDB: a
// sampled version of each affected entry, an unlisted version and no
// version, over the shared malicious and vulnerability exports.
func TestIndexAgreesWithLoadDBOnRealData(t *testing.T) {
	for _, part := range []string{"malicious", "vulns"} {
		root := shareddata.Path(t, "osv", part)
		dir := copyTree(t, root)
		idx := open(t, dir, Options{})
		zips, _ := filepath.Glob(filepath.Join(dir, "*", "all.zip"))
		var queries []osv.Query
		for _, z := range zips {
			for _, r := range osvtest.ReadRecords(t, z) {
				for i := range r.Affected {
					a := &r.Affected[i]
					versions := []string{a.Sample(), ""}
					if part == "malicious" {
						versions = append(versions, "9999.0.1")
					}
					for _, v := range versions {
						queries = append(queries, osv.Query{Ecosystem: a.Package.Ecosystem, Name: a.Package.Name, Version: v})
					}
				}
			}
		}
		slices.SortFunc(queries, func(a, b osv.Query) int {
			return strings.Compare(a.Ecosystem+"\x00"+a.Name+"\x00"+a.Version, b.Ecosystem+"\x00"+b.Name+"\x00"+b.Version)
		})
		queries = slices.Compact(queries)
		if len(queries) < 5000 {
			t.Fatalf("%s: only %d queries", part, len(queries))
		}
		sameAnswers(t, dir, idx, queries)
		if s := idx.Stats(); s.Built != len(zips) || s.Sources != len(zips) {
			t.Errorf("%s: stats %+v, want %d sources built", part, s, len(zips))
		}
	}
}

// copyTree copies a database so that its index is written in a temporary
// directory, never beside the shared data or the repository's testdata.
func copyTree(t testing.TB, src string) string {
	t.Helper()
	dst := t.TempDir()
	err := filepath.Walk(src, func(p string, info os.FileInfo, err error) error {
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(src, p)
		if info.IsDir() {
			return os.MkdirAll(filepath.Join(dst, rel), 0o755)
		}
		if strings.HasSuffix(p, Suffix) {
			return nil
		}
		b, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		return os.WriteFile(filepath.Join(dst, rel), b, 0o644)
	})
	if err != nil {
		t.Fatal(err)
	}
	return dst
}

func TestIndexBuiltOnceAndKept(t *testing.T) {
	dir := osvtest.BuildDB(t)
	first := open(t, dir, Options{})
	if s := first.Stats(); s.Built != 6 || s.Sources != 6 {
		t.Fatalf("first open: %+v, want 6 indexes built", s)
	}
	for _, w := range first.Stats().Where {
		if !strings.HasPrefix(w, dir) || !strings.HasSuffix(w, "all.zip"+Suffix) {
			t.Errorf("index kept at %q, want beside the export", w)
		}
	}
	if s := open(t, dir, Options{}).Stats(); s.Built != 0 {
		t.Errorf("second open rebuilt %d indexes", s.Built)
	}
	// A cache restore touches files without changing them: re-hashed, kept.
	later := time.Now().Add(time.Hour)
	zipPath := filepath.Join(dir, "npm", "all.zip")
	if err := os.Chtimes(zipPath, later, later); err != nil {
		t.Fatal(err)
	}
	if s := open(t, dir, Options{}).Stats(); s.Built != 0 {
		t.Errorf("after touch: rebuilt %d indexes", s.Built)
	}
	// The refreshed key needs no second hash.
	if s := open(t, dir, Options{}).Stats(); s.Built != 0 {
		t.Errorf("after touch, again: rebuilt %d indexes", s.Built)
	}
	// A changed export is re-indexed.
	osvtest.WriteZip(t, zipPath, map[string]string{"MAL-NEW.json": `{"id":"MAL-NEW","affected":[{"package":{"ecosystem":"npm","name":"fresh-evil"},"versions":["1.0.0"]}]}`})
	db := open(t, dir, Options{})
	if s := db.Stats(); s.Built != 1 {
		t.Errorf("after change: rebuilt %d indexes, want 1", s.Built)
	}
	got, err := db.Lookup(context.Background(), []osv.Query{q("npm", "fresh-evil", "1.0.0"), q("npm", "evil-pkg", "1.0.0")})
	if err != nil || !slices.Equal(ids(got[0]), []string{"MAL-NEW"}) || len(got[1]) != 0 {
		t.Errorf("after change: %v %v", got, err)
	}
}

// writeStoredZip writes an uncompressed zip, so that a same-length edit of
// a record keeps the file's size.
func writeStoredZip(t *testing.T, path string, entries map[string]string) {
	t.Helper()
	f, err := os.Create(path)
	if err != nil {
		t.Fatal(err)
	}
	zw := zip.NewWriter(f)
	names := make([]string, 0, len(entries))
	for n := range entries {
		names = append(names, n)
	}
	slices.Sort(names)
	for _, n := range names {
		w, err := zw.CreateHeader(&zip.FileHeader{Name: n, Method: zip.Store, Modified: time.Unix(0, 0)})
		if err != nil {
			t.Fatal(err)
		}
		w.Write([]byte(entries[n]))
	}
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	f.Close()
}

// An export rewritten with the same size and modification time (the key
// cannot tell) is caught when a record's bytes fail their CRC: the index is
// rebuilt and the answer comes from the new content.
func TestIndexDetectsChangeBehindItsKey(t *testing.T) {
	dir := t.TempDir()
	p := filepath.Join(dir, "npm", "all.zip")
	os.MkdirAll(filepath.Dir(p), 0o755)
	rec := `{"id":"MAL-X","affected":[{"package":{"ecosystem":"npm","name":"x"},"versions":["1.0.0"]}]}`
	writeStoredZip(t, p, map[string]string{"MAL-X.json": rec})
	open(t, dir, Options{})
	st, _ := os.Stat(p)
	writeStoredZip(t, p, map[string]string{"MAL-X.json": strings.Replace(rec, "1.0.0", "2.0.0", 1)})
	if err := os.Chtimes(p, st.ModTime(), st.ModTime()); err != nil {
		t.Fatal(err)
	}
	if st2, _ := os.Stat(p); st2.Size() != st.Size() {
		t.Fatalf("sizes differ: %d %d", st.Size(), st2.Size())
	}
	db := open(t, dir, Options{})
	if db.Stats().Built != 0 {
		t.Fatal("the key saw the change; this test needs one it cannot see")
	}
	got, err := db.Lookup(context.Background(), []osv.Query{q("npm", "x", "2.0.0"), q("npm", "x", "1.0.0")})
	if err != nil || !slices.Equal(ids(got[0]), []string{"MAL-X"}) || len(got[1]) != 0 {
		t.Errorf("lookup after a change behind the key: %v %v", got, err)
	}
}

// A corrupt index (a flipped byte, a truncation, another file) is rebuilt,
// never read.
func TestIndexCorruptIsRebuilt(t *testing.T) {
	dir := osvtest.BuildDB(t)
	open(t, dir, Options{})
	idx := filepath.Join(dir, "npm", "all.zip"+Suffix)
	good, err := os.ReadFile(idx)
	if err != nil {
		t.Fatal(err)
	}
	for name, bad := range map[string][]byte{
		"flipped byte": func() []byte { b := slices.Clone(good); b[len(b)/2] ^= 0x40; return b }(),
		"truncated":    good[:len(good)/3],
		"empty":        {},
		"not an index": []byte(`{"id":"MAL-1"}`),
	} {
		if err := os.WriteFile(idx, bad, 0o644); err != nil {
			t.Fatal(err)
		}
		db := open(t, dir, Options{})
		// A damaged head is caught at open; a damaged block when it is read.
		got, err := db.Lookup(context.Background(), []osv.Query{q("npm", "evil-pkg", "1.0.0"), q("npm", "express", "4.19.1")})
		if err != nil || !slices.Equal(ids(got[0]), []string{"MAL-T-1"}) || !slices.Equal(ids(got[1]), []string{"GHSA-T-3"}) {
			t.Errorf("%s: %v %v", name, got, err)
		}
		if s := db.Stats(); s.Built != 1 && name != "flipped byte" {
			t.Errorf("%s: rebuilt %d indexes, want 1", name, s.Built)
		}
	}
	// Every truncation and every single-byte change of the file is refused,
	// at open or when its block is read, without a panic.
	for i := 0; i < len(good); i += max(1, len(good)/500) {
		if _, err := parseTable(bytes.NewReader(good[:i]), int64(i), nil); err == nil {
			t.Errorf("truncation at %d accepted", i)
		}
		b := slices.Clone(good)
		b[i] ^= 0xff
		if tab, err := parseTable(bytes.NewReader(b), int64(len(b)), nil); err == nil && tab.verifyAll() == nil {
			t.Errorf("byte %d changed, accepted", i)
		}
	}
}

// With --cache-dir the index goes there; a database directory that cannot
// be written is still indexed (in the cache) and answers the same.
func TestIndexInCacheDir(t *testing.T) {
	if os.Geteuid() == 0 {
		t.Log("running as root: the read-only directory is writable; checking the cache placement only")
	}
	dir := osvtest.BuildDB(t)
	cache := t.TempDir()
	db := open(t, dir, Options{CacheDir: cache})
	for _, w := range db.Stats().Where {
		if !strings.HasPrefix(w, filepath.Join(cache, "osv-index")) {
			t.Errorf("index at %q, want under the cache dir", w)
		}
	}
	if m, _ := filepath.Glob(filepath.Join(dir, "*", "*"+Suffix)); len(m) != 0 {
		t.Errorf("indexes written beside the exports too: %v", m)
	}
	if s := open(t, dir, Options{CacheDir: cache}).Stats(); s.Built != 0 {
		t.Errorf("second open with the cache: rebuilt %d", s.Built)
	}
	ro := osvtest.BuildDB(t)
	for _, eco := range []string{"npm", "Go", "Packagist", "NuGet", "RubyGems", "crates.io"} {
		os.Chmod(filepath.Join(ro, eco), 0o555)
		t.Cleanup(func() { os.Chmod(filepath.Join(ro, eco), 0o755) })
	}
	db = open(t, ro, Options{CacheDir: t.TempDir()})
	sameAnswers(t, ro, db, testQueries)
}

// db update's mode: the index must go beside the export.
func TestIndexBesideRequired(t *testing.T) {
	dir := osvtest.BuildDB(t)
	db := open(t, dir, Options{Beside: true})
	if s := db.Stats(); s.Built != 6 {
		t.Errorf("beside: %+v", s)
	}
	if m, _ := filepath.Glob(filepath.Join(dir, "*", "all.zip"+Suffix)); len(m) != 6 {
		t.Errorf("indexes beside: %v", m)
	}
}

func TestIndexBadInput(t *testing.T) {
	ctx := context.Background()
	bad := t.TempDir()
	osvtest.WriteZip(t, filepath.Join(bad, "PyPI", "all.zip"), map[string]string{"ok.json": `{"id":"PYSEC-1"}`, "broken.json": `{"id": `})
	_, err := Open(ctx, bad, Options{})
	if err == nil || !strings.Contains(err.Error(), "broken.json") || !strings.Contains(err.Error(), filepath.Join("PyPI", "all.zip")) {
		t.Errorf("malformed entry: %v", err)
	}
	big := t.TempDir()
	osvtest.WriteZip(t, filepath.Join(big, "npm", "all.zip"), map[string]string{"GHSA-big.json": `{"id":"GHSA-big","details":"` + strings.Repeat("x", 5000) + `"}`})
	if _, err := Open(ctx, big, Options{Limits: osv.LoadOptions{MaxEntryBytes: 1000}}); !errors.Is(err, osv.ErrLimit) || !strings.Contains(err.Error(), "GHSA-big.json") {
		t.Errorf("entry limit: %v", err)
	}
	if _, err := Open(ctx, osvtest.BuildDB(t), Options{Limits: osv.LoadOptions{MaxRecords: 3}}); !errors.Is(err, osv.ErrLimit) {
		t.Errorf("record limit: %v", err)
	}
	notZip := t.TempDir()
	os.WriteFile(filepath.Join(notZip, "all.zip"), []byte("not a zip"), 0o644)
	if _, err := Open(ctx, notZip, Options{}); err == nil || !strings.Contains(err.Error(), "all.zip") {
		t.Errorf("corrupt zip: %v", err)
	}
	if _, err := Open(ctx, filepath.Join(notZip, "missing"), Options{}); err == nil {
		t.Error("missing path: no error")
	}
	// An empty directory opens, and says it covers nothing.
	if db := open(t, t.TempDir(), Options{}); len(db.Ecosystems()) != 0 {
		t.Errorf("empty: ecosystems %v", db.Ecosystems())
	}
}

// A withdrawn copy newer than a live one in another export withdraws the
// record; ecosystems narrow the answers; Records returns the newest copy.
func TestIndexCrossSourceCopies(t *testing.T) {
	dir := t.TempDir()
	live := `{"id":"GHSA-w","modified":"2024-01-01T00:00:00Z","affected":[{"package":{"ecosystem":"npm","name":"w"},"versions":["1.0.0"]},{"package":{"ecosystem":"PyPI","name":"w"},"versions":["1.0.0"]}]}`
	gone := `{"id":"GHSA-w","modified":"2024-06-01T00:00:00Z","withdrawn":"2024-06-01T00:00:00Z","affected":[{"package":{"ecosystem":"npm","name":"w"},"versions":["1.0.0"]}]}`
	osvtest.WriteZip(t, filepath.Join(dir, "PyPI", "all.zip"), map[string]string{"GHSA-w.json": live})
	osvtest.WriteZip(t, filepath.Join(dir, "npm", "all.zip"), map[string]string{"GHSA-w.json": gone,
		"GHSA-v.json": `{"id":"GHSA-v","modified":"2024-01-01T00:00:00Z","summary":"v","affected":[{"package":{"ecosystem":"npm","name":"v"},"versions":["1.0.0"]}]}`})
	db := open(t, dir, Options{})
	got, err := db.Lookup(context.Background(), []osv.Query{q("npm", "w", "1.0.0"), q("PyPI", "w", "1.0.0"), q("npm", "v", "1.0.0")})
	if err != nil || len(got[0]) != 0 || len(got[1]) != 0 || len(got[2]) != 1 {
		t.Errorf("withdrawn newest copy: %v %v", got, err)
	}
	recs, err := db.Records(context.Background(), []string{"GHSA-v", "GHSA-w", "CVE-none"})
	if err != nil || len(recs) != 1 || recs["GHSA-v"].Summary != "v" {
		t.Errorf("Records: %v %v", recs, err)
	}
	npmOnly := open(t, dir, Options{Limits: osv.LoadOptions{Ecosystems: []string{"PyPI"}}})
	if e := npmOnly.Ecosystems(); !slices.Equal(e, []string{"PyPI"}) {
		t.Errorf("narrowed ecosystems %v", e)
	}
	if got, _ := npmOnly.Lookup(context.Background(), []osv.Query{q("npm", "v", "1.0.0")}); len(got[0]) != 0 {
		t.Errorf("narrowed lookup answered another ecosystem: %v", got)
	}
}

// Sixty hostile 15 MiB records: the build holds one record at a time, and a
// lookup that would decode them all stops at its bound (an error the check
// reports as skipped) instead of taking gigabytes.
func TestIndexMemoryBoundsOnHostileDatabase(t *testing.T) {
	dir := t.TempDir()
	p := filepath.Join(dir, "npm", "all.zip")
	os.MkdirAll(filepath.Dir(p), 0o755)
	f, err := os.Create(p)
	if err != nil {
		t.Fatal(err)
	}
	zw := zip.NewWriter(f)
	zw.RegisterCompressor(zip.Deflate, func(w io.Writer) (io.WriteCloser, error) { return flate.NewWriter(w, flate.BestSpeed) })
	filler := strings.Repeat("A", 15<<20)
	for i := range 60 {
		w, err := zw.Create(strings.Repeat("x", i+1) + ".json")
		if err != nil {
			t.Fatal(err)
		}
		w.Write([]byte(`{"id":"GHSA-hostile-` + strings.Repeat("x", i+1) + `","details":"`))
		w.Write([]byte(filler))
		w.Write([]byte(`","affected":[{"package":{"ecosystem":"npm","name":"victim"},"versions":["1.0.0"]}]}`))
	}
	zw.Close()
	f.Close()
	filler = ""

	var peak atomic.Uint64
	stop := make(chan struct{})
	done := make(chan struct{})
	go func() {
		defer close(done)
		var ms runtime.MemStats
		for {
			select {
			case <-stop:
				return
			case <-time.After(5 * time.Millisecond):
				runtime.ReadMemStats(&ms)
				if ms.HeapInuse > peak.Load() {
					peak.Store(ms.HeapInuse)
				}
			}
		}
	}()
	db, err := Open(context.Background(), dir, Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	_, err = db.Lookup(context.Background(), []osv.Query{q("npm", "victim", "1.0.0")})
	close(stop)
	<-done
	if !errors.Is(err, osv.ErrLimit) {
		t.Errorf("lookup of 900 MiB of records: err = %v, want the decode bound", err)
	}
	if p := peak.Load(); p > 600<<20 {
		t.Errorf("peak heap %d MiB, want well under a gigabyte", p>>20)
	}
	t.Logf("peak heap in use %d MiB", peak.Load()>>20)
}

// Names are normalised as the lockfiles normalise them.
func TestIndexNormalisedNames(t *testing.T) {
	db := open(t, osvtest.BuildDB(t), Options{})
	for _, q := range []osv.Query{q("NuGet", "SIXLABORS.IMAGESHARP", "2.1.0"), q("crates.io", "old-crate", "0.1.0")} {
		got, err := db.Lookup(context.Background(), []osv.Query{q})
		if err != nil || len(got[0]) != 1 {
			t.Errorf("%+v: %v %v (normalised %q)", q, got, err, lockfiles.NormalizeName(q.Ecosystem, q.Name))
		}
	}
}

// A forged index whose checksum is valid but whose tables are garbage
// must not make a lookup panic: every offset followed is checked.
func TestIndexForgedTablesDoNotPanic(t *testing.T) {
	dir := osvtest.BuildDB(t)
	open(t, dir, Options{})
	idxPath := filepath.Join(dir, "npm", "all.zip"+Suffix)
	good, err := os.ReadFile(idxPath)
	if err != nil {
		t.Fatal(err)
	}
	tab, err := parseTable(bytes.NewReader(good), int64(len(good)), nil)
	if err != nil {
		t.Fatal(err)
	}
	body := good[tab.headLen:]
	for seed := range 50 {
		forged := slices.Clone(body)
		for i := range forged {
			if (i*7+seed*13)%5 == 0 {
				forged[i] ^= byte(i + seed)
			}
		}
		// Checksums recomputed: the forgery passes them.
		b, err := encodeHead(tab.hdr, tab.counts[:], forged)
		if err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(idxPath, b, 0o644); err != nil {
			t.Fatal(err)
		}
		func() {
			defer func() {
				if r := recover(); r != nil {
					t.Fatalf("seed %d: panic %v", seed, r)
				}
			}()
			db, err := Open(context.Background(), dir, Options{})
			if err != nil {
				return
			}
			defer db.Close()
			db.Answer(context.Background(), testQueries)
			db.Records(context.Background(), []string{"MAL-T-1", "GHSA-T-3"})
		}()
	}
}
