package diff

import (
	"context"
	"errors"
	"fmt"

	"github.com/go-git/go-git/v5"
	"github.com/go-git/go-git/v5/plumbing"
)

// Request says what to compare and which sources Open may use.
type Request struct {
	// Dir is the checkout (or plain directory) on disk.
	Dir string
	// Base and Head are the revisions to compare. Base and BaseRef both empty
	// means a sweep of Dir. Head "" means the checkout's HEAD.
	Base, Head string
	// BaseRef is a branch to compare with when no base SHA is known (a push
	// that creates a branch compares with the default branch). Open tries
	// "origin/<BaseRef>" and then "<BaseRef>" locally.
	BaseRef string
	// NoLocalHead forbids reading head contents from disk: for
	// pull_request_target, whose checkout must never hold or run head code.
	// The GitHub API is then the only source.
	NoLocalHead bool
	// API, Owner and Repo enable the GitHub API fallback; PR selects the pull
	// request endpoints (else the compare endpoint is used).
	API         *GitHubAPI
	Owner, Repo string
	PR          int
	// Options apply to every source (MergeBase included).
	Options Options
}

// Open picks the source for req and computes the change set: a sweep of the
// directory when there is no base; local git history when the clone holds both
// revisions; the GitHub API when it does not (a shallow clone, the default of
// actions/checkout) or when NoLocalHead is set. The source used, and why a
// fallback was taken, are stated in ChangeSet.Source and ChangeSet.Notes.
func Open(ctx context.Context, req Request) (*ChangeSet, error) {
	if req.Base == "" && req.BaseRef == "" {
		return FromDirectory(req.Dir)
	}
	if req.NoLocalHead {
		cs, err := fromAPI(ctx, req, req.Base, req.Head)
		if err != nil {
			return nil, fmt.Errorf("head must not be read from disk, and the GitHub API failed: %w", err)
		}
		cs.Notes = append(cs.Notes, "head read through the GitHub API, never from disk (pull_request_target)")
		return cs, nil
	}

	bases := []string{req.Base}
	if req.Base == "" {
		bases = []string{"origin/" + req.BaseRef, req.BaseRef}
	}
	var gitErr error
	for _, base := range bases {
		cs, err := FromGit(ctx, req.Dir, base, req.Head, req.Options)
		if err == nil {
			cs.commitsFallback = apiCommitsFor(req, cs)
			return cs, nil
		}
		gitErr = err
		if !errors.Is(err, ErrBaseMissing) {
			break
		}
	}
	if req.API == nil || req.Owner == "" || req.Repo == "" {
		return nil, fmt.Errorf("%w; no GitHub API fallback configured (fetch more history, e.g. actions/checkout with fetch-depth: 0, or provide a token)", gitErr)
	}
	head := req.Head
	if head == "" {
		// The API needs a SHA for the local HEAD; a clone of any depth has it.
		if sha, err := localHead(req.Dir); err == nil {
			head = sha
		} else {
			return nil, fmt.Errorf("%w; and HEAD of %s could not be resolved for the API: %w", gitErr, req.Dir, err)
		}
	}
	base := req.Base
	if base == "" {
		base = req.BaseRef
	}
	cs, err := fromAPI(ctx, req, base, head)
	if err != nil {
		return nil, fmt.Errorf("local git history could not be used (%v), and the GitHub API failed: %w", gitErr, err)
	}
	cs.Notes = append(cs.Notes, fmt.Sprintf("local git history could not be used (%v): read from the GitHub API", gitErr))
	return cs, nil
}

func fromAPI(ctx context.Context, req Request, base, head string) (*ChangeSet, error) {
	if req.API == nil || req.Owner == "" || req.Repo == "" {
		return nil, errors.New("no GitHub API client, owner or repository configured")
	}
	if req.PR > 0 {
		return FromGitHub(ctx, req.API, req.Owner, req.Repo, req.PR, req.Options)
	}
	if head == "" {
		return nil, errors.New("no head revision to compare through the API")
	}
	return FromGitHubCompare(ctx, req.API, req.Owner, req.Repo, base, head, req.Options)
}

func localHead(dir string) (string, error) {
	repo, err := git.PlainOpenWithOptions(dir, &git.PlainOpenOptions{DetectDotGit: true, EnableDotGitCommonDir: true})
	if err != nil {
		return "", err
	}
	h, err := repo.ResolveRevision(plumbing.Revision("HEAD"))
	if err != nil {
		return "", err
	}
	return h.String(), nil
}

// apiCommitsFor is the API's commit walker for a change set read from local
// history, for when that history lacks commits between base and head (a
// shallow clone holding both ends); nil without an API.
func apiCommitsFor(req Request, cs *ChangeSet) commitWalker {
	if req.API == nil || req.Owner == "" || req.Repo == "" {
		return nil
	}
	opts := req.Options.withDefaults()
	if req.PR > 0 {
		return (&apiCommits{api: req.API, owner: req.Owner, repo: req.Repo, pr: req.PR, opts: opts}).walk
	}
	return (&apiCommits{api: req.API, owner: req.Owner, repo: req.Repo, base: cs.Base, head: cs.Head, opts: opts}).walk
}
