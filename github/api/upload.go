package api

import (
	"bytes"
	"compress/gzip"
	"context"
	"encoding/base64"
	"errors"
	"fmt"
	"time"

	gh "github.com/google/go-github/v60/github"
)

// Upload is one SARIF upload to code scanning.
type Upload struct {
	Owner, Repo string
	// CommitSHA and Ref say what was analysed: for a pull request,
	// refs/pull/N/merge (or /head) and its commit.
	CommitSHA string
	Ref       string
	// SARIF is the report as written (uncompressed JSON); its runs carry the
	// category (automationDetails.id).
	SARIF []byte
	// CheckoutURI is the file URI of the checkout, so that GitHub can map
	// absolute paths (optional; tollgate writes repository-relative ones).
	CheckoutURI string
	StartedAt   time.Time
	ToolName    string
}

// UploadSARIF gzips and base64-encodes the report and sends it to the
// code-scanning API. It returns the upload's id, with which GitHub reports
// processing status.
func (c *Client) UploadSARIF(ctx context.Context, u Upload) (string, error) {
	if !c.token {
		return "", fmt.Errorf("SARIF upload: %w", ErrNoToken)
	}
	if u.CommitSHA == "" || u.Ref == "" {
		return "", errors.New("SARIF upload: commit SHA and ref are required")
	}
	var zipped bytes.Buffer
	zw := gzip.NewWriter(&zipped)
	if _, err := zw.Write(u.SARIF); err != nil {
		return "", fmt.Errorf("SARIF upload: gzip: %w", err)
	}
	if err := zw.Close(); err != nil {
		return "", fmt.Errorf("SARIF upload: gzip: %w", err)
	}
	encoded := base64.StdEncoding.EncodeToString(zipped.Bytes())
	analysis := &gh.SarifAnalysis{
		CommitSHA: &u.CommitSHA,
		Ref:       &u.Ref,
		Sarif:     &encoded,
	}
	if u.CheckoutURI != "" {
		analysis.CheckoutURI = &u.CheckoutURI
	}
	if !u.StartedAt.IsZero() {
		analysis.StartedAt = &gh.Timestamp{Time: u.StartedAt}
	}
	if u.ToolName != "" {
		analysis.ToolName = &u.ToolName
	}
	ctx, cancel := c.call(ctx)
	defer cancel()
	id, _, err := c.gh.CodeScanning.UploadSarif(ctx, u.Owner, u.Repo, analysis)
	if err != nil {
		return "", Classify("SARIF upload", err)
	}
	// go-github decodes the id only from a 202 response; any other success
	// status leaves it nil.
	if id == nil {
		return "", nil
	}
	return id.GetID(), nil
}
