// Package popular holds the popularity snapshot the typosquat check compares
// names with: per ecosystem, the most popular package names, most popular
// first. The snapshot is generated from public lists (SOURCES.md) by
//
//	go generate ./checks/typosquat/popular
//
// and embedded in the binary (snapshot.gz, about 150 KB). Parse reads the
// same format from a file, so that a fresher snapshot can replace it at run
// time.
package popular

import (
	"bufio"
	"bytes"
	"compress/gzip"
	_ "embed"
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
	s, err := Parse(bytes.NewReader(embedded))
	if err != nil {
		return nil, fmt.Errorf("embedded popularity snapshot: %w", err)
	}
	return s, nil
}

// Parse reads a snapshot: gzip-compressed (or plain) text in which a line
// "=<ecosystem>" opens each ecosystem, followed by one name per line.
func Parse(r io.Reader) (*Snapshot, error) {
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
	data, err := io.ReadAll(io.LimitReader(src, MaxSize+1))
	if err != nil {
		return nil, err
	}
	if len(data) > MaxSize {
		return nil, fmt.Errorf("larger than %d bytes uncompressed", MaxSize)
	}
	s := &Snapshot{Names: map[string][]string{}}
	eco := ""
	for i, line := range strings.Split(string(data), "\n") {
		line = strings.TrimSuffix(line, "\r")
		switch {
		case line == "":
		case strings.HasPrefix(line, "="):
			eco = line[1:]
			if eco == "" {
				return nil, fmt.Errorf("line %d: empty ecosystem name", i+1)
			}
		case eco == "":
			return nil, fmt.Errorf("line %d: a name before the first \"=<ecosystem>\" line", i+1)
		default:
			s.Names[eco] = append(s.Names[eco], line)
		}
	}
	if len(s.Names) == 0 {
		return nil, fmt.Errorf("no names")
	}
	return s, nil
}
