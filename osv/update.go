package osv

import (
	"context"
	"crypto/md5"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"hash"
	"hash/crc32"
	"io"
	"math"
	"math/rand/v2"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"time"

	"github.com/tollgate-dev/tollgate/internal/atomicfile"
)

// DefaultExportURL is where OSV publishes <Ecosystem>/all.zip exports.
const DefaultExportURL = "https://osv-vulnerabilities.storage.googleapis.com"

// UpdateOptions tune UpdateDB. Zero fields mean the defaults.
type UpdateOptions struct {
	// HTTPClient defaults to one with a 10-minute timeout (exports are large).
	HTTPClient *http.Client
	// MaxZipBytes bounds one download (default 4 GiB).
	MaxZipBytes int64
	// MaxRetries bounds retries on 429, 5xx and network errors (default 3).
	MaxRetries int
	// Backoff is the first retry delay (default 1s), doubled each attempt, with jitter.
	Backoff time.Duration
	// Load bounds the integrity check of each downloaded zip.
	Load LoadOptions
}

// UpdateResult says what UpdateDB did for one ecosystem.
type UpdateResult struct {
	Ecosystem string
	// Status is "updated" or "unchanged" (the server answered 304).
	Status  string
	Records int
	Bytes   int64
}

// exportMeta is kept beside each all.zip (as all.zip.meta, not .json, so that
// LoadDB does not read it) for conditional requests.
type exportMeta struct {
	ETag         string `json:"etag,omitempty"`
	LastModified string `json:"last_modified,omitempty"`
	URL          string `json:"url"`
}

// UpdateDB downloads or refreshes <dir>/<Ecosystem>/all.zip for each
// ecosystem from baseURL (DefaultExportURL when empty), for air-gapped
// runners to mount as --osv-db. With no ecosystems it refreshes the ones
// already in dir. Requests are conditional (If-None-Match, If-Modified-Since);
// a download is checked (x-goog-hash crc32c/md5 or Content-MD5 when sent; the
// zip opens and every entry is an OSV record within limits) before it
// atomically replaces the old file, which a failure leaves in place.
func UpdateDB(ctx context.Context, baseURL, dir string, ecosystems []string) ([]UpdateResult, error) {
	return UpdateDBWith(ctx, baseURL, dir, ecosystems, UpdateOptions{})
}

// UpdateDBWith is UpdateDB with options.
func UpdateDBWith(ctx context.Context, baseURL, dir string, ecosystems []string, opts UpdateOptions) ([]UpdateResult, error) {
	if baseURL == "" {
		baseURL = DefaultExportURL
	}
	baseURL = strings.TrimRight(baseURL, "/")
	if opts.HTTPClient == nil {
		opts.HTTPClient = &http.Client{Timeout: 10 * time.Minute}
	}
	if opts.MaxZipBytes <= 0 {
		opts.MaxZipBytes = 4 << 30
	}
	if opts.MaxRetries <= 0 {
		opts.MaxRetries = 3
	}
	if opts.Backoff <= 0 {
		opts.Backoff = time.Second
	}
	if len(ecosystems) == 0 {
		matches, _ := filepath.Glob(filepath.Join(dir, "*", "all.zip"))
		for _, m := range matches {
			ecosystems = append(ecosystems, filepath.Base(filepath.Dir(m)))
		}
		sort.Strings(ecosystems)
		if len(ecosystems) == 0 {
			return nil, fmt.Errorf("osv db update %s: no ecosystems given and none present", dir)
		}
	}
	var results []UpdateResult
	for _, eco := range ecosystems {
		if eco == "" || strings.ContainsAny(eco, `/\`) || eco == "." || eco == ".." {
			return results, fmt.Errorf("osv db update: bad ecosystem name %q", eco)
		}
		r, err := updateOne(ctx, baseURL, dir, eco, opts)
		if err != nil {
			return results, fmt.Errorf("osv db update %s: %w", eco, err)
		}
		results = append(results, r)
	}
	return results, nil
}

func updateOne(ctx context.Context, baseURL, dir, eco string, opts UpdateOptions) (UpdateResult, error) {
	res := UpdateResult{Ecosystem: eco}
	ecoDir := filepath.Join(dir, eco)
	zipPath := filepath.Join(ecoDir, "all.zip")
	metaPath := zipPath + ".meta"
	u := baseURL + "/" + url.PathEscape(eco) + "/all.zip"
	var meta exportMeta
	if _, err := os.Stat(zipPath); err == nil {
		if b, err := os.ReadFile(metaPath); err == nil && json.Unmarshal(b, &meta) == nil && meta.URL != u {
			meta = exportMeta{} // another source: download afresh
		}
	}
	if err := os.MkdirAll(ecoDir, 0o755); err != nil {
		return res, err
	}
	var lastErr error
	for attempt := 0; attempt <= opts.MaxRetries; attempt++ {
		if attempt > 0 {
			wait := opts.Backoff << (attempt - 1)
			wait += time.Duration(rand.Int64N(int64(wait)/2 + 1))
			select {
			case <-ctx.Done():
				return res, ctx.Err()
			case <-time.After(wait):
			}
		}
		var retry bool
		res, retry, lastErr = download(ctx, u, zipPath, meta, opts)
		res.Ecosystem = eco
		if lastErr == nil || !retry {
			return res, lastErr
		}
	}
	return res, fmt.Errorf("%w (after %d attempts)", lastErr, opts.MaxRetries+1)
}

// download fetches u into zipPath once; retry says whether a failure may pass.
func download(ctx context.Context, u, zipPath string, meta exportMeta, opts UpdateOptions) (UpdateResult, bool, error) {
	res := UpdateResult{}
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, u, nil)
	if err != nil {
		return res, false, err
	}
	req.Header.Set("User-Agent", "tollgate")
	if meta.ETag != "" {
		req.Header.Set("If-None-Match", meta.ETag)
	}
	if meta.LastModified != "" {
		req.Header.Set("If-Modified-Since", meta.LastModified)
	}
	resp, err := opts.HTTPClient.Do(req)
	if err != nil {
		return res, ctx.Err() == nil, err
	}
	defer resp.Body.Close()
	switch {
	case resp.StatusCode == http.StatusNotModified:
		res.Status = "unchanged"
		return res, false, nil
	case resp.StatusCode == http.StatusTooManyRequests || resp.StatusCode >= 500:
		return res, true, &StatusError{Method: http.MethodGet, URL: u, Status: resp.StatusCode}
	case resp.StatusCode != http.StatusOK:
		return res, false, &StatusError{Method: http.MethodGet, URL: u, Status: resp.StatusCode}
	}
	tmp, err := os.CreateTemp(filepath.Dir(zipPath), ".all.zip-*")
	if err != nil {
		return res, false, err
	}
	defer os.Remove(tmp.Name())
	md5h, crch := md5.New(), crc32.New(crc32.MakeTable(crc32.Castagnoli))
	n, err := io.Copy(io.MultiWriter(tmp, md5h, crch), io.LimitReader(resp.Body, opts.MaxZipBytes+1))
	if cerr := tmp.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return res, ctx.Err() == nil, fmt.Errorf("download %s: %w", u, err)
	}
	if n > opts.MaxZipBytes {
		return res, false, fmt.Errorf("download %s: %w: more than %d bytes", u, ErrLimit, opts.MaxZipBytes)
	}
	if err := checkDigests(resp.Header, md5h, crch); err != nil {
		return res, true, fmt.Errorf("download %s: %w", u, err)
	}
	// Integrity: the zip opens and every entry is an OSV record. The bound
	// on records held in memory is LoadDB's; a whole public export is
	// checked here whatever its size (each record is still bounded).
	lo := opts.Load.withDefaults()
	if opts.Load.MaxDBBytes <= 0 {
		lo.MaxDBBytes = math.MaxInt64
	}
	l := &loader{opts: lo}
	vulns, err := l.readZip(ctx, tmp.Name())
	if err != nil {
		return res, false, fmt.Errorf("downloaded %s is not a valid OSV export: %w", u, err)
	}
	if err := os.Rename(tmp.Name(), zipPath); err != nil {
		return res, false, err
	}
	newMeta, _ := json.Marshal(exportMeta{ETag: resp.Header.Get("ETag"), LastModified: resp.Header.Get("Last-Modified"), URL: u})
	if err := atomicfile.Write(zipPath+".meta", newMeta); err != nil {
		return res, false, err
	}
	res.Status = "updated"
	res.Records = len(vulns) + int(l.withdrawn.Load())
	res.Bytes = n
	return res, false, nil
}

// checkDigests compares the body's digests with x-goog-hash
// ("crc32c=<b64>,md5=<b64>", as Cloud Storage sends) and Content-MD5.
func checkDigests(h http.Header, md5h, crch hash.Hash) error {
	want := map[string]string{}
	for _, v := range h.Values("X-Goog-Hash") {
		for _, part := range strings.Split(v, ",") {
			if k, val, ok := strings.Cut(strings.TrimSpace(part), "="); ok {
				want[k] = val
			}
		}
	}
	if v := h.Get("Content-MD5"); v != "" {
		want["md5"] = v
	}
	got := map[string]string{
		"md5":    base64.StdEncoding.EncodeToString(md5h.Sum(nil)),
		"crc32c": base64.StdEncoding.EncodeToString(crch.Sum(nil)),
	}
	for k, w := range want {
		if g, ok := got[k]; ok && g != w {
			return fmt.Errorf("integrity check failed: %s is %s, server said %s", k, g, w)
		}
	}
	return nil
}
