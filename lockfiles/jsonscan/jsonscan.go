// Package jsonscan is a streaming JSON (and JSONC) reader that walks a
// document in place, reports the 1-based line of every key and value, and
// skips the values a caller does not ask for without allocating.
//
// Written by hand because npm and bun lockfiles are large (firebase-tools'
// npm-shrinkwrap.json is 1.4 MB) and most of each entry (engines, funding,
// bin, per-package dependency maps) is irrelevant: building a full tree
// (lockfiles/jsontree) or decoding by reflection (encoding/json) spends most
// of its time and memory on values that are thrown away. It validates the
// whole document as strictly as jsontree does, skipped parts included.
package jsonscan

import (
	"fmt"
	"strconv"
	"unicode/utf16"
	"unicode/utf8"
)

// Kind is the JSON type of the next value.
type Kind uint8

// The JSON kinds.
const (
	Invalid Kind = iota
	Null
	Bool
	Number
	String
	Object
	Array
)

// String names the kind as JSON does ("object", "string", ...).
func (k Kind) String() string {
	switch k {
	case Null:
		return "null"
	case Bool:
		return "bool"
	case Number:
		return "number"
	case String:
		return "string"
	case Object:
		return "object"
	case Array:
		return "array"
	}
	return "invalid"
}

// Options select the dialect and the limits.
type Options struct {
	// MaxDepth bounds nesting of objects and arrays; 0 means 256.
	MaxDepth int
	// JSONC allows // and /* */ comments and trailing commas (bun.lock).
	JSONC bool
}

// SyntaxError is malformed input at a line.
type SyntaxError struct {
	Line int
	Msg  string
	// Depth is true when the error is the nesting limit being exceeded.
	Depth bool
}

// Error gives the line and the problem.
func (e *SyntaxError) Error() string { return fmt.Sprintf("line %d: %s", e.Line, e.Msg) }

// Scanner reads one JSON document. Its methods consume values in document
// order; the zero value is not usable, use New.
type Scanner struct {
	data     []byte
	pos      int
	line     int
	depth    int
	maxDepth int
	jsonc    bool
	// skipMember and skipItem are Skip as callbacks, made once so that
	// skipping nested values does not allocate a closure each time.
	skipMember func([]byte, int) error
	skipItem   func(int, int) error
}

// New returns a Scanner over data. A UTF-8 byte order mark is skipped.
func New(data []byte, opts Options) *Scanner {
	s := &Scanner{data: data, line: 1, maxDepth: opts.MaxDepth, jsonc: opts.JSONC}
	if s.maxDepth <= 0 {
		s.maxDepth = 256
	}
	s.skipMember = func([]byte, int) error { return s.Skip() }
	s.skipItem = func(int, int) error { return s.Skip() }
	if len(data) >= 3 && data[0] == 0xEF && data[1] == 0xBB && data[2] == 0xBF {
		s.pos = 3
	}
	return s
}

// Line returns the current line: after Peek, the line of the next value.
func (s *Scanner) Line() int { return s.line }

func (s *Scanner) errorf(format string, args ...any) error {
	return &SyntaxError{Line: s.line, Msg: fmt.Sprintf(format, args...)}
}

// space skips whitespace and, in JSONC, comments.
func (s *Scanner) space() error {
	for s.pos < len(s.data) {
		switch s.data[s.pos] {
		case ' ', '\t', '\r':
			s.pos++
		case '\n':
			s.line++
			s.pos++
		case '/':
			if !s.jsonc || s.pos+1 >= len(s.data) {
				return s.errorf("unexpected '/'")
			}
			switch s.data[s.pos+1] {
			case '/':
				for s.pos < len(s.data) && s.data[s.pos] != '\n' {
					s.pos++
				}
			case '*':
				start := s.line
				s.pos += 2
				for {
					if s.pos+1 >= len(s.data) {
						return &SyntaxError{Line: start, Msg: "unterminated comment"}
					}
					if s.data[s.pos] == '*' && s.data[s.pos+1] == '/' {
						s.pos += 2
						break
					}
					if s.data[s.pos] == '\n' {
						s.line++
					}
					s.pos++
				}
			default:
				return s.errorf("unexpected '/'")
			}
		default:
			return nil
		}
	}
	return nil
}

// Peek skips whitespace and returns the kind of the next value without
// consuming it (Invalid, with an error, at the end of input or on a byte
// that cannot start a value).
func (s *Scanner) Peek() (Kind, error) {
	if err := s.space(); err != nil {
		return Invalid, err
	}
	if s.pos >= len(s.data) {
		return Invalid, s.errorf("unexpected end of input")
	}
	switch c := s.data[s.pos]; {
	case c == '{':
		return Object, nil
	case c == '[':
		return Array, nil
	case c == '"':
		return String, nil
	case c == 't' || c == 'f':
		return Bool, nil
	case c == 'n':
		return Null, nil
	case c == '-' || (c >= '0' && c <= '9'):
		return Number, nil
	default:
		return Invalid, s.errorf("unexpected %q", c)
	}
}

// End checks that nothing but whitespace (and comments in JSONC) follows.
func (s *Scanner) End() error {
	if err := s.space(); err != nil {
		return err
	}
	if s.pos < len(s.data) {
		return s.errorf("unexpected %q after the top-level value", s.data[s.pos])
	}
	return nil
}

func (s *Scanner) enter() error {
	s.depth++
	if s.depth > s.maxDepth {
		return &SyntaxError{Line: s.line, Msg: fmt.Sprintf("nesting deeper than the limit (%d)", s.maxDepth), Depth: true}
	}
	return nil
}

// Object consumes an object, calling fn for each member with the scanner at
// the member's value. key may alias the input: copy it (string(key)) to keep
// it. fn may read the value or leave it; a value fn leaves unread is skipped.
func (s *Scanner) Object(fn func(key []byte, line int) error) error {
	k, err := s.Peek()
	if err != nil {
		return err
	}
	if k != Object {
		return s.errorf("expected an object, found %s", k)
	}
	if err := s.enter(); err != nil {
		return err
	}
	start := s.line
	s.pos++ // {
	for first := true; ; first = false {
		if err := s.space(); err != nil {
			return err
		}
		if s.pos >= len(s.data) {
			return &SyntaxError{Line: start, Msg: "unterminated object"}
		}
		if s.data[s.pos] == '}' && (first || s.jsonc) {
			break
		}
		if s.data[s.pos] != '"' {
			return s.errorf("expected a string key, found %q", s.data[s.pos])
		}
		keyLine := s.line
		key, err := s.rawString()
		if err != nil {
			return err
		}
		if err := s.space(); err != nil {
			return err
		}
		if s.pos >= len(s.data) || s.data[s.pos] != ':' {
			return s.errorf("expected ':' after key %q", key)
		}
		s.pos++
		if err := s.space(); err != nil {
			return err
		}
		before := s.pos
		if err := fn(key, keyLine); err != nil {
			return err
		}
		if s.pos == before {
			if err := s.Skip(); err != nil {
				return err
			}
		}
		if err := s.space(); err != nil {
			return err
		}
		if s.pos >= len(s.data) {
			return &SyntaxError{Line: start, Msg: "unterminated object"}
		}
		if s.data[s.pos] == ',' {
			s.pos++
			continue
		}
		if s.data[s.pos] == '}' {
			break
		}
		return s.errorf("expected ',' or '}' in object, found %q", s.data[s.pos])
	}
	s.pos++ // }
	s.depth--
	return nil
}

// Array consumes an array, calling fn for each element with the scanner at
// the element. As with Object, an element fn leaves unread is skipped.
func (s *Scanner) Array(fn func(index, line int) error) error {
	k, err := s.Peek()
	if err != nil {
		return err
	}
	if k != Array {
		return s.errorf("expected an array, found %s", k)
	}
	if err := s.enter(); err != nil {
		return err
	}
	start := s.line
	s.pos++ // [
	for i := 0; ; i++ {
		if err := s.space(); err != nil {
			return err
		}
		if s.pos >= len(s.data) {
			return &SyntaxError{Line: start, Msg: "unterminated array"}
		}
		if s.data[s.pos] == ']' && (i == 0 || s.jsonc) {
			break
		}
		before := s.pos
		if _, err := s.Peek(); err != nil {
			return err
		}
		if err := fn(i, s.line); err != nil {
			return err
		}
		if s.pos == before {
			if err := s.Skip(); err != nil {
				return err
			}
		}
		if err := s.space(); err != nil {
			return err
		}
		if s.pos >= len(s.data) {
			return &SyntaxError{Line: start, Msg: "unterminated array"}
		}
		if s.data[s.pos] == ',' {
			s.pos++
			continue
		}
		if s.data[s.pos] == ']' {
			break
		}
		return s.errorf("expected ',' or ']' in array, found %q", s.data[s.pos])
	}
	s.pos++ // ]
	s.depth--
	return nil
}

// String consumes a string value and returns it.
func (s *Scanner) String() (string, error) {
	k, err := s.Peek()
	if err != nil {
		return "", err
	}
	if k != String {
		return "", s.errorf("expected a string, found %s", k)
	}
	b, err := s.rawString()
	return string(b), err
}

// Bool consumes a boolean value and returns it.
func (s *Scanner) Bool() (bool, error) {
	k, err := s.Peek()
	if err != nil {
		return false, err
	}
	if k != Bool {
		return false, s.errorf("expected a boolean, found %s", k)
	}
	if s.data[s.pos] == 't' {
		return true, s.literal("true")
	}
	return false, s.literal("false")
}

// Number consumes a number value and returns its literal text.
func (s *Scanner) Number() (string, error) {
	k, err := s.Peek()
	if err != nil {
		return "", err
	}
	if k != Number {
		return "", s.errorf("expected a number, found %s", k)
	}
	start := s.pos
	if err := s.number(); err != nil {
		return "", err
	}
	return string(s.data[start:s.pos]), nil
}

// Null consumes a null value.
func (s *Scanner) Null() error {
	k, err := s.Peek()
	if err != nil {
		return err
	}
	if k != Null {
		return s.errorf("expected null, found %s", k)
	}
	return s.literal("null")
}

// Skip consumes the next value, whatever it is, validating it.
func (s *Scanner) Skip() error {
	k, err := s.Peek()
	if err != nil {
		return err
	}
	switch k {
	case Object:
		return s.Object(s.skipMember)
	case Array:
		return s.Array(s.skipItem)
	case String:
		_, err := s.rawString()
		return err
	case Bool:
		_, err := s.Bool()
		return err
	case Null:
		return s.literal("null")
	default:
		return s.number()
	}
}

func (s *Scanner) literal(word string) error {
	if len(s.data)-s.pos < len(word) || string(s.data[s.pos:s.pos+len(word)]) != word {
		return s.errorf("invalid literal")
	}
	s.pos += len(word)
	return nil
}

// number consumes a number following the JSON grammar (RFC 8259 section 6).
func (s *Scanner) number() error {
	d := s.data
	i := s.pos
	if i < len(d) && d[i] == '-' {
		i++
	}
	digits := func() int {
		n := 0
		for i < len(d) && d[i] >= '0' && d[i] <= '9' {
			i++
			n++
		}
		return n
	}
	switch {
	case i < len(d) && d[i] == '0':
		i++
	case digits() == 0:
		return s.errorf("invalid number")
	}
	if i < len(d) && d[i] == '.' {
		i++
		if digits() == 0 {
			return s.errorf("invalid number")
		}
	}
	if i < len(d) && (d[i] == 'e' || d[i] == 'E') {
		i++
		if i < len(d) && (d[i] == '+' || d[i] == '-') {
			i++
		}
		if digits() == 0 {
			return s.errorf("invalid number")
		}
	}
	s.pos = i
	return nil
}

// rawString consumes a string starting at its opening quote. Without
// escapes (the common case) it returns a slice of the input; with escapes,
// a decoded copy.
func (s *Scanner) rawString() ([]byte, error) {
	s.pos++ // opening quote
	start := s.pos
	for s.pos < len(s.data) {
		c := s.data[s.pos]
		if c == '"' {
			b := s.data[start:s.pos]
			s.pos++
			return b, nil
		}
		if c == '\\' {
			break
		}
		if c < 0x20 {
			return nil, s.errorf("control character in string")
		}
		s.pos++
	}
	buf := append([]byte(nil), s.data[start:s.pos]...)
	for s.pos < len(s.data) {
		c := s.data[s.pos]
		switch {
		case c == '"':
			s.pos++
			return buf, nil
		case c < 0x20:
			return nil, s.errorf("control character in string")
		case c != '\\':
			buf = append(buf, c)
			s.pos++
			continue
		}
		if s.pos+1 >= len(s.data) {
			break
		}
		e := s.data[s.pos+1]
		s.pos += 2
		switch e {
		case '"', '\\', '/':
			buf = append(buf, e)
		case 'b':
			buf = append(buf, '\b')
		case 'f':
			buf = append(buf, '\f')
		case 'n':
			buf = append(buf, '\n')
		case 'r':
			buf = append(buf, '\r')
		case 't':
			buf = append(buf, '\t')
		case 'u':
			r, ok := s.hex4()
			if !ok {
				return nil, s.errorf("invalid \\u escape")
			}
			if utf16.IsSurrogate(r) {
				r2 := rune(-1)
				if s.pos+1 < len(s.data) && s.data[s.pos] == '\\' && s.data[s.pos+1] == 'u' {
					save := s.pos
					s.pos += 2
					var ok2 bool
					if r2, ok2 = s.hex4(); !ok2 {
						s.pos = save
						r2 = -1
					}
				}
				r = utf16.DecodeRune(r, r2)
			}
			buf = utf8.AppendRune(buf, r)
		default:
			return nil, s.errorf("invalid escape '\\%c'", e)
		}
	}
	return nil, s.errorf("unterminated string")
}

func (s *Scanner) hex4() (rune, bool) {
	if len(s.data)-s.pos < 4 {
		return 0, false
	}
	n, err := strconv.ParseUint(string(s.data[s.pos:s.pos+4]), 16, 32)
	if err != nil {
		return 0, false
	}
	s.pos += 4
	return rune(n), true
}
