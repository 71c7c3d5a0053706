// Package pnpmlock reads pnpm-lock.yaml files, lockfileVersion 5.x, 6.x and 9.x.
package pnpmlock

import (
	"context"
	"fmt"
	"path"
	"strconv"
	"strings"

	"github.com/tollgate-dev/tollgate/lockfiles"
	"github.com/tollgate-dev/tollgate/lockfiles/yamltree"
	yaml "go.yaml.in/yaml/v3"
)

// Parser reads pnpm-lock.yaml files. The zero value is ready to use.
type Parser struct{}

// New returns a pnpm-lock.yaml parser.
func New() Parser { return Parser{} }

// Name identifies the format.
func (Parser) Name() string { return "npm/pnpm-lock.yaml" }

// Match accepts files named pnpm-lock.yaml.
func (Parser) Match(p string) bool { return path.Base(p) == "pnpm-lock.yaml" }

// usage records how importers list a package directly (neither: not listed).
type usage struct{ dev, nonDev bool }

// Parse returns one package per name@version of the `packages` map (peer
// dependency variants merged, Line = the line of the first such key), plus
// one local package per workspace link (`link:`/`workspace:` versions) that
// importers list. Direct marks packages an importer lists.
//
// Dev marks packages installed for development only. In 5.x/6.x it is pnpm's
// own `dev: true` (peer variants merged: dev only if every variant is). 9.x
// no longer writes it, so Parse works it out as pnpm did: a package is Dev
// when the dependency graph of `snapshots` reaches it from some importer's
// devDependencies and from no importer's dependencies or
// optionalDependencies (see markDev); packages no importer reaches are not
// Dev. Workspace links (`link:`) lead nowhere in that graph, as in pnpm's own
// dev marking: a linked project is an importer of its own, whose
// dependencies are roots for the whole workspace, so a project that another
// one only dev-depends on still installs its production dependencies as
// production. A link's own local package is Dev when every importer listing
// it lists it as a devDependency.
func (p Parser) Parse(ctx context.Context, in *lockfiles.Input) ([]lockfiles.Package, error) {
	limits := in.Limits.WithDefaults()
	// pnpm merges the two sides of a lockfile holding the three conflict
	// markers when js-yaml rejects it (a duplicate key, which the YAML
	// library under yamltree accepts, is enough).
	if line, ok := lockfiles.MergeConflictLine(in.Content); ok {
		return nil, lockfiles.MergeConflictError(in.Path, line, "pnpm")
	}
	docs, err := yamltree.Decode(in.Path, in.Content, limits, keep)
	if err != nil {
		return nil, err
	}
	// pnpm's js-yaml refuses duplicate keys and expands "<<" merge keys:
	// read the same mappings, so that a package merged in is not hidden.
	if err := yamltree.Normalize(in.Path, docs, yamltree.PNPM, limits); err != nil {
		return nil, err
	}
	return fromDocs(ctx, in.Path, docs, limits)
}

// fromDocs reads the packages of every lockfile document among docs.
func fromDocs(ctx context.Context, file string, docs []*yaml.Node, limits lockfiles.Limits) ([]lockfiles.Package, error) {
	roots, err := lockfileDocuments(file, docs)
	if err != nil {
		return nil, err
	}
	var out []lockfiles.Package
	for _, root := range roots {
		pkgs, err := fromDoc(ctx, file, root, limits)
		if err != nil {
			return nil, err
		}
		if out == nil {
			out = pkgs // the common single document: no copy
			continue
		}
		out = append(out, pkgs...)
	}
	return out, nil
}

// fromDoc reads the packages of one lockfile document.
func fromDoc(ctx context.Context, file string, root *yaml.Node, limits lockfiles.Limits) ([]lockfiles.Package, error) {
	major := lockfileMajor(yamltree.String(root, "lockfileVersion"))

	b := builder{path: file, major: major, limits: limits,
		byNameVersion: map[string]int{}, byKey: map[string]int{}, byLink: map[string]int{}}
	packages := yamltree.Get(root, "packages")
	if packages != nil && packages.Kind != yaml.MappingNode && !isNull(packages) {
		return nil, lockfiles.Errorf(file, packages.Line, "packages is %s, want a mapping", yamltree.Describe(packages))
	}
	if packages != nil {
		// room for every entry and a few workspace links, bounded by the input's size
		b.pkgs = make([]lockfiles.Package, 0, min(len(packages.Content)/2+64, limits.MaxPackages))
	}
	for i := 0; packages != nil && i+1 < len(packages.Content); i += 2 {
		if i&0x3ff == 0 {
			if err := ctx.Err(); err != nil {
				return nil, fmt.Errorf("parse %s: %w", file, err)
			}
		}
		if err := b.addPackage(packages.Content[i], yamltree.Resolve(packages.Content[i+1])); err != nil {
			return nil, err
		}
	}

	var uses []usage // by package index
	importers := yamltree.Get(root, "importers")
	if importers != nil && importers.Kind != yaml.MappingNode && !isNull(importers) {
		return nil, lockfiles.Errorf(file, importers.Line, "importers is %s, want a mapping", yamltree.Describe(importers))
	}
	if importers == nil {
		// 5.x and 6.x single-project lockfiles list the root's dependencies at the top.
		if err := b.addImporter(".", root, &uses); err != nil {
			return nil, err
		}
	}
	var importerErr error
	yamltree.Pairs(importers, func(k, v *yaml.Node) {
		if importerErr == nil {
			importerErr = b.addImporter(k.Value, v, &uses)
		}
	})
	if importerErr != nil {
		return nil, importerErr
	}
	for i, u := range uses {
		if !u.dev && !u.nonDev {
			continue // no importer lists it
		}
		pkg := &b.pkgs[i]
		pkg.Direct = true
		if major < 9 && pkg.Source == lockfiles.SourceLocal && pkg.Version == "" {
			pkg.Dev = u.dev && !u.nonDev // links carry no dev: field
		}
	}
	if major >= 9 {
		if err := b.markDev(ctx, yamltree.Get(root, "snapshots")); err != nil {
			return nil, err
		}
	}
	// The fast reader's strings are slices of one copy of the whole file;
	// packages outlive the parse (an inventory holds many lockfiles), so
	// each keeps copies of its own strings instead of pinning the file.
	for i := range b.pkgs {
		p := &b.pkgs[i]
		p.Name, p.Version, p.Integrity = strings.Clone(p.Name), strings.Clone(p.Version), strings.Clone(p.Integrity)
		p.Resolved, p.Alias = strings.Clone(p.Resolved), strings.Clone(p.Alias)
	}
	return b.pkgs, nil
}

// builder accumulates the packages of one lockfile.
type builder struct {
	path          string
	major         int
	limits        lockfiles.Limits
	pkgs          []lockfiles.Package
	byNameVersion map[string]int // name@version -> index in pkgs
	byKey         map[string]int // packages key without peer suffix -> index
	byLink        map[string]int // name + NUL + link target -> index of a local package
	roots         []depRoot      // 9.x: what importers list, for markDev
	buf           []byte         // scratch for map keys
}

// depRoot is one dependency an importer lists: a root of the dependency graph.
type depRoot struct {
	name, version string
	dev           bool // listed under devDependencies
	pkg           int  // index in pkgs
}

func (b *builder) add(pkg lockfiles.Package) (int, error) {
	if len(b.pkgs) >= b.limits.MaxPackages {
		return 0, lockfiles.LimitErrorf(b.path, pkg.Line, "more than %d packages", b.limits.MaxPackages)
	}
	pkg.Ecosystem = lockfiles.EcosystemNPM
	pkg.Path = b.path
	pkg.PURL = lockfiles.PURL(pkg.Ecosystem, pkg.Name, pkg.Version, nil)
	b.pkgs = append(b.pkgs, pkg)
	return len(b.pkgs) - 1, nil
}

// addPackage reads one entry of the packages map.
func (b *builder) addPackage(keyNode, v *yaml.Node) error {
	key := keyNode.Value
	if v != nil && v.Kind != yaml.MappingNode && !isNull(v) {
		return lockfiles.Errorf(b.path, keyNode.Line, "package %q is %s, want a mapping", truncate(key), yamltree.Describe(v))
	}
	name, ref := splitKey(key, b.major)
	if n := yamltree.String(v, "name"); n != "" {
		name = n
	}
	version := yamltree.String(v, "version")
	fromKey := false
	if version == "" && isVersion(ref) {
		version, fromKey = ref, true
	}
	res := yamltree.Get(v, "resolution")
	isLocal := yamltree.String(res, "type") == "directory" || yamltree.String(res, "directory") != "" ||
		lockfiles.HasAnyPrefix(strings.TrimPrefix(key, "/"), "file:", "link:", "workspace:") || lockfiles.HasAnyPrefix(ref, "file:", "link:", "workspace:")
	if name == "" || version == "" && !isLocal {
		// Keys of no known shape without name/version fields (osv-scalibr's
		// "invalidpath" fixtures) name no package that could be looked up;
		// local directories have no version in 9.x and are kept.
		return nil
	}
	dev := yamltree.String(v, "dev") == "true"
	id := name + "@" + version
	if version == "" {
		id = "\x00" + stripPeers(key, b.major) // versionless local directories are told apart by path
	}
	if i, ok := b.byNameVersion[id]; ok {
		// Another peer-dependency variant of a package already seen.
		b.byKey[stripPeers(key, b.major)] = i
		b.pkgs[i].Dev = b.pkgs[i].Dev && dev
		return nil
	}
	pkg := lockfiles.Package{Name: name, Version: version, Line: keyNode.Line, Dev: dev}
	pkg.Integrity = yamltree.String(res, "integrity")
	tarball := yamltree.String(res, "tarball")
	trimmed := strings.TrimPrefix(key, "/")
	switch {
	case yamltree.String(res, "type") == "git" || yamltree.String(res, "repo") != "":
		commit := yamltree.String(res, "commit")
		pkg.Source, pkg.Resolved = lockfiles.SourceGit, yamltree.String(res, "repo")
		if commit != "" {
			pkg.Resolved += "#" + commit
		}
		pkg.PinnedSHA = lockfiles.IsCommitSHA(commit)
	case yamltree.String(res, "type") == "directory" || yamltree.String(res, "directory") != "":
		pkg.Source, pkg.Resolved = lockfiles.SourceLocal, "file:"+yamltree.String(res, "directory")
	case strings.HasPrefix(tarball, "file:") || lockfiles.HasAnyPrefix(trimmed, "file:", "link:", "workspace:") ||
		lockfiles.HasAnyPrefix(ref, "file:", "link:", "workspace:"):
		pkg.Source, pkg.Resolved = lockfiles.SourceLocal, tarball
	case fromKey:
		pkg.Resolved = tarball // a registry package; a tarball names a non-default registry
	case isGitRef(trimmed) || isGitRef(ref) || strings.HasPrefix(tarball, "https://codeload.github.com/"):
		pkg.Source, pkg.Resolved = lockfiles.SourceGit, tarball
		if tarball == "" {
			pkg.Resolved = ref
		}
		pkg.PinnedSHA = lockfiles.IsCommitSHA(lastSegment(pkg.Resolved))
	default:
		pkg.Source, pkg.Resolved = lockfiles.SourceURL, tarball
		if tarball == "" {
			pkg.Resolved = ref
		}
	}
	i, err := b.add(pkg)
	if err != nil {
		return err
	}
	b.byNameVersion[id] = i
	b.byKey[stripPeers(key, b.major)] = i
	return nil
}

// addImporter marks the packages an importer (a workspace project) lists and
// adds a local package for each link to another workspace project.
func (b *builder) addImporter(importer string, n *yaml.Node, uses *[]usage) error {
	groups := [...]struct {
		key string
		dev bool
	}{{"dependencies", false}, {"optionalDependencies", false}, {"devDependencies", true}}
	for _, g := range groups {
		deps := yamltree.Get(n, g.key)
		if deps != nil && deps.Kind != yaml.MappingNode && !isNull(deps) {
			return lockfiles.Errorf(b.path, deps.Line, "%s of importer %q is %s, want a mapping", g.key, truncate(importer), yamltree.Describe(deps))
		}
		for j := 0; deps != nil && j+1 < len(deps.Content); j += 2 {
			nameNode, spec := deps.Content[j], yamltree.Resolve(deps.Content[j+1])
			name := nameNode.Value
			version := ""
			if spec != nil && spec.Kind == yaml.MappingNode {
				version = yamltree.String(spec, "version") // 6.x and 9.x: {specifier, version}
			} else if spec != nil && spec.Kind == yaml.ScalarNode {
				version = spec.Value // 5.x
			}
			if name == "" || version == "" {
				continue
			}
			i, ok := b.lookup(importer, name, version)
			if !ok {
				if !lockfiles.HasAnyPrefix(version, "link:", "workspace:", "file:") {
					continue // not in packages (a malformed or partial lockfile)
				}
				target := version[strings.IndexByte(version, ':')+1:]
				linkKey := name + "\x00" + path.Join(importer, target)
				if i, ok = b.byLink[linkKey]; !ok {
					var err error
					i, err = b.add(lockfiles.Package{Name: name, Line: nameNode.Line, Source: lockfiles.SourceLocal, Resolved: version})
					if err != nil {
						return err
					}
					b.byLink[linkKey] = i
				}
			}
			if pkg := &b.pkgs[i]; pkg.Name != name && pkg.Alias == "" {
				pkg.Alias = name // an npm: alias ("string-width-cjs": string-width@4.2.3)
			}
			if b.major >= 9 {
				b.roots = append(b.roots, depRoot{name: name, version: version, dev: g.dev, pkg: i})
			}
			if i >= len(*uses) {
				*uses = append(*uses, make([]usage, len(b.pkgs)-len(*uses))...)
			}
			u := &(*uses)[i]
			if g.dev {
				u.dev = true
			} else {
				u.nonDev = true
			}
		}
	}
	return nil
}

// lookup finds the packages entry an importer's dependency resolves to.
func (b *builder) lookup(importer, name, version string) (int, bool) {
	v := stripPeers(version, b.major)
	candidates, n := [2]string{v}, 1
	if rest, ok := strings.CutPrefix(v, "file:"); ok {
		// file: packages are keyed by their path from the lockfile's
		// directory; importers write it from there (9.x) or from themselves.
		candidates[1], n = "file:"+path.Join(importer, rest), 2
	}
	for _, c := range candidates[:n] {
		if i, ok := b.byKey[c]; ok {
			return i, true
		}
		// name@c, /name@c, /name/c, built in one buffer (no allocation per try)
		b.buf = append(append(append(append(b.buf[:0], '/'), name...), '@'), c...)
		if i, ok := b.byKey[string(b.buf[1:])]; ok {
			return i, true
		}
		if i, ok := b.byKey[string(b.buf)]; ok {
			return i, true
		}
		b.buf[1+len(name)] = '/'
		if i, ok := b.byKey[string(b.buf)]; ok {
			return i, true
		}
	}
	return 0, false
}

// lockfileDocuments returns the lockfile documents of a YAML stream: every
// mapping with lockfileVersion. pnpm 10+ writes its own environment lockfile
// (the pnpm binaries it downloads, e.g. @pnpm/exe) as a first document before
// the project's (astro's file); both are installed, so both are read. It
// returns nothing for a stream with no content at all.
func lockfileDocuments(p string, docs []*yaml.Node) ([]*yaml.Node, error) {
	var roots []*yaml.Node
	var firstContent *yaml.Node
	for _, d := range docs {
		r := yamltree.Resolve(d)
		if r == nil || isNull(r) {
			continue
		}
		if firstContent == nil {
			firstContent = r
		}
		if r.Kind == yaml.MappingNode && yamltree.Get(r, "lockfileVersion") != nil {
			roots = append(roots, r)
		}
	}
	if len(roots) == 0 && firstContent != nil {
		return nil, lockfiles.Errorf(p, firstContent.Line, "not a pnpm lockfile: no lockfileVersion (document is %s)", yamltree.Describe(firstContent))
	}
	return roots, nil
}

// lockfileMajor returns the major of a lockfileVersion ("9.0", 5.4, "6.0"),
// or 9 when it cannot be read (the current format).
func lockfileMajor(v string) int {
	v = strings.TrimPrefix(v, "v")
	majorText, _, _ := strings.Cut(v, ".")
	m, err := strconv.Atoi(majorText)
	if err != nil || m <= 0 {
		return 9
	}
	return m
}

// splitKey splits a packages key into a name and what follows it: a version
// (with peer suffix removed) or a reference (URL, file: path...).
//
//	5.x: /name/1.2.3, /@scope/name/1.2.3_peer@1.0.0, registry.example/name/1.2.3
//	6.x: /name@1.2.3(peer@1.0.0)
//	9.x: name@1.2.3, name@https://codeload.github.com/..., name@file:../pkg
func splitKey(key string, major int) (name, ref string) {
	k := strings.TrimPrefix(key, "/")
	if major < 6 {
		if lockfiles.HasAnyPrefix(k, "file:", "link:") {
			return "", k
		}
		if !strings.HasPrefix(key, "/") {
			// A registry host before the name: "registry.npmjs.org/foo/1.1.0".
			_, k, _ = strings.Cut(k, "/")
		}
		i := strings.LastIndexByte(k, '/')
		if i <= 0 {
			return "", k
		}
		name, ref = k[:i], k[i+1:]
		if j := strings.IndexByte(ref, '_'); j >= 0 {
			ref = ref[:j]
		}
		return name, ref
	}
	if len(k) < 2 {
		return "", k
	}
	i := strings.IndexByte(k[1:], '@')
	if i < 0 {
		return "", k
	}
	name, ref = k[:i+1], k[i+2:]
	if isVersion(ref) {
		ref = stripPeers(ref, major)
	}
	return name, ref
}

// stripPeers removes a peer-dependency suffix: "(react@18.2.0)" in 6.x/9.x,
// "_react@18.2.0" after the last path segment in 5.x.
func stripPeers(s string, major int) string {
	if major >= 6 {
		if i := strings.IndexByte(s, '('); i > 0 {
			return s[:i]
		}
		return s
	}
	start := strings.LastIndexByte(s, '/') + 1
	if i := strings.IndexByte(s[start:], '_'); i >= 0 {
		return s[:start+i]
	}
	return s
}

// isVersion reports whether s starts like a semver version (pnpm writes exact versions).
func isVersion(s string) bool {
	return s != "" && s[0] >= '0' && s[0] <= '9'
}

func isGitRef(s string) bool {
	return lockfiles.HasAnyPrefix(s, "github.com/", "gitlab.com/", "bitbucket.org/", "git+", "git://", "git@", "ssh://") ||
		strings.Contains(s, "codeload.github.com/")
}

func isNull(n *yaml.Node) bool {
	return n != nil && n.Kind == yaml.ScalarNode && n.Tag == "!!null"
}

func lastSegment(s string) string {
	if i := strings.LastIndexAny(s, "/#"); i >= 0 {
		return s[i+1:]
	}
	return s
}

func truncate(s string) string {
	if len(s) > 80 {
		return s[:80] + "…"
	}
	return s
}
