package analyze

import (
	"bytes"
	"maps"
	"slices"
	"strings"

	"github.com/tollgate-dev/tollgate/checks/content/archive"
	"github.com/tollgate-dev/tollgate/scanner"
)

// AddedLines are the lines the new version adds, by file (paths inside the
// package, its top directory removed): every line of an added text file,
// and the lines of a changed one that the old version does not hold (as a
// multiset, so that moved lines add nothing), numbered as in the new file.
// Binary files are left out. The secrets engine reads them.
func AddedLines(old, new *archive.Archive) []scanner.FileLines {
	oldFiles, newFiles := files(old), files(new)
	var out []scanner.FileLines
	for _, name := range slices.Sorted(maps.Keys(newFiles)) {
		nf, of := newFiles[name], oldFiles[name]
		if isBinary(nf.Data) || (of != nil && bytes.Equal(of.Data, nf.Data)) {
			continue
		}
		have := map[string]int{}
		if of != nil {
			for _, l := range strings.Split(string(of.Data), "\n") {
				have[l]++
			}
		}
		var lines []scanner.Line
		for i, l := range strings.Split(string(nf.Data), "\n") {
			if have[l] > 0 {
				have[l]--
				continue
			}
			if strings.TrimSpace(l) != "" {
				lines = append(lines, scanner.Line{Number: i + 1, Text: l})
			}
		}
		if len(lines) > 0 {
			out = append(out, scanner.FileLines{Path: name, Lines: lines})
		}
	}
	return out
}
