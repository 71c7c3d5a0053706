package api

import (
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	gh "github.com/google/go-github/v60/github"
)

func TestRetriesAndClassification(t *testing.T) {
	var gets, posts atomic.Int32
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Header.Get("Authorization") != "Bearer t0ken" {
			t.Errorf("authorization header %q", r.Header.Get("Authorization"))
		}
		switch {
		case r.Method == http.MethodGet && r.URL.Path == "/repos/o/r":
			if gets.Add(1) < 3 {
				w.WriteHeader(http.StatusBadGateway)
				return
			}
			w.Write([]byte(`{"name":"r"}`))
		case r.Method == http.MethodPost:
			posts.Add(1)
			w.WriteHeader(http.StatusBadGateway)
		case r.URL.Path == "/repos/o/limited":
			w.Header().Set("X-RateLimit-Remaining", "0")
			w.Header().Set("X-RateLimit-Limit", "60")
			w.Header().Set("X-RateLimit-Reset", "1893553445") // 2030: far beyond MaxWait
			w.WriteHeader(http.StatusForbidden)
			w.Write([]byte(`{"message":"API rate limit exceeded"}`))
		case r.URL.Path == "/repos/o/secret":
			w.WriteHeader(http.StatusForbidden)
			w.Write([]byte(`{"message":"Resource not accessible by integration"}`))
		}
	}))
	defer srv.Close()
	c, err := New(Options{BaseURL: srv.URL, Token: "t0ken", MinBackoff: time.Millisecond})
	if err != nil {
		t.Fatal(err)
	}
	api := c.REST()
	ctx := context.Background()
	repo, _, err := api.Repositories.Get(ctx, "o", "r")
	if err != nil || repo.GetName() != "r" || gets.Load() != 3 {
		t.Fatalf("GET after two 502s: %v, %d attempts", err, gets.Load())
	}
	// A POST is not replayed on a 5xx: GitHub may have acted on it.
	_, _, err = api.Issues.CreateComment(ctx, "o", "r", 1, &gh.IssueComment{Body: gh.String("x")})
	if err == nil || posts.Load() != 1 {
		t.Errorf("POST: %v after %d attempts, want one attempt", err, posts.Load())
	}
	_, _, err = api.Repositories.Get(ctx, "o", "limited")
	err = Classify("get repo", err)
	if !errors.Is(err, ErrRateLimited) || strings.Contains(err.Error(), "t0ken") {
		t.Errorf("rate limit: %v", err)
	}
	// go-github remembers an exhausted limit and refuses further calls
	// locally, so the permission case needs a client of its own.
	c, _ = New(Options{BaseURL: srv.URL, Token: "t0ken", MinBackoff: time.Millisecond})
	api = c.REST()
	_, _, err = api.Repositories.Get(ctx, "o", "secret")
	if err = Classify("get repo", err); !errors.Is(err, ErrForbidden) {
		t.Errorf("403: %v", err)
	}
	if _, err := New(Options{BaseURL: "ftp://x"}); err == nil {
		t.Error("a non-http base URL was accepted")
	}
}
