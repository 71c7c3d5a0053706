package tomltree

// TableHeaderLines returns the 1-based line of every "[[name]]" array-of-tables
// header in a TOML document, in order.
//
// Written by hand because toml.MetaData gives no position per array element;
// a single pass tracks strings (multi-line ones included) and comments so a
// header-looking line inside a string is not counted. Callers zip the i-th
// header with the i-th decoded element and fail when the counts differ.
func TableHeaderLines(data []byte, name string) []int {
	return headerLines(data, name, true, false)
}

// TableHeaderLine returns the 1-based line of the "[name]" table header of
// a TOML document (the first; a valid document has at most one), or 0 when
// there is none: the table is inline, implied by a "[name.sub]" header, or
// absent. Strings and comments are skipped as in TableHeaderLines.
func TableHeaderLine(data []byte, name string) int {
	if lines := headerLines(data, name, false, true); len(lines) > 0 {
		return lines[0]
	}
	return 0
}

// headerLines returns the lines of the headers of table name: "[[name]]"
// when array is set, else "[name]"; only the first when first is set.
func headerLines(data []byte, name string, array, first bool) []int {
	var lines []int
	const (
		none = iota
		basic
		literal
		mlBasic
		mlLiteral
	)
	state := none
	line := 1
	atLineStart := true // only whitespace seen on this line so far (outside strings)
	// Brackets and braces of values: a "[" that starts a line inside a
	// multi-line array ([["package"]] is an array of arrays) opens no table.
	valueDepth := 0
	inHeader := false // on a header line, whose brackets are not values
	i := 0
	if len(data) >= 3 && data[0] == 0xef && data[1] == 0xbb && data[2] == 0xbf {
		// A UTF-8 BOM, which BurntSushi/toml (and the toml crate of cargo
		// and uv) skip: a header right after it is still at a line start.
		i = 3
	}
	for ; i < len(data); i++ {
		c := data[i]
		if c == '\n' {
			line++
			if state == basic || state == literal {
				state = none // unterminated single-line string; the decoder reports it
			}
			atLineStart = state == none
			inHeader = false
			continue
		}
		switch state {
		case basic:
			if c == '\\' {
				if i+1 < len(data) && data[i+1] != '\n' {
					i++
				}
			} else if c == '"' {
				state = none
			}
			continue
		case literal:
			if c == '\'' {
				state = none
			}
			continue
		case mlBasic:
			if c == '\\' {
				if i+1 < len(data) && data[i+1] != '\n' {
					i++
				}
			} else if c == '"' && hasAt(data, i, `"""`) {
				i += 2
				for i+1 < len(data) && data[i+1] == '"' { // up to two quotes may end the content
					i++
				}
				state = none
			}
			continue
		case mlLiteral:
			if c == '\'' && hasAt(data, i, `'''`) {
				i += 2
				for i+1 < len(data) && data[i+1] == '\'' {
					i++
				}
				state = none
			}
			continue
		}
		switch c {
		case ' ', '\t', '\r':
			continue
		case '#':
			for i+1 < len(data) && data[i+1] != '\n' {
				i++
			}
			continue
		case '"':
			if hasAt(data, i, `"""`) {
				state = mlBasic
				i += 2
			} else {
				state = basic
			}
		case '\'':
			if hasAt(data, i, `'''`) {
				state = mlLiteral
				i += 2
			} else {
				state = literal
			}
		case '[':
			switch {
			case inHeader:
			case atLineStart && valueDepth == 0:
				inHeader = true
				if isHeader(data[i:], name, array) {
					lines = append(lines, line)
					if first {
						return lines
					}
				}
			default:
				valueDepth++
			}
		case '{':
			if !inHeader {
				valueDepth++
			}
		case ']', '}':
			if !inHeader && valueDepth > 0 {
				valueDepth--
			}
		}
		atLineStart = false
	}
	return lines
}

func hasAt(data []byte, i int, s string) bool {
	return len(data)-i >= len(s) && string(data[i:i+len(s)]) == s
}

// isHeader reports whether rest starts with "[[ name ]]" (array) or
// "[ name ]" (spaces optional, name possibly quoted).
func isHeader(rest []byte, name string, array bool) bool {
	open, end := "[[", "]]"
	if !array {
		open, end = "[", "]"
		if hasAt(rest, 0, "[[") {
			return false
		}
	}
	if !hasAt(rest, 0, open) {
		return false
	}
	j := len(open)
	for j < len(rest) && (rest[j] == ' ' || rest[j] == '\t') {
		j++
	}
	switch {
	case hasAt(rest, j, name):
		j += len(name)
	case hasAt(rest, j, `"`+name+`"`), hasAt(rest, j, `'`+name+`'`):
		j += len(name) + 2
	default:
		return false
	}
	for j < len(rest) && (rest[j] == ' ' || rest[j] == '\t') {
		j++
	}
	return hasAt(rest, j, end)
}
