package registry

import (
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/tollgate-dev/tollgate/internal/httpx"
	"github.com/tollgate-dev/tollgate/lockfiles"
	reg "github.com/tollgate-dev/tollgate/registry"
	"github.com/tollgate-dev/tollgate/registry/npm"
	"github.com/tollgate-dev/tollgate/scanner"
)

// BenchmarkSignals500 judges 500 added npm packages against a registry that
// takes 50 ms per answer, with the check's concurrency (16 in flight).
// Target: under 3 s.
func BenchmarkSignals500(b *testing.B) {
	doc := packument("pkg", 500*day, history("pkg", 20, true)...)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		time.Sleep(50 * time.Millisecond)
		w.Header().Set("Content-Type", "application/json")
		w.Write([]byte(strings.Replace(string(doc), `"pkg"`, `"`+strings.TrimPrefix(r.URL.Path, "/")+`"`, 2)))
	}))
	defer srv.Close()
	var changes []lockfiles.Change
	for i := range 500 {
		changes = append(changes, change(fmt.Sprintf("pkg-%d", i), "", "1.0.19"))
	}
	in := &scanner.Input{Mode: scanner.ModePullRequest, Changes: changes}
	for _, ch := range changes {
		in.Packages = append(in.Packages, ch.Package)
	}
	for b.Loop() {
		c, err := npm.New(reg.Options{BaseURL: srv.URL, HTTP: httpx.New(httpx.Options{HTTPClient: srv.Client(), MaxInFlight: reg.DefaultConcurrency})}, npm.WithDownloads("", nil))
		if err != nil {
			b.Fatal(err)
		}
		check := New(map[string]reg.Client{lockfiles.EcosystemNPM: c}, DefaultCooldown, func() time.Time { return now })
		if _, sk, err := check.Run(b.Context(), in); err != nil || len(sk) != 0 {
			b.Fatal(err, sk)
		}
	}
}
