package typosquat

import (
	"encoding/json"
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

// The registry confirms or refutes an offline match: a candidate with a
// tenth of its target's downloads is an honest name (dropped); a young one
// with far fewer is raised and says so; one older than its target is
// lowered.
func TestOnlineConfirmation(t *testing.T) {
	now := time.Date(2026, 12, 1, 0, 0, 0, 0, time.UTC)
	created := map[string]time.Time{"lodash": now.AddDate(-12, 0, 0), "lodahs": now.AddDate(0, 0, -3), "lodasj": now.AddDate(-1, 0, 0), "crossenv": now.AddDate(-14, 0, 0), "cross-env": now.AddDate(-9, 0, 0)}
	downloads := map[string]int64{"lodash": 60_000_000, "lodahs": 50_000, "lodasj": 9_000_000, "crossenv": 12, "cross-env": 8_000_000}
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		if name, ok := strings.CutPrefix(r.URL.Path, "/downloads/point/last-week/"); ok {
			fmt.Fprintf(w, `{"downloads":%d,"start":"2026-11-24","end":"2026-11-30","package":%q}`, downloads[name], name)
			return
		}
		name := strings.TrimPrefix(r.URL.Path, "/")
		c, ok := created[name]
		if !ok {
			http.NotFound(w, r)
			return
		}
		json.NewEncoder(w).Encode(map[string]any{"name": name, "dist-tags": map[string]string{"latest": "1.0.0"},
			"time":     map[string]string{"created": c.Format(time.RFC3339), "1.0.0": c.Format(time.RFC3339)},
			"versions": map[string]any{"1.0.0": map[string]any{"name": name, "version": "1.0.0", "dist": map[string]any{"tarball": "https://x/" + name + ".tgz", "integrity": "sha512-AA"}}}})
	}))
	defer srv.Close()
	hx := httpx.New(httpx.Options{HTTPClient: srv.Client(), MinBackoff: time.Millisecond})
	client, err := npm.New(reg.Options{BaseURL: srv.URL, HTTP: hx}, npm.WithDownloads(srv.URL, hx))
	if err != nil {
		t.Fatal(err)
	}
	c := testCheck(t)
	c.clients = map[string]reg.Client{lockfiles.EcosystemNPM: client}
	c.now = func() time.Time { return now }
	in := &scanner.Input{Mode: scanner.ModeSweep, Packages: []lockfiles.Package{
		{Ecosystem: "npm", Name: "lodahs", Version: "1.0.0", Path: "p", Line: 1},
		{Ecosystem: "npm", Name: "lodasj", Version: "1.0.0", Path: "p", Line: 2},
		{Ecosystem: "npm", Name: "crossenv", Version: "1.0.0", Path: "p", Line: 3},
	}}
	got, _, err := c.Run(t.Context(), in)
	if err != nil {
		t.Fatal(err)
	}
	var lines []string
	for _, f := range got {
		lines = append(lines, f.Evidence+" "+f.Severity)
	}
	if want := "lodahs ~ lodash high|crossenv ~ cross-env low"; strings.Join(lines, "|") != want {
		t.Errorf("confirmed %q, want %q", strings.Join(lines, "|"), want)
	}
	if len(got) > 0 && !strings.Contains(got[0].Message, "1,200× fewer downloads than `lodash`, first published 3 days ago (registry)") {
		t.Errorf("message %q", got[0].Message)
	}
}
