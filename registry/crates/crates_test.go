package crates

import (
	"context"
	"errors"
	"net/http"
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

func TestInlineVersions(t *testing.T) {
	srv := registrytest.New(t)
	srv.File(t, "/api/v1/crates/ryu", "testdata/crate-inline.json", "application/json")
	srv.File(t, "/api/v1/crates/ryu/owners", "testdata/owners.json", "application/json")
	p, err := newClient(t, srv.URL, nil).Package(context.Background(), "ryu")
	if err != nil {
		t.Fatal(err)
	}
	if p.Ecosystem != "crates.io" || p.Latest != "1.0.20" || len(p.Versions) != 4 || p.Downloads != 61234567 || p.DownloadsPeriod != registry.Downloads90Days {
		t.Fatalf("%+v", p)
	}
	if strings.Join(p.Maintainers, ",") != "dtolnay,github:serde-rs:publish" || p.Repository != "https://github.com/dtolnay/ryu" || !p.Created.Equal(time.Date(2015, 2, 13, 8, 15, 42, 174911000, time.UTC)) {
		t.Errorf("maintainers %v repo %q created %v", p.Maintainers, p.Repository, p.Created)
	}
	beta, _ := p.Version("1.0.21-beta.1")
	if beta.Provenance != registry.ProvenanceTrustedPublisher || beta.Publisher != "github:dtolnay/ryu" || beta.ArtifactURL != srv.URL+"/api/v1/crates/ryu/1.0.21-beta.1/download" {
		t.Errorf("beta %+v", beta)
	}
	stable, _ := p.Version("1.0.20")
	if stable.Provenance != registry.ProvenanceNone || stable.Publisher != "dtolnay" || stable.Digest != "sha256:28d3b2b1366ec20994f1fd18c3c594f05c5dd4bc44d8bb0c1c632f8d6829481f" || stable.Yanked {
		t.Errorf("stable %+v", stable)
	}
	yanked, _ := p.Version("1.0.19")
	if !yanked.Yanked || yanked.YankedReason != "miscompiles on 32-bit targets" {
		t.Errorf("yanked %+v", yanked)
	}
	if old, _ := p.Version("0.1.0"); old.Digest != "" || old.Publisher != "" {
		t.Errorf("old %+v", old)
	}
}

func TestPagedVersionsAndOwnersDown(t *testing.T) {
	srv := registrytest.New(t)
	srv.File(t, "/api/v1/crates/paged", "testdata/crate-paged.json", "application/json")
	srv.Handle("/api/v1/crates/paged/versions", func(w http.ResponseWriter, r *http.Request) {
		file := "testdata/versions-page1.json"
		if r.URL.Query().Get("seek") != "" {
			file = "testdata/versions-page2.json"
		}
		http.ServeFile(w, r, file)
	})
	srv.Handle("/api/v1/crates/paged/owners", func(w http.ResponseWriter, r *http.Request) { http.Error(w, "x", http.StatusBadGateway) })
	p, err := newClient(t, srv.URL, nil).Package(context.Background(), "paged")
	if err != nil {
		t.Fatal(err)
	}
	if len(p.Versions) != 3 || p.Versions[0].Version != "0.1.0" || p.Versions[2].Publisher != "newcomer" || p.Downloads != 420 || p.DownloadsPeriod != registry.DownloadsTotal {
		t.Errorf("%+v", p)
	}
	if len(p.Incomplete) != 1 || !strings.Contains(p.Incomplete[0], "HTTP 502") {
		t.Errorf("incomplete %v", p.Incomplete)
	}
	// The page limit.
	_, err = newClient(t, srv.URL, func(o *registry.Options) { o.MaxPages = 1 }).Package(context.Background(), "paged")
	if !errors.Is(err, registry.ErrTooManyVersions) || !strings.Contains(err.Error(), "more than 1 pages") {
		t.Errorf("page limit: %v", err)
	}
}

func TestErrors(t *testing.T) {
	srv := registrytest.New(t)
	srv.Bytes("/api/v1/crates/garbage", []byte("{"), "application/json")
	srv.Bytes("/api/v1/crates/nocrate", []byte(`{"errors":[{"detail":"crate `+"`nocrate`"+` does not exist"}]}`), "application/json")
	srv.Bytes("/api/v1/crates/wrongtype", []byte(`{"crate":{"name":"wrongtype"},"versions":[{"num":1}]}`), "application/json")
	srv.Bytes("/api/v1/crates/badnext", []byte(`{"crate":{"name":"badnext"},"versions":null}`), "application/json")
	srv.Bytes("/api/v1/crates/badnext/versions", []byte(`{"meta":{"next_page":"https://elsewhere.example/steal"},"versions":[{"num":"1.0.0"}]}`), "application/json")
	srv.Handle("/api/v1/crates/limited", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Retry-After", "3600")
		http.Error(w, `{"errors":[{"detail":"rate limited"}]}`, http.StatusTooManyRequests)
	})
	c := newClient(t, srv.URL, nil)
	tests := []struct {
		name string
		is   error
		text string
	}{
		{"nothere", registry.ErrNotFound, "HTTP 404"},
		{"garbage", registry.ErrMalformed, "ends early"},
		{"nocrate", registry.ErrMalformed, "no crate object"},
		{"wrongtype", registry.ErrMalformed, "cannot unmarshal number"},
		{"badnext", registry.ErrMalformed, "not a query string"},
		{"limited", nil, "longer than the"},
		{"../x", nil, "not a crate name"},
	}
	for _, tt := range tests {
		_, err := c.Package(context.Background(), tt.name)
		var re *registry.Error
		if !errors.As(err, &re) || re.Registry != "crates" || (tt.is != nil && !errors.Is(err, tt.is)) || !strings.Contains(err.Error(), tt.text) {
			t.Errorf("%s: %v", tt.name, err)
		}
	}
}
