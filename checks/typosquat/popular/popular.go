// Package popular holds the popularity snapshot the typosquat check compares
// names with: per ecosystem, the most popular package names, most popular
// first. The snapshot is generated from public lists (SOURCES.md) by
//
//	go generate ./checks/typosquat/popular
//
// and embedded in the binary (snapshot.gz, about 430 KB: gzip with stored
// blocks, which loads in well under a millisecond). Parse reads the same
// format, compressed or not, from a file, so that a fresher snapshot can
// replace it at run time.
package popular

import (
	"bufio"
	"bytes"
	"compress/gzip"
	_ "embed"
	"encoding/binary"
	"fmt"
	"io"
	"strings"
)

//go:generate go run ./internal/gen -data ../../../../shared/data/popular -out snapshot.gz

//go:embed snapshot.gz
var embedded []byte

// MaxSize bounds a snapshot's uncompressed size (a gzip bomb given as a
// refreshed snapshot ends in an error).
const MaxSize = 64 << 20

// Snapshot is the popular names of each ecosystem, most popular first.
type Snapshot struct {
	// Names maps an ecosystem (lockfiles.Ecosystem* spelling) to its names.
	Names map[string][]string
}

// Embedded returns the snapshot built into the binary.
func Embedded() (*Snapshot, error) {
	s, err := parse(bytes.NewReader(embedded), gzipSize(embedded))
	if err != nil {
		return nil, fmt.Errorf("embedded popularity snapshot: %w", err)
	}
	return s, nil
}

// gzipSize is the uncompressed size a one-member gzip file records in its
// trailer (a hint only: 0 when it cannot be read or exceeds MaxSize).
func gzipSize(gz []byte) int {
	if len(gz) < 18 {
		return 0
	}
	n := int(binary.LittleEndian.Uint32(gz[len(gz)-4:]))
	if n > MaxSize {
		return 0
	}
	return n
}

// Parse reads a snapshot: gzip-compressed (or plain) text in which a line
// "=<ecosystem>" opens each ecosystem, followed by one name per line.
func Parse(r io.Reader) (*Snapshot, error) {
	return parse(r, 0)
}

// parse is Parse with the expected uncompressed size, to read it in one
// buffer.
func parse(r io.Reader, sizeHint int) (*Snapshot, error) {
	br := bufio.NewReader(r)
	var src io.Reader = br
	if head, err := br.Peek(2); err == nil && head[0] == 0x1f && head[1] == 0x8b {
		zr, err := gzip.NewReader(br)
		if err != nil {
			return nil, fmt.Errorf("gzip: %w", err)
		}
		defer zr.Close()
		src = zr
	}
	var buf bytes.Buffer
	buf.Grow(sizeHint + bytes.MinRead)
	if _, err := buf.ReadFrom(io.LimitReader(src, MaxSize+1)); err != nil {
		return nil, err
	}
	if buf.Len() > MaxSize {
		return nil, fmt.Errorf("larger than %d bytes uncompressed", MaxSize)
	}
	// One string for the whole text: every name is a substring of it.
	text := buf.String()
	s := &Snapshot{Names: map[string][]string{}}
	eco := ""
	var names []string // eco's names, stored in s.Names when eco changes
	for lineNo := 1; text != ""; lineNo++ {
		line, rest, _ := strings.Cut(text, "\n")
		text = rest
		line = strings.TrimSuffix(line, "\r")
		switch {
		case line == "":
		case strings.HasPrefix(line, "="):
			if len(names) > 0 {
				s.Names[eco] = names
			}
			eco = line[1:]
			if eco == "" {
				return nil, fmt.Errorf("line %d: empty ecosystem name", lineNo)
			}
			names = s.Names[eco]
		case eco == "":
			return nil, fmt.Errorf("line %d: a name before the first \"=<ecosystem>\" line", lineNo)
		default:
			names = append(names, line)
		}
	}
	if len(names) > 0 {
		s.Names[eco] = names
	}
	if len(s.Names) == 0 {
		return nil, fmt.Errorf("no names")
	}
	return s, nil
}
