// Package tomltree is a fast reader for the TOML that lockfile generators
// (uv, Poetry, PDM) write: tables, arrays of tables (dotted header keys),
// bare and quoted keys, single-line strings, integers, booleans, arrays and inline
// tables. Every value knows its line.
//
// Written by hand because github.com/BurntSushi/toml spends most of a large
// uv.lock's parse time lexing through channels and building reflection-ready
// values, and gives no line per array element. This reader does not accept
// all of TOML: on anything outside the subset (multi-line strings, floats,
// dates, duplicate keys, ...) Parse reports ok=false and callers fall back to
// BurntSushi/toml, which then decides (and words the error).
package tomltree

import (
	"strconv"
	"strings"
	"unicode/utf8"
)

// Kind is the type of a Value.
type Kind uint8

// The kinds of values the subset has.
const (
	String Kind = iota
	Integer
	Bool
	Array
	Table
)

// Value is one TOML value.
type Value struct {
	Kind Kind
	// Line is the 1-based line where the value (for tables: the header or the
	// opening brace) starts.
	Line int
	// Str is a string's value, an integer's or a boolean's literal text.
	Str string
	// Items are an array's elements (for an array of tables: the tables).
	Items []*Value
	// Fields are a table's keys and values.
	Fields map[string]*Value

	arrayOfTables bool // array created by [[...]] headers
	defined       bool // table created by a [header] or an inline table (closed)
	inline        bool // inline table or static array: closed for additions
}

// Get returns the value at key in a table, or nil.
func (v *Value) Get(key string) *Value {
	if v == nil || v.Kind != Table {
		return nil
	}
	return v.Fields[key]
}

type parser struct {
	data     string
	pos      int
	line     int
	depth    int
	maxDepth int

	// Values and array items come from slabs: a lockfile's thousands of
	// values cost a few allocations (the per-table maps remain).
	slab  []Value
	ptrs  []*Value
	items []*Value // the items of the arrays being read, innermost last
	keys  []string // the key path of the header being read
}

// newValue returns a pointer to a copy of v from the slab.
func (p *parser) newValue(v Value) *Value {
	if len(p.slab) == cap(p.slab) {
		p.slab = make([]Value, 0, 256)
	}
	p.slab = append(p.slab, v)
	return &p.slab[len(p.slab)-1]
}

// itemSlice returns a slice of n pointers for an array's items, carved from
// a slab when small (its capacity stops an append at its end).
func (p *parser) itemSlice(n int) []*Value {
	if n > 64 {
		return make([]*Value, n)
	}
	if len(p.ptrs)+n > cap(p.ptrs) {
		p.ptrs = make([]*Value, 0, 1024)
	}
	k := len(p.ptrs)
	p.ptrs = p.ptrs[:k+n]
	return p.ptrs[k : k+n : k+n]
}

// Parse reads data. ok is false when data is not in the subset (or is not
// valid TOML); the caller then uses a complete TOML decoder.
func Parse(data []byte, maxDepth int) (root *Value, ok bool) {
	if maxDepth <= 0 {
		maxDepth = 256
	}
	p := &parser{data: string(data), line: 1, maxDepth: maxDepth}
	if !utf8.ValidString(p.data) || hasControl(p.data) {
		return nil, false
	}
	root = p.newValue(Value{Kind: Table, Line: 1, Fields: map[string]*Value{}})
	current := root
	for {
		p.skipBlank()
		if p.pos >= len(p.data) {
			return root, true
		}
		switch p.data[p.pos] {
		case '[':
			t, ok := p.header(root)
			if !ok {
				return nil, false
			}
			current = t
		default:
			if !p.keyValue(current) {
				return nil, false
			}
		}
		if !p.endOfLine() {
			return nil, false
		}
	}
}

// hasControl reports control characters TOML forbids anywhere (all but tab
// and newlines), and a carriage return not followed by a newline.
func hasControl(s string) bool {
	bad := func(i int) bool {
		switch c := s[i]; {
		case c == '\t' || c == '\n':
		case c == '\r':
			return i+1 >= len(s) || s[i+1] != '\n'
		case c < 0x20 || c == 0x7f:
			return true
		}
		return false
	}
	i := 0
	for ; i+8 <= len(s); i += 8 {
		// Eight bytes at a time: skip words with no byte below 0x20 but
		// '\n' and no DEL, look closer at the rest.
		x := uint64(s[i]) | uint64(s[i+1])<<8 | uint64(s[i+2])<<16 | uint64(s[i+3])<<24 |
			uint64(s[i+4])<<32 | uint64(s[i+5])<<40 | uint64(s[i+6])<<48 | uint64(s[i+7])<<56
		if zeroBytes(x&0xe0e0e0e0e0e0e0e0)&^zeroBytes(x^0x0a0a0a0a0a0a0a0a)|zeroBytes(x^0x7f7f7f7f7f7f7f7f) == 0 {
			continue
		}
		for j := i; j < i+8; j++ {
			if bad(j) {
				return true
			}
		}
	}
	for ; i < len(s); i++ {
		if bad(i) {
			return true
		}
	}
	return false
}

// zeroBytes returns the high bit of every zero byte of x, exactly (no
// carry crosses from one byte to the next).
func zeroBytes(x uint64) uint64 {
	const low7 = 0x7f7f7f7f7f7f7f7f
	return ^((x&low7 + low7) | x | low7)
}

// skipBlank skips whitespace, newlines and comments.
func (p *parser) skipBlank() {
	for p.pos < len(p.data) {
		switch p.data[p.pos] {
		case ' ', '\t', '\r':
			p.pos++
		case '\n':
			p.line++
			p.pos++
		case '#':
			for p.pos < len(p.data) && p.data[p.pos] != '\n' {
				p.pos++
			}
		default:
			return
		}
	}
}

func (p *parser) skipSpace() {
	for p.pos < len(p.data) && (p.data[p.pos] == ' ' || p.data[p.pos] == '\t') {
		p.pos++
	}
}

// endOfLine accepts optional spaces and a comment up to a newline or the end.
func (p *parser) endOfLine() bool {
	p.skipSpace()
	if p.pos < len(p.data) && p.data[p.pos] == '#' {
		for p.pos < len(p.data) && p.data[p.pos] != '\n' {
			c := p.data[p.pos]
			if c < 0x20 && c != '\t' || c == 0x7f {
				return false // control characters are not allowed in comments
			}
			p.pos++
		}
	}
	if p.pos < len(p.data) && p.data[p.pos] == '\r' {
		p.pos++
	}
	if p.pos >= len(p.data) {
		return true
	}
	if p.data[p.pos] != '\n' {
		return false
	}
	return true
}

// header reads "[a.b]" or "[[a.b]]" and returns the table it opens.
func (p *parser) header(root *Value) (*Value, bool) {
	line := p.line
	p.pos++
	aot := p.pos < len(p.data) && p.data[p.pos] == '['
	if aot {
		p.pos++
	}
	p.skipSpace()
	keys, ok := p.keyPath()
	if !ok {
		return nil, false
	}
	p.skipSpace()
	closing := "]"
	if aot {
		closing = "]]"
	}
	if !strings.HasPrefix(p.data[p.pos:], closing) {
		return nil, false
	}
	p.pos += len(closing)
	t := root
	for _, k := range keys[:len(keys)-1] {
		next, ok := p.descend(t, k, line)
		if !ok {
			return nil, false
		}
		t = next
	}
	last := keys[len(keys)-1]
	existing := t.Fields[last]
	if aot {
		if existing == nil {
			existing = p.newValue(Value{Kind: Array, Line: line, arrayOfTables: true})
			t.Fields[last] = existing
		} else if existing.Kind != Array || !existing.arrayOfTables {
			return nil, false
		}
		nt := p.newValue(Value{Kind: Table, Line: line, Fields: map[string]*Value{}, defined: true})
		existing.Items = append(existing.Items, nt)
		return nt, true
	}
	if existing == nil {
		nt := p.newValue(Value{Kind: Table, Line: line, Fields: map[string]*Value{}, defined: true})
		t.Fields[last] = nt
		return nt, true
	}
	if existing.Kind != Table || existing.defined || existing.inline {
		return nil, false
	}
	existing.defined = true
	existing.Line = line
	return existing, true
}

// descend returns the table at key in t for a header or a dotted key,
// creating an implicit table; for an array of tables, its last element.
func (p *parser) descend(t *Value, key string, line int) (*Value, bool) {
	v := t.Fields[key]
	switch {
	case v == nil:
		v = p.newValue(Value{Kind: Table, Line: line, Fields: map[string]*Value{}})
		t.Fields[key] = v
		return v, true
	case v.Kind == Table && !v.inline:
		return v, true
	case v.Kind == Array && v.arrayOfTables && len(v.Items) > 0:
		return v.Items[len(v.Items)-1], true
	}
	return nil, false
}

// keyPath reads a possibly dotted key, into p.keys (valid until the next
// call).
func (p *parser) keyPath() ([]string, bool) {
	keys := p.keys[:0]
	defer func() { p.keys = keys[:0] }()
	for {
		p.skipSpace()
		k, ok := p.key()
		if !ok {
			return nil, false
		}
		keys = append(keys, k)
		p.skipSpace()
		if p.pos < len(p.data) && p.data[p.pos] == '.' {
			p.pos++
			continue
		}
		return keys, true
	}
}

// key reads one bare or quoted key.
func (p *parser) key() (string, bool) {
	if p.pos >= len(p.data) {
		return "", false
	}
	switch p.data[p.pos] {
	case '"':
		return p.basicString()
	case '\'':
		return p.literalString()
	}
	start := p.pos
	for p.pos < len(p.data) {
		c := p.data[p.pos]
		if c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '_' || c == '-' {
			p.pos++
			continue
		}
		break
	}
	if p.pos == start {
		return "", false
	}
	return p.data[start:p.pos], true
}

// keyValue reads "key = value" into t. Dotted keys are outside the subset
// (lockfile generators do not write them; their table rules are subtle).
func (p *parser) keyValue(t *Value) bool {
	k, ok := p.key()
	if !ok {
		return false
	}
	p.skipSpace()
	if p.pos >= len(p.data) || p.data[p.pos] != '=' {
		return false
	}
	p.pos++
	p.skipSpace()
	v, ok := p.value()
	if !ok {
		return false
	}
	if _, dup := t.Fields[k]; dup {
		return false
	}
	t.Fields[k] = v
	return true
}

// value reads one value.
func (p *parser) value() (*Value, bool) {
	if p.pos >= len(p.data) {
		return nil, false
	}
	line := p.line
	switch c := p.data[p.pos]; {
	case c == '"':
		if strings.HasPrefix(p.data[p.pos:], `"""`) {
			return nil, false
		}
		s, ok := p.basicString()
		return p.newValue(Value{Kind: String, Line: line, Str: s}), ok
	case c == '\'':
		if strings.HasPrefix(p.data[p.pos:], `'''`) {
			return nil, false
		}
		s, ok := p.literalString()
		return p.newValue(Value{Kind: String, Line: line, Str: s}), ok
	case c == '[':
		return p.array()
	case c == '{':
		return p.inlineTable()
	case c == 't' && strings.HasPrefix(p.data[p.pos:], "true"):
		p.pos += 4
		return p.newValue(Value{Kind: Bool, Line: line, Str: "true"}), p.scalarEnds()
	case c == 'f' && strings.HasPrefix(p.data[p.pos:], "false"):
		p.pos += 5
		return p.newValue(Value{Kind: Bool, Line: line, Str: "false"}), p.scalarEnds()
	case c == '-' || c == '+' || c >= '0' && c <= '9':
		return p.integer()
	}
	return nil, false
}

// scalarEnds checks that a bare scalar is followed by a delimiter.
func (p *parser) scalarEnds() bool {
	if p.pos >= len(p.data) {
		return true
	}
	switch p.data[p.pos] {
	case ' ', '\t', '\r', '\n', ',', ']', '}', '#':
		return true
	}
	return false
}

// integer reads a decimal integer without underscores or leading zeros;
// anything else numeric (floats, dates, hex) is outside the subset.
func (p *parser) integer() (*Value, bool) {
	start := p.pos
	if p.data[p.pos] == '-' || p.data[p.pos] == '+' {
		p.pos++
	}
	digits := p.pos
	for p.pos < len(p.data) && p.data[p.pos] >= '0' && p.data[p.pos] <= '9' {
		p.pos++
	}
	n := p.pos - digits
	if n == 0 || n > 18 || (n > 1 && p.data[digits] == '0') || !p.scalarEnds() {
		return nil, false
	}
	return p.newValue(Value{Kind: Integer, Line: p.line, Str: p.data[start:p.pos]}), true
}

func (p *parser) enter() bool {
	p.depth++
	return p.depth <= p.maxDepth
}

// array reads "[ v, v, ]", across lines, with comments.
func (p *parser) array() (*Value, bool) {
	if !p.enter() {
		return nil, false
	}
	defer func() { p.depth-- }()
	v := p.newValue(Value{Kind: Array, Line: p.line, inline: true})
	p.pos++
	// The items gather on p.items (nested arrays above them) and move to
	// a slice of their own, exactly sized, when the array closes.
	start := len(p.items)
	defer func() { p.items = p.items[:start] }()
	closeArray := func() (*Value, bool) {
		p.pos++
		if n := len(p.items) - start; n > 0 {
			v.Items = p.itemSlice(n)
			copy(v.Items, p.items[start:])
		}
		return v, true
	}
	for {
		p.skipBlank()
		if p.pos >= len(p.data) {
			return nil, false
		}
		if p.data[p.pos] == ']' {
			return closeArray()
		}
		item, ok := p.value()
		if !ok {
			return nil, false
		}
		p.items = append(p.items, item)
		p.skipBlank()
		if p.pos >= len(p.data) {
			return nil, false
		}
		switch p.data[p.pos] {
		case ',':
			p.pos++
		case ']':
			return closeArray()
		default:
			return nil, false
		}
	}
}

// inlineTable reads "{ k = v, k = v }" on one line.
func (p *parser) inlineTable() (*Value, bool) {
	if !p.enter() {
		return nil, false
	}
	defer func() { p.depth-- }()
	v := p.newValue(Value{Kind: Table, Line: p.line, Fields: map[string]*Value{}})
	p.pos++
	p.skipSpace()
	if p.pos < len(p.data) && p.data[p.pos] == '}' {
		p.pos++
		v.inline, v.defined = true, true
		return v, true
	}
	for {
		p.skipSpace()
		if !p.keyValue(v) {
			return nil, false
		}
		p.skipSpace()
		if p.pos >= len(p.data) {
			return nil, false
		}
		switch p.data[p.pos] {
		case ',':
			p.pos++
		case '}':
			p.pos++
			closeInline(v)
			return v, true
		default:
			return nil, false
		}
	}
}

// closeInline marks an inline table as closed for later headers and keys.
func closeInline(v *Value) {
	v.inline, v.defined = true, true
}

// basicString reads a "..." string with escapes.
func (p *parser) basicString() (string, bool) {
	p.pos++
	start := p.pos
	// Fast path: no escapes.
	for p.pos < len(p.data) {
		c := p.data[p.pos]
		if c == '"' {
			s := p.data[start:p.pos]
			p.pos++
			return s, true
		}
		if c == '\\' {
			break
		}
		if c < 0x20 && c != '\t' || c == 0x7f {
			return "", false
		}
		p.pos++
	}
	var b strings.Builder
	b.WriteString(p.data[start:p.pos])
	for p.pos < len(p.data) {
		c := p.data[p.pos]
		switch {
		case c == '"':
			p.pos++
			return b.String(), true
		case c == '\\':
			if p.pos+1 >= len(p.data) {
				return "", false
			}
			e := p.data[p.pos+1]
			p.pos += 2
			switch e {
			case 'b':
				b.WriteByte('\b')
			case 't':
				b.WriteByte('\t')
			case 'n':
				b.WriteByte('\n')
			case 'f':
				b.WriteByte('\f')
			case 'r':
				b.WriteByte('\r')
			case '"':
				b.WriteByte('"')
			case '\\':
				b.WriteByte('\\')
			case 'u', 'U':
				n := 4
				if e == 'U' {
					n = 8
				}
				if p.pos+n > len(p.data) {
					return "", false
				}
				r, err := strconv.ParseUint(p.data[p.pos:p.pos+n], 16, 32)
				if err != nil || !utf8.ValidRune(rune(r)) {
					return "", false
				}
				b.WriteRune(rune(r))
				p.pos += n
			default:
				return "", false
			}
		case c < 0x20 && c != '\t' || c == 0x7f:
			return "", false
		default:
			b.WriteByte(c)
			p.pos++
		}
	}
	return "", false
}

// literalString reads a '...' string.
func (p *parser) literalString() (string, bool) {
	p.pos++
	start := p.pos
	for p.pos < len(p.data) {
		c := p.data[p.pos]
		if c == '\'' {
			s := p.data[start:p.pos]
			p.pos++
			return s, true
		}
		if c < 0x20 && c != '\t' || c == 0x7f {
			return "", false
		}
		p.pos++
	}
	return "", false
}

// FromHeaders reports whether v is an array of tables built from [[...]]
// headers (as opposed to an inline array of inline tables).
func (v *Value) FromHeaders() bool { return v != nil && v.Kind == Array && v.arrayOfTables }

// The typed getters below read key of table v. An absent key (or a nil v)
// gives the zero value and ok=true; a value of another type gives ok=false,
// so callers can fall back to a full decoder that reports the mismatch.

// String returns the string at key.
func (v *Value) String(key string) (s string, ok bool) {
	f := v.Get(key)
	if f == nil {
		return "", true
	}
	return f.Str, f.Kind == String
}

// Bool returns the boolean at key.
func (v *Value) Bool(key string) (b bool, ok bool) {
	f := v.Get(key)
	if f == nil {
		return false, true
	}
	return f.Str == "true", f.Kind == Bool
}

// Strings returns the array of strings at key (non-nil when present).
func (v *Value) Strings(key string) ([]string, bool) {
	f := v.Get(key)
	if f == nil {
		return nil, true
	}
	if f.Kind != Array {
		return nil, false
	}
	out := make([]string, len(f.Items))
	for i, it := range f.Items {
		if it.Kind != String {
			return nil, false
		}
		out[i] = it.Str
	}
	return out, true
}

// Table returns the table at key (nil when absent).
func (v *Value) Table(key string) (*Value, bool) {
	f := v.Get(key)
	if f == nil {
		return nil, true
	}
	return f, f.Kind == Table
}

// Tables returns the array of tables at key (non-nil when present).
func (v *Value) Tables(key string) ([]*Value, bool) {
	f := v.Get(key)
	if f == nil {
		return nil, true
	}
	return TablesOf(f)
}

// TablesOf returns the elements of an array that holds only tables.
func TablesOf(f *Value) ([]*Value, bool) {
	if f.Kind != Array {
		return nil, false
	}
	for _, it := range f.Items {
		if it.Kind != Table {
			return nil, false
		}
	}
	if f.Items == nil {
		return []*Value{}, true
	}
	return f.Items, true
}

// Strict reports whether no key of table v differs only in letter case from
// one of fields. BurntSushi/toml matches struct fields case-insensitively;
// callers decoding a table like a struct fall back to it when Strict fails,
// so both paths read the same keys.
func (v *Value) Strict(fields ...string) bool {
	if v == nil {
		return true
	}
	for k := range v.Fields {
		for _, f := range fields {
			if k != f && strings.EqualFold(k, f) {
				return false
			}
		}
	}
	return true
}
