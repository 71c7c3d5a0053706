package nuget

import (
	"bytes"
	"compress/gzip"
	"fmt"
	"net/http"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/tollgate-dev/tollgate/registry"
	"github.com/tollgate-dev/tollgate/registry/internal/registrytest"
)

func wantNewtonsoft(t *testing.T, e *registrytest.Env, p *registry.Package, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
	if p.Name != "Newtonsoft.Json" || p.Latest != "13.0.3" || len(p.Versions) != 5 || p.Downloads != 5512345678 || strings.Join(p.Maintainers, ",") != "dotnetfoundation,jamesnk,newtonsoft" || len(p.Incomplete) != 0 {
		t.Fatalf("package %+v", p)
	}
	if v, _ := p.Version("12.0.1"); v == nil || v.ArtifactURL != e.Srv.URL+"/v3-flatcontainer/newtonsoft.json/12.0.1/newtonsoft.json.12.0.1.nupkg" || v.Deprecated != "deprecated: Legacy, CriticalBugs" {
		t.Errorf("12.0.1 %+v", v)
	}
	if v, _ := p.Version("9.0.2-beta2"); v == nil || !v.Yanked {
		t.Errorf("9.0.2-beta2 %+v", v)
	}
}

// gzipped answers body gzip-encoded, as nuget.org's registration hives do;
// wire is the encoded length.
func gzipped(t *testing.T, body []byte) (h http.HandlerFunc, wire int) {
	var buf bytes.Buffer
	w, _ := gzip.NewWriterLevel(&buf, gzip.BestCompression)
	if _, err := w.Write(body); err != nil {
		t.Fatal(err)
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	b := buf.Bytes()
	return func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		w.Header().Set("Content-Encoding", "gzip")
		_, _ = w.Write(b)
	}, len(b)
}

// TestTransport: the NuGet client over the HTTP layer's answers (the
// service index, the flat container and the registration).
func TestTransport(t *testing.T) {
	const (
		index  = "/v3/index.json"
		reg    = "/v3/registration5-gz-semver2/newtonsoft.json/index.json"
		mirror = "/mirror/v3-flatcontainer/newtonsoft.json/index.json"
		ctype  = "application/json"
		id     = "Newtonsoft.Json"
	)
	flat := registrytest.Doc{Path: "/v3-flatcontainer/newtonsoft.json/index.json", File: "testdata/flat-newtonsoft.json", Type: ctype}
	registrytest.RunTransport(t, registrytest.Transport{
		Registry: "nuget",
		Package:  id,
		Serve:    func(t *testing.T, e *registrytest.Env) { serveFeed(t, e.Srv, "") },
		BasePath: index,
		New:      func(o registry.Options) (registry.Client, error) { return New(o) },
	}, []registrytest.Case{
		registrytest.RetriedAfter("429 with Retry-After on the flat container, then its versions", flat, wantNewtonsoft),
		{
			Name: "429 with Retry-After on the service index, then the index",
			Route: func(t *testing.T, e *registrytest.Env) {
				b, err := os.ReadFile("testdata/index.json")
				if err != nil {
					t.Fatal(err)
				}
				body := strings.ReplaceAll(strings.ReplaceAll(string(b), "https://api.nuget.org", e.Srv.URL), "https://azuresearch-usnc.nuget.org", e.Srv.URL+"/search")
				e.Handle(e.Srv, index, registrytest.Limited(1, func(w http.ResponseWriter, r *http.Request) {
					w.Header().Set("Content-Type", ctype)
					_, _ = w.Write([]byte(body))
				}))
			},
			Check: func(t *testing.T, e *registrytest.Env, p *registry.Package, err error) {
				wantNewtonsoft(t, e, p, err)
				e.WantAttempts(t, index, 2)
				e.WantWaits(t, time.Second)
			},
		},
		registrytest.SameOrigin("307 on the same origin keeps the token", http.StatusTemporaryRedirect, flat, mirror, wantNewtonsoft),
		registrytest.CrossOrigin("302 to another origin drops the token", http.StatusFound, flat, wantNewtonsoft),
		registrytest.Refused("500 on every attempt at the flat container", flat.Path, http.StatusInternalServerError, "",
			registrytest.Attempts(reg, 0)),
		registrytest.Refused("503 with Retry-After on every attempt at the service index", index, http.StatusServiceUnavailable, "1",
			registrytest.Attempts(flat.Path, 0), registrytest.Waits(time.Second, time.Second)),
		registrytest.Refused("503 on every attempt at the registration", reg, http.StatusServiceUnavailable, ""),
		registrytest.Throttled("429 on every attempt", flat.Path),
		registrytest.TooLarge("a flat container over the byte limit", flat.Path, ctype, `{"versions":[`, ",", func(i int) string { return fmt.Sprintf(`"13.0.%d"`, i) }),
		{
			Name:  "a gzip-encoded registration that inflates past the byte limit",
			Limit: registrytest.ByteLimit,
			Route: func(t *testing.T, e *registrytest.Env) {
				// Fewer bytes on the wire than the limit, some 550 kB inflated:
				// the limit counts the document, not the transfer.
				leaf := `{"catalogEntry":{"id":"Newtonsoft.Json","version":"13.0.3","published":"2023-03-08T07:42:54.647+00:00","listed":true,"projectUrl":"https://www.newtonsoft.com/json"},"packageContent":"` + e.Srv.URL + `/v3-flatcontainer/newtonsoft.json/13.0.3/newtonsoft.json.13.0.3.nupkg"}`
				doc := `{"count":1,"items":[{"@id":"` + e.Srv.URL + `/v3/registration5-gz-semver2/newtonsoft.json/page/13.0.3/13.0.3.json","count":2000,"items":[` +
					strings.Repeat(leaf+",", 1999) + leaf + `]}]}`
				h, wire := gzipped(t, []byte(doc))
				if wire >= registrytest.ByteLimit || len(doc) < 100*registrytest.ByteLimit {
					t.Fatalf("%d bytes gzipped, %d inflated", wire, len(doc))
				}
				e.Handle(e.Srv, reg, h)
			},
			Check: func(t *testing.T, e *registrytest.Env, p *registry.Package, err error) {
				e.WantError(t, err, id, registry.ErrTooLarge, 0)
			},
		},
		registrytest.HTMLPage("an HTML page with 200", flat.Path),
		registrytest.NotFound("404", flat.Path, http.StatusNotFound, func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Content-Type", "application/xml")
			w.WriteHeader(http.StatusNotFound)
			_, _ = w.Write([]byte(`<?xml version="1.0" encoding="utf-8"?><Error><Code>BlobNotFound</Code><Message>The specified blob does not exist.</Message></Error>`))
		}),
	})
}
