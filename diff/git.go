package diff

import (
	"context"
	"errors"
	"fmt"
	"io"
	"sync"

	"github.com/go-git/go-git/v5"
	"github.com/go-git/go-git/v5/plumbing"
	"github.com/go-git/go-git/v5/plumbing/filemode"
	"github.com/go-git/go-git/v5/plumbing/object"
)

// FromGit computes the change set between two revisions of the git repository
// at (or above) repoDir, reading the object store in Go with go-git, so that no
// git binary is needed (the release image is built FROM scratch). go-git is
// chosen over shelling out for that reason, and over a hand-written object
// reader because it already handles packfiles, deltas, shallow clones, rename
// detection and worktrees with a .git file.
//
// base and head are any revisions go-git resolves (SHA, branch, tag,
// "origin/main", "HEAD~1"); head "" means the committed HEAD (uncommitted
// changes in the work tree are not seen; in Actions the checkout is clean).
// When base (or the merge base, with Options.MergeBase) is not in the clone,
// the error wraps ErrBaseMissing so the caller can fall back to the GitHub API.
func FromGit(ctx context.Context, repoDir, base, head string, opts Options) (*ChangeSet, error) {
	opts = opts.withDefaults()
	repo, err := git.PlainOpenWithOptions(repoDir, &git.PlainOpenOptions{DetectDotGit: true, EnableDotGitCommonDir: true})
	if err != nil {
		return nil, fmt.Errorf("open git repository %s: %w", repoDir, err)
	}
	if head == "" {
		head = "HEAD"
	}
	headCommit, err := resolveCommit(repo, head)
	if err != nil {
		return nil, fmt.Errorf("resolve head %q: %w: %w", head, ErrHeadMissing, err)
	}
	baseCommit, err := resolveCommit(repo, base)
	if err != nil {
		return nil, fmt.Errorf("resolve base %q: %w: %w", base, ErrBaseMissing, err)
	}
	if opts.MergeBase {
		bases, err := baseCommit.MergeBase(headCommit)
		if err != nil {
			return nil, fmt.Errorf("merge base of %s and %s: %w: %w", short(baseCommit.Hash), short(headCommit.Hash), ErrBaseMissing, err)
		}
		if len(bases) == 0 {
			// In a shallow clone the walk stops at the graft points without
			// finding the fork point; in a full clone the histories are unrelated.
			if shallow, _ := repo.Storer.Shallow(); len(shallow) > 0 {
				return nil, fmt.Errorf("merge base of %s and %s: %w (shallow clone)", short(baseCommit.Hash), short(headCommit.Hash), ErrBaseMissing)
			}
			return nil, fmt.Errorf("merge base of %s and %s: no common ancestor", short(baseCommit.Hash), short(headCommit.Hash))
		}
		baseCommit = bases[0]
	}
	baseTree, err := baseCommit.Tree()
	if err != nil {
		return nil, fmt.Errorf("tree of base %s: %w: %w", short(baseCommit.Hash), ErrBaseMissing, err)
	}
	headTree, err := headCommit.Tree()
	if err != nil {
		return nil, fmt.Errorf("tree of head %s: %w: %w", short(headCommit.Hash), ErrHeadMissing, err)
	}

	treeOpts := &object.DiffTreeOptions{
		DetectRenames: !opts.NoRenames,
		RenameScore:   50,   // git's default similarity for renames (-M50%)
		RenameLimit:   1000, // git's default diff.renameLimit: bounds the quadratic pairing
	}
	changes, err := object.DiffTreeWithOptions(ctx, baseTree, headTree, treeOpts)
	if err != nil {
		return nil, fmt.Errorf("diff trees %s..%s: %w", short(baseCommit.Hash), short(headCommit.Hash), err)
	}
	if len(changes) > opts.MaxFiles {
		return nil, fmt.Errorf("%d files changed, limit %d: %w", len(changes), opts.MaxFiles, ErrTooManyFiles)
	}

	lock := &sync.Mutex{} // go-git's object storage is not safe for concurrent reads
	cs := &ChangeSet{
		Source: SourceGit,
		Base:   baseCommit.Hash.String(),
		Head:   headCommit.Hash.String(),
		BaseFS: &treeFS{repo: repo, root: baseTree, lock: lock},
		HeadFS: &treeFS{repo: repo, root: headTree, lock: lock},
	}
	reader := &blobReader{repo: repo, lock: lock}
	cs.Files = make([]FileChange, 0, len(changes))
	for _, ch := range changes {
		if err := ctx.Err(); err != nil {
			return nil, err
		}
		fc, note, err := gitFileChange(ch, reader, opts)
		if err != nil {
			return nil, err
		}
		if note != "" {
			cs.Notes = append(cs.Notes, note)
		}
		cs.Files = append(cs.Files, fc)
	}
	sortFiles(cs.Files)
	return cs, nil
}

// resolveCommit resolves rev to a commit whose object is present.
func resolveCommit(repo *git.Repository, rev string) (*object.Commit, error) {
	if rev == "" {
		return nil, errors.New("empty revision")
	}
	hash, err := repo.ResolveRevision(plumbing.Revision(rev))
	if err != nil {
		return nil, err
	}
	commit, err := repo.CommitObject(*hash)
	if err != nil {
		// An annotated tag resolves to the tag object in some go-git paths.
		if tag, tagErr := repo.TagObject(*hash); tagErr == nil {
			return tag.Commit()
		}
		return nil, err
	}
	return commit, nil
}

func short(h plumbing.Hash) string { return h.String()[:12] }

// blobReader reads blobs under the shared lock, bounded in size.
type blobReader struct {
	repo *git.Repository
	lock *sync.Mutex
}

// size returns a blob's size without reading its content.
func (r *blobReader) size(h plumbing.Hash) (int64, error) {
	r.lock.Lock()
	defer r.lock.Unlock()
	return r.repo.Storer.EncodedObjectSize(h)
}

// read returns the blob's content.
func (r *blobReader) read(h plumbing.Hash) ([]byte, error) {
	r.lock.Lock()
	defer r.lock.Unlock()
	obj, err := r.repo.Storer.EncodedObject(plumbing.BlobObject, h)
	if err != nil {
		return nil, err
	}
	rd, err := obj.Reader()
	if err != nil {
		return nil, err
	}
	defer rd.Close()
	buf := make([]byte, 0, obj.Size())
	return readAllInto(buf, rd)
}

func readAllInto(buf []byte, r io.Reader) ([]byte, error) {
	for {
		if len(buf) == cap(buf) {
			buf = append(buf, 0)[:len(buf)]
		}
		n, err := r.Read(buf[len(buf):cap(buf)])
		buf = buf[:len(buf)+n]
		if err == io.EOF {
			return buf, nil
		}
		if err != nil {
			return buf, err
		}
	}
}

// gitFileChange turns one tree change into a FileChange, reading both blobs.
func gitFileChange(ch *object.Change, r *blobReader, opts Options) (FileChange, string, error) {
	from, to := ch.From, ch.To
	fc := FileChange{}
	switch {
	case from.Name == "":
		fc.Path, fc.Status = to.Name, StatusAdded
	case to.Name == "":
		fc.Path, fc.Status = from.Name, StatusDeleted
	case from.Name != to.Name:
		fc.Path, fc.OldPath, fc.Status = to.Name, from.Name, StatusRenamed
	default:
		fc.Path, fc.Status = to.Name, StatusModified
	}
	if (from.Name != "" && from.TreeEntry.Mode == filemode.Submodule) || (to.Name != "" && to.TreeEntry.Mode == filemode.Submodule) {
		// A gitlink's "content" is a commit of another repository, not here.
		fc.Submodule = true
		return fc, "", nil
	}
	fc.Lockfile = opts.isLockfile(&fc)
	var baseHash, headHash plumbing.Hash
	if from.Name != "" {
		baseHash = from.TreeEntry.Hash
	}
	if to.Name != "" {
		headHash = to.TreeEntry.Hash
	}
	var baseSize, headSize int64
	var err error
	if !baseHash.IsZero() {
		if baseSize, err = r.size(baseHash); err != nil {
			return fc, "", fmt.Errorf("size of %s at base: %w", fc.oldOrPath(), err)
		}
	}
	if !headHash.IsZero() {
		if headSize, err = r.size(headHash); err != nil {
			return fc, "", fmt.Errorf("size of %s at head: %w", fc.Path, err)
		}
	}
	limit := opts.MaxFileSize
	if fc.Lockfile && opts.MaxLockfileSize > limit {
		limit = opts.MaxLockfileSize
	}
	if baseSize > limit || headSize > limit {
		fc.TooLarge = true
		return fc, fmt.Sprintf("%s: larger than %d bytes, added lines not computed", fc.Path, limit), nil
	}
	var baseContent, headContent []byte
	if !baseHash.IsZero() && (fc.Lockfile || fc.Status != StatusDeleted) {
		if baseContent, err = r.read(baseHash); err != nil {
			return fc, "", fmt.Errorf("read %s at base: %w", fc.oldOrPath(), err)
		}
	}
	if !headHash.IsZero() {
		if headContent, err = r.read(headHash); err != nil {
			return fc, "", fmt.Errorf("read %s at head: %w", fc.Path, err)
		}
	}
	return finishFileChange(fc, baseContent, headContent, opts)
}

// finishFileChange fills Binary, TooLarge, lockfile contents and added lines
// from both sides' contents (nil where a side is absent).
func finishFileChange(fc FileChange, baseContent, headContent []byte, opts Options) (FileChange, string, error) {
	if fc.Lockfile {
		fc.BaseContent, fc.HeadContent = baseContent, headContent
	}
	if isBinary(baseContent) || isBinary(headContent) {
		fc.Binary = true
		return fc, "", nil
	}
	if int64(len(baseContent)) > opts.MaxFileSize || int64(len(headContent)) > opts.MaxFileSize {
		fc.TooLarge = true
		return fc, fmt.Sprintf("%s: larger than %d bytes, added lines not computed", fc.Path, opts.MaxFileSize), nil
	}
	switch fc.Status {
	case StatusAdded:
		fc.Added = allLines(headContent)
	case StatusModified, StatusRenamed:
		fc.Added = AddedLines(baseContent, headContent)
	}
	return fc, "", nil
}

func (fc *FileChange) oldOrPath() string {
	if fc.OldPath != "" {
		return fc.OldPath
	}
	return fc.Path
}
