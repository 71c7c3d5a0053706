package rubygems

import (
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/tollgate-dev/tollgate/registry"
	"github.com/tollgate-dev/tollgate/registry/internal/registrytest"
)

func wantRack(t *testing.T, p *registry.Package, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
	if p.Name != "rack" || p.Latest != "3.1.8" || len(p.Versions) != 4 || p.Downloads != 1203456789 || strings.Join(p.Maintainers, ",") != "ioquatix,jeremyevans" || len(p.Incomplete) != 0 {
		t.Fatalf("package %+v", p)
	}
	if v, _ := p.Version("3.1.8"); v == nil || v.Digest != "sha256:58a4ed1b3e5a0e2f0c6d4ba1a8e9b7c6d5e4f3a2b1c0d9e8f7a6b5c4d3e2f1a0" || v.Dependencies["webrick"] != "~> 1.8" {
		t.Errorf("3.1.8 %+v", v)
	}
}

// TestTransport: the RubyGems client over the HTTP layer's answers.
func TestTransport(t *testing.T) {
	const gem, versions, owners, mirror = "/api/v1/gems/rack.json", "/api/v1/versions/rack.json", "/api/v1/gems/rack/owners.json", "/mirror/api/v1/gems/rack.json"
	const ctype = "application/json; charset=utf-8"
	registrytest.RunTransport(t, registrytest.Transport{
		Registry: "rubygems",
		Package:  "rack",
		// The recorded answers, for every route a case leaves alone.
		Serve: func(t *testing.T, e *registrytest.Env) {
			e.Handle(e.Srv, gem, registrytest.Fixture(t, "testdata/gem-rack.json", ctype))
			e.Handle(e.Srv, versions, registrytest.Fixture(t, "testdata/versions-rack.json", ctype))
			e.Handle(e.Srv, owners, registrytest.Fixture(t, "testdata/owners-rack.json", ctype))
		},
		New: func(o registry.Options) (registry.Client, error) { return New(o) },
	}, []registrytest.Case{
		{
			Name: "429 with Retry-After, then the gem",
			Route: func(t *testing.T, e *registrytest.Env) {
				e.Handle(e.Srv, gem, registrytest.Limited(1, registrytest.Fixture(t, "testdata/gem-rack.json", ctype)))
			},
			Check: func(t *testing.T, e *registrytest.Env, p *registry.Package, err error) {
				wantRack(t, p, err)
				e.WantAttempts(t, gem, 2)
				e.WantAttempts(t, versions, 1)
				e.WantWaits(t, time.Second)
			},
		},
		{
			Name: "429 with Retry-After on the versions, then the versions",
			Route: func(t *testing.T, e *registrytest.Env) {
				e.Handle(e.Srv, versions, registrytest.Limited(1, registrytest.Fixture(t, "testdata/versions-rack.json", ctype)))
			},
			Check: func(t *testing.T, e *registrytest.Env, p *registry.Package, err error) {
				wantRack(t, p, err)
				e.WantAttempts(t, versions, 2)
				e.WantWaits(t, time.Second)
			},
		},
		{
			Name: "307 on the same origin keeps the token",
			Route: func(t *testing.T, e *registrytest.Env) {
				e.Handle(e.Srv, gem, registrytest.Redirect(http.StatusTemporaryRedirect, func() string { return mirror }))
				e.Handle(e.Srv, mirror, registrytest.Fixture(t, "testdata/gem-rack.json", ctype))
			},
			Check: func(t *testing.T, e *registrytest.Env, p *registry.Package, err error) {
				wantRack(t, p, err)
				e.WantHops(t, gem, e.Srv, mirror)
			},
		},
		{
			Name: "302 to another origin drops the token",
			Route: func(t *testing.T, e *registrytest.Env) {
				e.Handle(e.Srv, gem, registrytest.Redirect(http.StatusFound, func() string { return e.Other.URL + gem }))
				e.Handle(e.Other, gem, registrytest.Fixture(t, "testdata/gem-rack.json", ctype))
			},
			Check: func(t *testing.T, e *registrytest.Env, p *registry.Package, err error) {
				wantRack(t, p, err)
				e.WantHops(t, gem, e.Other, gem)
			},
		},
		{
			Name: "500 on every attempt",
			Route: func(t *testing.T, e *registrytest.Env) {
				e.Handle(e.Srv, gem, registrytest.Status(http.StatusInternalServerError, ""))
			},
			Check: func(t *testing.T, e *registrytest.Env, p *registry.Package, err error) {
				e.WantError(t, err, "rack", registry.ErrStatus, http.StatusInternalServerError)
				e.WantAttempts(t, gem, 1+registrytest.Retries)
				e.WantAttempts(t, versions, 0)
			},
		},
		{
			Name: "503 with Retry-After on every attempt at the versions",
			Route: func(t *testing.T, e *registrytest.Env) {
				e.Handle(e.Srv, versions, registrytest.Status(http.StatusServiceUnavailable, "1"))
			},
			Check: func(t *testing.T, e *registrytest.Env, p *registry.Package, err error) {
				e.WantError(t, err, "rack", registry.ErrStatus, http.StatusServiceUnavailable)
				e.WantAttempts(t, versions, 1+registrytest.Retries)
				e.WantWaits(t, time.Second, time.Second)
				if !strings.Contains(err.Error(), versions) {
					t.Errorf("%v: want the versions URL", err)
				}
			},
		},
		{
			Name: "429 on every attempt",
			Route: func(t *testing.T, e *registrytest.Env) {
				e.Handle(e.Srv, gem, registrytest.Limited(1<<30, nil))
			},
			Check: func(t *testing.T, e *registrytest.Env, p *registry.Package, err error) {
				e.WantError(t, err, "rack", registry.ErrStatus, http.StatusTooManyRequests)
				e.WantAttempts(t, gem, 1+registrytest.Retries)
			},
		},
		{
			Name:  "a versions list over the byte limit",
			Limit: registrytest.ByteLimit,
			Route: func(t *testing.T, e *registrytest.Env) {
				e.Handle(e.Srv, versions, e.Stream(ctype, `[`, ",", func(i int) string {
					return fmt.Sprintf(`{"authors":"Leah Neukirchen","built_at":"2024-10-14T00:00:00.000Z","created_at":"2024-10-14T22:26:12.218Z","number":"0.%d.0","platform":"ruby","prerelease":false,"sha":"58a4ed1b3e5a0e2f0c6d4ba1a8e9b7c6d5e4f3a2b1c0d9e8f7a6b5c4d3e2f1a0","metadata":{}}`, i)
				}))
			},
			Check: func(t *testing.T, e *registrytest.Env, p *registry.Package, err error) {
				e.WantError(t, err, "rack", registry.ErrTooLarge, 0)
				e.WantStopped(t)
			},
		},
		{
			Name: "an HTML page with 200",
			Route: func(t *testing.T, e *registrytest.Env) {
				e.Handle(e.Srv, gem, registrytest.HTML)
			},
			Check: func(t *testing.T, e *registrytest.Env, p *registry.Package, err error) {
				e.WantError(t, err, "rack", registry.ErrMalformed, 0)
			},
		},
		{
			Name: "404",
			Route: func(t *testing.T, e *registrytest.Env) {
				e.Handle(e.Srv, gem, func(w http.ResponseWriter, r *http.Request) {
					http.Error(w, "This rubygem could not be found.", http.StatusNotFound)
				})
			},
			Check: func(t *testing.T, e *registrytest.Env, p *registry.Package, err error) {
				e.WantError(t, err, "rack", registry.ErrNotFound, http.StatusNotFound)
				e.WantAttempts(t, gem, 1)
			},
		},
	})
}
