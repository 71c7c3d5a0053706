package diff

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync"

	"github.com/google/go-github/v60/github"

	"github.com/tollgate-dev/tollgate/github/api"
)

// GitHub REST API limits that shape the API source.
const (
	// prFilesCap is the most files the pull-request files endpoint lists.
	prFilesCap = 3000
	// compareFilesCap is the most files the compare endpoint lists.
	compareFilesCap = 300
	// filesPerPage is the largest page the files endpoints serve.
	filesPerPage = 100
	// maxFilePages bounds the pages of the files endpoint: what it can list,
	// plus one.
	maxFilePages = prFilesCap/filesPerPage + 1
	// apiWorkers bounds concurrent content requests.
	apiWorkers = 4
)

// ErrRateLimited is wrapped when the GitHub API's rate limit is exhausted
// (api.ErrRateLimited).
var ErrRateLimited = api.ErrRateLimited

// GitHubAPI reads pull requests, comparisons, trees and blobs from the GitHub
// REST API through the run's one GitHub client (github/api: its retries,
// rate-limit handling and errors).
type GitHubAPI struct {
	client *github.Client
}

// NewGitHubAPI returns the API source over c, the client the run built once
// for everything it asks GitHub; nil gives nil (no API source).
func NewGitHubAPI(c *api.Client) *GitHubAPI {
	if c == nil {
		return nil
	}
	return &GitHubAPI{client: c.REST()}
}

// apiError names the cause of a failed call (api.Classify).
func apiError(what string, err error) error { return api.Classify(what, err) }

// apiFile is one changed file as the API lists it.
type apiFile struct {
	path, oldPath, status, patch string
}

// FromGitHub computes the change set of pull request pr of owner/repo through
// the GitHub API, without reading any head code from disk (safe for
// pull_request_target). The base is the merge base of the pull request's base
// and head, as GitHub shows the pull request. Added lines come from the patches;
// where a patch is missing (binary or large files) or the file list is capped
// at 3,000, both versions are fetched and diffed locally. BaseFS and HeadFS read
// the trees through the API with ctx.
func FromGitHub(ctx context.Context, api *GitHubAPI, owner, repo string, pr int, opts Options) (*ChangeSet, error) {
	opts = opts.withDefaults()
	what := fmt.Sprintf("pull request %s/%s#%d", owner, repo, pr)
	pull, _, err := api.client.PullRequests.Get(ctx, owner, repo, pr)
	if err != nil {
		return nil, apiError("get "+what, err)
	}
	baseSHA, headSHA := pull.GetBase().GetSHA(), pull.GetHead().GetSHA()
	if baseSHA == "" || headSHA == "" {
		return nil, fmt.Errorf("get %s: base or head SHA missing in the response", what)
	}
	var notes []string
	mergeBase, err := api.mergeBase(ctx, owner, repo, baseSHA, headSHA)
	if err != nil {
		notes = append(notes, fmt.Sprintf("merge base not found (%v); comparing with the base branch tip %s", err, baseSHA))
		mergeBase = baseSHA
	}

	var files []apiFile
	listOpts := &github.ListOptions{PerPage: filesPerPage}
	// The endpoint lists at most prFilesCap files: a page beyond those (a
	// server that keeps sending "next") or an empty page ends the walk.
	for pageNo := 0; pageNo < maxFilePages; pageNo++ {
		page, resp, err := api.client.PullRequests.ListFiles(ctx, owner, repo, pr, listOpts)
		if err != nil {
			return nil, apiError(fmt.Sprintf("list files of %s (page %d)", what, listOpts.Page), err)
		}
		for _, f := range page {
			files = append(files, apiFile{path: f.GetFilename(), oldPath: f.GetPreviousFilename(), status: f.GetStatus(), patch: f.GetPatch()})
		}
		if len(files) > opts.MaxFiles {
			return nil, fmt.Errorf("%s: more than %d files: %w", what, opts.MaxFiles, ErrTooManyFiles)
		}
		if resp.NextPage == 0 || len(page) == 0 {
			break
		}
		listOpts.Page = resp.NextPage
	}
	capped := len(files) >= prFilesCap || pull.GetChangedFiles() > len(files)
	cs, err := api.build(ctx, owner, repo, mergeBase, headSHA, files, capped, notes, opts)
	if err != nil {
		return nil, err
	}
	cs.commits = (&apiCommits{api: api, owner: owner, repo: repo, pr: pr, total: pull.GetCommits(), opts: opts}).walk
	return cs, nil
}

// FromGitHubCompare computes the change set between two commits (or branch
// names) of owner/repo through the GitHub compare API, for pushes whose base is
// not in the clone. Like the compare API it compares from the merge base. The
// compare API lists at most 300 files; beyond that the trees are compared.
func FromGitHubCompare(ctx context.Context, api *GitHubAPI, owner, repo, base, head string, opts Options) (*ChangeSet, error) {
	opts = opts.withDefaults()
	what := fmt.Sprintf("compare %s/%s %s...%s", owner, repo, base, head)
	comp, _, err := api.client.Repositories.CompareCommits(ctx, owner, repo, base, head, &github.ListOptions{PerPage: 1})
	if err != nil {
		return nil, apiError(what, err)
	}
	mergeBase := comp.GetMergeBaseCommit().GetSHA()
	if mergeBase == "" {
		mergeBase = comp.GetBaseCommit().GetSHA()
	}
	headSHA := head
	if n := len(comp.Commits); n > 0 && comp.GetTotalCommits() == n {
		headSHA = comp.Commits[n-1].GetSHA()
	} else if sha, err := api.commitSHA(ctx, owner, repo, head); err == nil {
		headSHA = sha
	} else {
		return nil, err
	}
	var files []apiFile
	for _, f := range comp.Files {
		files = append(files, apiFile{path: f.GetFilename(), oldPath: f.GetPreviousFilename(), status: f.GetStatus(), patch: f.GetPatch()})
	}
	cs, err := api.build(ctx, owner, repo, mergeBase, headSHA, files, len(files) >= compareFilesCap, nil, opts)
	if err != nil {
		return nil, err
	}
	cs.commits = (&apiCommits{api: api, owner: owner, repo: repo, base: base, head: headSHA, opts: opts}).walk
	return cs, nil
}

func (api *GitHubAPI) commitSHA(ctx context.Context, owner, repo, ref string) (string, error) {
	c, _, err := api.client.Repositories.GetCommit(ctx, owner, repo, ref, &github.ListOptions{PerPage: 1})
	if err != nil {
		return "", apiError(fmt.Sprintf("get commit %s of %s/%s", ref, owner, repo), err)
	}
	return c.GetSHA(), nil
}

// mergeBase asks the compare API for the merge base of base and head.
func (api *GitHubAPI) mergeBase(ctx context.Context, owner, repo, base, head string) (string, error) {
	comp, _, err := api.client.Repositories.CompareCommits(ctx, owner, repo, base, head, &github.ListOptions{PerPage: 1})
	if err != nil {
		return "", apiError("compare", err)
	}
	if sha := comp.GetMergeBaseCommit().GetSHA(); sha != "" {
		return sha, nil
	}
	return "", errors.New("compare response has no merge_base_commit")
}

// build turns the API's file list into a change set, filling gaps (capped
// lists, missing patches) from the trees and blobs.
func (api *GitHubAPI) build(ctx context.Context, owner, repo, baseSHA, headSHA string, files []apiFile, capped bool, notes []string, opts Options) (*ChangeSet, error) {
	baseFS := newAPIFS(ctx, api, owner, repo, baseSHA, opts.MaxLockfileSize)
	headFS := newAPIFS(ctx, api, owner, repo, headSHA, opts.MaxLockfileSize)
	cs := &ChangeSet{Source: SourceGitHubAPI, Base: baseSHA, Head: headSHA, BaseFS: baseFS, HeadFS: headFS, Notes: notes}

	if capped {
		listed := make(map[string]bool, len(files))
		for _, f := range files {
			listed[f.path] = true
		}
		extra, err := treeChanges(baseFS, headFS)
		if err != nil {
			return nil, fmt.Errorf("file list capped by the API at %d files, and the trees could not be compared: %w", len(files), err)
		}
		added := 0
		for _, f := range extra {
			if !listed[f.path] {
				files = append(files, f)
				added++
			}
		}
		cs.Notes = append(cs.Notes, fmt.Sprintf("the API listed %d files; %d more found by comparing the trees (no rename detection for those)", len(files)-added, added))
		if len(files) > opts.MaxFiles {
			return nil, fmt.Errorf("%d files changed, limit %d: %w", len(files), opts.MaxFiles, ErrTooManyFiles)
		}
	}

	// Files without a usable patch cost one or two blob requests each; a few
	// run at once (GitHub asks integrators not to make many concurrent requests).
	type result struct {
		fc   *FileChange
		note string
		err  error
	}
	results := make([]result, len(files))
	indexes := make(chan int)
	var wg sync.WaitGroup
	for range apiWorkers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range indexes {
				fc, note, err := api.fileChange(files[i], baseFS, headFS, opts)
				results[i] = result{fc, note, err}
			}
		}()
	}
	for i := range files {
		if ctx.Err() != nil {
			break
		}
		indexes <- i
	}
	close(indexes)
	wg.Wait()
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	for _, r := range results {
		if r.err != nil {
			return nil, r.err
		}
		if r.note != "" {
			cs.Notes = append(cs.Notes, r.note)
		}
		if r.fc != nil {
			cs.Files = append(cs.Files, *r.fc)
		}
	}
	sortFiles(cs.Files)
	return cs, nil
}

// fileChange builds one FileChange from an API entry; nil for "unchanged".
func (api *GitHubAPI) fileChange(f apiFile, baseFS, headFS *apiFS, opts Options) (*FileChange, string, error) {
	fc := FileChange{Path: f.path}
	switch f.status {
	case "added":
		fc.Status = StatusAdded
	case "removed":
		fc.Status = StatusDeleted
	case "renamed":
		fc.Status, fc.OldPath = StatusRenamed, f.oldPath
	case "copied":
		// A copy is new content at a new path; its source stays.
		fc.Status = StatusAdded
	case "modified", "changed":
		fc.Status = StatusModified
	case "unchanged":
		return nil, "", nil
	default:
		return nil, "", fmt.Errorf("%s: unknown file status %q from the API", f.path, f.status)
	}
	basePath := f.path
	if fc.Status == StatusRenamed && f.oldPath != "" {
		basePath = f.oldPath
	}
	if isSubmodulePatch(f.patch) || headFS.isSubmodule(f.path) || baseFS.isSubmodule(basePath) {
		fc.Submodule = true
		return &fc, "", nil
	}
	fc.Lockfile = opts.isLockfile(&fc)

	if f.patch != "" && !fc.Lockfile {
		added, err := ParsePatch(f.patch)
		if err == nil {
			fc.Added = added
			return &fc, "", nil
		}
		// A malformed patch: fall through to fetching both sides.
	}

	// No usable patch (binary, too large, or a capped list), or a lockfile
	// whose both sides are wanted: fetch and diff locally.
	limit := opts.MaxFileSize
	if fc.Lockfile && opts.MaxLockfileSize > limit {
		limit = opts.MaxLockfileSize
	}
	var baseContent, headContent []byte
	if fc.Status != StatusAdded {
		if fc.Status == StatusDeleted && !fc.Lockfile {
			return &fc, "", nil
		}
		size, err := baseFS.size(basePath)
		if err != nil {
			return nil, "", fmt.Errorf("%s at base: %w", basePath, err)
		}
		if size > limit {
			fc.TooLarge = true
			return &fc, fmt.Sprintf("%s: larger than %d bytes, added lines not computed", fc.Path, limit), nil
		}
		if baseContent, err = baseFS.ReadFile(basePath); err != nil {
			return nil, "", fmt.Errorf("%s at base: %w", basePath, err)
		}
	}
	if fc.Status != StatusDeleted {
		size, err := headFS.size(f.path)
		if err != nil {
			return nil, "", fmt.Errorf("%s at head: %w", f.path, err)
		}
		if size > limit {
			fc.TooLarge = true
			return &fc, fmt.Sprintf("%s: larger than %d bytes, added lines not computed", fc.Path, limit), nil
		}
		if headContent, err = headFS.ReadFile(f.path); err != nil {
			return nil, "", fmt.Errorf("%s at head: %w", f.path, err)
		}
	}
	if f.patch != "" && fc.Lockfile {
		// Prefer GitHub's own line numbers for what it shows on the pull request.
		if added, err := ParsePatch(f.patch); err == nil {
			fc.BaseContent, fc.HeadContent = baseContent, headContent
			fc.Added = added
			return &fc, "", nil
		}
	}
	out, note := finishFileChange(fc, baseContent, headContent, opts)
	return &out, note, nil
}

// isSubmodulePatch recognises the patch GitHub gives for a gitlink change.
func isSubmodulePatch(patch string) bool {
	if patch == "" {
		return false
	}
	seen := false
	for _, l := range strings.Split(strings.TrimRight(patch, "\n"), "\n") {
		switch {
		case strings.HasPrefix(l, "@@"):
		case strings.HasPrefix(l, "+Subproject commit "), strings.HasPrefix(l, "-Subproject commit "):
			seen = true
		default:
			return false
		}
	}
	return seen
}
