package nuget

import (
	"bytes"
	"compress/gzip"
	"context"
	"errors"
	"net/http"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/tollgate-dev/tollgate/registry"
	"github.com/tollgate-dev/tollgate/registry/internal/registrytest"
)

// serveFeed serves the fixtures with nuget.org's hosts rewritten to srv,
// under prefix; the registration hive answers gzip-encoded, as nuget.org's
// registration5-gz-semver2 does.
func serveFeed(t *testing.T, srv *registrytest.Server, prefix string) {
	rewrite := func(file string) []byte {
		b, err := os.ReadFile(file)
		if err != nil {
			t.Fatal(err)
		}
		s := strings.ReplaceAll(string(b), "https://api.nuget.org", srv.URL+prefix)
		return []byte(strings.ReplaceAll(s, "https://azuresearch-usnc.nuget.org", srv.URL+prefix+"/search"))
	}
	gz := func(path, file string) {
		var buf bytes.Buffer
		w := gzip.NewWriter(&buf)
		_, _ = w.Write(rewrite(file))
		_ = w.Close()
		body := buf.Bytes()
		srv.Handle(path, func(rw http.ResponseWriter, r *http.Request) {
			rw.Header().Set("Content-Type", "application/json")
			rw.Header().Set("Content-Encoding", "gzip")
			_, _ = rw.Write(body)
		})
	}
	srv.Bytes(prefix+"/v3/index.json", rewrite("testdata/index.json"), "application/json")
	srv.Bytes(prefix+"/v3-flatcontainer/newtonsoft.json/index.json", rewrite("testdata/flat-newtonsoft.json"), "application/json", "Cache-Control", "max-age=120")
	gz(prefix+"/v3/registration5-gz-semver2/newtonsoft.json/index.json", "testdata/registration-newtonsoft.json")
	gz(prefix+"/v3/registration5-gz-semver2/newtonsoft.json/page/13.0.1/13.0.3.json", "testdata/registration-newtonsoft-page2.json")
	srv.Bytes(prefix+"/search/query", rewrite("testdata/search-newtonsoft.json"), "application/json")
}

func newClient(t *testing.T, base string, mod func(*registry.Options)) *Client {
	opts := registry.Options{BaseURL: base, HTTP: registrytest.HTTP()}
	if mod != nil {
		mod(&opts)
	}
	c, err := New(opts)
	if err != nil {
		t.Fatal(err)
	}
	return c
}

func TestNewtonsoft(t *testing.T) {
	srv := registrytest.New(t)
	serveFeed(t, srv, "/feed")
	c := newClient(t, srv.URL+"/feed/v3/index.json", func(o *registry.Options) { o.Credentials.Token = "az-feed-token" })
	p, err := c.Package(context.Background(), "newtonsoft.json")
	if err != nil {
		t.Fatal(err)
	}
	if p.Ecosystem != "NuGet" || p.Name != "Newtonsoft.Json" || p.Latest != "13.0.3" || len(p.Versions) != 5 {
		t.Fatalf("%+v", p)
	}
	if p.Downloads != 5512345678 || strings.Join(p.Maintainers, ",") != "dotnetfoundation,jamesnk,newtonsoft" || len(p.Incomplete) != 0 {
		t.Errorf("downloads %d maintainers %v incomplete %v", p.Downloads, p.Maintainers, p.Incomplete)
	}
	if !p.Created.Equal(time.Date(2018, 11, 27, 20, 12, 55, 333e6, time.UTC)) {
		t.Errorf("created %v", p.Created)
	}
	unlisted, _ := p.Version("9.0.2-beta2")
	if !unlisted.Yanked || unlisted.YankedReason != "unlisted" || !unlisted.Published.IsZero() {
		t.Errorf("unlisted %+v", unlisted)
	}
	old, _ := p.Version("12.0.1")
	if old.Deprecated != "deprecated: Legacy, CriticalBugs" || old.Dependencies["Microsoft.CSharp"] != "[4.3.0, )" || len(old.Dependencies) != 2 || old.Repository != "" {
		t.Errorf("12.0.1 %+v", old)
	}
	if old.ArtifactURL != srv.URL+"/feed/v3-flatcontainer/newtonsoft.json/12.0.1/newtonsoft.json.12.0.1.nupkg" {
		t.Errorf("artifact %s", old.ArtifactURL)
	}
	beta, ok := p.Version("13.0.2-beta1")
	if !ok || beta.Repository != "https://github.com/JamesNK/Newtonsoft.Json" || beta.Yanked {
		t.Errorf("beta %+v", beta)
	}
	for _, r := range srv.Requests {
		if r.Header.Get("Authorization") != "Bearer az-feed-token" {
			t.Errorf("%s without the feed token", r.URL)
		}
	}
	// The service index is read once per client.
	c.get.Opts.Cache = nil
	if _, err := c.Package(context.Background(), "Newtonsoft.Json"); err != nil || srv.Hits("/feed/v3/index.json") != 1 {
		t.Errorf("index hits %d, %v", srv.Hits("/feed/v3/index.json"), err)
	}
}

func TestSearchDownAndNotFound(t *testing.T) {
	srv := registrytest.New(t)
	serveFeed(t, srv, "")
	srv.Handle("/search/query", func(w http.ResponseWriter, r *http.Request) { http.Error(w, "x", http.StatusServiceUnavailable) })
	c := newClient(t, srv.URL+"/v3/index.json", nil)
	p, err := c.Package(context.Background(), "Newtonsoft.Json")
	if err != nil {
		t.Fatal(err)
	}
	if p.Downloads != -1 || len(p.Incomplete) != 1 || !strings.Contains(p.Incomplete[0], "HTTP 503") {
		t.Errorf("downloads %d incomplete %v", p.Downloads, p.Incomplete)
	}
	_, err = c.Package(context.Background(), "No.Such.Package")
	if !errors.Is(err, registry.ErrNotFound) || !strings.Contains(err.Error(), "/v3-flatcontainer/no.such.package/index.json") {
		t.Errorf("%v", err)
	}
}

func TestErrors(t *testing.T) {
	tests := []struct {
		name, index, text string
		is                error
	}{
		{"old index", `{"version":"2.0.0","resources":[]}`, `service index version "2.0.0"`, registry.ErrMalformed},
		{"no resources", `{"version":"3.0.0","resources":[{"@id":"x","@type":"SearchQueryService"}]}`, "no RegistrationsBaseUrl", registry.ErrMalformed},
		{"wrong type", `{"version":"3.0.0","resources":"all"}`, "cannot unmarshal string", registry.ErrMalformed},
		{"garbage", `<?xml version="1.0"?><service/>`, "invalid character", registry.ErrMalformed},
	}
	for _, tt := range tests {
		srv := registrytest.New(t)
		srv.Bytes("/index.json", []byte(tt.index), "application/json")
		_, err := newClient(t, srv.URL+"/index.json", nil).Package(context.Background(), "Newtonsoft.Json")
		var re *registry.Error
		if !errors.As(err, &re) || re.Registry != "nuget" || !errors.Is(err, tt.is) || !strings.Contains(err.Error(), tt.text) || !strings.Contains(err.Error(), srv.URL+"/index.json") {
			t.Errorf("%s: %v", tt.name, err)
		}
	}
	srv := registrytest.New(t)
	serveFeed(t, srv, "")
	srv.Bytes("/v3/registration5-gz-semver2/newtonsoft.json/page/13.0.1/13.0.3.json", []byte(`{"items":[{"catalogEntry":{"version":13}}]}`), "application/json")
	_, err := newClient(t, srv.URL+"/v3/index.json", nil).Package(context.Background(), "Newtonsoft.Json")
	if !errors.Is(err, registry.ErrMalformed) || !strings.Contains(err.Error(), "cannot unmarshal number") {
		t.Errorf("bad page: %v", err)
	}
	_, err = newClient(t, srv.URL+"/v3/index.json", func(o *registry.Options) { o.MaxPages = 1 }).Package(context.Background(), "Newtonsoft.Json")
	if !errors.Is(err, registry.ErrTooManyVersions) {
		t.Errorf("page limit: %v", err)
	}
	_, err = newClient(t, srv.URL+"/v3/index.json", func(o *registry.Options) { o.MaxVersions = 4 }).Package(context.Background(), "Newtonsoft.Json")
	if !errors.Is(err, registry.ErrTooManyVersions) {
		t.Errorf("version limit: %v", err)
	}
	if _, err := newClient(t, srv.URL+"/v3/index.json", nil).Package(context.Background(), "../x"); err == nil || !strings.Contains(err.Error(), "not a NuGet package id") {
		t.Errorf("bad id: %v", err)
	}
}
