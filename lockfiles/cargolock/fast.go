package cargolock

import (
	"bytes"
	"strings"
	"unicode/utf8"
)

// fastParse reads the layout Cargo itself writes (header lines, `key =
// "string"` lines, arrays of plain strings, comments) in one pass, recording
// each table's line as it goes. It is written by hand because a generic TOML
// decoder spends most of its time on reflection and on TOML features Cargo
// never writes. ok is false as soon as the input steps outside that layout
// (escapes, literal or multi-line strings, inline tables, dotted keys, other
// tables, duplicate keys, malformed text): the caller then falls back to the
// full TOML decoder, which stays the reference for every other input.
func fastParse(data []byte) (lock rawLock, ok bool) {
	if !utf8.Valid(data) {
		return rawLock{}, false
	}
	const (
		secTop = iota
		secPackage
		secRoot
		secMetadata
		secUnused // [[patch.unused]]: crates Cargo did not use; not packages
	)
	var (
		sec       = secTop
		cur       *rawPackage
		keys      []string // keys of the current table, to reject duplicates
		inArray   bool     // inside a multi-line array
		needComma bool     // an element was read and no comma yet
		arr       *[]string
		seenTop   bool
	)
	lineNo := 0
	for rest := data; len(rest) > 0; {
		lineNo++
		var line []byte
		if i := bytes.IndexByte(rest, '\n'); i >= 0 {
			// Only "\r\n" ends a line; a lone '\r' is a control character.
			line, rest = bytes.TrimSuffix(rest[:i], []byte{'\r'}), rest[i+1:]
		} else {
			line, rest = rest, nil
		}
		for _, c := range line {
			if (c < 0x20 && c != '\t') || c == 0x7f {
				return rawLock{}, false
			}
		}
		s := trimSpace(line)
		if inArray {
			var closed bool
			if s, closed, needComma, ok = arrayItems(s, arr, needComma); !ok {
				return rawLock{}, false
			}
			if closed {
				inArray = false
				if !endOfLine(s) {
					return rawLock{}, false
				}
			}
			continue
		}
		if len(s) == 0 || s[0] == '#' {
			continue
		}
		if s[0] == '[' {
			header, after, found := bytes.Cut(s, []byte{']'})
			if !found {
				return rawLock{}, false
			}
			header = append(header, ']')
			if len(after) > 0 && after[0] == ']' {
				header, after = append(header, ']'), after[1:]
			}
			if !endOfLine(after) {
				return rawLock{}, false
			}
			keys = keys[:0]
			switch string(header) {
			case "[[package]]":
				sec = secPackage
				lock.Package = append(lock.Package, rawPackage{line: lineNo})
				cur = &lock.Package[len(lock.Package)-1]
			case "[root]":
				if lock.Root != nil {
					return rawLock{}, false
				}
				sec = secRoot
				lock.Root = &rawPackage{line: lineNo}
				cur = lock.Root
			case "[metadata]":
				if lock.Metadata != nil {
					return rawLock{}, false
				}
				sec = secMetadata
				lock.Metadata = map[string]string{}
			case "[[patch.unused]]":
				sec = secUnused
			default:
				return rawLock{}, false
			}
			continue
		}
		key, s, ok := readKey(s)
		if !ok {
			return rawLock{}, false
		}
		for _, k := range keys {
			if k == key {
				return rawLock{}, false
			}
		}
		keys = append(keys, key)
		if sec != secMetadata && isFoldedField(key) {
			// The TOML decoder matches struct fields case-insensitively.
			return rawLock{}, false
		}
		s = trimSpace(s)
		if len(s) == 0 || s[0] != '=' {
			return rawLock{}, false
		}
		s = trimSpace(s[1:])
		if len(s) == 0 {
			return rawLock{}, false
		}
		switch sec {
		case secTop:
			// Only the format version lives at the top level; anything else
			// could clash with the tables below, which the full decoder judges.
			if key != "version" || seenTop {
				return rawLock{}, false
			}
			seenTop = true
			n := 0
			i := 0
			for ; i < len(s) && s[i] >= '0' && s[i] <= '9'; i++ {
				n = n*10 + int(s[i]-'0')
			}
			if i == 0 || i > 9 || (s[0] == '0' && i > 1) || !endOfLine(s[i:]) {
				return rawLock{}, false
			}
			lock.Version = n
			continue
		case secMetadata:
			v, after, ok := readString(s)
			if !ok || !endOfLine(after) {
				return rawLock{}, false
			}
			lock.Metadata[key] = v
			continue
		}
		if s[0] == '[' {
			var target *[]string
			discard := []string(nil)
			target = &discard
			if sec != secUnused && key == "dependencies" {
				target = &cur.Dependencies
				*target = []string{}
			} else if sec != secUnused && (key == "name" || key == "version" || key == "source" || key == "checksum") {
				return rawLock{}, false
			}
			var closed bool
			if s, closed, needComma, ok = arrayItems(s[1:], target, false); !ok {
				return rawLock{}, false
			}
			if closed {
				if !endOfLine(s) {
					return rawLock{}, false
				}
				continue
			}
			inArray, arr = true, target
			continue
		}
		v, after, ok := readString(s)
		if !ok || !endOfLine(after) {
			return rawLock{}, false
		}
		if sec == secUnused {
			continue
		}
		switch key {
		case "name":
			cur.Name = v
		case "version":
			cur.Version = v
		case "source":
			cur.Source = v
		case "checksum":
			cur.Checksum = v
		case "dependencies":
			return rawLock{}, false
		}
	}
	if inArray {
		return rawLock{}, false
	}
	return lock, true
}

// arrayItems reads string elements up to the end of s or a closing ']'.
func arrayItems(s []byte, into *[]string, needComma bool) (rest []byte, closed, stillNeedComma, ok bool) {
	for {
		s = trimSpace(s)
		if len(s) == 0 || s[0] == '#' {
			return nil, false, needComma, true
		}
		switch s[0] {
		case ']':
			return s[1:], true, false, true
		case ',':
			if !needComma {
				return nil, false, false, false
			}
			needComma = false
			s = s[1:]
		default:
			if needComma {
				return nil, false, false, false
			}
			v, after, ok := readString(s)
			if !ok {
				return nil, false, false, false
			}
			*into = append(*into, v)
			needComma = true
			s = after
		}
	}
}

// readKey reads a bare key or a quoted key without escapes.
func readKey(s []byte) (key string, rest []byte, ok bool) {
	if len(s) > 0 && s[0] == '"' {
		return readString(s)
	}
	i := 0
	for i < len(s) {
		c := s[i]
		if c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '_' || c == '-' {
			i++
			continue
		}
		break
	}
	if i == 0 {
		return "", nil, false
	}
	return string(s[:i]), s[i:], true
}

// readString reads a basic string without escapes; it refuses multi-line
// strings and escapes, which the full decoder handles.
func readString(s []byte) (v string, rest []byte, ok bool) {
	if len(s) < 2 || s[0] != '"' || s[1] == '"' && len(s) > 2 && s[2] == '"' {
		return "", nil, false
	}
	end := bytes.IndexByte(s[1:], '"')
	if end < 0 {
		return "", nil, false
	}
	body := s[1 : 1+end]
	if bytes.IndexByte(body, '\\') >= 0 {
		return "", nil, false
	}
	return string(body), s[2+end:], true
}

// endOfLine reports whether s holds only spaces and an optional comment.
func endOfLine(s []byte) bool {
	s = trimSpace(s)
	return len(s) == 0 || s[0] == '#'
}

func trimSpace(s []byte) []byte {
	return bytes.Trim(s, " \t")
}

// isFoldedField reports whether key matches a decoded field name only when
// case is ignored ("Name"), which the full decoder treats as that field.
func isFoldedField(key string) bool {
	for _, f := range [...]string{"name", "version", "source", "checksum", "dependencies", "package", "root", "metadata"} {
		if key != f && strings.EqualFold(key, f) {
			return true
		}
	}
	return false
}
