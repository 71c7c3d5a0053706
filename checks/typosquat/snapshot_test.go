package typosquat

import (
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/tollgate-dev/tollgate/checks"
	"github.com/tollgate-dev/tollgate/config"
	"github.com/tollgate-dev/tollgate/lockfiles"
	"github.com/tollgate-dev/tollgate/scanner"
)

// A configured snapshot replaces the built-in names of the ecosystems it
// holds: a file, or an https URL fetched once and then read from the cache
// (offline too). A URL that cannot be fetched leaves the built-in snapshot
// judging and says so.
func TestConfiguredSnapshot(t *testing.T) {
	body := "=npm\nacme-internal-ui\n"
	var calls int
	srv := httptest.NewTLSServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/popular.txt" {
			calls++
		}
		if r.URL.Path != "/popular.txt" {
			http.NotFound(w, r)
			return
		}
		w.Write([]byte(body))
	}))
	defer srv.Close()
	squat := &scanner.Input{Mode: scanner.ModeSweep, Packages: []lockfiles.Package{
		{Ecosystem: lockfiles.EcosystemNPM, Name: "acme-internal-iu", Version: "1.0.0", Path: "package-lock.json", Line: 3},
		{Ecosystem: lockfiles.EcosystemPyPI, Name: "reqeusts", Version: "1.0.0", Path: "requirements.txt", Line: 1},
	}}
	run := func(t *testing.T, src string, d checks.Deps) ([]scanner.Finding, []scanner.Skipped) {
		t.Helper()
		d.Config = config.Default()
		d.Config.Typosquat.Snapshot = src
		// The online confirmation asks this server too (it knows no
		// package): never the real registries.
		d.Config.Registries = map[string]string{"npm": srv.URL, "pypi": srv.URL, "rubygems": srv.URL, "crates": srv.URL, "go": srv.URL}
		c, err := Entry().New(t.Context(), d)
		if err != nil {
			t.Fatal(err)
		}
		fs, sk, err := c.Run(t.Context(), squat)
		if err != nil {
			t.Fatal(err)
		}
		return fs, sk
	}
	evidence := func(fs []scanner.Finding) string {
		var out []string
		for _, f := range fs {
			out = append(out, f.Evidence)
		}
		return strings.Join(out, "|")
	}
	file := filepath.Join(t.TempDir(), "popular.txt")
	if err := os.WriteFile(file, []byte(body), 0o644); err != nil {
		t.Fatal(err)
	}
	fs, sk := run(t, file, checks.Deps{Offline: true})
	if evidence(fs) != "acme-internal-iu ~ acme-internal-ui|reqeusts ~ requests" || len(sk) != 0 {
		t.Errorf("file snapshot: %s %v (PyPI keeps the built-in names)", evidence(fs), sk)
	}
	cache := t.TempDir()
	url := srv.URL + "/popular.txt"
	fs, _ = run(t, url, checks.Deps{HTTPClient: srv.Client(), CacheDir: cache})
	if !strings.Contains(evidence(fs), "acme-internal-ui") {
		t.Errorf("URL snapshot: %s", evidence(fs))
	}
	calls = 1
	fs, _ = run(t, url, checks.Deps{HTTPClient: srv.Client(), CacheDir: cache, Offline: true})
	if !strings.Contains(evidence(fs), "acme-internal-ui") || calls != 1 {
		t.Errorf("offline from the cache: %s after %d calls", evidence(fs), calls)
	}
	fs, sk = run(t, srv.URL+"/missing.txt", checks.Deps{HTTPClient: srv.Client()})
	sk = slices.DeleteFunc(sk, func(s scanner.Skipped) bool { return s.ByChoice }) // a sweep's discovery note
	if strings.Contains(evidence(fs), "acme-internal-ui") || len(sk) != 1 || !strings.Contains(sk[0].Reason, "HTTP 404") {
		t.Errorf("failed fetch: %s %v", evidence(fs), sk)
	}
	if _, err := Entry().New(t.Context(), checks.Deps{Offline: true, Config: &config.Config{Typosquat: config.Typosquat{Snapshot: filepath.Join(t.TempDir(), "none.txt")}}}); err == nil {
		t.Error("a missing snapshot file was accepted")
	}
}
