package diff

import (
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"sort"

	"github.com/go-git/go-git/v5"
)

// FromWorkTree computes the change set from base to the work tree of the
// repository at (or above) repoDir: what was committed since base, plus what
// is staged, modified, deleted or new (untracked and not ignored) in the work
// tree. It is what a developer means by "my change" before committing; in
// Actions the checkout is clean and FromGit with the head SHA is used.
//
// The committed part is FromGit(base, "HEAD") with its renames; a file the
// work tree changes again is re-read from disk. HeadFS is the work tree,
// opened through os.Root so that no symbolic link leads out of it. With a
// clean work tree the result is FromGit's; otherwise a note says how many
// uncommitted files were read.
func FromWorkTree(ctx context.Context, repoDir, base string, opts Options) (*ChangeSet, error) {
	opts = opts.withDefaults()
	cs, err := FromGit(ctx, repoDir, base, "HEAD", opts)
	if err != nil {
		return nil, err
	}
	ok := false
	defer func() {
		if !ok {
			cs.Close()
		}
	}()
	found, err := plainOpen(repoDir)
	if err != nil {
		return nil, err
	}
	wt, err := found.Worktree()
	if err != nil {
		return nil, fmt.Errorf("work tree of %s: %w", repoDir, err)
	}
	status, err := wt.Status()
	if err != nil {
		return nil, fmt.Errorf("work tree status of %s: %w", repoDir, err)
	}
	var dirty []string
	for p, s := range status {
		if s.Staging != git.Unmodified || s.Worktree != git.Unmodified {
			dirty = append(dirty, p)
		}
	}
	if len(dirty) == 0 {
		ok = true
		return cs, nil
	}
	sort.Strings(dirty)
	root, err := os.OpenRoot(wt.Filesystem.Root())
	if err != nil {
		return nil, fmt.Errorf("open work tree: %w", err)
	}
	prevClose := cs.close
	cs.close = func() {
		_ = root.Close()
		if prevClose != nil {
			prevClose()
		}
	}
	cs.HeadFS = root.FS()

	// The committed changes by head path; a dirty path replaces its entry.
	byPath := make(map[string]int, len(cs.Files))
	for i, f := range cs.Files {
		byPath[f.Path] = i
	}
	var removed []int
	for _, p := range dirty {
		if err := ctx.Err(); err != nil {
			return nil, err
		}
		basePath := p
		i, committed := byPath[p]
		if committed && cs.Files[i].OldPath != "" {
			basePath = cs.Files[i].OldPath // renamed since base, then edited
		}
		fc, changed, err := workTreeChange(cs, p, basePath, opts)
		if err != nil {
			return nil, err
		}
		switch {
		case committed && changed:
			cs.Files[i] = fc
		case committed:
			removed = append(removed, i) // the work tree undoes the commit
		case changed:
			cs.Files = append(cs.Files, fc)
		}
	}
	if len(removed) > 0 {
		drop := map[int]bool{}
		for _, i := range removed {
			drop[i] = true
		}
		kept := cs.Files[:0]
		for i, f := range cs.Files {
			if !drop[i] {
				kept = append(kept, f)
			}
		}
		cs.Files = kept
	}
	if len(cs.Files) > opts.MaxFiles {
		return nil, fmt.Errorf("%d files changed, limit %d: %w", len(cs.Files), opts.MaxFiles, ErrTooManyFiles)
	}
	sortFiles(cs.Files)
	cs.Notes = append(cs.Notes, fmt.Sprintf("head: the work tree (HEAD %s and %d uncommitted files)", cs.Head[:12], len(dirty)))
	ok = true
	return cs, nil
}

// workTreeChange compares basePath at base with p in the work tree. changed
// is false when both sides are absent or hold the same bytes.
func workTreeChange(cs *ChangeSet, p, basePath string, opts Options) (fc FileChange, changed bool, err error) {
	fc.Path = p
	fc.Lockfile = opts.isLockfile(&fc)
	limit := opts.MaxFileSize
	if fc.Lockfile && opts.MaxLockfileSize > limit {
		limit = opts.MaxLockfileSize
	}
	baseContent, baseOK, baseLarge, err := readLimited(cs.BaseFS, basePath, limit)
	if err != nil {
		return fc, false, fmt.Errorf("read %s at base: %w", basePath, err)
	}
	headContent, headOK, headLarge, err := readLimited(cs.HeadFS, p, limit)
	if err != nil {
		return fc, false, fmt.Errorf("read %s in the work tree: %w", p, err)
	}
	switch {
	case !baseOK && !headOK:
		return fc, false, nil
	case !baseOK:
		fc.Status = StatusAdded
	case !headOK:
		fc.Path, fc.Status = basePath, StatusDeleted
	case basePath != p:
		fc.OldPath, fc.Status = basePath, StatusRenamed
	default:
		fc.Status = StatusModified
	}
	if baseLarge || headLarge {
		fc.TooLarge = true
		cs.Notes = append(cs.Notes, fmt.Sprintf("%s: larger than %d bytes, added lines not computed", fc.Path, limit))
		return fc, true, nil
	}
	if fc.Status == StatusModified && string(baseContent) == string(headContent) {
		return fc, false, nil
	}
	fc, note := finishFileChange(fc, baseContent, headContent, opts)
	if note != "" {
		cs.Notes = append(cs.Notes, note)
	}
	return fc, true, nil
}

// readLimited reads a regular file of fsys up to limit bytes. ok is false
// when the file does not exist (or is not a regular file: a directory, a
// symbolic link, a submodule); tooLarge is true, with no content, past limit.
func readLimited(fsys fs.FS, p string, limit int64) (content []byte, ok, tooLarge bool, err error) {
	if fsys == nil {
		return nil, false, false, nil
	}
	info, err := fs.Lstat(fsys, p)
	if err != nil {
		if errors.Is(err, fs.ErrNotExist) {
			return nil, false, false, nil
		}
		return nil, false, false, err
	}
	if !info.Mode().IsRegular() {
		return nil, false, false, nil
	}
	if info.Size() > limit {
		return nil, true, true, nil
	}
	f, err := fsys.Open(p)
	if err != nil {
		return nil, false, false, err
	}
	defer f.Close()
	content, err = io.ReadAll(io.LimitReader(f, limit+1))
	if err != nil {
		return nil, false, false, err
	}
	if int64(len(content)) > limit {
		return nil, true, true, nil
	}
	return content, true, false, nil
}
