// Package ghactions reads the actions, reusable workflows and Docker images a
// GitHub Actions workflow (.github/workflows/*.yml) or a composite action
// (action.yml) uses: every `uses:` reference is one package.
package ghactions

import (
	"context"
	"path"
	"strings"

	"github.com/tollgate-dev/tollgate/lockfiles"
	"github.com/tollgate-dev/tollgate/lockfiles/yamltree"
	yaml "go.yaml.in/yaml/v3"
)

// Parser reads workflow and action metadata files. The zero value is ready to use.
type Parser struct{}

// Name identifies the format.
func (Parser) Name() string { return "github-actions/workflow" }

// Match accepts *.yml and *.yaml files directly inside a .github/workflows
// directory (at the root or below it), and action.yml / action.yaml anywhere.
func (Parser) Match(p string) bool {
	base := path.Base(p)
	if base == "action.yml" || base == "action.yaml" {
		return true
	}
	if !strings.HasSuffix(base, ".yml") && !strings.HasSuffix(base, ".yaml") {
		return false
	}
	dir := path.Dir(p)
	return dir == ".github/workflows" || strings.HasSuffix(dir, "/.github/workflows")
}

// Parse returns one package per `uses:` of the file, whatever its name (the
// shape decides): jobs.<id>.uses (reusable workflows), jobs.<id>.steps[].uses
// (with steps grouped under a step's parallel: list),
// and, in action metadata, runs.steps[].uses (composite actions) and a
// runs.image of the form docker://... (Docker container actions); and the
// images of jobs.<id>.container and jobs.<id>.services.<name> (as written,
// or under image:), which are Docker packages like a docker:// uses:.
//
//   - owner/repo[/path]@ref: ecosystem GitHub Actions, Name "owner/repo[/path]"
//     as written (a reusable workflow keeps its .github/workflows/x.yml path),
//     Version the ref, PinnedSHA when the ref is a full 40- or 64-hex commit
//     id; then a trailing "# v4.1.0" comment is kept as Resolved
//     "ref comment: v4.1.0". A reference without "@ref" (which GitHub
//     rejects) is kept with Version "" and Source unpinned.
//   - ./path: Source local, Name as written, Version "".
//   - docker://image: ecosystem Docker, see dockerPackage.
//   - A value holding an expression (${{ matrix.action }}) cannot be resolved
//     and is skipped.
//
// Line is the line of the `uses:` value; Direct is always true. Malformed YAML
// and a `uses:` that is not a string are a *lockfiles.ParseError with the line.
func (Parser) Parse(ctx context.Context, in *lockfiles.Input) ([]lockfiles.Package, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	docs, err := yamltree.Parse(in.Path, in.Content, in.Limits)
	if err != nil {
		return nil, err
	}
	// GitHub resolves anchors and aliases (Get and Pairs follow them), refuses
	// a key repeated in any letter case, and does not expand "<<" merge keys:
	// a step or job built by a merge would hide its uses: from a reader that
	// took "<<" as an ordinary key, so such a file is refused at the line.
	if err := yamltree.Normalize(in.Path, docs, yamltree.GitHubActions, in.Limits); err != nil {
		return nil, err
	}
	c := collector{path: in.Path, max: in.Limits.WithDefaults().MaxPackages}
	for _, doc := range docs {
		root := yamltree.Resolve(doc)
		// Workflows: jobs.<id>.uses and jobs.<id>.steps[].uses.
		yamltree.Pairs(yamltree.Get(root, "jobs"), func(_, job *yaml.Node) {
			c.uses(job)
			c.steps(yamltree.Get(job, "steps"))
			// The images a job runs in and beside: jobs.<id>.container and
			// jobs.<id>.services.<name>, each an image or a mapping with image:.
			c.image(yamltree.Get(job, "container"))
			yamltree.Pairs(yamltree.Get(job, "services"), func(_, svc *yaml.Node) {
				c.image(svc)
			})
		})
		// Action metadata: runs.steps[].uses and a docker:// runs.image.
		if runs := yamltree.Get(root, "runs"); runs != nil {
			c.steps(yamltree.Get(runs, "steps"))
			if img := yamltree.Get(runs, "image"); img != nil && img.Kind == yaml.ScalarNode &&
				strings.HasPrefix(strings.TrimSpace(img.Value), "docker://") {
				c.add(img)
			}
		}
		if c.err != nil {
			return nil, c.err
		}
	}
	return c.pkgs, nil
}

// collector gathers packages and the first error met while walking.
type collector struct {
	path string
	max  int
	pkgs []lockfiles.Package
	err  error
}

// steps reads uses: of every step of a steps sequence, including the steps
// grouped under a step's `parallel:` sequence (nesting is bounded by the YAML
// depth limit).
func (c *collector) steps(seq *yaml.Node) {
	if seq == nil || seq.Kind != yaml.SequenceNode {
		return
	}
	for _, step := range seq.Content {
		c.uses(step)
		c.steps(yamltree.Get(step, "parallel"))
	}
}

// uses reads the uses: key of mapping n, if any.
func (c *collector) uses(n *yaml.Node) {
	n = yamltree.Resolve(n)
	if c.err != nil || n == nil || n.Kind != yaml.MappingNode {
		return
	}
	for i := 0; i+1 < len(n.Content); i += 2 {
		if n.Content[i].Value != "uses" {
			continue
		}
		v := yamltree.Resolve(n.Content[i+1])
		if v == nil || v.Kind != yaml.ScalarNode {
			line := n.Content[i].Line
			if v != nil {
				line = v.Line
			}
			c.err = lockfiles.Errorf(c.path, line, "uses: expected a string, found %s", yamltree.Describe(v))
			return
		}
		c.add(v)
	}
}

// image reads a job's container or service: an image reference, or a
// mapping whose image: is one. Docker Hub and registry images alike are
// ecosystem Docker packages, as a docker:// uses: is.
func (c *collector) image(n *yaml.Node) {
	n = yamltree.Resolve(n)
	if c.err != nil || n == nil {
		return
	}
	if n.Kind == yaml.MappingNode {
		n = yamltree.Resolve(yamltree.Get(n, "image"))
	}
	if n == nil || n.Kind != yaml.ScalarNode || n.Tag == "!!null" || strings.TrimSpace(n.Value) == "" {
		return
	}
	img := *n
	img.Value = "docker://" + strings.TrimPrefix(strings.TrimSpace(n.Value), "docker://")
	c.add(&img)
}

// add turns one uses: value into a package.
func (c *collector) add(v *yaml.Node) {
	if c.err != nil {
		return
	}
	ref := strings.TrimSpace(v.Value)
	if ref == "" || strings.Contains(ref, "${{") {
		return
	}
	if len(c.pkgs) >= c.max {
		c.err = lockfiles.LimitErrorf(c.path, v.Line, "more than %d uses: references", c.max)
		return
	}
	var p lockfiles.Package
	switch {
	case strings.HasPrefix(ref, "docker://"):
		var ok bool
		if p, ok = dockerPackage(strings.TrimPrefix(ref, "docker://")); !ok {
			return
		}
	case strings.HasPrefix(ref, "./") || strings.HasPrefix(ref, "../"):
		p = lockfiles.Package{
			Ecosystem: lockfiles.EcosystemGitHubActions,
			Name:      ref,
			Source:    lockfiles.SourceLocal,
		}
	default:
		name, version, hasRef := strings.Cut(ref, "@")
		name = strings.TrimSuffix(name, "/")
		if name == "" {
			return
		}
		p = lockfiles.Package{
			Ecosystem: lockfiles.EcosystemGitHubActions,
			Name:      name,
			Version:   version,
			PinnedSHA: lockfiles.IsCommitSHAOrSHA256(version),
		}
		if !hasRef || version == "" {
			p.Source = lockfiles.SourceUnpinned
		}
		if p.PinnedSHA {
			if comment := refComment(v.LineComment); comment != "" {
				p.Resolved = "ref comment: " + comment
			}
		}
		p.PURL = lockfiles.PURL(p.Ecosystem, p.Name, p.Version, nil)
	}
	p.Path = c.path
	p.Line = v.Line
	p.Direct = true
	c.pkgs = append(c.pkgs, p)
}

// refComment returns the text of a "# v4.1.0" line comment, or "".
func refComment(comment string) string {
	comment = strings.TrimSpace(strings.TrimPrefix(strings.TrimSpace(comment), "#"))
	// Only the first word: "# v4.1.0 (latest)" and "# zizmor: ignore" alike
	// keep their leading token, which is what pin-updating tools write.
	if i := strings.IndexAny(comment, " \t"); i >= 0 {
		comment = comment[:i]
	}
	return comment
}

// isDockerHub reports whether host names Docker Hub's registry.
func isDockerHub(host string) bool {
	switch strings.ToLower(host) {
	case "docker.io", "index.docker.io", "registry-1.docker.io":
		return true
	}
	return false
}

// dockerPackage reads an image reference ([host[:port]/]path[:tag][@digest]),
// by hand because the reference grammar needs only these splits and the
// distribution/reference module is not a dependency of the project.
//
// Name is the repository: "host/path" for another registry (ghcr.io/owner/img),
// "path" for Docker Hub, where official images get their implicit "library/"
// namespace (alpine -> library/alpine), so that alpine, library/alpine and
// docker.io/library/alpine are one name, the one the registry API uses.
// Version is the digest when there is one (PinnedSHA then true, and the tag,
// if any, goes to Resolved as "tag: 3.18"), else the tag, else "latest" (what
// docker pulls). The purl is pkg:docker/<namespace>/<name>@<version>, with
// repository_url=<host> for registries other than Docker Hub (purl-spec docker
// type).
func dockerPackage(ref string) (lockfiles.Package, bool) {
	ref = strings.TrimSpace(ref)
	ref, digest, _ := strings.Cut(ref, "@")
	host, repo := "", ref
	if first, rest, ok := strings.Cut(ref, "/"); ok &&
		(strings.ContainsAny(first, ".:") || first == "localhost") {
		host, repo = first, rest
	}
	tag := ""
	if i := strings.LastIndexByte(repo, ':'); i >= 0 && !strings.Contains(repo[i:], "/") {
		repo, tag = repo[:i], repo[i+1:]
	}
	repo = strings.Trim(repo, "/")
	if repo == "" {
		return lockfiles.Package{}, false
	}
	if isDockerHub(host) {
		host = ""
	}
	p := lockfiles.Package{Ecosystem: lockfiles.EcosystemDocker, Name: repo}
	if host == "" && !strings.Contains(repo, "/") {
		p.Name = "library/" + repo
	}
	var quals map[string]string
	if host != "" {
		quals = map[string]string{"repository_url": host}
		p.Name = host + "/" + repo
	}
	switch {
	case digest != "":
		p.Version = digest
		p.PinnedSHA = strings.HasPrefix(digest, "sha256:") && len(digest) == len("sha256:")+64
		if tag != "" {
			p.Resolved = "tag: " + tag
		}
	case tag != "":
		p.Version = tag
	default:
		p.Version = "latest"
	}
	purlName := p.Name
	if host != "" {
		purlName = repo
	}
	p.PURL = lockfiles.PURL(lockfiles.EcosystemDocker, purlName, p.Version, quals)
	return p, true
}
