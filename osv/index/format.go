package index

import (
	"bytes"
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
	"hash/crc32"
	"sort"
)

// The index file, little-endian, written by hand because it is read on
// every scan without decoding: sections are sliced and binary-searched in
// place.
//
//	magic      8 bytes "TGOSVIX" + format version
//	headerLen  u32, then the header as JSON (sources and their key)
//	counts     u32 keys, u32 records, u32 refs, u32 keyBytes, u32 idBytes
//	keys       keys × {u32 off, u32 len, u32 refStart, u32 refCount}, sorted by key
//	refs       refs × u32 record number (each key's records, in id order)
//	records    records × recordSize bytes (see record), sorted by id
//	key bytes  "<ecosystem>\x00<normalised name>" strings
//	id bytes   record ids
//	crc        u32 CRC-32C of everything before it
const (
	magic      = "TGOSVIX\x01"
	keySize    = 16
	recordSize = 48
	// maxIndexBytes bounds an index file read back; a larger one is treated
	// as corrupt and rebuilt in memory.
	maxIndexBytes = 1 << 30
)

var castagnoli = crc32.MakeTable(crc32.Castagnoli)

// errCorrupt marks an index that fails its own checks: it is rebuilt.
var errCorrupt = errors.New("corrupt index")

// header is the index's JSON header: what it was built from.
type header struct {
	Format int `json:"format"`
	// Kind is "zip" (one export) or "json" (the loose records of a tree).
	Kind       string       `json:"kind"`
	Files      []sourceFile `json:"files"`
	Ecosystems []string     `json:"ecosystems"`
	Records    int          `json:"records"`
	Withdrawn  int          `json:"withdrawn"`
}

// sourceFile is one file the index was built from, with its key.
type sourceFile struct {
	// Path is relative to the database root, with forward slashes.
	Path   string `json:"path"`
	Size   int64  `json:"size"`
	MTime  int64  `json:"mtime_ns"`
	SHA256 string `json:"sha256"`
}

// record is where one record's bytes are and what they are.
type record struct {
	id       string
	modified int64 // unix nanoseconds of "modified", 0 when unparsable
	dataOff  uint64
	csize    uint64 // compressed size (zip), or the size
	usize    uint32
	crc      uint32 // CRC-32 (IEEE) of the record bytes, as zip stores it
	file     uint32 // index into header.Files
	method   uint16 // zip method: 0 store, 8 deflate
	flags    uint16
}

const flagWithdrawn = 1

// built is an index under construction: records and the keys naming them.
type built struct {
	hdr     header
	records []record
	keys    map[string][]uint32 // key -> record numbers (before sorting)
}

// encode writes the index file bytes.
func (b *built) encode() ([]byte, error) {
	// Records by id; keys' record numbers renumbered to match.
	order := make([]int, len(b.records))
	for i := range order {
		order[i] = i
	}
	sort.SliceStable(order, func(i, j int) bool { return b.records[order[i]].id < b.records[order[j]].id })
	renum := make([]uint32, len(b.records))
	for newPos, old := range order {
		renum[old] = uint32(newPos)
	}
	keys := make([]string, 0, len(b.keys))
	for k := range b.keys {
		keys = append(keys, k)
	}
	sort.Strings(keys)

	hdr, err := json.Marshal(b.hdr)
	if err != nil {
		return nil, err
	}
	var keyBlob, idBlob bytes.Buffer
	keyTab := make([]byte, 0, len(keys)*keySize)
	var refs []byte
	nRefs := 0
	for _, k := range keys {
		nums := b.keys[k]
		for i := range nums {
			nums[i] = renum[nums[i]]
		}
		sort.Slice(nums, func(i, j int) bool { return nums[i] < nums[j] })
		keyTab = binary.LittleEndian.AppendUint32(keyTab, uint32(keyBlob.Len()))
		keyTab = binary.LittleEndian.AppendUint32(keyTab, uint32(len(k)))
		keyTab = binary.LittleEndian.AppendUint32(keyTab, uint32(nRefs))
		keyTab = binary.LittleEndian.AppendUint32(keyTab, uint32(len(nums)))
		keyBlob.WriteString(k)
		for _, n := range nums {
			refs = binary.LittleEndian.AppendUint32(refs, n)
		}
		nRefs += len(nums)
	}
	recTab := make([]byte, 0, len(b.records)*recordSize)
	for _, old := range order {
		r := b.records[old]
		recTab = binary.LittleEndian.AppendUint32(recTab, uint32(idBlob.Len()))
		recTab = binary.LittleEndian.AppendUint32(recTab, uint32(len(r.id)))
		recTab = binary.LittleEndian.AppendUint64(recTab, uint64(r.modified))
		recTab = binary.LittleEndian.AppendUint64(recTab, r.dataOff)
		recTab = binary.LittleEndian.AppendUint64(recTab, r.csize)
		recTab = binary.LittleEndian.AppendUint32(recTab, r.usize)
		recTab = binary.LittleEndian.AppendUint32(recTab, r.crc)
		recTab = binary.LittleEndian.AppendUint32(recTab, r.file)
		recTab = binary.LittleEndian.AppendUint16(recTab, r.method)
		recTab = binary.LittleEndian.AppendUint16(recTab, r.flags)
		idBlob.WriteString(r.id)
	}
	if keyBlob.Len() > 1<<31 || idBlob.Len() > 1<<31 {
		return nil, fmt.Errorf("index too large")
	}
	out := make([]byte, 0, len(magic)+4+len(hdr)+20+len(keyTab)+len(refs)+len(recTab)+keyBlob.Len()+idBlob.Len()+4)
	out = append(out, magic...)
	out = binary.LittleEndian.AppendUint32(out, uint32(len(hdr)))
	out = append(out, hdr...)
	for _, n := range []int{len(keys), len(b.records), nRefs, keyBlob.Len(), idBlob.Len()} {
		out = binary.LittleEndian.AppendUint32(out, uint32(n))
	}
	out = append(out, keyTab...)
	out = append(out, refs...)
	out = append(out, recTab...)
	out = append(out, keyBlob.Bytes()...)
	out = append(out, idBlob.Bytes()...)
	out = binary.LittleEndian.AppendUint32(out, crc32.Checksum(out, castagnoli))
	return out, nil
}

// table is a decoded index: the file's bytes, sliced.
type table struct {
	hdr     header
	raw     []byte // the whole file (kept for rewriting the header)
	body    []byte // from the counts to before the crc
	keyTab  []byte
	refs    []byte
	recTab  []byte
	keyBlob []byte
	idBlob  []byte
	nKeys   int
	nRecs   int
}

// parse checks an index file's bytes (magic, checksum, every offset in
// bounds, keys and ids sorted) and slices them. It never panics on bad bytes.
func parse(b []byte) (*table, error) {
	if len(b) < len(magic)+4+20+4 || string(b[:len(magic)]) != magic {
		return nil, fmt.Errorf("%w: no index header", errCorrupt)
	}
	if len(b) > maxIndexBytes {
		return nil, fmt.Errorf("%w: larger than %d bytes", errCorrupt, maxIndexBytes)
	}
	end := len(b) - 4
	if crc32.Checksum(b[:end], castagnoli) != binary.LittleEndian.Uint32(b[end:]) {
		return nil, fmt.Errorf("%w: checksum mismatch", errCorrupt)
	}
	p := len(magic)
	hlen := int(binary.LittleEndian.Uint32(b[p:]))
	p += 4
	if hlen > end-p-20 {
		return nil, fmt.Errorf("%w: header length", errCorrupt)
	}
	t := &table{raw: b}
	if err := json.Unmarshal(b[p:p+hlen], &t.hdr); err != nil || t.hdr.Format != 1 {
		return nil, fmt.Errorf("%w: header: %v", errCorrupt, err)
	}
	p += hlen
	t.body = b[p:end]
	var n [5]int
	for i := range n {
		n[i] = int(binary.LittleEndian.Uint32(b[p:]))
		p += 4
	}
	t.nKeys, t.nRecs = n[0], n[1]
	sizes := []int{n[0] * keySize, n[2] * 4, n[1] * recordSize, n[3], n[4]}
	total := 0
	for _, s := range sizes {
		if s < 0 || s > end {
			return nil, fmt.Errorf("%w: section size", errCorrupt)
		}
		total += s
	}
	if total != end-p {
		return nil, fmt.Errorf("%w: sections do not fill the file", errCorrupt)
	}
	sections := make([][]byte, len(sizes))
	for i, s := range sizes {
		sections[i] = b[p : p+s]
		p += s
	}
	t.keyTab, t.refs, t.recTab, t.keyBlob, t.idBlob = sections[0], sections[1], sections[2], sections[3], sections[4]
	// The CRC-32C above proves the bytes are the ones the builder wrote
	// (keys and ids sorted, every offset in bounds); walking 250,000
	// entries again on every scan would cost more than the lookup. The
	// accessors below still check every offset they follow, so that even
	// a forged index with a valid checksum cannot make them panic.
	return t, nil
}

func (t *table) key(i int) []byte {
	e := t.keyTab[i*keySize:]
	off, ln := uint64(binary.LittleEndian.Uint32(e)), uint64(binary.LittleEndian.Uint32(e[4:]))
	if off+ln > uint64(len(t.keyBlob)) {
		return nil
	}
	return t.keyBlob[off : off+ln]
}

// find returns the record numbers of key, in id order.
func (t *table) find(key string) []int {
	i := sort.Search(t.nKeys, func(i int) bool { return string(t.key(i)) >= key })
	if i >= t.nKeys || string(t.key(i)) != key {
		return nil
	}
	e := t.keyTab[i*keySize:]
	start, count := uint64(binary.LittleEndian.Uint32(e[8:])), uint64(binary.LittleEndian.Uint32(e[12:]))
	if (start+count)*4 > uint64(len(t.refs)) {
		return nil
	}
	out := make([]int, 0, count)
	for k := start; k < start+count; k++ {
		if n := int(binary.LittleEndian.Uint32(t.refs[k*4:])); n < t.nRecs {
			out = append(out, n)
		}
	}
	return out
}

func (t *table) idBytes(i int) []byte {
	e := t.recTab[i*recordSize:]
	off, ln := uint64(binary.LittleEndian.Uint32(e)), uint64(binary.LittleEndian.Uint32(e[4:]))
	if off+ln > uint64(len(t.idBlob)) {
		return nil
	}
	return t.idBlob[off : off+ln]
}

func (t *table) id(i int) string { return string(t.idBytes(i)) }

// findID returns the record number of id, or -1.
func (t *table) findID(id string) int {
	i := sort.Search(t.nRecs, func(i int) bool { return string(t.idBytes(i)) >= id })
	if i < t.nRecs && string(t.idBytes(i)) == id {
		return i
	}
	return -1
}

func (t *table) record(i int) record {
	e := t.recTab[i*recordSize:]
	return record{
		id:       t.id(i),
		modified: int64(binary.LittleEndian.Uint64(e[8:])),
		dataOff:  binary.LittleEndian.Uint64(e[16:]),
		csize:    binary.LittleEndian.Uint64(e[24:]),
		usize:    binary.LittleEndian.Uint32(e[32:]),
		crc:      binary.LittleEndian.Uint32(e[36:]),
		file:     binary.LittleEndian.Uint32(e[40:]), // checked against the files by read
		method:   binary.LittleEndian.Uint16(e[44:]),
		flags:    binary.LittleEndian.Uint16(e[46:]),
	}
}

// withHeader returns the file bytes with hdr in place of the stored header
// (a source's new modification time after its hash was found unchanged).
func (t *table) withHeader(hdr header) ([]byte, error) {
	h, err := json.Marshal(hdr)
	if err != nil {
		return nil, err
	}
	out := make([]byte, 0, len(magic)+4+len(h)+len(t.body)+4)
	out = append(out, magic...)
	out = binary.LittleEndian.AppendUint32(out, uint32(len(h)))
	out = append(out, h...)
	out = append(out, t.body...)
	out = binary.LittleEndian.AppendUint32(out, crc32.Checksum(out, castagnoli))
	return out, nil
}
