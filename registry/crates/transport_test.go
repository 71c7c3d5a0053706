package crates

import (
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/tollgate-dev/tollgate/registry"
	"github.com/tollgate-dev/tollgate/registry/internal/registrytest"
)

func wantRyu(t *testing.T, _ *registrytest.Env, p *registry.Package, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
	if p.Name != "ryu" || p.Latest != "1.0.20" || len(p.Versions) != 4 || p.Downloads != 61234567 || strings.Join(p.Maintainers, ",") != "dtolnay,github:serde-rs:publish" || len(p.Incomplete) != 0 {
		t.Fatalf("package %+v", p)
	}
	if v, _ := p.Version("1.0.20"); v == nil || v.Publisher != "dtolnay" || v.Digest != "sha256:28d3b2b1366ec20994f1fd18c3c594f05c5dd4bc44d8bb0c1c632f8d6829481f" {
		t.Errorf("1.0.20 %+v", v)
	}
}

// TestTransport: the crates.io client over the HTTP layer's answers.
func TestTransport(t *testing.T) {
	const owners, mirror = "/api/v1/crates/ryu/owners", "/mirror/api/v1/crates/ryu"
	const ctype = "application/json; charset=utf-8"
	crate := registrytest.Doc{Path: "/api/v1/crates/ryu", File: "testdata/crate-inline.json", Type: ctype}
	registrytest.RunTransport(t, registrytest.Transport{
		Registry: "crates",
		Package:  "ryu",
		// The owners answer, for every case that gets that far.
		Serve: func(t *testing.T, e *registrytest.Env) {
			e.Handle(e.Srv, owners, registrytest.Fixture(t, "testdata/owners.json", ctype))
		},
		New: func(o registry.Options) (registry.Client, error) { return New(o) },
	}, []registrytest.Case{
		registrytest.RetriedAfter("429 with Retry-After, then the crate", crate, wantRyu),
		registrytest.SameOrigin("307 on the same origin keeps the token", http.StatusTemporaryRedirect, crate, mirror, wantRyu),
		registrytest.CrossOrigin("302 to another origin drops the token", http.StatusFound, crate, wantRyu),
		registrytest.Refused("500 on every attempt", crate.Path, http.StatusInternalServerError, "",
			registrytest.Attempts(owners, 0)),
		registrytest.Refused("503 with Retry-After on every attempt", crate.Path, http.StatusServiceUnavailable, "1",
			registrytest.Waits(time.Second, time.Second)),
		registrytest.Throttled("429 on every attempt", crate.Path),
		registrytest.TooLarge("a crate with its versions inline, over the byte limit", crate.Path, ctype, `{"crate":{"name":"ryu","created_at":"2015-02-13T08:15:42.174911+00:00","max_stable_version":"1.0.20"},"versions":[`, ",", func(i int) string {
			return fmt.Sprintf(`{"num":"0.0.%d","dl_path":"/api/v1/crates/ryu/0.0.%d/download","created_at":"2015-02-13T08:15:42.174911+00:00","yanked":false,"checksum":"28d3b2b1366ec20994f1fd18c3c594f05c5dd4bc44d8bb0c1c632f8d6829481f"}`, i, i)
		}, registrytest.Attempts(owners, 0)),
		registrytest.HTMLPage("an HTML page with 200", crate.Path),
		registrytest.NotFound("404", crate.Path, http.StatusNotFound, registrytest.ErrorPage(http.StatusNotFound, `{"errors":[{"detail":"crate `+"`ryu`"+` does not exist"}]}`)),
	})
}
