// Package yarnlock reads yarn.lock files: yarn classic (v1, yarn's own
// indentation format) and yarn berry (v2+, a YAML subset with __metadata).
package yarnlock

import (
	"bytes"
	"context"
	"fmt"
	"net/url"
	"path"
	"strconv"
	"strings"

	"github.com/tollgate-dev/tollgate/lockfiles"
)

// Parser reads yarn.lock files (classic v1 and berry). The zero value is ready to use.
type Parser struct{}

// New returns a yarn.lock parser.
func New() Parser { return Parser{} }

// Name identifies the format.
func (Parser) Name() string { return "npm/yarn.lock" }

// Match accepts files named yarn.lock.
func (Parser) Match(p string) bool { return path.Base(p) == "yarn.lock" }

// entry is one top-level block of the lockfile, before interpretation.
type entry struct {
	line       int
	specs      []string // descriptors of the header, unquoted: "lodash@^4.17.21", "lodash@npm:^4.17.20"
	version    string
	resolved   string // v1
	integrity  string // v1
	resolution string // berry
	checksum   string // berry
}

// Parse returns one package per lockfile entry (several ranges resolved to
// one version are one entry). yarn.lock does not record direct or dev
// dependencies, so Direct and Dev stay false.
//
// yarn classic files (no __metadata block) are read by a port of yarn 1's
// own reader (classic.go); berry files by a line scanner of the
// "header:" lines with two-space-indented fields berry writes, which reads
// them several times faster than a YAML decoder and refuses what falls
// outside that shape (berry reads the file as YAML, so a different shape
// could be read differently).
func (p Parser) Parse(ctx context.Context, in *lockfiles.Input) ([]lockfiles.Package, error) {
	limits := in.Limits.WithDefaults()
	// yarn classic reads a file holding all three conflict markers as the
	// two sides of a conflict and merges them.
	if line, ok := lockfiles.MergeConflictLine(in.Content); ok {
		return nil, lockfiles.MergeConflictError(in.Path, line, "yarn")
	}
	berry := isBerry(in.Content)
	var (
		entries []entry
		err     error
	)
	if berry {
		entries, err = parseBerry(ctx, in, limits)
	} else {
		entries, err = parseClassic(ctx, in, limits)
	}
	if err != nil {
		return nil, err
	}
	pkgs := make([]lockfiles.Package, 0, len(entries))
	for i := range entries {
		e := &entries[i]
		var pkg lockfiles.Package
		if berry || e.resolution != "" {
			pkg = berryPackage(e)
		} else {
			pkg = classicPackage(e)
		}
		if pkg.Name == "" {
			return nil, lockfiles.Errorf(in.Path, e.line, "entry %q has no package name", e.specs[0])
		}
		pkg.Ecosystem = lockfiles.EcosystemNPM
		pkg.Path = in.Path
		pkg.Line = e.line
		if pkg.Version == "0.0.0-use.local" {
			pkg.Source = lockfiles.SourceLocal
		}
		if pkg.Source == lockfiles.SourceGit {
			pkg.PinnedSHA = hasFullSHA(pkg.Resolved)
		}
		pkg.PURL = lockfiles.PURL(pkg.Ecosystem, pkg.Name, pkg.Version, nil)
		pkgs = append(pkgs, pkg)
	}
	return pkgs, nil
}

// isBerry reports whether a yarn.lock is a berry file: one with a
// top-level __metadata block.
func isBerry(content []byte) bool {
	for rest := content; len(rest) > 0; {
		var line []byte
		line, rest, _ = bytes.Cut(rest, []byte{'\n'})
		if string(bytes.TrimRight(line, " \r")) == "__metadata:" {
			return true
		}
	}
	return false
}

// parseBerry reads the entries of a yarn berry file.
func parseBerry(ctx context.Context, in *lockfiles.Input, limits lockfiles.Limits) ([]entry, error) {
	var (
		entries []entry
		cur     *entry // nil before the first header and inside __metadata
		inBlock bool   // inside any top-level block (an entry or __metadata)
		// maxIndent is the deepest indentation the next line may have: two
		// more than a line opening a block, else that of the line before.
		maxIndent = 0
	)
	data := in.Content
	for lineNo := 1; len(data) > 0; lineNo++ {
		var line []byte
		if i := bytes.IndexByte(data, '\n'); i >= 0 {
			line, data = data[:i], data[i+1:]
		} else {
			line, data = data, nil
		}
		if lineNo&0xfff == 0 {
			if err := ctx.Err(); err != nil {
				return nil, fmt.Errorf("parse %s: %w", in.Path, err)
			}
		}
		line = bytes.TrimSuffix(line, []byte{'\r'})
		indent := 0
		for indent < len(line) && line[indent] == ' ' {
			indent++
		}
		if indent == len(line) || line[indent] == '#' {
			continue // blank line or comment
		}
		if err := berryLine(line, indent, maxIndent); err != nil {
			return nil, lockfiles.Errorf(in.Path, lineNo, "%v (berry reads yarn.lock as YAML, which could read it differently)", err)
		}
		maxIndent = indent
		if line[len(line)-1] == ':' {
			maxIndent += 2 // a block opens below
		}
		switch {
		case indent == 0:
			if line[len(line)-1] != ':' {
				return nil, lockfiles.Errorf(in.Path, lineNo, "entry header %q does not end with ':'", truncate(line))
			}
			header := string(line[:len(line)-1])
			inBlock = true
			if header == "__metadata" {
				cur = nil
				continue
			}
			specs, err := splitSpecs(header)
			if err != nil {
				return nil, lockfiles.Errorf(in.Path, lineNo, "entry header: %v", err)
			}
			if len(entries) >= limits.MaxPackages {
				return nil, lockfiles.LimitErrorf(in.Path, lineNo, "more than %d entries", limits.MaxPackages)
			}
			entries = append(entries, entry{line: lineNo, specs: specs})
			cur = &entries[len(entries)-1]
		case !inBlock:
			return nil, lockfiles.Errorf(in.Path, lineNo, "indented line outside an entry")
		case indent == 2 && cur != nil:
			key, value, err := field(line[2:])
			if err != nil {
				return nil, lockfiles.Errorf(in.Path, lineNo, "%v", err)
			}
			switch key {
			case "version":
				cur.version = value
			case "resolved":
				cur.resolved = value
			case "integrity":
				cur.integrity = value
			case "resolution":
				cur.resolution = value
			case "checksum":
				cur.checksum = value
			}
		case indent == 1:
			return nil, lockfiles.Errorf(in.Path, lineNo, "unexpected one-space indentation")
		}
		// Deeper lines (dependencies, bin, peerDependenciesMeta...) and the
		// __metadata fields carry nothing the inventory needs.
	}

	return entries, nil
}

// berryLine checks that one line (indentation removed, comment lines
// excluded) is in the shape berry writes, where reading lines is reading
// YAML: a key (bare, or double-quoted without escapes), ':', and either
// nothing (a block opens) or one space and a scalar (bare, or
// double-quoted without escapes), indented by steps of two. Anything else
// (a lone CR, tabs, flow collections, anchors and aliases, tags, block or
// multi-line scalars, single quotes, escapes, comments after a value,
// explicit keys, other indentation) YAML may read otherwise, so it is
// refused rather than read line by line.
func berryLine(line []byte, indent, maxIndent int) error {
	if indent%2 != 0 || indent > maxIndent {
		return fmt.Errorf("unexpected indentation of %d spaces", indent)
	}
	rest := line[indent:]
	if i := bytes.IndexAny(rest, "\r\t"); i >= 0 {
		return fmt.Errorf("%q inside a line", rest[i])
	}
	var key []byte
	if rest[0] == '"' {
		end := bytes.IndexByte(rest[1:], '"')
		if end < 0 {
			return fmt.Errorf("unterminated quoted key")
		}
		key, rest = rest[1:end+1], rest[end+2:]
		if len(rest) == 0 || rest[0] != ':' {
			return fmt.Errorf("quoted key %q not followed by ':'", truncate(key))
		}
	} else {
		end := bytes.Index(rest, []byte(": "))
		if end < 0 {
			if rest[len(rest)-1] != ':' {
				return fmt.Errorf("line %q is not a key and a value", truncate(rest))
			}
			end = len(rest) - 1
		}
		key, rest = rest[:end], rest[end:]
		if err := plainScalar(key); err != nil {
			return fmt.Errorf("key %q: %v", truncate(key), err)
		}
	}
	if bytes.IndexByte(key, '\\') >= 0 {
		return fmt.Errorf("escape in key %q", truncate(key))
	}
	rest = rest[1:] // ':'
	if len(rest) == 0 {
		return nil
	}
	if rest[0] != ' ' || len(rest) < 2 {
		return fmt.Errorf("no space after ':'")
	}
	value := rest[1:]
	if value[0] == '"' {
		if len(value) < 2 || bytes.IndexByte(value[1:], '"') != len(value)-2 || bytes.IndexByte(value, '\\') >= 0 {
			return fmt.Errorf("quoted value %q is not one plain double-quoted string", truncate(value))
		}
		return nil
	}
	if err := plainScalar(value); err != nil {
		return fmt.Errorf("value %q: %v", truncate(value), err)
	}
	if value[len(value)-1] == ':' || bytes.Contains(value, []byte(": ")) {
		return fmt.Errorf("value %q holds a mapping", truncate(value))
	}
	return nil
}

// plainScalar checks a bare key or value: no YAML indicator at its start,
// no comment inside, no trailing space.
func plainScalar(s []byte) error {
	if len(s) == 0 {
		return fmt.Errorf("empty")
	}
	if bytes.IndexByte([]byte("-?:,[]{}#&*!|>'\"%@`"), s[0]) >= 0 {
		return fmt.Errorf("starts with the YAML indicator %q", s[0])
	}
	if bytes.Contains(s, []byte(" #")) {
		return fmt.Errorf("holds a comment")
	}
	if s[len(s)-1] == ' ' {
		return fmt.Errorf("trailing space")
	}
	return nil
}

// berryPackage interprets a yarn berry entry, mainly from its resolution
// ("name@protocol:reference").
func berryPackage(e *entry) lockfiles.Package {
	headerName, _ := splitSpec(e.specs[0])
	res := e.resolution
	if res == "" {
		res = e.specs[0]
	}
	name, ref := splitSpec(res)
	pkg := lockfiles.Package{Name: name, Version: e.version, Integrity: e.checksum}
	pkg.Source = berrySource(ref)
	if pkg.Source != lockfiles.SourceRegistry {
		pkg.Resolved = res
	} else if strings.HasPrefix(ref, "patch:") {
		// A patched registry package: report the package underneath,
		// "patch:fsevents@npm%3A2.3.3#...", keeping the resolution (its hash
		// names the patch) as Resolved.
		pkg.Resolved = res
		if inner, ok := patchTarget(ref); ok {
			if n, _ := splitSpec(inner); n != "" {
				pkg.Name = n
			}
		}
	}
	if headerName != "" && headerName != pkg.Name && pkg.Source == lockfiles.SourceRegistry {
		pkg.Alias = headerName
	}
	return pkg
}

// patchTarget returns the unescaped descriptor a patch: reference patches.
func patchTarget(ref string) (string, bool) {
	inner := strings.TrimPrefix(ref, "patch:")
	inner, _, _ = strings.Cut(inner, "#")
	u, err := url.PathUnescape(inner)
	if err != nil {
		return "", false
	}
	return u, true
}

// berrySource classifies a berry resolution reference by its protocol.
func berrySource(ref string) string {
	proto, rest, ok := strings.Cut(ref, ":")
	if !ok {
		return lockfiles.SourceRegistry // "name@1.2.3": a bare registry version
	}
	switch proto {
	case "npm":
		return lockfiles.SourceRegistry
	case "patch":
		if inner, ok := patchTarget(ref); ok {
			if _, innerRef := splitSpec(inner); innerRef != "" {
				return berrySource(innerRef)
			}
		}
		return lockfiles.SourceRegistry
	case "workspace", "link", "portal", "file", "exec":
		return lockfiles.SourceLocal
	case "git", "git+ssh", "git+https", "git+http", "git+file", "ssh", "github", "gitlab", "bitbucket":
		return lockfiles.SourceGit
	case "http", "https":
		if strings.Contains(rest, "#commit=") || strings.Contains(rest, "#commit:") {
			return lockfiles.SourceGit
		}
		return lockfiles.SourceURL
	}
	if strings.Contains(ref, "#commit=") {
		return lockfiles.SourceGit
	}
	return lockfiles.SourceURL
}

// classicPackage interprets a yarn v1 entry from its descriptors and fields.
func classicPackage(e *entry) lockfiles.Package {
	name, _ := splitSpec(e.specs[0])
	pkg := lockfiles.Package{Name: name, Version: e.version, Integrity: e.integrity, Resolved: e.resolved}
	for _, s := range e.specs {
		n, rng := splitSpec(s)
		if alias, ok := strings.CutPrefix(rng, "npm:"); ok {
			// "ansi-regex-cjs@npm:ansi-regex@^5.0.0" installs ansi-regex under another name.
			if real, _ := splitSpec(alias); real != "" && strings.IndexByte(alias[1:], '@') >= 0 {
				pkg.Name, pkg.Alias = real, n
			}
			continue
		}
		if src := classicSource(rng, e.resolved); src != lockfiles.SourceRegistry {
			pkg.Source = src
			break
		}
	}
	if pkg.Source == lockfiles.SourceRegistry {
		switch {
		case lockfiles.HasAnyPrefix(e.resolved, "git+", "git:", "ssh:"):
			pkg.Source = lockfiles.SourceGit
		case strings.HasPrefix(e.resolved, "file:"):
			pkg.Source = lockfiles.SourceLocal
		}
	}
	return pkg
}

// classicSource classifies a yarn v1 range by its protocol or shape.
func classicSource(rng, resolved string) string {
	switch {
	case rng == "":
		return lockfiles.SourceRegistry
	case lockfiles.HasAnyPrefix(rng, "file:", "link:", "portal:", "workspace:"):
		return lockfiles.SourceLocal
	case lockfiles.HasAnyPrefix(rng, "git+", "git:", "git@", "ssh:", "github:", "gitlab:", "bitbucket:"):
		return lockfiles.SourceGit
	case lockfiles.HasAnyPrefix(rng, "http:", "https:"):
		u, _, _ := strings.Cut(rng, "#")
		if lockfiles.HasAnyPrefix(resolved, "git+", "git:", "ssh:") || strings.HasSuffix(u, ".git") ||
			(!strings.HasSuffix(u, ".tgz") && !strings.HasSuffix(u, ".tar.gz") &&
				(strings.Contains(u, "github.com/") || strings.Contains(u, "gitlab.com/") || strings.Contains(u, "bitbucket.org/"))) {
			return lockfiles.SourceGit
		}
		return lockfiles.SourceURL
	case strings.IndexByte(rng, '/') > 0 && !strings.Contains(rng, ":"):
		// GitHub shorthand "owner/repo#ref"; semver ranges never hold a slash.
		return lockfiles.SourceGit
	}
	return lockfiles.SourceRegistry
}

// splitSpec splits "name@range" (name possibly scoped, "@scope/name@range").
// A descriptor without a range ("balanced-match") is all name.
func splitSpec(s string) (name, rng string) {
	if len(s) < 2 {
		return s, ""
	}
	i := strings.IndexByte(s[1:], '@')
	if i < 0 {
		return s, ""
	}
	return s[:i+1], s[i+2:]
}

// splitSpecs splits an entry header into its descriptors. v1 quotes each
// descriptor ("a@^1", "a@^2"); berry quotes the whole list ("a@npm:^1, a@npm:^2").
func splitSpecs(header string) ([]string, error) {
	var specs []string
	s := header
	for {
		s = strings.TrimLeft(s, " ")
		if s == "" {
			break
		}
		var part string
		if s[0] == '"' {
			end := closingQuote(s)
			if end < 0 {
				return nil, fmt.Errorf("unterminated quote in %q", truncateString(header))
			}
			u, err := unquote(s[:end+1])
			if err != nil {
				return nil, fmt.Errorf("bad quoted descriptor %q: %w", truncateString(s[:end+1]), err)
			}
			part, s = u, s[end+1:]
			s = strings.TrimLeft(s, " ")
			if s != "" {
				if s[0] != ',' {
					return nil, fmt.Errorf("expected ',' after %q", truncateString(part))
				}
				s = s[1:]
			}
		} else {
			part, s, _ = strings.Cut(s, ",")
		}
		for d := range strings.SplitSeq(part, ", ") {
			d = strings.TrimSpace(d)
			if d == "" {
				return nil, fmt.Errorf("empty descriptor in %q", truncateString(header))
			}
			specs = append(specs, d)
		}
	}
	if len(specs) == 0 {
		return nil, fmt.Errorf("no descriptor")
	}
	return specs, nil
}

// closingQuote returns the index of the quote closing the string s starts
// with, honouring backslash escapes, or -1.
func closingQuote(s string) int {
	for i := 1; i < len(s); i++ {
		switch s[i] {
		case '\\':
			i++
		case '"':
			return i
		}
	}
	return -1
}

// unquote removes double quotes; escapes (rare in lockfiles) go through
// strconv, whose escape syntax covers the JSON-style escapes yarn writes.
func unquote(q string) (string, error) {
	if strings.IndexByte(q, '\\') < 0 {
		return q[1 : len(q)-1], nil
	}
	return strconv.Unquote(q)
}

// field splits an entry field line (indentation removed): v1 writes
// `key "value"` or `key value`, berry `key: value`; either may quote the key.
// A key alone (`dependencies:`) opens a nested block and has no value. Only
// the values of wanted keys are converted to strings (this runs on most lines).
func field(line []byte) (key, value string, err error) {
	var k []byte
	quoted := line[0] == '"'
	if quoted {
		end := bytes.IndexByte(line[1:], '"')
		if end < 0 {
			return "", "", fmt.Errorf("unterminated quoted key")
		}
		k, line = line[1:end+1], line[end+2:]
	} else {
		end := bytes.IndexAny(line, " :")
		if end < 0 {
			end = len(line)
		}
		k, line = line[:end], line[end:]
	}
	switch string(k) { // no allocation: the compiler compares the bytes
	case "version", "resolved", "integrity", "resolution", "checksum":
		key = string(k)
	default:
		return "", "", nil
	}
	if quoted && bytes.IndexByte(k, '\\') >= 0 {
		return "", "", fmt.Errorf("escaped key %q", k)
	}
	s := string(bytes.TrimSpace(bytes.TrimPrefix(line, []byte(":"))))
	if len(s) >= 2 && s[0] == '"' {
		if closingQuote(s) != len(s)-1 {
			return "", "", fmt.Errorf("bad quoted value for %q", key)
		}
		if value, err = unquote(s); err != nil {
			return "", "", fmt.Errorf("bad quoted value for %q: %w", key, err)
		}
		return key, value, nil
	}
	if len(s) >= 2 && s[0] == '\'' && s[len(s)-1] == '\'' {
		return key, strings.ReplaceAll(s[1:len(s)-1], "''", "'"), nil
	}
	return key, s, nil
}

// hasFullSHA reports whether a git reference ends in a full 40-hex commit:
// "…#<sha>", "…#commit=<sha>", or a codeload ".../tar.gz/<sha>".
func hasFullSHA(ref string) bool {
	if i := strings.LastIndexAny(ref, "#=/:"); i >= 0 {
		ref = ref[i+1:]
	}
	return lockfiles.IsCommitSHA(ref)
}

func truncate(b []byte) string { return truncateString(string(b)) }

func truncateString(s string) string {
	if len(s) > 80 {
		return s[:80] + "…"
	}
	return s
}
