// Package jsontree parses JSON (and the JSONC dialect of bun.lock: comments and
// trailing commas) into a tree whose every value knows its 1-based line, for
// formats that are easier to read as a whole tree (composer.lock,
// packages.lock.json, Pipfile.lock). It is built on lockfiles/jsonscan, the
// streaming reader the large npm and bun lockfiles use directly, so both
// accept and reject exactly the same input.
package jsontree

import (
	"errors"

	"github.com/tollgate-dev/tollgate/lockfiles/jsonscan"
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
type SyntaxError = jsonscan.SyntaxError

// ErrDepth is the start of the message of a SyntaxError caused by exceeding
// MaxDepth.
const ErrDepth = "nesting deeper than the limit"

// Parse parses one JSON document. Trailing content other than whitespace (and
// comments in JSONC) is an error.
func Parse(data []byte, opts Options) (*Value, error) {
	s := jsonscan.New(data, jsonscan.Options{MaxDepth: opts.MaxDepth, JSONC: opts.JSONC})
	v, err := build(s)
	if err == nil {
		err = s.End()
	}
	if err != nil {
		var se *SyntaxError
		if !errors.As(err, &se) {
			err = &SyntaxError{Line: s.Line(), Msg: err.Error()}
		}
		return nil, err
	}
	return v, nil
}

// build reads the next value into a tree.
func build(s *jsonscan.Scanner) (*Value, error) {
	k, err := s.Peek()
	if err != nil {
		return nil, err
	}
	v := &Value{Line: s.Line()}
	switch k {
	case jsonscan.Object:
		v.Kind = Object
		err = s.Object(func(key []byte, line int) error {
			child, err := build(s)
			if err != nil {
				return err
			}
			v.Members = append(v.Members, Member{Key: string(key), Line: line, Value: child})
			return nil
		})
	case jsonscan.Array:
		v.Kind = Array
		err = s.Array(func(_, _ int) error {
			child, err := build(s)
			if err != nil {
				return err
			}
			v.Items = append(v.Items, child)
			return nil
		})
	case jsonscan.String:
		v.Kind = String
		v.Str, err = s.String()
	case jsonscan.Bool:
		v.Kind = Bool
		var b bool
		if b, err = s.Bool(); b {
			v.Str = "true"
		} else {
			v.Str = "false"
		}
	case jsonscan.Number:
		v.Kind = Number
		v.Str, err = s.Number()
	default:
		v.Kind = Null
		err = s.Null()
	}
	if err != nil {
		return nil, err
	}
	return v, nil
}
