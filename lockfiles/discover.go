package lockfiles

import (
	"bytes"
	"cmp"
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"path"
	"path/filepath"
	"runtime"
	"slices"
	"sort"
	"strings"
	"sync"
)

// SkippedDirs are directory names never descended into: installed dependency
// trees and version-control metadata, which hold other projects' lockfiles.
var SkippedDirs = map[string]bool{
	"node_modules": true, "vendor": true, ".git": true, ".hg": true, ".svn": true,
	"bower_components": true, ".venv": true, "venv": true, ".tox": true,
	"__pycache__": true, ".terraform": true, ".yarn": true, ".pnpm-store": true,
}

// DiscoverOptions tune discovery. The zero value is usable.
type DiscoverOptions struct {
	Limits Limits
	// Workers is the number of files parsed at once; 0 means GOMAXPROCS.
	Workers int
	// Exclude, when set, drops files (and whole directories) whose
	// slash-separated path it returns true for.
	Exclude func(path string) bool
}

// FileError is a lockfile that could not be read or parsed.
type FileError struct {
	Path   string `json:"path"`
	Parser string `json:"parser"`
	Err    error  `json:"-"`
	// Message is Err's text, for JSON output.
	Message string `json:"error"`
}

func (e *FileError) Error() string { return e.Err.Error() }
func (e *FileError) Unwrap() error { return e.Err }

// File is one lockfile found, with the parser that reads it.
type File struct {
	Path   string
	Parser Parser
}

// Inventory is the result of reading every lockfile of a tree.
type Inventory struct {
	// Files are the lockfile paths read, sorted.
	Files []string `json:"files"`
	// Packages are sorted by path, then line.
	Packages []Package `json:"packages"`
	// Errors name every lockfile that could not be read; the others still report.
	Errors []*FileError `json:"errors,omitempty"`
}

// Find walks fsys and returns every file a parser matches, sorted by path.
// The first matching parser wins.
func Find(ctx context.Context, fsys fs.FS, parsers []Parser, exclude func(string) bool) ([]File, error) {
	var files []File
	err := fs.WalkDir(fsys, ".", func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			if p == "." {
				return err
			}
			// An unreadable directory is reported as a file error by the caller's
			// parse step; here it is skipped so the rest of the tree is still read.
			return nil
		}
		if ctxErr := ctx.Err(); ctxErr != nil {
			return ctxErr
		}
		if d.IsDir() {
			if p != "." && (SkippedDirs[d.Name()] || (exclude != nil && exclude(p))) {
				return fs.SkipDir
			}
			return nil
		}
		// A symbolic link a parser matches is listed, so that ParseFile
		// reports it instead of the walk passing it by in silence.
		if !d.Type().IsRegular() && d.Type()&fs.ModeSymlink == 0 || (exclude != nil && exclude(p)) {
			return nil
		}
		for _, pr := range parsers {
			if pr.Match(p) {
				files = append(files, File{Path: p, Parser: pr})
				break
			}
		}
		return nil
	})
	sort.Slice(files, func(i, j int) bool { return files[i].Path < files[j].Path })
	return files, err
}

// Discover finds and parses every lockfile of fsys. A file that cannot be read
// or parsed is recorded in Inventory.Errors and the others still report; the
// returned error is only for a failure to walk the tree at all or a cancelled
// context.
func Discover(ctx context.Context, fsys fs.FS, parsers []Parser, opts DiscoverOptions) (*Inventory, error) {
	// The walk may use a tree's faster walked view (diff.TreeFS): it opens
	// only directories it found. Files are still read, and includes
	// resolved, through fsys itself.
	walk := fsys
	if w, ok := fsys.(interface{ Walked() fs.FS }); ok {
		walk = w.Walked()
	}
	files, err := Find(ctx, walk, parsers, opts.Exclude)
	if err != nil {
		return nil, fmt.Errorf("walk: %w", err)
	}
	return ParseFiles(ctx, fsys, files, opts), nil
}

// ParseFiles parses files concurrently and merges the results.
func ParseFiles(ctx context.Context, fsys fs.FS, files []File, opts DiscoverOptions) *Inventory {
	limits := opts.Limits.WithDefaults()
	workers := opts.Workers
	if workers <= 0 {
		workers = runtime.GOMAXPROCS(0)
	}
	type result struct {
		pkgs []Package
		err  *FileError
	}
	results := make([]result, len(files))
	jobs := make(chan int)
	var wg sync.WaitGroup
	for w := 0; w < workers; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range jobs {
				pkgs, err := ParseFile(ctx, fsys, files[i].Path, files[i].Parser, limits)
				if err != nil {
					results[i].err = &FileError{Path: files[i].Path, Parser: files[i].Parser.Name(), Err: err, Message: err.Error()}
					continue
				}
				results[i].pkgs = pkgs
			}
		}()
	}
	for i := range files {
		jobs <- i
	}
	close(jobs)
	wg.Wait()

	// One exact allocation for the merged list, and each file's slice let go
	// of as soon as it is copied: on a large tree this bounds peak memory to
	// about one copy of the packages instead of the append-doubling's three.
	total := 0
	for _, r := range results {
		total += len(r.pkgs)
	}
	inv := &Inventory{Files: make([]string, 0, len(files)), Packages: make([]Package, 0, total)}
	for i := range results {
		inv.Files = append(inv.Files, files[i].Path)
		if results[i].err != nil {
			inv.Errors = append(inv.Errors, results[i].err)
			continue
		}
		inv.Packages = append(inv.Packages, results[i].pkgs...)
		results[i].pkgs = nil
	}
	SortPackages(inv.Packages)
	inv.Packages = dedupe(inv.Packages)
	return inv
}

// dedupe merges entries identical to the one before them in sorted order: a
// requirements file included by another (-r, -c) and also found on its own
// yields the same entries, with the same path and line, twice. The two
// readings may differ in Direct (a constraint is not asked for; the same line
// read on its own is) and Dev: the merged entry is direct if either is, and
// dev only if both are.
func dedupe(pkgs []Package) []Package {
	if len(pkgs) < 2 {
		return pkgs
	}
	out := pkgs[:1]
	for _, p := range pkgs[1:] {
		last := &out[len(out)-1]
		q := p
		q.Direct, q.Dev = last.Direct, last.Dev
		if q != *last {
			out = append(out, p)
			continue
		}
		last.Direct = last.Direct || p.Direct
		last.Dev = last.Dev && p.Dev
	}
	return out
}

// ParseFile reads one file from fsys, bounded by limits.MaxFileSize, and parses
// it. It fills Path and PURL where the parser left them empty.
func ParseFile(ctx context.Context, fsys fs.FS, p string, parser Parser, limits Limits) (pkgs []Package, err error) {
	limits = limits.WithDefaults()
	if err := notSymlink(fsys, p); err != nil {
		return nil, err
	}
	content, err := ReadFileLimited(fsys, p, limits.MaxFileSize)
	if err != nil {
		return nil, err
	}
	defer func() {
		// Parsers must not panic; if one does on hostile input, the scan goes
		// on and the file is reported, never the process lost.
		if r := recover(); r != nil {
			pkgs, err = nil, Errorf(p, 0, "parser %s failed: %v", parser.Name(), r)
		}
	}()
	pkgs, err = parser.Parse(ctx, &Input{Path: p, Content: content, FS: fsys, Limits: limits})
	if err != nil {
		var pe *ParseError
		if !errors.As(err, &pe) {
			err = &ParseError{Path: p, Err: err}
		}
		return nil, err
	}
	if len(pkgs) > limits.MaxPackages {
		return nil, LimitErrorf(p, 0, "more than %d packages", limits.MaxPackages)
	}
	for i := range pkgs {
		if pkgs[i].Path == "" {
			pkgs[i].Path = p
		}
		if pkgs[i].PURL == "" {
			pkgs[i].PURL = PURL(pkgs[i].Ecosystem, pkgs[i].Name, pkgs[i].Version, nil)
		}
		// Tokens in private-registry URLs must never reach a report.
		pkgs[i].Resolved = RedactURL(pkgs[i].Resolved)
		pkgs[i].PURL = redactPURL(pkgs[i].PURL)
	}
	return pkgs, nil
}

// notSymlink fails for a symbolic link: a lockfile must be a regular file of
// the tree. Followed, a link could make the scan read a file elsewhere (or
// judge a lockfile other than the one the package manager reads); read as
// text, as a git tree holds it, it would parse as nothing. The error names
// the target, relative to the repository when it stays inside it.
func notSymlink(fsys fs.FS, p string) error {
	var fi fs.FileInfo
	var err error
	if lfs, ok := fsys.(fs.ReadLinkFS); ok {
		fi, err = lfs.Lstat(p)
	} else {
		fi, err = fs.Stat(fsys, p)
	}
	if err != nil || fi.Mode()&fs.ModeSymlink == 0 {
		return nil // a missing file is ReadFileLimited's to report
	}
	var target string
	if lfs, ok := fsys.(fs.ReadLinkFS); ok {
		target, err = lfs.ReadLink(p)
	} else {
		// Trees read from git hold a link as a file whose content is its target.
		var b []byte
		b, err = ReadFileLimited(fsys, p, 4096)
		target = string(b)
	}
	switch {
	case err != nil:
		target = "an unreadable target"
	case path.IsAbs(target) || filepath.IsAbs(target):
		target = "a path outside the repository"
	default:
		if t := path.Join(path.Dir(p), filepath.ToSlash(target)); t == ".." || strings.HasPrefix(t, "../") {
			target = "a path outside the repository"
		} else {
			target = t
		}
	}
	return Errorf(p, 0, "is a symbolic link to %s; a lockfile must be a regular file, so it was not read", target)
}

// ReadFileLimited reads a file of fsys, failing with ErrLimit when it is larger
// than max bytes.
func ReadFileLimited(fsys fs.FS, p string, max int64) ([]byte, error) {
	f, err := fsys.Open(p)
	if err != nil {
		return nil, fmt.Errorf("read %s: %w", p, err)
	}
	defer f.Close()
	var buf bytes.Buffer
	if st, err := f.Stat(); err == nil {
		if st.Size() > max {
			return nil, LimitErrorf(p, 0, "file is %d bytes, larger than the %d-byte limit", st.Size(), max)
		}
		// Sized from Stat (plus bytes.MinRead, so the final read that sees EOF
		// fits): io.ReadAll's doubling allocated about twice the corpus.
		buf.Grow(int(st.Size()) + bytes.MinRead)
	}
	if _, err := buf.ReadFrom(io.LimitReader(f, max+1)); err != nil {
		return nil, fmt.Errorf("read %s: %w", p, err)
	}
	if int64(buf.Len()) > max {
		return nil, LimitErrorf(p, 0, "file is larger than the %d-byte limit", max)
	}
	return buf.Bytes(), nil
}

// SortPackages orders packages by path, line, ecosystem, name and version.
func SortPackages(pkgs []Package) {
	slices.SortStableFunc(pkgs, func(a, b Package) int {
		if c := strings.Compare(a.Path, b.Path); c != 0 {
			return c
		}
		if c := cmp.Compare(a.Line, b.Line); c != 0 {
			return c
		}
		if c := strings.Compare(a.Ecosystem, b.Ecosystem); c != 0 {
			return c
		}
		if c := strings.Compare(a.Name, b.Name); c != 0 {
			return c
		}
		return strings.Compare(a.Version, b.Version)
	})
}

// Base returns the last element of a slash-separated path; a convenience for
// Match implementations.
func Base(p string) string { return path.Base(p) }
