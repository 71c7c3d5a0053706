package pubspeclock

import (
	"bytes"

	yaml "go.yaml.in/yaml/v3"
)

// fastParse builds the yaml.Node tree of a file in the layout pub itself
// writes: block mappings indented by two spaces per level, keys, plain or
// double-quoted scalars without escapes, full-line comments. It is written by
// hand because the generic YAML decoder spends nearly all of a parse on
// scanner machinery this layout never needs. ok is false as soon as the input
// steps outside that layout (flow collections other than "{}", anchors, tags,
// block scalars, escapes, multi-line scalars, tabs, documents markers...): the
// caller then decodes it with yamltree, which stays the reference.
func fastParse(data []byte) (doc *yaml.Node, ok bool) {
	type level struct {
		indent int
		node   *yaml.Node
	}
	var (
		root    *yaml.Node
		stack   []level
		pending *yaml.Node // value node of a "key:" awaiting its child mapping
		pendInd int
	)
	lineNo := 0
	for rest := data; len(rest) > 0; {
		lineNo++
		var line []byte
		if i := bytes.IndexByte(rest, '\n'); i >= 0 {
			line, rest = bytes.TrimSuffix(rest[:i], []byte{'\r'}), rest[i+1:]
		} else {
			line, rest = rest, nil
		}
		indent := 0
		for indent < len(line) && line[indent] == ' ' {
			indent++
		}
		text := line[indent:]
		for _, c := range line {
			if c < 0x20 || c >= 0x7f {
				return nil, false
			}
		}
		if len(text) == 0 || text[0] == '#' {
			if len(text) == 0 && indent > 0 {
				return nil, false // whitespace-only lines: leave to the decoder
			}
			continue
		}
		if indent%2 != 0 {
			return nil, false
		}
		var parent *yaml.Node
		switch {
		case pending != nil:
			if indent != pendInd+2 {
				return nil, false
			}
			pending.Kind, pending.Tag, pending.Line, pending.Column = yaml.MappingNode, "!!map", lineNo, indent+1
			stack = append(stack, level{indent, pending})
			parent, pending = stack[len(stack)-1].node, nil
		case root == nil:
			if indent != 0 {
				return nil, false
			}
			root = &yaml.Node{Kind: yaml.MappingNode, Tag: "!!map", Line: lineNo, Column: 1}
			stack = append(stack, level{0, root})
			parent = root
		default:
			for len(stack) > 0 && stack[len(stack)-1].indent > indent {
				stack = stack[:len(stack)-1]
			}
			if len(stack) == 0 || stack[len(stack)-1].indent != indent {
				return nil, false
			}
			parent = stack[len(stack)-1].node
		}
		key, value, ok := splitKey(text)
		if !ok {
			return nil, false
		}
		keyNode := &yaml.Node{Kind: yaml.ScalarNode, Tag: "!!str", Value: key, Line: lineNo, Column: indent + 1}
		valueColumn := indent + 1 + len(text) - len(value) + 1
		var valueNode *yaml.Node
		switch {
		case len(value) == 0:
			valueNode = &yaml.Node{}
			pending, pendInd = valueNode, indent
		case string(value) == "{}":
			valueNode = &yaml.Node{Kind: yaml.MappingNode, Tag: "!!map", Style: yaml.FlowStyle, Line: lineNo, Column: valueColumn}
		default:
			s, style, ok := scalar(value)
			if !ok {
				return nil, false
			}
			valueNode = &yaml.Node{Kind: yaml.ScalarNode, Value: s, Style: style, Line: lineNo, Column: valueColumn}
			switch {
			case style == yaml.DoubleQuotedStyle:
				valueNode.Tag = "!!str"
			case s == "null" || s == "Null" || s == "NULL" || s == "~":
				valueNode.Tag = "!!null"
			}
		}
		parent.Content = append(parent.Content, keyNode, valueNode)
	}
	if pending != nil {
		return nil, false // "key:" with no value: a null the decoder describes
	}
	if root == nil {
		return nil, true
	}
	return &yaml.Node{Kind: yaml.DocumentNode, Line: root.Line, Column: 1, Content: []*yaml.Node{root}}, true
}

// maxSimpleKey is below the length at which YAML stops reading "key:" as an
// implicit key (1024 characters from the key's start to its colon); longer
// keys are left to the decoder, which rejects them.
const maxSimpleKey = 1000

// splitKey splits "key:" or "key: value" (value trimmed, no trailing comment).
func splitKey(text []byte) (key string, value []byte, ok bool) {
	i := 0
	for i < len(text) {
		c := text[i]
		if c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '_' || (i > 0 && (c == '-' || c == '.')) {
			i++
			continue
		}
		break
	}
	if i == 0 || i >= len(text) || text[i] != ':' || i > maxSimpleKey {
		return "", nil, false
	}
	key, value = string(text[:i]), text[i+1:]
	if len(value) == 0 {
		return key, nil, true
	}
	if value[0] != ' ' {
		return "", nil, false
	}
	value = bytes.TrimLeft(value, " ")
	if len(value) == 0 {
		return "", nil, false // "key: " with trailing spaces only
	}
	return key, value, true
}

// scalar reads a plain scalar or a double-quoted one without escapes.
func scalar(v []byte) (string, yaml.Style, bool) {
	if v[0] == '"' {
		end := bytes.IndexByte(v[1:], '"')
		if end < 0 {
			return "", 0, false
		}
		body := v[1 : 1+end]
		if bytes.IndexByte(body, '\\') >= 0 || len(bytes.TrimRight(v[2+end:], " ")) != 0 {
			return "", 0, false
		}
		return string(body), yaml.DoubleQuotedStyle, true
	}
	// A plain scalar must not start with an indicator, nor hold ": " or " #",
	// nor end with ':' or spaces: those read differently in YAML.
	switch v[0] {
	case '-', '?', ':', ',', '[', ']', '{', '}', '#', '&', '*', '!', '|', '>', '\'', '%', '@', '`':
		return "", 0, false
	}
	if bytes.Contains(v, []byte(": ")) || bytes.Contains(v, []byte(" #")) || v[len(v)-1] == ':' || v[len(v)-1] == ' ' {
		return "", 0, false
	}
	return string(v), 0, true
}
