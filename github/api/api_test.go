package api

import (
	"bytes"
	"compress/gzip"
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"path"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

func newTestClient(t *testing.T, h http.Handler, token string) *Client {
	t.Helper()
	srv := httptest.NewServer(h)
	t.Cleanup(srv.Close)
	// MaxRetries as the table below counts it; TestDefaultRetries checks the default.
	c, err := New(Options{BaseURL: srv.URL + "/api/v3", Token: token, HTTPClient: srv.Client(), MinBackoff: time.Millisecond, Timeout: 5 * time.Second, MaxRetries: 3})
	if err != nil {
		t.Fatal(err)
	}
	return c
}

func TestRetries(t *testing.T) {
	tests := []struct {
		name      string
		method    string
		responses []func(w http.ResponseWriter)
		wantCalls int
		wantErr   error // nil: success
	}{
		{
			name:   "GET retried on 502 then succeeds",
			method: http.MethodGet,
			responses: []func(http.ResponseWriter){
				func(w http.ResponseWriter) { w.WriteHeader(http.StatusBadGateway) },
				func(w http.ResponseWriter) { io.WriteString(w, `[]`) },
			},
			wantCalls: 2,
		},
		{
			name:   "POST not retried on 500 (it may have been applied)",
			method: http.MethodPost,
			responses: []func(http.ResponseWriter){
				func(w http.ResponseWriter) { w.WriteHeader(http.StatusInternalServerError) },
				func(w http.ResponseWriter) { w.WriteHeader(http.StatusCreated); io.WriteString(w, `{"id":1}`) },
			},
			wantCalls: 1,
			wantErr:   errAny,
		},
		{
			name:   "POST retried on a secondary rate limit",
			method: http.MethodPost,
			responses: []func(http.ResponseWriter){
				func(w http.ResponseWriter) {
					w.WriteHeader(http.StatusForbidden)
					io.WriteString(w, `{"message":"You have exceeded a secondary rate limit. Please wait a few minutes before you try again."}`)
				},
				func(w http.ResponseWriter) { w.WriteHeader(http.StatusCreated); io.WriteString(w, `{"id":1}`) },
			},
			wantCalls: 2,
		},
		{
			name:   "403 without rate limit is a permission error, not retried",
			method: http.MethodPost,
			responses: []func(http.ResponseWriter){
				func(w http.ResponseWriter) {
					w.WriteHeader(http.StatusForbidden)
					io.WriteString(w, `{"message":"Resource not accessible by integration"}`)
				},
			},
			wantCalls: 1,
			wantErr:   ErrForbidden,
		},
		{
			name:   "exhausted primary limit resetting in an hour is not waited for",
			method: http.MethodGet,
			responses: []func(http.ResponseWriter){
				func(w http.ResponseWriter) {
					w.Header().Set("X-RateLimit-Limit", "1000")
					w.Header().Set("X-RateLimit-Remaining", "0")
					w.Header().Set("X-RateLimit-Reset", fmt.Sprint(time.Now().Add(time.Hour).Unix()))
					w.WriteHeader(http.StatusForbidden)
					io.WriteString(w, `{"message":"API rate limit exceeded for installation."}`)
				},
			},
			wantCalls: 1,
			wantErr:   ErrRateLimited,
		},
		{
			name:   "GET gives up after MaxRetries 503s",
			method: http.MethodGet,
			responses: []func(http.ResponseWriter){
				func(w http.ResponseWriter) { w.WriteHeader(http.StatusServiceUnavailable) },
			},
			wantCalls: 4, // first try and 3 retries
			wantErr:   errAny,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var calls atomic.Int32
			c := newTestClient(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				if r.Method != tt.method {
					io.WriteString(w, `[]`) // the comment list before a POST
					return
				}
				n := int(calls.Add(1)) - 1
				if r.Method == http.MethodPost {
					// the replayed body must be complete on every attempt
					var body map[string]any
					if err := json.NewDecoder(r.Body).Decode(&body); err != nil || body["body"] == nil {
						t.Errorf("attempt %d: body %v, %v", n, body, err)
					}
				}
				tt.responses[min(n, len(tt.responses)-1)](w)
			}), "tok")
			var err error
			ctx := context.Background()
			if tt.method == http.MethodGet {
				_, err = c.findComment(ctx, "o", "r", 1, "<!-- m -->")
			} else {
				_, err = c.UpsertComment(ctx, "o", "r", 1, "<!-- m -->", "hi", true)
			}
			if got := int(calls.Load()); got != tt.wantCalls {
				t.Errorf("%d calls, want %d", got, tt.wantCalls)
			}
			switch {
			case tt.wantErr == nil && err != nil:
				t.Errorf("error: %v", err)
			case tt.wantErr == errAny && err == nil, tt.wantErr != nil && tt.wantErr != errAny && !errors.Is(err, tt.wantErr):
				t.Errorf("error %v, want %v", err, tt.wantErr)
			}
		})
	}
}

var errAny = errors.New("any error")

func TestUpsertCommentPaginatesAndEditsOnlyItsOwn(t *testing.T) {
	marker := "<!-- tollgate:sticky-comment category=tollgate -->" // github.CommentMarker("tollgate")
	var patched string
	var srvURL string
	h := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Header.Get("Authorization") != "Bearer tok" {
			t.Errorf("authorization header %q", r.Header.Get("Authorization"))
		}
		switch {
		case r.Method == http.MethodGet && r.URL.Path == "/api/v3/user":
			http.Error(w, `{"message":"Resource not accessible by integration"}`, http.StatusForbidden)
		case r.Method == http.MethodGet && r.URL.Path == "/api/v3/repos/o/r/issues/5/comments":
			w.Header().Set("Content-Type", "application/json")
			if r.URL.Query().Get("page") == "2" {
				fmt.Fprintf(w, `[{"id":3,"body":%q,"user":{"login":"github-actions[bot]","type":"Bot"}}]`, marker+"\nold")
				return
			}
			w.Header().Set("Link", fmt.Sprintf(`<%s/api/v3/repos/o/r/issues/5/comments?page=2>; rel="next"`, srvURL))
			fmt.Fprintf(w, `[{"id":1,"body":"unrelated","user":{"type":"User"}},{"id":2,"body":%q,"user":{"login":"mallory","type":"User"}}]`, marker+"\nfake")
		case r.Method == http.MethodPatch && r.URL.Path == "/api/v3/repos/o/r/issues/comments/3":
			var in struct{ Body string }
			_ = json.NewDecoder(r.Body).Decode(&in)
			patched = in.Body
			fmt.Fprintf(w, `{"id":3,"html_url":"https://x/3"}`)
		default:
			t.Errorf("unexpected %s %s", r.Method, r.URL)
			http.NotFound(w, r)
		}
	})
	srv := httptest.NewServer(h)
	defer srv.Close()
	srvURL = srv.URL
	c, err := New(Options{BaseURL: srv.URL + "/api/v3/", Token: "tok", HTTPClient: srv.Client()})
	if err != nil {
		t.Fatal(err)
	}
	res, err := c.UpsertComment(context.Background(), "o", "r", 5, marker, "new body", false)
	if err != nil {
		t.Fatal(err)
	}
	if res.Action != CommentUpdated || res.ID != 3 || patched != marker+"\nnew body" {
		t.Errorf("result %+v, patched %q", res, patched)
	}
}

func TestUpsertCommentCleanCreatesNothing(t *testing.T) {
	c := newTestClient(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method != http.MethodGet {
			t.Errorf("unexpected %s", r.Method)
		}
		io.WriteString(w, `[]`)
	}), "tok")
	res, err := c.UpsertComment(context.Background(), "o", "r", 5, "<!-- tollgate:sticky-comment category=x -->", "all clear", false)
	if err != nil || res.Action != CommentNone {
		t.Errorf("%+v, %v", res, err)
	}
	noToken := newTestClient(t, http.NotFoundHandler(), "")
	if _, err := noToken.UpsertComment(context.Background(), "o", "r", 5, "m", "b", true); !errors.Is(err, ErrNoToken) {
		t.Errorf("without token: %v", err)
	}
}

func TestUploadSARIF(t *testing.T) {
	report := []byte(`{"version":"2.1.0","runs":[]}`)
	var got struct {
		CommitSHA string `json:"commit_sha"`
		Ref       string `json:"ref"`
		Sarif     string `json:"sarif"`
		ToolName  string `json:"tool_name"`
	}
	c := newTestClient(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method != http.MethodPost || r.URL.Path != "/api/v3/repos/o/r/code-scanning/sarifs" {
			t.Errorf("unexpected %s %s", r.Method, r.URL.Path)
		}
		_ = json.NewDecoder(r.Body).Decode(&got)
		w.WriteHeader(http.StatusAccepted)
		io.WriteString(w, `{"id":"47177e22","url":"https://x"}`)
	}), "tok")
	id, err := c.UploadSARIF(context.Background(), Upload{Owner: "o", Repo: "r", CommitSHA: strings.Repeat("a", 40), Ref: "refs/heads/main", SARIF: report, ToolName: "tollgate"})
	if err != nil || id != "47177e22" {
		t.Fatalf("id %q, err %v", id, err)
	}
	zipped, err := base64.StdEncoding.DecodeString(got.Sarif)
	if err != nil {
		t.Fatal(err)
	}
	zr, err := gzip.NewReader(bytes.NewReader(zipped))
	if err != nil {
		t.Fatal(err)
	}
	data, _ := io.ReadAll(zr)
	if !bytes.Equal(data, report) || got.Ref != "refs/heads/main" || got.CommitSHA != strings.Repeat("a", 40) || got.ToolName != "tollgate" {
		t.Errorf("uploaded %q ref %q sha %q tool %q", data, got.Ref, got.CommitSHA, got.ToolName)
	}
}

func TestErrorsNeverHoldTheToken(t *testing.T) {
	const token = "ghs_s3cr3tT0kenValue0123456789abcdefghij" // tollgate:allow (test value)
	c := newTestClient(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.WriteHeader(http.StatusUnauthorized)
		io.WriteString(w, `{"message":"Bad credentials"}`)
	}), token)
	_, err := c.UpsertComment(context.Background(), "o", "r", 1, "m", "b", true)
	if err == nil || strings.Contains(err.Error(), token) || !strings.Contains(err.Error(), "401") {
		t.Errorf("error %v", err)
	}
}

func TestNewURLs(t *testing.T) {
	for _, u := range []string{"https://api.github.com", "https://ghes.example.com/api/v3", "http://127.0.0.1:8080/api/v3/"} {
		c, err := New(Options{BaseURL: u})
		if err != nil {
			t.Fatalf("%s: %v", u, err)
		}
		if got := c.gh.BaseURL.String(); got != strings.TrimSuffix(u, "/")+"/" {
			t.Errorf("%s: base %s", u, got)
		}
	}
	if _, err := New(Options{BaseURL: "ftp://x"}); err == nil {
		t.Error("ftp URL accepted")
	}
}

// recordedSleep records waits instead of sleeping.
type recordedSleep struct {
	mu    sync.Mutex
	waits []time.Duration
}

func (r *recordedSleep) Sleep(ctx context.Context, d time.Duration) error {
	r.mu.Lock()
	r.waits = append(r.waits, d)
	r.mu.Unlock()
	return ctx.Err()
}

func TestDefaultRetries(t *testing.T) {
	var calls atomic.Int32
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		calls.Add(1)
		w.WriteHeader(http.StatusServiceUnavailable)
	}))
	defer srv.Close()
	sleep := &recordedSleep{}
	c, err := New(Options{BaseURL: srv.URL, Token: "tok", Sleep: sleep.Sleep})
	if err != nil {
		t.Fatal(err)
	}
	if _, _, err := c.REST().Repositories.Get(context.Background(), "o", "r"); err == nil {
		t.Fatal("no error after persistent 503s")
	}
	if DefaultMaxRetries != 4 || calls.Load() != 1+DefaultMaxRetries {
		t.Errorf("%d attempts, want %d (the documented default of %d retries)", calls.Load(), 1+DefaultMaxRetries, DefaultMaxRetries)
	}
	for i, d := range sleep.waits {
		base := DefaultMinBackoff << i
		if d < base || d > base+base/2 {
			t.Errorf("wait %d: %v outside [%v, %v]", i+1, d, base, base+base/2)
		}
	}
}

func TestNearPrimaryResetIsWaitedFor(t *testing.T) {
	now := time.Date(2026, 5, 6, 7, 8, 9, 0, time.UTC)
	var calls atomic.Int32
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if calls.Add(1) == 1 {
			w.Header().Set("X-RateLimit-Limit", "5000")
			w.Header().Set("X-RateLimit-Remaining", "0")
			w.Header().Set("X-RateLimit-Reset", fmt.Sprint(now.Add(10*time.Second).Unix()))
			w.WriteHeader(http.StatusForbidden)
			io.WriteString(w, `{"message":"API rate limit exceeded"}`)
			return
		}
		io.WriteString(w, `{"name":"r"}`)
	}))
	defer srv.Close()
	sleep := &recordedSleep{}
	c, _ := New(Options{BaseURL: srv.URL, Token: "tok", Sleep: sleep.Sleep, Now: func() time.Time { return now }})
	repo, _, err := c.REST().Repositories.Get(context.Background(), "o", "r")
	if err != nil || repo.GetName() != "r" || calls.Load() != 2 {
		t.Fatalf("%v after %d calls", err, calls.Load())
	}
	if len(sleep.waits) != 1 || sleep.waits[0] != 11*time.Second {
		t.Errorf("waits %v, want the 10 s to the reset and a second", sleep.waits)
	}
}

// go-github adds the token in a RoundTripper of its own; it still never
// reaches another origin on a redirect, while a same-origin one (a renamed
// repository) keeps it.
func TestTokenStaysWithTheAPIOrigin(t *testing.T) {
	const token = "ghs_redirectTokenValue0123456789abcdef" // tollgate:allow (test value)
	var leaked atomic.Int32
	other := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Header.Get("Authorization") != "" {
			leaked.Add(1)
		}
		io.WriteString(w, `{"name":"elsewhere"}`)
	}))
	defer other.Close()
	var sameOrigin string
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch r.URL.Path {
		case "/repos/o/away":
			http.Redirect(w, r, other.URL+"/repos/o/away", http.StatusFound)
		case "/repos/o/renamed":
			http.Redirect(w, r, "/repositories/42", http.StatusMovedPermanently)
		case "/repositories/42":
			sameOrigin = r.Header.Get("Authorization")
			io.WriteString(w, `{"name":"new-name"}`)
		default:
			http.NotFound(w, r)
		}
	}))
	defer srv.Close()
	c, _ := New(Options{BaseURL: srv.URL, Token: token})
	ctx := context.Background()
	if _, _, err := c.REST().Repositories.Get(ctx, "o", "away"); err != nil {
		t.Fatal(err)
	}
	if leaked.Load() != 0 {
		t.Error("the token followed a redirect to another origin")
	}
	repo, _, err := c.REST().Repositories.Get(ctx, "o", "renamed")
	if err != nil || repo.GetName() != "new-name" || sameOrigin != "Bearer "+token {
		t.Errorf("same-origin redirect: %v, %v, authorization %q", repo, err, sameOrigin)
	}
}

// The edit of the sticky comment sets its whole body: it is retried after a
// 5xx, where the create is not (TestRetries).
func TestCommentEditRetried(t *testing.T) {
	marker := "<!-- tollgate:sticky-comment category=x -->"
	var patches atomic.Int32
	c := newTestClient(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch {
		case r.Method == http.MethodGet && r.URL.Path == "/api/v3/user":
			http.Error(w, `{"message":"Resource not accessible by integration"}`, http.StatusForbidden)
		case r.Method == http.MethodGet:
			fmt.Fprintf(w, `[{"id":9,"body":%q,"user":{"login":"github-actions[bot]","type":"Bot"}}]`, marker+"\nold")
		case r.Method == http.MethodPatch:
			if patches.Add(1) == 1 {
				w.WriteHeader(http.StatusBadGateway)
				return
			}
			io.WriteString(w, `{"id":9}`)
		default:
			t.Errorf("unexpected %s", r.Method)
		}
	}), "tok")
	res, err := c.UpsertComment(context.Background(), "o", "r", 1, marker, "new", true)
	if err != nil || res.Action != CommentUpdated || patches.Load() != 2 {
		t.Errorf("%+v, %v after %d PATCHes", res, err, patches.Load())
	}
}

func TestTruncateUTF8(t *testing.T) {
	if got := truncateUTF8("aé", 2); got != "a" {
		t.Errorf("truncateUTF8 split a character: %q", got)
	}
}

// Only a comment the token's own identity wrote is ever edited: a user's
// comment that starts with the marker is left alone (a new comment is
// created), and a personal token's identity comes from GET /user.
func TestUpsertCommentNeverEditsAnotherAuthor(t *testing.T) {
	marker := "<!-- tollgate:sticky-comment category=tollgate -->"
	for _, tt := range []struct {
		name, user string // GET /user answer ("" for the Actions token's 403)
		wantEdit   int64
	}{
		{"actions token", "", 3},
		{"personal token", "ci-bot", 4},
		{"someone else's token", "stranger", 0},
	} {
		t.Run(tt.name, func(t *testing.T) {
			var edited, created int64
			c := newTestClient(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				w.Header().Set("Content-Type", "application/json")
				switch {
				case r.Method == http.MethodGet && r.URL.Path == "/api/v3/user":
					if tt.user == "" {
						http.Error(w, `{"message":"Resource not accessible by integration"}`, http.StatusForbidden)
						return
					}
					fmt.Fprintf(w, `{"login":%q}`, tt.user)
				case r.Method == http.MethodGet:
					fmt.Fprintf(w, `[{"id":2,"body":%q,"user":{"login":"mallory","type":"User"}},`+
						`{"id":3,"body":%q,"user":{"login":"github-actions[bot]","type":"Bot"}},`+
						`{"id":4,"body":%q,"user":{"login":"CI-Bot","type":"User"}}]`, marker+"\nfake", marker+"\nold", marker+"\nmine")
				case r.Method == http.MethodPatch:
					fmt.Sscanf(path.Base(r.URL.Path), "%d", &edited)
					fmt.Fprintf(w, `{"id":%d}`, edited)
				case r.Method == http.MethodPost:
					created++
					io.WriteString(w, `{"id":9}`)
				}
			}), "tok")
			if _, err := c.UpsertComment(context.Background(), "o", "r", 5, marker, "body", true); err != nil {
				t.Fatal(err)
			}
			if edited != tt.wantEdit || (tt.wantEdit == 0) != (created == 1) {
				t.Errorf("edited %d (want %d), created %d", edited, tt.wantEdit, created)
			}
		})
	}
}
