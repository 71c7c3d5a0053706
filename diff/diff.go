// Package diff computes what a pull request (or a push) changes: the changed
// files with their status, the base and head contents of every lockfile among
// them, the lines each text file gains with their head line numbers, and
// io/fs views of the base and head trees so lockfile parsers can read both
// sides.
//
// Three sources produce a ChangeSet, each naming itself in ChangeSet.Source:
// local git history read in Go (FromGit, no git binary needed), the GitHub
// REST API (FromGitHub, FromGitHubCompare) when the clone lacks the base, and a
// plain directory (FromDirectory) for sweeps. Auto picks among them.
package diff

import (
	"errors"
	"io/fs"
	"path"
	"strings"
)

// Sources, as written in ChangeSet.Source.
const (
	SourceGit       = "git"
	SourceGitHubAPI = "github-api"
	SourceDirectory = "directory"
)

// File statuses, as written in FileChange.Status.
const (
	StatusAdded    = "added"
	StatusModified = "modified"
	StatusDeleted  = "deleted"
	StatusRenamed  = "renamed"
)

// Default limits.
const (
	// DefaultMaxFileSize bounds the size of a file whose added lines are
	// computed; larger files are listed without lines and noted.
	DefaultMaxFileSize = 10 << 20
	// DefaultMaxFiles bounds the number of changed files listed.
	DefaultMaxFiles = 100000
	// DefaultMaxLockfileSize bounds the lockfile contents kept in a FileChange
	// (lockfiles.DefaultMaxFileSize, repeated here because diff sits upstream
	// of lockfiles and must not import it).
	DefaultMaxLockfileSize = 64 << 20
	// binarySniffLen is how much of a file is searched for a NUL byte, as git does.
	binarySniffLen = 8000
)

// ErrBaseMissing is wrapped by FromGit when the base revision is not in the
// local clone (typically a shallow clone); the caller may fall back to the
// GitHub API.
var ErrBaseMissing = errors.New("base revision not in the local git history")

// ErrHeadMissing is wrapped by FromGit when the head revision is not in the
// local clone.
var ErrHeadMissing = errors.New("head revision not in the local git history")

// ErrTooManyFiles is wrapped when a change set exceeds Options.MaxFiles.
var ErrTooManyFiles = errors.New("too many changed files")

// ChangeSet is what a pull request or push changes between two trees.
type ChangeSet struct {
	// Source is SourceGit, SourceGitHubAPI or SourceDirectory.
	Source string `json:"source"`
	// Base and Head are the resolved commit SHAs compared (empty for a directory).
	Base string `json:"base,omitempty"`
	Head string `json:"head,omitempty"`
	// Files are the changed files, sorted by Path.
	Files []FileChange `json:"files"`
	// Notes say what the source could not do fully (a fallback taken, a file
	// too large for added lines, a capped file list), for the report.
	Notes []string `json:"notes,omitempty"`
	// BaseFS and HeadFS are the trees at Base and Head, rooted at the
	// repository root. BaseFS is nil for a directory sweep.
	BaseFS fs.FS `json:"-"`
	HeadFS fs.FS `json:"-"`

	// commits walks the change's commits (WalkCommits); commitsFallback is
	// tried when the local history lacks some (the GitHub API).
	commits, commitsFallback commitWalker
	close                    func()
}

// Close releases what the source holds open (the git source's packfiles).
// BaseFS and HeadFS must not be used after it. It is safe to call more than
// once, and on any source.
func (cs *ChangeSet) Close() error {
	if cs.close != nil {
		cs.close()
		cs.close = nil
	}
	return nil
}

// FileChange is one changed file.
type FileChange struct {
	// Path is the head path (the base path for a deleted file), forward slashes.
	Path string `json:"path"`
	// OldPath is the base path of a renamed file.
	OldPath string `json:"old_path,omitempty"`
	// Status is one of the Status* constants.
	Status string `json:"status"`
	// Binary is true when either side holds a NUL byte in its first 8 KB (or the
	// API gave no patch for a file it calls binary); no lines are computed.
	Binary bool `json:"binary,omitempty"`
	// Submodule is true for a gitlink (submodule pointer) change; no lines.
	Submodule bool `json:"submodule,omitempty"`
	// TooLarge is true when the file exceeds Options.MaxFileSize; no lines.
	TooLarge bool `json:"too_large,omitempty"`
	// Lockfile is true when Options.IsLockfile matches Path or OldPath; then
	// BaseContent and HeadContent hold both sides (nil where a side is absent).
	Lockfile    bool   `json:"lockfile,omitempty"`
	BaseContent []byte `json:"-"`
	HeadContent []byte `json:"-"`
	// Added are the lines the head side gains, in head line order.
	Added []Line `json:"added,omitempty"`
}

// Line is one added line.
type Line struct {
	// Number is the 1-based line number in the head file.
	Number int `json:"number"`
	// Text is the line without its newline, with a trailing CR removed.
	Text string `json:"text"`
}

// Options tune every source. The zero value is usable.
type Options struct {
	// MaxFileSize bounds files whose added lines are computed (default 10 MB).
	MaxFileSize int64
	// MaxFiles bounds the number of changed files (default 100,000); beyond it
	// the source returns an error wrapping ErrTooManyFiles.
	MaxFiles int
	// MaxLockfileSize bounds lockfile contents kept (default 64 MB).
	MaxLockfileSize int64
	// IsLockfile reports whether a slash path is a lockfile whose both sides
	// should be loaded. Nil means DefaultIsLockfile; the caller normally passes
	// a function built from the lockfile parsers' Match methods.
	IsLockfile func(path string) bool
	// MergeBase compares the merge base of base and head with head (three-dot,
	// as GitHub shows a pull request) instead of base itself (two-dot, as for a
	// push).
	MergeBase bool
	// NoRenames disables rename detection.
	NoRenames bool
}

func (o Options) withDefaults() Options {
	if o.MaxFileSize <= 0 {
		o.MaxFileSize = DefaultMaxFileSize
	}
	if o.MaxFiles <= 0 {
		o.MaxFiles = DefaultMaxFiles
	}
	if o.MaxLockfileSize <= 0 {
		o.MaxLockfileSize = DefaultMaxLockfileSize
	}
	if o.IsLockfile == nil {
		o.IsLockfile = DefaultIsLockfile
	}
	return o
}

func (o Options) isLockfile(fc *FileChange) bool {
	return o.IsLockfile(fc.Path) || (fc.OldPath != "" && o.IsLockfile(fc.OldPath))
}

// defaultLockfileNames are the well-known lockfile and manifest base names, a
// fallback for callers that do not pass IsLockfile.
var defaultLockfileNames = map[string]bool{
	"package-lock.json": true, "npm-shrinkwrap.json": true, "yarn.lock": true,
	"pnpm-lock.yaml": true, "bun.lock": true, "Cargo.lock": true, "go.mod": true,
	"go.sum": true, "poetry.lock": true, "Pipfile.lock": true, "pdm.lock": true,
	"uv.lock": true, "Gemfile.lock": true, "gems.locked": true, "composer.lock": true,
	"packages.lock.json": true, "pubspec.lock": true, "mix.lock": true,
	"gradle.lockfile": true, "pom.xml": true, "package.json": true,
}

// DefaultIsLockfile reports whether p names a well-known lockfile, a pip
// requirements file or a GitHub Actions workflow.
func DefaultIsLockfile(p string) bool {
	base := path.Base(p)
	if defaultLockfileNames[base] {
		return true
	}
	if strings.HasPrefix(base, "requirements") && strings.HasSuffix(base, ".txt") {
		return true
	}
	dir := path.Dir(p)
	if dir == ".github/workflows" && (strings.HasSuffix(base, ".yml") || strings.HasSuffix(base, ".yaml")) {
		return true
	}
	return false
}

// Lockfiles returns the changed files that are lockfiles.
func (cs *ChangeSet) Lockfiles() []FileChange {
	var out []FileChange
	for _, f := range cs.Files {
		if f.Lockfile {
			out = append(out, f)
		}
	}
	return out
}

// File returns the change for a head (or deleted) path, or nil.
func (cs *ChangeSet) File(p string) *FileChange {
	for i := range cs.Files {
		if cs.Files[i].Path == p {
			return &cs.Files[i]
		}
	}
	return nil
}

// isBinary reports whether b looks binary: a NUL byte in its first 8 KB, the
// heuristic git itself uses.
func isBinary(b []byte) bool {
	if len(b) > binarySniffLen {
		b = b[:binarySniffLen]
	}
	for _, c := range b {
		if c == 0 {
			return true
		}
	}
	return false
}
