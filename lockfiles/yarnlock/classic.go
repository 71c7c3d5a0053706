package yarnlock

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"regexp"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/tollgate-dev/tollgate/lockfiles"
)

// The reader of yarn classic files is a port of yarn 1.22.22's own lockfile
// reader (src/lockfile/parse.js: tokenise and Parser.parse), token for
// token, because any other reading lets a file show one package to a
// reviewer's tool and install another. Cases that differ from a naive
// line reader, all checked against yarn 1.22.22 (TestReadsWhatYarn1Reads):
//
//   - a lone CR ends a token and a line, but spaces after it are no
//     indentation: "benign@^1:\revil@^1:" is two entries, the second
//     one holding the fields below it;
//   - a "#" comment runs to the next LF, over any CR;
//   - the colon after a key is optional, and so are LFs between a key, its
//     value and the next key ("version "1" resolved "x"" is two fields);
//   - duplicate keys: the last one wins, at every level;
//   - when its own reader fails, yarn reads the file again as YAML (js-yaml,
//     failsafe schema) and installs from that; tollgate refuses such a file
//     with the error yarn's reader met, at its line;
//   - when its reader meets an indentation it does not expect, yarn stops
//     and ignores the rest of the file; tollgate refuses such a file too.

type classicTok uint8

const (
	tokNewline classicTok = iota
	tokIndent
	tokString
	tokNumber
	tokBool
	tokColon
	tokComma
	tokInvalid
	tokEOF
)

type classicToken struct {
	kind classicTok
	str  string // string value; number and bool literal text
	n    int    // indentation level (spaces / 2)
	line int    // 1-based line of the token, counting LFs as git does
}

// errClassic is yarn's own reader failing: yarn would read the file as YAML.
type errClassic struct {
	line int
	msg  string
}

func (e *errClassic) Error() string { return e.msg }

var (
	classicVersionRe = regexp.MustCompile(`^yarn lockfile v(\d+)$`)
	classicBareStart = regexp.MustCompile(`^[a-zA-Z/.-]`)
)

// classicTokenizer is yarn's tokenise generator: tokens are made one at a
// time, as the parser asks, so that a parse that stops early never sees the
// tokens after it (yarn's does not either).
type classicTokenizer struct {
	in          string
	pos         int
	line        int
	lastNewline bool
	pending     []classicToken // a second token of one step (yarn yields invalid twice on a zero chop)
	done        bool
}

func (t *classicTokenizer) next() (classicToken, error) {
	if len(t.pending) > 0 {
		tok := t.pending[0]
		t.pending = t.pending[1:]
		return tok, nil
	}
	// Comments and spaces that are no indentation make no token: skipped
	// in a loop, not by recursion, however many there are.
	for t.pos < len(t.in) {
		in := t.in[t.pos:]
		switch {
		case in[0] == '#':
			end := strings.IndexByte(in[1:], '\n')
			chop := len(in)
			if end >= 0 {
				chop = end + 1
			}
			comment := strings.TrimSpace(in[1:chop])
			if m := classicVersionRe.FindStringSubmatch(comment); m != nil {
				if v, err := strconv.Atoi(m[1]); err != nil || v > 1 {
					return classicToken{}, &errClassic{line: t.line, msg: fmt.Sprintf("lockfile version %s is newer than yarn classic reads", m[1])}
				}
			}
			t.advance(in, chop)
			continue
		case in[0] == ' ' && !t.lastNewline:
			t.advance(in, 1)
			continue
		}
		break
	}
	if t.pos >= len(t.in) {
		if t.done {
			return classicToken{}, &errClassic{line: t.line, msg: "no more tokens"}
		}
		t.done = true
		return classicToken{kind: tokEOF, line: t.line}, nil
	}
	in := t.in[t.pos:]
	tok := classicToken{line: t.line}
	chop := 0
	switch c := in[0]; {
	case c == '\n' || c == '\r':
		chop = 1
		if len(in) > 1 && in[1] == '\n' {
			chop = 2
		}
		tok.kind = tokNewline
	case c == ' ':
		size := 1
		for size < len(in) && in[size] == ' ' {
			size++
		}
		if size%2 != 0 {
			return tok, &errClassic{line: t.line, msg: "invalid number of spaces"}
		}
		chop, tok.kind, tok.n = size, tokIndent, size/2
	case c == '"':
		i := 1
		for ; i < len(in); i++ {
			if in[i] == '"' && !(in[i-1] == '\\' && (i < 2 || in[i-2] != '\\')) {
				i++
				break
			}
		}
		chop = i
		var s string
		if err := json.Unmarshal([]byte(in[:i]), &s); err != nil {
			tok.kind = tokInvalid
		} else {
			tok.kind, tok.str = tokString, s
		}
	case c >= '0' && c <= '9':
		for chop < len(in) && in[chop] >= '0' && in[chop] <= '9' {
			chop++
		}
		// +"007" is 7 in yarn's reader.
		n := strings.TrimLeft(in[:chop], "0")
		if n == "" {
			n = "0"
		}
		tok.kind, tok.str = tokNumber, n
	case strings.HasPrefix(in, "true"):
		chop, tok.kind, tok.str = 4, tokBool, "true"
	case strings.HasPrefix(in, "false"):
		chop, tok.kind, tok.str = 5, tokBool, "false"
	case c == ':':
		chop, tok.kind = 1, tokColon
	case c == ',':
		chop, tok.kind = 1, tokComma
	case classicBareStart.MatchString(in[:1]):
		chop = strings.IndexAny(in, ": \n\r,")
		if chop < 0 {
			chop = len(in)
		}
		tok.kind, tok.str = tokString, in[:chop]
	default:
		tok.kind = tokInvalid
	}
	if chop == 0 {
		// yarn yields a second invalid token and, were the parser to go
		// on, would loop; its parser fails on the first one.
		t.pending = append(t.pending, classicToken{kind: tokInvalid, line: t.line})
		chop = 1
	}
	t.advance(in, chop)
	return tok, nil
}

// advance consumes chop bytes of in (the rest of the input).
func (t *classicTokenizer) advance(in string, chop int) {
	t.lastNewline = in[0] == '\n' || (in[0] == '\r' && len(in) > 1 && in[1] == '\n')
	t.line += strings.Count(in[:chop], "\n")
	t.pos += chop
}

// classicValue is a value of the parsed file: a string (numbers and
// booleans as their text) or an object.
type classicValue struct {
	str    string
	obj    *classicObject
	isBool bool
}

// classicObject keeps the assignments of one object in order, as yarn's
// object does with last-wins keys.
type classicObject struct {
	assigns []classicAssign
	fields  map[string]*classicValue // the last value of each key
}

// classicAssign is one "key(s): value" of an object: yarn assigns the same
// value to each of the comma-separated keys.
type classicAssign struct {
	keys []string
	line int
	val  *classicValue
}

type classicParser struct {
	ctx      context.Context
	tz       classicTokenizer
	tok      classicToken
	maxDepth int
	steps    int
}

func (p *classicParser) next() error {
	tok, err := p.tz.next()
	if err != nil {
		return err
	}
	p.tok = tok
	p.steps++
	if p.steps&0xfff == 0 {
		if err := p.ctx.Err(); err != nil {
			return err
		}
	}
	return nil
}

func (p *classicParser) unexpected(msg string) error {
	return &errClassic{line: p.tok.line, msg: msg}
}

// parse is Parser.parse of yarn 1.22.22.
func (p *classicParser) parse(indent int) (*classicObject, error) {
	if indent > p.maxDepth {
		return nil, lockfiles.LimitErrorf("", p.tok.line, "nesting deeper than %d levels", p.maxDepth)
	}
	obj := &classicObject{fields: map[string]*classicValue{}}
	for {
		prop := p.tok
		switch prop.kind {
		case tokNewline:
			if err := p.next(); err != nil {
				return nil, err
			}
			if indent == 0 {
				continue
			}
			if p.tok.kind != tokIndent || p.tok.n != indent {
				return obj, nil // back to a shallower level
			}
			if err := p.next(); err != nil {
				return nil, err
			}
		case tokIndent:
			if prop.n != indent {
				return obj, nil
			}
			if err := p.next(); err != nil {
				return nil, err
			}
		case tokEOF:
			return obj, nil
		case tokString:
			if prop.str == "" {
				return nil, p.unexpected("expected a key") // yarn's invariant
			}
			keys := []string{prop.str}
			if err := p.next(); err != nil {
				return nil, err
			}
			for p.tok.kind == tokComma {
				if err := p.next(); err != nil {
					return nil, err
				}
				if p.tok.kind != tokString {
					return nil, p.unexpected("expected a string after ','")
				}
				if p.tok.str == "" {
					return nil, p.unexpected("expected a key")
				}
				keys = append(keys, p.tok.str)
				if err := p.next(); err != nil {
					return nil, err
				}
			}
			wasColon := p.tok.kind == tokColon
			if wasColon {
				if err := p.next(); err != nil {
					return nil, err
				}
			}
			switch {
			case p.tok.kind == tokString || p.tok.kind == tokNumber || p.tok.kind == tokBool:
				obj.assign(keys, prop.line, &classicValue{str: p.tok.str, isBool: p.tok.kind == tokBool})
				if err := p.next(); err != nil {
					return nil, err
				}
			case wasColon:
				child, err := p.parse(indent + 1)
				if err != nil {
					return nil, err
				}
				obj.assign(keys, prop.line, &classicValue{obj: child})
				if indent > 0 && p.tok.kind != tokIndent {
					return obj, nil
				}
			default:
				return nil, p.unexpected("invalid value type")
			}
		default:
			return nil, p.unexpected(fmt.Sprintf("unexpected %s", describeClassic(prop)))
		}
	}
}

func (o *classicObject) assign(keys []string, line int, v *classicValue) {
	o.assigns = append(o.assigns, classicAssign{keys: keys, line: line, val: v})
	for _, k := range keys {
		o.fields[k] = v
	}
}

func (o *classicObject) str(key string) string {
	if v := o.fields[key]; v != nil && v.obj == nil {
		return v.str
	}
	return ""
}

func describeClassic(t classicToken) string {
	switch t.kind {
	case tokColon:
		return "':'"
	case tokComma:
		return "','"
	case tokIndent:
		return "indentation"
	}
	return "token"
}

// parseClassic reads a yarn classic lockfile as yarn 1.22.22 does and
// returns its entries: one per top-level assignment, holding those of its
// keys that no later assignment overrides.
func parseClassic(ctx context.Context, in *lockfiles.Input, limits lockfiles.Limits) ([]entry, error) {
	src := string(in.Content)
	// Node reads the file as UTF-8, invalid bytes becoming U+FFFD, and
	// strip-bom removes one byte-order mark.
	if !utf8.ValidString(src) {
		src = strings.ToValidUTF8(src, "\uFFFD")
	}
	src = strings.TrimPrefix(src, "\uFEFF")
	p := &classicParser{ctx: ctx, tz: classicTokenizer{in: src, line: 1}, maxDepth: limits.MaxDepth}
	root, err := p.start()
	if err != nil {
		var ec *errClassic
		var pe *lockfiles.ParseError
		switch {
		case errors.As(err, &ec):
			return nil, lockfiles.Errorf(in.Path, ec.line, "yarn's lockfile reader rejects this: %s (yarn would then read the file as YAML, which tollgate does not do)", ec.msg)
		case errors.As(err, &pe):
			pe.Path = in.Path
			return nil, pe
		}
		return nil, fmt.Errorf("parse %s: %w", in.Path, err)
	}
	if p.tok.kind != tokEOF {
		return nil, lockfiles.Errorf(in.Path, p.tok.line, "yarn stops reading at this indentation and ignores the rest of the file")
	}
	var entries []entry
	for _, a := range root.assigns {
		var specs []string
		for _, k := range a.keys {
			if root.fields[k] == a.val {
				specs = append(specs, k)
			}
		}
		if len(specs) == 0 {
			continue // every key of it is assigned again later: yarn keeps the later one
		}
		if a.val.obj == nil {
			return nil, lockfiles.Errorf(in.Path, a.line, "entry %q is a value, not a block of fields", truncateString(specs[0]))
		}
		if len(entries) >= limits.MaxPackages {
			return nil, lockfiles.LimitErrorf(in.Path, a.line, "more than %d entries", limits.MaxPackages)
		}
		o := a.val.obj
		entries = append(entries, entry{
			line:      a.line,
			specs:     specs,
			version:   o.str("version"),
			resolved:  o.str("resolved"),
			integrity: o.str("integrity"),
		})
	}
	return entries, nil
}

// start reads the first token and the top-level object, as yarn's parse
// does (parser.next(); parser.parse()).
func (p *classicParser) start() (*classicObject, error) {
	if err := p.next(); err != nil {
		return nil, err
	}
	return p.parse(0)
}
