package httpx

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"strconv"
	"time"

	"github.com/tollgate-dev/tollgate/internal/atomicfile"
)

// maxCacheMeta bounds the metadata line of a cache entry.
const maxCacheMeta = 16 << 10

// cachedHeaders are the response headers a cache entry keeps; the rest
// (Set-Cookie above all) are never written.
var cachedHeaders = []string{"Content-Type", "Content-Language", "Etag", "Last-Modified", "Link"}

// diskCache keeps 200 answers as one file per entry: a JSON metadata line,
// then the body. Entries are written through a temporary file and a rename,
// so a reader sees a whole entry or none. A failure to read or write an entry
// only costs a request.
type diskCache struct {
	dir      string
	maxEntry int64
	now      func() time.Time
}

type cacheMeta struct {
	Method string      `json:"method"`
	URL    string      `json:"url"`
	Status int         `json:"status"`
	Header http.Header `json:"header,omitempty"`
	Stored time.Time   `json:"stored"`
	Size   int64       `json:"size"`
}

// cacheKey returns the entry key for req and how long its answer stays fresh,
// or "" when the call is not cached: no cache, NoCache, a method other than
// GET (or POST with MaxAge), a body too large to hash, or a request carrying
// credentials (its answer belongs to that credential, and neither the key
// nor the file may hold it).
func (c *Client) cacheKey(req *http.Request, cl *call) (string, time.Duration) {
	if c.cache == nil || cl.noCache || c.carriesCredentials(req) {
		return "", 0
	}
	maxAge := c.opts.CacheTTL
	if cl.maxAge > 0 {
		maxAge = cl.maxAge
	}
	var bodySum [sha256.Size]byte
	switch req.Method {
	case http.MethodGet, "":
	case http.MethodPost:
		if cl.maxAge <= 0 {
			return "", 0
		}
		if req.Body != nil && req.Body != http.NoBody {
			if req.GetBody == nil {
				return "", 0
			}
			body, err := req.GetBody()
			if err != nil {
				return "", 0
			}
			b, err := io.ReadAll(io.LimitReader(body, c.opts.MaxCacheEntry+1))
			body.Close()
			if err != nil || int64(len(b)) > c.opts.MaxCacheEntry {
				return "", 0
			}
			bodySum = sha256.Sum256(b)
		}
	default:
		return "", 0
	}
	method := req.Method
	if method == "" {
		method = http.MethodGet
	}
	h := sha256.New()
	fmt.Fprintf(h, "%s\n%s\n%s\n%x", method, req.URL.String(), req.Header.Get("Accept"), bodySum)
	return hex.EncodeToString(h.Sum(nil)), maxAge
}

// carriesCredentials reports whether req holds a credential: a credential
// header, URL userinfo or a credential query parameter.
func (c *Client) carriesCredentials(req *http.Request) bool {
	for _, h := range c.credHeaders {
		if len(req.Header.Values(h)) > 0 {
			return true
		}
	}
	if req.URL.User != nil {
		return true
	}
	for name := range req.URL.Query() {
		if sensitiveParam(name) {
			return true
		}
	}
	return false
}

func (d *diskCache) path(key string) string { return filepath.Join(d.dir, key+".entry") }

// get returns the fresh entry for key as a response to req, or nil.
func (d *diskCache) get(key string, req *http.Request, maxAge time.Duration) *http.Response {
	f, err := os.Open(d.path(key))
	if err != nil {
		return nil
	}
	defer f.Close()
	limit := d.maxEntry + maxCacheMeta
	if st, err := f.Stat(); err != nil || st.Size() > limit {
		return nil
	}
	b, err := io.ReadAll(io.LimitReader(f, limit+1))
	if err != nil || int64(len(b)) > limit {
		return nil
	}
	line, body, ok := bytes.Cut(b, []byte("\n"))
	if !ok || len(line) > maxCacheMeta {
		return nil
	}
	var meta cacheMeta
	if json.Unmarshal(line, &meta) != nil || meta.URL != req.URL.String() || meta.Size != int64(len(body)) || meta.Status != http.StatusOK {
		return nil
	}
	if age := d.now().Sub(meta.Stored); age < 0 || age >= maxAge {
		return nil
	}
	h := http.Header{}
	for k, vs := range meta.Header {
		for _, v := range vs {
			h.Add(k, v)
		}
	}
	h.Set("Content-Length", strconv.Itoa(len(body)))
	return &http.Response{
		Status: "200 OK", StatusCode: http.StatusOK,
		Proto: "HTTP/1.1", ProtoMajor: 1, ProtoMinor: 1,
		Header: h, Body: io.NopCloser(bytes.NewReader(body)), ContentLength: int64(len(body)),
		Request: req,
	}
}

// put stores resp's body under key when it fits in maxEntry and returns a
// response that reads the same body. A larger body is returned whole, not
// stored.
func (d *diskCache) put(key string, req *http.Request, resp *http.Response) *http.Response {
	buf, err := io.ReadAll(io.LimitReader(resp.Body, d.maxEntry+1))
	if err != nil || int64(len(buf)) > d.maxEntry {
		rest := io.Reader(resp.Body)
		if err != nil {
			rest = errReader{err}
		}
		resp.Body = &peekedBody{Reader: io.MultiReader(bytes.NewReader(buf), rest), Closer: resp.Body}
		return resp
	}
	resp.Body.Close()
	resp.Body = io.NopCloser(bytes.NewReader(buf))
	meta := cacheMeta{Method: req.Method, URL: req.URL.String(), Status: resp.StatusCode, Stored: d.now().UTC(), Size: int64(len(buf))}
	if meta.Method == "" {
		meta.Method = http.MethodGet
	}
	for _, k := range cachedHeaders {
		if vs := resp.Header.Values(k); len(vs) > 0 {
			if meta.Header == nil {
				meta.Header = http.Header{}
			}
			meta.Header[k] = vs
		}
	}
	line, err := json.Marshal(meta)
	if err != nil || len(line) > maxCacheMeta {
		return resp
	}
	_ = atomicfile.Write(d.path(key), append(append(line, '\n'), buf...))
	return resp
}

type errReader struct{ err error }

func (r errReader) Read([]byte) (int, error) { return 0, r.err }
