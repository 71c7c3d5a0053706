package registry

import (
	"errors"
	"net/http"
	"strings"
	"testing"
	"time"
)

func TestCheckBaseURL(t *testing.T) {
	for _, ok := range []string{"https://registry.npmjs.org", "http://localhost:4873", "https://art.example/api/npm/npm-remote"} {
		if _, err := CheckBaseURL("npm", ok); err != nil {
			t.Errorf("%s: %v", ok, err)
		}
	}
	for raw, why := range map[string]string{
		"registry.npmjs.org":                "scheme",
		"ftp://mirror.example":              "scheme",
		"https://":                          "no host",
		"https://u:secretpw@mirror.example": "credentials",
		"https://mirror.example/?token=abc": "no query",
		"https://mirror.example/#x":         "no query",
	} {
		_, err := CheckBaseURL("npm", raw)
		if err == nil || !strings.Contains(err.Error(), why) || !strings.HasPrefix(err.Error(), "npm registry: ") || strings.Contains(err.Error(), "secretpw") || strings.Contains(err.Error(), "token=abc") {
			t.Errorf("%s: %v", raw, err)
		}
	}
}

func TestCredentials(t *testing.T) {
	req, _ := http.NewRequest(http.MethodGet, "https://r.example/x", nil)
	Credentials{Token: "tok"}.Apply(req)
	if req.Header.Get("Authorization") != "Bearer tok" {
		t.Error(req.Header)
	}
	req, _ = http.NewRequest(http.MethodGet, "https://r.example/x", nil)
	Credentials{Username: "u", Password: "p"}.Apply(req)
	if u, p, ok := req.BasicAuth(); !ok || u != "u" || p != "p" {
		t.Error(req.Header)
	}
	req, _ = http.NewRequest(http.MethodGet, "https://r.example/x", nil)
	Credentials{}.Apply(req)
	if len(req.Header) != 0 || !(Credentials{}).IsZero() || (Credentials{Token: "x"}).IsZero() {
		t.Error("zero credentials")
	}
}

func TestErrorText(t *testing.T) {
	e := &Error{Registry: "npm", Package: "@a/b", URL: "https://r.example/@a%2Fb", Status: 404, Err: ErrNotFound}
	if e.Error() != `npm registry: package "@a/b": https://r.example/@a%2Fb: HTTP 404: no such package` || !errors.Is(e, ErrNotFound) {
		t.Error(e)
	}
	e = &Error{Registry: "pypi", Package: "x", Err: errors.New("GET https://u:pw@h/x failed")}
	if strings.Contains(e.Error(), "pw") {
		t.Error(e)
	}
}

func TestFinish(t *testing.T) {
	t0 := time.Date(2020, 1, 1, 0, 0, 0, 0, time.UTC)
	p := &Package{Created: t0.Add(time.Hour), Maintainers: []string{"b", "a"}, Versions: []Version{
		{Version: "2", Published: t0.Add(2 * time.Hour), InstallScripts: []string{"postinstall", "install"}},
		{Version: "none"},
		{Version: "1", Published: t0},
	}}
	p.Finish()
	order := []string{}
	for _, v := range p.Versions {
		order = append(order, v.Version)
	}
	if strings.Join(order, ",") != "none,1,2" || !p.Created.Equal(t0) || strings.Join(p.Maintainers, ",") != "a,b" {
		t.Errorf("%v %v %v", order, p.Created, p.Maintainers)
	}
	if v, ok := p.Version("2"); !ok || strings.Join(v.InstallScripts, ",") != "install,postinstall" {
		t.Errorf("%+v", v)
	}
	if _, ok := p.Version("3"); ok {
		t.Error("found a missing version")
	}
	unindexed := &Package{Versions: []Version{{Version: "1"}}}
	if _, ok := unindexed.Version("1"); !ok {
		t.Error("lookup before Finish")
	}
	if ProvenanceTrustedPublisher.Rank() <= ProvenanceAttested.Rank() || ProvenanceAttested.Rank() <= ProvenanceNone.Rank() || ProvenanceNone.Rank() <= ProvenanceUnknown.Rank() {
		t.Error("rank order")
	}
}
