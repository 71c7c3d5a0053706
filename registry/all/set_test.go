package all

import (
	"net/http"
	"net/http/httptest"
	"sync"
	"testing"

	"github.com/tollgate-dev/tollgate/internal/httpx"
	"github.com/tollgate-dev/tollgate/registry"
)

// recorder is an npm registry that records each request's path and
// Authorization header.
type recorder struct {
	mu   sync.Mutex
	seen []string
	srv  *httptest.Server
}

func newRecorder(t *testing.T) *recorder {
	r := &recorder{}
	r.srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, req *http.Request) {
		r.mu.Lock()
		r.seen = append(r.seen, req.URL.Path+" auth="+req.Header.Get("Authorization"))
		r.mu.Unlock()
		w.Header().Set("Content-Type", "application/json")
		_, _ = w.Write([]byte(`{"name":"left-pad","dist-tags":{"latest":"1.0.0"},"versions":{"1.0.0":{"version":"1.0.0"}},"time":{"1.0.0":"2020-01-01T00:00:00.000Z"}}`))
	}))
	t.Cleanup(r.srv.Close)
	return r
}

func (r *recorder) requests() []string {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([]string(nil), r.seen...)
}

// TestSetSharesOneRequest: the clients of a set are built once, and a
// package asked for twice through Configured and through Public (the
// config left npm at its public endpoint) costs one request.
func TestSetSharesOneRequest(t *testing.T) {
	pub := newRecorder(t)
	s := NewSet(Config{Registries: map[string]string{"npm": pub.srv.URL}, PublicRegistries: map[string]string{"npm": pub.srv.URL}, HTTP: httpx.Options{MaxRetries: -1}})
	conf, err := s.Configured()
	if err != nil {
		t.Fatal(err)
	}
	again, _ := s.Configured()
	public, err := s.Public()
	if err != nil {
		t.Fatal(err)
	}
	if conf["npm"] != again["npm"] || public["npm"] != conf["npm"] {
		t.Error("clients were built more than once")
	}
	for range 3 {
		if _, err := conf["npm"].Package(t.Context(), "left-pad"); err != nil {
			t.Fatal(err)
		}
		if _, err := public["npm"].Package(t.Context(), "left-pad"); err != nil {
			t.Fatal(err)
		}
	}
	if got := pub.requests(); len(got) != 1 {
		t.Errorf("requests %v: want one", got)
	}
}

// TestSetCredentialsOnlyToTheirRegistry: a mirror's token goes to the
// mirror and never to the public registry, which the set asks without
// credentials (a private registry's token would make org-private names
// look public to dependency confusion).
func TestSetCredentialsOnlyToTheirRegistry(t *testing.T) {
	mirror, pub := newRecorder(t), newRecorder(t)
	s := NewSet(Config{
		Registries:       map[string]string{"npm": mirror.srv.URL},
		PublicRegistries: map[string]string{"npm": pub.srv.URL},
		Credentials:      map[string]registry.Credentials{"npm": {Token: "npm_mirrortoken"}},
		HTTP:             httpx.Options{MaxRetries: -1},
	})
	conf, _ := s.Configured()
	public, err := s.Public()
	if err != nil {
		t.Fatal(err)
	}
	if public["npm"] == conf["npm"] {
		t.Fatal("the public registry shares the mirror's client")
	}
	if _, err := conf["npm"].Package(t.Context(), "left-pad"); err != nil {
		t.Fatal(err)
	}
	if _, err := public["npm"].Package(t.Context(), "left-pad"); err != nil {
		t.Fatal(err)
	}
	if got := mirror.requests(); len(got) != 1 || got[0] != "/left-pad auth=Bearer npm_mirrortoken" {
		t.Errorf("mirror saw %v", got)
	}
	if got := pub.requests(); len(got) != 1 || got[0] != "/left-pad auth=" {
		t.Errorf("public registry saw %v", got)
	}
}
