package tomltree

import (
	"errors"
	"fmt"
	"strings"

	"github.com/BurntSushi/toml"

	"github.com/tollgate-dev/tollgate/lockfiles"
)

// Decode reads a TOML lockfile into T with the header line of each entry of
// its [[table]] array: through Parse and fromTree when the file is in the
// subset Parse reads (the common, fast case), else through Full. count says
// how many entries of the array a decoded T holds.
func Decode[T any](in *lockfiles.Input, table string, fromTree func(*Value) (T, []int, bool), count func(*T) int) (T, []int, error) {
	if root, ok := Parse(in.Content, in.Limits.MaxDepth); ok {
		if v, lines, ok := fromTree(root); ok {
			return v, lines, nil
		}
	}
	return Full(in, table, count)
}

// Full is the complete-TOML path: BurntSushi/toml decodes T, and
// TableHeaderLines finds the [[table]] header lines, which toml.MetaData
// does not give for the elements of an array of tables.
//
// When the headers do not pair one to one with the decoded entries (the
// entries were written as an inline array of tables), the error wraps a
// *HeaderCountError and the decoded T is returned with it, for a format
// that would rather report such entries without a line.
func Full[T any](in *lockfiles.Input, table string, count func(*T) int) (T, []int, error) {
	var v T
	// The full decoder has no depth limit: hostile nesting is refused first.
	if err := checkDepth(in); err != nil {
		return v, nil, err
	}
	if _, err := toml.Decode(string(in.Content), &v); err != nil {
		return v, nil, DecodeError(in.Path, err)
	}
	headers := TableHeaderLines(in.Content, table)
	if n := count(&v); len(headers) != n {
		return v, nil, &lockfiles.ParseError{Path: in.Path, Err: &HeaderCountError{Table: table, Headers: len(headers), Entries: n}}
	}
	return v, headers, nil
}

// checkDepth applies CheckDepth with the input's depth limit, as a limit
// error naming the file, the line and the limit.
func checkDepth(in *lockfiles.Input) error {
	limit := in.Limits.MaxDepth
	if limit <= 0 {
		limit = lockfiles.DefaultMaxDepth
	}
	var de *DepthError
	if err := CheckDepth(in.Content, limit); errors.As(err, &de) {
		return lockfiles.LimitErrorf(in.Path, de.Line, "arrays and inline tables nested deeper than %d levels", de.Max)
	}
	return nil
}

// HeaderCountError says that a decoded file holds Entries elements of its
// [[Table]] array but Headers "[[Table]]" header lines, so the entries
// cannot be placed on lines.
type HeaderCountError struct {
	Table            string
	Headers, Entries int
}

func (e *HeaderCountError) Error() string {
	return fmt.Sprintf("found %d [[%s]] headers for %d %ss; cannot place entries on lines", e.Headers, e.Table, e.Entries, e.Table)
}

// DecodeError turns a BurntSushi/toml error into a *lockfiles.ParseError
// with its line: a syntax error's position, or the line a type mismatch
// names in its text ("toml: line 2 (last key ...): incompatible types"),
// since BurntSushi/toml returns those as plain errors.
func DecodeError(path string, err error) error {
	var pe toml.ParseError
	if errors.As(err, &pe) {
		msg := pe.Message
		if msg == "" {
			msg = err.Error()
		}
		return lockfiles.Errorf(path, pe.Position.Line, "%s", msg)
	}
	return lockfiles.Errorf(path, lineInMessage(err.Error()), "%v", err)
}

// lineInMessage returns N from a message starting "toml: line N", or 0.
func lineInMessage(msg string) int {
	after, ok := strings.CutPrefix(msg, "toml: line ")
	if !ok {
		return 0
	}
	n := 0
	for i := 0; i < len(after) && after[i] >= '0' && after[i] <= '9' && n < 1<<30; i++ {
		n = n*10 + int(after[i]-'0')
	}
	return n
}
