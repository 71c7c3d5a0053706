package diff

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io/fs"
	"path"
	"sort"
	"sync"
)

// apiFS is a read-only io/fs view of a commit's tree read through the GitHub
// API: one recursive tree listing (per-directory listings when GitHub
// truncates it), blobs fetched on read. It keeps the context it was made with
// because io/fs has none. Safe for concurrent use.
type apiFS struct {
	ctx              context.Context
	api              *GitHubAPI
	owner, repo, sha string
	maxBlob          int64
	mu               sync.Mutex
	loaded           bool
	loadErr          error
	entries          map[string]*apiEntry // by full path; "." is the root
	children         map[string][]string  // directory path -> child names, sorted
}

type apiEntry struct {
	mode fs.FileMode
	sha  string
	size int64
	// submodule marks a gitlink ("commit" entries, mode 160000).
	submodule bool
}

var (
	_ fs.ReadDirFS  = (*apiFS)(nil)
	_ fs.ReadFileFS = (*apiFS)(nil)
	_ fs.StatFS     = (*apiFS)(nil)
)

func newAPIFS(ctx context.Context, api *GitHubAPI, owner, repo, sha string, maxBlob int64) *apiFS {
	return &apiFS{ctx: ctx, api: api, owner: owner, repo: repo, sha: sha, maxBlob: maxBlob}
}

// load reads the tree listing once.
func (a *apiFS) load() error {
	a.mu.Lock()
	defer a.mu.Unlock()
	if a.loaded {
		return a.loadErr
	}
	a.loaded = true
	a.entries = map[string]*apiEntry{".": {mode: fs.ModeDir | 0o755}}
	a.children = map[string][]string{".": nil}
	tree, _, err := a.api.client.Git.GetTree(a.ctx, a.owner, a.repo, a.sha, true)
	if err != nil {
		a.loadErr = apiError(fmt.Sprintf("tree of %s/%s@%s", a.owner, a.repo, a.sha), err)
		return a.loadErr
	}
	if !tree.GetTruncated() {
		for _, e := range tree.Entries {
			a.add(e.GetPath(), e.GetType(), e.GetMode(), e.GetSHA(), int64(e.GetSize()))
		}
	} else {
		// GitHub truncates recursive listings past 100,000 entries or 7 MB:
		// walk the directories one listing at a time instead.
		if err := a.walk(".", a.sha, 0); err != nil {
			a.loadErr = err
			return err
		}
	}
	for dir := range a.children {
		sort.Strings(a.children[dir])
	}
	return nil
}

func (a *apiFS) walk(dir, treeSHA string, depth int) error {
	if depth > 256 {
		return fmt.Errorf("tree of %s/%s@%s: directories nested deeper than 256", a.owner, a.repo, a.sha)
	}
	tree, _, err := a.api.client.Git.GetTree(a.ctx, a.owner, a.repo, treeSHA, false)
	if err != nil {
		return apiError(fmt.Sprintf("tree %s of %s/%s@%s", dir, a.owner, a.repo, a.sha), err)
	}
	for _, e := range tree.Entries {
		p := path.Join(dir, e.GetPath())
		a.add(p, e.GetType(), e.GetMode(), e.GetSHA(), int64(e.GetSize()))
		if e.GetType() == "tree" {
			if err := a.walk(p, e.GetSHA(), depth+1); err != nil {
				return err
			}
		}
	}
	return nil
}

// add records one listing entry and its parent directories.
func (a *apiFS) add(p, typ, mode, sha string, size int64) {
	if !fs.ValidPath(p) || p == "." {
		return
	}
	e := &apiEntry{sha: sha, size: size, mode: 0o644}
	switch {
	case typ == "tree":
		e.mode = fs.ModeDir | 0o755
	case typ == "commit" || mode == "160000":
		e.mode, e.submodule = fs.ModeDir|0o755, true
	case mode == "120000":
		e.mode = fs.ModeSymlink | 0o777
	case mode == "100755":
		e.mode = 0o755
	}
	if _, ok := a.entries[p]; ok {
		return
	}
	a.entries[p] = e
	if e.mode.IsDir() {
		if _, ok := a.children[p]; !ok {
			a.children[p] = nil
		}
	}
	parent := path.Dir(p)
	if _, ok := a.entries[parent]; !ok {
		a.add(parent, "tree", "040000", "", 0)
	}
	a.children[parent] = append(a.children[parent], path.Base(p))
}

func (a *apiFS) lookup(op, name string) (*apiEntry, error) {
	if !fs.ValidPath(name) {
		return nil, &fs.PathError{Op: op, Path: name, Err: fs.ErrInvalid}
	}
	if err := a.load(); err != nil {
		return nil, &fs.PathError{Op: op, Path: name, Err: err}
	}
	e, ok := a.entries[name]
	if !ok {
		return nil, &fs.PathError{Op: op, Path: name, Err: fs.ErrNotExist}
	}
	return e, nil
}

// isSubmodule reports whether p is a gitlink, consulting the listing only if
// it was already loaded (it is not worth a request on its own).
func (a *apiFS) isSubmodule(p string) bool {
	a.mu.Lock()
	defer a.mu.Unlock()
	e, ok := a.entries[p]
	return ok && e.submodule
}

// size returns the size of the blob at p.
func (a *apiFS) size(p string) (int64, error) {
	e, err := a.lookup("stat", p)
	if err != nil {
		return 0, err
	}
	return e.size, nil
}

// Stat implements fs.StatFS.
func (a *apiFS) Stat(name string) (fs.FileInfo, error) {
	e, err := a.lookup("stat", name)
	if err != nil {
		return nil, err
	}
	return &treeInfo{name: path.Base(name), size: e.size, mode: e.mode}, nil
}

// ReadFile implements fs.ReadFileFS.
func (a *apiFS) ReadFile(name string) ([]byte, error) {
	e, err := a.lookup("read", name)
	if err != nil {
		return nil, err
	}
	if e.mode.IsDir() {
		return nil, &fs.PathError{Op: "read", Path: name, Err: errors.New("is a directory")}
	}
	if e.size > a.maxBlob {
		return nil, &fs.PathError{Op: "read", Path: name, Err: fmt.Errorf("%d bytes, over the %d-byte limit", e.size, a.maxBlob)}
	}
	b, _, err := a.api.client.Git.GetBlobRaw(a.ctx, a.owner, a.repo, e.sha)
	if err != nil {
		return nil, &fs.PathError{Op: "read", Path: name, Err: apiError("blob "+e.sha, err)}
	}
	return b, nil
}

// ReadDir implements fs.ReadDirFS.
func (a *apiFS) ReadDir(name string) ([]fs.DirEntry, error) {
	e, err := a.lookup("readdir", name)
	if err != nil {
		return nil, err
	}
	if !e.mode.IsDir() {
		return nil, &fs.PathError{Op: "readdir", Path: name, Err: errors.New("not a directory")}
	}
	names := a.children[name]
	out := make([]fs.DirEntry, 0, len(names))
	for _, n := range names {
		p := path.Join(name, n)
		ce := a.entries[p]
		out = append(out, fs.FileInfoToDirEntry(&treeInfo{name: n, size: ce.size, mode: ce.mode}))
	}
	return out, nil
}

// Open implements fs.FS. Files are read whole on open.
func (a *apiFS) Open(name string) (fs.File, error) {
	fi, err := a.Stat(name)
	if err != nil {
		return nil, err
	}
	if fi.IsDir() {
		entries, err := a.ReadDir(name)
		if err != nil {
			return nil, err
		}
		return &memDir{info: fi, entries: entries}, nil
	}
	b, err := a.ReadFile(name)
	if err != nil {
		return nil, err
	}
	return &memFile{info: fi, Reader: bytes.NewReader(b)}, nil
}

// treeChanges compares two listings by blob SHA and mode, as git compares
// trees: the changed files, without rename detection.
func treeChanges(base, head *apiFS) ([]apiFile, error) {
	if err := base.load(); err != nil {
		return nil, err
	}
	if err := head.load(); err != nil {
		return nil, err
	}
	var out []apiFile
	for p, he := range head.entries {
		if he.mode.IsDir() && !he.submodule {
			continue
		}
		be, ok := base.entries[p]
		switch {
		case !ok || (be.mode.IsDir() && !be.submodule):
			out = append(out, apiFile{path: p, status: "added"})
		case be.sha != he.sha || be.mode != he.mode:
			out = append(out, apiFile{path: p, status: "modified"})
		}
	}
	for p, be := range base.entries {
		if be.mode.IsDir() && !be.submodule {
			continue
		}
		if he, ok := head.entries[p]; !ok || (he.mode.IsDir() && !he.submodule) {
			out = append(out, apiFile{path: p, status: "removed"})
		}
	}
	sort.Slice(out, func(i, j int) bool { return out[i].path < out[j].path })
	return out, nil
}

// sortFiles orders changes by path.
func sortFiles(files []FileChange) {
	sort.Slice(files, func(i, j int) bool { return files[i].Path < files[j].Path })
}
