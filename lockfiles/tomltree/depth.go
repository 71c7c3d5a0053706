package tomltree

// DepthError says where TOML nesting passed the limit.
type DepthError struct {
	// Line is the 1-based line where the limit was passed.
	Line int
	// Max is the limit.
	Max int
}

func (e *DepthError) Error() string {
	return "arrays and inline tables nested deeper than the limit"
}

// CheckDepth scans TOML text for arrays and inline tables nested deeper than
// max, skipping strings and comments, without building anything. It is run
// before the full decoder, which has no depth limit: a 36 KB uv.lock of
// nested inline tables kept it busy for over a minute and gigabytes. Table
// headers ([a.b], [[a]]) open and close on their line and count as one
// level. Written by hand: it is a lexical pass, not a parse, and no TOML
// library offers a depth bound.
func CheckDepth(data []byte, max int) error {
	depth, line := 0, 1
	for i := 0; i < len(data); i++ {
		switch c := data[i]; c {
		case '\n':
			line++
		case '#':
			for i+1 < len(data) && data[i+1] != '\n' {
				i++
			}
		case '"', '\'':
			multi := i+2 < len(data) && data[i+1] == c && data[i+2] == c
			if multi {
				i += 2
			}
			for i++; i < len(data); i++ {
				d := data[i]
				if d == '\n' {
					line++
					if !multi {
						break // an unterminated string: the decoder reports it
					}
					continue
				}
				if d == '\\' && c == '"' {
					i++
					if i < len(data) && data[i] == '\n' {
						line++
					}
					continue
				}
				if d == c && (!multi || i+2 < len(data) && data[i+1] == c && data[i+2] == c) {
					if multi {
						i += 2
					}
					break
				}
			}
		case '[', '{':
			depth++
			if depth > max {
				return &DepthError{Line: line, Max: max}
			}
		case ']', '}':
			if depth > 0 {
				depth--
			}
		}
	}
	return nil
}
