// Package github is tollgate's side of GitHub: the REST calls the Action makes
// (a sticky pull-request comment, SARIF upload to code scanning) through
// go-github with timeouts, bounded retries and rate-limit handling, and the
// workflow-command side (annotations, job summary, outputs, masks) through
// go-githubactions. It renders findings; it never runs a check.
package github

import (
	"context"
	"errors"
	"net/http"
	"time"

	gh "github.com/google/go-github/v60/github"
	"github.com/tollgate-dev/tollgate/ghclient"
)

// DefaultAPIURL is the public GitHub REST API root.
const DefaultAPIURL = "https://api.github.com/"

// Errors callers tell apart: none of them is a failure of the Action.
var (
	// ErrForbidden is ghclient.ErrForbidden: GitHub refused for lack of permission.
	ErrForbidden = ghclient.ErrForbidden
	// ErrRateLimited is ghclient.ErrRateLimited.
	ErrRateLimited = ghclient.ErrRateLimited
	// ErrNoToken is returned when a call needs a token and none was given.
	ErrNoToken = errors.New("no GitHub token")
)

// Options configure a Client.
type Options struct {
	// BaseURL is the REST API root (GITHUB_API_URL): https://api.github.com or
	// https://ghes.example.com/api/v3; empty means the public API.
	BaseURL string
	// Token authenticates every call. It is sent only as a header and never
	// appears in errors or logs.
	Token string
	// HTTPClient is used as is apart from its transport, which is wrapped with
	// retries; nil means a client with Timeout.
	HTTPClient *http.Client
	// Timeout bounds each call, retries included (default 60 s).
	Timeout time.Duration
	// MaxRetries bounds the retries of one request (default 3).
	MaxRetries int
	// MinBackoff is the first retry delay, doubled each time (default 1 s).
	MinBackoff time.Duration
	// MaxWait is the longest wait accepted from Retry-After or a rate-limit
	// reset; a longer one ends the retries (default 60 s).
	MaxWait time.Duration
}

// Client makes tollgate's GitHub REST calls.
type Client struct {
	api     *gh.Client
	timeout time.Duration
	token   bool
}

// NewClient returns a client for opts.
func NewClient(opts Options) (*Client, error) {
	if opts.Timeout <= 0 {
		opts.Timeout = 60 * time.Second
	}
	api, err := ghclient.New(ghclient.Options{
		BaseURL:    opts.BaseURL,
		Token:      opts.Token,
		HTTPClient: opts.HTTPClient,
		MaxRetries: opts.MaxRetries,
		MinBackoff: opts.MinBackoff,
		MaxWait:    opts.MaxWait,
	})
	if err != nil {
		return nil, err
	}
	return &Client{api: api, timeout: opts.Timeout, token: opts.Token != ""}, nil
}

// call bounds one logical call (retries included) by the client's timeout.
func (c *Client) call(ctx context.Context) (context.Context, context.CancelFunc) {
	return context.WithTimeout(ctx, c.timeout)
}

// classify names the cause of a failed call (ghclient.Classify).
func classify(what string, err error) error { return ghclient.Classify(what, err) }
