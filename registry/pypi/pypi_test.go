package pypi

import (
	"context"
	"errors"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/tollgate-dev/tollgate/registry"
	"github.com/tollgate-dev/tollgate/registry/internal/registrytest"
)

const simpleType = "application/vnd.pypi.simple.v1+json"

func newClient(t *testing.T, base string, mod func(*registry.Options)) *Client {
	t.Helper()
	opts := registry.Options{BaseURL: base, HTTP: registrytest.HTTP()}
	if mod != nil {
		mod(&opts)
	}
	c, err := New(opts)
	if err != nil {
		t.Fatal(err)
	}
	return c
}

func serveSample(t *testing.T, srv *registrytest.Server, prefix string) {
	srv.File(t, prefix+"/pypi/sampleproject/json", "testdata/sampleproject.json", "application/json", "Cache-Control", "max-age=900, public")
	srv.File(t, prefix+"/simple/sampleproject/", "testdata/sampleproject-simple.json", simpleType)
}

func TestSampleProject(t *testing.T) {
	srv := registrytest.New(t)
	serveSample(t, srv, "")
	p, err := newClient(t, srv.URL, nil).Package(context.Background(), "SampleProject")
	if err != nil {
		t.Fatal(err)
	}
	if p.Ecosystem != "PyPI" || p.Name != "SampleProject" || p.Latest != "4.0.0" || len(p.Versions) != 6 || len(p.Incomplete) != 0 {
		t.Fatalf("%+v", p)
	}
	if p.Downloads != -1 || p.Repository != "https://github.com/pypa/sampleproject/" || p.Deprecated != "" {
		t.Errorf("downloads %d repository %q deprecated %q", p.Downloads, p.Repository, p.Deprecated)
	}
	if !p.Created.Equal(time.Date(2015, 6, 14, 14, 38, 5, 875222000, time.UTC)) {
		t.Errorf("created %v", p.Created)
	}
	if p.Versions[0].Version != "5.0.0a1" || p.Versions[1].Version != "1.2.0" || p.Versions[5].Version != "4.0.0" {
		t.Errorf("order: %s %s %s", p.Versions[0].Version, p.Versions[1].Version, p.Versions[5].Version)
	}
	sdistOnly, _ := p.Version("1.2.0")
	if strings.Join(sdistOnly.InstallScripts, ",") != "sdist-only" || sdistOnly.Digest != "sha256:3427a8a5dd73dec1b7e42c43ac27f6e11ca3edd98b54cf2e8ea8c4f8b2e4cd58" || sdistOnly.Provenance != registry.ProvenanceNone {
		t.Errorf("1.2.0 %+v", sdistOnly)
	}
	two, _ := p.Version("2.0.0")
	if len(two.InstallScripts) != 0 || !strings.HasSuffix(two.ArtifactURL, "sampleproject-2.0.0.tar.gz") || !two.Published.Equal(time.Date(2020, 6, 25, 19, 9, 43, 103653000, time.UTC)) {
		t.Errorf("2.0.0 %+v", two)
	}
	if len(two.Artifacts) != 2 || two.Artifacts[0].Name != "sampleproject-2.0.0-py2.py3-none-any.whl" || two.Artifacts[0].Kind != "bdist_wheel" ||
		two.Artifacts[1].Digest != "sha256:a2f7f1b1e6f7d9c5e0b3a8c4d2e1f0a9b8c7d6e5f4a3b2c1d0e9f8a7b6c5d4e3" || !strings.HasSuffix(two.Artifacts[1].URL, "sampleproject-2.0.0.tar.gz") {
		t.Errorf("2.0.0 artifacts %+v", two.Artifacts)
	}
	three, _ := p.Version("3.0.0")
	if three.Provenance != registry.ProvenanceTrustedPublisher || three.Yanked || len(three.InstallScripts) != 0 {
		t.Errorf("3.0.0 %+v", three)
	}
	yanked, _ := p.Version("3.0.1")
	if !yanked.Yanked || yanked.YankedReason != "Broken metadata" {
		t.Errorf("3.0.1 %+v", yanked)
	}
	latest, _ := p.Version("4.0.0")
	if latest.Provenance != registry.ProvenanceNone || latest.Repository != p.Repository || latest.Dependencies == nil {
		t.Errorf("4.0.0 %+v", latest)
	}
	want := map[string]string{"peppercorn": "", "requests": "[socks] (>=2.31,<3", "tomli": ">=1.1.0"}
	if len(latest.Dependencies) != len(want) {
		t.Errorf("dependencies %v", latest.Dependencies)
	}
	for k := range want {
		if _, ok := latest.Dependencies[k]; !ok {
			t.Errorf("dependency %s missing: %v", k, latest.Dependencies)
		}
	}
	if _, ok := latest.Dependencies["coverage"]; ok {
		t.Error("an extra's dependency is not a runtime one")
	}
	if none, _ := p.Version("5.0.0a1"); none.ArtifactURL != "" || none.Yanked || len(none.InstallScripts) != 0 || !none.Published.IsZero() {
		t.Errorf("5.0.0a1 %+v", none)
	}
	if got := srv.Requests[1].Header.Get("Accept"); got != simpleType {
		t.Errorf("simple Accept %q", got)
	}
}

func TestRequirements(t *testing.T) {
	got := requirements([]string{"Requests[socks] (>=2.31,<3)", "typing_extensions>=4; python_version<'3.11'", "pytest; extra == 'test'", "zope.interface"})
	want := map[string]string{"requests": "[socks] (>=2.31,<3", "typing-extensions": ">=4", "zope-interface": ""}
	if len(got) != len(want) {
		t.Fatalf("%v", got)
	}
	for k, v := range want {
		if got[k] != v {
			t.Errorf("%s: %q, want %q", k, got[k], v)
		}
	}
}

func TestSimpleAPIMissingOrOld(t *testing.T) {
	tests := []struct {
		name, body, ctype, why string
		status                 int
	}{
		{"html", "<!DOCTYPE html><html><body><a href=\"x\">x</a></body></html>", "text/html", `"text/html"`, 200},
		{"missing", "", "", "HTTP 404", 404},
		{"old", `{"meta":{"api-version":"1.0"},"name":"sampleproject","files":[{"filename":"sampleproject-3.0.0-py3-none-any.whl"}]}`, simpleType, "no PEP 740", 200},
		{"garbage", `{"meta":`, simpleType, "malformed", 200},
	}
	for _, tt := range tests {
		srv := registrytest.New(t)
		srv.File(t, "/pypi/sampleproject/json", "testdata/sampleproject.json", "application/json")
		if tt.status == 200 {
			srv.Bytes("/simple/sampleproject/", []byte(tt.body), tt.ctype)
		}
		p, err := newClient(t, srv.URL, nil).Package(context.Background(), "sampleproject")
		if err != nil {
			t.Fatalf("%s: %v", tt.name, err)
		}
		if len(p.Incomplete) != 1 || !strings.HasPrefix(p.Incomplete[0], "provenance: ") || !strings.Contains(p.Incomplete[0], tt.why) {
			t.Errorf("%s: incomplete %q", tt.name, p.Incomplete)
		}
		for _, v := range p.Versions {
			if v.Provenance != registry.ProvenanceUnknown {
				t.Errorf("%s: %s provenance %q, want unknown", tt.name, v.Version, v.Provenance)
			}
		}
	}
}

func TestQuarantinedAndPrefixAndRedirect(t *testing.T) {
	srv := registrytest.New(t)
	srv.File(t, "/repository/pypi-proxy/pypi/sampleproject/json", "testdata/sampleproject.json", "application/json")
	srv.Bytes("/repository/pypi-proxy/simple/sampleproject/", []byte(`{"meta":{"api-version":"1.4"},"name":"sampleproject","project-status":{"status":"quarantined","reason":"malware report under review"},"files":[]}`), simpleType+"; charset=utf-8")
	c := newClient(t, srv.URL+"/repository/pypi-proxy", func(o *registry.Options) {
		o.Credentials = registry.Credentials{Username: "ci", Password: "s3cretpass"}
	})
	p, err := c.Package(context.Background(), "sampleproject")
	if err != nil {
		t.Fatal(err)
	}
	if p.Deprecated != "quarantined: malware report under review" {
		t.Errorf("deprecated %q", p.Deprecated)
	}
	if user, pass, ok := srv.Requests[0].BasicAuth(); !ok || user != "ci" || pass != "s3cretpass" {
		t.Errorf("basic auth %v %q", ok, user)
	}
	// A mirror that redirects to the canonical path.
	srv2 := registrytest.New(t)
	serveSample(t, srv2, "")
	srv2.Handle("/pypi/sample-project/json", func(w http.ResponseWriter, r *http.Request) {
		http.Redirect(w, r, "/pypi/sampleproject/json", http.StatusMovedPermanently)
	})
	srv2.Handle("/simple/sample-project/", func(w http.ResponseWriter, r *http.Request) {
		http.Redirect(w, r, "/simple/sampleproject/", http.StatusMovedPermanently)
	})
	_, err = newClient(t, srv2.URL, nil).Package(context.Background(), "Sample_Project")
	// The document found is for another project: refused, not misread.
	if !errors.Is(err, registry.ErrMalformed) || !strings.Contains(err.Error(), `info.name is "SampleProject"`) {
		t.Errorf("%v", err)
	}
}

func TestErrors(t *testing.T) {
	srv := registrytest.New(t)
	srv.Bytes("/pypi/garbage/json", []byte("<html>502 Bad Gateway</html>"), "text/html")
	srv.Bytes("/pypi/wrongtype/json", []byte(`{"info":{"name":42},"releases":{}}`), "application/json")
	srv.Bytes("/pypi/wrongfiles/json", []byte(`{"info":{"name":"wrongfiles","version":"1"},"releases":{"1":{"filename":"x"}}}`), "application/json")
	srv.Bytes("/pypi/many/json", []byte(`{"info":{"name":"many","version":"3"},"releases":{"1":[],"2":[],"3":[]}}`), "application/json")
	srv.Handle("/pypi/down/json", func(w http.ResponseWriter, r *http.Request) { http.Error(w, "x", http.StatusServiceUnavailable) })
	srv.Bytes("/pypi/big/json", []byte(`{"info":{"name":"big","version":"1"},"releases":{"1":[]},"pad":"`+strings.Repeat("x", 5000)+`"}`), "application/json")
	c := newClient(t, srv.URL, func(o *registry.Options) { o.MaxVersions = 2; o.MaxDocumentBytes = 4096 })
	tests := []struct {
		name string
		is   error
		text string
	}{
		{"nothere", registry.ErrNotFound, "HTTP 404"},
		{"garbage", registry.ErrMalformed, "invalid character"},
		{"wrongtype", registry.ErrMalformed, "cannot unmarshal number"},
		{"wrongfiles", registry.ErrMalformed, "cannot unmarshal object"},
		{"many", registry.ErrTooManyVersions, "3 versions, limit 2"},
		{"down", registry.ErrStatus, "HTTP 503"},
		{"big", registry.ErrTooLarge, "4096 bytes"},
		{"bad/name", nil, "not a PyPI project name"},
	}
	for _, tt := range tests {
		_, err := c.Package(context.Background(), tt.name)
		var re *registry.Error
		if !errors.As(err, &re) || re.Registry != "pypi" || (tt.is != nil && !errors.Is(err, tt.is)) || !strings.Contains(err.Error(), tt.text) {
			t.Errorf("%s: %v", tt.name, err)
			continue
		}
		if tt.is != nil && !strings.Contains(err.Error(), srv.URL+"/pypi/"+tt.name+"/json") {
			t.Errorf("%s: no URL in %v", tt.name, err)
		}
	}
}

func TestRateLimited(t *testing.T) {
	srv := registrytest.New(t)
	serveSample(t, srv, "")
	n := 0
	srv.Handle("/pypi/limited/json", func(w http.ResponseWriter, r *http.Request) {
		n++
		if n == 1 {
			w.Header().Set("Retry-After", "2")
			http.Error(w, "too many", http.StatusTooManyRequests)
			return
		}
		http.Redirect(w, r, "/pypi/sampleproject/json", http.StatusFound)
	})
	_, err := newClient(t, srv.URL, nil).Package(context.Background(), "limited")
	// Retried after the 429, followed the redirect, and found another project.
	if n != 2 || !errors.Is(err, registry.ErrMalformed) {
		t.Errorf("attempts %d, %v", n, err)
	}
}
