package secrets

import (
	"context"
	"net/http"
	"net/http/httptest"
	"sync/atomic"
	"testing"
	"time"
)

func TestVerifyGitHub(t *testing.T) {
	live, dead := ghToken(t, 30), ghToken(t, 31)
	var calls atomic.Int32
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		calls.Add(1)
		if r.URL.Path != "/user" {
			http.NotFound(w, r)
			return
		}
		switch r.Header.Get("Authorization") {
		case "Bearer " + live:
			w.Write([]byte(`{"login":"octocat"}`))
		default:
			w.WriteHeader(http.StatusUnauthorized)
		}
	}))
	defer srv.Close()
	e := newTestEngine(t)
	ms := e.ScanFile("a.env", []byte("A="+live+"\nB="+dead+"\nC="+live+"\n"))
	v := NewVerifier(VerifyOptions{BaseURLs: map[string]string{"github": srv.URL}})
	got := v.Verify(context.Background(), e, ms)
	if len(got) != 3 || got[0].Verified != VerifiedValid || got[1].Verified != VerifiedInvalid || got[2].Verified != VerifiedValid {
		t.Fatalf("verified = %+v", got)
	}
	if calls.Load() != 2 {
		t.Errorf("%d calls, want 2 (the repeated secret is cached)", calls.Load())
	}
}

func TestVerifyRetriesThenUnknown(t *testing.T) {
	var calls atomic.Int32
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		calls.Add(1)
		w.WriteHeader(http.StatusBadGateway)
	}))
	defer srv.Close()
	e := newTestEngine(t)
	ms := e.ScanFile("a.env", []byte("A="+ghToken(t, 32)+"\n"))
	v := NewVerifier(VerifyOptions{BaseURLs: map[string]string{"github": srv.URL}, Retries: 2, Backoff: time.Millisecond})
	got := v.Verify(context.Background(), e, ms)
	if got[0].Verified != VerifiedUnknown || calls.Load() != 3 {
		t.Errorf("verified %q after %d calls, want unknown after 3", got[0].Verified, calls.Load())
	}
}

func TestVerifySlackOKFalse(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Write([]byte(`{"ok":false,"error":"invalid_auth"}`))
	}))
	defer srv.Close()
	e := newTestEngine(t)
	rule, _ := e.Rule("slack-bot-token")
	_, tok := rule.Sample(randFor(3))
	ms := e.ScanFile("a.env", []byte("SLACK="+tok+"\n"))
	got := NewVerifier(VerifyOptions{BaseURLs: map[string]string{"slack": srv.URL}}).Verify(context.Background(), e, ms)
	if len(got) != 1 || got[0].Verified != VerifiedInvalid {
		t.Errorf("got %+v", got)
	}
}

// A provider that redirects elsewhere never makes the verifier send the
// secret there (net/http alone would forward x-api-key to any host).
func TestVerifyNeverSendsTheSecretElsewhere(t *testing.T) {
	var leaked atomic.Int32
	elsewhere := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Header.Get("X-Api-Key") != "" || r.Header.Get("Authorization") != "" {
			leaked.Add(1)
		}
		w.WriteHeader(http.StatusOK)
	}))
	defer elsewhere.Close()
	provider := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		http.Redirect(w, r, elsewhere.URL+r.URL.Path, http.StatusTemporaryRedirect)
	}))
	defer provider.Close()
	v := NewVerifier(VerifyOptions{BaseURLs: map[string]string{"anthropic": provider.URL, "github": provider.URL}})
	for _, kind := range []string{"anthropic", "github"} {
		if got := v.verifyOne(context.Background(), kind, "sk-secret-value-0123456789"); got == "" {
			t.Errorf("%s: no outcome", kind)
		}
	}
	if leaked.Load() != 0 {
		t.Errorf("the secret reached another host %d times", leaked.Load())
	}
}
