// Package event reads the GitHub Actions event that started a run (the JSON
// file at GITHUB_EVENT_PATH) and says what to scan: a pull request (base and
// head SHAs), a push (before..after), or a sweep of the whole repository.
//
// It uses small structs of its own rather than go-github's event types: only a
// dozen fields matter, and go-github's types do not model merge_group's
// payload in the version this module uses.
package event

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"regexp"
	"strconv"
	"strings"
)

// Kinds of scan an event asks for.
const (
	// KindPullRequest compares the pull request's base with its head, from
	// their merge base (as GitHub shows the pull request).
	KindPullRequest = "pull-request"
	// KindPush compares Base with Head (two revisions of a branch).
	KindPush = "push"
	// KindSweep scans the whole repository.
	KindSweep = "sweep"
	// KindNone means there is nothing to scan (a branch deletion).
	KindNone = "none"
)

// maxPayloadSize bounds the event file read; GitHub caps webhook payloads at 25 MB.
const maxPayloadSize = 25 << 20

// zeroSHA is the "before" of a push that creates a branch and the "after" of
// one that deletes it.
const zeroSHA = "0000000000000000000000000000000000000000"

// ErrUnsupportedEvent is wrapped for event names tollgate does not handle.
var ErrUnsupportedEvent = errors.New("unsupported event")

// Event is what tollgate needs from a GitHub Actions event.
type Event struct {
	// Name is the GitHub event name (GITHUB_EVENT_NAME), e.g. "pull_request".
	Name string `json:"name"`
	// Kind is one of the Kind* constants.
	Kind string `json:"kind"`
	// Base and Head are commit SHAs to compare. Base is empty for a push that
	// creates a branch (compare with BaseRef instead) and in a sweep.
	Base string `json:"base,omitempty"`
	Head string `json:"head,omitempty"`
	// BaseRef is the branch to compare with when Base is empty (the default
	// branch for a new branch), or the pull request's base branch.
	BaseRef string `json:"base_ref,omitempty"`
	// HeadRef is the pull request's head branch or the pushed ref.
	HeadRef string `json:"head_ref,omitempty"`
	// MergeBase is true when the comparison should start at the merge base of
	// Base (or BaseRef) and Head rather than at Base itself.
	MergeBase bool `json:"merge_base,omitempty"`
	// PR is the pull request number (0 when none; for merge_group, parsed from
	// the queue branch name when it names one pull request).
	PR int `json:"pr,omitempty"`
	// Owner and Repo name the base repository.
	Owner string `json:"owner,omitempty"`
	Repo  string `json:"repo,omitempty"`
	// DefaultBranch is the repository's default branch.
	DefaultBranch string `json:"default_branch,omitempty"`
	// Fork is true when the pull request's head repository is not the base
	// repository (or is gone): the token is read-only and secrets are absent.
	Fork bool `json:"fork,omitempty"`
	// Target is true for pull_request_target: the run has a write token and
	// secrets, so head code must never be checked out or run; read it through
	// the API.
	Target bool `json:"target,omitempty"`
	// Forced is true for a force push: Base may no longer be reachable from
	// Head, and may be absent from a fresh clone.
	Forced bool `json:"forced,omitempty"`
	// Created is true for a push that creates a branch.
	Created bool `json:"created,omitempty"`
}

// payload holds the fields read from every supported event shape.
type payload struct {
	Number      int          `json:"number"`
	PullRequest *pullRequest `json:"pull_request"`
	Repository  *repository  `json:"repository"`

	// push
	Ref     string  `json:"ref"`
	Before  string  `json:"before"`
	After   string  `json:"after"`
	Created bool    `json:"created"`
	Deleted bool    `json:"deleted"`
	Forced  bool    `json:"forced"`
	BaseRef *string `json:"base_ref"`

	MergeGroup *mergeGroup `json:"merge_group"`
	Schedule   *string     `json:"schedule"`
	Inputs     any         `json:"inputs"`
}

type pullRequest struct {
	Number int     `json:"number"`
	Base   *branch `json:"base"`
	Head   *branch `json:"head"`
}

type branch struct {
	Ref  string      `json:"ref"`
	SHA  string      `json:"sha"`
	Repo *repository `json:"repo"`
}

type repository struct {
	ID            int64  `json:"id"`
	Name          string `json:"name"`
	FullName      string `json:"full_name"`
	DefaultBranch string `json:"default_branch"`
	Owner         *struct {
		Login string `json:"login"`
		Name  string `json:"name"`
	} `json:"owner"`
}

type mergeGroup struct {
	HeadSHA string `json:"head_sha"`
	HeadRef string `json:"head_ref"`
	BaseSHA string `json:"base_sha"`
	BaseRef string `json:"base_ref"`
}

// Load reads the event payload at path for the event named eventName
// (GITHUB_EVENT_NAME). An empty eventName is inferred from the payload's shape.
func Load(path, eventName string) (*Event, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("read event payload: %w", err)
	}
	defer f.Close()
	data, err := io.ReadAll(io.LimitReader(f, maxPayloadSize+1))
	if err != nil {
		return nil, fmt.Errorf("read event payload %s: %w", path, err)
	}
	if len(data) > maxPayloadSize {
		return nil, fmt.Errorf("event payload %s: larger than %d bytes", path, maxPayloadSize)
	}
	ev, err := Parse(data, eventName)
	if err != nil {
		return nil, fmt.Errorf("event payload %s: %w", path, err)
	}
	return ev, nil
}

// Parse reads an event payload already in memory; see Load.
func Parse(data []byte, eventName string) (*Event, error) {
	var p payload
	if err := json.Unmarshal(data, &p); err != nil {
		return nil, fmt.Errorf("decode: %w", err)
	}
	if eventName == "" {
		eventName = inferName(&p)
	}
	ev := &Event{Name: eventName}
	ev.fillRepository(p.Repository)
	switch eventName {
	case "pull_request", "pull_request_target":
		if err := ev.fromPullRequest(&p); err != nil {
			return nil, err
		}
		ev.Target = eventName == "pull_request_target"
	case "push":
		if err := ev.fromPush(&p); err != nil {
			return nil, err
		}
	case "merge_group":
		if err := ev.fromMergeGroup(&p); err != nil {
			return nil, err
		}
	case "schedule", "workflow_dispatch", "repository_dispatch", "workflow_call":
		ev.Kind = KindSweep
		if isSHA(p.After) {
			ev.Head = p.After
		}
	default:
		return nil, fmt.Errorf("event %q: %w (pull_request, pull_request_target, push, merge_group, schedule and workflow_dispatch are)", eventName, ErrUnsupportedEvent)
	}
	return ev, nil
}

// inferName guesses the event name from the payload's shape.
func inferName(p *payload) string {
	switch {
	case p.PullRequest != nil:
		return "pull_request"
	case p.MergeGroup != nil:
		return "merge_group"
	case p.Before != "" || p.After != "":
		return "push"
	case p.Schedule != nil:
		return "schedule"
	}
	return "workflow_dispatch"
}

func (ev *Event) fillRepository(r *repository) {
	if r == nil {
		return
	}
	ev.Repo = r.Name
	if r.Owner != nil {
		ev.Owner = r.Owner.Login
		if ev.Owner == "" {
			ev.Owner = r.Owner.Name // push payloads carry the owner's name too
		}
	}
	if owner, name, ok := strings.Cut(r.FullName, "/"); ok {
		if ev.Owner == "" {
			ev.Owner = owner
		}
		if ev.Repo == "" {
			ev.Repo = name
		}
	}
	ev.DefaultBranch = r.DefaultBranch
}

func (ev *Event) fromPullRequest(p *payload) error {
	pr := p.PullRequest
	if pr == nil || pr.Base == nil || pr.Head == nil {
		return errors.New("pull request event without pull_request.base and .head")
	}
	if !isSHA(pr.Base.SHA) || !isSHA(pr.Head.SHA) {
		return fmt.Errorf("pull request event: base sha %q or head sha %q is not a commit SHA", pr.Base.SHA, pr.Head.SHA)
	}
	ev.Kind = KindPullRequest
	ev.PR = pr.Number
	if ev.PR == 0 {
		ev.PR = p.Number
	}
	ev.Base, ev.Head = pr.Base.SHA, pr.Head.SHA
	ev.BaseRef, ev.HeadRef = pr.Base.Ref, pr.Head.Ref
	ev.MergeBase = true
	if ev.Owner == "" && pr.Base.Repo != nil {
		ev.fillRepository(pr.Base.Repo)
	}
	// A head repository that is gone (deleted fork) is treated as a fork.
	ev.Fork = pr.Head.Repo == nil || !sameRepo(pr.Head.Repo, pr.Base.Repo, p.Repository)
	return nil
}

// sameRepo reports whether head is the base repository, by id when both have
// one, else by full name.
func sameRepo(head, base, top *repository) bool {
	if base == nil {
		base = top
	}
	if base == nil {
		return false
	}
	if head.ID != 0 && base.ID != 0 {
		return head.ID == base.ID
	}
	return head.FullName != "" && strings.EqualFold(head.FullName, base.FullName)
}

func (ev *Event) fromPush(p *payload) error {
	ev.HeadRef = p.Ref
	if p.Deleted || p.After == zeroSHA {
		ev.Kind = KindNone
		return nil
	}
	if !isSHA(p.After) {
		return fmt.Errorf("push event: after %q is not a commit SHA", p.After)
	}
	ev.Kind = KindPush
	ev.Head = p.After
	ev.Forced = p.Forced
	switch {
	case p.Created || p.Before == zeroSHA || p.Before == "":
		// A new branch: compare with the default branch from their fork point.
		ev.Created = true
		ev.BaseRef = ev.DefaultBranch
		if p.BaseRef != nil && *p.BaseRef != "" {
			ev.BaseRef = strings.TrimPrefix(*p.BaseRef, "refs/heads/")
		}
		ev.MergeBase = true
		if ev.BaseRef == "" {
			return errors.New("push event creating a branch, but the payload names no default branch to compare with")
		}
	case !isSHA(p.Before):
		return fmt.Errorf("push event: before %q is not a commit SHA", p.Before)
	default:
		ev.Base = p.Before
	}
	return nil
}

// queuePR matches merge-queue branches: gh-readonly-queue/<base>/pr-<n>-<sha>.
var queuePR = regexp.MustCompile(`/pr-(\d+)-[0-9a-f]{40}$`)

func (ev *Event) fromMergeGroup(p *payload) error {
	mg := p.MergeGroup
	if mg == nil {
		return errors.New("merge_group event without merge_group")
	}
	if !isSHA(mg.BaseSHA) || !isSHA(mg.HeadSHA) {
		return fmt.Errorf("merge_group event: base_sha %q or head_sha %q is not a commit SHA", mg.BaseSHA, mg.HeadSHA)
	}
	// The queue's head commit is the base with the queued pull requests merged
	// on top, so a plain base..head comparison is exactly what they bring.
	ev.Kind = KindPush
	ev.Base, ev.Head = mg.BaseSHA, mg.HeadSHA
	ev.BaseRef = strings.TrimPrefix(mg.BaseRef, "refs/heads/")
	ev.HeadRef = mg.HeadRef
	if m := queuePR.FindStringSubmatch(mg.HeadRef); m != nil {
		ev.PR, _ = strconv.Atoi(m[1])
	}
	return nil
}

// isSHA reports whether s is a full hexadecimal SHA-1 or SHA-256 object name.
func isSHA(s string) bool {
	if len(s) != 40 && len(s) != 64 {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if (c < '0' || c > '9') && (c < 'a' || c > 'f') {
			return false
		}
	}
	return true
}

// FromEnv loads the event named by GITHUB_EVENT_NAME from GITHUB_EVENT_PATH,
// as getenv (os.Getenv in production) returns them, and fills what the payload
// lacks (schedule payloads name no repository) from GITHUB_REPOSITORY and
// GITHUB_SHA.
func FromEnv(getenv func(string) string) (*Event, error) {
	path := getenv("GITHUB_EVENT_PATH")
	if path == "" {
		return nil, errors.New("GITHUB_EVENT_PATH is not set: not running in GitHub Actions")
	}
	ev, err := Load(path, getenv("GITHUB_EVENT_NAME"))
	if err != nil {
		return nil, err
	}
	if owner, name, ok := strings.Cut(getenv("GITHUB_REPOSITORY"), "/"); ok {
		if ev.Owner == "" {
			ev.Owner = owner
		}
		if ev.Repo == "" {
			ev.Repo = name
		}
	}
	if ev.Kind == KindSweep && ev.Head == "" && isSHA(getenv("GITHUB_SHA")) {
		ev.Head = getenv("GITHUB_SHA")
	}
	return ev, nil
}
