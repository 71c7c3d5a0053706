package api

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"strings"

	gh "github.com/google/go-github/v60/github"

	"github.com/tollgate-dev/tollgate/internal/httpx"
)

// MaxCommentChars is GitHub's limit on an issue comment body.
const MaxCommentChars = 65536

// maxCommentPages bounds the search for the sticky comment (100 a page).
const maxCommentPages = 30

// Comment actions reported by UpsertComment.
const (
	CommentCreated   = "created"
	CommentUpdated   = "updated"
	CommentUnchanged = "unchanged"
	// CommentNone means nothing was posted: the pull request is clean and
	// has no earlier comment to clear.
	CommentNone = "none"
)

// CommentResult says what UpsertComment did.
type CommentResult struct {
	Action string
	// ID and URL name the comment (zero for CommentNone).
	ID  int64
	URL string
}

// ActionsBot is the login of the comments the Actions GITHUB_TOKEN writes.
const ActionsBot = "github-actions[bot]"

// UpsertComment keeps one comment per marker (the reporter's
// github.CommentMarker) on a pull request: it finds the comment whose body
// starts with marker and that the token's own identity wrote (GET /user, or
// github-actions[bot] for the Actions token, which may not read /user), and
// edits it in place, or creates one. A comment anybody else wrote is never
// edited, whatever it starts with. When create is
// false and no comment exists, nothing is posted (a clean pull request gets no
// new comment; an earlier one is still edited to say all is clear). body is
// prefixed with marker and cut to GitHub's size limit.
func (c *Client) UpsertComment(ctx context.Context, owner, repo string, pr int, marker, body string, create bool) (CommentResult, error) {
	if !c.token {
		return CommentResult{}, fmt.Errorf("pull request comment: %w", ErrNoToken)
	}
	ctx, cancel := c.call(ctx)
	defer cancel()
	body = marker + "\n" + body
	if len(body) > MaxCommentChars {
		body = truncateUTF8(body, MaxCommentChars-80) + "\n\n_… cut to GitHub's comment size limit; the job summary has everything._\n"
	}
	existing, err := c.findComment(ctx, owner, repo, pr, marker)
	if err != nil {
		return CommentResult{}, err
	}
	if existing != nil {
		if existing.GetBody() == body {
			return CommentResult{Action: CommentUnchanged, ID: existing.GetID(), URL: existing.GetHTMLURL()}, nil
		}
		// The edit sets the whole body, so sending it again is harmless: it
		// may be retried after a 5xx or a network error, unlike the create.
		updated, _, err := c.gh.Issues.EditComment(httpx.WithRetryable(ctx), owner, repo, existing.GetID(), &gh.IssueComment{Body: &body})
		if err != nil {
			return CommentResult{}, Classify("update pull request comment", err)
		}
		return CommentResult{Action: CommentUpdated, ID: updated.GetID(), URL: updated.GetHTMLURL()}, nil
	}
	if !create {
		return CommentResult{Action: CommentNone}, nil
	}
	created, _, err := c.gh.Issues.CreateComment(ctx, owner, repo, pr, &gh.IssueComment{Body: &body})
	if err != nil {
		return CommentResult{}, Classify("create pull request comment", err)
	}
	return CommentResult{Action: CommentCreated, ID: created.GetID(), URL: created.GetHTMLURL()}, nil
}

// identity is the login the token writes comments as: GET /user for a
// personal or app-user token; the Actions token (an installation token) may
// not read /user, and writes as github-actions[bot].
func (c *Client) identity(ctx context.Context) (string, error) {
	u, _, err := c.gh.Users.Get(ctx, "")
	if err == nil && u.GetLogin() != "" {
		return u.GetLogin(), nil
	}
	var er *gh.ErrorResponse
	if errors.As(err, &er) && er.Response != nil && (er.Response.StatusCode == http.StatusForbidden || er.Response.StatusCode == http.StatusNotFound) {
		return ActionsBot, nil
	}
	return "", Classify("who the token is (GET /user)", err)
}

// findComment returns the first comment on the pull request that starts
// with marker and that the token's own identity wrote; the identity is only
// asked for when some comment starts with the marker.
func (c *Client) findComment(ctx context.Context, owner, repo string, pr int, marker string) (*gh.IssueComment, error) {
	opts := &gh.IssueListCommentsOptions{ListOptions: gh.ListOptions{PerPage: 100}}
	var candidates []*gh.IssueComment
	for page := 0; page < maxCommentPages; page++ {
		comments, resp, err := c.gh.Issues.ListComments(ctx, owner, repo, pr, opts)
		if err != nil {
			return nil, Classify("list pull request comments", err)
		}
		for _, cm := range comments {
			if strings.HasPrefix(cm.GetBody(), marker) {
				candidates = append(candidates, cm)
			}
		}
		// An empty page ends the walk whatever its Link header says.
		if resp.NextPage == 0 || len(comments) == 0 {
			break
		}
		opts.Page = resp.NextPage
	}
	if len(candidates) == 0 {
		return nil, nil
	}
	self, err := c.identity(ctx)
	if err != nil {
		return nil, err
	}
	for _, cm := range candidates {
		if strings.EqualFold(cm.GetUser().GetLogin(), self) {
			return cm, nil
		}
	}
	return nil, nil
}

// truncateUTF8 cuts s to at most n bytes without splitting a character (the
// reporter package has the same four lines for the job summary).
func truncateUTF8(s string, n int) string {
	if len(s) <= n {
		return s
	}
	for n > 0 && n < len(s) && s[n]&0xC0 == 0x80 {
		n--
	}
	return s[:n]
}
