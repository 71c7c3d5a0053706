package pipeline

import (
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/tollgate-dev/tollgate/checks"
	"github.com/tollgate-dev/tollgate/diff"
)

// onlyHost is a transport that refuses every host but one: a test that
// reached a real registry would fail instead of going online.
type onlyHost struct{ host string }

func (o onlyHost) RoundTrip(r *http.Request) (*http.Response, error) {
	if r.URL.Host != o.host {
		return nil, errors.New("test transport: no network to " + r.URL.Host)
	}
	return http.DefaultTransport.RoundTrip(r)
}

// One run asks its registry once per package whichever checks ask (the
// registry signals and typosquat's online confirmation both ask about
// `expresss`), and the token config registry-auth names goes with every
// request to that registry.
func TestRegistryClientsSharedAcrossChecks(t *testing.T) {
	now := time.Date(2026, 12, 1, 12, 0, 0, 0, time.UTC)
	var mu sync.Mutex
	asked := map[string]int{}
	var auth []string
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		name, _ := url.PathUnescape(strings.TrimPrefix(r.URL.EscapedPath(), "/"))
		mu.Lock()
		asked[name]++
		auth = append(auth, r.Header.Get("Authorization"))
		mu.Unlock()
		published := now.Add(-2 * time.Hour).Format(time.RFC3339)
		if name == "express" {
			published = "2010-12-29T19:38:25.450Z"
		}
		w.Header().Set("Content-Type", "application/json")
		fmt.Fprintf(w, `{"name":%q,"dist-tags":{"latest":"1.0.0"},"versions":{"1.0.0":{"name":%[1]q,"version":"1.0.0","_npmUser":{"name":"someone"}}},"time":{"created":%[2]q,"1.0.0":%[2]q}}`, name, published)
	}))
	defer srv.Close()
	u, _ := url.Parse(srv.URL)

	dir := t.TempDir()
	lock := `{"name":"app","lockfileVersion":3,"requires":true,"packages":{"":{"name":"app","dependencies":{"expresss":"1.0.0"}},"node_modules/expresss":{"version":"1.0.0","resolved":"` + srv.URL + `/expresss/-/expresss-1.0.0.tgz","integrity":"sha512-AAAA"}}}`
	cfg := "checks: {osv: false, secrets: false, tamper: false, confusion: false, repojack: false, content: false}\n" +
		"registries: {npm: \"" + srv.URL + "\"}\nregistry-auth: {npm: {token-env: TG_TEST_NPM_TOKEN}}\n"
	for name, body := range map[string]string{"package-lock.json": lock, "tollgate.yml": cfg} {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(body), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	policy, err := LoadPolicy(PolicyRequest{Dir: dir, ConfigPath: filepath.Join(dir, "tollgate.yml")})
	if err != nil {
		t.Fatal(err)
	}
	cs, err := diff.FromDirectory(dir)
	if err != nil {
		t.Fatal(err)
	}
	defer cs.Close()
	sc, err := RunScan(t.Context(), ScanRequest{Policy: policy, ChangeSet: cs, Now: now, Deps: checks.Deps{
		HTTPClient: &http.Client{Transport: onlyHost{u.Host}},
		Getenv:     func(k string) string { return map[string]string{"TG_TEST_NPM_TOKEN": "npm_testtoken"}[k] },
	}})
	if err != nil {
		t.Fatal(err)
	}
	rules := map[string]bool{}
	for _, f := range sc.Report.Findings {
		rules[f.RuleID] = true
	}
	if !rules["release-too-new"] || !rules["typosquat"] {
		t.Fatalf("findings %v, skipped %v: want release-too-new and typosquat", rules, sc.Report.Skipped)
	}
	mu.Lock()
	defer mu.Unlock()
	if asked["expresss"] != 1 || asked["express"] != 1 {
		t.Errorf("requests per package %v: want one each", asked)
	}
	for _, a := range auth {
		if a != "Bearer npm_testtoken" {
			t.Errorf("a request went with Authorization %q", a)
		}
	}
}
