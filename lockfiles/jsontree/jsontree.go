// Package jsontree parses JSON (and the JSONC dialect of bun.lock: comments and
// trailing commas) into a tree whose every value knows its 1-based line.
//
// Written by hand because encoding/json cannot report where a value sits in
// the input, and the line is what places a finding on a pull request; a single
// pass over the bytes is also faster than reflection-based decoding.
package jsontree

import (
	"fmt"
	"strconv"
	"unicode/utf16"
	"unicode/utf8"
)

// Kind is the JSON type of a Value.
type Kind uint8

// The JSON kinds.
const (
	Null Kind = iota
	Bool
	Number
	String
	Object
	Array
)

func (k Kind) String() string {
	return [...]string{"null", "bool", "number", "string", "object", "array"}[k]
}

// Value is one JSON value with its position.
type Value struct {
	Kind Kind
	// Line is the 1-based line where the value starts.
	Line int
	// Str holds a string's value, a number's literal text, or "true"/"false".
	Str string
	// Members holds an object's members in input order.
	Members []Member
	// Items holds an array's elements.
	Items []*Value
}

// Member is one key of an object.
type Member struct {
	Key   string
	Line  int // line of the key
	Value *Value
}

// Get returns the value of key in an object, or nil (also when v is nil or not
// an object). With duplicate keys the last one wins, as in encoding/json.
func (v *Value) Get(key string) *Value {
	if v == nil || v.Kind != Object {
		return nil
	}
	for i := len(v.Members) - 1; i >= 0; i-- {
		if v.Members[i].Key == key {
			return v.Members[i].Value
		}
	}
	return nil
}

// GetString returns the string at key, or "" when absent or not a string.
func (v *Value) GetString(key string) string {
	c := v.Get(key)
	if c == nil || c.Kind != String {
		return ""
	}
	return c.Str
}

// GetBool returns the boolean at key, false when absent or not a boolean.
func (v *Value) GetBool(key string) bool {
	c := v.Get(key)
	return c != nil && c.Kind == Bool && c.Str == "true"
}

// Options select the dialect and the limits.
type Options struct {
	// MaxDepth bounds nesting of objects and arrays; 0 means 256.
	MaxDepth int
	// JSONC allows // and /* */ comments and trailing commas (bun.lock, tsconfig).
	JSONC bool
}

// SyntaxError is malformed input at a line.
type SyntaxError struct {
	Line int
	Msg  string
}

func (e *SyntaxError) Error() string { return fmt.Sprintf("line %d: %s", e.Line, e.Msg) }

// ErrDepth is the message of a SyntaxError caused by exceeding MaxDepth.
const ErrDepth = "nesting deeper than the limit"

type parser struct {
	data     []byte
	pos      int
	line     int
	depth    int
	maxDepth int
	jsonc    bool
}

// Parse parses one JSON document. Trailing content other than whitespace (and
// comments in JSONC) is an error.
func Parse(data []byte, opts Options) (*Value, error) {
	p := &parser{data: data, line: 1, maxDepth: opts.MaxDepth, jsonc: opts.JSONC}
	if p.maxDepth <= 0 {
		p.maxDepth = 256
	}
	// A UTF-8 byte order mark is tolerated, as editors on Windows write one.
	if len(data) >= 3 && data[0] == 0xEF && data[1] == 0xBB && data[2] == 0xBF {
		p.pos = 3
	}
	if err := p.skipSpace(); err != nil {
		return nil, err
	}
	v, err := p.value()
	if err != nil {
		return nil, err
	}
	if err := p.skipSpace(); err != nil {
		return nil, err
	}
	if p.pos < len(p.data) {
		return nil, p.errorf("unexpected %q after the top-level value", p.data[p.pos])
	}
	return v, nil
}

func (p *parser) errorf(format string, args ...any) error {
	return &SyntaxError{Line: p.line, Msg: fmt.Sprintf(format, args...)}
}

func (p *parser) skipSpace() error {
	for p.pos < len(p.data) {
		switch c := p.data[p.pos]; c {
		case ' ', '\t', '\r':
			p.pos++
		case '\n':
			p.line++
			p.pos++
		case '/':
			if !p.jsonc || p.pos+1 >= len(p.data) {
				return p.errorf("unexpected '/'")
			}
			switch p.data[p.pos+1] {
			case '/':
				for p.pos < len(p.data) && p.data[p.pos] != '\n' {
					p.pos++
				}
			case '*':
				start := p.line
				p.pos += 2
				for {
					if p.pos+1 >= len(p.data) {
						return &SyntaxError{Line: start, Msg: "unterminated comment"}
					}
					if p.data[p.pos] == '*' && p.data[p.pos+1] == '/' {
						p.pos += 2
						break
					}
					if p.data[p.pos] == '\n' {
						p.line++
					}
					p.pos++
				}
			default:
				return p.errorf("unexpected '/'")
			}
		default:
			return nil
		}
	}
	return nil
}

func (p *parser) value() (*Value, error) {
	if p.pos >= len(p.data) {
		return nil, p.errorf("unexpected end of input")
	}
	switch c := p.data[p.pos]; {
	case c == '{':
		return p.object()
	case c == '[':
		return p.array()
	case c == '"':
		line := p.line
		s, err := p.str()
		if err != nil {
			return nil, err
		}
		return &Value{Kind: String, Line: line, Str: s}, nil
	case c == 't':
		return p.literal("true", Bool)
	case c == 'f':
		return p.literal("false", Bool)
	case c == 'n':
		return p.literal("null", Null)
	case c == '-' || (c >= '0' && c <= '9'):
		return p.number()
	default:
		return nil, p.errorf("unexpected %q", c)
	}
}

func (p *parser) literal(word string, kind Kind) (*Value, error) {
	if len(p.data)-p.pos < len(word) || string(p.data[p.pos:p.pos+len(word)]) != word {
		return nil, p.errorf("invalid literal")
	}
	p.pos += len(word)
	v := &Value{Kind: kind, Line: p.line}
	if kind == Bool {
		v.Str = word
	}
	return v, nil
}

func (p *parser) number() (*Value, error) {
	// The JSON number grammar (RFC 8259 section 6):
	// -? (0 | [1-9][0-9]*) (\.[0-9]+)? ([eE][+-]?[0-9]+)?
	start := p.pos
	d := p.data
	i := p.pos
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
	bad := func() (*Value, error) {
		end := min(i+1, len(d))
		return nil, p.errorf("invalid number %q", d[start:end])
	}
	switch {
	case i < len(d) && d[i] == '0':
		i++
	case digits() == 0:
		return bad()
	}
	if i < len(d) && d[i] == '.' {
		i++
		if digits() == 0 {
			return bad()
		}
	}
	if i < len(d) && (d[i] == 'e' || d[i] == 'E') {
		i++
		if i < len(d) && (d[i] == '+' || d[i] == '-') {
			i++
		}
		if digits() == 0 {
			return bad()
		}
	}
	p.pos = i
	return &Value{Kind: Number, Line: p.line, Str: string(d[start:i])}, nil
}

func (p *parser) enter() error {
	p.depth++
	if p.depth > p.maxDepth {
		return p.errorf("%s (%d)", ErrDepth, p.maxDepth)
	}
	return nil
}

func (p *parser) object() (*Value, error) {
	if err := p.enter(); err != nil {
		return nil, err
	}
	v := &Value{Kind: Object, Line: p.line}
	p.pos++ // {
	for {
		if err := p.skipSpace(); err != nil {
			return nil, err
		}
		if p.pos >= len(p.data) {
			return nil, &SyntaxError{Line: v.Line, Msg: "unterminated object"}
		}
		if p.data[p.pos] == '}' {
			p.pos++
			p.depth--
			return v, nil
		}
		if p.data[p.pos] != '"' {
			return nil, p.errorf("expected a string key, found %q", p.data[p.pos])
		}
		keyLine := p.line
		key, err := p.str()
		if err != nil {
			return nil, err
		}
		if err := p.skipSpace(); err != nil {
			return nil, err
		}
		if p.pos >= len(p.data) || p.data[p.pos] != ':' {
			return nil, p.errorf("expected ':' after key %q", key)
		}
		p.pos++
		if err := p.skipSpace(); err != nil {
			return nil, err
		}
		val, err := p.value()
		if err != nil {
			return nil, err
		}
		v.Members = append(v.Members, Member{Key: key, Line: keyLine, Value: val})
		if err := p.skipSpace(); err != nil {
			return nil, err
		}
		if p.pos >= len(p.data) {
			return nil, &SyntaxError{Line: v.Line, Msg: "unterminated object"}
		}
		switch p.data[p.pos] {
		case ',':
			p.pos++
			if !p.jsonc {
				if err := p.skipSpace(); err != nil {
					return nil, err
				}
				if p.pos < len(p.data) && p.data[p.pos] == '}' {
					return nil, p.errorf("trailing comma")
				}
			}
		case '}':
			p.pos++
			p.depth--
			return v, nil
		default:
			return nil, p.errorf("expected ',' or '}' in object, found %q", p.data[p.pos])
		}
	}
}

func (p *parser) array() (*Value, error) {
	if err := p.enter(); err != nil {
		return nil, err
	}
	v := &Value{Kind: Array, Line: p.line}
	p.pos++ // [
	for {
		if err := p.skipSpace(); err != nil {
			return nil, err
		}
		if p.pos >= len(p.data) {
			return nil, &SyntaxError{Line: v.Line, Msg: "unterminated array"}
		}
		if p.data[p.pos] == ']' {
			p.pos++
			p.depth--
			return v, nil
		}
		item, err := p.value()
		if err != nil {
			return nil, err
		}
		v.Items = append(v.Items, item)
		if err := p.skipSpace(); err != nil {
			return nil, err
		}
		if p.pos >= len(p.data) {
			return nil, &SyntaxError{Line: v.Line, Msg: "unterminated array"}
		}
		switch p.data[p.pos] {
		case ',':
			p.pos++
			if !p.jsonc {
				if err := p.skipSpace(); err != nil {
					return nil, err
				}
				if p.pos < len(p.data) && p.data[p.pos] == ']' {
					return nil, p.errorf("trailing comma")
				}
			}
		case ']':
			p.pos++
			p.depth--
			return v, nil
		default:
			return nil, p.errorf("expected ',' or ']' in array, found %q", p.data[p.pos])
		}
	}
}

// str reads a string starting at the opening quote.
func (p *parser) str() (string, error) {
	p.pos++ // opening quote
	start := p.pos
	// Fast path: no escapes.
	for p.pos < len(p.data) {
		c := p.data[p.pos]
		if c == '"' {
			s := string(p.data[start:p.pos])
			p.pos++
			return s, nil
		}
		if c == '\\' {
			break
		}
		if c < 0x20 {
			return "", p.errorf("control character in string")
		}
		p.pos++
	}
	buf := append([]byte(nil), p.data[start:p.pos]...)
	for p.pos < len(p.data) {
		c := p.data[p.pos]
		switch {
		case c == '"':
			p.pos++
			return string(buf), nil
		case c < 0x20:
			return "", p.errorf("control character in string")
		case c != '\\':
			buf = append(buf, c)
			p.pos++
			continue
		}
		if p.pos+1 >= len(p.data) {
			break
		}
		e := p.data[p.pos+1]
		p.pos += 2
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
			r, ok := p.hex4()
			if !ok {
				return "", p.errorf("invalid \\u escape")
			}
			if utf16.IsSurrogate(r) {
				r2 := rune(-1)
				if p.pos+1 < len(p.data) && p.data[p.pos] == '\\' && p.data[p.pos+1] == 'u' {
					save := p.pos
					p.pos += 2
					var ok2 bool
					if r2, ok2 = p.hex4(); !ok2 {
						p.pos = save
						r2 = -1
					}
				}
				r = utf16.DecodeRune(r, r2)
			}
			buf = utf8.AppendRune(buf, r)
		default:
			return "", p.errorf("invalid escape '\\%c'", e)
		}
	}
	return "", p.errorf("unterminated string")
}

func (p *parser) hex4() (rune, bool) {
	if len(p.data)-p.pos < 4 {
		return 0, false
	}
	n, err := strconv.ParseUint(string(p.data[p.pos:p.pos+4]), 16, 32)
	if err != nil {
		return 0, false
	}
	p.pos += 4
	return rune(n), true
}
