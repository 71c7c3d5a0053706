package index

import (
	"archive/zip"
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"hash/crc32"
	"io"
	"os"
	"path/filepath"
	"sort"

	"github.com/tollgate-dev/tollgate/lockfiles"
	"github.com/tollgate-dev/tollgate/osv"
)

// buildUnit reads every record of a unit once and returns its index. Only
// the names, ids, times and locations are kept: memory stays at one record
// (bounded by MaxEntryBytes) plus the tables.
func buildUnit(ctx context.Context, u *unit, lim osv.LoadOptions) (*built, error) {
	b := &built{hdr: header{Format: 2, Kind: u.kind}, keys: map[string][]uint32{}}
	byID := map[string]int{}
	ecos := map[string]bool{}
	add := func(v *osv.Vuln, r record) error {
		if len(b.records) >= lim.MaxRecords {
			return fmt.Errorf("%w: more than %d records", osv.ErrLimit, lim.MaxRecords)
		}
		r.id = v.ID
		r.modified = osv.ModifiedTime(v.Modified).UnixNano()
		if osv.ModifiedTime(v.Modified).IsZero() {
			r.modified = 0
		}
		if v.Withdrawn != "" {
			r.flags |= flagWithdrawn
			b.hdr.Withdrawn++
		}
		// One unit may hold two copies of a record: keep the newer by time,
		// the first on a tie (as LoadDB does across files).
		if old, ok := byID[v.ID]; ok {
			if r.modified <= b.records[old].modified {
				return nil
			}
			b.records[old] = r
			for k, nums := range b.keys { // rare: drop the older copy's keys
				b.keys[k] = deleteNum(nums, uint32(old))
				if len(b.keys[k]) == 0 {
					delete(b.keys, k)
				}
			}
		} else {
			byID[v.ID] = len(b.records)
			b.records = append(b.records, r)
		}
		if v.Withdrawn != "" {
			return nil
		}
		num := uint32(byID[v.ID])
		for _, a := range v.Affected {
			eco := a.Package.Ecosystem
			if eco == "" || a.Package.Name == "" {
				continue
			}
			ecos[eco] = true
			k := eco + "\x00" + lockfiles.NormalizeName(eco, a.Package.Name)
			if nums := b.keys[k]; len(nums) == 0 || nums[len(nums)-1] != num {
				b.keys[k] = append(nums, num)
			}
		}
		return nil
	}
	var err error
	if u.kind == kindZip {
		err = buildZip(ctx, u, lim, b, add)
	} else {
		err = buildJSON(ctx, u, lim, b, add)
	}
	if err != nil {
		return nil, err
	}
	for e := range ecos {
		b.hdr.Ecosystems = append(b.hdr.Ecosystems, e)
	}
	sort.Strings(b.hdr.Ecosystems)
	b.hdr.Records = len(b.records)
	return b, nil
}

func deleteNum(nums []uint32, n uint32) []uint32 {
	out := nums[:0]
	for _, x := range nums {
		if x != n {
			out = append(out, x)
		}
	}
	return out
}

func buildZip(ctx context.Context, u *unit, lim osv.LoadOptions, b *built, add func(*osv.Vuln, record) error) error {
	path := u.files[0]
	sf, err := fileKey(u.root, path, true)
	if err != nil {
		return err
	}
	b.hdr.Files = []sourceFile{sf}
	zr, err := zip.OpenReader(path)
	if err != nil {
		return fmt.Errorf("%s: %w", path, err)
	}
	defer zr.Close()
	var total int64
	for _, zf := range zr.File {
		if err := ctx.Err(); err != nil {
			return err
		}
		if zf.FileInfo().IsDir() || filepath.Ext(zf.Name) != ".json" {
			continue
		}
		if zf.Method != zip.Store && zf.Method != zip.Deflate {
			return fmt.Errorf("%s: entry %s: unsupported compression method %d", path, zf.Name, zf.Method)
		}
		// The header's size is a claim; readLimited enforces the real one.
		if zf.UncompressedSize64 > uint64(lim.MaxEntryBytes) {
			return fmt.Errorf("%s: entry %s: %w: %d bytes uncompressed, limit %d", path, zf.Name, osv.ErrLimit, zf.UncompressedSize64, lim.MaxEntryBytes)
		}
		off, err := zf.DataOffset()
		if err != nil {
			return fmt.Errorf("%s: entry %s: %w", path, zf.Name, err)
		}
		rc, err := zf.Open()
		if err != nil {
			return fmt.Errorf("%s: entry %s: %w", path, zf.Name, err)
		}
		data, err := readLimited(rc, lim.MaxEntryBytes)
		rc.Close()
		if err != nil {
			return fmt.Errorf("%s: entry %s: %w", path, zf.Name, err)
		}
		if total += int64(len(data)); total > lim.MaxZipBytes {
			return fmt.Errorf("%s: %w: more than %d bytes uncompressed", path, osv.ErrLimit, lim.MaxZipBytes)
		}
		v, err := decode(data)
		if err != nil {
			return fmt.Errorf("%s: entry %s: %w", path, zf.Name, err)
		}
		r := record{dataOff: uint64(off), csize: zf.CompressedSize64, usize: uint32(len(data)), crc: crc32.ChecksumIEEE(data), method: zf.Method}
		if err := add(v, r); err != nil {
			return fmt.Errorf("%s: %w", path, err)
		}
	}
	return nil
}

func buildJSON(ctx context.Context, u *unit, lim osv.LoadOptions, b *built, add func(*osv.Vuln, record) error) error {
	for i, path := range u.files {
		if err := ctx.Err(); err != nil {
			return err
		}
		data, err := readFileLimited(path, lim.MaxEntryBytes)
		if err != nil {
			return fmt.Errorf("%s: %w", path, err)
		}
		sf, err := fileKey(u.root, path, false)
		if err != nil {
			return err
		}
		sum := sha256.Sum256(data)
		sf.SHA256 = hex.EncodeToString(sum[:])
		b.hdr.Files = append(b.hdr.Files, sf)
		v, err := decode(data)
		if err != nil {
			return fmt.Errorf("%s: %w", path, err)
		}
		if err := add(v, record{csize: uint64(len(data)), usize: uint32(len(data)), crc: crc32.ChecksumIEEE(data), file: uint32(i)}); err != nil {
			return fmt.Errorf("%s: %w", path, err)
		}
	}
	return nil
}

// decode parses one record, as LoadDB does.
func decode(b []byte) (*osv.Vuln, error) {
	var v osv.Vuln
	if err := json.Unmarshal(b, &v); err != nil {
		return nil, fmt.Errorf("not an OSV record: %w", err)
	}
	if v.ID == "" {
		return nil, errors.New("not an OSV record: no id")
	}
	return &v, nil
}

// fileKey stats path (and hashes it when hash is set) for the index key.
func fileKey(root, path string, hash bool) (sourceFile, error) {
	st, err := os.Stat(path)
	if err != nil {
		return sourceFile{}, err
	}
	rel, err := filepath.Rel(root, path)
	if err != nil {
		rel = path
	}
	sf := sourceFile{Path: filepath.ToSlash(rel), Size: st.Size(), MTime: st.ModTime().UnixNano()}
	if hash {
		if sf.SHA256, err = hashFile(path); err != nil {
			return sourceFile{}, err
		}
	}
	return sf, nil
}

func hashFile(path string) (string, error) {
	f, err := os.Open(path)
	if err != nil {
		return "", err
	}
	defer f.Close()
	h := sha256.New()
	if _, err := io.Copy(h, f); err != nil {
		return "", fmt.Errorf("hash %s: %w", path, err)
	}
	return hex.EncodeToString(h.Sum(nil)), nil
}

// readLimited reads r whole, failing once it passes limit bytes.
func readLimited(r io.Reader, limit int64) ([]byte, error) {
	var buf bytes.Buffer
	n, err := io.Copy(&buf, io.LimitReader(r, limit+1))
	if err != nil {
		return nil, err
	}
	if n > limit {
		return nil, fmt.Errorf("%w: more than %d bytes", osv.ErrLimit, limit)
	}
	return buf.Bytes(), nil
}

func readFileLimited(path string, limit int64) ([]byte, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	return readLimited(f, limit)
}
