// Package lockfiles holds tollgate's dependency inventory: the Package record,
// the Parser interface every lockfile format implements, discovery of lockfiles
// in a tree, package URLs, and the delta between two inventories.
//
// Each format lives in its own sub-package (lockfiles/npmlock, lockfiles/cargolock,
// ...) behind the Parser interface; lockfiles/all lists them. Data flows one way:
// formats import this package, never the reverse.
package lockfiles

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"net/url"
	"strings"
)

// OSV ecosystem names, as used in Package.Ecosystem and in OSV records.
const (
	EcosystemNPM           = "npm"
	EcosystemPyPI          = "PyPI"
	EcosystemRubyGems      = "RubyGems"
	EcosystemNuGet         = "NuGet"
	EcosystemGo            = "Go"
	EcosystemCrates        = "crates.io"
	EcosystemPackagist     = "Packagist"
	EcosystemPub           = "Pub"
	EcosystemGitHubActions = "GitHub Actions"
	// EcosystemMaven names packages "group:artifact", as OSV does.
	EcosystemMaven = "Maven"
	// EcosystemDocker is not an OSV ecosystem; it marks docker:// images used by workflows.
	EcosystemDocker = "Docker"
)

// Source kinds for Package.Source. The empty string means the package comes
// from its ecosystem's package registry.
const (
	SourceRegistry = ""
	// SourceLocal marks workspace members, links, path and file dependencies,
	// and npm "0.0.0-use.local" entries: code that lives in the repository.
	SourceLocal = "local"
	// SourceGit marks dependencies fetched from a git repository.
	SourceGit = "git"
	// SourceURL marks dependencies fetched from a direct URL (tarball, wheel).
	SourceURL = "url"
	// SourceUnpinned marks requirements without an exact version (e.g. "requests>=2").
	SourceUnpinned = "unpinned"
)

// Package is one dependency entry of a lockfile. JSON field names are part of
// the CLI contract (DESIGN.md).
type Package struct {
	Ecosystem string `json:"ecosystem"`
	Name      string `json:"name"`
	Version   string `json:"version"`
	PURL      string `json:"purl"`
	// Path is the lockfile path relative to the scanned root, with forward slashes.
	Path string `json:"path"`
	// Line is the 1-based line where the entry starts (0 when unknown).
	Line   int  `json:"line"`
	Direct bool `json:"direct"`
	Dev    bool `json:"dev"`
	// Integrity is the hash as written in the lockfile, if any.
	Integrity string `json:"integrity,omitempty"`
	// Resolved is the download URL or source reference, if any.
	Resolved string `json:"resolved,omitempty"`
	// Source is one of the Source* constants; empty for registry packages.
	Source string `json:"source,omitempty"`
	// Alias is the name the package is installed under when it differs from
	// Name (npm "npm:" aliases).
	Alias string `json:"alias,omitempty"`
	// PinnedSHA is true for GitHub Actions (and git dependencies) whose ref is a
	// full commit SHA.
	PinnedSHA bool `json:"pinned_sha,omitempty"`
}

// Default limits, chosen to cover the largest real lockfiles seen (theia's
// package-lock.json is ~1.5 MB) with ample margin.
const (
	DefaultMaxFileSize  = 64 << 20 // bytes per lockfile
	DefaultMaxDepth     = 256      // nesting of JSON/YAML/TOML values
	DefaultMaxYAMLAlias = 10000    // YAML alias expansions per document
	DefaultMaxIncludes  = 32       // requirements.txt -r/-c include depth
	DefaultMaxPackages  = 1000000  // entries per lockfile
	DefaultMaxDocuments = 16       // YAML documents in one stream
)

// Limits bound the work a parser does on one file. Zero fields mean the default.
type Limits struct {
	MaxFileSize  int64
	MaxDepth     int
	MaxYAMLAlias int
	MaxIncludes  int
	MaxPackages  int
	MaxDocuments int
}

// WithDefaults returns l with every zero field set to its default.
func (l Limits) WithDefaults() Limits {
	if l.MaxFileSize <= 0 {
		l.MaxFileSize = DefaultMaxFileSize
	}
	if l.MaxDepth <= 0 {
		l.MaxDepth = DefaultMaxDepth
	}
	if l.MaxYAMLAlias <= 0 {
		l.MaxYAMLAlias = DefaultMaxYAMLAlias
	}
	if l.MaxIncludes <= 0 {
		l.MaxIncludes = DefaultMaxIncludes
	}
	if l.MaxPackages <= 0 {
		l.MaxPackages = DefaultMaxPackages
	}
	if l.MaxDocuments <= 0 {
		l.MaxDocuments = DefaultMaxDocuments
	}
	return l
}

// Input is what a parser gets for one file.
type Input struct {
	// Path is the file path relative to the scanned root, with forward slashes.
	Path string
	// Content is the whole file (already bounded by Limits.MaxFileSize).
	Content []byte
	// FS is the tree the file came from, rooted at the scanned root; parsers use
	// it for sibling files (go.sum next to go.mod) and includes (requirements -r).
	// It may be nil, in which case such lookups are skipped and said so in errors.
	FS fs.FS
	// Limits bound parsing; always filled with defaults by the caller.
	Limits Limits
}

// Parser reads one lockfile format.
type Parser interface {
	// Name identifies the format, e.g. "npm/package-lock.json".
	Name() string
	// Match reports whether the file at path (forward slashes) is of this format.
	Match(path string) bool
	// Parse returns the packages of the file. On malformed input it returns a
	// *ParseError naming the file and, where known, the line.
	Parse(ctx context.Context, in *Input) ([]Package, error)
}

// Includer is a Parser whose files can read other files that it does not
// Match on their own: a requirements file's -r and -c includes
// (constraints.txt, common.txt). A change to such a file changes the
// packages of the files that include it.
type Includer interface {
	Parser
	// MayInclude reports whether a file of this format could read the file at
	// path (forward slashes) as an include.
	MayInclude(path string) bool
}

// ParseError is a malformed-input error naming the file and the line.
type ParseError struct {
	Path string
	Line int // 0 when unknown
	Err  error
}

func (e *ParseError) Error() string {
	if e.Line > 0 {
		return fmt.Sprintf("parse %s:%d: %v", e.Path, e.Line, e.Err)
	}
	return fmt.Sprintf("parse %s: %v", e.Path, e.Err)
}

func (e *ParseError) Unwrap() error { return e.Err }

// Errorf builds a *ParseError for path and line.
func Errorf(path string, line int, format string, args ...any) error {
	return &ParseError{Path: path, Line: line, Err: fmt.Errorf(format, args...)}
}

// ErrLimit is wrapped by errors caused by a Limits bound being exceeded.
var ErrLimit = errors.New("limit exceeded")

// LimitErrorf builds a *ParseError wrapping ErrLimit.
func LimitErrorf(path string, line int, format string, args ...any) error {
	return &ParseError{Path: path, Line: line, Err: fmt.Errorf("%w: %s", ErrLimit, fmt.Sprintf(format, args...))}
}

// IsCommitSHA reports whether ref is a full 40-hex-digit git commit id
// (SHA-1), in either letter case.
func IsCommitSHA(ref string) bool {
	return len(ref) == 40 && isHex(ref)
}

// IsCommitSHAOrSHA256 is IsCommitSHA that also accepts a 64-hex-digit
// commit id, as repositories in git's SHA-256 object format have (a GitHub
// Actions "uses:" may pin one).
func IsCommitSHAOrSHA256(ref string) bool {
	return (len(ref) == 40 || len(ref) == 64) && isHex(ref)
}

func isHex(s string) bool {
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !(c >= '0' && c <= '9' || c >= 'a' && c <= 'f' || c >= 'A' && c <= 'F') {
			return false
		}
	}
	return true
}

// HasAnyPrefix reports whether s starts with one of prefixes: the parsers
// tell sources apart by their scheme or host ("git+", "file:", "github.com/").
func HasAnyPrefix(s string, prefixes ...string) bool {
	for _, p := range prefixes {
		if strings.HasPrefix(s, p) {
			return true
		}
	}
	return false
}

// DownloadHost returns the scheme and the host of a Resolved URL: the scheme
// in lower case without a "registry+"/"sparse+" prefix (Cargo's index URLs),
// the host in lower case without a trailing dot. Both are "" when resolved
// is not a URL with a host: a path, a workspace reference, or scp-style git
// ("git@host:path"); scheme alone is "" for a scheme-relative "//host/...".
func DownloadHost(resolved string) (scheme, host string) {
	if resolved == "" {
		return "", ""
	}
	u, err := url.Parse(resolved)
	if err != nil || u.Host == "" {
		return "", ""
	}
	scheme = strings.ToLower(u.Scheme)
	for _, prefix := range []string{"registry+", "sparse+"} {
		scheme = strings.TrimPrefix(scheme, prefix)
	}
	return scheme, strings.ToLower(strings.TrimSuffix(u.Hostname(), "."))
}
