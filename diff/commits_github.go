package diff

import (
	"context"
	"fmt"

	"github.com/google/go-github/v60/github"
)

// GitHub REST API limits of the per-commit view.
const (
	// prCommitsCap is the most commits the pull-request commits endpoint lists.
	prCommitsCap = 250
	// commitsPerPage is the largest page the commit listings serve.
	commitsPerPage = 100
	// commitFilesCap is the most files the commit endpoint lists.
	commitFilesCap = 3000
)

// apiCommits walks a change's commits through the GitHub API: the pull
// request's commits (pr > 0) or the comparison base...head, then each
// commit's files with their patches.
type apiCommits struct {
	api         *GitHubAPI
	owner, repo string
	pr          int
	base, head  string
	// total is the pull request's commit count when already known (0: ask).
	total int
	opts  Options
}

// pages is a page limit derived from an item limit: what can be listed,
// plus one page (a server that keeps saying "next" ends there).
func pages(items, perPage int) int { return (items+perPage-1)/perPage + 1 }

func (a *apiCommits) walk(ctx context.Context, limits CommitLimits, visit func(*Commit) error) (*CommitWalk, error) {
	var list []*github.RepositoryCommit
	var walk *CommitWalk
	var err error
	if a.pr > 0 {
		list, walk, err = a.listPR(ctx, limits)
	} else {
		list, walk, err = a.listCompare(ctx, limits)
	}
	if err != nil {
		return nil, err
	}
	opts := a.opts
	opts.IsLockfile = func(string) bool { return false } // no contents kept
	for _, rc := range list {
		if err := ctx.Err(); err != nil {
			return walk, err
		}
		c, gaps, err := a.commit(ctx, rc, opts, limits)
		if err != nil {
			return walk, err
		}
		walk.Gaps = append(walk.Gaps, gaps...)
		walk.Commits++
		if err := visit(c); err != nil {
			return walk, err
		}
	}
	return walk, nil
}

// listPR lists the pull request's commits, oldest first, bounded.
func (a *apiCommits) listPR(ctx context.Context, limits CommitLimits) ([]*github.RepositoryCommit, *CommitWalk, error) {
	what := fmt.Sprintf("pull request %s/%s#%d", a.owner, a.repo, a.pr)
	total := a.total
	if total == 0 {
		pull, _, err := a.api.client.PullRequests.Get(ctx, a.owner, a.repo, a.pr)
		if err != nil {
			return nil, nil, apiError("get "+what, err)
		}
		total = pull.GetCommits()
	}
	maxList := min(limits.MaxCommits, prCommitsCap)
	walk := &CommitWalk{Source: SourceGitHubAPI, Total: total}
	var list []*github.RepositoryCommit
	opts := &github.ListOptions{PerPage: commitsPerPage}
	more := false
	for pageNo := 0; pageNo < pages(maxList, commitsPerPage); pageNo++ {
		page, resp, err := a.api.client.PullRequests.ListCommits(ctx, a.owner, a.repo, a.pr, opts)
		if err != nil {
			return nil, nil, apiError(fmt.Sprintf("list commits of %s (page %d)", what, max(opts.Page, 1)), err)
		}
		list = appendNew(list, page)
		more = resp.NextPage != 0 && len(page) > 0
		if !more || len(list) >= maxList {
			break
		}
		opts.Page = resp.NextPage
	}
	switch {
	case len(list) > maxList:
		more = true
		list = list[:maxList]
	case total > len(list):
		more = true
	}
	if more {
		n := "more"
		if total > len(list) {
			n = fmt.Sprint(total - len(list))
		}
		walk.Gaps = append(walk.Gaps, fmt.Sprintf("%s: %d commits read (the limit, or what the API lists), %s not read", what, len(list), n))
	}
	return list, walk, nil
}

// listCompare lists the commits of base...head, oldest first, bounded.
func (a *apiCommits) listCompare(ctx context.Context, limits CommitLimits) ([]*github.RepositoryCommit, *CommitWalk, error) {
	what := fmt.Sprintf("compare %s/%s %s...%s", a.owner, a.repo, a.base, a.head)
	walk := &CommitWalk{Source: SourceGitHubAPI}
	var list []*github.RepositoryCommit
	opts := &github.ListOptions{PerPage: commitsPerPage}
	more := false
	for pageNo := 0; pageNo < pages(limits.MaxCommits, commitsPerPage); pageNo++ {
		comp, resp, err := a.api.client.Repositories.CompareCommits(ctx, a.owner, a.repo, a.base, a.head, opts)
		if err != nil {
			return nil, nil, apiError(fmt.Sprintf("%s (page %d)", what, max(opts.Page, 1)), err)
		}
		walk.Total = comp.GetTotalCommits()
		list = appendNew(list, comp.Commits)
		more = resp.NextPage != 0 && len(comp.Commits) > 0
		if !more || len(list) >= limits.MaxCommits {
			break
		}
		opts.Page = resp.NextPage
	}
	if len(list) > limits.MaxCommits {
		list, more = list[:limits.MaxCommits], true
	}
	if walk.Total > len(list) {
		more = true
	}
	if more {
		walk.Gaps = append(walk.Gaps, fmt.Sprintf("%s: %d of %d commits read (limit %d)", what, len(list), max(walk.Total, len(list)), limits.MaxCommits))
	}
	return list, walk, nil
}

// commit reads one commit's files and their added lines, bounded.
func (a *apiCommits) commit(ctx context.Context, rc *github.RepositoryCommit, opts Options, limits CommitLimits) (*Commit, []string, error) {
	sha := rc.GetSHA()
	if sha == "" {
		return nil, nil, fmt.Errorf("commit listing of %s/%s: a commit without a SHA", a.owner, a.repo)
	}
	name := sha[:min(12, len(sha))]
	what := fmt.Sprintf("commit %s of %s/%s", name, a.owner, a.repo)
	out := &Commit{SHA: sha}
	for _, p := range rc.Parents {
		out.Parents = append(out.Parents, p.GetSHA())
	}
	var files []apiFile
	var gaps []string
	maxFiles := min(limits.MaxFilesPerCommit, commitFilesCap)
	listOpts := &github.ListOptions{PerPage: filesPerPage}
	listed := map[string]bool{}
	more := false
	for pageNo := 0; pageNo < pages(maxFiles, filesPerPage); pageNo++ {
		full, resp, err := a.api.client.Repositories.GetCommit(ctx, a.owner, a.repo, sha, listOpts)
		if err != nil {
			return nil, nil, apiError(fmt.Sprintf("get %s (page %d)", what, max(listOpts.Page, 1)), err)
		}
		if pageNo == 0 && len(out.Parents) == 0 {
			for _, p := range full.Parents {
				out.Parents = append(out.Parents, p.GetSHA())
			}
		}
		for _, f := range full.Files {
			if listed[f.GetFilename()] {
				continue // a server repeating a page
			}
			listed[f.GetFilename()] = true
			files = append(files, apiFile{path: f.GetFilename(), oldPath: f.GetPreviousFilename(), status: f.GetStatus(), patch: f.GetPatch()})
		}
		more = resp.NextPage != 0 && len(full.Files) > 0
		if !more || len(files) >= maxFiles {
			break
		}
		listOpts.Page = resp.NextPage
	}
	if len(files) > maxFiles || more || len(files) == commitFilesCap {
		gaps = append(gaps, fmt.Sprintf("%s: more than %d changed files, the rest not read", what, min(len(files), maxFiles)))
		files = files[:min(len(files), maxFiles)]
	}

	parent := ""
	if len(out.Parents) > 0 {
		parent = out.Parents[0]
	}
	// The trees are read only for files without a usable patch.
	parentFS := newAPIFS(ctx, a.api, a.owner, a.repo, parent, opts.MaxFileSize)
	commitFS := newAPIFS(ctx, a.api, a.owner, a.repo, sha, opts.MaxFileSize)
	var size int64
	for i, f := range files {
		if parent == "" && f.status != "added" {
			gaps = append(gaps, fmt.Sprintf("%s: %s is %s in a commit without parents", what, f.path, f.status))
			continue
		}
		fc, note, err := a.api.fileChange(f, parentFS, commitFS, opts)
		if err != nil {
			return nil, nil, fmt.Errorf("%s: %w", what, err)
		}
		if fc == nil {
			continue
		}
		if fc.TooLarge {
			gaps = append(gaps, fmt.Sprintf("%s: %s", what, note))
			continue
		}
		for _, l := range fc.Added {
			size += int64(len(l.Text)) + 1
		}
		if size > limits.MaxCommitBytes {
			gaps = append(gaps, fmt.Sprintf("%s adds more than %d bytes of lines: %d of its %d files not read", what, limits.MaxCommitBytes, len(files)-i, len(files)))
			break
		}
		out.Files = append(out.Files, *fc)
	}
	if len(out.Parents) > 1 {
		merged, notes, err := a.mergeAdded(ctx, out, what)
		if err != nil {
			return nil, nil, err
		}
		out.Files = merged
		gaps = append(gaps, notes...)
	}
	sortFiles(out.Files)
	return out, gaps, nil
}

// mergeAdded keeps the lines a merge commit adds against every parent: the
// commit endpoint diffs against the first parent only, so each other
// parent's comparison with the merge (parent...merge, a plain diff since the
// parent is an ancestor) drops what that side brought.
func (a *apiCommits) mergeAdded(ctx context.Context, c *Commit, what string) ([]FileChange, []string, error) {
	files := c.Files
	for _, parent := range c.Parents[1:] {
		comp, _, err := a.api.client.Repositories.CompareCommits(ctx, a.owner, a.repo, parent, c.SHA, &github.ListOptions{PerPage: 1})
		if err != nil {
			return nil, nil, apiError(fmt.Sprintf("%s: compare with its parent %s", what, parent), err)
		}
		if len(comp.Files) >= compareFilesCap {
			// The list is capped: what it omits cannot be told apart, so
			// every line stays (more is scanned, not less).
			return files, []string{fmt.Sprintf("%s: merge compared with parent %s through a capped file list; lines from that side are scanned too", what, parent)}, nil
		}
		against := map[string]map[int]bool{}
		for _, f := range comp.Files {
			set := map[int]bool{}
			added, err := ParsePatch(f.GetPatch())
			if f.GetPatch() == "" || err != nil {
				set = nil // no patch: keep every line of the file
			}
			for _, l := range added {
				set[l.Number] = true
			}
			against[f.GetFilename()] = set
		}
		kept := files[:0]
		for _, fc := range files {
			set, listed := against[fc.Path]
			if !listed {
				continue // the merge holds this parent's version: nothing new
			}
			if set != nil {
				lines := fc.Added[:0]
				for _, l := range fc.Added {
					if set[l.Number] {
						lines = append(lines, l)
					}
				}
				fc.Added = lines
			}
			kept = append(kept, fc)
		}
		files = kept
	}
	return files, nil, nil
}

// appendNew appends the commits of page not already in list (a server
// repeating a page must not make a commit count twice).
func appendNew(list, page []*github.RepositoryCommit) []*github.RepositoryCommit {
	for _, c := range page {
		dup := false
		for _, had := range list {
			if had.GetSHA() == c.GetSHA() {
				dup = true
				break
			}
		}
		if !dup {
			list = append(list, c)
		}
	}
	return list
}
