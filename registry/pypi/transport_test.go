package pypi

import (
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/tollgate-dev/tollgate/registry"
	"github.com/tollgate-dev/tollgate/registry/internal/registrytest"
)

func wantSample(t *testing.T, p *registry.Package, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
	if p.Name != "SampleProject" || p.Latest != "4.0.0" || len(p.Versions) != 6 || p.Repository != "https://github.com/pypa/sampleproject/" || len(p.Incomplete) != 0 {
		t.Fatalf("package %+v", p)
	}
	if v, _ := p.Version("3.0.0"); v == nil || v.Provenance != registry.ProvenanceTrustedPublisher {
		t.Errorf("3.0.0 %+v", v)
	}
	if v, _ := p.Version("1.2.0"); v == nil || v.Digest != "sha256:3427a8a5dd73dec1b7e42c43ac27f6e11ca3edd98b54cf2e8ea8c4f8b2e4cd58" || strings.Join(v.InstallScripts, ",") != "sdist-only" {
		t.Errorf("1.2.0 %+v", v)
	}
}

// TestTransport: the PyPI client over the HTTP layer's answers (the JSON
// API's document; the simple API is served as recorded).
func TestTransport(t *testing.T) {
	const doc, simple, mirror = "/pypi/sampleproject/json", "/simple/sampleproject/", "/mirror/pypi/sampleproject/json"
	const ctype = "application/json"
	registrytest.RunTransport(t, registrytest.Transport{
		Registry: "pypi",
		Package:  "sampleproject",
		Serve: func(t *testing.T, e *registrytest.Env) {
			e.Handle(e.Srv, simple, registrytest.Fixture(t, "testdata/sampleproject-simple.json", simpleType))
		},
		New: func(o registry.Options) (registry.Client, error) { return New(o) },
	}, []registrytest.Case{
		{
			Name: "429 with Retry-After, then the project",
			Route: func(t *testing.T, e *registrytest.Env) {
				e.Handle(e.Srv, doc, registrytest.Limited(1, registrytest.Fixture(t, "testdata/sampleproject.json", ctype)))
			},
			Check: func(t *testing.T, e *registrytest.Env, p *registry.Package, err error) {
				wantSample(t, p, err)
				e.WantAttempts(t, doc, 2)
				e.WantAttempts(t, simple, 1)
				e.WantWaits(t, time.Second)
			},
		},
		{
			Name: "302 on the same origin keeps the credentials",
			Route: func(t *testing.T, e *registrytest.Env) {
				e.Handle(e.Srv, doc, registrytest.Redirect(http.StatusFound, func() string { return mirror }))
				e.Handle(e.Srv, mirror, registrytest.Fixture(t, "testdata/sampleproject.json", ctype))
			},
			Check: func(t *testing.T, e *registrytest.Env, p *registry.Package, err error) {
				wantSample(t, p, err)
				e.WantHops(t, doc, e.Srv, mirror)
			},
		},
		{
			Name: "307 to another origin drops the credentials",
			Route: func(t *testing.T, e *registrytest.Env) {
				e.Handle(e.Srv, doc, registrytest.Redirect(http.StatusTemporaryRedirect, func() string { return e.Other.URL + doc }))
				e.Handle(e.Other, doc, registrytest.Fixture(t, "testdata/sampleproject.json", ctype))
			},
			Check: func(t *testing.T, e *registrytest.Env, p *registry.Package, err error) {
				wantSample(t, p, err)
				e.WantHops(t, doc, e.Other, doc)
			},
		},
		{
			Name: "500 on every attempt",
			Route: func(t *testing.T, e *registrytest.Env) {
				e.Handle(e.Srv, doc, registrytest.Status(http.StatusInternalServerError, ""))
			},
			Check: func(t *testing.T, e *registrytest.Env, p *registry.Package, err error) {
				e.WantError(t, err, "sampleproject", registry.ErrStatus, http.StatusInternalServerError)
				e.WantAttempts(t, doc, 1+registrytest.Retries)
				e.WantAttempts(t, simple, 0)
			},
		},
		{
			Name: "503 with Retry-After on every attempt",
			Route: func(t *testing.T, e *registrytest.Env) {
				e.Handle(e.Srv, doc, registrytest.Status(http.StatusServiceUnavailable, "1"))
			},
			Check: func(t *testing.T, e *registrytest.Env, p *registry.Package, err error) {
				e.WantError(t, err, "sampleproject", registry.ErrStatus, http.StatusServiceUnavailable)
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
				e.WantError(t, err, "sampleproject", registry.ErrStatus, http.StatusTooManyRequests)
				e.WantAttempts(t, doc, 1+registrytest.Retries)
			},
		},
		{
			Name:  "a project document over the byte limit",
			Limit: registrytest.ByteLimit,
			Route: func(t *testing.T, e *registrytest.Env) {
				e.Handle(e.Srv, doc, e.Stream(ctype, `{"info":{"name":"sampleproject","version":"1.0.0","project_urls":{"Source":"https://github.com/pypa/sampleproject"}},"releases":{`, ",", func(i int) string {
					return fmt.Sprintf(`"1.0.%d":[{"filename":"sampleproject-1.0.%d.tar.gz","packagetype":"sdist","url":"https://files.pythonhosted.org/packages/sampleproject-1.0.%d.tar.gz","upload_time_iso_8601":"2019-10-25T12:00:00.000000Z","digests":{"sha256":"3427a8a5dd73dec1b7e42c43ac27f6e11ca3edd98b54cf2e8ea8c4f8b2e4cd58"},"yanked":false,"yanked_reason":null}]`, i, i, i)
				}))
			},
			Check: func(t *testing.T, e *registrytest.Env, p *registry.Package, err error) {
				e.WantError(t, err, "sampleproject", registry.ErrTooLarge, 0)
				e.WantStopped(t)
			},
		},
		{
			Name: "an HTML page with 200",
			Route: func(t *testing.T, e *registrytest.Env) {
				e.Handle(e.Srv, doc, registrytest.HTML)
			},
			Check: func(t *testing.T, e *registrytest.Env, p *registry.Package, err error) {
				e.WantError(t, err, "sampleproject", registry.ErrMalformed, 0)
			},
		},
		{
			Name: "404",
			Route: func(t *testing.T, e *registrytest.Env) {
				e.Handle(e.Srv, doc, func(w http.ResponseWriter, r *http.Request) {
					http.Error(w, `{"message": "Not Found"}`, http.StatusNotFound)
				})
			},
			Check: func(t *testing.T, e *registrytest.Env, p *registry.Package, err error) {
				e.WantError(t, err, "sampleproject", registry.ErrNotFound, http.StatusNotFound)
				e.WantAttempts(t, doc, 1)
			},
		},
	})
}
