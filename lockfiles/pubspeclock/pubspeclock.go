// Package pubspeclock reads Dart and Flutter lockfiles (pubspec.lock) into
// Pub packages.
package pubspeclock

import (
	"context"
	"fmt"

	"github.com/tollgate-dev/tollgate/lockfiles"
	"github.com/tollgate-dev/tollgate/lockfiles/yamltree"
	yaml "go.yaml.in/yaml/v3"
)

// Parser reads pubspec.lock. The zero value is ready to use.
type Parser struct{}

// New returns a Parser.
func New() Parser { return Parser{} }

// Name identifies the format.
func (Parser) Name() string { return "pub/pubspec.lock" }

// Match accepts files named pubspec.lock, in any directory.
func (Parser) Match(path string) bool { return lockfiles.Base(path) == "pubspec.lock" }

// Parse returns one package per entry of "packages", at the line of its key.
// "dependency" gives Direct ("direct main", "direct dev", "direct
// overridden") and Dev ("direct dev"). "source" gives the origin: hosted is
// the registry (Resolved is the hosted URL, Integrity description.sha256);
// git is git (Resolved url@resolved-ref); path and sdk packages are local,
// as they come from the repository or the Flutter/Dart SDK, not pub.dev.
func (Parser) Parse(ctx context.Context, in *lockfiles.Input) ([]lockfiles.Package, error) {
	if err := ctx.Err(); err != nil {
		return nil, fmt.Errorf("parse %s: %w", in.Path, err)
	}
	limits := in.Limits.WithDefaults()
	docs, err := yamltree.Decode(in.Path, in.Content, limits, nil)
	if err != nil {
		return nil, err
	}
	// Dart's YAML loader refuses duplicate keys and has no merge keys.
	if err := yamltree.Normalize(in.Path, docs, yamltree.Pub, limits); err != nil {
		return nil, err
	}
	if len(docs) == 0 {
		return nil, nil
	}
	return packagesOf(in.Path, docs[0], limits)
}

// packagesOf reads the packages of a decoded pubspec.lock document.
func packagesOf(file string, doc *yaml.Node, limits lockfiles.Limits) ([]lockfiles.Package, error) {
	root := yamltree.Resolve(doc)
	if root == nil || root.Kind == yaml.ScalarNode && root.Tag == "!!null" {
		return nil, nil
	}
	if root.Kind != yaml.MappingNode {
		return nil, lockfiles.Errorf(file, root.Line, "top level is %s, not a mapping", yamltree.Describe(root))
	}
	packages := yamltree.Get(root, "packages")
	if packages == nil || packages.Kind == yaml.ScalarNode && packages.Tag == "!!null" {
		return nil, nil
	}
	if packages.Kind != yaml.MappingNode {
		return nil, lockfiles.Errorf(file, packages.Line, "\"packages\" is %s, not a mapping", yamltree.Describe(packages))
	}
	var (
		pkgs   []lockfiles.Package
		failed error
	)
	yamltree.Pairs(packages, func(key, entry *yaml.Node) {
		if failed != nil {
			return
		}
		if key.Kind != yaml.ScalarNode || key.Value == "" {
			failed = lockfiles.Errorf(file, key.Line, "package name is %s", yamltree.Describe(key))
			return
		}
		if entry == nil || entry.Kind != yaml.MappingNode {
			failed = lockfiles.Errorf(file, key.Line, "package %q is %s, not a mapping", key.Value, yamltree.Describe(entry))
			return
		}
		if len(pkgs) >= limits.MaxPackages {
			failed = lockfiles.LimitErrorf(file, key.Line, "more than %d packages", limits.MaxPackages)
			return
		}
		pkgs = append(pkgs, newPackage(file, key, entry))
	})
	if failed != nil {
		return nil, failed
	}
	return pkgs, nil
}

func newPackage(file string, key, entry *yaml.Node) lockfiles.Package {
	name := key.Value
	version := yamltree.String(entry, "version")
	p := lockfiles.Package{
		Ecosystem: lockfiles.EcosystemPub,
		Name:      name,
		Version:   version,
		PURL:      lockfiles.PURL(lockfiles.EcosystemPub, name, version, nil),
		Path:      file,
		Line:      key.Line,
	}
	switch yamltree.String(entry, "dependency") {
	case "direct main", "direct overridden":
		p.Direct = true
	case "direct dev":
		p.Direct, p.Dev = true, true
	}
	desc := yamltree.Get(entry, "description")
	switch yamltree.String(entry, "source") {
	case "hosted":
		p.Resolved = yamltree.String(desc, "url")
		p.Integrity = yamltree.String(desc, "sha256")
	case "git":
		p.Source = lockfiles.SourceGit
		p.Resolved = yamltree.String(desc, "url")
		if ref := yamltree.String(desc, "resolved-ref"); ref != "" {
			p.Resolved += "@" + ref
			p.PinnedSHA = lockfiles.IsCommitSHA(ref)
		}
	case "path":
		p.Source = lockfiles.SourceLocal
		p.Resolved = yamltree.String(desc, "path")
	case "sdk":
		p.Source = lockfiles.SourceLocal
	default:
		// An unknown source is not pub.dev; say so rather than guess.
		p.Source = lockfiles.SourceURL
	}
	return p
}
