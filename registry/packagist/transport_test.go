package packagist

import (
	"fmt"
	"net/http"
	"testing"
	"time"

	"github.com/tollgate-dev/tollgate/registry"
	"github.com/tollgate-dev/tollgate/registry/internal/registrytest"
)

func wantMonolog(t *testing.T, p *registry.Package, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
	if p.Name != "monolog/monolog" || p.Latest != "3.8.1" || len(p.Versions) != 4 || p.Repository != "https://github.com/Seldaek/monolog.git" || p.Downloads != -1 ||
		!p.Created.Equal(time.Date(2011, 7, 7, 16, 21, 2, 0, time.UTC)) {
		t.Fatalf("package %+v", p)
	}
	// Minified: 3.8.0 inherits require from 3.8.1.
	if v, _ := p.Version("3.8.0"); v == nil || v.Dependencies["psr/log"] != "^2.0 || ^3.0" || len(v.Dependencies) != 1 {
		t.Errorf("3.8.0 %+v", v)
	}
	if v, _ := p.Version("dev-main"); v == nil || v.Published.Year() != 2025 {
		t.Errorf("dev-main %+v", v)
	}
}

// TestTransport: the Packagist client over the HTTP layer's answers
// (packages.json and the Composer 2 metadata files).
func TestTransport(t *testing.T) {
	const (
		name   = "monolog/monolog"
		root   = "/packages.json"
		tagged = "/p2/monolog/monolog.json"
		dev    = "/p2/monolog/monolog~dev.json"
		mirror = "/mirror/p2/monolog/monolog.json"
		ctype  = "application/json"
	)
	registrytest.RunTransport(t, registrytest.Transport{
		Registry: "packagist",
		Package:  name,
		// The recorded answers, for every route a case leaves alone.
		Serve: func(t *testing.T, e *registrytest.Env) {
			e.Handle(e.Srv, root, registrytest.Fixture(t, "testdata/packages.json", ctype))
			e.Handle(e.Srv, tagged, registrytest.Fixture(t, "testdata/monolog.json", ctype))
			e.Handle(e.Srv, dev, registrytest.Fixture(t, "testdata/monolog~dev.json", ctype))
		},
		New: func(o registry.Options) (registry.Client, error) { return New(o) },
	}, []registrytest.Case{
		{
			Name: "429 with Retry-After, then the metadata",
			Route: func(t *testing.T, e *registrytest.Env) {
				e.Handle(e.Srv, tagged, registrytest.Limited(1, registrytest.Fixture(t, "testdata/monolog.json", ctype)))
			},
			Check: func(t *testing.T, e *registrytest.Env, p *registry.Package, err error) {
				wantMonolog(t, p, err)
				e.WantAttempts(t, tagged, 2)
				e.WantAttempts(t, dev, 1)
				e.WantWaits(t, time.Second)
			},
		},
		{
			Name: "429 with Retry-After on packages.json, then packages.json",
			Route: func(t *testing.T, e *registrytest.Env) {
				e.Handle(e.Srv, root, registrytest.Limited(1, registrytest.Fixture(t, "testdata/packages.json", ctype)))
			},
			Check: func(t *testing.T, e *registrytest.Env, p *registry.Package, err error) {
				wantMonolog(t, p, err)
				e.WantAttempts(t, root, 2)
				e.WantWaits(t, time.Second)
			},
		},
		{
			Name: "307 on the same origin keeps the token",
			Route: func(t *testing.T, e *registrytest.Env) {
				e.Handle(e.Srv, tagged, registrytest.Redirect(http.StatusTemporaryRedirect, func() string { return mirror }))
				e.Handle(e.Srv, mirror, registrytest.Fixture(t, "testdata/monolog.json", ctype))
			},
			Check: func(t *testing.T, e *registrytest.Env, p *registry.Package, err error) {
				wantMonolog(t, p, err)
				e.WantHops(t, tagged, e.Srv, mirror)
			},
		},
		{
			Name: "302 to another origin drops the token",
			Route: func(t *testing.T, e *registrytest.Env) {
				e.Handle(e.Srv, tagged, registrytest.Redirect(http.StatusFound, func() string { return e.Other.URL + tagged }))
				e.Handle(e.Other, tagged, registrytest.Fixture(t, "testdata/monolog.json", ctype))
			},
			Check: func(t *testing.T, e *registrytest.Env, p *registry.Package, err error) {
				wantMonolog(t, p, err)
				e.WantHops(t, tagged, e.Other, tagged)
			},
		},
		{
			Name: "500 on every attempt",
			Route: func(t *testing.T, e *registrytest.Env) {
				e.Handle(e.Srv, tagged, registrytest.Status(http.StatusInternalServerError, ""))
			},
			Check: func(t *testing.T, e *registrytest.Env, p *registry.Package, err error) {
				e.WantError(t, err, name, registry.ErrStatus, http.StatusInternalServerError)
				e.WantAttempts(t, tagged, 1+registrytest.Retries)
				e.WantAttempts(t, dev, 0)
			},
		},
		{
			Name: "503 with Retry-After on every attempt at packages.json",
			Route: func(t *testing.T, e *registrytest.Env) {
				e.Handle(e.Srv, root, registrytest.Status(http.StatusServiceUnavailable, "1"))
			},
			Check: func(t *testing.T, e *registrytest.Env, p *registry.Package, err error) {
				e.WantError(t, err, name, registry.ErrStatus, http.StatusServiceUnavailable)
				e.WantAttempts(t, root, 1+registrytest.Retries)
				e.WantAttempts(t, tagged, 0)
				e.WantWaits(t, time.Second, time.Second)
			},
		},
		{
			Name: "503 on every attempt at the branches",
			Route: func(t *testing.T, e *registrytest.Env) {
				e.Handle(e.Srv, dev, registrytest.Status(http.StatusServiceUnavailable, ""))
			},
			Check: func(t *testing.T, e *registrytest.Env, p *registry.Package, err error) {
				e.WantError(t, err, name, registry.ErrStatus, http.StatusServiceUnavailable)
				e.WantAttempts(t, dev, 1+registrytest.Retries)
			},
		},
		{
			Name: "429 on every attempt",
			Route: func(t *testing.T, e *registrytest.Env) {
				e.Handle(e.Srv, tagged, registrytest.Limited(1<<30, nil))
			},
			Check: func(t *testing.T, e *registrytest.Env, p *registry.Package, err error) {
				e.WantError(t, err, name, registry.ErrStatus, http.StatusTooManyRequests)
				e.WantAttempts(t, tagged, 1+registrytest.Retries)
			},
		},
		{
			Name:  "a metadata file over the byte limit",
			Limit: registrytest.ByteLimit,
			Route: func(t *testing.T, e *registrytest.Env) {
				e.Handle(e.Srv, tagged, e.Stream(ctype, `{"minified":"composer/2.0","packages":{"monolog/monolog":[{"name":"monolog/monolog","type":"library","source":{"url":"https://github.com/Seldaek/monolog.git","type":"git"},"require":{"php":">=8.1","psr/log":"^2.0 || ^3.0"},"version":"3.999999.0","time":"2024-12-05T17:15:07+00:00"},`, ",", func(i int) string {
					return fmt.Sprintf(`{"version":"3.%d.0","version_normalized":"3.%d.0.0","time":"2024-12-05T17:15:07+00:00","dist":{"url":"https://api.github.com/repos/Seldaek/monolog/zipball/aef6ee73a77a66e404dd6540934a9ef1b3c855b4","type":"zip","shasum":"","reference":"aef6ee73a77a66e404dd6540934a9ef1b3c855b4"}}`, i, i)
				}))
			},
			Check: func(t *testing.T, e *registrytest.Env, p *registry.Package, err error) {
				e.WantError(t, err, name, registry.ErrTooLarge, 0)
				e.WantStopped(t)
			},
		},
		{
			Name: "an HTML page with 200",
			Route: func(t *testing.T, e *registrytest.Env) {
				e.Handle(e.Srv, tagged, registrytest.HTML)
			},
			Check: func(t *testing.T, e *registrytest.Env, p *registry.Package, err error) {
				e.WantError(t, err, name, registry.ErrMalformed, 0)
			},
		},
		{
			Name: "404",
			Route: func(t *testing.T, e *registrytest.Env) {
				e.Handle(e.Srv, tagged, func(w http.ResponseWriter, r *http.Request) {
					http.Error(w, `{"status":"error","message":"Package not found"}`, http.StatusNotFound)
				})
			},
			Check: func(t *testing.T, e *registrytest.Env, p *registry.Package, err error) {
				e.WantError(t, err, name, registry.ErrNotFound, http.StatusNotFound)
				e.WantAttempts(t, tagged, 1)
			},
		},
	})
}
