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

func wantRack(t *testing.T, _ *registrytest.Env, p *registry.Package, err error) {
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
	const owners, mirror = "/api/v1/gems/rack/owners.json", "/mirror/api/v1/gems/rack.json"
	const ctype = "application/json; charset=utf-8"
	gem := registrytest.Doc{Path: "/api/v1/gems/rack.json", File: "testdata/gem-rack.json", Type: ctype}
	versions := registrytest.Doc{Path: "/api/v1/versions/rack.json", File: "testdata/versions-rack.json", Type: ctype}
	registrytest.RunTransport(t, registrytest.Transport{
		Registry: "rubygems",
		Package:  "rack",
		// The recorded answers, for every route a case leaves alone.
		Serve: func(t *testing.T, e *registrytest.Env) {
			e.Handle(e.Srv, gem.Path, registrytest.Fixture(t, gem.File, ctype))
			e.Handle(e.Srv, versions.Path, registrytest.Fixture(t, versions.File, ctype))
			e.Handle(e.Srv, owners, registrytest.Fixture(t, "testdata/owners-rack.json", ctype))
		},
		New: func(o registry.Options) (registry.Client, error) { return New(o) },
	}, []registrytest.Case{
		registrytest.RetriedAfter("429 with Retry-After, then the gem", gem, wantRack,
			registrytest.Attempts(versions.Path, 1)),
		registrytest.RetriedAfter("429 with Retry-After on the versions, then the versions", versions, wantRack),
		registrytest.SameOrigin("307 on the same origin keeps the token", http.StatusTemporaryRedirect, gem, mirror, wantRack),
		registrytest.CrossOrigin("302 to another origin drops the token", http.StatusFound, gem, wantRack),
		registrytest.Refused("500 on every attempt", gem.Path, http.StatusInternalServerError, "",
			registrytest.Attempts(versions.Path, 0)),
		registrytest.Refused("503 with Retry-After on every attempt at the versions", versions.Path, http.StatusServiceUnavailable, "1",
			registrytest.Waits(time.Second, time.Second), registrytest.Mentions(versions.Path, "the versions URL")),
		registrytest.Throttled("429 on every attempt", gem.Path),
		registrytest.TooLarge("a versions list over the byte limit", versions.Path, ctype, `[`, ",", func(i int) string {
			return fmt.Sprintf(`{"authors":"Leah Neukirchen","built_at":"2024-10-14T00:00:00.000Z","created_at":"2024-10-14T22:26:12.218Z","number":"0.%d.0","platform":"ruby","prerelease":false,"sha":"58a4ed1b3e5a0e2f0c6d4ba1a8e9b7c6d5e4f3a2b1c0d9e8f7a6b5c4d3e2f1a0","metadata":{}}`, i)
		}),
		registrytest.HTMLPage("an HTML page with 200", gem.Path),
		registrytest.NotFound("404", gem.Path, http.StatusNotFound, registrytest.ErrorPage(http.StatusNotFound, "This rubygem could not be found.")),
	})
}
