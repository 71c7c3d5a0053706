package goproxy

import (
	"context"
	"errors"
	"io/fs"
	"net/http"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/tollgate-dev/tollgate/registry"
	"github.com/tollgate-dev/tollgate/registry/internal/registrytest"
)

// serveProxy routes every file under testdata/proxy at its path below prefix.
func serveProxy(t *testing.T, prefix string) *registrytest.Server {
	srv := registrytest.New(t)
	err := filepath.WalkDir("testdata/proxy", func(path string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		rel, _ := filepath.Rel("testdata/proxy", path)
		ctype := "text/plain; charset=UTF-8"
		if strings.HasSuffix(path, ".info") || strings.HasSuffix(path, "@latest") {
			ctype = "application/json"
		}
		srv.File(t, prefix+"/"+filepath.ToSlash(rel), path, ctype, "Cache-Control", "public, max-age=60")
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return srv
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

func TestCaseEncodedModule(t *testing.T) {
	srv := serveProxy(t, "/goproxy")
	p, err := newClient(t, srv.URL+"/goproxy", nil).Package(context.Background(), "github.com/BurntSushi/toml")
	if err != nil {
		t.Fatal(err)
	}
	if p.Ecosystem != "Go" || p.Latest != "v1.6.0" || len(p.Versions) != 4 || p.Repository != "https://github.com/BurntSushi/toml" || p.Downloads != -1 {
		t.Fatalf("%+v", p)
	}
	if !p.Created.Equal(time.Date(2024, 6, 5, 17, 12, 54, 0, time.UTC)) || p.Versions[3].Version != "v1.6.1-rc.1" {
		t.Errorf("created %v, last %s", p.Created, p.Versions[3].Version)
	}
	v, _ := p.Version("v1.6.0")
	if v.ArtifactURL != srv.URL+"/goproxy/github.com/!burnt!sushi/toml/@v/v1.6.0.zip" || len(v.Dependencies) != 0 || v.Dependencies == nil {
		t.Errorf("%+v", v)
	}
	if old, _ := p.Version("v1.4.0"); old.Repository != "" || old.Yanked {
		t.Errorf("%+v", old)
	}
	for _, r := range srv.Requests {
		if !strings.Contains(r.RequestURI, "/!burnt!sushi/") {
			t.Errorf("request %s: not case-encoded", r.RequestURI)
		}
	}
}

func TestRetractedAndDeprecated(t *testing.T) {
	srv := serveProxy(t, "")
	p, err := newClient(t, srv.URL, nil).Package(context.Background(), "example.com/retracted")
	if err != nil {
		t.Fatal(err)
	}
	if p.Deprecated != "use example.com/retracted/v2 instead." {
		t.Errorf("deprecated %q", p.Deprecated)
	}
	for _, tt := range []struct {
		v      string
		yanked bool
		reason string
	}{{"v1.0.0", true, "retracted"}, {"v1.0.1", true, "Published with a credential-stealing init function."}, {"v1.1.0", false, ""}} {
		v, _ := p.Version(tt.v)
		if v.Yanked != tt.yanked || v.YankedReason != tt.reason {
			t.Errorf("%s: %v %q", tt.v, v.Yanked, v.YankedReason)
		}
	}
	latest, _ := p.Version("v1.1.0")
	if len(latest.Dependencies) != 1 || latest.Dependencies["golang.org/x/mod"] != "v0.20.0" {
		t.Errorf("dependencies %v", latest.Dependencies)
	}
}

func TestPseudoVersionsOnly(t *testing.T) {
	srv := serveProxy(t, "")
	c := newClient(t, srv.URL, nil)
	p, err := c.Package(context.Background(), "example.com/pseudo")
	if err != nil {
		t.Fatal(err)
	}
	if len(p.Versions) != 1 || p.Latest != "v0.0.0-20240102030405-abcdefabcdef" || !p.Versions[0].Published.Equal(time.Date(2024, 1, 2, 3, 4, 5, 0, time.UTC)) {
		t.Errorf("%+v", p)
	}
	info, err := c.Info(context.Background(), "example.com/pseudo", "v0.0.0-20240102030405-abcdefabcdef")
	if err != nil || info.Time.IsZero() {
		t.Errorf("%+v %v", info, err)
	}
}

func TestErrors(t *testing.T) {
	srv := serveProxy(t, "")
	srv.Bytes("/example.com/garbage/@v/list", []byte("<html>hello</html>\n"), "text/html")
	srv.Bytes("/example.com/badinfo/@v/list", []byte("v1.0.0\n"), "text/plain")
	srv.Bytes("/example.com/badinfo/@v/v1.0.0.info", []byte(`{"Version":1}`), "application/json")
	srv.Bytes("/example.com/otherinfo/@v/list", []byte("v1.0.0\n"), "text/plain")
	srv.Bytes("/example.com/otherinfo/@v/v1.0.0.info", []byte(`{"Version":"v9.9.9","Time":"2020-01-01T00:00:00Z"}`), "application/json")
	srv.Bytes("/example.com/many/@v/list", []byte("v1.0.0\nv1.0.1\nv1.0.2\n"), "text/plain")
	srv.Handle("/example.com/gone/@v/list", func(w http.ResponseWriter, r *http.Request) {
		http.Error(w, "not found: module example.com/gone: 410 Gone", http.StatusGone)
	})
	srv.Bytes("/example.com/badmod/@v/list", []byte("v1.0.0\n"), "text/plain")
	srv.Bytes("/example.com/badmod/@v/v1.0.0.info", []byte(`{"Version":"v1.0.0","Time":"2020-01-01T00:00:00Z"}`), "application/json")
	srv.Bytes("/example.com/badmod/@v/v1.0.0.mod", []byte("module {{{\n"), "text/plain")
	c := newClient(t, srv.URL, func(o *registry.Options) { o.MaxVersions = 2 })
	tests := []struct {
		name string
		is   error
		text string
	}{
		{"example.com/nothere", registry.ErrNotFound, "HTTP 404"},
		{"example.com/gone", registry.ErrNotFound, "HTTP 410"},
		{"example.com/garbage", registry.ErrMalformed, "not a version"},
		{"example.com/badinfo", registry.ErrMalformed, "cannot unmarshal number"},
		{"example.com/otherinfo", registry.ErrMalformed, "names v9.9.9"},
		{"example.com/many", registry.ErrTooManyVersions, "limit 2"},
		{"example.com/badmod", registry.ErrMalformed, "v1.0.0.mod"},
		{"not a module path", nil, "malformed module path"},
	}
	for _, tt := range tests {
		_, err := c.Package(context.Background(), tt.name)
		var re *registry.Error
		if !errors.As(err, &re) || re.Registry != "go" || re.Package != tt.name || (tt.is != nil && !errors.Is(err, tt.is)) || !strings.Contains(err.Error(), tt.text) {
			t.Errorf("%s: %v", tt.name, err)
		}
	}
}

func TestMaxInfosAndLookup(t *testing.T) {
	srv := serveProxy(t, "")
	c, err := New(registry.Options{BaseURL: srv.URL, HTTP: registrytest.HTTP()}, WithMaxInfos(2))
	if err != nil {
		t.Fatal(err)
	}
	var _ registry.VersionLookup = c
	p, err := c.Package(context.Background(), "github.com/BurntSushi/toml")
	if err != nil {
		t.Fatal(err)
	}
	base := "/github.com/!burnt!sushi/toml/@v/"
	if srv.Hits(base+"v1.4.0.info") != 1 || srv.Hits(base+"v1.6.1-rc.1.info") != 1 || srv.Hits(base+"v1.5.0.info") != 0 || srv.Hits(base+"v1.6.0.info") != 0 {
		t.Errorf("info requests: %v", srv.Requests)
	}
	v, ok := p.Version("v1.6.0")
	if !ok || !v.Published.IsZero() || p.Latest != "v1.6.0" || len(p.Versions) != 4 || !p.Created.Equal(time.Date(2024, 6, 5, 17, 12, 54, 0, time.UTC)) {
		t.Errorf("%+v / %+v", p, v)
	}
	full, err := c.LookupVersion(context.Background(), "github.com/BurntSushi/toml", "v1.6.0")
	if err != nil || !full.Published.Equal(time.Date(2025, 12, 18, 9, 0, 0, 0, time.UTC)) || full.Repository != "https://github.com/BurntSushi/toml" {
		t.Errorf("%+v %v", full, err)
	}
	if _, err := c.LookupVersion(context.Background(), "github.com/BurntSushi/toml", "v9.9.9"); !errors.Is(err, registry.ErrNotFound) {
		t.Errorf("missing version: %v", err)
	}
}

func TestLatestPrefersReleases(t *testing.T) {
	srv := registrytest.New(t)
	srv.Bytes("/example.com/pre/@v/list", []byte("v2.0.0-rc.1\nv1.0.0\n"), "text/plain")
	srv.Bytes("/example.com/pre/@v/v2.0.0-rc.1.info", []byte(`{"Version":"v2.0.0-rc.1","Time":"2024-02-01T00:00:00Z"}`), "application/json")
	srv.Bytes("/example.com/pre/@v/v1.0.0.info", []byte(`{"Version":"v1.0.0","Time":"2024-01-01T00:00:00Z"}`), "application/json")
	p, err := newClient(t, srv.URL, nil).Package(context.Background(), "example.com/pre")
	if err != nil || p.Latest != "v1.0.0" {
		t.Errorf("latest %q, %v", p.Latest, err)
	}
}
