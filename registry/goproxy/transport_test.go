package goproxy

import (
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/tollgate-dev/tollgate/registry"
	"github.com/tollgate-dev/tollgate/registry/internal/registrytest"
)

func wantToml(t *testing.T, e *registrytest.Env, p *registry.Package, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
	if p.Name != "github.com/BurntSushi/toml" || p.Latest != "v1.6.0" || len(p.Versions) != 4 || p.Repository != "https://github.com/BurntSushi/toml" ||
		!p.Created.Equal(time.Date(2024, 6, 5, 17, 12, 54, 0, time.UTC)) {
		t.Fatalf("package %+v", p)
	}
	if v, _ := p.Version("v1.6.0"); v == nil || !v.Published.Equal(time.Date(2025, 12, 18, 9, 0, 0, 0, time.UTC)) || v.ArtifactURL != e.Srv.URL+"/github.com/!burnt!sushi/toml/@v/v1.6.0.zip" {
		t.Errorf("v1.6.0 %+v", v)
	}
}

// TestTransport: the Go proxy client over the HTTP layer's answers (@v/list
// and .info; the rest served as recorded).
func TestTransport(t *testing.T) {
	const (
		mod    = "github.com/BurntSushi/toml"
		list   = "/github.com/!burnt!sushi/toml/@v/list"
		info   = "/github.com/!burnt!sushi/toml/@v/v1.6.0.info"
		mirror = "/mirror/github.com/!burnt!sushi/toml/@v/list"
		text   = "text/plain; charset=UTF-8"
	)
	listFile := "testdata/proxy" + list
	infoFile := "testdata/proxy" + info
	registrytest.RunTransport(t, registrytest.Transport{
		Registry: "go",
		Package:  mod,
		Server:   func(t *testing.T) *registrytest.Server { return serveProxy(t, "") },
		New:      func(o registry.Options) (registry.Client, error) { return New(o) },
	}, []registrytest.Case{
		{
			Name: "429 with Retry-After on the list, then the list",
			Route: func(t *testing.T, e *registrytest.Env) {
				e.Handle(e.Srv, list, registrytest.Limited(1, registrytest.Fixture(t, listFile, text)))
			},
			Check: func(t *testing.T, e *registrytest.Env, p *registry.Package, err error) {
				wantToml(t, e, p, err)
				e.WantAttempts(t, list, 2)
				e.WantWaits(t, time.Second)
			},
		},
		{
			Name: "429 with Retry-After on a .info, then the .info",
			Route: func(t *testing.T, e *registrytest.Env) {
				e.Handle(e.Srv, info, registrytest.Limited(1, registrytest.Fixture(t, infoFile, "application/json")))
			},
			Check: func(t *testing.T, e *registrytest.Env, p *registry.Package, err error) {
				wantToml(t, e, p, err)
				e.WantAttempts(t, info, 2)
				e.WantWaits(t, time.Second)
			},
		},
		{
			Name: "307 on the same origin keeps the token",
			Route: func(t *testing.T, e *registrytest.Env) {
				e.Handle(e.Srv, list, registrytest.Redirect(http.StatusTemporaryRedirect, func() string { return mirror }))
				e.Handle(e.Srv, mirror, registrytest.Fixture(t, listFile, text))
			},
			Check: func(t *testing.T, e *registrytest.Env, p *registry.Package, err error) {
				wantToml(t, e, p, err)
				e.WantHops(t, list, e.Srv, mirror)
			},
		},
		{
			Name: "302 to another origin drops the token",
			Route: func(t *testing.T, e *registrytest.Env) {
				e.Handle(e.Srv, list, registrytest.Redirect(http.StatusFound, func() string { return e.Other.URL + list }))
				e.Handle(e.Other, list, registrytest.Fixture(t, listFile, text))
			},
			Check: func(t *testing.T, e *registrytest.Env, p *registry.Package, err error) {
				wantToml(t, e, p, err)
				e.WantHops(t, list, e.Other, list)
			},
		},
		{
			Name: "500 on every attempt at the list",
			Route: func(t *testing.T, e *registrytest.Env) {
				e.Handle(e.Srv, list, registrytest.Status(http.StatusInternalServerError, ""))
			},
			Check: func(t *testing.T, e *registrytest.Env, p *registry.Package, err error) {
				e.WantError(t, err, mod, registry.ErrStatus, http.StatusInternalServerError)
				e.WantAttempts(t, list, 1+registrytest.Retries)
				e.WantAttempts(t, info, 0)
			},
		},
		{
			Name: "503 with Retry-After on every attempt at a .info",
			Route: func(t *testing.T, e *registrytest.Env) {
				e.Handle(e.Srv, info, registrytest.Status(http.StatusServiceUnavailable, "1"))
			},
			Check: func(t *testing.T, e *registrytest.Env, p *registry.Package, err error) {
				e.WantError(t, err, mod, registry.ErrStatus, http.StatusServiceUnavailable)
				e.WantAttempts(t, info, 1+registrytest.Retries)
				if !strings.Contains(err.Error(), info) {
					t.Errorf("%v: want the .info URL", err)
				}
			},
		},
		{
			Name: "429 on every attempt",
			Route: func(t *testing.T, e *registrytest.Env) {
				e.Handle(e.Srv, list, registrytest.Limited(1<<30, nil))
			},
			Check: func(t *testing.T, e *registrytest.Env, p *registry.Package, err error) {
				e.WantError(t, err, mod, registry.ErrStatus, http.StatusTooManyRequests)
				e.WantAttempts(t, list, 1+registrytest.Retries)
			},
		},
		{
			Name:  "a version list over the byte limit, cut inside a line",
			Limit: registrytest.ByteLimit,
			Route: func(t *testing.T, e *registrytest.Env) {
				e.Handle(e.Srv, list, e.Stream(text, "", "\n", func(i int) string { return fmt.Sprintf("v1.%d.0", i) }))
			},
			Check: func(t *testing.T, e *registrytest.Env, p *registry.Package, err error) {
				e.WantError(t, err, mod, registry.ErrTooLarge, 0)
				e.WantStopped(t)
			},
		},
		{
			Name:  "a version list over the byte limit, cut between two lines",
			Limit: registrytest.ByteLimit,
			Route: func(t *testing.T, e *registrytest.Env) {
				// Every line is 16 bytes: the 4 KiB limit falls after line 256.
				e.Handle(e.Srv, list, e.Stream(text, "", "\n", func(i int) string { return fmt.Sprintf("v1.%010d.0", 1000000000+i) }))
			},
			Check: func(t *testing.T, e *registrytest.Env, p *registry.Package, err error) {
				e.WantError(t, err, mod, registry.ErrTooLarge, 0)
				e.WantStopped(t)
			},
		},
		{
			Name:  "a .info over the byte limit",
			Limit: registrytest.ByteLimit,
			Route: func(t *testing.T, e *registrytest.Env) {
				e.Handle(e.Srv, info, e.Stream("application/json", `{"Version":"v1.6.0","Time":"2025-12-18T09:00:00Z","Origin":{"VCS":"git","URL":"https://github.com/BurntSushi/toml","Ref":"refs/tags/v1.6.0","Hash":"0a1b2c3d4e5f60718293a4b5c6d7e8f90a1b2c3d","RepoSum":"r1:`, "", func(int) string {
					return "c2hhMjU2OjBhMWIyYzNkNGU1ZjYwNzE4MjkzYTRiNWM2ZDdlOGY5MGExYjJjM2Q="
				}))
			},
			Check: func(t *testing.T, e *registrytest.Env, p *registry.Package, err error) {
				e.WantError(t, err, mod, registry.ErrTooLarge, 0)
				e.WantStopped(t)
			},
		},
		{
			Name: "an HTML page with 200",
			Route: func(t *testing.T, e *registrytest.Env) {
				e.Handle(e.Srv, list, registrytest.HTML)
			},
			Check: func(t *testing.T, e *registrytest.Env, p *registry.Package, err error) {
				e.WantError(t, err, mod, registry.ErrMalformed, 0)
			},
		},
		{
			Name: "404",
			Route: func(t *testing.T, e *registrytest.Env) {
				e.Handle(e.Srv, list, func(w http.ResponseWriter, r *http.Request) {
					http.Error(w, "not found: module github.com/BurntSushi/toml: no matching versions for query \"latest\"", http.StatusNotFound)
				})
			},
			Check: func(t *testing.T, e *registrytest.Env, p *registry.Package, err error) {
				e.WantError(t, err, mod, registry.ErrNotFound, http.StatusNotFound)
				e.WantAttempts(t, list, 1)
			},
		},
		{
			Name: "410",
			Route: func(t *testing.T, e *registrytest.Env) {
				e.Handle(e.Srv, list, func(w http.ResponseWriter, r *http.Request) {
					http.Error(w, "not found: github.com/BurntSushi/toml@v1.6.0: invalid version: unknown revision v1.6.0", http.StatusGone)
				})
			},
			Check: func(t *testing.T, e *registrytest.Env, p *registry.Package, err error) {
				e.WantError(t, err, mod, registry.ErrNotFound, http.StatusGone)
				e.WantAttempts(t, list, 1)
			},
		},
	})
}
