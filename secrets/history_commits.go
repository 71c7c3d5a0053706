package secrets

import (
	"fmt"

	"github.com/tollgate-dev/tollgate/scanner"
)

// CommitFinding turns a match in the lines one commit of a change adds into
// a finding on that commit's file and line, naming the commit: a later
// commit removed the secret, but the commit that added it stays in the
// pushed history, so removing it from the tip does not un-leak it.
func (e *Engine) CommitFinding(m Match, commit string) scanner.Finding {
	m.Commit = "" // the history sentence of Finding is for --history
	f := e.Finding(m)
	f.Commit = commit
	f.Message += fmt.Sprintf(" It was added in commit %s of this change and a later commit removed it, "+
		"but that commit is in the pushed history: removing the secret from the tip does not un-leak it; rotate it.", ShortSHA(commit))
	return f
}

// AddedIn names, on a finding the change's tip still holds, the commit of
// the change that added it.
func AddedIn(f *scanner.Finding, commit string) {
	if f.Commit != "" || commit == "" {
		return
	}
	f.Commit = commit
	f.Message += fmt.Sprintf(" Added in commit %s.", ShortSHA(commit))
}

// ShortSHA is the 12-character form of a commit hash, as messages print it.
func ShortSHA(sha string) string { return sha[:min(12, len(sha))] }
