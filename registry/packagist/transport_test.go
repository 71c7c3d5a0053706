package packagist

import (
	"fmt"
	"net/http"
	"testing"
	"time"

	"github.com/tollgate-dev/tollgate/registry"
	"github.com/tollgate-dev/tollgate/registry/internal/registrytest"
)

func wantMonolog(t *testing.T, _ *registrytest.Env, p *registry.Package, err error) {
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
		dev    = "/p2/monolog/monolog~dev.json"
		mirror = "/mirror/p2/monolog/monolog.json"
		ctype  = "application/json"
	)
	root := registrytest.Doc{Path: "/packages.json", File: "testdata/packages.json", Type: ctype}
	tagged := registrytest.Doc{Path: "/p2/monolog/monolog.json", File: "testdata/monolog.json", Type: ctype}
	registrytest.RunTransport(t, registrytest.Transport{
		Registry: "packagist",
		Package:  name,
		// The recorded answers, for every route a case leaves alone.
		Serve: func(t *testing.T, e *registrytest.Env) {
			e.Handle(e.Srv, root.Path, registrytest.Fixture(t, root.File, ctype))
			e.Handle(e.Srv, tagged.Path, registrytest.Fixture(t, tagged.File, ctype))
			e.Handle(e.Srv, dev, registrytest.Fixture(t, "testdata/monolog~dev.json", ctype))
		},
		New: func(o registry.Options) (registry.Client, error) { return New(o) },
	}, []registrytest.Case{
		registrytest.RetriedAfter("429 with Retry-After, then the metadata", tagged, wantMonolog,
			registrytest.Attempts(dev, 1)),
		registrytest.RetriedAfter("429 with Retry-After on packages.json, then packages.json", root, wantMonolog),
		registrytest.SameOrigin("307 on the same origin keeps the token", http.StatusTemporaryRedirect, tagged, mirror, wantMonolog),
		registrytest.CrossOrigin("302 to another origin drops the token", http.StatusFound, tagged, wantMonolog),
		registrytest.Refused("500 on every attempt", tagged.Path, http.StatusInternalServerError, "",
			registrytest.Attempts(dev, 0)),
		registrytest.Refused("503 with Retry-After on every attempt at packages.json", root.Path, http.StatusServiceUnavailable, "1",
			registrytest.Attempts(tagged.Path, 0), registrytest.Waits(time.Second, time.Second)),
		registrytest.Refused("503 on every attempt at the branches", dev, http.StatusServiceUnavailable, ""),
		registrytest.Throttled("429 on every attempt", tagged.Path),
		registrytest.TooLarge("a metadata file over the byte limit", tagged.Path, ctype, `{"minified":"composer/2.0","packages":{"monolog/monolog":[{"name":"monolog/monolog","type":"library","source":{"url":"https://github.com/Seldaek/monolog.git","type":"git"},"require":{"php":">=8.1","psr/log":"^2.0 || ^3.0"},"version":"3.999999.0","time":"2024-12-05T17:15:07+00:00"},`, ",", func(i int) string {
			return fmt.Sprintf(`{"version":"3.%d.0","version_normalized":"3.%d.0.0","time":"2024-12-05T17:15:07+00:00","dist":{"url":"https://api.github.com/repos/Seldaek/monolog/zipball/aef6ee73a77a66e404dd6540934a9ef1b3c855b4","type":"zip","shasum":"","reference":"aef6ee73a77a66e404dd6540934a9ef1b3c855b4"}}`, i, i)
		}),
		registrytest.HTMLPage("an HTML page with 200", tagged.Path),
		registrytest.NotFound("404", tagged.Path, http.StatusNotFound, registrytest.ErrorPage(http.StatusNotFound, `{"status":"error","message":"Package not found"}`)),
	})
}
