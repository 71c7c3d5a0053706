package index

import (
	"bytes"
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
	"hash/crc32"
	"hash/fnv"
	"io"
	"os"
	"sort"
	"sync"
)

// The index file, little-endian, written by hand because a scan reads only
// the few blocks it needs: a lookup costs what the packages cost, not what
// the database holds.
//
//	head:
//	  magic      8 bytes "TGOSVIX" + format version
//	  headerLen  u32, then the header as JSON (sources and their key)
//	  counts     u32 keys, records, refs, keyBytes, idBytes
//	  blocks     u32 count, then a CRC-32C per blockSize bytes of the body
//	  headCRC    u32 CRC-32C of the head before it
//	body, each section verified block by block when first read:
//	  keyHashes  keys × u64 FNV-1a of the key, ascending
//	  keys       keys × {u32 off, u32 len, u32 refStart, u32 refCount}, in hash order
//	  refs       refs × u32 record number (each key's records)
//	  idHashes   records × u64 FNV-1a of the id, ascending
//	  records    records × recordSize bytes (see record), in id-hash order
//	  key bytes  "<ecosystem>\x00<normalised name>" strings
//	  id bytes   record ids
const (
	magic      = "TGOSVIX\x02"
	keySize    = 16
	recordSize = 48
	blockSize  = 4096
	// maxIndexBytes bounds an index file; a larger one is treated as corrupt.
	maxIndexBytes = 1 << 32
	// maxHeadBytes bounds the head read before its checksum is known.
	maxHeadBytes = 64 << 20
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

func hash64(s string) uint64 {
	h := fnv.New64a()
	h.Write([]byte(s))
	return h.Sum64()
}

// built is an index under construction: records and the keys naming them.
type built struct {
	hdr     header
	records []record
	keys    map[string][]uint32 // key -> record numbers (before sorting)
}

// encode writes the index file bytes.
func (b *built) encode() ([]byte, error) {
	recOrder := make([]int, len(b.records))
	for i := range recOrder {
		recOrder[i] = i
	}
	idHash := make([]uint64, len(b.records))
	for i, r := range b.records {
		idHash[i] = hash64(r.id)
	}
	sort.SliceStable(recOrder, func(i, j int) bool {
		a, c := recOrder[i], recOrder[j]
		if idHash[a] != idHash[c] {
			return idHash[a] < idHash[c]
		}
		return b.records[a].id < b.records[c].id
	})
	renum := make([]uint32, len(b.records))
	for pos, old := range recOrder {
		renum[old] = uint32(pos)
	}
	keys := make([]string, 0, len(b.keys))
	for k := range b.keys {
		keys = append(keys, k)
	}
	keyHash := map[string]uint64{}
	for _, k := range keys {
		keyHash[k] = hash64(k)
	}
	sort.Slice(keys, func(i, j int) bool {
		if hi, hj := keyHash[keys[i]], keyHash[keys[j]]; hi != hj {
			return hi < hj
		}
		return keys[i] < keys[j]
	})

	var keyHashes, keyTab, refs, idHashes, recTab []byte
	var keyBlob, idBlob bytes.Buffer
	nRefs := 0
	for _, k := range keys {
		nums := b.keys[k]
		for i := range nums {
			nums[i] = renum[nums[i]]
		}
		sort.Slice(nums, func(i, j int) bool { return nums[i] < nums[j] })
		keyHashes = binary.LittleEndian.AppendUint64(keyHashes, keyHash[k])
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
	for _, old := range recOrder {
		r := b.records[old]
		idHashes = binary.LittleEndian.AppendUint64(idHashes, idHash[old])
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
	if keyBlob.Len() >= 1<<32 || idBlob.Len() >= 1<<32 {
		return nil, errors.New("index too large")
	}
	var body []byte
	for _, sec := range [][]byte{keyHashes, keyTab, refs, idHashes, recTab, keyBlob.Bytes(), idBlob.Bytes()} {
		body = append(body, sec...)
	}
	counts := []int{len(keys), len(b.records), nRefs, keyBlob.Len(), idBlob.Len()}
	return encodeHead(b.hdr, counts, body)
}

// encodeHead returns head + body for hdr, counts and body bytes.
func encodeHead(hdr header, counts []int, body []byte) ([]byte, error) {
	h, err := json.Marshal(hdr)
	if err != nil {
		return nil, err
	}
	out := append([]byte(nil), magic...)
	out = binary.LittleEndian.AppendUint32(out, uint32(len(h)))
	out = append(out, h...)
	for _, n := range counts {
		out = binary.LittleEndian.AppendUint32(out, uint32(n))
	}
	nBlocks := (len(body) + blockSize - 1) / blockSize
	out = binary.LittleEndian.AppendUint32(out, uint32(nBlocks))
	for i := range nBlocks {
		out = binary.LittleEndian.AppendUint32(out, crc32.Checksum(body[i*blockSize:min(len(body), (i+1)*blockSize)], castagnoli))
	}
	out = binary.LittleEndian.AppendUint32(out, crc32.Checksum(out, castagnoli))
	return append(out, body...), nil
}

// table is an open index: its head in memory, its body read and verified
// block by block on demand.
type table struct {
	hdr      header
	r        io.ReaderAt
	closer   io.Closer
	counts   [5]int
	headLen  int // bytes before the body
	bodyLen  int
	blockCRC []uint32
	// section offsets within the body
	keyHashOff, keyTabOff, refsOff, idHashOff, recTabOff, keyBlobOff, idBlobOff int

	// mapped is the whole file when it is memory-mapped: blocks are then
	// slices of it, verified once (checked[i]).
	mapped  []byte
	checked []bool

	mu       sync.Mutex
	blocks   map[int][]byte
	keyHash  []byte // the whole keyHashes section, read at open
	idHash   []byte // the whole idHashes section, read when first needed
	nKeys    int
	nRecs    int
	fileSize int64
}

// openTable opens the index at path, checking its head and its size; the
// key hashes are read (and verified) at once, the rest when needed.
func openTable(path string) (*table, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	st, err := f.Stat()
	if err != nil {
		f.Close()
		return nil, err
	}
	var r io.ReaderAt = f
	closeAll := f.Close
	mapped, unmap, ok := mapFile(f, st.Size())
	if ok {
		r = bytes.NewReader(mapped)
		closeAll = func() error { return errors.Join(unmap(), f.Close()) }
	}
	t, err := parseTable(r, st.Size(), mapped)
	if err != nil {
		closeAll()
		return nil, err
	}
	t.closer = closerFunc(closeAll)
	return t, nil
}

type closerFunc func() error

func (c closerFunc) Close() error { return c() }

// parseTable reads the head of an index of size bytes from r; mapped, when
// not nil, is the same bytes in memory.
func parseTable(r io.ReaderAt, size int64, mapped []byte) (*table, error) {
	if size < int64(len(magic))+4 || size > maxIndexBytes {
		return nil, fmt.Errorf("%w: size %d", errCorrupt, size)
	}
	pre := make([]byte, len(magic)+4)
	if _, err := r.ReadAt(pre, 0); err != nil {
		return nil, fmt.Errorf("%w: %v", errCorrupt, err)
	}
	if string(pre[:len(magic)]) != magic {
		return nil, fmt.Errorf("%w: no index header", errCorrupt)
	}
	hlen := int64(binary.LittleEndian.Uint32(pre[len(magic):]))
	fixed := int64(len(pre)) + hlen + 20 + 4
	if fixed+4 > size || fixed > maxHeadBytes {
		return nil, fmt.Errorf("%w: header length", errCorrupt)
	}
	head := make([]byte, fixed)
	if _, err := r.ReadAt(head, 0); err != nil {
		return nil, fmt.Errorf("%w: %v", errCorrupt, err)
	}
	nBlocks := int64(binary.LittleEndian.Uint32(head[fixed-4:]))
	headLen := fixed + nBlocks*4 + 4
	if headLen > size || headLen > maxHeadBytes {
		return nil, fmt.Errorf("%w: block table", errCorrupt)
	}
	full := make([]byte, headLen)
	if _, err := r.ReadAt(full, 0); err != nil {
		return nil, fmt.Errorf("%w: %v", errCorrupt, err)
	}
	if crc32.Checksum(full[:headLen-4], castagnoli) != binary.LittleEndian.Uint32(full[headLen-4:]) {
		return nil, fmt.Errorf("%w: head checksum mismatch", errCorrupt)
	}
	t := &table{r: r, headLen: int(headLen), bodyLen: int(size - headLen), blocks: map[int][]byte{}, fileSize: size}
	if int64(len(mapped)) == size {
		t.mapped = mapped
		t.checked = make([]bool, nBlocks)
	}
	if err := json.Unmarshal(full[len(pre):len(pre)+int(hlen)], &t.hdr); err != nil || t.hdr.Format != 2 {
		return nil, fmt.Errorf("%w: header: %v", errCorrupt, err)
	}
	p := len(pre) + int(hlen)
	for i := range t.counts {
		t.counts[i] = int(binary.LittleEndian.Uint32(full[p:]))
		p += 4
	}
	if int64(t.bodyLen) > nBlocks*blockSize || int64(t.bodyLen) <= (nBlocks-1)*blockSize && nBlocks > 0 {
		return nil, fmt.Errorf("%w: body is %d bytes for %d blocks", errCorrupt, t.bodyLen, nBlocks)
	}
	p += 4
	t.blockCRC = make([]uint32, nBlocks)
	for i := range t.blockCRC {
		t.blockCRC[i] = binary.LittleEndian.Uint32(full[p:])
		p += 4
	}
	t.nKeys, t.nRecs = t.counts[0], t.counts[1]
	sizes := []int{t.counts[0] * 8, t.counts[0] * keySize, t.counts[2] * 4, t.counts[1] * 8, t.counts[1] * recordSize, t.counts[3], t.counts[4]}
	offs := make([]int, len(sizes))
	total := 0
	for i, s := range sizes {
		if s < 0 || s > t.bodyLen {
			return nil, fmt.Errorf("%w: section size", errCorrupt)
		}
		offs[i] = total
		total += s
	}
	if total != t.bodyLen {
		return nil, fmt.Errorf("%w: sections do not fill the file", errCorrupt)
	}
	t.keyHashOff, t.keyTabOff, t.refsOff, t.idHashOff, t.recTabOff, t.keyBlobOff, t.idBlobOff = offs[0], offs[1], offs[2], offs[3], offs[4], offs[5], offs[6]
	var err error
	if t.keyHash, err = t.at(t.keyHashOff, sizes[0]); err != nil {
		return nil, err
	}
	return t, nil
}

// close releases the index file.
func (t *table) close() error {
	if t.closer != nil {
		return t.closer.Close()
	}
	return nil
}

// block returns body block i, read and checked against its CRC once.
func (t *table) block(i int) ([]byte, error) {
	if i < 0 || i >= len(t.blockCRC) {
		return nil, fmt.Errorf("%w: block %d", errCorrupt, i)
	}
	if t.mapped != nil {
		b := t.mapped[t.headLen+i*blockSize : t.headLen+min(t.bodyLen, (i+1)*blockSize)]
		if !t.checked[i] {
			if crc32.Checksum(b, castagnoli) != t.blockCRC[i] {
				return nil, fmt.Errorf("%w: block %d checksum mismatch", errCorrupt, i)
			}
			t.checked[i] = true
		}
		return b, nil
	}
	if b, ok := t.blocks[i]; ok {
		return b, nil
	}
	n := min(blockSize, t.bodyLen-i*blockSize)
	b := make([]byte, n)
	if _, err := t.r.ReadAt(b, int64(t.headLen+i*blockSize)); err != nil {
		return nil, fmt.Errorf("%w: block %d: %v", errCorrupt, i, err)
	}
	if crc32.Checksum(b, castagnoli) != t.blockCRC[i] {
		return nil, fmt.Errorf("%w: block %d checksum mismatch", errCorrupt, i)
	}
	t.blocks[i] = b
	return b, nil
}

// prefetch reads blocks first..last with one read and checks each (a
// section read whole, as the key hashes at open).
func (t *table) prefetch(first, last int) error {
	if first < 0 || last >= len(t.blockCRC) {
		return fmt.Errorf("%w: blocks %d-%d", errCorrupt, first, last)
	}
	if t.mapped != nil {
		return nil // block() checks mapped blocks in place
	}
	missing := false
	for i := first; i <= last && !missing; i++ {
		_, ok := t.blocks[i]
		missing = !ok
	}
	if !missing {
		return nil
	}
	end := min(t.bodyLen, (last+1)*blockSize)
	buf := make([]byte, end-first*blockSize)
	if _, err := t.r.ReadAt(buf, int64(t.headLen+first*blockSize)); err != nil {
		return fmt.Errorf("%w: blocks %d-%d: %v", errCorrupt, first, last, err)
	}
	for i := first; i <= last; i++ {
		b := buf[(i-first)*blockSize : min(len(buf), (i-first+1)*blockSize)]
		if crc32.Checksum(b, castagnoli) != t.blockCRC[i] {
			return fmt.Errorf("%w: block %d checksum mismatch", errCorrupt, i)
		}
		t.blocks[i] = b
	}
	return nil
}

// at returns n body bytes at off, verified.
func (t *table) at(off, n int) ([]byte, error) {
	if off < 0 || n < 0 || off+n > t.bodyLen {
		return nil, fmt.Errorf("%w: %d bytes at %d out of bounds", errCorrupt, n, off)
	}
	if n == 0 {
		return nil, nil
	}
	t.mu.Lock()
	defer t.mu.Unlock()
	first, last := off/blockSize, (off+n-1)/blockSize
	if last > first {
		if err := t.prefetch(first, last); err != nil {
			return nil, err
		}
	}
	if t.mapped != nil {
		for i := first; i <= last; i++ {
			if _, err := t.block(i); err != nil {
				return nil, err
			}
		}
		return t.mapped[t.headLen+off : t.headLen+off+n], nil
	}
	if first == last {
		b, err := t.block(first)
		if err != nil {
			return nil, err
		}
		return b[off-first*blockSize : off-first*blockSize+n], nil
	}
	out := make([]byte, 0, n)
	for i := first; i <= last; i++ {
		b, err := t.block(i)
		if err != nil {
			return nil, err
		}
		lo, hi := 0, len(b)
		if i == first {
			lo = off - first*blockSize
		}
		if i == last {
			hi = off + n - last*blockSize
		}
		out = append(out, b[lo:hi]...)
	}
	return out, nil
}

// verifyAll reads and checks every block (tests; db update's final check).
func (t *table) verifyAll() error {
	_, err := t.at(0, t.bodyLen)
	return err
}

// find returns the record numbers of key.
func (t *table) find(key string) ([]int, error) {
	h := hash64(key)
	i := sort.Search(t.nKeys, func(i int) bool { return binary.LittleEndian.Uint64(t.keyHash[i*8:]) >= h })
	var out []int
	for ; i < t.nKeys && binary.LittleEndian.Uint64(t.keyHash[i*8:]) == h; i++ {
		e, err := t.at(t.keyTabOff+i*keySize, keySize)
		if err != nil {
			return nil, err
		}
		off, ln := int(binary.LittleEndian.Uint32(e)), int(binary.LittleEndian.Uint32(e[4:]))
		if off+ln > t.counts[3] {
			return nil, fmt.Errorf("%w: key %d", errCorrupt, i)
		}
		k, err := t.at(t.keyBlobOff+off, ln)
		if err != nil {
			return nil, err
		}
		if string(k) != key {
			continue // a hash collision
		}
		start, count := int(binary.LittleEndian.Uint32(e[8:])), int(binary.LittleEndian.Uint32(e[12:]))
		if start+count > t.counts[2] {
			return nil, fmt.Errorf("%w: key %d references", errCorrupt, i)
		}
		refs, err := t.at(t.refsOff+start*4, count*4)
		if err != nil {
			return nil, err
		}
		for k := range count {
			n := int(binary.LittleEndian.Uint32(refs[k*4:]))
			if n >= t.nRecs {
				return nil, fmt.Errorf("%w: reference %d", errCorrupt, n)
			}
			out = append(out, n)
		}
	}
	return out, nil
}

// findID returns the record number of id, or -1.
func (t *table) findID(id string) (int, error) {
	t.mu.Lock()
	loaded := t.idHash != nil || t.nRecs == 0
	t.mu.Unlock()
	if !loaded {
		b, err := t.at(t.idHashOff, t.nRecs*8)
		if err != nil {
			return -1, err
		}
		t.mu.Lock()
		t.idHash = b
		t.mu.Unlock()
	}
	h := hash64(id)
	i := sort.Search(t.nRecs, func(i int) bool { return binary.LittleEndian.Uint64(t.idHash[i*8:]) >= h })
	for ; i < t.nRecs && binary.LittleEndian.Uint64(t.idHash[i*8:]) == h; i++ {
		r, err := t.record(i)
		if err != nil {
			return -1, err
		}
		if r.id == id {
			return i, nil
		}
	}
	return -1, nil
}

// record returns record i.
func (t *table) record(i int) (record, error) {
	if i < 0 || i >= t.nRecs {
		return record{}, fmt.Errorf("%w: record %d", errCorrupt, i)
	}
	e, err := t.at(t.recTabOff+i*recordSize, recordSize)
	if err != nil {
		return record{}, err
	}
	off, ln := int(binary.LittleEndian.Uint32(e)), int(binary.LittleEndian.Uint32(e[4:]))
	if off+ln > t.counts[4] {
		return record{}, fmt.Errorf("%w: record %d id", errCorrupt, i)
	}
	id, err := t.at(t.idBlobOff+off, ln)
	if err != nil {
		return record{}, err
	}
	return record{
		id:       string(id),
		modified: int64(binary.LittleEndian.Uint64(e[8:])),
		dataOff:  binary.LittleEndian.Uint64(e[16:]),
		csize:    binary.LittleEndian.Uint64(e[24:]),
		usize:    binary.LittleEndian.Uint32(e[32:]),
		crc:      binary.LittleEndian.Uint32(e[36:]),
		file:     binary.LittleEndian.Uint32(e[40:]),
		method:   binary.LittleEndian.Uint16(e[44:]),
		flags:    binary.LittleEndian.Uint16(e[46:]),
	}, nil
}

// withHeader returns the file bytes with hdr in place of the stored header
// (a source's new modification time after its hash was found unchanged).
func (t *table) withHeader(hdr header) ([]byte, error) {
	body, err := t.at(0, t.bodyLen)
	if err != nil {
		return nil, err
	}
	return encodeHead(hdr, t.counts[:], body)
}
