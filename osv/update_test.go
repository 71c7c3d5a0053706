package osv

import (
	"context"
	"crypto/md5"
	"encoding/base64"
	"errors"
	"hash/crc32"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/tollgate-dev/tollgate/internal/shareddata"
)

func TestUpdateDB(t *testing.T) {
	crates, err := os.ReadFile(shareddata.Path(t, "osv", "vulns", "crates.io", "all.zip"))
	if err != nil {
		t.Fatal(err)
	}
	ga, err := os.ReadFile(shareddata.Path(t, "osv", "vulns", "GitHub Actions", "all.zip"))
	if err != nil {
		t.Fatal(err)
	}
	bodies := map[string][]byte{"/crates.io/all.zip": crates, "/GitHub Actions/all.zip": ga}
	var fails atomic.Int64
	var served atomic.Int64
	corrupt := false
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if fails.Load() > 0 {
			fails.Add(-1)
			http.Error(w, "busy", http.StatusServiceUnavailable)
			return
		}
		b, ok := bodies[r.URL.Path]
		if !ok {
			http.NotFound(w, r)
			return
		}
		sum := md5.Sum(b)
		etag := `"` + base64.StdEncoding.EncodeToString(sum[:]) + `"`
		if r.Header.Get("If-None-Match") == etag {
			w.WriteHeader(http.StatusNotModified)
			return
		}
		w.Header().Set("ETag", etag)
		crc := crc32.New(crc32.MakeTable(crc32.Castagnoli))
		crc.Write(b)
		w.Header().Add("X-Goog-Hash", "crc32c="+base64.StdEncoding.EncodeToString(crc.Sum(nil)))
		w.Header().Add("X-Goog-Hash", "md5="+base64.StdEncoding.EncodeToString(sum[:]))
		served.Add(1)
		if corrupt {
			b = append([]byte(nil), b...)
			b[len(b)/2] ^= 0xff
		}
		_, _ = w.Write(b)
	}))
	defer srv.Close()
	ctx := context.Background()
	dir := t.TempDir()
	opts := UpdateOptions{Backoff: time.Millisecond}

	fails.Store(1) // one 503 first: retried
	res, err := UpdateDBWith(ctx, srv.URL, dir, []string{"crates.io", "GitHub Actions"}, opts)
	if err != nil {
		t.Fatal(err)
	}
	if len(res) != 2 || res[0].Status != "updated" || res[0].Records != 1206 || res[1].Records != 4 || res[0].Bytes != int64(len(crates)) {
		t.Errorf("first update = %+v", res)
	}
	// No ecosystems: refresh what is there; the server answers 304.
	res, err = UpdateDBWith(ctx, srv.URL, dir, nil, opts)
	if err != nil || len(res) != 2 || res[0].Status != "unchanged" || res[1].Status != "unchanged" {
		t.Errorf("second update = %+v, %v", res, err)
	}
	db, err := LoadDB(ctx, dir, LoadOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if s := db.Stats(); s.Records != 1206-13+4 || s.Withdrawn != 13 {
		t.Errorf("loaded %+v, want 1197 records and 13 withdrawn", s)
	}

	// A corrupted download fails the md5 check and leaves the old zip.
	bodies["/crates.io/all.zip"] = append(append([]byte(nil), crates...), 0) // new ETag
	corrupt = true
	before := served.Load()
	_, err = UpdateDBWith(ctx, srv.URL, dir, []string{"crates.io"}, UpdateOptions{Backoff: time.Millisecond, MaxRetries: 1})
	if err == nil || !strings.Contains(err.Error(), "integrity") || served.Load()-before != 2 {
		t.Errorf("corrupt download: err = %v after %d downloads", err, served.Load()-before)
	}
	if b, _ := os.ReadFile(filepath.Join(dir, "crates.io", "all.zip")); len(b) != len(crates) {
		t.Error("old all.zip replaced after a failed update")
	}

	// A zip whose entry is not a record is refused.
	bad := t.TempDir()
	writeZip(t, filepath.Join(bad, "x.zip"), map[string]string{"BAD-1.json": `["not a record"]`})
	bodies["/npm/all.zip"], _ = os.ReadFile(filepath.Join(bad, "x.zip"))
	corrupt = false
	if _, err := UpdateDBWith(ctx, srv.URL, dir, []string{"npm"}, opts); err == nil || !strings.Contains(err.Error(), "BAD-1.json") {
		t.Errorf("bad entry: err = %v", err)
	}
	if _, err := os.Stat(filepath.Join(dir, "npm", "all.zip")); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("invalid export was kept: %v", err)
	}
	if _, err := UpdateDBWith(ctx, srv.URL, dir, []string{"../etc"}, opts); err == nil {
		t.Error("path-like ecosystem accepted")
	}
	if _, err := UpdateDBWith(ctx, srv.URL, t.TempDir(), nil, opts); err == nil {
		t.Error("empty dir and no ecosystems: no error")
	}
}
