package content

import (
	"context"
	"crypto/sha1"
	"crypto/sha256"
	"crypto/sha512"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"fmt"
	"hash"
	"io"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"strings"

	"github.com/tollgate-dev/tollgate/internal/atomicfile"
	"github.com/tollgate-dev/tollgate/internal/httpx"
	"github.com/tollgate-dev/tollgate/lockfiles"
)

// DefaultMaxArtifact bounds one downloaded artifact.
const DefaultMaxArtifact = 64 << 20

// integrityError says that an artifact is not what the lockfile locked.
type integrityError struct {
	url       string
	algorithm string
	want, got string
}

func (e *integrityError) Error() string {
	return fmt.Sprintf("%s: %s is %s, the lockfile locked %s", e.url, e.algorithm, e.got, e.want)
}

// errNoIntegrity is wrapped when a lockfile entry carries no hash to verify.
var errNoIntegrity = errors.New("no integrity hash in the lockfile")

// fetcher downloads artifacts, verifies them and caches them by digest.
type fetcher struct {
	hx       *httpx.Client
	cacheDir string
	max      int64
}

// expected parses a lockfile's integrity: SRI ("sha512-<base64>", several
// separated by spaces: the strongest wins) or a bare hex SHA-1 (yarn v1's
// resolved "#<sha1>"). It returns the algorithm and the digest in hex.
func expected(integrity string) (algorithm, digest string, ok bool) {
	rank := map[string]int{"sha1": 1, "sha256": 2, "sha384": 3, "sha512": 4}
	for _, part := range strings.Fields(integrity) {
		alg, b64, found := strings.Cut(part, "-")
		if !found || rank[alg] == 0 {
			if len(part) == 40 && isHex(part) && rank[algorithm] < 1 {
				algorithm, digest, ok = "sha1", strings.ToLower(part), true
			}
			continue
		}
		raw, err := base64.StdEncoding.DecodeString(b64)
		if err != nil || rank[alg] <= rank[algorithm] {
			continue
		}
		algorithm, digest, ok = alg, hex.EncodeToString(raw), true
	}
	return algorithm, digest, ok
}

func isHex(s string) bool {
	_, err := hex.DecodeString(s)
	return err == nil
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

// npmURL is where an npm package's tarball is: the lockfile's resolved URL,
// else the registry's conventional path.
func npmURL(p *lockfiles.Package, registry string) string {
	if u, err := url.Parse(p.Resolved); err == nil && (u.Scheme == "https" || u.Scheme == "http") && u.Host != "" {
		return p.Resolved
	}
	base := p.Name
	if i := strings.LastIndexByte(base, '/'); i >= 0 {
		base = base[i+1:]
	}
	return strings.TrimSuffix(registry, "/") + "/" + p.Name + "/-/" + base + "-" + p.Version + ".tgz"
}

// get downloads url and verifies it against integrity; a verified artifact
// is cached under its digest.
func (f *fetcher) get(ctx context.Context, rawURL, integrity string) ([]byte, error) {
	alg, want, ok := expected(integrity)
	if !ok {
		return nil, fmt.Errorf("%s: %w", httpx.RedactURL(rawURL), errNoIntegrity)
	}
	cached := ""
	if f.cacheDir != "" {
		cached = filepath.Join(f.cacheDir, "content", alg+"-"+want)
		if data, err := os.ReadFile(cached); err == nil {
			h := newHash(alg)
			h.Write(data)
			if hex.EncodeToString(h.Sum(nil)) == want {
				return data, nil
			}
		}
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, rawURL, nil)
	if err != nil {
		return nil, fmt.Errorf("%s: %v", httpx.RedactURL(rawURL), err)
	}
	resp, err := f.hx.Do(req, httpx.Retryable(), httpx.NoCache())
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return nil, fmt.Errorf("%s: HTTP %d", httpx.RedactURL(rawURL), resp.StatusCode)
	}
	data, err := io.ReadAll(io.LimitReader(resp.Body, f.max+1))
	if err != nil {
		return nil, fmt.Errorf("%s: %w", httpx.RedactURL(rawURL), err)
	}
	if int64(len(data)) > f.max {
		return nil, fmt.Errorf("%s: larger than %d bytes", httpx.RedactURL(rawURL), f.max)
	}
	h := newHash(alg)
	h.Write(data)
	if got := hex.EncodeToString(h.Sum(nil)); got != want {
		return data, &integrityError{url: httpx.RedactURL(rawURL), algorithm: alg, want: want, got: got}
	}
	if cached != "" {
		_ = os.MkdirAll(filepath.Dir(cached), 0o755)
		_ = atomicfile.Write(cached, data)
	}
	return data, nil
}
