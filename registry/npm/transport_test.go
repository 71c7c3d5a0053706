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

func wantNx(t *testing.T, _ *registrytest.Env, p *registry.Package, err error) {
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
	const mirror = "/mirror/nx"
	nx := registrytest.Doc{Path: "/nx", File: "testdata/nx.json", Type: "application/json"}
	registrytest.RunTransport(t, registrytest.Transport{
		Registry: "npm",
		Package:  "nx",
		// A mirror: no download counts are asked.
		New: func(o registry.Options) (registry.Client, error) { return New(o) },
	}, []registrytest.Case{
		registrytest.RetriedAfter("429 with Retry-After, then the packument", nx, wantNx),
		registrytest.SameOrigin("307 on the same origin keeps the token", http.StatusTemporaryRedirect, nx, mirror, wantNx),
		registrytest.CrossOrigin("302 to another origin drops the token", http.StatusFound, nx, wantNx),
		registrytest.Refused("500 on every attempt", nx.Path, http.StatusInternalServerError, ""),
		registrytest.Refused("503 with Retry-After on every attempt", nx.Path, http.StatusServiceUnavailable, "1",
			registrytest.Waits(time.Second, time.Second)),
		registrytest.Throttled("429 on every attempt", nx.Path),
		registrytest.TooLarge("a packument over the byte limit", nx.Path, nx.Type, `{"_id":"nx","name":"nx","dist-tags":{"latest":"1.0.0"},"versions":{`, ",", func(i int) string {
			return fmt.Sprintf(`"1.0.%d":{"name":"nx","version":"1.0.%d","scripts":{"postinstall":"node ./bin/post-install"},"dist":{"tarball":"https://registry.npmjs.org/nx/-/nx-1.0.%d.tgz","shasum":"5b3d4cd7c4a7dd1f3cf1b0a4cf0c1ab7cbbd2b70"}}`, i, i, i)
		}),
		registrytest.HTMLPage("an HTML page with 200", nx.Path),
		registrytest.NotFound("404", nx.Path, http.StatusNotFound, registrytest.ErrorPage(http.StatusNotFound, `{"error":"Not found"}`)),
	})
}
