package content

import (
	"context"
	"crypto/sha1"
	"crypto/sha256"
	"crypto/sha512"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"hash"
	"io"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"

	"golang.org/x/mod/module"
	"golang.org/x/mod/sumdb/dirhash"
	modzip "golang.org/x/mod/zip"

	"github.com/tollgate-dev/tollgate/internal/atomicfile"
	"github.com/tollgate-dev/tollgate/internal/httpx"
	"github.com/tollgate-dev/tollgate/registry"
)

// DefaultMaxArtifact bounds one downloaded artifact.
const DefaultMaxArtifact = 64 << 20

// integrityError says that an artifact is not what was locked (or, when the
// lockfile carries no hash, not what the registry says it serves).
type integrityError struct {
	url       string
	algorithm string
	want, got string
	// source is "the lockfile" or "the registry".
	source string
}

func (e *integrityError) Error() string {
	return fmt.Sprintf("%s: %s is %s, %s says %s", e.url, e.algorithm, e.got, e.source, e.want)
}

// errNoIntegrity is wrapped when neither the lockfile nor the registry gives
// a hash to verify.
var errNoIntegrity = errors.New("no integrity hash in the lockfile or from the registry")

// Sources of an expectation.
const (
	fromLockfile = "the lockfile"
	fromRegistry = "the registry"
)

// expectation is what an artifact must hash to: one of digests (hex) under
// algorithm, or for a Go module zip the go.sum "h1:" dirhash.
type expectation struct {
	algorithm string
	digests   []string
	// module is the Go module whose zip the h1 dirhash is of (algorithm "h1").
	module module.Version
	source string
}

func (e expectation) ok() bool { return len(e.digests) > 0 }

// rank orders hash algorithms; the strongest a lockfile names is verified.
var rank = map[string]int{"sha1": 1, "sha256": 2, "sha384": 3, "sha512": 4, "h1": 5}

// parseDigests reads the hashes lockfiles and registries write, one or
// several separated by spaces or commas: SRI ("sha512-<base64>", npm),
// "<alg>:<hex>" (PyPI lockfiles, registry digests), "<alg>=<hex>"
// (Gemfile.lock CHECKSUMS), "h1:<base64>" (go.sum), bare hex by length
// (Cargo.lock sha256, composer.lock and yarn v1 sha1) and bare base64 of 64
// bytes (packages.lock.json contentHash, a sha512). Every digest of the
// strongest algorithm is kept: a PyPI lockfile lists one per file of the
// release, and the artifact must be one of them.
func parseDigests(s string) (algorithm string, digests []string) {
	for _, part := range strings.FieldsFunc(s, func(r rune) bool { return r == ' ' || r == ',' || r == '\t' || r == '\n' }) {
		alg, digest := parseDigest(part)
		switch {
		case alg == "":
			continue
		case rank[alg] > rank[algorithm]:
			algorithm, digests = alg, []string{digest}
		case alg == algorithm && !slices.Contains(digests, digest):
			digests = append(digests, digest)
		}
	}
	return algorithm, digests
}

func parseDigest(part string) (alg, digest string) {
	if v, ok := strings.CutPrefix(part, "h1:"); ok {
		if raw, err := base64.StdEncoding.DecodeString(v); err == nil && len(raw) == sha256.Size {
			return "h1", part
		}
		return "", ""
	}
	for _, sep := range []string{"-", ":", "="} {
		a, v, found := strings.Cut(part, sep)
		a = strings.ToLower(a)
		if !found || rank[a] == 0 || a == "h1" {
			continue
		}
		if isHex(v) && len(v) == 2*hashSize(a) {
			return a, strings.ToLower(v)
		}
		if raw, err := base64.StdEncoding.DecodeString(v); err == nil && len(raw) == hashSize(a) {
			return a, hex.EncodeToString(raw)
		}
		return "", ""
	}
	if isHex(part) {
		switch len(part) {
		case 40:
			return "sha1", strings.ToLower(part)
		case 64:
			return "sha256", strings.ToLower(part)
		case 128:
			return "sha512", strings.ToLower(part)
		}
	}
	if raw, err := base64.StdEncoding.DecodeString(part); err == nil && len(raw) == sha512.Size {
		return "sha512", hex.EncodeToString(raw)
	}
	return "", ""
}

func hashSize(alg string) int {
	switch alg {
	case "sha1":
		return sha1.Size
	case "sha256":
		return sha256.Size
	case "sha384":
		return sha512.Size384
	}
	return sha512.Size
}

// expected parses an npm lockfile's integrity (SRI, or yarn v1's bare hex
// SHA-1) and returns the strongest algorithm and its first digest in hex.
func expected(integrity string) (algorithm, digest string, ok bool) {
	alg, ds := parseDigests(integrity)
	if alg == "" || alg == "h1" {
		return "", "", false
	}
	return alg, ds[0], true
}

func isHex(s string) bool {
	_, err := hex.DecodeString(s)
	return err == nil && s != ""
}

func newHash(alg string) hash.Hash {
	switch alg {
	case "sha1":
		return sha1.New()
	case "sha256":
		return sha256.New()
	case "sha384":
		return sha512.New384()
	}
	return sha512.New()
}

// fetcher downloads artifacts, verifies them and caches them by digest.
type fetcher struct {
	hx       *httpx.Client
	cacheDir string
	max      int64
	// creds are the registries' credentials by origin (scheme://host:port
	// of the base URL): a download from that origin carries them, one from
	// any other origin none (and the HTTP layer drops them on a redirect
	// that leaves the origin).
	creds map[string]registry.Credentials
	// crateCfgs are the alternative crate registries' config.json, by the
	// URL they were read from, for the run.
	crateCfgMu sync.Mutex
	crateCfgs  map[string]*crateCfgEntry
	// rawGitHub is where a GitHub repository's files are served
	// (https://raw.githubusercontent.com; tests).
	rawGitHub string
}

// origin is a URL's scheme://host[:port], lower-cased.
func origin(u *url.URL) string { return strings.ToLower(u.Scheme + "://" + u.Host) }

// errTooLarge is wrapped when an artifact is larger than the size cap.
var errTooLarge = errors.New("larger than the size cap")

// digestOf hashes data as exp says: a plain digest, or a Go module zip's
// h1 dirhash after checking the zip against the module zip rules.
func digestOf(data []byte, exp expectation) (string, error) {
	if exp.algorithm != "h1" {
		h := newHash(exp.algorithm)
		h.Write(data)
		return hex.EncodeToString(h.Sum(nil)), nil
	}
	// dirhash and the module zip rules read a file: a private temporary
	// one, removed at once.
	tmp, err := os.CreateTemp("", "tollgate-modzip-*")
	if err != nil {
		return "", err
	}
	defer os.Remove(tmp.Name())
	_, err = tmp.Write(data)
	if cerr := tmp.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return "", err
	}
	if _, err := modzip.CheckZip(exp.module, tmp.Name()); err != nil {
		return "", fmt.Errorf("not a valid module zip: %w", err)
	}
	return dirhash.HashZip(tmp.Name(), dirhash.Hash1)
}

// get downloads rawURL and verifies it against exp; a verified artifact is
// cached under its digest. An artifact that does not verify is returned
// with an *integrityError.
func (f *fetcher) get(ctx context.Context, rawURL string, exp expectation) ([]byte, error) {
	if !exp.ok() {
		return nil, fmt.Errorf("%s: %w", httpx.RedactURL(rawURL), errNoIntegrity)
	}
	cacheName := func(d string) string {
		if exp.algorithm == "h1" {
			d = hex.EncodeToString([]byte(d))
		}
		return filepath.Join(f.cacheDir, "content", exp.algorithm+"-"+d)
	}
	if f.cacheDir != "" {
		for _, d := range exp.digests {
			if data, err := os.ReadFile(cacheName(d)); err == nil {
				if got, err := digestOf(data, exp); err == nil && got == d {
					return data, nil
				}
			}
		}
	}
	data, err := f.download(ctx, rawURL)
	if err != nil {
		return nil, err
	}
	got, err := digestOf(data, exp)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", httpx.RedactURL(rawURL), err)
	}
	if !slices.Contains(exp.digests, got) {
		return data, &integrityError{url: httpx.RedactURL(rawURL), algorithm: exp.algorithm, want: exp.digests[0], got: got, source: exp.source}
	}
	if f.cacheDir != "" {
		_ = os.MkdirAll(filepath.Join(f.cacheDir, "content"), 0o755)
		_ = atomicfile.Write(cacheName(got), data)
	}
	return data, nil
}

// download reads rawURL whole, at most f.max bytes.
func (f *fetcher) download(ctx context.Context, rawURL string) ([]byte, error) {
	return f.downloadMax(ctx, rawURL, f.max)
}

// downloadMax reads rawURL whole, at most limit bytes, with the credentials
// of its origin.
func (f *fetcher) downloadMax(ctx context.Context, rawURL string, limit int64) ([]byte, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, rawURL, nil)
	if err != nil {
		return nil, fmt.Errorf("%s: %v", httpx.RedactURL(rawURL), err)
	}
	if c, ok := f.creds[origin(req.URL)]; ok {
		c.Apply(req)
	}
	resp, err := f.hx.Do(req, httpx.Retryable(), httpx.NoCache())
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return nil, fmt.Errorf("%s: HTTP %d", httpx.RedactURL(rawURL), resp.StatusCode)
	}
	if resp.ContentLength > limit {
		return nil, fmt.Errorf("%s: %w of %d bytes (%d)", httpx.RedactURL(rawURL), errTooLarge, limit, resp.ContentLength)
	}
	data, err := io.ReadAll(io.LimitReader(resp.Body, limit+1))
	if err != nil {
		return nil, fmt.Errorf("%s: %w", httpx.RedactURL(rawURL), err)
	}
	if int64(len(data)) > limit {
		return nil, fmt.Errorf("%s: %w of %d bytes", httpx.RedactURL(rawURL), errTooLarge, limit)
	}
	return data, nil
}

// maxCrateConfig bounds an alternative crate registry's config.json (a few
// hundred bytes in practice).
const maxCrateConfig = 64 << 10

// crateConfig is the part of a crate registry's config.json that says where
// crates are downloaded from.
type crateConfig struct {
	DL           string `json:"dl"`
	API          string `json:"api"`
	AuthRequired bool   `json:"auth-required"`
}

// crateCfgEntry is one config.json read (or being read) in this run.
type crateCfgEntry struct {
	done chan struct{}
	cfg  crateConfig
	err  error
}

// crateConfig reads the config.json at cfgURL once per run, with the
// credentials of cfgURL's origin only; concurrent callers wait for the one
// read. A failure is remembered as well, unless the reader's own context
// ended (another package then reads it again).
func (f *fetcher) crateConfig(ctx context.Context, cfgURL string) (crateConfig, error) {
	for {
		f.crateCfgMu.Lock()
		if f.crateCfgs == nil {
			f.crateCfgs = map[string]*crateCfgEntry{}
		}
		e, reading := f.crateCfgs[cfgURL]
		if !reading {
			e = &crateCfgEntry{done: make(chan struct{})}
			f.crateCfgs[cfgURL] = e
		}
		f.crateCfgMu.Unlock()
		if !reading {
			e.cfg, e.err = f.readCrateConfig(ctx, cfgURL)
			if e.err != nil && ctx.Err() != nil {
				f.crateCfgMu.Lock()
				delete(f.crateCfgs, cfgURL)
				f.crateCfgMu.Unlock()
			}
			close(e.done)
			return e.cfg, e.err
		}
		select {
		case <-ctx.Done():
			return crateConfig{}, ctx.Err()
		case <-e.done:
		}
		f.crateCfgMu.Lock()
		forgotten := f.crateCfgs[cfgURL] != e
		f.crateCfgMu.Unlock()
		if !forgotten {
			return e.cfg, e.err
		}
	}
}

func (f *fetcher) readCrateConfig(ctx context.Context, cfgURL string) (crateConfig, error) {
	var cfg crateConfig
	data, err := f.downloadMax(ctx, cfgURL, maxCrateConfig)
	if errors.Is(err, errTooLarge) {
		// Not the artifact size cap: the registry is what failed.
		return cfg, fmt.Errorf("%s is larger than %d bytes", httpx.RedactURL(cfgURL), maxCrateConfig)
	}
	if err != nil {
		return cfg, err
	}
	if err := json.Unmarshal(data, &cfg); err != nil {
		return cfg, fmt.Errorf("%s is not a registry config.json: %v", httpx.RedactURL(cfgURL), err)
	}
	if cfg.DL == "" {
		return cfg, fmt.Errorf("%s names no download URL (dl)", httpx.RedactURL(cfgURL))
	}
	return cfg, nil
}
