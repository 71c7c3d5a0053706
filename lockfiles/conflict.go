package lockfiles

import "bytes"

// Git's merge-conflict markers, as npm, yarn classic and pnpm look for them.
var (
	conflictOurs   = []byte("<<<<<<<")
	conflictSep    = []byte("=======")
	conflictTheirs = []byte(">>>>>>>")
)

// MergeConflictLine reports whether content holds all three git
// merge-conflict markers ("<<<<<<<", "=======", ">>>>>>>") anywhere, and
// the line of the first "<<<<<<<". That is the test npm
// (parse-conflict-json), yarn classic and pnpm apply before reading a
// lockfile: when it holds, they do not read the file as written but split
// it into the two sides of the conflict and read (and merge) those, so a
// file that is one valid document can install packages its plain reading
// never shows (a "packages" key on the marker lines is dropped, and the
// one before it wins). The parsers of those formats refuse such a file
// with an error at that line instead of guessing the merge.
func MergeConflictLine(content []byte) (line int, ok bool) {
	i := bytes.Index(content, conflictOurs)
	if i < 0 || !bytes.Contains(content, conflictSep) || !bytes.Contains(content, conflictTheirs) {
		return 0, false
	}
	return bytes.Count(content[:i], []byte{'\n'}) + 1, true
}

// MergeConflictError is the error the parsers of npm, yarn and pnpm
// lockfiles return for content that MergeConflictLine flags; tool names
// the package manager.
func MergeConflictError(path string, line int, tool string) error {
	return Errorf(path, line, "holds git merge-conflict markers (<<<<<<<, =======, >>>>>>>): %s would read and merge the two sides of the conflict, not the file as written, so it was not read; resolve the conflict", tool)
}
