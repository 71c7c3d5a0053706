package goproxy

import (
	"fmt"
	"net/http"
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
		mirror = "/mirror/github.com/!burnt!sushi/toml/@v/list"
		text   = "text/plain; charset=UTF-8"
	)
	list := registrytest.Doc{Path: "/github.com/!burnt!sushi/toml/@v/list", Type: text}
	list.File = "testdata/proxy" + list.Path
	info := registrytest.Doc{Path: "/github.com/!burnt!sushi/toml/@v/v1.6.0.info", Type: "application/json"}
	info.File = "testdata/proxy" + info.Path
	registrytest.RunTransport(t, registrytest.Transport{
		Registry: "go",
		Package:  mod,
		Server:   func(t *testing.T) *registrytest.Server { return serveProxy(t, "") },
		New:      func(o registry.Options) (registry.Client, error) { return New(o) },
	}, []registrytest.Case{
		registrytest.RetriedAfter("429 with Retry-After on the list, then the list", list, wantToml),
		registrytest.RetriedAfter("429 with Retry-After on a .info, then the .info", info, wantToml),
		registrytest.SameOrigin("307 on the same origin keeps the token", http.StatusTemporaryRedirect, list, mirror, wantToml),
		registrytest.CrossOrigin("302 to another origin drops the token", http.StatusFound, list, wantToml),
		registrytest.Refused("500 on every attempt at the list", list.Path, http.StatusInternalServerError, "",
			registrytest.Attempts(info.Path, 0)),
		registrytest.Refused("503 with Retry-After on every attempt at a .info", info.Path, http.StatusServiceUnavailable, "1",
			registrytest.Mentions(info.Path, "the .info URL")),
		registrytest.Throttled("429 on every attempt", list.Path),
		registrytest.TooLarge("a version list over the byte limit, cut inside a line", list.Path, text, "", "\n", func(i int) string { return fmt.Sprintf("v1.%d.0", i) }),
		// Every line is 16 bytes: the 4 KiB limit falls after line 256.
		registrytest.TooLarge("a version list over the byte limit, cut between two lines", list.Path, text, "", "\n", func(i int) string { return fmt.Sprintf("v1.%010d.0", 1000000000+i) }),
		registrytest.TooLarge("a .info over the byte limit", info.Path, info.Type, `{"Version":"v1.6.0","Time":"2025-12-18T09:00:00Z","Origin":{"VCS":"git","URL":"https://github.com/BurntSushi/toml","Ref":"refs/tags/v1.6.0","Hash":"0a1b2c3d4e5f60718293a4b5c6d7e8f90a1b2c3d","RepoSum":"r1:`, "", func(int) string {
			return "c2hhMjU2OjBhMWIyYzNkNGU1ZjYwNzE4MjkzYTRiNWM2ZDdlOGY5MGExYjJjM2Q="
		}),
		registrytest.HTMLPage("an HTML page with 200", list.Path),
		registrytest.NotFound("404", list.Path, http.StatusNotFound, registrytest.ErrorPage(http.StatusNotFound, "not found: module github.com/BurntSushi/toml: no matching versions for query \"latest\"")),
		registrytest.NotFound("410", list.Path, http.StatusGone, registrytest.ErrorPage(http.StatusGone, "not found: github.com/BurntSushi/toml@v1.6.0: invalid version: unknown revision v1.6.0")),
	})
}
