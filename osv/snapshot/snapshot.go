// Package snapshot is tollgate's embedded malware snapshot: every live
// malicious-package record of the project's shared OSV data
// (ossf/malicious-packages), reduced and compressed into the binary
// (malicious.snap.gz, about 1.1 MB; SOURCE.md says where it came from). The
// osv check uses it only when no OSV database is given and the OSV API
// cannot be used (--offline, or unreachable after retries), so that
// known-malicious packages are still caught; its findings and the report
// say the snapshot's date. A real database or the API always wins.
package snapshot

import (
	"bytes"
	"compress/gzip"
	"context"
	_ "embed"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"sort"
	"strings"
	"sync"

	"github.com/tollgate-dev/tollgate/lockfiles"
	"github.com/tollgate-dev/tollgate/osv"
)

//go:embed malicious.snap.gz
var compressed []byte

// maxSnapshotBytes bounds the decompressed snapshot (it is about 10 MB).
const maxSnapshotBytes = 256 << 20

// Info describes the snapshot.
type Info struct {
	// Source, Commit and License say where the data came from.
	Source  string `json:"source"`
	Commit  string `json:"commit"`
	License string `json:"license"`
	// Date is the newest record's modification date (YYYY-MM-DD).
	Date       string   `json:"date"`
	Records    int      `json:"records"`
	Ecosystems []string `json:"ecosystems"`
	// Bytes is the compressed size carried in the binary.
	Bytes int `json:"-"`
}

// DB is the snapshot as an osv.Source. It decompresses on first lookup and
// is safe for concurrent use.
type DB struct {
	info    Info
	data    []byte
	once    sync.Once
	lines   []string // "<eco>\x00<name>\t<record>", sorted
	loadErr error
	matcher *osv.Matcher
}

// Load reads the snapshot's header; the records are decompressed when
// first looked up.
func Load() (*DB, error) { return load(compressed) }

func load(data []byte) (*DB, error) {
	zr, err := gzip.NewReader(bytes.NewReader(data))
	if err != nil {
		return nil, fmt.Errorf("snapshot: %w", err)
	}
	defer zr.Close()
	first, err := readLine(zr, 1<<20)
	if err != nil {
		return nil, fmt.Errorf("snapshot header: %w", err)
	}
	db := &DB{data: data, matcher: osv.NewMatcher()}
	if err := json.Unmarshal(first, &db.info); err != nil || db.info.Date == "" {
		return nil, fmt.Errorf("snapshot header: not a snapshot (%v)", err)
	}
	db.info.Bytes = len(data)
	return db, nil
}

// readLine reads up to and without the first newline.
func readLine(r io.Reader, limit int) ([]byte, error) {
	var out []byte
	b := make([]byte, 1)
	for len(out) < limit {
		if _, err := io.ReadFull(r, b); err != nil {
			return nil, err
		}
		if b[0] == '\n' {
			return out, nil
		}
		out = append(out, b[0])
	}
	return nil, errors.New("line too long")
}

// Info returns the snapshot's description.
func (db *DB) Info() Info { return db.info }

// SnapshotDate is the newest record's date, for messages.
func (db *DB) SnapshotDate() string { return db.info.Date }

// SnapshotEcosystems lists the ecosystems the snapshot holds records for.
func (db *DB) SnapshotEcosystems() []string { return db.info.Ecosystems }

func (db *DB) decompress() error {
	db.once.Do(func() {
		zr, err := gzip.NewReader(bytes.NewReader(db.data))
		if err != nil {
			db.loadErr = err
			return
		}
		defer zr.Close()
		var buf bytes.Buffer
		n, err := io.Copy(&buf, io.LimitReader(zr, maxSnapshotBytes+1))
		if err != nil {
			db.loadErr = err
			return
		}
		if n > maxSnapshotBytes {
			db.loadErr = fmt.Errorf("more than %d bytes decompressed", maxSnapshotBytes)
			return
		}
		text := buf.String()
		_, body, _ := strings.Cut(text, "\n")
		db.lines = strings.Split(strings.TrimSuffix(body, "\n"), "\n")
		if !sort.StringsAreSorted(db.lines) {
			db.loadErr = errors.New("records not sorted")
		}
	})
	if db.loadErr != nil {
		return fmt.Errorf("snapshot: %w", db.loadErr)
	}
	return nil
}

// Lookup implements osv.Source: the records naming the package, matched
// with osv's matcher.
func (db *DB) Lookup(ctx context.Context, queries []osv.Query) ([][]*osv.Vuln, error) {
	if err := db.decompress(); err != nil {
		return nil, err
	}
	out := make([][]*osv.Vuln, len(queries))
	for i, q := range queries {
		if i%1024 == 0 {
			if err := ctx.Err(); err != nil {
				return nil, err
			}
		}
		prefix := q.Ecosystem + "\x00" + lockfiles.NormalizeName(q.Ecosystem, q.Name) + "\t"
		for k := sort.SearchStrings(db.lines, prefix); k < len(db.lines) && strings.HasPrefix(db.lines[k], prefix); k++ {
			var v osv.Vuln
			if err := json.Unmarshal([]byte(db.lines[k][len(prefix):]), &v); err != nil {
				return nil, fmt.Errorf("snapshot: record for %s %s: %w", q.Ecosystem, q.Name, err)
			}
			if db.matcher.Affects(&v, q.Ecosystem, q.Name, q.Version).Affected {
				out[i] = append(out[i], &v)
			}
		}
		sort.Slice(out[i], func(a, b int) bool { return out[i][a].ID < out[i][b].ID })
	}
	return out, nil
}
