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

func wantRyu(t *testing.T, p *registry.Package, err error) {
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
	const crate, owners, mirror = "/api/v1/crates/ryu", "/api/v1/crates/ryu/owners", "/mirror/api/v1/crates/ryu"
	const ctype = "application/json; charset=utf-8"
	registrytest.RunTransport(t, registrytest.Transport{
		Registry: "crates",
		Package:  "ryu",
		// The owners answer, for every case that gets that far.
		Serve: func(t *testing.T, e *registrytest.Env) {
			e.Handle(e.Srv, owners, registrytest.Fixture(t, "testdata/owners.json", ctype))
		},
		New: func(o registry.Options) (registry.Client, error) { return New(o) },
	}, []registrytest.Case{
		{
			Name: "429 with Retry-After, then the crate",
			Route: func(t *testing.T, e *registrytest.Env) {
				e.Handle(e.Srv, crate, registrytest.Limited(1, registrytest.Fixture(t, "testdata/crate-inline.json", ctype)))
			},
			Check: func(t *testing.T, e *registrytest.Env, p *registry.Package, err error) {
				wantRyu(t, p, err)
				e.WantAttempts(t, crate, 2)
				e.WantWaits(t, time.Second)
			},
		},
		{
			Name: "307 on the same origin keeps the token",
			Route: func(t *testing.T, e *registrytest.Env) {
				e.Handle(e.Srv, crate, registrytest.Redirect(http.StatusTemporaryRedirect, func() string { return mirror }))
				e.Handle(e.Srv, mirror, registrytest.Fixture(t, "testdata/crate-inline.json", ctype))
			},
			Check: func(t *testing.T, e *registrytest.Env, p *registry.Package, err error) {
				wantRyu(t, p, err)
				e.WantHops(t, crate, e.Srv, mirror)
			},
		},
		{
			Name: "302 to another origin drops the token",
			Route: func(t *testing.T, e *registrytest.Env) {
				e.Handle(e.Srv, crate, registrytest.Redirect(http.StatusFound, func() string { return e.Other.URL + crate }))
				e.Handle(e.Other, crate, registrytest.Fixture(t, "testdata/crate-inline.json", ctype))
			},
			Check: func(t *testing.T, e *registrytest.Env, p *registry.Package, err error) {
				wantRyu(t, p, err)
				e.WantHops(t, crate, e.Other, crate)
			},
		},
		{
			Name: "500 on every attempt",
			Route: func(t *testing.T, e *registrytest.Env) {
				e.Handle(e.Srv, crate, registrytest.Status(http.StatusInternalServerError, ""))
			},
			Check: func(t *testing.T, e *registrytest.Env, p *registry.Package, err error) {
				e.WantError(t, err, "ryu", registry.ErrStatus, http.StatusInternalServerError)
				e.WantAttempts(t, crate, 1+registrytest.Retries)
				e.WantAttempts(t, owners, 0)
			},
		},
		{
			Name: "503 with Retry-After on every attempt",
			Route: func(t *testing.T, e *registrytest.Env) {
				e.Handle(e.Srv, crate, registrytest.Status(http.StatusServiceUnavailable, "1"))
			},
			Check: func(t *testing.T, e *registrytest.Env, p *registry.Package, err error) {
				e.WantError(t, err, "ryu", registry.ErrStatus, http.StatusServiceUnavailable)
				e.WantAttempts(t, crate, 1+registrytest.Retries)
				e.WantWaits(t, time.Second, time.Second)
			},
		},
		{
			Name: "429 on every attempt",
			Route: func(t *testing.T, e *registrytest.Env) {
				e.Handle(e.Srv, crate, registrytest.Limited(1<<30, nil))
			},
			Check: func(t *testing.T, e *registrytest.Env, p *registry.Package, err error) {
				e.WantError(t, err, "ryu", registry.ErrStatus, http.StatusTooManyRequests)
				e.WantAttempts(t, crate, 1+registrytest.Retries)
			},
		},
		{
			Name:  "a crate with its versions inline, over the byte limit",
			Limit: registrytest.ByteLimit,
			Route: func(t *testing.T, e *registrytest.Env) {
				e.Handle(e.Srv, crate, e.Stream(ctype, `{"crate":{"name":"ryu","created_at":"2015-02-13T08:15:42.174911+00:00","max_stable_version":"1.0.20"},"versions":[`, ",", func(i int) string {
					return fmt.Sprintf(`{"num":"0.0.%d","dl_path":"/api/v1/crates/ryu/0.0.%d/download","created_at":"2015-02-13T08:15:42.174911+00:00","yanked":false,"checksum":"28d3b2b1366ec20994f1fd18c3c594f05c5dd4bc44d8bb0c1c632f8d6829481f"}`, i, i)
				}))
			},
			Check: func(t *testing.T, e *registrytest.Env, p *registry.Package, err error) {
				e.WantError(t, err, "ryu", registry.ErrTooLarge, 0)
				e.WantStopped(t)
				e.WantAttempts(t, owners, 0)
			},
		},
		{
			Name: "an HTML page with 200",
			Route: func(t *testing.T, e *registrytest.Env) {
				e.Handle(e.Srv, crate, registrytest.HTML)
			},
			Check: func(t *testing.T, e *registrytest.Env, p *registry.Package, err error) {
				e.WantError(t, err, "ryu", registry.ErrMalformed, 0)
			},
		},
		{
			Name: "404",
			Route: func(t *testing.T, e *registrytest.Env) {
				e.Handle(e.Srv, crate, func(w http.ResponseWriter, r *http.Request) {
					http.Error(w, `{"errors":[{"detail":"crate `+"`ryu`"+` does not exist"}]}`, http.StatusNotFound)
				})
			},
			Check: func(t *testing.T, e *registrytest.Env, p *registry.Package, err error) {
				e.WantError(t, err, "ryu", registry.ErrNotFound, http.StatusNotFound)
				e.WantAttempts(t, crate, 1)
			},
		},
	})
}
