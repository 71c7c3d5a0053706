package osv

import (
	"archive/zip"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"sort"
	"strings"
	"sync"
	"sync/atomic"

	"github.com/tollgate-dev/tollgate/lockfiles"
)

// Default limits for LoadDB. osv.dev's largest export (npm all.zip) holds
// about 250,000 records; its largest record is well under 1 MiB.
const (
	DefaultMaxRecords    = 5_000_000
	DefaultMaxEntryBytes = 16 << 20 // one record (a .json file or zip entry)
	DefaultMaxZipBytes   = 8 << 30  // the uncompressed sum of one zip
	// DefaultMaxDBBytes bounds the records LoadDB keeps in memory (their
	// JSON size): sixty hostile 15 MiB records must not take gigabytes.
	// The on-disk index (osv/index) has no such need: it decodes only the
	// records of the packages a scan checks.
	DefaultMaxDBBytes = 512 << 20
)

// ErrLimit is wrapped by LoadDB errors caused by a LoadOptions bound.
var ErrLimit = errors.New("limit exceeded")

// LoadOptions bound LoadDB. Zero fields mean the defaults.
type LoadOptions struct {
	MaxRecords    int
	MaxEntryBytes int64
	MaxZipBytes   int64
	// MaxDBBytes bounds the sum of the records kept (default DefaultMaxDBBytes).
	MaxDBBytes int64
	// Ecosystems, when set, keeps only affected entries of these ecosystems.
	Ecosystems []string
}

func (o LoadOptions) withDefaults() LoadOptions {
	if o.MaxRecords <= 0 {
		o.MaxRecords = DefaultMaxRecords
	}
	if o.MaxEntryBytes <= 0 {
		o.MaxEntryBytes = DefaultMaxEntryBytes
	}
	if o.MaxZipBytes <= 0 {
		o.MaxZipBytes = DefaultMaxZipBytes
	}
	if o.MaxDBBytes <= 0 {
		o.MaxDBBytes = DefaultMaxDBBytes
	}
	return o
}

// DBStats describes what LoadDB read.
type DBStats struct {
	Files     int // .json files and zips read
	Records   int // records kept (unique ids)
	Withdrawn int // withdrawn records ignored
	Packages  int // distinct (ecosystem, name) keys indexed
}

type pkgKey struct{ eco, name string }

type entry struct {
	vuln     *Vuln
	affected int // index into vuln.Affected
}

// DB is an offline OSV database held in memory, indexed by package. It is
// safe for concurrent use once loaded.
type DB struct {
	index map[pkgKey][]entry
	byID  map[string]*Vuln
	stats DBStats
	cache *versionCache
	ecos  []string
}

// Ecosystems implements Coverage: the ecosystems of the records loaded.
func (db *DB) Ecosystems() []string { return db.ecos }

// Records implements RecordSource.
func (db *DB) Records(_ context.Context, ids []string) (map[string]*Vuln, error) {
	out := map[string]*Vuln{}
	for _, id := range ids {
		if v, ok := db.byID[id]; ok {
			out[id] = v
		}
	}
	return out, nil
}

// Stats returns what was loaded.
func (db *DB) Stats() DBStats { return db.stats }

// Get returns the record with id, if loaded.
func (db *DB) Get(id string) (*Vuln, bool) {
	v, ok := db.byID[id]
	return v, ok
}

// LoadDB reads an OSV database from path: a single .json record, a single
// .zip export, or a directory tree holding *.json records and/or *.zip
// exports (OSV's <Ecosystem>/all.zip layout). Withdrawn records are skipped.
// Malformed records and exceeded limits are errors naming the file and entry.
func LoadDB(ctx context.Context, path string, opts LoadOptions) (*DB, error) {
	opts = opts.withDefaults()
	info, err := os.Stat(path)
	if err != nil {
		return nil, fmt.Errorf("osv db: %w", err)
	}
	var files []string
	if info.IsDir() {
		err = filepath.WalkDir(path, func(p string, d fs.DirEntry, err error) error {
			if err != nil {
				return err
			}
			if d.Type().IsRegular() && (strings.HasSuffix(p, ".json") || strings.HasSuffix(p, ".zip")) {
				files = append(files, p)
			}
			return nil
		})
		if err != nil {
			return nil, fmt.Errorf("osv db: walk %s: %w", path, err)
		}
		sort.Strings(files)
	} else {
		files = []string{path}
	}

	l := &loader{opts: opts, keep: map[string]bool{}}
	for _, e := range opts.Ecosystems {
		l.keep[e] = true
	}
	results := make([][]*Vuln, len(files))
	errs := make([]error, len(files))
	sem := make(chan struct{}, runtime.GOMAXPROCS(0))
	var wg sync.WaitGroup
	for i, f := range files {
		wg.Add(1)
		sem <- struct{}{}
		go func() {
			defer wg.Done()
			defer func() { <-sem }()
			if strings.HasSuffix(f, ".zip") {
				results[i], errs[i] = l.readZip(ctx, f)
			} else {
				results[i], errs[i] = l.readJSONFile(f)
			}
		}()
	}
	wg.Wait()
	if err := errors.Join(errs...); err != nil {
		return nil, fmt.Errorf("osv db: %w", err)
	}

	db := &DB{index: map[pkgKey][]entry{}, byID: map[string]*Vuln{}, cache: &versionCache{}}
	db.stats.Files = len(files)
	db.stats.Withdrawn = int(l.withdrawn.Load())
	for _, vs := range results {
		for _, v := range vs {
			// The same record is exported into every ecosystem it touches;
			// keep the newest copy by time (not by string: "2024-01-01T00:00:00+02:00"
			// is earlier than "2024-01-01T00:00:00Z" written later).
			if old, ok := db.byID[v.ID]; ok && !Newer(v, old) {
				continue
			}
			db.byID[v.ID] = v
		}
	}
	ids := make([]string, 0, len(db.byID))
	for id := range db.byID {
		ids = append(ids, id)
	}
	sort.Strings(ids)
	ecos := map[string]bool{}
	for _, id := range ids {
		v := db.byID[id]
		for i, a := range v.Affected {
			eco := a.Package.Ecosystem
			if len(l.keep) > 0 && !l.keep[eco] {
				continue
			}
			ecos[eco] = true
			k := pkgKey{eco, lockfiles.NormalizeName(eco, a.Package.Name)}
			db.index[k] = append(db.index[k], entry{vuln: v, affected: i})
		}
	}
	db.stats.Records = len(db.byID)
	db.stats.Packages = len(db.index)
	for e := range ecos {
		db.ecos = append(db.ecos, e)
	}
	sort.Strings(db.ecos)
	return db, nil
}

type loader struct {
	opts      LoadOptions
	keep      map[string]bool
	count     atomic.Int64
	withdrawn atomic.Int64
	kept      atomic.Int64 // bytes of the records kept
}

func (l *loader) readJSONFile(path string) ([]*Vuln, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	b, err := readLimited(f, l.opts.MaxEntryBytes)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	v, err := l.decode(b)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	if v == nil {
		return nil, nil
	}
	return []*Vuln{v}, nil
}

func (l *loader) readZip(ctx context.Context, path string) ([]*Vuln, error) {
	zr, err := zip.OpenReader(path)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	defer zr.Close()
	var (
		out   []*Vuln
		total int64
	)
	for _, zf := range zr.File {
		if err := ctx.Err(); err != nil {
			return nil, err
		}
		if zf.FileInfo().IsDir() || !strings.HasSuffix(zf.Name, ".json") {
			continue
		}
		// The header's size is a claim; readLimited enforces the real one.
		if zf.UncompressedSize64 > uint64(l.opts.MaxEntryBytes) {
			return nil, fmt.Errorf("%s: entry %s: %w: %d bytes uncompressed, limit %d", path, zf.Name, ErrLimit, zf.UncompressedSize64, l.opts.MaxEntryBytes)
		}
		rc, err := zf.Open()
		if err != nil {
			return nil, fmt.Errorf("%s: entry %s: %w", path, zf.Name, err)
		}
		b, err := readLimited(rc, l.opts.MaxEntryBytes)
		rc.Close()
		if err != nil {
			return nil, fmt.Errorf("%s: entry %s: %w", path, zf.Name, err)
		}
		total += int64(len(b))
		if total > l.opts.MaxZipBytes {
			return nil, fmt.Errorf("%s: %w: more than %d bytes uncompressed", path, ErrLimit, l.opts.MaxZipBytes)
		}
		v, err := l.decode(b)
		if err != nil {
			return nil, fmt.Errorf("%s: entry %s: %w", path, zf.Name, err)
		}
		if v != nil {
			out = append(out, v)
		}
	}
	return out, nil
}

// decode parses one record; it returns nil for a withdrawn record.
func (l *loader) decode(b []byte) (*Vuln, error) {
	var v Vuln
	if err := json.Unmarshal(b, &v); err != nil {
		return nil, fmt.Errorf("not an OSV record: %w", err)
	}
	if v.ID == "" {
		return nil, errors.New("not an OSV record: no id")
	}
	if v.Withdrawn != "" {
		l.withdrawn.Add(1)
		return nil, nil
	}
	if n := l.count.Add(1); n > int64(l.opts.MaxRecords) {
		return nil, fmt.Errorf("%w: more than %d records", ErrLimit, l.opts.MaxRecords)
	}
	if len(l.keep) > 0 && !slices.ContainsFunc(v.Affected, func(a Affected) bool { return l.keep[a.Package.Ecosystem] }) {
		return nil, nil
	}
	if n := l.kept.Add(int64(len(b))); l.opts.MaxDBBytes > 0 && n > l.opts.MaxDBBytes {
		return nil, fmt.Errorf("%w: records of more than %d bytes in memory (the on-disk index has no such bound)", ErrLimit, l.opts.MaxDBBytes)
	}
	return &v, nil
}

// readLimited reads r whole, failing once it passes limit bytes.
func readLimited(r io.Reader, limit int64) ([]byte, error) {
	var buf bytes.Buffer
	n, err := io.Copy(&buf, io.LimitReader(r, limit+1))
	if err != nil {
		return nil, err
	}
	if n > limit {
		return nil, fmt.Errorf("%w: more than %d bytes", ErrLimit, limit)
	}
	return buf.Bytes(), nil
}

// Query returns the records that affect version ver of package (eco, name),
// sorted by id. An empty ver matches only records affecting every version.
func (db *DB) Query(eco, name, ver string) []*Vuln {
	return db.answer(eco, name, ver).Vulns
}

func (db *DB) answer(eco, name, ver string) Answer {
	key := pkgKey{eco, lockfiles.NormalizeName(eco, name)}
	entries := db.index[key]
	if len(entries) == 0 {
		return Answer{}
	}
	qv := newQueryVersion(eco, ver, db.cache)
	var a Answer
	var unreadable *Vuln
	for _, e := range entries {
		if len(a.Vulns) > 0 && a.Vulns[len(a.Vulns)-1] == e.vuln {
			continue // another affected entry of a record already matched
		}
		m := affects(e.vuln, eco, key.name, qv, e.affected)
		switch {
		case m.Affected:
			a.Vulns = append(a.Vulns, e.vuln)
		case m.Unreadable && unreadable != e.vuln:
			unreadable = e.vuln
			a.Unreadable = append(a.Unreadable, e.vuln.ID)
		}
	}
	// A record unreadable in one entry and affected through another is affected.
	a.Unreadable = slices.DeleteFunc(a.Unreadable, func(id string) bool {
		return slices.ContainsFunc(a.Vulns, func(v *Vuln) bool { return v.ID == id })
	})
	return a
}

// Answer implements AnswerSource.
func (db *DB) Answer(ctx context.Context, queries []Query) ([]Answer, error) {
	out := make([]Answer, len(queries))
	for i, q := range queries {
		if i%1024 == 0 {
			if err := ctx.Err(); err != nil {
				return nil, err
			}
		}
		out[i] = db.answer(q.Ecosystem, q.Name, q.Version)
	}
	return out, nil
}

// Lookup implements Source.
func (db *DB) Lookup(ctx context.Context, queries []Query) ([][]*Vuln, error) {
	out := make([][]*Vuln, len(queries))
	for i, q := range queries {
		if i%1024 == 0 {
			if err := ctx.Err(); err != nil {
				return nil, err
			}
		}
		out[i] = db.Query(q.Ecosystem, q.Name, q.Version)
	}
	return out, nil
}
