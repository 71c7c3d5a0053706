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

func wantSample(t *testing.T, _ *registrytest.Env, p *registry.Package, err error) {
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
	const simple, mirror = "/simple/sampleproject/", "/mirror/pypi/sampleproject/json"
	doc := registrytest.Doc{Path: "/pypi/sampleproject/json", File: "testdata/sampleproject.json", Type: "application/json"}
	registrytest.RunTransport(t, registrytest.Transport{
		Registry: "pypi",
		Package:  "sampleproject",
		Serve: func(t *testing.T, e *registrytest.Env) {
			e.Handle(e.Srv, simple, registrytest.Fixture(t, "testdata/sampleproject-simple.json", simpleType))
		},
		New: func(o registry.Options) (registry.Client, error) { return New(o) },
	}, []registrytest.Case{
		registrytest.RetriedAfter("429 with Retry-After, then the project", doc, wantSample,
			registrytest.Attempts(simple, 1)),
		registrytest.SameOrigin("302 on the same origin keeps the credentials", http.StatusFound, doc, mirror, wantSample),
		registrytest.CrossOrigin("307 to another origin drops the credentials", http.StatusTemporaryRedirect, doc, wantSample),
		registrytest.Refused("500 on every attempt", doc.Path, http.StatusInternalServerError, "",
			registrytest.Attempts(simple, 0)),
		registrytest.Refused("503 with Retry-After on every attempt", doc.Path, http.StatusServiceUnavailable, "1",
			registrytest.Waits(time.Second, time.Second)),
		registrytest.Throttled("429 on every attempt", doc.Path),
		registrytest.TooLarge("a project document over the byte limit", doc.Path, doc.Type, `{"info":{"name":"sampleproject","version":"1.0.0","project_urls":{"Source":"https://github.com/pypa/sampleproject"}},"releases":{`, ",", func(i int) string {
			return fmt.Sprintf(`"1.0.%d":[{"filename":"sampleproject-1.0.%d.tar.gz","packagetype":"sdist","url":"https://files.pythonhosted.org/packages/sampleproject-1.0.%d.tar.gz","upload_time_iso_8601":"2019-10-25T12:00:00.000000Z","digests":{"sha256":"3427a8a5dd73dec1b7e42c43ac27f6e11ca3edd98b54cf2e8ea8c4f8b2e4cd58"},"yanked":false,"yanked_reason":null}]`, i, i, i)
		}),
		registrytest.HTMLPage("an HTML page with 200", doc.Path),
		registrytest.NotFound("404", doc.Path, http.StatusNotFound, registrytest.ErrorPage(http.StatusNotFound, `{"message": "Not Found"}`)),
	})
}
