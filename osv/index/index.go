// Package index makes an offline OSV database cost what the scanned packages
// cost: it reads every record of a directory of OSV exports once, writes a
// compact index per export (normalised package name -> where its records are
// inside the zip), and afterwards answers lookups by decoding only the
// records of the packages asked about.
//
// An index is keyed by its sources' size, modification time and SHA-256. A
// scan stats the sources; a changed size rebuilds, a changed time alone
// re-hashes (a cache restore touches files without changing them), and an
// index that fails its own checks (magic, CRC-32C, bounds, order) or whose
// record bytes no longer match their CRC is rebuilt, never trusted.
// Matching is package osv's (osv.Matcher): the same ranges, version orders
// and results as osv.LoadDB.
package index

import (
	"bytes"
	"compress/flate"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"hash/crc32"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"sort"
	"strings"
	"sync"

	"github.com/tollgate-dev/tollgate/internal/atomicfile"
	"github.com/tollgate-dev/tollgate/lockfiles"
	"github.com/tollgate-dev/tollgate/osv"
)

// Suffix ends every index file name (never .json or .zip, so that LoadDB
// and the walk for sources never read one as a record).
const Suffix = ".tollgate-idx"

// jsonIndexName is the index of a tree's loose .json records, in its root.
const jsonIndexName = "json-records" + Suffix

// DefaultMaxDecodeBytes bounds the record bytes one Answer decodes: a
// hostile database of huge records for one name cannot take gigabytes.
const DefaultMaxDecodeBytes = 256 << 20

const (
	kindZip  = "zip"
	kindJSON = "json"
)

// Options configure Open. Zero fields mean the defaults.
type Options struct {
	// CacheDir keeps indexes (under osv-index/) when set; else they are
	// written beside the exports when that directory is writable, else in
	// the user cache directory. An index beside the exports (tollgate db
	// update writes one) is read first either way.
	CacheDir string
	// Beside forces indexes beside the exports; a directory that is not
	// writable is then an error (tollgate db update).
	Beside bool
	// Limits bound the build as they bound osv.LoadDB (MaxRecords per
	// source, MaxEntryBytes, MaxZipBytes); Ecosystems narrows the answers.
	Limits osv.LoadOptions
	// MaxDecodeBytes bounds the record bytes one Answer decodes
	// (default DefaultMaxDecodeBytes).
	MaxDecodeBytes int64
}

// Stats says what Open found and did.
type Stats struct {
	Sources  int // zip exports, plus one for loose .json records
	Built    int // indexes (re)built by this Open
	Records  int // records indexed, withdrawn included
	Packages int // distinct (ecosystem, name) keys, summed over sources
	// Where lists the index file of each source ("" when kept in memory only).
	Where []string
}

// DB is an indexed offline OSV database. It implements osv.Source,
// osv.AnswerSource, osv.Coverage and osv.RecordSource, and is safe for
// concurrent use. Close releases its open files.
type DB struct {
	opts    Options
	units   []*unit
	matcher *osv.Matcher
	keep    map[string]bool
	stats   Stats

	// rw is held for reading by lookups and for writing by a rebuild.
	rw      sync.RWMutex
	mu      sync.Mutex
	decoded map[recKey]*osv.Vuln
}

type recKey struct{ unit, rec int }

// unit is one source of records and its index.
type unit struct {
	kind  string
	root  string
	files []string // absolute paths; one zip, or the sorted loose records
	where string   // index file in use, "" when in memory only
	tab   *table

	mu sync.Mutex
	f  *os.File // the zip, opened on first read
}

// Open indexes the OSV database at path (a directory of <Ecosystem>/all.zip
// exports and/or .json records, a single zip or a single record) and
// returns it ready for lookups, building or rebuilding the index of each
// source that has none, a stale one or a corrupt one. Malformed records and
// exceeded limits are errors naming the file and entry.
func Open(ctx context.Context, path string, opts Options) (*DB, error) {
	opts.Limits = limitsWithDefaults(opts.Limits)
	if opts.MaxDecodeBytes <= 0 {
		opts.MaxDecodeBytes = DefaultMaxDecodeBytes
	}
	units, err := discover(path)
	if err != nil {
		return nil, fmt.Errorf("osv db: %w", err)
	}
	db := &DB{opts: opts, units: units, matcher: osv.NewMatcher(), keep: map[string]bool{}, decoded: map[recKey]*osv.Vuln{}}
	for _, e := range opts.Limits.Ecosystems {
		db.keep[e] = true
	}
	errs := make([]error, len(units))
	built := make([]bool, len(units))
	sem := make(chan struct{}, runtime.GOMAXPROCS(0))
	var wg sync.WaitGroup
	for i, u := range units {
		wg.Add(1)
		sem <- struct{}{}
		go func() {
			defer wg.Done()
			defer func() { <-sem }()
			built[i], errs[i] = db.load(ctx, u)
		}()
	}
	wg.Wait()
	if err := errors.Join(errs...); err != nil {
		db.Close()
		return nil, fmt.Errorf("osv db: %w", err)
	}
	db.stats.Sources = len(units)
	for i, u := range units {
		if built[i] {
			db.stats.Built++
		}
		db.stats.Records += u.tab.nRecs
		db.stats.Packages += u.tab.nKeys
		db.stats.Where = append(db.stats.Where, u.where)
	}
	return db, nil
}

func limitsWithDefaults(o osv.LoadOptions) osv.LoadOptions {
	if o.MaxRecords <= 0 {
		o.MaxRecords = osv.DefaultMaxRecords
	}
	if o.MaxEntryBytes <= 0 {
		o.MaxEntryBytes = osv.DefaultMaxEntryBytes
	}
	if o.MaxZipBytes <= 0 {
		o.MaxZipBytes = osv.DefaultMaxZipBytes
	}
	return o
}

// discover lists the sources under path: each zip, and the loose .json
// records together (index files and dot-directories are not sources).
func discover(path string) ([]*unit, error) {
	info, err := os.Stat(path)
	if err != nil {
		return nil, err
	}
	abs, err := filepath.Abs(path)
	if err != nil {
		return nil, err
	}
	if !info.IsDir() {
		kind := kindJSON
		if strings.HasSuffix(abs, ".zip") {
			kind = kindZip
		}
		return []*unit{{kind: kind, root: filepath.Dir(abs), files: []string{abs}}}, nil
	}
	var zips, jsons []string
	err = filepath.WalkDir(abs, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.Type().IsRegular() {
			switch {
			case strings.HasSuffix(p, ".zip"):
				zips = append(zips, p)
			case strings.HasSuffix(p, ".json"):
				jsons = append(jsons, p)
			}
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("walk %s: %w", path, err)
	}
	sort.Strings(zips)
	sort.Strings(jsons)
	var units []*unit
	for _, z := range zips {
		units = append(units, &unit{kind: kindZip, root: abs, files: []string{z}})
	}
	if len(jsons) > 0 {
		units = append(units, &unit{kind: kindJSON, root: abs, files: jsons})
	}
	return units, nil
}

// besidePath is where a unit's index lives next to its sources.
func (u *unit) besidePath() string {
	if u.kind == kindZip {
		return u.files[0] + Suffix
	}
	return filepath.Join(u.root, jsonIndexName)
}

// cachePath is where a unit's index lives under a cache directory: named by
// a hash of the unit's absolute location.
func (u *unit) cachePath(cacheDir string) string {
	key := u.kind + ":" + u.root
	if u.kind == kindZip {
		key = u.kind + ":" + u.files[0]
	}
	sum := sha256.Sum256([]byte(key))
	return filepath.Join(cacheDir, "osv-index", hex.EncodeToString(sum[:16])+Suffix)
}

// load finds a fresh index for u or builds one; built says it was built.
func (db *DB) load(ctx context.Context, u *unit) (built bool, err error) {
	var read, write []string
	read = append(read, u.besidePath())
	switch {
	case db.opts.Beside:
		write = []string{u.besidePath()}
	case db.opts.CacheDir != "":
		read = append(read, u.cachePath(db.opts.CacheDir))
		write = []string{u.cachePath(db.opts.CacheDir)}
	default:
		write = []string{u.besidePath()}
		if dir, err := os.UserCacheDir(); err == nil {
			c := u.cachePath(filepath.Join(dir, "tollgate"))
			read = append(read, c)
			write = append(write, c)
		}
	}
	for _, p := range read {
		if t := fresh(u, p); t != nil {
			u.tab, u.where = t, p
			return false, nil
		}
	}
	return true, db.rebuild(ctx, u, write)
}

// rebuild builds u's index and writes it to the first place that takes it.
func (db *DB) rebuild(ctx context.Context, u *unit, write []string) error {
	b, err := buildUnit(ctx, u, db.opts.Limits)
	if err != nil {
		return err
	}
	raw, err := b.encode()
	if err != nil {
		return fmt.Errorf("index %s: %w", u.files[0], err)
	}
	if u.tab != nil {
		u.tab.close()
	}
	u.tab, u.where = nil, ""
	var werr error
	for _, p := range write {
		if werr = atomicfile.Write(p, raw); werr != nil {
			continue
		}
		if t, err := openTable(p); err == nil {
			u.tab, u.where = t, p
			break
		}
	}
	if db.opts.Beside && u.where == "" {
		return fmt.Errorf("write index beside %s: %w", u.files[0], werr)
	}
	if u.tab == nil {
		// An index that cannot be kept is still used for this run.
		t, err := parseTable(bytes.NewReader(raw), int64(len(raw)), nil)
		if err != nil {
			return fmt.Errorf("index %s: %w", u.files[0], err) // a bug, not bad input
		}
		u.tab = t
	}
	return nil
}

// fresh returns the index at p when it is sound and its sources are the
// ones it was built from; a source whose time alone changed is re-hashed,
// and the index's key refreshed when the content is the same.
func fresh(u *unit, p string) *table {
	t, err := openTable(p)
	if err != nil {
		return nil
	}
	if t.hdr.Kind != u.kind || len(t.hdr.Files) != len(u.files) {
		t.close()
		return nil
	}
	hdr := t.hdr
	hdr.Files = slices.Clone(t.hdr.Files)
	touched := false
	for i, path := range u.files {
		want := &hdr.Files[i]
		rel, err := filepath.Rel(u.root, path)
		if err != nil || filepath.ToSlash(rel) != want.Path {
			t.close()
			return nil
		}
		st, err := os.Stat(path)
		if err != nil || st.Size() != want.Size {
			t.close()
			return nil
		}
		if st.ModTime().UnixNano() == want.MTime {
			continue
		}
		sum, err := hashFile(path)
		if err != nil || sum != want.SHA256 {
			t.close()
			return nil
		}
		want.MTime = st.ModTime().UnixNano()
		touched = true
	}
	if !touched {
		return t
	}
	b, err := t.withHeader(hdr)
	t.close()
	if err != nil {
		return nil // a corrupt body: rebuild
	}
	if atomicfile.Write(p, b) == nil {
		if nt, err := openTable(p); err == nil {
			return nt
		}
	}
	nt, err := parseTable(bytes.NewReader(b), int64(len(b)), nil)
	if err != nil {
		return nil
	}
	return nt
}

// Stats returns what Open found and did.
func (db *DB) Stats() Stats { return db.stats }

// Close closes the zips opened for reading.
func (db *DB) Close() error {
	var errs []error
	for _, u := range db.units {
		u.mu.Lock()
		if u.f != nil {
			errs = append(errs, u.f.Close())
			u.f = nil
		}
		if u.tab != nil {
			errs = append(errs, u.tab.close())
		}
		u.mu.Unlock()
	}
	return errors.Join(errs...)
}

// Ecosystems implements osv.Coverage.
func (db *DB) Ecosystems() []string {
	set := map[string]bool{}
	for _, u := range db.units {
		for _, e := range u.tab.hdr.Ecosystems {
			if len(db.keep) == 0 || db.keep[e] {
				set[e] = true
			}
		}
	}
	out := make([]string, 0, len(set))
	for e := range set {
		out = append(out, e)
	}
	sort.Strings(out)
	return out
}

// Lookup implements osv.Source.
func (db *DB) Lookup(ctx context.Context, queries []osv.Query) ([][]*osv.Vuln, error) {
	ans, err := db.Answer(ctx, queries)
	if err != nil {
		return nil, err
	}
	out := make([][]*osv.Vuln, len(ans))
	for i, a := range ans {
		out[i] = a.Vulns
	}
	return out, nil
}

// Answer implements osv.AnswerSource. A record whose bytes no longer match
// the index (the export changed under it) rebuilds that index and answers
// again, once.
func (db *DB) Answer(ctx context.Context, queries []osv.Query) ([]osv.Answer, error) {
	db.rw.RLock()
	out, err := db.answer(ctx, queries)
	db.rw.RUnlock()
	var se *staleError
	if errors.As(err, &se) {
		db.rw.Lock()
		defer db.rw.Unlock()
		u := db.units[se.unit]
		write := []string{}
		if u.where != "" {
			write = append(write, u.where)
		}
		u.mu.Lock()
		if u.f != nil {
			u.f.Close()
			u.f = nil
		}
		u.mu.Unlock()
		db.mu.Lock()
		db.decoded = map[recKey]*osv.Vuln{}
		db.mu.Unlock()
		if rerr := db.rebuild(ctx, u, write); rerr != nil {
			return nil, fmt.Errorf("osv db: %w (rebuilding after: %w)", rerr, err)
		}
		db.stats.Built++
		out, err = db.answer(ctx, queries)
	}
	return out, err
}

func (db *DB) answer(ctx context.Context, queries []osv.Query) ([]osv.Answer, error) {
	out := make([]osv.Answer, len(queries))
	var budget int64
	for i, q := range queries {
		if i%256 == 0 {
			if err := ctx.Err(); err != nil {
				return nil, err
			}
		}
		if len(db.keep) > 0 && !db.keep[q.Ecosystem] {
			continue
		}
		key := q.Ecosystem + "\x00" + lockfiles.NormalizeName(q.Ecosystem, q.Name)
		var ids []string
		known := map[string]recKey{} // where each id was found
		for ui, u := range db.units {
			recs, err := u.tab.find(key)
			if err != nil {
				return nil, &staleError{unit: ui, err: err}
			}
			for _, r := range recs {
				rec, err := u.tab.record(r)
				if err != nil {
					return nil, &staleError{unit: ui, err: err}
				}
				if _, ok := known[rec.id]; !ok {
					known[rec.id] = recKey{ui, r}
				}
				ids = append(ids, rec.id)
			}
		}
		if len(ids) == 0 {
			continue
		}
		sort.Strings(ids)
		ids = slices.Compact(ids)
		for _, id := range ids {
			hint := known[id]
			v, err := db.get(id, &hint, &budget)
			if err != nil {
				return nil, err
			}
			if v == nil {
				continue // withdrawn in its newest copy
			}
			m := db.matcher.Affects(v, q.Ecosystem, q.Name, q.Version)
			switch {
			case m.Affected:
				out[i].Vulns = append(out[i].Vulns, v)
			case m.Unreadable:
				out[i].Unreadable = append(out[i].Unreadable, v.ID)
			}
		}
	}
	return out, nil
}

// Records implements osv.RecordSource.
func (db *DB) Records(ctx context.Context, ids []string) (map[string]*osv.Vuln, error) {
	db.rw.RLock()
	defer db.rw.RUnlock()
	out := map[string]*osv.Vuln{}
	var budget int64
	for _, id := range ids {
		if err := ctx.Err(); err != nil {
			return out, err
		}
		v, err := db.get(id, nil, &budget)
		if err != nil {
			return out, err
		}
		if v != nil {
			out[id] = v
		}
	}
	return out, nil
}

// get returns the newest copy of record id across the sources (the first
// source on a tie), decoded; nil when it is withdrawn or absent. hint, when
// set, is where id is already known to be: that source needs no search.
func (db *DB) get(id string, hint *recKey, budget *int64) (*osv.Vuln, error) {
	best, bestRec := -1, -1
	var rec record
	for ui, u := range db.units {
		r, err := -1, error(nil)
		if hint != nil && hint.unit == ui {
			r = hint.rec
		} else {
			r, err = u.tab.findID(id)
		}
		if err != nil {
			return nil, &staleError{unit: ui, err: err}
		}
		if r < 0 {
			continue
		}
		cand, err := u.tab.record(r)
		if err != nil {
			return nil, &staleError{unit: ui, err: err}
		}
		if best < 0 || cand.modified > rec.modified {
			best, bestRec, rec = ui, r, cand
		}
	}
	if best < 0 {
		return nil, nil
	}
	if rec.flags&flagWithdrawn != 0 {
		return nil, nil
	}
	k := recKey{best, bestRec}
	db.mu.Lock()
	v, ok := db.decoded[k]
	db.mu.Unlock()
	if ok {
		return v, nil
	}
	if *budget += int64(rec.usize); *budget > db.opts.MaxDecodeBytes {
		return nil, fmt.Errorf("osv db: %w: the records of one lookup pass %d bytes", osv.ErrLimit, db.opts.MaxDecodeBytes)
	}
	data, err := db.units[best].read(rec, db.opts.Limits.MaxEntryBytes)
	if err != nil {
		return nil, &staleError{unit: best, err: err}
	}
	v, err = decode(data)
	if err != nil || v.ID != id {
		return nil, &staleError{unit: best, err: fmt.Errorf("record %s: %w", id, errCorrupt)}
	}
	db.mu.Lock()
	db.decoded[k] = v
	db.mu.Unlock()
	return v, nil
}

// staleError says a unit's index no longer matches its sources.
type staleError struct {
	unit int
	err  error
}

func (e *staleError) Error() string { return "stale index: " + e.err.Error() }
func (e *staleError) Unwrap() error { return e.err }

// read returns a record's bytes, checked against its size and CRC.
func (u *unit) read(rec record, maxEntry int64) ([]byte, error) {
	if int64(rec.usize) > maxEntry {
		return nil, fmt.Errorf("record %s: %w: %d bytes", rec.id, osv.ErrLimit, rec.usize)
	}
	var data []byte
	var err error
	if u.kind == kindJSON {
		if int(rec.file) >= len(u.files) {
			return nil, fmt.Errorf("record %s: %w: file %d", rec.id, errCorrupt, rec.file)
		}
		data, err = readFileLimited(u.files[rec.file], int64(rec.usize))
	} else {
		data, err = u.readZipEntry(rec)
	}
	if err != nil {
		return nil, err
	}
	if len(data) != int(rec.usize) || crc32.ChecksumIEEE(data) != rec.crc {
		return nil, fmt.Errorf("record %s: %w: bytes differ from the index", rec.id, errCorrupt)
	}
	return data, nil
}

func (u *unit) readZipEntry(rec record) ([]byte, error) {
	u.mu.Lock()
	if u.f == nil {
		f, err := os.Open(u.files[0])
		if err != nil {
			u.mu.Unlock()
			return nil, err
		}
		u.f = f
	}
	f := u.f
	u.mu.Unlock()
	if rec.csize > 1<<40 || rec.dataOff > 1<<50 {
		return nil, fmt.Errorf("record %s: %w", rec.id, errCorrupt)
	}
	var r io.Reader = io.NewSectionReader(f, int64(rec.dataOff), int64(rec.csize))
	switch rec.method {
	case 0:
	case 8:
		fr := flate.NewReader(r)
		defer fr.Close()
		r = fr
	default:
		return nil, fmt.Errorf("record %s: %w: method %d", rec.id, errCorrupt, rec.method)
	}
	data, err := readLimited(r, int64(rec.usize))
	if err != nil {
		return nil, fmt.Errorf("record %s in %s: %w", rec.id, u.files[0], err)
	}
	return data, nil
}
