package yamltree

import (
	"encoding/binary"
	"strings"
	"unicode/utf8"

	"github.com/tollgate-dev/tollgate/lockfiles"
	yaml "go.yaml.in/yaml/v3"
)

// Decode reads every document of a YAML stream like Parse, through
// FastParse when the stream is in its subset (the values keep skips are
// then not built), else through Parse.
func Decode(path string, data []byte, limits lockfiles.Limits, keep Keep) ([]*yaml.Node, error) {
	limits = limits.WithDefaults()
	if docs, ok := FastParse(data, limits, keep); ok {
		return docs, nil
	}
	return Parse(path, data, limits)
}

// Place is where a mapping sits in a document, in the numbering of a Keep
// function; the reader starts each document's top mapping at Top, and
// reads everything below a value placed at All without asking.
type Place uint8

// The two places FastParse itself knows; a Keep function numbers its own
// from Top+1.
const (
	All Place = iota
	Top
)

// Keep tells FastParse which values to build: for key in a mapping at place
// at, whether the value is read, and the place of that value. A nil Keep
// reads everything.
type Keep func(at Place, key string) (keep bool, child Place)

// FastParse builds yaml.Node documents for the block-style YAML subset
// lockfile generators write (pnpm, pub): indented mappings with plain or
// single-quoted keys, scalar values, one-line flow mappings and sequences
// of scalars, block sequences of scalars, comments and "---" document
// separators.
//
// It is written by hand because go.yaml.in/yaml/v3 decodes a 1.6 MB pnpm
// lockfile in ~120 ms, most of the cost of a scan; this scanner takes a few
// ms. It returns ok=false on anything outside the subset (anchors, aliases,
// tags, block scalars, multi-line scalars, double-quoted escapes, tabs,
// merge keys, characters the library rejects, keys too long to be implicit, trees near
// limits.MaxDepth...), and the caller then decodes with Parse, which also
// enforces the alias limits: what it builds is what Parse builds
// (FuzzFastParse checks kinds, values, lines and nulls), only faster.
//
// Only the values keep asks for are built; the blocks under other keys
// (pnpm's settings, each package's engines...) are skipped by indentation
// without being decoded, so what they hold is not checked beyond its
// characters and a scalar left open on a skipped key's line. The nodes come
// from a slab, a few allocations for thousands of nodes.
func FastParse(data []byte, limits lockfiles.Limits, keep Keep) (docs []*yaml.Node, ok bool) {
	limits = limits.WithDefaults()
	topPlace := Top
	if keep == nil {
		topPlace = All
	}
	type frame struct {
		indent int
		node   *yaml.Node
		place  Place
	}
	var (
		a            alloc
		doc          *yaml.Node
		stack        []frame
		pendingKey   *yaml.Node // a key whose value starts on a later line
		pendingMap   *yaml.Node // the mapping pendingKey belongs to
		pendingInd   int        // indentation of pendingKey's line
		pendingPlace Place
		skipIndent   = -1 // lines indented deeper than this belong to a skipped value
	)
	// closePending gives a key with no block value below it a null value.
	closePending := func() {
		if pendingKey != nil {
			pendingMap.Content = append(pendingMap.Content, pendingKey,
				a.node(yaml.ScalarNode, "!!null", "", pendingKey.Line, pendingKey.Column))
			pendingKey, pendingMap = nil, nil
		}
	}
	// endDoc gives an explicit document without content the null the YAML
	// library reads there, placed where the next document or the stream
	// ends.
	endDoc := func(line int) {
		closePending()
		if doc != nil && len(doc.Content) == 0 {
			doc.Content = append(doc.Content, a.node(yaml.ScalarNode, "!!null", "", line, 1))
		}
	}
	// newDoc starts a document at line: its "---", or its first content.
	newDoc := func(line int) bool {
		endDoc(line)
		skipIndent = -1
		if len(docs) >= limits.MaxDocuments {
			return false
		}
		doc = a.node(yaml.DocumentNode, "", "", line, 1)
		docs = append(docs, doc)
		stack = stack[:0]
		return true
	}
	if limits.MaxDepth < 4 { // see the depth check below
		return nil, false
	}
	if !simpleText(data) {
		return nil, false
	}
	// One copy of the input: every key and value below is a substring of it,
	// where a copy per line read cost an allocation each.
	src := string(data)
	lineNo := 0
	for len(src) > 0 {
		lineNo++
		var line string
		if i := strings.IndexByte(src, '\n'); i >= 0 {
			line, src = src[:i], src[i+1:]
		} else {
			line, src = src, ""
		}
		line = strings.TrimRight(line, " \r")
		indent := 0
		for indent < len(line) && line[indent] == ' ' {
			indent++
		}
		if indent == len(line) || line[indent] == '#' {
			continue
		}
		if skipIndent >= 0 {
			if indent > skipIndent {
				continue
			}
			skipIndent = -1
		}
		text := line[indent:]
		if indent == 0 && strings.HasPrefix(text, "...") {
			return nil, false // a document end marker (or a key that starts like one)
		}
		if indent == 0 && strings.HasPrefix(text, "---") {
			if text != "---" || !newDoc(lineNo) {
				return nil, false
			}
			continue
		}
		if doc == nil && !newDoc(lineNo) {
			return nil, false
		}
		isItem := text == "-" || strings.HasPrefix(text, "- ")
		if pendingKey != nil {
			if indent > pendingInd {
				kind := yaml.MappingNode
				if isItem {
					kind = yaml.SequenceNode
				}
				n := a.collection(kind, lineNo, indent+1)
				pendingMap.Content = append(pendingMap.Content, pendingKey, n)
				pendingKey, pendingMap = nil, nil
				// Parse counts the document, this collection, a one-line flow
				// collection and its scalars in the depth it limits: leave
				// files that near the limit to it.
				if len(stack)+4 > limits.MaxDepth {
					return nil, false
				}
				stack = append(stack, frame{indent, n, pendingPlace})
			} else {
				closePending()
			}
		}
		if len(stack) == 0 {
			if indent != 0 || isItem || len(doc.Content) > 0 {
				return nil, false
			}
			root := a.collection(yaml.MappingNode, lineNo, 1)
			doc.Content = append(doc.Content, root)
			stack = append(stack, frame{0, root, topPlace})
		}
		for len(stack) > 1 && stack[len(stack)-1].indent > indent {
			stack = stack[:len(stack)-1]
		}
		top := stack[len(stack)-1]
		if top.indent != indent {
			return nil, false
		}
		if top.node.Kind == yaml.SequenceNode {
			if !isItem {
				return nil, false
			}
			item, ok := a.blockScalar(strings.TrimLeft(text[1:], " "), lineNo, indent+3)
			if !ok {
				return nil, false
			}
			top.node.Content = append(top.node.Content, item)
			continue
		}
		if isItem {
			return nil, false
		}
		key, rest, ok := splitKeyValue(text)
		if !ok {
			return nil, false
		}
		read, childPlace := true, All
		if top.place != All {
			read, childPlace = keep(top.place, key)
		}
		if !read {
			// A value on the key's line must end there even when skipped: a
			// quoted or flow scalar left open continues on the next lines,
			// even at column 0 under a top-level key.
			if rest != "" && !a.scalarEnds(rest) {
				return nil, false
			}
			skipIndent = indent
			continue
		}
		keyTag := "!!str"
		if text[0] != '\'' {
			keyTag = plainTag(key) // "~:" is a null key
		}
		if keyTag == "!!merge" {
			// A merge key: what it merges is read by a consumer under its
			// mapping's place, not the one a Keep function gives "<<".
			return nil, false
		}
		keyNode := a.node(yaml.ScalarNode, keyTag, key, lineNo, indent+1)
		if text[0] == '\'' {
			keyNode.Style = yaml.SingleQuotedStyle // for Normalize's TypedKey
		}
		if rest == "" {
			pendingKey, pendingMap, pendingInd, pendingPlace = keyNode, top.node, indent, childPlace
			continue
		}
		val, ok := a.blockScalar(rest, lineNo, indent+len(text)-len(rest)+1)
		if !ok {
			return nil, false
		}
		top.node.Content = append(top.node.Content, keyNode, val)
	}
	endDoc(lineNo + 1) // the YAML library ends the stream after a last line break, added if missing
	return docs, true
}

// alloc hands out yaml.Nodes from slabs: pointers stay valid, and a
// lockfile's tens of thousands of nodes cost a few allocations. Mappings and
// sequences start with room for a few entries (collectionCap) carved from a
// slab of pointers too; append moves a longer one to a slice of its own.
type alloc struct {
	slab []yaml.Node
	ptrs []*yaml.Node
	// discard, while set (scalarEnds), makes node and collection hand out
	// one scratch node instead of slab room: a skipped key's value is read
	// only to know where it ends (pnpm's engines, cpu, specifier... were a
	// fifth of the nodes of a lockfile).
	discard     bool
	scratch     yaml.Node
	scratchPtrs []*yaml.Node
}

// scalarEnds reports whether blockScalar reads s as a value ending on its
// line, without keeping what it reads.
func (a *alloc) scalarEnds(s string) bool {
	a.discard = true
	_, ok := a.blockScalar(s, 0, 1)
	a.discard = false
	a.scratchPtrs = a.scratch.Content[:0] // keep the room a flow value grew
	a.scratch.Content = nil
	return ok
}

// collectionCap is the room a new mapping or sequence gets in alloc.ptrs:
// most mappings in a lockfile (a resolution, a snapshot's dependencies) have
// four pairs or fewer.
const collectionCap = 8

// collection returns an empty mapping or sequence node.
func (a *alloc) collection(kind yaml.Kind, line, col int) *yaml.Node {
	n := a.node(kind, "", "", line, col)
	if a.discard {
		n.Content = a.scratchPtrs[:0]
		return n
	}
	if len(a.ptrs)+collectionCap > cap(a.ptrs) {
		a.ptrs = make([]*yaml.Node, 0, 512*collectionCap)
	}
	k := len(a.ptrs)
	a.ptrs = a.ptrs[:k+collectionCap]
	n.Content = a.ptrs[k : k : k+collectionCap] // the capacity stops appends at the next node's room
	return n
}

func (a *alloc) node(kind yaml.Kind, tag, value string, line, col int) *yaml.Node {
	if a.discard {
		a.scratch.Kind, a.scratch.Tag, a.scratch.Value = kind, tag, value
		return &a.scratch
	}
	if len(a.slab) == cap(a.slab) {
		a.slab = make([]yaml.Node, 0, 512)
	}
	a.slab = a.slab[:len(a.slab)+1]
	n := &a.slab[len(a.slab)-1]
	n.Kind, n.Tag, n.Value, n.Line, n.Column = kind, tag, value, line, col
	return n
}

// simpleText reports whether data is valid UTF-8 whose characters the YAML
// library reads as this scanner does: only "\n" and "\r\n" line breaks, no
// tabs (YAML reads them as whitespace in some places only), none of the
// control characters and non-characters the library rejects (C0 but line
// feed, DEL, C1, U+FFFE, U+FFFF), no byte-order mark, and none of the
// Unicode line breaks YAML also honours (NEL, LS, PS).
func simpleText(data []byte) bool {
	i := 0
	for ; i+8 <= len(data); i += 8 {
		// Eight bytes at a time: skip words of printable ASCII and '\n'
		// (no byte below 0x20 but '\n', none at 0x7f or above; the sum
		// carries only out of a byte already at 0x80 or above), look
		// closer at the rest.
		x := binary.LittleEndian.Uint64(data[i:])
		if zeroBytes(x&0xe0e0e0e0e0e0e0e0)&^zeroBytes(x^0x0a0a0a0a0a0a0a0a) == 0 &&
			(x|(x+0x0101010101010101))&0x8080808080808080 == 0 {
			continue
		}
		for j := i; j < i+8; j++ {
			if badChar(data, j) {
				return false
			}
		}
	}
	for ; i < len(data); i++ {
		if badChar(data, i) {
			return false
		}
	}
	return utf8.Valid(data)
}

// badChar reports whether the byte at data[i] is, or starts, a character
// simpleText refuses.
func badChar(data []byte, i int) bool {
	c := data[i]
	switch {
	case c < ' ':
		return c != '\n' && (c != '\r' || i+1 >= len(data) || data[i+1] != '\n')
	case c < 0x7f:
		return false
	case c == 0x7f:
		return true
	case c == 0xc2: // U+0080 to U+009F: C1 controls, NEL among them
		return i+1 < len(data) && data[i+1] < 0xa0
	case c == 0xe2: // U+2028 and U+2029: LS and PS
		return i+2 < len(data) && data[i+1] == 0x80 && (data[i+2] == 0xa8 || data[i+2] == 0xa9)
	case c == 0xef: // U+FEFF (byte-order mark), U+FFFE, U+FFFF
		return i+2 < len(data) && (data[i+1] == 0xbb && data[i+2] == 0xbf || data[i+1] == 0xbf && data[i+2] >= 0xbe)
	}
	return false
}

// zeroBytes returns the high bit of every zero byte of x, exactly (no
// carry crosses from one byte to the next).
func zeroBytes(x uint64) uint64 {
	const low7 = 0x7f7f7f7f7f7f7f7f
	return ^((x&low7 + low7) | x | low7)
}

// maxSimpleKey is below the length at which YAML stops reading "key:" as an
// implicit key (1024 characters from the key's start to its colon).
const maxSimpleKey = 1000

// splitKeyValue splits "key: value" or "key:" (plain or single-quoted key).
func splitKeyValue(text string) (key, rest string, ok bool) {
	switch text[0] {
	case '\'':
		k, n, ok := singleQuoted(text)
		if !ok || n >= len(text) || text[n] != ':' || n > maxSimpleKey {
			return "", "", false
		}
		rest = text[n+1:]
		if rest != "" && rest[0] != ' ' {
			return "", "", false
		}
		return k, strings.TrimLeft(rest, " "), true
	case '"', '&', '*', '!', '|', '>', '[', ']', '{', '}', '?', '%', '@', '`', ',', ':', '-', '#':
		return "", "", false
	}
	i := strings.Index(text, ": ")
	if i < 0 {
		if !strings.HasSuffix(text, ":") {
			return "", "", false
		}
		i = len(text) - 1
	}
	if i > maxSimpleKey {
		return "", "", false // YAML reads no implicit key this long: the decoder says so
	}
	key = strings.TrimRight(text[:i], " ")
	if key == "" || strings.Contains(key, " #") || i == len(text)-1 && strings.Contains(key, ": ") {
		return "", "", false
	}
	return key, strings.TrimLeft(text[i+1:], " "), true
}

// blockScalar reads a value on the rest of a line: a plain or quoted scalar,
// or a one-line flow mapping or sequence of scalars.
func (a *alloc) blockScalar(s string, line, col int) (*yaml.Node, bool) {
	if s == "" {
		return a.node(yaml.ScalarNode, "!!null", "", line, col), true
	}
	switch s[0] {
	case '{', '[':
		return a.flow(s, line, col)
	case '\'':
		v, n, ok := singleQuoted(s)
		if !ok || !onlyComment(s[n:]) {
			return nil, false
		}
		return a.node(yaml.ScalarNode, "!!str", v, line, col), true
	case '"':
		end := strings.IndexByte(s[1:], '"')
		if end < 0 || strings.IndexByte(s[:end+1], '\\') >= 0 || !onlyComment(s[end+2:]) {
			return nil, false
		}
		return a.node(yaml.ScalarNode, "!!str", s[1:end+1], line, col), true
	case '&', '*', '!', '|', '>', '%', '@', '`', ']', '}', ',', '#', '?':
		return nil, false
	}
	if i := strings.Index(s, " #"); i >= 0 {
		s = strings.TrimRight(s[:i], " ")
	}
	if strings.Contains(s, ": ") || strings.HasSuffix(s, ":") || strings.HasPrefix(s, "- ") || s == "-" {
		return nil, false
	}
	return a.plain(s, line, col), true
}

// flow reads a one-line flow mapping {k: v, ...} or sequence [a, b] whose
// entries are scalars.
func (a *alloc) flow(s string, line, col int) (*yaml.Node, bool) {
	open := s[0]
	closeCh := byte('}')
	kind := yaml.MappingNode
	if open == '[' {
		closeCh, kind = ']', yaml.SequenceNode
	}
	n := a.collection(kind, line, col)
	i := 1
	skip := func() {
		for i < len(s) && s[i] == ' ' {
			i++
		}
	}
	// scalar reads a plain or single-quoted scalar ending before ',' or closeCh.
	scalar := func(key bool) (*yaml.Node, bool) {
		skip()
		if i >= len(s) {
			return nil, false
		}
		c := col + i
		if s[i] == '\'' {
			v, m, ok := singleQuoted(s[i:])
			if !ok {
				return nil, false
			}
			i += m
			return a.node(yaml.ScalarNode, "!!str", v, line, c), true
		}
		// In a flow collection ':' never starts a plain scalar, nor '-'
		// before a space (the YAML library reads them as indicators).
		if strings.IndexByte("{}[]&*!|>\"%@`,#?:", s[i]) >= 0 || s[i] == '-' && (i+1 == len(s) || s[i+1] == ' ') {
			return nil, false
		}
		start := i
		for i < len(s) {
			ch := s[i]
			if ch == ',' || ch == closeCh {
				break
			}
			if ch == ':' && (i+1 == len(s) || strings.IndexByte(" ,[]{}", s[i+1]) >= 0) {
				// A value indicator: it ends a key ("k: v"); anywhere else
				// the YAML library reads it as one too.
				if key && (i+1 == len(s) || s[i+1] == ' ') {
					break
				}
				return nil, false
			}
			// The other flow indicators end a plain scalar there.
			if strings.IndexByte("?[]{}", ch) >= 0 || ch == '#' && s[i-1] == ' ' {
				return nil, false
			}
			i++
		}
		v := strings.TrimRight(s[start:i], " ")
		if v == "" {
			return nil, false
		}
		return a.plain(v, line, c), true
	}
	skip()
	if i < len(s) && s[i] == closeCh {
		i++
		return n, onlyComment(s[i:])
	}
	for {
		if open == '{' {
			skip()
			keyStart := i
			k, ok := scalar(true)
			if !ok {
				return nil, false
			}
			skip()
			// As in block mappings, the YAML library reads no implicit key
			// this long.
			if i >= len(s) || s[i] != ':' || i-keyStart > maxSimpleKey {
				return nil, false
			}
			i++
			v, ok := scalar(false)
			if !ok {
				return nil, false
			}
			n.Content = append(n.Content, k, v)
		} else {
			v, ok := scalar(false)
			if !ok {
				return nil, false
			}
			n.Content = append(n.Content, v)
		}
		skip()
		if i >= len(s) {
			return nil, false
		}
		if s[i] == closeCh {
			i++
			return n, onlyComment(s[i:])
		}
		if s[i] != ',' {
			return nil, false
		}
		i++
	}
}

// plain makes a plain scalar node.
func (a *alloc) plain(v string, line, col int) *yaml.Node {
	return a.node(yaml.ScalarNode, plainTag(v), v, line, col)
}

// plainTag tags a plain scalar: null and booleans as YAML 1.2 core does,
// "<<" as the merge key the YAML library reads (FastParse declines it),
// anything else as a string (the parsers read numbers as their
// text).
func plainTag(v string) string {
	switch v {
	case "<<":
		return "!!merge"
	case "~", "null", "Null", "NULL":
		return "!!null"
	case "true", "True", "TRUE", "false", "False", "FALSE":
		return "!!bool"
	}
	return "!!str"
}

// singleQuoted reads a single-quoted scalar at the start of s, returning its
// value and the bytes consumed.
func singleQuoted(s string) (string, int, bool) {
	for i := 1; i < len(s); i++ {
		if s[i] != '\'' {
			continue
		}
		if i+1 < len(s) && s[i+1] == '\'' {
			// An escaped quote (rare): fold it and read on.
			rest, n, ok := singleQuoted("'" + s[i+2:])
			if !ok {
				return "", 0, false
			}
			return s[1:i] + "'" + rest, i + 1 + n, true
		}
		return s[1:i], i + 1, true
	}
	return "", 0, false
}

func onlyComment(s string) bool {
	s = strings.TrimLeft(s, " ")
	return s == "" || s[0] == '#'
}
