package pnpmlock

import (
	"bytes"
	"encoding/binary"
	"strings"

	"github.com/tollgate-dev/tollgate/lockfiles"
	yaml "go.yaml.in/yaml/v3"
)

// fastParse builds yaml.Node documents for the block-style YAML subset pnpm
// writes: two-space indented mappings with plain or single-quoted keys,
// scalar values, one-line flow mappings and sequences of scalars, block
// sequences of scalars, comments and "---" document separators.
//
// It is written by hand because go.yaml.in/yaml/v3 decodes a 1.6 MB lockfile
// in ~120 ms, most of the cost of a scan; this scanner takes a few ms. It
// returns ok=false on anything outside the subset (anchors, aliases, tags,
// block scalars, multi-line scalars, double-quoted escapes, tabs, odd
// indentation...), and the caller then decodes with yamltree, which also
// enforces the alias limits: no input is read differently, only faster.
//
// Only the parts of a lockfile the parser reads are built (see child); the
// blocks under other keys (settings, each package's engines, each snapshot's
// transitivePeerDependencies...) are skipped by indentation without being
// decoded. The
// nodes come from a slab, a few allocations for thousands of nodes.
func fastParse(data []byte, limits lockfiles.Limits) (docs []*yaml.Node, ok bool) {
	type frame struct {
		indent int
		node   *yaml.Node
		role   role
	}
	var (
		a           alloc
		doc         *yaml.Node
		stack       []frame
		pendingKey  *yaml.Node // a key whose value starts on a later line
		pendingMap  *yaml.Node // the mapping pendingKey belongs to
		pendingInd  int        // indentation of pendingKey's line
		pendingRole role
		skipIndent  = -1 // lines indented deeper than this belong to a skipped value
	)
	// closePending gives a key with no block value below it a null value.
	closePending := func() {
		if pendingKey != nil {
			pendingMap.Content = append(pendingMap.Content, pendingKey,
				a.node(yaml.ScalarNode, "!!null", "", pendingKey.Line, pendingKey.Column))
			pendingKey, pendingMap = nil, nil
		}
	}
	newDoc := func() bool {
		closePending()
		skipIndent = -1
		if len(docs) >= limits.MaxDocuments {
			return false
		}
		doc = a.node(yaml.DocumentNode, "", "", 1, 1)
		docs = append(docs, doc)
		stack = stack[:0]
		return true
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
		if indent == 0 && strings.HasPrefix(text, "---") {
			if text != "---" || !newDoc() {
				return nil, false
			}
			continue
		}
		if doc == nil && !newDoc() {
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
				if len(stack) >= limits.MaxDepth {
					return nil, false
				}
				stack = append(stack, frame{indent, n, pendingRole})
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
			stack = append(stack, frame{0, root, roleRoot})
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
		keep, childRole := child(top.role, key)
		if !keep {
			// A value on the key's line must end there even when skipped: a
			// quoted or flow scalar left open continues on the next lines,
			// even at column 0 under a top-level key.
			if rest != "" {
				if _, ok := a.blockScalar(rest, lineNo, 1); !ok {
					return nil, false
				}
			}
			skipIndent = indent
			continue
		}
		keyNode := a.node(yaml.ScalarNode, "!!str", key, lineNo, indent+1)
		if rest == "" {
			pendingKey, pendingMap, pendingInd, pendingRole = keyNode, top.node, indent, childRole
			continue
		}
		val, ok := a.blockScalar(rest, lineNo, indent+len(text)-len(rest)+1)
		if !ok {
			return nil, false
		}
		top.node.Content = append(top.node.Content, keyNode, val)
	}
	closePending()
	return docs, true
}

// role says which part of a lockfile a mapping is, for child.
type role uint8

const (
	roleAll       role = iota // read everything below
	roleRoot                  // the document's top mapping
	rolePackages              // packages:
	rolePackage               // one entry of packages:
	roleImporters             // importers:
	roleImporter              // one importer
	roleGroup                 // dependencies:, devDependencies:, optionalDependencies:
	roleDep                   // one dependency of a group (6.x/9.x {specifier, version})
	roleSnapshots             // snapshots: (9.x)
	roleSnapshot              // one entry of snapshots:
)

// child reports whether the value of key in a mapping of role r is read by
// the parser (fromDocs), and the role of that value.
func child(r role, key string) (bool, role) {
	switch r {
	case roleRoot:
		switch key {
		case "lockfileVersion":
			return true, roleAll
		case "packages":
			return true, rolePackages
		case "importers":
			return true, roleImporters
		case "snapshots":
			return true, roleSnapshots
		case "dependencies", "devDependencies", "optionalDependencies":
			return true, roleGroup
		}
		return false, roleAll
	case rolePackages:
		return true, rolePackage
	case rolePackage:
		switch key {
		case "name", "version", "dev", "resolution":
			return true, roleAll
		}
		return false, roleAll
	case roleImporters:
		return true, roleImporter
	case roleImporter:
		switch key {
		case "dependencies", "devDependencies", "optionalDependencies":
			return true, roleGroup
		}
		return false, roleAll
	case roleGroup:
		return true, roleDep
	case roleSnapshots:
		return true, roleSnapshot
	case roleSnapshot:
		// the edges of the dependency graph that tells dev-only packages
		return key == "dependencies" || key == "optionalDependencies", roleAll
	case roleDep:
		return key == "version", roleAll
	}
	return true, roleAll
}

// alloc hands out yaml.Nodes from slabs: pointers stay valid, and a
// lockfile's tens of thousands of nodes cost a few allocations. Mappings and
// sequences start with room for a few entries (collectionCap) carved from a
// slab of pointers too; append moves a longer one to a slice of its own.
type alloc struct {
	slab []yaml.Node
	ptrs []*yaml.Node
}

// collectionCap is the room a new mapping or sequence gets in alloc.ptrs:
// most mappings in a lockfile (a resolution, a snapshot's dependencies) have
// four pairs or fewer.
const collectionCap = 8

// collection returns an empty mapping or sequence node.
func (a *alloc) collection(kind yaml.Kind, line, col int) *yaml.Node {
	n := a.node(kind, "", "", line, col)
	if len(a.ptrs)+collectionCap > cap(a.ptrs) {
		a.ptrs = make([]*yaml.Node, 0, 512*collectionCap)
	}
	k := len(a.ptrs)
	a.ptrs = a.ptrs[:k+collectionCap]
	n.Content = a.ptrs[k : k : k+collectionCap] // the capacity stops appends at the next node's room
	return n
}

func (a *alloc) node(kind yaml.Kind, tag, value string, line, col int) *yaml.Node {
	if len(a.slab) == cap(a.slab) {
		a.slab = make([]yaml.Node, 0, 512)
	}
	a.slab = a.slab[:len(a.slab)+1]
	n := &a.slab[len(a.slab)-1]
	n.Kind, n.Tag, n.Value, n.Line, n.Column = kind, tag, value, line, col
	return n
}

// simpleText reports whether data has only "\n" and "\r\n" line breaks, no
// tabs or other control characters (YAML reads tabs as whitespace in some
// places only), no byte-order mark and none of the Unicode line breaks YAML
// also honours (NEL, LS, PS).
func simpleText(data []byte) bool {
	bad := func(i int) bool {
		c := data[i]
		return c < ' ' && c != '\n' && (c != '\r' || i+1 >= len(data) || data[i+1] != '\n')
	}
	i := 0
	for ; i+8 <= len(data); i += 8 {
		// Eight bytes at a time: skip words whose only bytes below 0x20 are
		// '\n' (those with no bit of 0xe0 set, less the '\n's), look closer
		// at the rest.
		x := binary.LittleEndian.Uint64(data[i:])
		if zeroBytes(x&0xe0e0e0e0e0e0e0e0)&^zeroBytes(x^0x0a0a0a0a0a0a0a0a) == 0 {
			continue
		}
		for j := i; j < i+8; j++ {
			if bad(j) {
				return false
			}
		}
	}
	for ; i < len(data); i++ {
		if bad(i) {
			return false
		}
	}
	return !bytes.Contains(data, []byte("\xc2\x85")) && !bytes.Contains(data, []byte("\xe2\x80\xa8")) &&
		!bytes.Contains(data, []byte("\xe2\x80\xa9")) && !bytes.HasPrefix(data, []byte("\xef\xbb\xbf"))
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
		if strings.IndexByte("{}[]&*!|>\"%@`,#?", s[i]) >= 0 {
			return nil, false
		}
		start := i
		for i < len(s) {
			ch := s[i]
			if ch == ',' || ch == closeCh || ch == ':' && key && (i+1 == len(s) || s[i+1] == ' ') {
				break
			}
			if ch == '{' || ch == '[' || ch == '#' && s[i-1] == ' ' {
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
			k, ok := scalar(true)
			if !ok {
				return nil, false
			}
			skip()
			if i >= len(s) || s[i] != ':' {
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

// plain makes a plain scalar node, tagging null and booleans as YAML 1.2 core does.
func (a *alloc) plain(v string, line, col int) *yaml.Node {
	tag := "!!str"
	switch v {
	case "~", "null", "Null", "NULL":
		tag = "!!null"
	case "true", "True", "TRUE", "false", "False", "FALSE":
		tag = "!!bool"
	}
	return a.node(yaml.ScalarNode, tag, v, line, col)
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
