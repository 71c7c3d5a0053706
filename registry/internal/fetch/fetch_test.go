package fetch

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

func TestURL(t *testing.T) {
	g, err := New("npm", "https://registry.npmjs.org", registry.Options{BaseURL: "https://art.example/api/npm/npm remote/"})
	if err != nil {
		t.Fatal(err)
	}
	if got := g.URL("@types/node"); got != "https://art.example/api/npm/npm%20remote/@types%2Fnode" {
		t.Errorf("%s", got)
	}
	if got := g.URL("a?b#c/d"); got != "https://art.example/api/npm/npm%20remote/a%3Fb%23c%2Fd" {
		t.Errorf("%s", got)
	}
	if got := g.RawURL("github.com/!burnt!sushi/toml/@v/list"); got != "https://art.example/api/npm/npm%20remote/github.com/!burnt!sushi/toml/@v/list" {
		t.Errorf("%s", got)
	}
	d, _ := New("npm", "https://registry.npmjs.org", registry.Options{})
	if d.URL("left-pad") != "https://registry.npmjs.org/left-pad" {
		t.Errorf("%s", d.URL("left-pad"))
	}
}

func TestByteLimitExact(t *testing.T) {
	srv := registrytest.New(t)
	srv.Bytes("/exact", []byte(`{"a":"`+strings.Repeat("x", 92)+`"}`), "application/json") // 100 bytes
	srv.Bytes("/over", []byte(`{"a":"`+strings.Repeat("x", 93)+`"}`), "application/json")
	srv.Handle("/chunked", func(w http.ResponseWriter, r *http.Request) {
		// No Content-Length: the limit is enforced while reading.
		w.Write([]byte(`{"a":"`))
		w.(http.Flusher).Flush()
		w.Write([]byte(strings.Repeat("x", 200) + `"}`))
	})
	g, _ := New("test", srv.URL, registry.Options{BaseURL: srv.URL, HTTP: registrytest.HTTP(), MaxDocumentBytes: 100})
	var v map[string]string
	if _, err := g.GetJSON(context.Background(), "p", srv.URL+"/exact", "", &v); err != nil || len(v["a"]) != 92 {
		t.Errorf("exact: %v", err)
	}
	for _, path := range []string{"/over", "/chunked"} {
		_, err := g.GetJSON(context.Background(), "p", srv.URL+path, "", &v)
		if !errors.Is(err, registry.ErrTooLarge) || !strings.Contains(err.Error(), "more than 100 bytes") {
			t.Errorf("%s: %v", path, err)
		}
	}
}

func TestParseTime(t *testing.T) {
	want := time.Date(2014, 8, 29, 16, 21, 42, 95e6, time.UTC)
	for _, s := range []string{"2014-08-29T16:21:42.095Z", "2014-08-29T16:21:42.095000+00:00", "2014-08-29T18:21:42.095+02:00", "2014-08-29T16:21:42.095", "2014-08-29 16:21:42.095Z"} {
		if got := ParseTime(s); !got.Equal(want) {
			t.Errorf("%s: %v", s, got)
		}
	}
	if !ParseTime("").IsZero() || !ParseTime("yesterday").IsZero() {
		t.Error("garbage time")
	}
}

func TestCredentialsOnlyToOrigin(t *testing.T) {
	srv := registrytest.New(t)
	other := registrytest.New(t)
	srv.Bytes("/a", []byte(`{}`), "application/json")
	other.Bytes("/b", []byte(`{}`), "application/json")
	g, _ := New("test", srv.URL, registry.Options{BaseURL: srv.URL, HTTP: registrytest.HTTP(), Credentials: registry.Credentials{Token: "tok123456"}})
	var v map[string]any
	if _, err := g.GetJSON(context.Background(), "p", srv.URL+"/a", "", &v); err != nil {
		t.Fatal(err)
	}
	if _, err := g.GetJSON(context.Background(), "p", other.URL+"/b", "", &v); err != nil {
		t.Fatal(err)
	}
	if srv.Requests[0].Header.Get("Authorization") != "Bearer tok123456" || other.Requests[0].Header.Get("Authorization") != "" {
		t.Error("credentials sent to the wrong origin")
	}
}
