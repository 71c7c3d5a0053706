package npm

import (
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/tollgate-dev/tollgate/registry"
	"github.com/tollgate-dev/tollgate/registry/internal/registrytest"
)

func wantNx(t *testing.T, p *registry.Package, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
	if p.Name != "nx" || p.Latest != "20.0.11" || len(p.Versions) != 3 || p.Downloads != -1 || len(p.Incomplete) != 0 {
		t.Fatalf("package %+v", p)
	}
	v, _ := p.Version("20.0.11")
	if v == nil || v.Digest != "sha512-g22/gNg6RCfOKd47cFunGgMY4wm3okoG7hmlqe21HkdpuRf1Yos/YGNdPmrrS04+IKUz7utdBl6bDGfw8QbZAw==" || strings.Join(v.InstallScripts, ",") != "postinstall" ||
		!v.Published.Equal(time.Date(2024, 12, 12, 22, 10, 35, 64e6, time.UTC)) {
		t.Errorf("20.0.11 %+v", v)
	}
}

// TestTransport: the npm client over the HTTP layer's answers.
func TestTransport(t *testing.T) {
	const doc, mirror = "/nx", "/mirror/nx"
	const ctype = "application/json"
	registrytest.RunTransport(t, registrytest.Transport{
		Registry: "npm",
		Package:  "nx",
		// A mirror: no download counts are asked.
		New: func(o registry.Options) (registry.Client, error) { return New(o) },
	}, []registrytest.Case{
		{
			Name: "429 with Retry-After, then the packument",
			Route: func(t *testing.T, e *registrytest.Env) {
				e.Handle(e.Srv, doc, registrytest.Limited(1, registrytest.Fixture(t, "testdata/nx.json", ctype)))
			},
			Check: func(t *testing.T, e *registrytest.Env, p *registry.Package, err error) {
				wantNx(t, p, err)
				e.WantAttempts(t, doc, 2)
				e.WantWaits(t, time.Second)
			},
		},
		{
			Name: "307 on the same origin keeps the token",
			Route: func(t *testing.T, e *registrytest.Env) {
				e.Handle(e.Srv, doc, registrytest.Redirect(http.StatusTemporaryRedirect, func() string { return mirror }))
				e.Handle(e.Srv, mirror, registrytest.Fixture(t, "testdata/nx.json", ctype))
			},
			Check: func(t *testing.T, e *registrytest.Env, p *registry.Package, err error) {
				wantNx(t, p, err)
				e.WantHops(t, doc, e.Srv, mirror)
			},
		},
		{
			Name: "302 to another origin drops the token",
			Route: func(t *testing.T, e *registrytest.Env) {
				e.Handle(e.Srv, doc, registrytest.Redirect(http.StatusFound, func() string { return e.Other.URL + doc }))
				e.Handle(e.Other, doc, registrytest.Fixture(t, "testdata/nx.json", ctype))
			},
			Check: func(t *testing.T, e *registrytest.Env, p *registry.Package, err error) {
				wantNx(t, p, err)
				e.WantHops(t, doc, e.Other, doc)
			},
		},
		{
			Name: "500 on every attempt",
			Route: func(t *testing.T, e *registrytest.Env) {
				e.Handle(e.Srv, doc, registrytest.Status(http.StatusInternalServerError, ""))
			},
			Check: func(t *testing.T, e *registrytest.Env, p *registry.Package, err error) {
				e.WantError(t, err, "nx", registry.ErrStatus, http.StatusInternalServerError)
				e.WantAttempts(t, doc, 1+registrytest.Retries)
			},
		},
		{
			Name: "503 with Retry-After on every attempt",
			Route: func(t *testing.T, e *registrytest.Env) {
				e.Handle(e.Srv, doc, registrytest.Status(http.StatusServiceUnavailable, "1"))
			},
			Check: func(t *testing.T, e *registrytest.Env, p *registry.Package, err error) {
				e.WantError(t, err, "nx", registry.ErrStatus, http.StatusServiceUnavailable)
				e.WantAttempts(t, doc, 1+registrytest.Retries)
				e.WantWaits(t, time.Second, time.Second)
			},
		},
		{
			Name: "429 on every attempt",
			Route: func(t *testing.T, e *registrytest.Env) {
				e.Handle(e.Srv, doc, registrytest.Limited(1<<30, nil))
			},
			Check: func(t *testing.T, e *registrytest.Env, p *registry.Package, err error) {
				e.WantError(t, err, "nx", registry.ErrStatus, http.StatusTooManyRequests)
				e.WantAttempts(t, doc, 1+registrytest.Retries)
			},
		},
		{
			Name:  "a packument over the byte limit",
			Limit: registrytest.ByteLimit,
			Route: func(t *testing.T, e *registrytest.Env) {
				e.Handle(e.Srv, doc, e.Stream(ctype, `{"_id":"nx","name":"nx","dist-tags":{"latest":"1.0.0"},"versions":{`, ",", func(i int) string {
					return fmt.Sprintf(`"1.0.%d":{"name":"nx","version":"1.0.%d","scripts":{"postinstall":"node ./bin/post-install"},"dist":{"tarball":"https://registry.npmjs.org/nx/-/nx-1.0.%d.tgz","shasum":"5b3d4cd7c4a7dd1f3cf1b0a4cf0c1ab7cbbd2b70"}}`, i, i, i)
				}))
			},
			Check: func(t *testing.T, e *registrytest.Env, p *registry.Package, err error) {
				e.WantError(t, err, "nx", registry.ErrTooLarge, 0)
				e.WantStopped(t)
			},
		},
		{
			Name: "an HTML page with 200",
			Route: func(t *testing.T, e *registrytest.Env) {
				e.Handle(e.Srv, doc, registrytest.HTML)
			},
			Check: func(t *testing.T, e *registrytest.Env, p *registry.Package, err error) {
				e.WantError(t, err, "nx", registry.ErrMalformed, 0)
			},
		},
		{
			Name: "404",
			Route: func(t *testing.T, e *registrytest.Env) {
				e.Handle(e.Srv, doc, func(w http.ResponseWriter, r *http.Request) {
					http.Error(w, `{"error":"Not found"}`, http.StatusNotFound)
				})
			},
			Check: func(t *testing.T, e *registrytest.Env, p *registry.Package, err error) {
				e.WantError(t, err, "nx", registry.ErrNotFound, http.StatusNotFound)
				e.WantAttempts(t, doc, 1)
			},
		},
	})
}
