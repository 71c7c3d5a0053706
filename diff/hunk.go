package diff

import (
	"fmt"
	"strconv"
	"strings"
)

// ParsePatch returns the added lines of a unified-diff patch as the GitHub API
// gives it for one file (hunks only, no file headers), with head line numbers.
// It is written by hand because it is small and the libraries that parse
// unified diffs want whole multi-file diffs with headers.
func ParsePatch(patch string) ([]Line, error) {
	var out []Line
	rest := patch
	lineNo := 0     // line number in the patch, for errors
	inHunk := false // inside a hunk with lines left to read
	oldLeft, newLeft := 0, 0
	next := 0 // next head line number
	for len(rest) > 0 {
		var l string
		if i := strings.IndexByte(rest, '\n'); i >= 0 {
			l, rest = rest[:i], rest[i+1:]
		} else {
			l, rest = rest, ""
		}
		lineNo++
		if strings.HasPrefix(l, "@@") && (!inHunk || (oldLeft == 0 && newLeft == 0)) {
			oldStart, oldCount, newStart, newCount, err := parseHunkHeader(l)
			if err != nil {
				return nil, fmt.Errorf("patch line %d: %w", lineNo, err)
			}
			if (oldCount > 0 && oldStart < 1) || (newCount > 0 && newStart < 1) {
				return nil, fmt.Errorf("patch line %d: hunk starts at line 0 but is not empty", lineNo)
			}
			effectiveStart := newStart
			if newCount == 0 {
				effectiveStart++ // an empty range names the line before it
			}
			if effectiveStart < next {
				return nil, fmt.Errorf("patch line %d: hunks out of order", lineNo)
			}
			inHunk = true
			oldLeft, newLeft, next = oldCount, newCount, newStart
			continue
		}
		if !inHunk {
			// Git's extended headers (diff --git, index, ---, +++) may precede the
			// first hunk in raw diffs; GitHub's per-file patches start at "@@".
			continue
		}
		if l == "" && oldLeft == 0 && newLeft == 0 {
			continue // a trailing newline after the last hunk
		}
		if l == "" {
			// A blank context line whose leading space was trimmed by a tool.
			l = " "
		}
		switch l[0] {
		case '+':
			if newLeft == 0 {
				return nil, fmt.Errorf("patch line %d: more added lines than the hunk header says", lineNo)
			}
			out = append(out, Line{Number: next, Text: strings.TrimSuffix(l[1:], "\r")})
			next++
			newLeft--
		case '-':
			if oldLeft == 0 {
				return nil, fmt.Errorf("patch line %d: more removed lines than the hunk header says", lineNo)
			}
			oldLeft--
		case ' ':
			if oldLeft == 0 || newLeft == 0 {
				return nil, fmt.Errorf("patch line %d: more context lines than the hunk header says", lineNo)
			}
			next++
			oldLeft--
			newLeft--
		case '\\':
			// "\ No newline at end of file": applies to the previous line.
		default:
			return nil, fmt.Errorf("patch line %d: unexpected line %.20q", lineNo, l)
		}
	}
	return out, nil
}

// parseHunkHeader reads "@@ -a[,b] +c[,d] @@[ section]". An omitted count
// means 1.
func parseHunkHeader(l string) (oldStart, oldCount, newStart, newCount int, err error) {
	body, ok := strings.CutPrefix(l, "@@ ")
	if !ok {
		return 0, 0, 0, 0, fmt.Errorf("bad hunk header %.40q", l)
	}
	end := strings.Index(body, " @@")
	if end < 0 {
		return 0, 0, 0, 0, fmt.Errorf("bad hunk header %.40q", l)
	}
	oldRange, newRange, ok := strings.Cut(body[:end], " ")
	if !ok || !strings.HasPrefix(oldRange, "-") || !strings.HasPrefix(newRange, "+") {
		return 0, 0, 0, 0, fmt.Errorf("bad hunk header %.40q", l)
	}
	oldStart, oldCount, err = parseRange(oldRange[1:])
	if err != nil {
		return 0, 0, 0, 0, fmt.Errorf("bad hunk header %.40q: %w", l, err)
	}
	newStart, newCount, err = parseRange(newRange[1:])
	if err != nil {
		return 0, 0, 0, 0, fmt.Errorf("bad hunk header %.40q: %w", l, err)
	}
	return oldStart, oldCount, newStart, newCount, nil
}

func parseRange(s string) (start, count int, err error) {
	startStr, countStr, hasCount := strings.Cut(s, ",")
	start, err = strconv.Atoi(startStr)
	if err != nil || start < 0 {
		return 0, 0, fmt.Errorf("bad range start %q", startStr)
	}
	count = 1
	if hasCount {
		count, err = strconv.Atoi(countStr)
		if err != nil || count < 0 {
			return 0, 0, fmt.Errorf("bad range count %q", countStr)
		}
	}
	return start, count, nil
}
