package diff

import (
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
)

// FromDirectory returns the change set of a sweep of dir: no base, no changed
// files, HeadFS the directory itself, opened through os.Root so that a
// symbolic link cannot lead a reader outside it. Checks in a sweep read every
// file of HeadFS; nothing is "added".
func FromDirectory(dir string) (*ChangeSet, error) {
	fi, err := os.Stat(dir)
	if err != nil {
		return nil, fmt.Errorf("sweep %s: %w", dir, err)
	}
	if !fi.IsDir() {
		return nil, fmt.Errorf("sweep %s: not a directory", dir)
	}
	root, err := os.OpenRoot(dir)
	if err != nil {
		return nil, fmt.Errorf("sweep %s: %w", dir, err)
	}
	head := &TreeFS{FS: root.FS(), walked: os.DirFS(dir)}
	return &ChangeSet{Source: SourceDirectory, Files: []FileChange{}, HeadFS: head, close: func() { root.Close() }}, nil
}

// TreeFS is a directory tree read through os.Root, so that no path, however
// built (a requirements include, a go.work use), leads outside it through a
// symbolic link.
type TreeFS struct {
	fs.FS
	walked fs.FS
}

// Walked returns a view of the tree for a reader that only opens what its
// own walk of that view found: regular files reached through real
// directories (fs.WalkDir never descends into a link), so it does not need
// os.Root's check of every path component. Measured on the secrets
// benchmark's 110 MB, 14,731-file tree: a sweep read through os.Root took
// 1.49 s (0.9 s of it system time), through this view 1.02 s.
func (t *TreeFS) Walked() fs.FS { return t.walked }

// Stat, ReadDir, ReadFile, Lstat and ReadLink pass through to the tree, so
// that a TreeFS offers what os.Root's file system does (fs.ReadLinkFS
// included: readers tell a symbolic link from the file it names).
func (t *TreeFS) Stat(name string) (fs.FileInfo, error) { return fs.Stat(t.FS, name) }

// ReadDir implements fs.ReadDirFS.
func (t *TreeFS) ReadDir(name string) ([]fs.DirEntry, error) { return fs.ReadDir(t.FS, name) }

// ReadFile implements fs.ReadFileFS.
func (t *TreeFS) ReadFile(name string) ([]byte, error) { return fs.ReadFile(t.FS, name) }

// Lstat implements fs.ReadLinkFS.
func (t *TreeFS) Lstat(name string) (fs.FileInfo, error) { return fs.Lstat(t.FS, name) }

// ReadLink implements fs.ReadLinkFS.
func (t *TreeFS) ReadLink(name string) (string, error) { return fs.ReadLink(t.FS, name) }

// FromFile returns the change set of a sweep of one file: the tree of its
// directory (so that a requirements include or a go.sum beside it can still
// be read), walked as if the file were all it holds.
func FromFile(file string) (*ChangeSet, error) {
	fi, err := os.Stat(file)
	if err != nil {
		return nil, fmt.Errorf("sweep %s: %w", file, err)
	}
	if !fi.Mode().IsRegular() {
		return nil, fmt.Errorf("sweep %s: not a regular file", file)
	}
	dir, name := filepath.Split(file)
	if dir == "" {
		dir = "."
	}
	cs, err := FromDirectory(dir)
	if err != nil {
		return nil, err
	}
	t := cs.HeadFS.(*TreeFS)
	cs.HeadFS = &TreeFS{FS: onlyFS{t.FS, name}, walked: onlyFS{t.walked, name}}
	return cs, nil
}

// onlyFS lists one file at its root: a walk finds that file alone, while
// Open still reaches the rest of the tree.
type onlyFS struct {
	fs.FS
	name string
}

// ReadDir implements fs.ReadDirFS: the root lists the one file.
func (o onlyFS) ReadDir(dir string) ([]fs.DirEntry, error) {
	entries, err := fs.ReadDir(o.FS, dir)
	if err != nil || dir != "." {
		return entries, err
	}
	for _, e := range entries {
		if e.Name() == o.name {
			return []fs.DirEntry{e}, nil
		}
	}
	return nil, nil
}

// Lstat implements fs.ReadLinkFS, so that a link is still told from a file.
func (o onlyFS) Lstat(name string) (fs.FileInfo, error) { return fs.Lstat(o.FS, name) }

// ReadLink implements fs.ReadLinkFS.
func (o onlyFS) ReadLink(name string) (string, error) { return fs.ReadLink(o.FS, name) }
