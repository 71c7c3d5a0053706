package npm

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
	"time"

	"github.com/tollgate-dev/tollgate/registry"
	"github.com/tollgate-dev/tollgate/registry/internal/registrytest"
)

func newClient(t *testing.T, base string, mod func(*registry.Options), options ...Option) *Client {
	t.Helper()
	opts := registry.Options{BaseURL: base, HTTP: registrytest.HTTP()}
	if mod != nil {
		mod(&opts)
	}
	c, err := New(opts, options...)
	if err != nil {
		t.Fatal(err)
	}
	return c
}

func TestRecordedNx(t *testing.T) {
	srv := registrytest.New(t)
	srv.File(t, "/nx", "testdata/nx.json", "application/json")
	p, err := newClient(t, srv.URL, nil).Package(context.Background(), "nx")
	if err != nil {
		t.Fatal(err)
	}
	if p.Ecosystem != "npm" || p.Name != "nx" || p.Latest != "20.0.11" || len(p.Versions) != 3 || p.Registry != srv.URL {
		t.Fatalf("package %+v", p)
	}
	if p.Downloads != -1 || p.DownloadsPeriod != "" {
		t.Errorf("a mirror has no download counts: %d %q", p.Downloads, p.DownloadsPeriod)
	}
	old, ok := p.Version("11.6.3")
	if !ok || len(old.InstallScripts) != 0 {
		t.Errorf("11.6.3: %+v", old)
	}
	v, ok := p.Version("20.0.11")
	if !ok {
		t.Fatal("20.0.11 missing")
	}
	if strings.Join(v.InstallScripts, ",") != "postinstall" || v.InstallCommands["postinstall"] != "node ./bin/post-install" {
		t.Errorf("install scripts %v %v", v.InstallScripts, v.InstallCommands)
	}
	if want := time.Date(2024, 12, 12, 22, 10, 35, 64e6, time.UTC); !v.Published.Equal(want) {
		t.Errorf("published %v, want %v", v.Published, want)
	}
	if v.Digest != "sha512-g22/gNg6RCfOKd47cFunGgMY4wm3okoG7hmlqe21HkdpuRf1Yos/YGNdPmrrS04+IKUz7utdBl6bDGfw8QbZAw==" || v.ArtifactURL != "https://registry.npmjs.org/nx/-/nx-20.0.11.tgz" {
		t.Errorf("dist %q %q", v.Digest, v.ArtifactURL)
	}
	if v.Provenance != registry.ProvenanceNone || v.Publisher != "" {
		t.Errorf("provenance %q publisher %q", v.Provenance, v.Publisher)
	}
	if v.Dependencies["yargs"] == "" || v.Repository == "" {
		t.Errorf("dependencies %v repository %q", v.Dependencies, v.Repository)
	}
	// Oldest first: 20.0.10 was published before 11.6.3 on this mirror.
	if p.Versions[0].Version != "20.0.10" || !p.Created.Equal(p.Versions[0].Published) {
		t.Errorf("order %s %s, created %v", p.Versions[0].Version, p.Versions[1].Version, p.Created)
	}
}

func TestRecordedScopedAndMaintainers(t *testing.T) {
	srv := registrytest.New(t)
	srv.File(t, "/@types%2Fleft-pad", "testdata/types-left-pad.json", "application/json")
	srv.File(t, "/left-pad", "testdata/left-pad.json", "application/json")
	c := newClient(t, srv.URL, nil)
	p, err := c.Package(context.Background(), "@types/left-pad")
	if err != nil {
		t.Fatal(err)
	}
	v, ok := p.Version("1.2.0")
	if !ok || v.Dependencies["left-pad"] != "*" || v.Repository != "https://github.com/stevemao/left-pad" {
		t.Errorf("%+v", v)
	}
	lp, err := c.Package(context.Background(), "left-pad")
	if err != nil {
		t.Fatal(err)
	}
	v, _ = lp.Version("1.3.0")
	if len(lp.Versions) != 15 || v == nil || strings.Join(v.Maintainers, ",") != "Cameron Westland" {
		t.Errorf("%d versions, 1.3.0 %+v", len(lp.Versions), v)
	}
}

func TestRealShape(t *testing.T) {
	srv := registrytest.New(t)
	srv.File(t, "/axios", "testdata/realshape.json", "application/json", "Cache-Control", "public, max-age=300")
	p, err := newClient(t, srv.URL, nil).Package(context.Background(), "axios")
	if err != nil {
		t.Fatal(err)
	}
	if !p.Created.Equal(time.Date(2014, 8, 29, 16, 21, 42, 95e6, time.UTC)) || p.Modified.IsZero() {
		t.Errorf("created %v modified %v", p.Created, p.Modified)
	}
	if strings.Join(p.Maintainers, ",") != "emilyhsu,jasonsaayman" || p.Repository != "git+https://github.com/axios/axios.git" || p.Latest != "1.14.1" {
		t.Errorf("maintainers %v repository %q latest %q", p.Maintainers, p.Repository, p.Latest)
	}
	tests := []struct {
		version, publisher, deprecated, repo, digest, scripts string
		prov                                                  registry.Provenance
		yanked                                                bool
		deps                                                  int
	}{
		{"0.1.0", "mzabriskie", "", "git://github.com/mzabriskie/axios.git", "sha1:8e39b0c5a3e1fa5b1c0e2b7f9f2d5e8c0a7b6d41", "", registry.ProvenanceNone, false, 0},
		{"0.2.0", "mzabriskie", "Critical security vulnerability fixed in v0.21.1. For more information, see https://github.com/axios/axios/pull/3410", "https://github.com/mzabriskie/axios.git", "sha1:5b3d4cd7c4a7dd1f3cf1b0a4cf0c1ab7cbbd2b70", "", registry.ProvenanceNone, false, 1},
		{"0.3.0", "", "", "", "", "", registry.ProvenanceUnknown, true, 0},
		{"1.14.0-beta.1", "jasonsaayman", "", "git+https://github.com/axios/axios.git", "sha512-QcPWtyfA8B0AevLLmWLmOwRXAeelpSx3osEBqpLJgsNnpd1XOq/dLUQwSOOFFTLaWVkukU3qRanE5ReTllj+2Q==", "", registry.ProvenanceAttested, false, 3},
		{"1.14.0", "GitHub Actions", "", "git+https://github.com/axios/axios.git", "sha512-g22/gNg6RCfOKd47cFunGgMY4wm3okoG7hmlqe21HkdpuRf1Yos/YGNdPmrrS04+IKUz7utdBl6bDGfw8QbZAw==", "", registry.ProvenanceTrustedPublisher, false, 3},
		{"1.14.1", "jasonsaayman", "", "git+https://github.com/axios/axios.git", "sha512-biIuIiEjZRPMQVKY4FUlMBZ40ArwRm9x4u0oluevexcQ4UZNJsPQSawovcRRCWOkHum3HtGX2FIQFVcFU9oOZw==", "hasInstallScript,postinstall", registry.ProvenanceNone, false, 4},
		{"2.0.0-native", "jasonsaayman", "", "", "sha512-XI5MPzVNApjAyhQzphX8BkmKsKUxD4LdyK24iZeQGinBN9yTQT3bFlCBy/aVx2HrNcqQGsdot8ghrjyrvMCoEA==", "binding.gyp,install", registry.ProvenanceNone, false, 0},
	}
	for _, tt := range tests {
		v, ok := p.Version(tt.version)
		if !ok {
			t.Errorf("%s missing", tt.version)
			continue
		}
		got := fmt.Sprintf("%s|%s|%s|%s|%s|%s|%v|%d", v.Publisher, v.Deprecated, v.Repository, v.Digest, strings.Join(v.InstallScripts, ","), v.Provenance, v.Yanked, len(v.Dependencies))
		want := fmt.Sprintf("%s|%s|%s|%s|%s|%s|%v|%d", tt.publisher, tt.deprecated, tt.repo, tt.digest, tt.scripts, tt.prov, tt.yanked, tt.deps)
		if got != want {
			t.Errorf("%s:\n got %s\nwant %s", tt.version, got, want)
		}
	}
	v, _ := p.Version("1.14.1")
	if v.Dependencies["plain-crypto-js"] != "^4.2.1" || strings.Join(v.Maintainers, ",") != "jasonsaayman" {
		t.Errorf("1.14.1 %+v", v)
	}
	if v, _ := p.Version("0.3.0"); v.YankedReason != "unpublished" {
		t.Errorf("0.3.0 %+v", v)
	}
}

func TestUnpublishedTombstone(t *testing.T) {
	srv := registrytest.New(t)
	srv.File(t, "/plain-crypto-js", "testdata/unpublished.json", "application/json")
	p, err := newClient(t, srv.URL, nil).Package(context.Background(), "plain-crypto-js")
	if err != nil {
		t.Fatal(err)
	}
	if !p.Unpublished || len(p.Versions) != 2 || !p.Versions[0].Yanked || p.Versions[1].Version != "4.2.1" {
		t.Errorf("%+v", p)
	}
}

func TestPathPrefixAndCredentials(t *testing.T) {
	srv := registrytest.New(t)
	srv.File(t, "/api/npm/npm-remote/nx", "testdata/nx.json", "application/json")
	c := newClient(t, srv.URL+"/api/npm/npm-remote/", func(o *registry.Options) { o.Credentials.Token = "npm_secrettoken123" })
	if _, err := c.Package(context.Background(), "nx"); err != nil {
		t.Fatal(err)
	}
	if got := srv.Requests[0].Header.Get("Authorization"); got != "Bearer npm_secrettoken123" {
		t.Errorf("Authorization %q", got)
	}
	if got := srv.Requests[0].Header.Get("Accept"); got != "application/json" {
		t.Errorf("Accept %q", got)
	}
}

func TestRedirects(t *testing.T) {
	other := registrytest.New(t)
	other.File(t, "/nx", "testdata/nx.json", "application/json")
	srv := registrytest.New(t)
	srv.File(t, "/v2/nx", "testdata/nx.json", "application/json")
	srv.Handle("/nx", func(w http.ResponseWriter, r *http.Request) {
		http.Redirect(w, r, "/v2/nx", http.StatusMovedPermanently)
	})
	srv.Handle("/elsewhere", func(w http.ResponseWriter, r *http.Request) {
		http.Redirect(w, r, other.URL+"/nx", http.StatusFound)
	})
	c := newClient(t, srv.URL, func(o *registry.Options) { o.Credentials.Token = "npm_secrettoken123" })
	if _, err := c.Package(context.Background(), "nx"); err != nil {
		t.Fatal(err)
	}
	if srv.Hits("/v2/nx") != 1 || srv.Requests[1].Header.Get("Authorization") == "" {
		t.Error("same-origin redirect not followed with credentials")
	}
	// A redirect to another origin: followed, without the token, and a
	// packument for another name is refused.
	_, err := c.Package(context.Background(), "elsewhere")
	if other.Hits("/nx") != 1 || other.Requests[0].Header.Get("Authorization") != "" {
		t.Errorf("cross-origin hop: hits %d, Authorization %q", other.Hits("/nx"), other.Requests[0].Header.Get("Authorization"))
	}
	if !errors.Is(err, registry.ErrMalformed) || !strings.Contains(err.Error(), `packument is for "nx"`) {
		t.Errorf("err %v", err)
	}
}

func TestErrors(t *testing.T) {
	srv := registrytest.New(t)
	srv.Handle("/down", func(w http.ResponseWriter, r *http.Request) { http.Error(w, "boom", http.StatusInternalServerError) })
	srv.Bytes("/garbage", []byte("<html>not json</html>"), "text/html")
	srv.Bytes("/array-versions", []byte(`{"name":"array-versions","versions":[1,2]}`), "application/json")
	srv.Bytes("/number-tarball", []byte(`{"name":"number-tarball","versions":{"1.0.0":{"version":"1.0.0","dist":{"tarball":42}}}}`), "application/json")
	srv.Bytes("/truncated", []byte(`{"name":"truncated","versions":{"1.0.0":{"version":"1.0.0"`), "application/json")
	srv.Bytes("/no-versions", []byte(`{"error":"not_found","reason":"document not found"}`), "application/json")
	srv.Bytes("/trailing", []byte(`{"name":"trailing","versions":{}} {"x":1}`), "application/json")
	srv.Bytes("/time-number", []byte(`{"name":"time-number","versions":{},"time":{"1.0.0":5}}`), "application/json")
	c := newClient(t, srv.URL, func(o *registry.Options) { o.Credentials.Token = "npm_secrettoken123" })
	tests := []struct {
		name string
		is   error
		text string
	}{
		{"missing", registry.ErrNotFound, "HTTP 404"},
		{"down", registry.ErrStatus, "HTTP 500"},
		{"garbage", registry.ErrMalformed, "the packument"},
		{"array-versions", registry.ErrMalformed, "versions"},
		{"number-tarball", registry.ErrMalformed, `version "1.0.0"`},
		{"truncated", registry.ErrMalformed, "ends early"},
		{"no-versions", registry.ErrMalformed, "no versions"},
		{"trailing", registry.ErrMalformed, "data after"},
		{"time-number", registry.ErrMalformed, `time "1.0.0"`},
		{"../etc", nil, "not an npm package name"},
		{"@scope", nil, "scoped name"},
	}
	for _, tt := range tests {
		_, err := c.Package(context.Background(), tt.name)
		var re *registry.Error
		if !errors.As(err, &re) || re.Registry != "npm" || re.Package != tt.name {
			t.Errorf("%s: %T %v", tt.name, err, err)
			continue
		}
		if tt.is != nil && !errors.Is(err, tt.is) {
			t.Errorf("%s: %v is not %v", tt.name, err, tt.is)
		}
		if !strings.Contains(err.Error(), tt.text) || !strings.Contains(err.Error(), `npm registry: package "`+tt.name+`"`) || strings.Contains(err.Error(), "secrettoken") {
			t.Errorf("%s: %v", tt.name, err)
		}
		if tt.is != nil && !strings.Contains(err.Error(), srv.URL+"/") {
			t.Errorf("%s: no URL in %v", tt.name, err)
		}
		if errors.Is(err, registry.ErrNotFound) != (tt.name == "missing") {
			t.Errorf("%s: ErrNotFound %v", tt.name, errors.Is(err, registry.ErrNotFound))
		}
	}
	if srv.Hits("/down") != 3 {
		t.Errorf("500 retried %d times, want 3 attempts", srv.Hits("/down"))
	}
}

func TestRateLimit(t *testing.T) {
	srv := registrytest.New(t)
	calls := 0
	b, _ := io.ReadAll(mustOpen(t, "testdata/nx.json"))
	srv.Handle("/nx", func(w http.ResponseWriter, r *http.Request) {
		calls++
		if calls <= 2 {
			w.Header().Set("Retry-After", "1")
			http.Error(w, "slow down", http.StatusTooManyRequests)
			return
		}
		_, _ = w.Write(b)
	})
	srv.Handle("/always", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Retry-After", "1")
		http.Error(w, "slow down", http.StatusTooManyRequests)
	})
	c := newClient(t, srv.URL, nil)
	if _, err := c.Package(context.Background(), "nx"); err != nil || calls != 3 {
		t.Fatalf("calls %d, %v", calls, err)
	}
	_, err := c.Package(context.Background(), "always")
	var re *registry.Error
	if !errors.As(err, &re) || re.Status != http.StatusTooManyRequests || !errors.Is(err, registry.ErrStatus) {
		t.Errorf("%v", err)
	}
	// A cancelled context ends the waits.
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if _, err := c.Package(ctx, "nx"); !errors.Is(err, context.Canceled) {
		t.Errorf("cancelled: %v", err)
	}
}

func TestDownloads(t *testing.T) {
	api := registrytest.New(t)
	api.Bytes("/downloads/point/last-week/nx", []byte(`{"downloads":5313712,"start":"2026-11-24","end":"2026-11-30","package":"nx"}`), "application/json")
	api.Bytes("/downloads/point/last-week/@types/left-pad", []byte(`{"downloads":12,"start":"2026-11-24","end":"2026-11-30","package":"@types/left-pad"}`), "application/json")
	api.Handle("/downloads/point/last-week/left-pad", func(w http.ResponseWriter, r *http.Request) { http.Error(w, "x", http.StatusInternalServerError) })
	srv := registrytest.New(t)
	srv.File(t, "/nx", "testdata/nx.json", "application/json")
	srv.File(t, "/@types%2Fleft-pad", "testdata/types-left-pad.json", "application/json")
	srv.File(t, "/left-pad", "testdata/left-pad.json", "application/json")
	srv.File(t, "/plain-crypto-js", "testdata/unpublished.json", "application/json")
	srv.File(t, "/axios", "testdata/axios.json", "application/json")
	c := newClient(t, srv.URL, func(o *registry.Options) { o.Credentials.Token = "npm_secrettoken123" }, WithDownloads(api.URL, nil))
	for name, want := range map[string]int64{"nx": 5313712, "@types/left-pad": 12, "axios": 0} {
		p, err := c.Package(context.Background(), name)
		if err != nil || p.Downloads != want || p.DownloadsPeriod != registry.DownloadsLastWeek || len(p.Incomplete) != 0 {
			t.Errorf("%s: %+v %v", name, p, err)
		}
	}
	p, err := c.Package(context.Background(), "left-pad")
	if err != nil || p.Downloads != -1 || len(p.Incomplete) != 1 || !strings.Contains(p.Incomplete[0], "HTTP 500") {
		t.Errorf("downloads down: %v %v %v", p.Downloads, p.Incomplete, err)
	}
	for _, r := range api.Requests {
		if r.Header.Get("Authorization") != "" {
			t.Error("the registry token went to the downloads API")
		}
	}
	if p, _ := c.Package(context.Background(), "plain-crypto-js"); p.Downloads != -1 {
		t.Error("an unpublished package has no counts")
	}
}

func TestCache(t *testing.T) {
	srv := registrytest.New(t)
	srv.File(t, "/axios", "testdata/realshape.json", "application/json", "Cache-Control", "public, max-age=300")
	srv.File(t, "/nx", "testdata/nx.json", "application/json", "Cache-Control", "no-store")
	now := time.Date(2026, 4, 1, 0, 0, 0, 0, time.UTC)
	clock := func() time.Time { return now }
	dir := t.TempDir()
	c := newClient(t, srv.URL, func(o *registry.Options) { o.Cache = registry.NewCache(dir, clock); o.Now = clock })
	ctx := context.Background()
	first, err := c.Package(ctx, "axios")
	if err != nil {
		t.Fatal(err)
	}
	second, err := c.Package(ctx, "axios")
	if err != nil || srv.Hits("/axios") != 1 {
		t.Fatalf("hits %d, %v", srv.Hits("/axios"), err)
	}
	if v, ok := second.Version("1.14.1"); !ok || v.InstallCommands["postinstall"] != "node setup.js" || len(second.Versions) != len(first.Versions) || !second.Fetched.Equal(now) {
		t.Errorf("cached package differs: %+v", v)
	}
	if _, err := c.Package(registry.WithRefresh(ctx), "axios"); err != nil || srv.Hits("/axios") != 2 {
		t.Errorf("refresh: hits %d, %v", srv.Hits("/axios"), err)
	}
	now = now.Add(301 * time.Second) // past the registry's max-age
	if _, err := c.Package(ctx, "axios"); err != nil || srv.Hits("/axios") != 3 {
		t.Errorf("stale: hits %d, %v", srv.Hits("/axios"), err)
	}
	// Corrupt every entry: each is ignored and refetched.
	files, _ := filepath.Glob(filepath.Join(dir, "*.json"))
	if len(files) != 1 {
		t.Fatalf("cache files %v", files)
	}
	for _, f := range files {
		if err := writeFile(f, []byte(`{"schema":1,"package":{"versions":"nope"`)); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := c.Package(ctx, "axios"); err != nil || srv.Hits("/axios") != 4 {
		t.Errorf("corrupt: hits %d, %v", srv.Hits("/axios"), err)
	}
	for range 2 {
		if _, err := c.Package(ctx, "nx"); err != nil {
			t.Fatal(err)
		}
	}
	if srv.Hits("/nx") != 2 {
		t.Errorf("no-store cached: hits %d", srv.Hits("/nx"))
	}
	// Another token does not read the first one's entries.
	c2 := newClient(t, srv.URL, func(o *registry.Options) {
		o.Cache = registry.NewCache(dir, clock)
		o.Credentials.Token = "other"
	})
	if _, err := c2.Package(ctx, "axios"); err != nil || srv.Hits("/axios") != 5 {
		t.Errorf("other credential: hits %d, %v", srv.Hits("/axios"), err)
	}
}

// packument writes a packument of n versions, each with filler bytes of
// manifest text (readme, description) as old packuments carry.
func packument(w io.Writer, n, filler int) {
	fmt.Fprint(w, `{"_id":"big","name":"big","dist-tags":{"latest":"1.0.`+fmt.Sprint(n-1)+`"},"versions":{`)
	pad := strings.Repeat("x", filler)
	for i := range n {
		if i > 0 {
			fmt.Fprint(w, ",")
		}
		fmt.Fprintf(w, `"1.0.%d":{"name":"big","version":"1.0.%d","description":"%s","scripts":{"test":"tap","postinstall":"node x.js"},"dependencies":{"a":"^1.0.0","b":"~2.%d.0"},"repository":{"type":"git","url":"git+https://github.com/big/big.git"},"maintainers":[{"name":"m%d","email":"m@example.com"}],"_npmUser":{"name":"u","email":"u@example.com"},"dist":{"integrity":"sha512-AAAA%d==","shasum":"abc","tarball":"https://registry.npmjs.org/big/-/big-1.0.%d.tgz"}}`, i, i, pad, i, i%5, i, i)
	}
	fmt.Fprint(w, `},"time":{"created":"2015-01-01T00:00:00.000Z"`)
	for i := range n {
		fmt.Fprintf(w, `,"1.0.%d":"%s"`, i, time.Date(2015, 1, 1, 0, 0, 0, 0, time.UTC).Add(time.Duration(i)*time.Hour).Format(time.RFC3339Nano))
	}
	fmt.Fprint(w, `},"readme":"`+strings.Repeat("r", 1<<20)+`"}`)
}

// streamed serves a generated document through a pipe, never whole.
func streamed(gen func(io.Writer)) io.Reader {
	pr, pw := io.Pipe()
	go func() {
		gen(pw)
		pw.Close()
	}()
	return pr
}

func TestHugePackument(t *testing.T) {
	const n = 3000
	p, err := Decode(streamed(func(w io.Writer) { packument(w, n, 100) }), registry.DefaultMaxVersions)
	if err != nil {
		t.Fatal(err)
	}
	if len(p.Versions) != n || p.Latest != "1.0.2999" || p.Versions[n-1].Version != "1.0.2999" || p.Versions[0].InstallScripts[0] != "postinstall" {
		t.Fatalf("%d versions, latest %s", len(p.Versions), p.Latest)
	}
	if _, err := Decode(streamed(func(w io.Writer) { packument(w, n, 10) }), 1000); !errors.Is(err, registry.ErrTooManyVersions) {
		t.Errorf("version limit: %v", err)
	}
	// Over HTTP: the byte limit.
	srv := registrytest.New(t)
	srv.Handle("/big", func(w http.ResponseWriter, r *http.Request) { packument(w, n, 100) })
	c := newClient(t, srv.URL, func(o *registry.Options) { o.MaxDocumentBytes = 256 << 10 })
	_, err = c.Package(context.Background(), "big")
	if !errors.Is(err, registry.ErrTooLarge) || errors.Is(err, registry.ErrMalformed) || !strings.Contains(err.Error(), "262144 bytes") {
		t.Errorf("byte limit: %v", err)
	}
	srv.Handle("/declared", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Length", fmt.Sprint(300<<20))
		w.WriteHeader(http.StatusOK)
	})
	if _, err := newClient(t, srv.URL, nil).Package(context.Background(), "declared"); !errors.Is(err, registry.ErrTooLarge) {
		t.Errorf("declared length: %v", err)
	}
}

// TestHugePackumentMemory decodes a 60 MB packument (2,000 versions of 30 KB
// each) streamed from a generator, sampling the heap as it is read: the peak
// stays far below the document, as it must when only one version is held.
func TestHugePackumentMemory(t *testing.T) {
	if testing.Short() {
		t.Skip("60 MB document")
	}
	const n, filler = 2000, 30 << 10
	runtime.GC()
	var ms runtime.MemStats
	runtime.ReadMemStats(&ms)
	base := ms.HeapAlloc
	sampler := &heapSampler{r: streamed(func(w io.Writer) { packument(w, n, filler) }), every: 4 << 20}
	p, err := Decode(sampler, registry.DefaultMaxVersions)
	if err != nil || len(p.Versions) != n {
		t.Fatalf("%v", err)
	}
	doc := int64(n) * filler
	if sampler.read < doc {
		t.Fatalf("read %d bytes, want at least %d", sampler.read, doc)
	}
	peak := int64(sampler.peak) - int64(base)
	t.Logf("document %d MB, peak heap growth %d MB", sampler.read>>20, peak>>20)
	if peak > doc/3 {
		t.Errorf("peak heap growth %d bytes for a %d-byte document: not streamed", peak, sampler.read)
	}
}

type heapSampler struct {
	r          io.Reader
	every      int64
	read, next int64
	peak       uint64
}

func (s *heapSampler) Read(p []byte) (int, error) {
	n, err := s.r.Read(p)
	s.read += int64(n)
	if s.read >= s.next {
		s.next = s.read + s.every
		var ms runtime.MemStats
		runtime.ReadMemStats(&ms)
		s.peak = max(s.peak, ms.HeapAlloc)
	}
	return n, err
}

func BenchmarkDecodeLargePackument(b *testing.B) {
	var buf bytes.Buffer
	packument(&buf, 5000, 200)
	doc := buf.Bytes()
	b.SetBytes(int64(len(doc)))
	b.ReportAllocs()
	for b.Loop() {
		if _, err := Decode(bytes.NewReader(doc), registry.DefaultMaxVersions); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkPackageOverHTTP(b *testing.B) {
	var buf bytes.Buffer
	packument(&buf, 5000, 200)
	doc := buf.Bytes()
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { _, _ = w.Write(doc) }))
	defer srv.Close()
	c, err := New(registry.Options{BaseURL: srv.URL, HTTP: registrytest.HTTP()})
	if err != nil {
		b.Fatal(err)
	}
	for b.Loop() {
		if _, err := c.Package(context.Background(), "big"); err != nil {
			b.Fatal(err)
		}
	}
}

func TestDuplicateVersionKey(t *testing.T) {
	p, err := Decode(strings.NewReader(`{"name":"dup","versions":{"1.0.0":{"scripts":{"postinstall":"a"}},"1.0.0":{}}}`), 10)
	if err != nil || len(p.Versions) != 1 || len(p.Versions[0].InstallScripts) != 0 {
		t.Errorf("%+v %v", p, err)
	}
}

// "No such package" is remembered in the cache for an hour: typosquat's
// mid-tail discovery asks about many names that do not exist, and a re-run
// asks again only once the hour is over (a name registered since is then
// seen). The remembered answer is the same not-found error.
func TestCacheRemembersNotFound(t *testing.T) {
	srv := registrytest.New(t) // every path it was not given is a 404
	now := time.Date(2026, 4, 1, 0, 0, 0, 0, time.UTC)
	clock := func() time.Time { return now }
	dir := t.TempDir()
	c := newClient(t, srv.URL, func(o *registry.Options) { o.Cache = registry.NewCache(dir, clock); o.Now = clock })
	ctx := context.Background()
	for range 3 {
		_, err := c.Package(ctx, "left-pda")
		var re *registry.Error
		if !errors.Is(err, registry.ErrNotFound) || !errors.As(err, &re) || re.Package != "left-pda" || re.Registry != "npm" {
			t.Fatalf("not found: %v", err)
		}
	}
	if srv.Hits("/left-pda") != 1 {
		t.Errorf("%d requests for a missing package, want 1", srv.Hits("/left-pda"))
	}
	now = now.Add(registry.NotFoundCacheTTL + time.Second)
	if _, err := c.Package(ctx, "left-pda"); !errors.Is(err, registry.ErrNotFound) || srv.Hits("/left-pda") != 2 {
		t.Errorf("after the hour: %v, %d requests", err, srv.Hits("/left-pda"))
	}
	// Published since: the next answer after expiry is the package.
	srv.Bytes("/left-pda", []byte(`{"name":"left-pda","dist-tags":{"latest":"1.0.0"},"versions":{"1.0.0":{"name":"left-pda","version":"1.0.0"}},"time":{"1.0.0":"2026-04-01T00:00:00.000Z"}}`), "application/json")
	now = now.Add(registry.NotFoundCacheTTL + time.Second)
	if _, err := c.Package(ctx, "left-pda"); err != nil {
		t.Errorf("published since: %v", err)
	}
}
