// Package repojack is the "repojack" check: dependencies whose GitHub home
// changed hands or moved. For every GitHub-hosted dependency a change adds
// or updates (every one in a sweep) — GitHub Actions, Go modules under
// github.com/, git dependencies of npm, PyPI, RubyGems, Cargo and Composer
// lockfiles — it asks the GitHub API whether the repository was renamed
// (the old owner name may be claimable: repojacking), deleted (and whether
// its owner still exists), archived, or re-registered under the same name
// (its numeric id changed since an earlier run); and, for Actions, whether
// the ref is a tag or branch instead of a commit, whether a pinned commit
// is reachable from the repository's own branches and tags (an impostor
// commit lives only in a fork), and whether a tag moved since last seen.
//
// GitHub retires popular names after a rename but offers no API to ask, so
// a renamed or deleted owner "may be claimable", never more.
package repojack

import (
	"context"
	"errors"
	"fmt"
	"maps"
	"net/http"
	"slices"
	"sort"
	"strings"
	"sync"
	"time"

	gh "github.com/google/go-github/v60/github"

	"github.com/tollgate-dev/tollgate/checks"
	"github.com/tollgate-dev/tollgate/github/api"
	"github.com/tollgate-dev/tollgate/internal/workpool"
	"github.com/tollgate-dev/tollgate/lockfiles"
	reg "github.com/tollgate-dev/tollgate/registry"
	"github.com/tollgate-dev/tollgate/scanner"
)

// ID is the check's id in config.
const ID = "repojack"

// Rule ids.
const (
	RuleRenamed      = "repository-renamed"
	RuleMissing      = "repository-missing"
	RuleArchived     = "repository-archived"
	RuleReregistered = "repository-reregistered"
	RuleUnpinned     = "action-unpinned"
	RuleImpostor     = "action-ref-impostor"
	RuleTagMoved     = "action-tag-moved"
)

// Limits.
const (
	// DefaultMaxRepos bounds the repositories asked about in one run; the
	// rest are a skipped entry.
	DefaultMaxRepos = 500
	// workers is how many repositories are looked up at once.
	workers = 4
	// maxRefPages bounds the pages of branches and tags listed (100 each)
	// when deciding whether a pinned commit is reachable.
	maxRefPages = 3
	// maxCompares bounds the comparisons made for one pinned commit.
	maxCompares = 20
)

// Entry registers the check in checks/all.
func Entry() checks.Entry {
	return checks.Entry{
		ID:      ID,
		Summary: "GitHub-hosted dependencies whose repository was renamed, deleted, archived or re-registered; Actions refs that are unpinned, impostor commits or moved tags",
		Budget:  3 * time.Minute,
		New: func(_ context.Context, d checks.Deps) (scanner.Check, error) {
			client, err := api.New(api.Options{BaseURL: d.GitHubAPIURL, Token: d.GitHubToken, HTTPClient: d.HTTPClient})
			if err != nil {
				return nil, fmt.Errorf("%w: repojack: %v", checks.ErrSettings, err)
			}
			registries, err := d.RegistrySet().Configured()
			if err != nil {
				return nil, fmt.Errorf("%w: repojack: %v", checks.ErrSettings, err)
			}
			return New(Options{Client: client, CacheDir: d.CacheDir, Token: d.GitHubToken != "", Now: d.Now, Registries: registries}), nil
		},
	}
}

// Options configure a Check.
type Options struct {
	// Client is the run's GitHub client.
	Client *api.Client
	// CacheDir keeps lookups, repository ids and tag commits between runs
	// ("" for none).
	CacheDir string
	// Token says whether Client authenticates (without one GitHub allows 60
	// requests an hour, and the check says so).
	Token bool
	// MaxRepos bounds the repositories asked about (0: DefaultMaxRepos).
	MaxRepos int
	// Registries, when set, are asked for the source repository each
	// package a pull request adds declares (by lockfiles ecosystem).
	Registries map[string]reg.Client
	// Now is the clock (nil: time.Now).
	Now func() time.Time
}

// Check is the repojack check.
type Check struct {
	gh    *gh.Client
	opts  Options
	cache *cache
}

// New returns the check for opts.
func New(opts Options) *Check {
	if opts.MaxRepos <= 0 {
		opts.MaxRepos = DefaultMaxRepos
	}
	if opts.Now == nil {
		opts.Now = time.Now
	}
	return &Check{gh: opts.Client.REST(), opts: opts, cache: openCache(opts.CacheDir)}
}

// ID implements scanner.Check.
func (*Check) ID() string { return ID }

// Needs implements scanner.Check: the GitHub API (a token is optional).
func (*Check) Needs() scanner.Needs {
	return scanner.Needs{Network: true, Hint: "GitHub-hosted dependencies (Actions, github.com Go modules, git dependencies) were not checked for renamed, deleted or re-registered repositories"}
}

// Rules implements scanner.Check.
func (*Check) Rules() []scanner.Rule {
	tags := []string{"supply-chain", "repojacking"}
	return []scanner.Rule{
		{ID: RuleRenamed, Name: "RepositoryRenamed", Severity: scanner.SeverityHigh, Precision: scanner.PrecisionHigh, Tags: tags,
			Short: "A dependency fetches a GitHub repository that was renamed or moved to another owner.",
			Full:  "GitHub redirects the old name to the new one only until someone registers the old owner (or repository) name; from then on every build that fetches the old path fetches that account's code (repojacking). GitHub retires some popular names, but offers no way to ask which.",
			Help:  "Point the dependency at the repository's new owner/name (and pin a commit you have reviewed)."},
		{ID: RuleMissing, Name: "RepositoryMissing", Severity: scanner.SeverityCritical, Precision: scanner.PrecisionHigh, Tags: tags,
			Short: "A dependency fetches a GitHub repository that no longer exists.",
			Full:  "The repository is gone. When its owner is gone too, anyone may register the owner name and publish code at the path the dependency fetches; when the owner still exists, only that owner can, but the dependency is unmaintained and the build depends on what they put there next.",
			Help:  "Replace the dependency with a maintained one (or a vendored copy); never fetch a path whose owner can be registered by anyone."},
		{ID: RuleArchived, Name: "RepositoryArchived", Severity: scanner.SeverityLow, Precision: scanner.PrecisionHigh, Tags: tags,
			Short: "A GitHub Action's repository is archived.",
			Full:  "The Action is read-only and receives no fixes, security fixes included.",
			Help:  "Move to a maintained Action or a fork you maintain."},
		{ID: RuleReregistered, Name: "RepositoryReregistered", Severity: scanner.SeverityHigh, Precision: scanner.PrecisionHigh, Tags: tags,
			Short: "The repository behind a dependency's name is not the one seen before.",
			Full:  "The numeric id behind owner/repo changed since an earlier run: the repository was deleted and the name registered again, by its owner or by someone who took the name.",
			Help:  "Find out who owns the repository now before the next build fetches it; pin a commit you have reviewed."},
		{ID: RuleUnpinned, Name: "ActionUnpinned", Severity: scanner.SeverityMedium, Precision: scanner.PrecisionVeryHigh, Tags: []string{"supply-chain", "github-actions"},
			Short: "A GitHub Action is used by tag or branch instead of a full commit SHA.",
			Full:  "A tag or branch can be moved to any commit by whoever controls the repository: in March 2025 every tag of tj-actions/changed-files was repointed to one malicious commit. Only a full commit SHA names fixed code.",
			Help:  "Pin the Action to the commit SHA named in the message, with the tag as a comment (uses: owner/repo@<sha> # v4.1.0)."},
		{ID: RuleImpostor, Name: "ActionRefImpostor", Severity: scanner.SeverityCritical, Precision: scanner.PrecisionHigh, Tags: []string{"supply-chain", "github-actions"},
			Short: "A GitHub Action is pinned to a commit that none of its repository's branches or tags contain.",
			Full:  "GitHub serves a commit of any fork under the parent repository's name, so a SHA pin can name code the repository's owners never merged (an impostor commit).",
			Help:  "Pin a commit that a release tag of the repository points to, and find out where the pinned one came from."},
		{ID: RuleTagMoved, Name: "ActionTagMoved", Severity: scanner.SeverityHigh, Precision: scanner.PrecisionHigh, Tags: []string{"supply-chain", "github-actions"},
			Short: "A GitHub Action's tag points to another commit than when last seen.",
			Full:  "Release tags are not expected to move; a moved tag is how tj-actions/changed-files was compromised.",
			Help:  "Compare the two commits before the next run uses the tag, and pin the commit you trust."},
	}
}

// repoInfo is what GitHub says of one repository.
type repoInfo struct {
	status   string // statusOK, statusRenamed, statusNoRepo, statusNoOwner
	fullName string
	id       int64
	archived bool
	branch   string // default branch
}

const (
	statusOK      = "ok"
	statusRenamed = "renamed"
	statusNoRepo  = "missing-repo"
	statusNoOwner = "missing-owner"
)

// Run implements scanner.Check.
func (c *Check) Run(ctx context.Context, in *scanner.Input) ([]scanner.Finding, []scanner.Skipped, error) {
	var skipped []scanner.Skipped
	var sources map[int]string
	if in.Mode == scanner.ModePullRequest && c.opts.Registries != nil {
		var sk []scanner.Skipped
		sources, sk = c.declaredSources(ctx, in.Packages)
		skipped = append(skipped, sk...)
	}
	targets := collect(in.Packages, sources)
	if len(targets) > c.opts.MaxRepos {
		var rest []string
		for _, t := range targets[c.opts.MaxRepos:] {
			rest = append(rest, t.name())
		}
		skipped = append(skipped, scanner.Skipped{Check: ID, Reason: fmt.Sprintf("%d GitHub repositories over the limit of %d not checked: %s", len(rest), c.opts.MaxRepos, scanner.ListSome(rest, 5))})
		targets = targets[:c.opts.MaxRepos]
	}
	var (
		mu        sync.Mutex
		findings  []scanner.Finding
		unchecked = map[string][]string{} // reason -> repositories
		example   = map[string]string{}   // reason -> the first error's text
	)
	workpool.Each(ctx, workers, targets, func(t *target) {
		fs, err := c.judge(ctx, t)
		mu.Lock()
		defer mu.Unlock()
		findings = append(findings, fs...)
		if err != nil {
			why, detail := reason(err)
			unchecked[why] = append(unchecked[why], t.name())
			if _, ok := example[why]; !ok {
				example[why] = detail
			}
		}
	})
	if err := c.cache.save(); err != nil {
		skipped = append(skipped, scanner.Skipped{Check: ID, Reason: fmt.Sprintf("the repojack cache could not be written (%v): tags and repository ids seen in this run will not be compared next time", err)})
	}
	for _, r := range slices.Sorted(maps.Keys(unchecked)) {
		repos := unchecked[r]
		sort.Strings(repos)
		why := r
		if d := example[r]; d != "" {
			why += "; first: " + d
		}
		msg := fmt.Sprintf("%d GitHub repositories not checked (%s): %s", len(repos), why, scanner.ListSome(repos, 5))
		if !c.opts.Token && strings.Contains(r, "rate limit") {
			msg += "; without a token GitHub allows 60 requests an hour: set GITHUB_TOKEN (the Action's token input)"
		}
		skipped = append(skipped, scanner.Skipped{Check: ID, Reason: msg})
	}
	if ctx.Err() != nil {
		return findings, skipped, ctx.Err()
	}
	return findings, skipped, nil
}

// maxSources bounds the packages whose declared source repository is asked
// for in one run.
const maxSources = 200

// declaredSources asks the registries for the source repository each
// registry package declares (its locked version's, else the package's).
// Registry failures are a skipped entry: the rest are still judged.
func (c *Check) declaredSources(ctx context.Context, pkgs []lockfiles.Package) (map[int]string, []scanner.Skipped) {
	out := map[int]string{}
	var failed []string
	asked := 0
	for i := range pkgs {
		p := &pkgs[i]
		client := c.opts.Registries[p.Ecosystem]
		if client == nil || p.Source != lockfiles.SourceRegistry || p.Ecosystem == lockfiles.EcosystemGo || p.Ecosystem == lockfiles.EcosystemGitHubActions {
			continue
		}
		if asked >= maxSources || ctx.Err() != nil {
			break
		}
		asked++
		meta, err := client.Package(ctx, p.Name)
		if err != nil {
			if !errors.Is(err, reg.ErrNotFound) {
				failed = append(failed, p.Name)
			}
			continue
		}
		repo := meta.Repository
		if v, ok := meta.Version(p.Version); ok && v.Repository != "" {
			repo = v.Repository
		}
		if repo != "" {
			out[i] = repo
		}
	}
	var skipped []scanner.Skipped
	if len(failed) > 0 {
		skipped = append(skipped, scanner.Skipped{Check: ID, Reason: fmt.Sprintf("the declared source repositories of %d packages could not be read from their registries: %s", len(failed), scanner.ListSome(failed, 5))})
	}
	return out, skipped
}

// reason names an API error for the skipped entry, without its details.
// The repositories left unchecked are grouped by the class of their
// error, with the first error's text as the example: one outage is one
// entry, not one per repository.
func reason(err error) (class, detail string) {
	switch {
	case errors.Is(err, api.ErrRateLimited):
		return "GitHub API rate limit exhausted", ""
	case errors.Is(err, context.DeadlineExceeded), errors.Is(err, context.Canceled):
		return "the check's time ran out", ""
	case errors.Is(err, errUndecided):
		return err.Error(), ""
	case errors.Is(err, api.ErrForbidden):
		return "GitHub API forbids it", err.Error()
	}
	return "GitHub API error", err.Error()
}

// judge looks one repository up and reports what its dependencies risk.
func (c *Check) judge(ctx context.Context, t *target) ([]scanner.Finding, error) {
	info, err := c.lookup(ctx, t)
	if err != nil {
		return nil, err
	}
	var out []scanner.Finding
	for _, u := range t.uses {
		out = append(out, repoFindings(t, u, info)...)
	}
	if info.status == statusOK || info.status == statusRenamed {
		for _, u := range t.uses {
			if u.kind != kindAction {
				continue
			}
			fs, err := c.refFindings(ctx, t, u, info)
			out = append(out, fs...)
			if err != nil {
				return out, err
			}
		}
	}
	return out, nil
}

// lookup asks GitHub about t's repository (or takes a fresh cached answer),
// and reports a changed id against the cache.
func (c *Check) lookup(ctx context.Context, t *target) (repoInfo, error) {
	key := t.key()
	prev := c.cache.get(key)
	if prev != nil && prev.Status != "" && c.opts.Now().Sub(prev.Checked) < repoTTL {
		return repoInfo{status: prev.Status, fullName: prev.FullName, id: prev.ID, archived: prev.Archived, branch: prev.Default}, nil
	}
	info, err := c.fetch(ctx, t)
	if err != nil {
		return info, err
	}
	c.cache.put(key, &cacheEntry{Status: info.status, FullName: info.fullName, ID: info.id, Archived: info.archived, Default: info.branch, Checked: c.opts.Now().UTC()})
	if prev != nil && prev.ID != 0 && info.id != 0 && prev.ID != info.id && info.status == statusOK {
		info.status = "reregistered:" + fmt.Sprint(prev.ID)
	}
	return info, nil
}

// fetch asks GitHub: GET /repos/{owner}/{repo} (a rename answers with a
// redirect to /repositories/{id}, followed, and another full_name); on 404,
// GET /users/{owner}.
func (c *Check) fetch(ctx context.Context, t *target) (repoInfo, error) {
	r, _, err := c.gh.Repositories.Get(ctx, t.owner, t.repo)
	if err == nil {
		info := repoInfo{status: statusOK, fullName: r.GetFullName(), id: r.GetID(), archived: r.GetArchived(), branch: r.GetDefaultBranch()}
		if info.fullName != "" && !strings.EqualFold(info.fullName, t.name()) {
			info.status = statusRenamed
		}
		return info, nil
	}
	if !notFound(err) {
		return repoInfo{}, api.Classify("GET /repos/"+t.name(), err)
	}
	_, _, err = c.gh.Users.Get(ctx, t.owner)
	switch {
	case err == nil:
		return repoInfo{status: statusNoRepo}, nil
	case notFound(err):
		return repoInfo{status: statusNoOwner}, nil
	}
	return repoInfo{}, api.Classify("GET /users/"+t.owner, err)
}

// notFound reports a 404 answer.
func notFound(err error) bool {
	var er *gh.ErrorResponse
	return errors.As(err, &er) && er.Response != nil && er.Response.StatusCode == http.StatusNotFound
}

// kindName says what a use is, for messages.
func kindName(u use) string {
	switch u.kind {
	case kindAction:
		return "GitHub Action"
	case kindGo:
		return "Go module"
	case kindSource:
		return u.pkg.Ecosystem + " package (its declared source repository)"
	}
	return u.pkg.Ecosystem + " git dependency"
}

// repoFindings reports what the repository's state means for one use.
func repoFindings(t *target, u use, info repoInfo) []scanner.Finding {
	p := u.pkg
	f := scanner.Finding{Path: p.Path, Line: p.Line, Package: p.PURL, Evidence: "github.com/" + t.name()}
	claimable := u.kind == kindAction || u.kind == kindGo
	if u.kind == kindSource && info.status != statusNoOwner {
		// A declared repository is where people read the source, not what
		// the build fetches: only a claimable owner is worth a finding.
		return nil
	}
	switch {
	case info.status == statusRenamed:
		oldOwner, _, _ := strings.Cut(t.name(), "/")
		newOwner, _, _ := strings.Cut(info.fullName, "/")
		f.RuleID, f.Severity = RuleRenamed, scanner.SeverityMedium
		f.Message = fmt.Sprintf("%s %s: github.com/%s now redirects to github.com/%s (renamed within the same owner); if someone creates a repository under the old name, builds fetch it instead. Point the dependency at %s.", kindName(u), p.Name, t.name(), info.fullName, info.fullName)
		if !strings.EqualFold(oldOwner, newOwner) {
			f.Severity = scanner.SeverityHigh
			f.Message = fmt.Sprintf("%s %s: github.com/%s moved to github.com/%s; the old owner name %q may be claimable by anyone, and then every build fetches their code (repojacking). Point the dependency at %s.", kindName(u), p.Name, t.name(), info.fullName, oldOwner, info.fullName)
		}
		f.Fingerprint = scanner.Fingerprint(RuleRenamed, p.Path, p.PURL, strings.ToLower(info.fullName))
	case info.status == statusNoOwner:
		f.RuleID, f.Severity = RuleMissing, scanner.SeverityHigh
		if claimable {
			f.Severity = scanner.SeverityCritical
		}
		f.Message = fmt.Sprintf("%s %s: github.com/%s does not exist and neither does its owner %q: the name may be claimable by anyone, who would then serve this dependency. Replace it.", kindName(u), p.Name, t.name(), t.owner)
		f.Fingerprint = scanner.Fingerprint(RuleMissing, p.Path, p.PURL, "owner")
	case info.status == statusNoRepo:
		f.RuleID, f.Severity = RuleMissing, scanner.SeverityMedium
		f.Message = fmt.Sprintf("%s %s: github.com/%s does not exist (its owner %q does): builds fetch whatever that owner publishes there next. Replace the dependency.", kindName(u), p.Name, t.name(), t.owner)
		f.Fingerprint = scanner.Fingerprint(RuleMissing, p.Path, p.PURL, "repo")
	case strings.HasPrefix(info.status, "reregistered:"):
		f.RuleID, f.Severity = RuleReregistered, scanner.SeverityHigh
		f.Message = fmt.Sprintf("%s %s: the repository behind github.com/%s is not the one seen before (id %s, now %d): it was deleted and the name registered again. Find out who owns it before the next build fetches it.", kindName(u), p.Name, t.name(), strings.TrimPrefix(info.status, "reregistered:"), info.id)
		f.Fingerprint = scanner.Fingerprint(RuleReregistered, p.Path, p.PURL, fmt.Sprint(info.id))
	case info.archived && u.kind == kindAction:
		f.RuleID, f.Severity = RuleArchived, scanner.SeverityLow
		f.Message = fmt.Sprintf("GitHub Action %s: github.com/%s is archived and receives no fixes. Move to a maintained Action.", p.Name, t.name())
		f.Fingerprint = scanner.Fingerprint(RuleArchived, p.Path, p.PURL)
	default:
		return nil
	}
	return []scanner.Finding{f}
}

// refFindings judges an Action's ref: a tag or branch (unpinned; moved since
// last seen), or a commit SHA (reachable from the repository's own branches
// and tags, or an impostor).
func (c *Check) refFindings(ctx context.Context, t *target, u use, info repoInfo) ([]scanner.Finding, error) {
	p := u.pkg
	ref := u.ref
	if ref == "" {
		return nil, nil
	}
	owner, repo, _ := strings.Cut(info.fullName, "/")
	if owner == "" || repo == "" {
		owner, repo = t.owner, t.repo
	}
	if !lockfiles.IsCommitSHAOrSHA256(ref) {
		sha, _, err := c.gh.Repositories.GetCommitSHA1(ctx, owner, repo, ref, "")
		if err != nil {
			if notFound(err) {
				return nil, nil // a ref GitHub does not know fails the workflow itself
			}
			return nil, api.Classify("GET /repos/"+t.name()+"/commits/"+ref, err)
		}
		var out []scanner.Finding
		out = append(out, scanner.Finding{
			RuleID: RuleUnpinned, Severity: scanner.SeverityMedium, Path: p.Path, Line: p.Line, Package: p.PURL,
			Message:     fmt.Sprintf("GitHub Action %s is used by ref %q, which its owner can move to any commit; today it points to %s. Pin it: uses: %s@%s # %s", p.Name, ref, sha, p.Name, sha, ref),
			Evidence:    ref + " -> " + sha,
			Fingerprint: scanner.Fingerprint(RuleUnpinned, p.Path, p.PURL, ref),
		})
		if prev := c.cache.tag(t.key(), ref, sha); prev != "" && prev != sha {
			out = append(out, scanner.Finding{
				RuleID: RuleTagMoved, Severity: scanner.SeverityHigh, Path: p.Path, Line: p.Line, Package: p.PURL,
				Message:     fmt.Sprintf("GitHub Action %s: ref %q now points to %s, not %s as when last seen. Compare the two commits before the next run uses it.", p.Name, ref, sha, prev),
				Evidence:    prev + " -> " + sha,
				Fingerprint: scanner.Fingerprint(RuleTagMoved, p.Path, p.PURL, ref, sha),
			})
		}
		return out, nil
	}
	reachable, err := c.reachable(ctx, owner, repo, info.branch, ref)
	if err != nil {
		return nil, err
	}
	if reachable {
		return nil, nil
	}
	return []scanner.Finding{{
		RuleID: RuleImpostor, Severity: scanner.SeverityCritical, Path: p.Path, Line: p.Line, Package: p.PURL,
		Message:     fmt.Sprintf("GitHub Action %s is pinned to commit %s, which no branch or tag of github.com/%s/%s contains: GitHub serves fork commits under the parent's name, so this may be code its owners never merged (an impostor commit). Pin a commit a release tag points to.", p.Name, ref, owner, repo),
		Evidence:    ref,
		Fingerprint: scanner.Fingerprint(RuleImpostor, p.Path, p.PURL, ref),
	}}, nil
}

// reachable reports whether commit sha is contained in a branch or tag of
// owner/repo: a branch or tag head equal to it, or a comparison of a branch
// or tag with it that says "behind" or "identical" (the commit is in the
// ref's history). The default branch is compared first; at most
// maxRefPages pages of branches and tags are listed and at most
// maxCompares comparisons made. A commit GitHub does not know is not
// reachable.
func (c *Check) reachable(ctx context.Context, owner, repo, defaultBranch, sha string) (bool, error) {
	compares, undecided := 0, false
	contains := func(ref string) (bool, error) {
		if compares >= maxCompares {
			undecided = true
			return false, nil
		}
		compares++
		cmp, _, err := c.gh.Repositories.CompareCommits(ctx, owner, repo, ref, sha, &gh.ListOptions{PerPage: 1})
		if err != nil {
			if notFound(err) || unprocessable(err) {
				return false, nil
			}
			return false, api.Classify(fmt.Sprintf("GET /repos/%s/%s/compare/%s...%s", owner, repo, ref, sha), err)
		}
		s := cmp.GetStatus()
		return s == "behind" || s == "identical", nil
	}
	if defaultBranch != "" {
		if ok, err := contains(defaultBranch); ok || err != nil {
			return ok, err
		}
	}
	var refs []string
	for page := 1; page <= maxRefPages; page++ {
		tags, resp, err := c.gh.Repositories.ListTags(ctx, owner, repo, &gh.ListOptions{PerPage: 100, Page: page})
		if err != nil {
			return false, api.Classify(fmt.Sprintf("GET /repos/%s/%s/tags", owner, repo), err)
		}
		for _, tg := range tags {
			if strings.EqualFold(tg.GetCommit().GetSHA(), sha) {
				return true, nil
			}
			refs = append(refs, tg.GetName())
		}
		if len(tags) == 0 || resp == nil || resp.NextPage == 0 {
			break
		}
		if page == maxRefPages {
			undecided = true
		}
	}
	for page := 1; page <= maxRefPages; page++ {
		branches, resp, err := c.gh.Repositories.ListBranches(ctx, owner, repo, &gh.BranchListOptions{ListOptions: gh.ListOptions{PerPage: 100, Page: page}})
		if err != nil {
			return false, api.Classify(fmt.Sprintf("GET /repos/%s/%s/branches", owner, repo), err)
		}
		for _, b := range branches {
			if strings.EqualFold(b.GetCommit().GetSHA(), sha) {
				return true, nil
			}
			if b.GetName() != defaultBranch {
				refs = append(refs, b.GetName())
			}
		}
		if len(branches) == 0 || resp == nil || resp.NextPage == 0 {
			break
		}
		if page == maxRefPages {
			undecided = true
		}
	}
	for _, ref := range refs {
		if ok, err := contains(ref); ok || err != nil {
			return ok, err
		}
	}
	if undecided {
		return false, fmt.Errorf("%w: commit %s against %d branches and tags of %s/%s", errUndecided, sha, len(refs), owner, repo)
	}
	return false, nil
}

// errUndecided is wrapped when the limits on listed refs and comparisons
// ran out before a pinned commit was found in a branch or tag: not an
// impostor, not cleared either.
var errUndecided = errors.New("could not decide within the limits whether a pinned commit is in a branch or tag")

// unprocessable reports a 422 answer (GitHub's "No common ancestor").
func unprocessable(err error) bool {
	var er *gh.ErrorResponse
	return errors.As(err, &er) && er.Response != nil && er.Response.StatusCode == http.StatusUnprocessableEntity
}
