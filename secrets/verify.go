package secrets

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io"
	"net/http"
	"strings"
	"sync"
	"time"

	"github.com/tollgate-dev/tollgate/internal/httpx"
)

// Verification outcomes in Match.Verified.
const (
	VerifiedValid   = "valid"
	VerifiedInvalid = "invalid"
	VerifiedUnknown = "unknown"
)

// Default provider endpoints for live verification.
const (
	DefaultGitHubAPI      = "https://api.github.com"
	DefaultOpenAIAPI      = "https://api.openai.com"
	DefaultAnthropicAPI   = "https://api.anthropic.com"
	DefaultHuggingFaceAPI = "https://huggingface.co"
	DefaultSlackAPI       = "https://slack.com"
)

// Limits of live verification.
const (
	// verifyTimeout bounds each attempt.
	verifyTimeout = 10 * time.Second
	// verifyMaxWait is the longest Retry-After a provider gets.
	verifyMaxWait = 10 * time.Second
)

// VerifyOptions turn on live verification (off unless Options.Verify is set).
type VerifyOptions struct {
	// Fork marks a fork pull request: verification never runs there (the
	// check reports it as skipped), since fork code must not make the
	// Action send secrets anywhere.
	Fork bool
	// Client is the HTTP client (nil: the default one; each attempt is
	// bounded by 10 seconds either way). Its transport is wrapped by
	// internal/httpx: bounded retries, and the secret, sent as a header, never
	// follows a redirect to another origin nor appears in an error.
	Client *http.Client
	// BaseURLs override provider endpoints by verifier name: "github",
	// "openai", "anthropic", "huggingface", "slack" (tests use httptest).
	BaseURLs map[string]string
	// Retries is how many times a failed request (network error, 429, 5xx)
	// is retried (default 2; negative: none). A provider asking to wait more
	// than 10 seconds leaves the secret unverified.
	Retries int
	// Backoff is the first retry delay, doubled each time (default 500ms).
	Backoff time.Duration
}

// Verifier asks providers whether found credentials are live. It caches
// outcomes by a hash of the secret and is safe for concurrent use.
type Verifier struct {
	opts  VerifyOptions
	http  *httpx.Client
	mu    sync.Mutex
	cache map[string]string
}

// NewVerifier returns a verifier with defaults filled in.
func NewVerifier(opts VerifyOptions) *Verifier {
	if opts.Retries == 0 {
		opts.Retries = 2
	}
	if opts.Backoff <= 0 {
		opts.Backoff = 500 * time.Millisecond
	}
	hc := httpx.New(httpx.Options{
		HTTPClient: opts.Client,
		UserAgent:  "tollgate-secret-verifier",
		Timeout:    verifyTimeout,
		MaxRetries: opts.Retries, // negative: none, as httpx reads it
		MinBackoff: opts.Backoff,
		MaxWait:    verifyMaxWait,
	})
	return &Verifier{opts: opts, http: hc, cache: map[string]string{}}
}

// Verify sets Verified on the matches whose rules have a verifier; the
// others are returned unchanged.
func (v *Verifier) Verify(ctx context.Context, e *Engine, matches []Match) []Match {
	out := make([]Match, len(matches))
	copy(out, matches)
	for i := range out {
		r, ok := e.Rule(out[i].RuleID)
		if !ok || r.Verifier == "" || out[i].secret == "" {
			continue
		}
		out[i].Verified = v.verifyOne(ctx, r.Verifier, out[i].secret)
	}
	return out
}

func (v *Verifier) verifyOne(ctx context.Context, kind, secret string) string {
	sum := sha256.Sum256([]byte(kind + "\x00" + secret))
	key := hex.EncodeToString(sum[:])
	v.mu.Lock()
	if res, ok := v.cache[key]; ok {
		v.mu.Unlock()
		return res
	}
	v.mu.Unlock()
	// Retries (network errors, 429, 5xx) happen in httpx; a status that
	// still says "try later" classifies as unknown.
	res := VerifiedUnknown
	if status, err := v.request(ctx, kind, secret); err == nil {
		res = classify(kind, status)
	}
	v.mu.Lock()
	v.cache[key] = res
	v.mu.Unlock()
	return res
}

// classify maps an HTTP status to a verification outcome.
func classify(kind string, status int) string {
	switch {
	case status == http.StatusOK:
		return VerifiedValid
	case status == http.StatusUnauthorized || (status == http.StatusForbidden && kind != "github"):
		return VerifiedInvalid
	}
	// A 403 from GitHub can be a valid token without scope; say unknown.
	return VerifiedUnknown
}

func (v *Verifier) base(kind, def string) string {
	if u := v.opts.BaseURLs[kind]; u != "" {
		return strings.TrimRight(u, "/")
	}
	return def
}

// request makes the provider's cheapest authenticated read-only call.
func (v *Verifier) request(ctx context.Context, kind, secret string) (int, error) {
	var req *http.Request
	var err error
	switch kind {
	case "github":
		req, err = http.NewRequestWithContext(ctx, http.MethodGet, v.base(kind, DefaultGitHubAPI)+"/user", nil)
		if err == nil {
			req.Header.Set("Authorization", "Bearer "+secret)
			req.Header.Set("Accept", "application/vnd.github+json")
		}
	case "openai":
		req, err = http.NewRequestWithContext(ctx, http.MethodGet, v.base(kind, DefaultOpenAIAPI)+"/v1/models", nil)
		if err == nil {
			req.Header.Set("Authorization", "Bearer "+secret)
		}
	case "anthropic":
		req, err = http.NewRequestWithContext(ctx, http.MethodGet, v.base(kind, DefaultAnthropicAPI)+"/v1/models", nil)
		if err == nil {
			req.Header.Set("x-api-key", secret)
			req.Header.Set("anthropic-version", "2023-06-01")
		}
	case "huggingface":
		req, err = http.NewRequestWithContext(ctx, http.MethodGet, v.base(kind, DefaultHuggingFaceAPI)+"/api/whoami-v2", nil)
		if err == nil {
			req.Header.Set("Authorization", "Bearer "+secret)
		}
	case "slack":
		req, err = http.NewRequestWithContext(ctx, http.MethodPost, v.base(kind, DefaultSlackAPI)+"/api/auth.test", nil)
		if err == nil {
			req.Header.Set("Authorization", "Bearer "+secret)
		}
	default:
		return 0, fmt.Errorf("no verifier %q", kind)
	}
	if err != nil {
		return 0, fmt.Errorf("verify %s: %w", kind, err)
	}
	req.Header.Set("User-Agent", "tollgate-secret-verifier")
	// Every verification call only reads (Slack's auth.test is a POST), so
	// each may be sent again.
	resp, err := v.http.Do(req, httpx.Retryable())
	if err != nil {
		return 0, fmt.Errorf("verify %s: %w", kind, err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(io.LimitReader(resp.Body, 64<<10))
	// Slack answers 200 with {"ok":false} for a bad token.
	if kind == "slack" && resp.StatusCode == http.StatusOK && !strings.Contains(string(body), `"ok":true`) {
		return http.StatusUnauthorized, nil
	}
	return resp.StatusCode, nil
}
