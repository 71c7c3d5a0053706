package packagist

import (
	"context"
	"encoding/json"
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

func TestMonolog(t *testing.T) {
	srv := registrytest.New(t)
	srv.File(t, "/packages.json", "testdata/packages.json", "application/json")
	srv.File(t, "/p2/monolog/monolog.json", "testdata/monolog.json", "application/json", "Cache-Control", "max-age=300")
	srv.File(t, "/p2/monolog/monolog~dev.json", "testdata/monolog~dev.json", "application/json")
	c := newClient(t, srv.URL, nil)
	p, err := c.Package(context.Background(), "Monolog/Monolog")
	if err != nil {
		t.Fatal(err)
	}
	if p.Ecosystem != "Packagist" || p.Name != "monolog/monolog" || p.Latest != "3.8.1" || len(p.Versions) != 4 || p.Downloads != -1 || p.Deprecated != "" {
		t.Fatalf("%+v", p)
	}
	if p.Repository != "https://github.com/Seldaek/monolog.git" || !p.Created.Equal(time.Date(2011, 7, 7, 16, 21, 2, 0, time.UTC)) {
		t.Errorf("repo %q created %v", p.Repository, p.Created)
	}
	// 3.8.0 inherits require (and type) from 3.8.1.
	v, _ := p.Version("3.8.0")
	if v.Dependencies["psr/log"] != "^2.0 || ^3.0" || len(v.Dependencies) != 1 || !strings.HasSuffix(v.ArtifactURL, "/32e515fdc02cdafbe4593e30a9350d486b125b67") || v.Digest != "" {
		t.Errorf("3.8.0 %+v", v)
	}
	old, _ := p.Version("1.0.0")
	if len(old.Dependencies) != 0 || old.Digest != "sha1:9c9e2b7f8a6d5c4b3a2918f7e6d5c4b3a2918f7e" {
		t.Errorf("1.0.0 %+v", old)
	}
	dev, _ := p.Version("dev-main")
	if dev == nil || len(dev.Dependencies) != 1 || dev.Dependencies["psr/log"] == "" || dev.Published.Year() != 2025 { // ext-json is the platform
		t.Errorf("dev-main %+v", dev)
	}
	// packages.json is read once.
	if _, err := c.Package(context.Background(), "monolog/monolog"); err != nil || srv.Hits("/packages.json") != 1 {
		t.Errorf("%d %v", srv.Hits("/packages.json"), err)
	}
}

func TestExpandUnset(t *testing.T) {
	raw := []json.RawMessage{[]byte(`{"version":"2","a":1,"b":{"x":1}}`), []byte(`{"version":"1","b":"__unset","c":3}`), []byte(`{"version":"0"}`)}
	got, err := Expand(raw, true)
	if err != nil {
		t.Fatal(err)
	}
	b, _ := json.Marshal(got)
	if string(b) != `[{"a":1,"b":{"x":1},"version":"2"},{"a":1,"c":3,"version":"1"},{"a":1,"c":3,"version":"0"}]` {
		t.Errorf("%s", b)
	}
	plain, _ := Expand(raw, false)
	if _, ok := plain[1]["a"]; ok {
		t.Error("an unminified entry inherited a key")
	}
	if _, err := Expand([]json.RawMessage{[]byte(`[1]`)}, true); !errors.Is(err, registry.ErrMalformed) {
		t.Errorf("%v", err)
	}
}

func TestPluginAbandonedNoDevNoPackagesJSON(t *testing.T) {
	srv := registrytest.New(t)
	srv.File(t, "/satis/p2/acme/installer.json", "testdata/plugin.json", "application/json")
	p, err := newClient(t, srv.URL+"/satis", nil).Package(context.Background(), "acme/installer")
	if err != nil {
		t.Fatal(err)
	}
	if p.Deprecated != "abandoned: use acme/new-installer" || len(p.Versions) != 2 {
		t.Fatalf("%+v", p)
	}
	two, _ := p.Version("2.0.0")
	one, _ := p.Version("1.0.0")
	if strings.Join(two.InstallScripts, ",") != "composer-plugin" || len(one.InstallScripts) != 0 || two.Dependencies["acme/helper"] != "^1.0" || len(two.Dependencies) != 1 {
		t.Errorf("2.0.0 %+v / 1.0.0 %+v", two, one)
	}
}

func TestAbsoluteMetadataURL(t *testing.T) {
	meta := registrytest.New(t)
	meta.File(t, "/meta/acme/installer.json", "testdata/plugin.json", "application/json")
	srv := registrytest.New(t)
	srv.Bytes("/packages.json", []byte(`{"packages":[],"metadata-url":"`+meta.URL+`/meta/%package%.json"}`), "application/json")
	c := newClient(t, srv.URL, func(o *registry.Options) { o.Credentials.Token = "private-packagist-token" })
	if _, err := c.Package(context.Background(), "acme/installer"); err != nil {
		t.Fatal(err)
	}
	if srv.Requests[0].Header.Get("Authorization") == "" || meta.Requests[0].Header.Get("Authorization") != "" {
		t.Error("the token went to another host, or not to its own")
	}
}

func TestErrors(t *testing.T) {
	srv := registrytest.New(t)
	srv.Bytes("/p2/acme/other.json", []byte(`{"packages":{"acme/else":[]},"minified":"composer/2.0"}`), "application/json")
	srv.Bytes("/p2/acme/badentry.json", []byte(`{"packages":{"acme/badentry":[{"version":"1","require":"php"}]}}`), "application/json")
	srv.Bytes("/p2/acme/noversion.json", []byte(`{"packages":{"acme/noversion":[{"name":"acme/noversion"}]}}`), "application/json")
	srv.Bytes("/p2/acme/garbage.json", []byte(`{"packages":`), "application/json")
	srv.Bytes("/p2/acme/many.json", []byte(`{"packages":{"acme/many":[{"version":"1"},{"version":"2"},{"version":"3"}]}}`), "application/json")
	c := newClient(t, srv.URL, func(o *registry.Options) { o.MaxVersions = 2 })
	tests := []struct {
		name string
		is   error
		text string
	}{
		{"acme/nothere", registry.ErrNotFound, "/p2/acme/nothere.json: HTTP 404"},
		{"acme/other", registry.ErrMalformed, `packages has no "acme/other"`},
		{"acme/badentry", registry.ErrMalformed, "cannot unmarshal string"},
		{"acme/noversion", registry.ErrMalformed, "has no version"},
		{"acme/garbage", registry.ErrMalformed, "ends early"},
		{"acme/many", registry.ErrTooManyVersions, "limit 2"},
		{"noslash", nil, "vendor/package"},
	}
	for _, tt := range tests {
		_, err := c.Package(context.Background(), tt.name)
		var re *registry.Error
		if !errors.As(err, &re) || re.Registry != "packagist" || (tt.is != nil && !errors.Is(err, tt.is)) || !strings.Contains(err.Error(), tt.text) {
			t.Errorf("%s: %v", tt.name, err)
		}
	}
	bad := registrytest.New(t)
	bad.Bytes("/packages.json", []byte(`{"metadata-url":"/p2/static.json"}`), "application/json")
	if _, err := newClient(t, bad.URL, nil).Package(context.Background(), "acme/x"); !errors.Is(err, registry.ErrMalformed) || !strings.Contains(err.Error(), "metadata-url") {
		t.Errorf("bad metadata-url: %v", err)
	}
}
