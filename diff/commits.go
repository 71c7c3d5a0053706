package diff

import (
	"container/heap"
	"context"
	"errors"
	"fmt"
	"sync"

	"github.com/go-git/go-git/v5"
	"github.com/go-git/go-git/v5/plumbing"
	"github.com/go-git/go-git/v5/plumbing/filemode"
	"github.com/go-git/go-git/v5/plumbing/object"
)

// Default limits of the per-commit view (Options.Commits).
const (
	// DefaultMaxCommits bounds the commits walked: GitHub's pull-request
	// commits endpoint lists at most 250.
	DefaultMaxCommits = 250
	// DefaultMaxCommitFiles bounds the files read in one commit.
	DefaultMaxCommitFiles = 3000
	// DefaultMaxCommitBytes bounds the added-line text kept for one commit.
	DefaultMaxCommitBytes = 64 << 20
	// DefaultMaxWalk bounds the commits the git source visits to tell the
	// commits of a change from those of its base.
	DefaultMaxWalk = 100000
	// commitTimeSlop is how much older than every undecided commit the base
	// side's walk must be before it may stop (git's own walk allows for
	// clock skew the same way).
	commitTimeSlop = 24 * 60 * 60
)

// ErrHistoryIncomplete is wrapped when the local clone lacks commits between
// base and head (a shallow clone): the per-commit view needs the GitHub API
// or more history.
var ErrHistoryIncomplete = errors.New("commits between base and head not in the local git history")

// CommitLimits bound WalkCommits. The zero value means the defaults.
type CommitLimits struct {
	// MaxCommits bounds the commits whose files are read (default 250);
	// beyond it the oldest MaxCommits are read and the rest is a gap.
	MaxCommits int
	// MaxFilesPerCommit bounds the files read in one commit (default 3,000,
	// what GitHub's commit endpoint lists).
	MaxFilesPerCommit int
	// MaxCommitBytes bounds the added-line text kept for one commit
	// (default 64 MB); the files past it are a gap.
	MaxCommitBytes int64
	// MaxWalk bounds the commits the git source visits while telling the
	// change's commits from its base's (default 100,000).
	MaxWalk int
}

func (l CommitLimits) withDefaults() CommitLimits {
	if l.MaxCommits <= 0 {
		l.MaxCommits = DefaultMaxCommits
	}
	if l.MaxFilesPerCommit <= 0 {
		l.MaxFilesPerCommit = DefaultMaxCommitFiles
	}
	if l.MaxCommitBytes <= 0 {
		l.MaxCommitBytes = DefaultMaxCommitBytes
	}
	if l.MaxWalk <= 0 {
		l.MaxWalk = DefaultMaxWalk
	}
	return l
}

// Commit is one commit of a change and the lines it adds.
type Commit struct {
	// SHA is the commit's full hash.
	SHA string `json:"sha"`
	// Parents are its parents' hashes.
	Parents []string `json:"parents,omitempty"`
	// Files are the files the commit changes, with the lines it adds (Added)
	// against its first parent. A merge commit's lines are those it adds
	// against every parent: what the merge itself wrote (a conflict
	// resolution), not what either side brought. Lockfile contents are not
	// kept.
	Files []FileChange `json:"files"`
}

// CommitWalk says what WalkCommits read.
type CommitWalk struct {
	// Source is SourceGit or SourceGitHubAPI.
	Source string
	// Commits counts the commits visited; Total those in the change, when
	// known (0 otherwise).
	Commits, Total int
	// Gaps name what was not read (limits exceeded, files too large or
	// without a patch): each makes a scan over the commits incomplete.
	Gaps []string
	// Notes say how the walk was done (a fallback to the API).
	Notes []string
}

// commitWalker walks the commits of a change oldest first.
type commitWalker func(ctx context.Context, limits CommitLimits, visit func(*Commit) error) (*CommitWalk, error)

// WalkCommits calls visit for every commit of the change, oldest first (in
// topological order), one commit in memory at a time: every commit between
// Base and Head of the local history (git rev-list Base..Head), or the pull
// request's commits (or the comparison's) through the GitHub API. When the
// local history lacks commits between them (a shallow clone) it falls back
// to the API if the change set was opened with one, saying so in a note. An
// error from visit stops the walk and is returned. A directory sweep has no
// commits: the error says so.
func (cs *ChangeSet) WalkCommits(ctx context.Context, limits CommitLimits, visit func(*Commit) error) (*CommitWalk, error) {
	limits = limits.withDefaults()
	if cs.commits == nil {
		return nil, fmt.Errorf("a %s change set has no commits to walk", cs.Source)
	}
	walk, err := cs.commits(ctx, limits, visit)
	if err != nil && errors.Is(err, ErrHistoryIncomplete) && cs.commitsFallback != nil {
		fallback, ferr := cs.commitsFallback(ctx, limits, visit)
		if ferr != nil {
			return nil, fmt.Errorf("%v; and the GitHub API failed: %w", err, ferr)
		}
		fallback.Notes = append(fallback.Notes, fmt.Sprintf("%v: commits read from the GitHub API", err))
		return fallback, nil
	}
	if err != nil && errors.Is(err, ErrHistoryIncomplete) {
		return nil, fmt.Errorf("%w (fetch the whole history, e.g. actions/checkout with fetch-depth: 0, or provide a token for the GitHub API)", err)
	}
	return walk, err
}

// gitCommits is the git source's commit walker.
type gitCommits struct {
	repo       *git.Repository
	lock       *sync.Mutex
	base, head *object.Commit
	opts       Options
}

func (g *gitCommits) walk(ctx context.Context, limits CommitLimits, visit func(*Commit) error) (*CommitWalk, error) {
	g.lock.Lock()
	hashes, err := commitRange(ctx, g.repo, g.base, g.head, limits.MaxWalk)
	g.lock.Unlock()
	if err != nil {
		return nil, err
	}
	walk := &CommitWalk{Source: SourceGit, Total: len(hashes)}
	if len(hashes) > limits.MaxCommits {
		walk.Gaps = append(walk.Gaps, fmt.Sprintf("%d commits between %s and %s, limit %d: the newest %d not read", len(hashes), short(g.base.Hash), short(g.head.Hash), limits.MaxCommits, len(hashes)-limits.MaxCommits))
		hashes = hashes[:limits.MaxCommits]
	}
	opts := g.opts
	opts.IsLockfile = func(string) bool { return false } // no contents kept
	reader := &blobReader{repo: g.repo, lock: g.lock}
	for _, h := range hashes {
		if err := ctx.Err(); err != nil {
			return walk, err
		}
		g.lock.Lock()
		c, err := g.repo.CommitObject(h)
		g.lock.Unlock()
		if err != nil {
			return walk, fmt.Errorf("commit %s: %w", short(h), err)
		}
		commit, gaps, err := g.commitFiles(ctx, c, reader, opts, limits)
		if err != nil {
			return walk, err
		}
		walk.Gaps = append(walk.Gaps, gaps...)
		walk.Commits++
		if err := visit(commit); err != nil {
			return walk, err
		}
	}
	return walk, nil
}

// commitFiles diffs one commit against its first parent (an empty tree for
// a root commit) and, for a merge, keeps only the lines it adds against
// every other parent too.
func (g *gitCommits) commitFiles(ctx context.Context, c *object.Commit, r *blobReader, opts Options, limits CommitLimits) (*Commit, []string, error) {
	sha := short(c.Hash)
	out := &Commit{SHA: c.Hash.String()}
	for _, p := range c.ParentHashes {
		out.Parents = append(out.Parents, p.String())
	}
	g.lock.Lock()
	tree, err := c.Tree()
	var parentTrees []*object.Tree
	for i := 0; err == nil && i < len(c.ParentHashes); i++ {
		var pc *object.Commit
		if pc, err = g.repo.CommitObject(c.ParentHashes[i]); err == nil {
			var pt *object.Tree
			pt, err = pc.Tree()
			parentTrees = append(parentTrees, pt)
		}
	}
	g.lock.Unlock()
	if err != nil {
		return nil, nil, fmt.Errorf("commit %s: trees: %w", sha, err)
	}
	var first *object.Tree // nil: a root commit adds every file
	if len(parentTrees) > 0 {
		first = parentTrees[0]
	}
	treeOpts := &object.DiffTreeOptions{DetectRenames: !opts.NoRenames, RenameScore: 50, RenameLimit: 1000}
	g.lock.Lock()
	changes, err := object.DiffTreeWithOptions(ctx, first, tree, treeOpts)
	g.lock.Unlock()
	if err != nil {
		return nil, nil, fmt.Errorf("commit %s: diff with its parent: %w", sha, err)
	}
	var gaps []string
	if len(changes) > limits.MaxFilesPerCommit {
		gaps = append(gaps, fmt.Sprintf("commit %s changes %d files, limit %d: %d not read", sha, len(changes), limits.MaxFilesPerCommit, len(changes)-limits.MaxFilesPerCommit))
		changes = changes[:limits.MaxFilesPerCommit]
	}
	files, _, err := gitFileChanges(ctx, changes, r, opts)
	if err != nil {
		return nil, nil, fmt.Errorf("commit %s: %w", sha, err)
	}
	sortFiles(files)
	var size int64
	for i := range files {
		fc := &files[i]
		if fc.TooLarge {
			gaps = append(gaps, fmt.Sprintf("%s in commit %s: larger than %d bytes, added lines not read", fc.Path, sha, opts.MaxFileSize))
			continue
		}
		if len(fc.Added) > 0 && len(parentTrees) > 1 {
			if fc.Added, err = g.mergeAdded(fc, tree, parentTrees[1:], r, opts); err != nil {
				return nil, nil, fmt.Errorf("commit %s: %w", sha, err)
			}
		}
		for _, l := range fc.Added {
			size += int64(len(l.Text)) + 1
		}
		if size > limits.MaxCommitBytes {
			gaps = append(gaps, fmt.Sprintf("commit %s adds more than %d bytes of lines: %d of its %d files not read", sha, limits.MaxCommitBytes, len(files)-i, len(files)))
			files = files[:i]
			break
		}
	}
	out.Files = files
	return out, gaps, nil
}

// mergeAdded keeps the lines of fc that a merge adds against every other
// parent as well: a line one parent already held came from that side.
func (g *gitCommits) mergeAdded(fc *FileChange, tree *object.Tree, others []*object.Tree, r *blobReader, opts Options) ([]Line, error) {
	head, err := g.blobAt(tree, fc.Path, r, opts.MaxFileSize)
	if err != nil || head == nil {
		return fc.Added, err
	}
	keep := make(map[int]bool, len(fc.Added))
	for _, l := range fc.Added {
		keep[l.Number] = true
	}
	for _, pt := range others {
		other, err := g.blobAt(pt, fc.Path, r, opts.MaxFileSize)
		if err != nil {
			return nil, err
		}
		if other == nil {
			continue // the file is new against this parent: every line counts
		}
		against := map[int]bool{}
		for _, l := range AddedLines(other, head) {
			against[l.Number] = true
		}
		for n := range keep {
			if !against[n] {
				delete(keep, n)
			}
		}
	}
	var out []Line
	for _, l := range fc.Added {
		if keep[l.Number] {
			out = append(out, l)
		}
	}
	return out, nil
}

// blobAt reads the regular file p of tree, nil when absent, not a regular
// file, or over limit (then every line is kept: more is scanned, not less).
func (g *gitCommits) blobAt(tree *object.Tree, p string, r *blobReader, limit int64) ([]byte, error) {
	g.lock.Lock()
	e, err := tree.FindEntry(p)
	g.lock.Unlock()
	if err != nil || (e.Mode != filemode.Regular && e.Mode != filemode.Executable) {
		return nil, nil
	}
	b, tooLarge, err := r.read(e.Hash, limit)
	if err != nil {
		return nil, fmt.Errorf("read %s: %w", p, err)
	}
	if tooLarge {
		return nil, nil
	}
	return b, nil
}

// commitRange returns the commits reachable from head and not from base,
// oldest first (parents before children), like git rev-list --topo-order
// --reverse base..head. Both sides are walked together, newest commit first
// (ties: the base side first), flags flowing to parents; the walk ends when
// no head-side commit is left to visit and the base side is a day older
// than every commit still undecided. A head-side commit missing from the
// clone is ErrHistoryIncomplete; a base-side one only ends that path. It
// visits at most maxWalk commits.
func commitRange(ctx context.Context, repo *git.Repository, base, head *object.Commit, maxWalk int) ([]plumbing.Hash, error) {
	const (
		fromHead = 1
		fromBase = 2
	)
	flags := map[plumbing.Hash]uint8{}
	commits := map[plumbing.Hash]*object.Commit{}
	q := &commitQueue{}
	push := func(c *object.Commit, f uint8) {
		flags[c.Hash] |= f
		if f == fromHead {
			commits[c.Hash] = c // only the head side is kept: it is the answer
		}
		heap.Push(q, queued{c: c, base: f == fromBase})
	}
	push(base, fromBase)
	if flags[head.Hash]&fromBase == 0 {
		push(head, fromHead)
	}
	headQueued := 0
	if flags[head.Hash] == fromHead {
		headQueued = 1
	}
	var order []plumbing.Hash // head-side commits in visit order
	visited := 0
	// oldest is the committer time of the oldest undecided head-side commit.
	// It only grows as commits are decided, so a stale value is safe (the
	// walk goes on longer); it is recomputed now and then.
	oldest, stale := int64(0), true
	for q.Len() > 0 {
		if headQueued == 0 {
			// Only base-side commits left: stop once they are older than every
			// undecided commit by the slop.
			if stale || visited%256 == 0 {
				oldest, stale = int64(1<<62-1), false
				for _, h := range order {
					if flags[h] == fromHead {
						oldest = min(oldest, commits[h].Committer.When.Unix())
					}
				}
			}
			if (*q)[0].c.Committer.When.Unix() < oldest-commitTimeSlop {
				break
			}
		} else {
			stale = true
		}
		if err := ctx.Err(); err != nil {
			return nil, err
		}
		visited++
		if visited > maxWalk {
			return nil, fmt.Errorf("telling the commits of %s from those of %s took more than %d commits", short(head.Hash), short(base.Hash), maxWalk)
		}
		item := heap.Pop(q).(queued)
		c := item.c
		if !item.base {
			headQueued--
		}
		f := flags[c.Hash]
		if !item.base {
			if f&fromBase != 0 {
				continue // decided meanwhile: its parents are the base's
			}
			order = append(order, c.Hash)
		}
		for _, ph := range c.ParentHashes {
			pf := flags[ph]
			if item.base && pf&fromBase != 0 || !item.base && pf != 0 {
				continue
			}
			pc, err := repo.CommitObject(ph)
			if err != nil {
				if errors.Is(err, plumbing.ErrObjectNotFound) {
					if item.base {
						continue
					}
					return nil, fmt.Errorf("parent %s of %s: %w", short(ph), short(c.Hash), ErrHistoryIncomplete)
				}
				return nil, fmt.Errorf("commit %s: %w", short(ph), err)
			}
			if item.base {
				push(pc, fromBase)
			} else {
				push(pc, fromHead)
				headQueued++
			}
		}
	}
	var inRange []plumbing.Hash
	for _, h := range order {
		if flags[h] == fromHead {
			inRange = append(inRange, h)
		}
	}
	return topoOldestFirst(inRange, commits), nil
}

// topoOldestFirst orders commits so that every parent comes before its
// children, keeping the visit order (newest first) reversed otherwise.
func topoOldestFirst(hashes []plumbing.Hash, commits map[plumbing.Hash]*object.Commit) []plumbing.Hash {
	in := make(map[plumbing.Hash]bool, len(hashes))
	for _, h := range hashes {
		in[h] = true
	}
	done := make(map[plumbing.Hash]bool, len(hashes))
	out := make([]plumbing.Hash, 0, len(hashes))
	// Depth-first, parents first; an explicit stack keeps deep histories
	// off the goroutine stack.
	type frame struct {
		h    plumbing.Hash
		next int
	}
	for i := len(hashes) - 1; i >= 0; i-- {
		if done[hashes[i]] {
			continue
		}
		stack := []frame{{h: hashes[i]}}
		done[hashes[i]] = true
		for len(stack) > 0 {
			top := &stack[len(stack)-1]
			parents := commits[top.h].ParentHashes
			if top.next < len(parents) {
				p := parents[top.next]
				top.next++
				if in[p] && !done[p] {
					done[p] = true
					stack = append(stack, frame{h: p})
				}
				continue
			}
			out = append(out, top.h)
			stack = stack[:len(stack)-1]
		}
	}
	return out
}

type queued struct {
	c    *object.Commit
	base bool
}

// commitQueue orders commits newest first, base-side first on ties.
type commitQueue []queued

func (q commitQueue) Len() int { return len(q) }
func (q commitQueue) Less(i, j int) bool {
	ti, tj := q[i].c.Committer.When, q[j].c.Committer.When
	if !ti.Equal(tj) {
		return ti.After(tj)
	}
	return q[i].base && !q[j].base
}
func (q commitQueue) Swap(i, j int) { q[i], q[j] = q[j], q[i] }
func (q *commitQueue) Push(x any)   { *q = append(*q, x.(queued)) }
func (q *commitQueue) Pop() any {
	old := *q
	it := old[len(old)-1]
	*q = old[:len(old)-1]
	return it
}
