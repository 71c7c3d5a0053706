package secrets

import (
	"context"
	"errors"
	"fmt"
	"io"
	"path"

	"github.com/go-git/go-git/v5"
	"github.com/go-git/go-git/v5/plumbing"
	"github.com/go-git/go-git/v5/plumbing/cache"
	"github.com/go-git/go-git/v5/plumbing/filemode"
	"github.com/go-git/go-git/v5/plumbing/object"
	"github.com/go-git/go-git/v5/storage/filesystem"
)

// HistoryResult is what ScanHistory found and what it could not scan.
type HistoryResult struct {
	// Matches are the secrets found, each with the commit it was first seen in.
	Matches []Match
	// TooBig are "path@commit" of blobs over the engine's size limit, which
	// were not read (never silently: the caller reports them as skipped).
	TooBig []string
}

// ScanHistory scans every blob reachable from HEAD once (deduplicated by blob
// hash; trees already walked are not walked again). A match's path is the
// first path the blob was seen at, walking commits newest first, and Commit
// is that commit. Memory stays bounded by the number of distinct objects
// (hashes only), not by history size; a blob over the size limit is listed
// in TooBig by its size alone, never read.
func ScanHistory(ctx context.Context, repoDir string, e *Engine) (*HistoryResult, error) {
	repo, closeRepo, err := openHistory(repoDir)
	if err != nil {
		return nil, fmt.Errorf("history: open %s: %w", repoDir, err)
	}
	defer closeRepo()
	head, err := repo.Head()
	if err != nil {
		return nil, fmt.Errorf("history: HEAD of %s: %w", repoDir, err)
	}
	commits, err := repo.Log(&git.LogOptions{From: head.Hash(), Order: git.LogOrderCommitterTime})
	if err != nil {
		return nil, fmt.Errorf("history: log: %w", err)
	}
	defer commits.Close()
	h := &historyScan{repo: repo, e: e, seenBlobs: map[plumbing.Hash]bool{}, seenTrees: map[plumbing.Hash]bool{}}
	err = commits.ForEach(func(c *object.Commit) error {
		if err := ctx.Err(); err != nil {
			return err
		}
		h.commit = c.Hash.String()
		return h.walkTree(c.TreeHash, "")
	})
	if err != nil {
		return nil, fmt.Errorf("history: %w", err)
	}
	return &HistoryResult{Matches: h.matches, TooBig: h.tooBig}, nil
}

// largeObjectThreshold is the object size above which go-git reads an
// object lazily (size from its header, content streamed): without it a
// loose 500 MB blob was inflated whole (2.3 GB of memory) before its size
// showed it was over the limit and would not be scanned.
const largeObjectThreshold = 1 << 20

// openHistory opens the repository at or above dir for reading, with
// objects over largeObjectThreshold read lazily.
func openHistory(dir string) (*git.Repository, func(), error) {
	found, err := git.PlainOpenWithOptions(dir, &git.PlainOpenOptions{DetectDotGit: true, EnableDotGitCommonDir: true})
	if err != nil {
		return nil, nil, err
	}
	fsStorage, ok := found.Storer.(*filesystem.Storage)
	if !ok {
		return found, func() {}, nil
	}
	storage := filesystem.NewStorageWithOptions(fsStorage.Filesystem(), cache.NewObjectLRUDefault(),
		filesystem.Options{LargeObjectThreshold: largeObjectThreshold})
	repo, err := git.Open(storage, nil)
	if err != nil {
		return nil, nil, err
	}
	return repo, func() { _ = storage.Close() }, nil
}

type historyScan struct {
	repo      *git.Repository
	e         *Engine
	commit    string
	seenBlobs map[plumbing.Hash]bool
	seenTrees map[plumbing.Hash]bool
	matches   []Match
	tooBig    []string
}

func (h *historyScan) walkTree(hash plumbing.Hash, dir string) error {
	if h.seenTrees[hash] {
		return nil
	}
	h.seenTrees[hash] = true
	tree, err := h.repo.TreeObject(hash)
	if err != nil {
		return fmt.Errorf("tree %s: %w", hash, err)
	}
	for _, entry := range tree.Entries {
		p := path.Join(dir, entry.Name)
		switch entry.Mode {
		case filemode.Dir:
			if IsSkippedDir(entry.Name) && !h.e.skippable {
				continue
			}
			if err := h.walkTree(entry.Hash, p); err != nil {
				return err
			}
		case filemode.Regular, filemode.Executable:
			if h.seenBlobs[entry.Hash] {
				continue
			}
			h.seenBlobs[entry.Hash] = true
			if err := h.scanBlob(entry.Hash, p); err != nil {
				return err
			}
		}
	}
	return nil
}

func (h *historyScan) scanBlob(hash plumbing.Hash, p string) error {
	if h.e.pathAllowed(p) {
		return nil
	}
	for _, m := range h.e.ScanName(p) {
		m.Commit = h.commit
		h.matches = append(h.matches, m)
	}
	blob, err := h.repo.BlobObject(hash)
	if err != nil {
		if errors.Is(err, plumbing.ErrObjectNotFound) {
			return nil // shallow or partial clone: nothing to scan
		}
		return fmt.Errorf("blob %s (%s): %w", hash, p, err)
	}
	if blob.Size > h.e.maxSize {
		h.tooBig = append(h.tooBig, p+"@"+h.commit[:min(12, len(h.commit))])
		return nil
	}
	r, err := blob.Reader()
	if err != nil {
		return fmt.Errorf("blob %s (%s): %w", hash, p, err)
	}
	defer r.Close()
	data, err := io.ReadAll(io.LimitReader(r, h.e.maxSize+1))
	if err != nil {
		return fmt.Errorf("blob %s (%s): %w", hash, p, err)
	}
	for _, m := range h.e.ScanFile(p, data) {
		m.Commit = h.commit
		h.matches = append(h.matches, m)
	}
	return nil
}
