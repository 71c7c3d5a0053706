// Package yamltree decodes YAML lockfiles (pnpm-lock.yaml, pubspec.lock,
// workflow files) into yaml.Node trees, with explicit limits on documents,
// nesting depth and alias expansion, and small helpers to walk mappings.
// FastParse (and Decode, which falls back to Parse) reads the block-style
// subset that pnpm and pub write much faster than the YAML library.
package yamltree

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"regexp"
	"strconv"

	"github.com/tollgate-dev/tollgate/lockfiles"
	yaml "go.yaml.in/yaml/v3"
)

var yamlErrLine = regexp.MustCompile(`line (\d+)`)

// Parse decodes every document of a YAML stream. Errors are *lockfiles.ParseError
// naming path and, where the decoder says, the line. Limits: MaxDocuments,
// MaxDepth (of the tree with aliases expanded) and MaxYAMLAlias (alias nodes
// visited when the tree is expanded, which bounds "billion laughs" inputs).
func Parse(path string, data []byte, limits lockfiles.Limits) (docs []*yaml.Node, err error) {
	limits = limits.WithDefaults()
	defer func() {
		// The YAML library is third-party code; a panic on hostile input must
		// become an error naming the file, never a crash of the scan.
		if r := recover(); r != nil {
			docs, err = nil, lockfiles.Errorf(path, 0, "yaml: %v", r)
		}
	}()
	dec := yaml.NewDecoder(bytes.NewReader(data))
	for {
		var n yaml.Node
		if err := dec.Decode(&n); err != nil {
			if errors.Is(err, io.EOF) {
				break
			}
			line := 0
			if m := yamlErrLine.FindStringSubmatch(err.Error()); m != nil {
				line, _ = strconv.Atoi(m[1])
			}
			return nil, lockfiles.Errorf(path, line, "%v", err)
		}
		if len(docs) >= limits.MaxDocuments {
			return nil, lockfiles.LimitErrorf(path, n.Line, "more than %d YAML documents", limits.MaxDocuments)
		}
		c := checker{memo: map[*yaml.Node]cost{}}
		co := c.cost(&n, 0)
		if co.aliases > limits.MaxYAMLAlias {
			return nil, lockfiles.LimitErrorf(path, n.Line, "YAML alias expansion exceeds %d", limits.MaxYAMLAlias)
		}
		if co.depth > limits.MaxDepth {
			return nil, lockfiles.LimitErrorf(path, n.Line, "YAML nesting deeper than %d", limits.MaxDepth)
		}
		docs = append(docs, &n)
	}
	return docs, nil
}

type cost struct{ aliases, depth int }

type checker struct {
	memo map[*yaml.Node]cost
}

const saturate = 1 << 40

// cost returns the alias visits and depth of n with aliases expanded, memoized
// per node so that the check itself is linear in the document.
func (c *checker) cost(n *yaml.Node, guard int) cost {
	if n == nil {
		return cost{}
	}
	if co, ok := c.memo[n]; ok {
		return co
	}
	if guard > 10000 { // an alias cycle; the decoder rejects these, this is a backstop
		return cost{aliases: saturate, depth: saturate}
	}
	var co cost
	if n.Kind == yaml.AliasNode {
		t := c.cost(n.Alias, guard+1)
		co = cost{aliases: min(t.aliases+1, saturate), depth: t.depth}
	} else {
		for _, ch := range n.Content {
			t := c.cost(ch, guard+1)
			co.aliases = min(co.aliases+t.aliases, saturate)
			co.depth = max(co.depth, t.depth)
		}
		co.depth++
	}
	c.memo[n] = co
	return co
}

// Resolve follows alias nodes and unwraps a document node.
func Resolve(n *yaml.Node) *yaml.Node {
	for i := 0; n != nil && i < 64; i++ {
		switch n.Kind {
		case yaml.AliasNode:
			n = n.Alias
		case yaml.DocumentNode:
			if len(n.Content) == 0 {
				return nil
			}
			n = n.Content[0]
		default:
			return n
		}
	}
	return n
}

// Get returns the value of key in mapping n (aliases resolved), or nil.
func Get(n *yaml.Node, key string) *yaml.Node {
	n = Resolve(n)
	if n == nil || n.Kind != yaml.MappingNode {
		return nil
	}
	for i := 0; i+1 < len(n.Content); i += 2 {
		if n.Content[i].Value == key {
			return Resolve(n.Content[i+1])
		}
	}
	return nil
}

// String returns the scalar value at key of mapping n, or "".
func String(n *yaml.Node, key string) string {
	v := Get(n, key)
	if v == nil || v.Kind != yaml.ScalarNode {
		return ""
	}
	return v.Value
}

// Pairs calls fn for every key and value of mapping n, in order (aliases
// resolved); it does nothing when n is not a mapping.
func Pairs(n *yaml.Node, fn func(key, value *yaml.Node)) {
	n = Resolve(n)
	if n == nil || n.Kind != yaml.MappingNode {
		return
	}
	for i := 0; i+1 < len(n.Content); i += 2 {
		fn(n.Content[i], Resolve(n.Content[i+1]))
	}
}

// Describe names a node's kind for error messages.
func Describe(n *yaml.Node) string {
	if n == nil {
		return "nothing"
	}
	switch n.Kind {
	case yaml.MappingNode:
		return "a mapping"
	case yaml.SequenceNode:
		return "a sequence"
	case yaml.ScalarNode:
		return fmt.Sprintf("scalar %q", n.Value)
	}
	return "an unexpected node"
}
