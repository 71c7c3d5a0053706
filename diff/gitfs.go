package diff

import (
	"bytes"
	"errors"
	"io"
	"io/fs"
	"path"
	"sort"
	"sync"
	"time"

	"github.com/go-git/go-git/v5"
	"github.com/go-git/go-git/v5/plumbing/filemode"
	"github.com/go-git/go-git/v5/plumbing/object"
)

// treeFS is a read-only io/fs view of a git tree. It implements fs.FS,
// fs.ReadDirFS, fs.ReadFileFS and fs.StatFS. Submodules appear as empty
// directories; symbolic links as files of mode fs.ModeSymlink whose content is
// the link target. It is safe for concurrent use (reads are serialised on a
// lock shared with the other side's tree).
type treeFS struct {
	repo *git.Repository
	root *object.Tree
	lock *sync.Mutex
}

var (
	_ fs.ReadDirFS  = (*treeFS)(nil)
	_ fs.ReadFileFS = (*treeFS)(nil)
	_ fs.StatFS     = (*treeFS)(nil)
)

// entry finds name's tree entry; "." is the root, returned as nil with ok.
func (t *treeFS) entry(op, name string) (*object.TreeEntry, error) {
	if !fs.ValidPath(name) {
		return nil, &fs.PathError{Op: op, Path: name, Err: fs.ErrInvalid}
	}
	if name == "." {
		return nil, nil
	}
	t.lock.Lock()
	e, err := t.root.FindEntry(name)
	t.lock.Unlock()
	if err != nil {
		if errors.Is(err, object.ErrEntryNotFound) || errors.Is(err, object.ErrDirectoryNotFound) || errors.Is(err, object.ErrFileNotFound) {
			return nil, &fs.PathError{Op: op, Path: name, Err: fs.ErrNotExist}
		}
		return nil, &fs.PathError{Op: op, Path: name, Err: err}
	}
	return e, nil
}

func (t *treeFS) info(name string, e *object.TreeEntry) (*treeInfo, error) {
	fi := &treeInfo{name: path.Base(name)}
	if e == nil {
		fi.mode = fs.ModeDir | 0o755
		return fi, nil
	}
	fi.mode = modeOf(e.Mode)
	if fi.mode.IsRegular() || fi.mode&fs.ModeSymlink != 0 {
		t.lock.Lock()
		size, err := t.repo.Storer.EncodedObjectSize(e.Hash)
		t.lock.Unlock()
		if err != nil {
			return nil, &fs.PathError{Op: "stat", Path: name, Err: err}
		}
		fi.size = size
	}
	return fi, nil
}

func modeOf(m filemode.FileMode) fs.FileMode {
	switch m {
	case filemode.Dir, filemode.Submodule:
		return fs.ModeDir | 0o755
	case filemode.Executable:
		return 0o755
	case filemode.Symlink:
		return fs.ModeSymlink | 0o777
	}
	return 0o644
}

// Stat implements fs.StatFS.
func (t *treeFS) Stat(name string) (fs.FileInfo, error) {
	e, err := t.entry("stat", name)
	if err != nil {
		return nil, err
	}
	return t.info(name, e)
}

// ReadFile implements fs.ReadFileFS.
func (t *treeFS) ReadFile(name string) ([]byte, error) {
	e, err := t.entry("read", name)
	if err != nil {
		return nil, err
	}
	if e == nil || modeOf(e.Mode).IsDir() {
		return nil, &fs.PathError{Op: "read", Path: name, Err: errors.New("is a directory")}
	}
	b, _, err := (&blobReader{repo: t.repo, lock: t.lock}).read(e.Hash, 1<<62)
	if err != nil {
		return nil, &fs.PathError{Op: "read", Path: name, Err: err}
	}
	return b, nil
}

// ReadDir implements fs.ReadDirFS; entries are sorted by name.
func (t *treeFS) ReadDir(name string) ([]fs.DirEntry, error) {
	e, err := t.entry("readdir", name)
	if err != nil {
		return nil, err
	}
	var tree *object.Tree
	switch {
	case e == nil:
		tree = t.root
	case e.Mode == filemode.Submodule:
		return []fs.DirEntry{}, nil
	case e.Mode == filemode.Dir:
		t.lock.Lock()
		tree, err = object.GetTree(t.repo.Storer, e.Hash)
		t.lock.Unlock()
		if err != nil {
			return nil, &fs.PathError{Op: "readdir", Path: name, Err: err}
		}
	default:
		return nil, &fs.PathError{Op: "readdir", Path: name, Err: errors.New("not a directory")}
	}
	out := make([]fs.DirEntry, 0, len(tree.Entries))
	for i := range tree.Entries {
		te := tree.Entries[i]
		out = append(out, &treeDirEntry{fsys: t, path: path.Join(name, te.Name), entry: te})
	}
	// Git orders a directory "a" as "a/", fs.ReadDir wants plain name order.
	sort.Slice(out, func(i, j int) bool { return out[i].Name() < out[j].Name() })
	return out, nil
}

// Open implements fs.FS. Files are read whole on open.
func (t *treeFS) Open(name string) (fs.File, error) {
	e, err := t.entry("open", name)
	if err != nil {
		return nil, err
	}
	fi, err := t.info(name, e)
	if err != nil {
		return nil, err
	}
	if fi.IsDir() {
		entries, err := t.ReadDir(name)
		if err != nil {
			return nil, err
		}
		return &memDir{info: fi, entries: entries}, nil
	}
	b, err := t.ReadFile(name)
	if err != nil {
		return nil, err
	}
	return &memFile{info: fi, Reader: bytes.NewReader(b)}, nil
}

type treeDirEntry struct {
	fsys  *treeFS
	path  string
	entry object.TreeEntry
}

func (d *treeDirEntry) Name() string               { return d.entry.Name }
func (d *treeDirEntry) IsDir() bool                { return modeOf(d.entry.Mode).IsDir() }
func (d *treeDirEntry) Type() fs.FileMode          { return modeOf(d.entry.Mode).Type() }
func (d *treeDirEntry) Info() (fs.FileInfo, error) { return d.fsys.info(d.path, &d.entry) }

// treeInfo is an fs.FileInfo for a tree entry. Git keeps no times.
type treeInfo struct {
	name string
	size int64
	mode fs.FileMode
}

func (i *treeInfo) Name() string       { return i.name }
func (i *treeInfo) Size() int64        { return i.size }
func (i *treeInfo) Mode() fs.FileMode  { return i.mode }
func (i *treeInfo) ModTime() time.Time { return time.Time{} }
func (i *treeInfo) IsDir() bool        { return i.mode.IsDir() }
func (i *treeInfo) Sys() any           { return nil }

// memFile is an opened file whose content is in memory.
type memFile struct {
	info fs.FileInfo
	*bytes.Reader
}

func (f *memFile) Stat() (fs.FileInfo, error) { return f.info, nil }
func (f *memFile) Close() error               { return nil }

// memDir is an opened directory.
type memDir struct {
	info    fs.FileInfo
	entries []fs.DirEntry
	offset  int
}

func (d *memDir) Stat() (fs.FileInfo, error) { return d.info, nil }
func (d *memDir) Close() error               { return nil }
func (d *memDir) Read([]byte) (int, error) {
	return 0, &fs.PathError{Op: "read", Path: d.info.Name(), Err: errors.New("is a directory")}
}

// ReadDir implements fs.ReadDirFile.
func (d *memDir) ReadDir(n int) ([]fs.DirEntry, error) {
	rest := d.entries[d.offset:]
	if n <= 0 {
		d.offset = len(d.entries)
		return rest, nil
	}
	if len(rest) == 0 {
		return nil, io.EOF
	}
	if n > len(rest) {
		n = len(rest)
	}
	d.offset += n
	return rest[:n], nil
}
