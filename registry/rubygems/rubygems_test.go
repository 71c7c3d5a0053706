package rubygems

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/tollgate-dev/tollgate/registry"
	"github.com/tollgate-dev/tollgate/registry/internal/registrytest"
)

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

func serveRack(t *testing.T, srv *registrytest.Server, prefix string) {
	srv.File(t, prefix+"/api/v1/gems/rack.json", "testdata/gem-rack.json", "application/json", "Cache-Control", "max-age=60, public")
	srv.File(t, prefix+"/api/v1/versions/rack.json", "testdata/versions-rack.json", "application/json", "Cache-Control", "max-age=30, public")
	srv.File(t, prefix+"/api/v1/gems/rack/owners.json", "testdata/owners-rack.json", "application/json")
}

func TestRack(t *testing.T) {
	srv := registrytest.New(t)
	serveRack(t, srv, "/private")
	p, err := newClient(t, srv.URL+"/private", nil).Package(context.Background(), "rack")
	if err != nil {
		t.Fatal(err)
	}
	if p.Ecosystem != "RubyGems" || p.Latest != "3.1.8" || len(p.Versions) != 4 || p.Downloads != 1203456789 || p.DownloadsPeriod != registry.DownloadsTotal {
		t.Fatalf("%+v", p)
	}
	if strings.Join(p.Maintainers, ",") != "ioquatix,jeremyevans" || p.Repository != "https://github.com/rack/rack" || !p.Created.Equal(time.Date(2009, 7, 25, 18, 2, 12, 0, time.UTC)) {
		t.Errorf("maintainers %v repo %q created %v", p.Maintainers, p.Repository, p.Created)
	}
	v, _ := p.Version("3.1.8")
	if v.Digest != "sha256:58a4ed1b3e5a0e2f0c6d4ba1a8e9b7c6d5e4f3a2b1c0d9e8f7a6b5c4d3e2f1a0" || v.ArtifactURL != srv.URL+"/private/gems/rack-3.1.8.gem" || v.Dependencies["webrick"] != "~> 1.8" || len(v.Dependencies) != 1 {
		t.Errorf("3.1.8 %+v", v)
	}
	native, ok := p.Version("3.1.8-x86_64-linux")
	if !ok || native.Dependencies != nil || native.ArtifactURL != srv.URL+"/private/gems/rack-3.1.8-x86_64-linux.gem" {
		t.Errorf("platform build %+v", native)
	}
	if old, _ := p.Version("0.1.0"); old.Digest != "" || old.Repository != "" || old.Provenance != registry.ProvenanceUnknown {
		t.Errorf("0.1.0 %+v", old)
	}
}

func TestErrors(t *testing.T) {
	srv := registrytest.New(t)
	serveRack(t, srv, "")
	srv.Bytes("/api/v1/gems/other.json", []byte(`{"name":"rack"}`), "application/json")
	srv.Bytes("/api/v1/gems/noversions.json", []byte(`{"name":"noversions","version":"1.0.0"}`), "application/json")
	srv.Bytes("/api/v1/gems/badversions.json", []byte(`{"name":"badversions","version":"1.0.0"}`), "application/json")
	srv.Bytes("/api/v1/versions/badversions.json", []byte(`{"error":"This rubygem could not be found."}`), "application/json")
	srv.Bytes("/api/v1/gems/nonumber.json", []byte(`{"name":"nonumber","version":"1.0.0"}`), "application/json")
	srv.Bytes("/api/v1/versions/nonumber.json", []byte(`[{"platform":"ruby"}]`), "application/json")
	srv.Bytes("/api/v1/gems/garbage.json", []byte(`This rubygem could not be found.`), "text/plain")
	tests := []struct {
		name string
		is   error
		text string
	}{
		{"nothere", registry.ErrNotFound, "/api/v1/gems/nothere.json: HTTP 404"},
		{"other", registry.ErrMalformed, `for gem "rack"`},
		{"noversions", registry.ErrNotFound, "/api/v1/versions/noversions.json: HTTP 404"},
		{"badversions", registry.ErrMalformed, "cannot unmarshal object"},
		{"nonumber", registry.ErrMalformed, "without a number"},
		{"garbage", registry.ErrMalformed, "invalid character"},
		{"../rack", nil, "not a gem name"},
	}
	c := newClient(t, srv.URL, nil)
	for _, tt := range tests {
		_, err := c.Package(context.Background(), tt.name)
		var re *registry.Error
		if !errors.As(err, &re) || re.Registry != "rubygems" || (tt.is != nil && !errors.Is(err, tt.is)) || !strings.Contains(err.Error(), tt.text) {
			t.Errorf("%s: %v", tt.name, err)
		}
	}
	if _, err := newClient(t, srv.URL, func(o *registry.Options) { o.MaxVersions = 3 }).Package(context.Background(), "rack"); !errors.Is(err, registry.ErrTooManyVersions) {
		t.Errorf("limit: %v", err)
	}
}
