// Package gemfilelock reads Bundler lockfiles (Gemfile.lock, gems.locked) into
// RubyGems packages.
//
// Bundler's lockfile is not YAML: it is an indentation-based format of its own
// (Bundler::LockfileParser), so it is read here with a hand-written line
// scanner, which is also a single pass with no allocations beyond the results.
package gemfilelock

import (
	"bytes"
	"context"
	"fmt"
	"strings"

	"github.com/tollgate-dev/tollgate/lockfiles"
)

// Parser reads Gemfile.lock and gems.locked. The zero value is ready to use.
type Parser struct{}

// New returns a Parser.
func New() Parser { return Parser{} }

// Name identifies the format.
func (Parser) Name() string { return "rubygems/Gemfile.lock" }

// Match accepts files named Gemfile.lock or gems.locked, in any directory.
func (Parser) Match(path string) bool {
	base := lockfiles.Base(path)
	return base == "Gemfile.lock" || base == "gems.locked"
}

// section kinds of a Bundler lockfile.
const (
	secNone     = iota
	secGem      // GEM: registry sources
	secGit      // GIT: a git checkout
	secPath     // PATH: a local directory
	secPlugin   // PLUGIN SOURCE: a Bundler plugin source
	secDeps     // DEPENDENCIES: the Gemfile's direct requirements
	secChecksum // CHECKSUMS: hashes of the resolved gems
	secOther    // PLATFORMS, RUBY VERSION, BUNDLED WITH, unknown sections
)

// source is the GEM/GIT/PATH block a spec is listed under.
type source struct {
	kind     int
	remote   string
	revision string
	inSpecs  bool
}

// Parse returns one package per spec line (4-space indent under "specs:"), so
// a gem resolved for several platforms gives one package per platform, each
// with a "platform" purl qualifier. Names listed under DEPENDENCIES are Direct.
func (Parser) Parse(ctx context.Context, in *lockfiles.Input) ([]lockfiles.Package, error) {
	if err := ctx.Err(); err != nil {
		return nil, fmt.Errorf("parse %s: %w", in.Path, err)
	}
	limits := in.Limits.WithDefaults()
	var (
		pkgs      []lockfiles.Package
		platforms []string // platform of each package, "" for the ruby platform
		direct    = map[string]bool{}
		checksums = map[string]string{} // "name (version[-platform])" -> "sha256=..."
		sec       = secNone
		src       source
	)
	data := in.Content
	if line, marker, ok := conflictMarker(data); ok {
		return nil, lockfiles.Errorf(in.Path, line, "merge-conflict marker %q: Bundler refuses a lockfile holding one", marker)
	}
	for lineNo := 1; len(data) > 0; lineNo++ {
		var line []byte
		if i := bytes.IndexByte(data, '\n'); i >= 0 {
			line, data = data[:i], data[i+1:]
		} else {
			line, data = data, nil
		}
		line = bytes.TrimSuffix(line, []byte{'\r'})
		if len(line) == 0 {
			continue
		}
		indent := 0
		for indent < len(line) && line[indent] == ' ' {
			indent++
		}
		if indent == 0 && isRubySpace(line[0]) {
			// Bundler takes a line for a section header only when it starts
			// with a non-space (/^[^\s]/): one starting with a tab, CR, FF
			// or VT belongs to no spec pattern and is skipped, and the
			// section goes on (a reader that closed the section there lost
			// every gem after it).
			continue
		}
		if indent == 0 {
			// A section header.
			src = source{}
			switch string(bytes.TrimSpace(line)) {
			case "GEM":
				sec, src.kind = secGem, secGem
			case "GIT":
				sec, src.kind = secGit, secGit
			case "PATH":
				sec, src.kind = secPath, secPath
			case "PLUGIN SOURCE":
				sec, src.kind = secPlugin, secPlugin
			case "DEPENDENCIES":
				sec = secDeps
			case "CHECKSUMS":
				sec = secChecksum
			default:
				sec = secOther
			}
			continue
		}
		text := string(line[indent:])
		switch sec {
		case secGem, secGit, secPath, secPlugin:
			switch indent {
			case 2:
				key, value, _ := strings.Cut(text, ":")
				value = strings.TrimSpace(value)
				switch key {
				case "remote":
					// A GEM block may list several remotes; the first is kept.
					if src.remote == "" {
						src.remote = value
					}
				case "revision":
					src.revision = value
				case "specs":
					src.inSpecs = true
				}
			case 4:
				if !src.inSpecs {
					return nil, lockfiles.Errorf(in.Path, lineNo, "gem %q listed before \"specs:\"", text)
				}
				name, version, platform, ok := splitSpec(text)
				if !ok {
					return nil, lockfiles.Errorf(in.Path, lineNo, "spec %q is not \"name (version)\"", text)
				}
				if len(pkgs) >= limits.MaxPackages {
					return nil, lockfiles.LimitErrorf(in.Path, lineNo, "more than %d packages", limits.MaxPackages)
				}
				pkgs = append(pkgs, specPackage(in.Path, lineNo, name, version, platform, src))
				platforms = append(platforms, platform)
			}
			// Deeper lines are a spec's own dependencies: not packages.
		case secDeps:
			if indent != 2 {
				continue
			}
			// "name", "name (>= 1.0)", "name!" (the ! marks a GIT/PATH source).
			name := text
			if i := strings.IndexAny(name, " !"); i >= 0 {
				name = name[:i]
			}
			direct[name] = true
		case secChecksum:
			if indent != 2 {
				continue
			}
			spec, sums, ok := strings.Cut(text, ") ")
			if !ok {
				continue // a spec listed without a checksum (git and path gems)
			}
			checksums[spec+")"] = sums
		}
	}
	for i := range pkgs {
		p := &pkgs[i]
		p.Direct = direct[p.Name]
		key := p.Name + " (" + p.Version + ")"
		if platforms[i] != "" {
			key = p.Name + " (" + p.Version + "-" + platforms[i] + ")"
		}
		p.Integrity = checksums[key]
	}
	return pkgs, nil
}

// splitSpec splits "name (version)" or "name (version-platform)". As in
// Bundler's own LockfileParser (its NAME_VERSION pattern), the version ends
// at the first '-' and the rest is the platform.
func splitSpec(text string) (name, version, platform string, ok bool) {
	// Bundler's spec pattern allows the "!" of a pinned dependency here too.
	text = strings.TrimSuffix(text, "!")
	name, rest, found := strings.Cut(text, " (")
	if !found || name == "" || strings.ContainsAny(name, " ()") || !strings.HasSuffix(rest, ")") {
		return "", "", "", false
	}
	version = rest[:len(rest)-1]
	if v, p, cut := strings.Cut(version, "-"); cut {
		version, platform = v, p
	}
	if version == "" || strings.ContainsAny(version, " ()") {
		return "", "", "", false
	}
	return name, version, platform, true
}

func specPackage(path string, line int, name, version, platform string, src source) lockfiles.Package {
	var qualifiers map[string]string
	if platform != "" {
		qualifiers = map[string]string{"platform": platform}
	}
	p := lockfiles.Package{
		Ecosystem: lockfiles.EcosystemRubyGems,
		Name:      name,
		Version:   version,
		PURL:      lockfiles.PURL(lockfiles.EcosystemRubyGems, name, version, qualifiers),
		Path:      path,
		Line:      line,
		Resolved:  src.remote,
	}
	switch src.kind {
	case secGit:
		p.Source = lockfiles.SourceGit
		if src.revision != "" {
			p.Resolved = src.remote + "@" + src.revision
			p.PinnedSHA = lockfiles.IsCommitSHA(src.revision)
		}
	case secPath:
		p.Source = lockfiles.SourceLocal
	case secPlugin:
		// Plugin sources fetch gems through code of their own, not the registry.
		p.Source = lockfiles.SourceURL
	}
	return p
}

// isRubySpace reports whether c is matched by Ruby's \s ([ \t\r\n\f\v]).
func isRubySpace(c byte) bool {
	switch c {
	case ' ', '\t', '\r', '\n', '\f', '\v':
		return true
	}
	return false
}

// conflictMarkers are what Bundler's LockfileParser looks for anywhere in
// the file before it reads it (/<<<<<<<|=======|>>>>>>>|\|{7}/).
var conflictMarkers = [...]string{"<<<<<<<", "=======", ">>>>>>>", "|||||||"}

// conflictMarker returns the line and text of the first marker in data.
func conflictMarker(data []byte) (line int, marker string, ok bool) {
	at := -1
	for _, m := range conflictMarkers {
		if i := bytes.Index(data, []byte(m)); i >= 0 && (at < 0 || i < at) {
			at, marker = i, m
		}
	}
	if at < 0 {
		return 0, "", false
	}
	return bytes.Count(data[:at], []byte{'\n'}) + 1, marker, true
}
