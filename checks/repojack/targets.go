package repojack

import (
	"regexp"
	"sort"
	"strings"

	"github.com/tollgate-dev/tollgate/lockfiles"
)

// Kinds of GitHub-hosted dependency.
const (
	kindAction = "action"
	kindGo     = "go"
	kindGit    = "git"
	// kindSource is a registry package's declared source repository.
	kindSource = "source"
)

// use is one dependency that fetches a GitHub repository.
type use struct {
	pkg  *lockfiles.Package
	kind string
	// ref is the Action's ref (tag, branch or commit), "" for the others.
	ref string
}

// target is one GitHub repository and the dependencies that fetch it.
type target struct {
	owner, repo string // as the first dependency spells them
	uses        []use
}

// key is the case-folded owner/repo (GitHub names are case-insensitive).
func (t *target) key() string { return strings.ToLower(t.owner + "/" + t.repo) }

// name is owner/repo as written.
func (t *target) name() string { return t.owner + "/" + t.repo }

var (
	// gitHubURL finds owner/repo in a git dependency's URL: https, ssh,
	// git+ and the npm "github:" shorthand.
	gitHubURL = regexp.MustCompile(`(?i)(?:github\.com[/:]|^github:)([a-z0-9](?:[a-z0-9-]{0,38}))/([a-z0-9._-]+?)(?:\.git)?(?:[/#?@]|$)`)
	// ownerRepo checks a GitHub owner (39 characters, letters, digits and
	// inner hyphens) and repository name.
	ownerName = regexp.MustCompile(`^[A-Za-z0-9](?:[A-Za-z0-9-]{0,38})$`)
	repoName  = regexp.MustCompile(`^[A-Za-z0-9._-]{1,100}$`)
)

// collect groups the packages that fetch a GitHub repository by repository,
// sorted by owner/repo. sources maps a registry package (by index in pkgs)
// to the source repository its registry declares, when known.
func collect(pkgs []lockfiles.Package, sources ...map[int]string) []*target {
	byKey := map[string]*target{}
	add := func(owner, repo string, u use) {
		repo = strings.TrimSuffix(repo, ".git")
		if !ownerName.MatchString(owner) || !repoName.MatchString(repo) || repo == "." || repo == ".." {
			return
		}
		t := &target{owner: owner, repo: repo}
		if old, ok := byKey[t.key()]; ok {
			t = old
		} else {
			byKey[t.key()] = t
		}
		t.uses = append(t.uses, u)
	}
	for i := range pkgs {
		p := &pkgs[i]
		switch {
		case p.Ecosystem == lockfiles.EcosystemGitHubActions && p.Source != lockfiles.SourceLocal:
			parts := strings.SplitN(p.Name, "/", 3)
			if len(parts) >= 2 {
				add(parts[0], parts[1], use{pkg: p, kind: kindAction, ref: p.Version})
			}
		case p.Ecosystem == lockfiles.EcosystemGo && strings.HasPrefix(p.Name, "github.com/") && p.Source != lockfiles.SourceLocal:
			parts := strings.SplitN(strings.TrimPrefix(p.Name, "github.com/"), "/", 3)
			if len(parts) >= 2 {
				add(parts[0], parts[1], use{pkg: p, kind: kindGo})
			}
		case p.Source == lockfiles.SourceGit:
			if m := gitHubURL.FindStringSubmatch(p.Resolved); m != nil {
				add(m[1], m[2], use{pkg: p, kind: kindGit})
			}
		}
	}
	for _, src := range sources {
		for i, repo := range src {
			if m := gitHubURL.FindStringSubmatch(repo); m != nil {
				add(m[1], m[2], use{pkg: &pkgs[i], kind: kindSource})
			}
		}
	}
	out := make([]*target, 0, len(byKey))
	for _, t := range byKey {
		out = append(out, t)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].key() < out[j].key() })
	return out
}
