// Package archive reads package artifacts (npm and crate tarballs, wheels,
// sdists, gems, nupkgs, jars, Go module zips) into memory for static
// analysis, safely: nothing is written to disk, paths that climb out of the
// archive or are absolute are recorded and never extracted, symbolic and
// hard links are recorded and never followed, and explicit limits on total
// size, file size, file count and compression ratio stop decompression
// bombs. A truncated or corrupt archive is an error, never a partial read
// passed off as whole.
//
// Written on archive/tar, archive/zip and compress/gzip from the standard
// library: the safety rules are the point, and no library adds them.
package archive

import (
	"archive/tar"
	"archive/zip"
	"bytes"
	"compress/gzip"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"path"
	"sort"
	"strings"
)

// Default limits.
const (
	DefaultMaxTotal = 256 << 20 // bytes of all files, decompressed
	DefaultMaxFile  = 64 << 20  // bytes of one file
	DefaultMaxFiles = 20000     // entries
	DefaultMaxRatio = 200       // decompressed bytes per compressed byte
	// ratioFloor is the decompressed size below which the ratio is not
	// judged (a 100 KB file of zeros is not a bomb).
	ratioFloor = 1 << 20
)

// ErrLimit is wrapped when an archive exceeds a limit: too large, too many
// files, or a compression ratio of a decompression bomb.
var ErrLimit = errors.New("archive limit exceeded")

// ErrCorrupt is wrapped when an archive is truncated or malformed.
var ErrCorrupt = errors.New("corrupt or truncated archive")

// Limits bound one read. Zero fields mean the defaults.
type Limits struct {
	MaxTotal int64
	MaxFile  int64
	MaxFiles int
	MaxRatio int64
}

func (l Limits) withDefaults() Limits {
	if l.MaxTotal <= 0 {
		l.MaxTotal = DefaultMaxTotal
	}
	if l.MaxFile <= 0 {
		l.MaxFile = DefaultMaxFile
	}
	if l.MaxFiles <= 0 {
		l.MaxFiles = DefaultMaxFiles
	}
	if l.MaxRatio <= 0 {
		l.MaxRatio = DefaultMaxRatio
	}
	return l
}

// File is one regular file of an archive.
type File struct {
	// Name is the cleaned slash path inside the archive.
	Name string
	// Executable is set when the entry's mode has an execute bit.
	Executable bool
	Data       []byte
}

// Entry is an entry that was not extracted: a link (never followed) or an
// unsafe path (never written).
type Entry struct {
	Name   string
	Reason string // "symbolic link to …", "hard link to …", "path outside the archive", "absolute path", "device or FIFO"
}

// Archive is what was read.
type Archive struct {
	// Format is "tar", "tar.gz", "zip" or "gem".
	Format string
	// Files are the regular files, sorted by Name.
	Files []File
	// Skipped are the entries not extracted, with why.
	Skipped []Entry
	// Size is the total decompressed size of Files.
	Size int64
}

// Lookup returns the file named name, or nil.
func (a *Archive) Lookup(name string) *File {
	i := sort.Search(len(a.Files), func(i int) bool { return a.Files[i].Name >= name })
	if i < len(a.Files) && a.Files[i].Name == name {
		return &a.Files[i]
	}
	return nil
}

// Read reads an archive of any supported format, told by its first bytes:
// zip (wheels, nupkgs, jars, Go module zips), gzip-compressed tar (npm,
// crates, sdists) or plain tar (gems: see ReadGem).
func Read(data []byte, lim Limits) (*Archive, error) {
	lim = lim.withDefaults()
	switch {
	case bytes.HasPrefix(data, []byte("PK\x03\x04")), bytes.HasPrefix(data, []byte("PK\x05\x06")):
		return readZip(data, lim)
	case bytes.HasPrefix(data, []byte{0x1f, 0x8b}):
		zr, err := gzip.NewReader(bytes.NewReader(data))
		if err != nil {
			return nil, fmt.Errorf("%w: gzip: %v", ErrCorrupt, err)
		}
		zr.Multistream(false)
		a, err := readTar(&ratioReader{r: zr, compressed: int64(len(data)), lim: lim}, lim)
		if a != nil {
			a.Format = "tar.gz"
		}
		return a, err
	case len(data) > 262 && string(data[257:262]) == "ustar":
		return readTar(bytes.NewReader(data), lim)
	}
	return nil, fmt.Errorf("%w: not a zip, tar or gzip archive", ErrCorrupt)
}

// ratioReader fails once the bytes decompressed exceed the limits: the
// whole-archive ratio, and MaxTotal plus tar's headers.
type ratioReader struct {
	r          io.Reader
	compressed int64
	read       int64
	lim        Limits
}

func (r *ratioReader) Read(p []byte) (int, error) {
	n, err := r.r.Read(p)
	r.read += int64(n)
	if r.read > ratioFloor && r.read > r.lim.MaxRatio*max(r.compressed, 1) {
		return n, fmt.Errorf("%w: decompresses to more than %d times its %d compressed bytes (a decompression bomb)", ErrLimit, r.lim.MaxRatio, r.compressed)
	}
	if r.read > r.lim.MaxTotal+r.lim.MaxTotal/8+(1<<20) {
		return n, fmt.Errorf("%w: more than %d bytes decompressed", ErrLimit, r.lim.MaxTotal)
	}
	return n, err
}

// safeName cleans an entry name, or says why it is unsafe.
func safeName(name string) (string, string) {
	n := strings.ReplaceAll(name, "\\", "/")
	switch {
	case strings.HasPrefix(n, "/") || (len(n) > 1 && n[1] == ':'):
		return "", "absolute path"
	case strings.ContainsRune(n, 0):
		return "", "NUL in name"
	}
	c := path.Clean(n)
	if c == ".." || strings.HasPrefix(c, "../") {
		return "", "path outside the archive"
	}
	for _, part := range strings.Split(n, "/") {
		if part == ".." {
			return "", "path outside the archive"
		}
	}
	if c == "." {
		return "", "empty name"
	}
	return c, ""
}

type builder struct {
	a     *Archive
	lim   Limits
	seen  map[string]bool
	count int
}

// entry counts an entry against MaxFiles.
func (b *builder) entry() error {
	b.count++
	if b.count > b.lim.MaxFiles {
		return fmt.Errorf("%w: more than %d entries", ErrLimit, b.lim.MaxFiles)
	}
	return nil
}

// add reads one regular file, at most MaxFile bytes and within MaxTotal.
func (b *builder) add(name string, exec bool, r io.Reader) error {
	data, err := io.ReadAll(io.LimitReader(r, b.lim.MaxFile+1))
	if err != nil {
		if errors.Is(err, ErrLimit) {
			return err
		}
		return fmt.Errorf("%w: %s: %v", ErrCorrupt, name, err)
	}
	if int64(len(data)) > b.lim.MaxFile {
		return fmt.Errorf("%w: %s is larger than %d bytes", ErrLimit, name, b.lim.MaxFile)
	}
	b.a.Size += int64(len(data))
	if b.a.Size > b.lim.MaxTotal {
		return fmt.Errorf("%w: more than %d bytes of files", ErrLimit, b.lim.MaxTotal)
	}
	if b.seen[name] {
		// A second entry of one name: tar extractors write the last one.
		for i := range b.a.Files {
			if b.a.Files[i].Name == name {
				b.a.Files[i] = File{Name: name, Executable: exec, Data: data}
			}
		}
		return nil
	}
	b.seen[name] = true
	b.a.Files = append(b.a.Files, File{Name: name, Executable: exec, Data: data})
	return nil
}

func (b *builder) done() *Archive {
	sort.Slice(b.a.Files, func(i, j int) bool { return b.a.Files[i].Name < b.a.Files[j].Name })
	return b.a
}

func readTar(r io.Reader, lim Limits) (*Archive, error) {
	b := &builder{a: &Archive{Format: "tar"}, lim: lim, seen: map[string]bool{}}
	tr := tar.NewReader(r)
	for {
		h, err := tr.Next()
		if err == io.EOF {
			break
		}
		if err != nil {
			if errors.Is(err, ErrLimit) {
				return b.done(), err
			}
			return b.done(), fmt.Errorf("%w: tar: %v", ErrCorrupt, err)
		}
		if err := b.entry(); err != nil {
			return b.done(), err
		}
		name, why := safeName(h.Name)
		switch {
		case h.Typeflag == tar.TypeXGlobalHeader || h.Typeflag == tar.TypeDir:
			continue
		case why != "":
			b.a.Skipped = append(b.a.Skipped, Entry{Name: h.Name, Reason: why})
			continue
		}
		switch h.Typeflag {
		case tar.TypeReg, tar.TypeGNUSparse: // archive/tar reports the old "\x00" type as TypeReg
			if err := b.add(name, h.Mode&0o111 != 0, tr); err != nil {
				return b.done(), err
			}
		case tar.TypeSymlink:
			b.a.Skipped = append(b.a.Skipped, Entry{Name: name, Reason: "symbolic link to " + h.Linkname})
		case tar.TypeLink:
			b.a.Skipped = append(b.a.Skipped, Entry{Name: name, Reason: "hard link to " + h.Linkname})
		default:
			b.a.Skipped = append(b.a.Skipped, Entry{Name: name, Reason: "device or FIFO"})
		}
	}
	return b.done(), nil
}

func readZip(data []byte, lim Limits) (*Archive, error) {
	zr, err := zip.NewReader(bytes.NewReader(data), int64(len(data)))
	if err != nil {
		return nil, fmt.Errorf("%w: zip: %v", ErrCorrupt, err)
	}
	b := &builder{a: &Archive{Format: "zip"}, lim: lim, seen: map[string]bool{}}
	var declared int64
	for _, f := range zr.File {
		if err := b.entry(); err != nil {
			return b.done(), err
		}
		name, why := safeName(f.Name)
		mode := f.Mode()
		switch {
		case mode.IsDir() || strings.HasSuffix(f.Name, "/"):
			continue
		case why != "":
			b.a.Skipped = append(b.a.Skipped, Entry{Name: f.Name, Reason: why})
			continue
		case mode.Type() != 0:
			reason := "device or FIFO"
			if mode&fs.ModeSymlink != 0 {
				reason = "symbolic link"
			}
			b.a.Skipped = append(b.a.Skipped, Entry{Name: name, Reason: reason})
			continue
		}
		// The declared sizes may lie; the ratio is judged on what is read.
		declared += int64(f.CompressedSize64)
		rc, err := f.Open()
		if err != nil {
			return b.done(), fmt.Errorf("%w: zip entry %s: %v", ErrCorrupt, name, err)
		}
		rr := &ratioReader{r: rc, compressed: int64(f.CompressedSize64), lim: lim}
		err = b.add(name, mode&0o111 != 0, rr)
		rc.Close()
		if err != nil {
			return b.done(), err
		}
	}
	if b.a.Size > ratioFloor && b.a.Size > lim.MaxRatio*max(int64(len(data)), 1) {
		return b.done(), fmt.Errorf("%w: decompresses to more than %d times its %d bytes (a decompression bomb)", ErrLimit, lim.MaxRatio, len(data))
	}
	return b.done(), nil
}

// ReadGem reads a RubyGems .gem: a plain tar whose data.tar.gz holds the
// gem's files (returned) and whose metadata.gz holds the gemspec (returned
// as the file "metadata" when present). The limits hold across the
// nesting, not per layer: the inner archive and the gemspec get what the
// outer tar left of MaxTotal and MaxFiles, and each is judged by the
// compression ratio of its own compressed bytes. The outer tar's entries
// other than data.tar.gz, metadata.gz and checksums.yaml.gz are not the
// gem's files and are dropped; its unsafe entries are recorded.
func ReadGem(data []byte, lim Limits) (*Archive, error) {
	lim = lim.withDefaults()
	outer, err := Read(data, lim)
	if err != nil {
		return nil, fmt.Errorf("gem: %w", err)
	}
	inner := outer.Lookup("data.tar.gz")
	if inner == nil {
		return nil, fmt.Errorf("gem: %w: no data.tar.gz", ErrCorrupt)
	}
	if !bytes.HasPrefix(inner.Data, []byte{0x1f, 0x8b}) {
		return nil, fmt.Errorf("gem: %w: data.tar.gz is not gzip", ErrCorrupt)
	}
	rest := lim
	rest.MaxTotal = lim.MaxTotal - outer.Size
	rest.MaxFiles = lim.MaxFiles - len(outer.Files) - len(outer.Skipped)
	if rest.MaxTotal <= 0 || rest.MaxFiles <= 0 {
		return nil, fmt.Errorf("gem: %w: the outer tar uses up the limits", ErrLimit)
	}
	a, err := Read(inner.Data, rest)
	if err != nil {
		return nil, fmt.Errorf("gem data.tar.gz: %w", err)
	}
	if m := outer.Lookup("metadata.gz"); m != nil && a.Lookup("metadata") == nil {
		left := rest.MaxTotal - a.Size
		if len(a.Files)+len(a.Skipped) >= rest.MaxFiles {
			return nil, fmt.Errorf("gem metadata.gz: %w: more than %d entries", ErrLimit, lim.MaxFiles)
		}
		meta, err := gunzip(m.Data, Limits{MaxTotal: left, MaxFile: min(lim.MaxFile, left), MaxFiles: 1, MaxRatio: lim.MaxRatio})
		if err != nil {
			return nil, fmt.Errorf("gem metadata.gz: %w", err)
		}
		a.Files = append(a.Files, File{Name: "metadata", Data: meta})
		a.Size += int64(len(meta))
		sort.Slice(a.Files, func(i, j int) bool { return a.Files[i].Name < a.Files[j].Name })
	}
	a.Format = "gem"
	a.Skipped = append(outer.Skipped, a.Skipped...)
	return a, nil
}

// gunzip decompresses one gzip member within lim's MaxFile and ratio.
func gunzip(data []byte, lim Limits) ([]byte, error) {
	zr, err := gzip.NewReader(bytes.NewReader(data))
	if err != nil {
		return nil, fmt.Errorf("%w: gzip: %v", ErrCorrupt, err)
	}
	zr.Multistream(false)
	out, err := io.ReadAll(io.LimitReader(&ratioReader{r: zr, compressed: int64(len(data)), lim: lim}, lim.MaxFile+1))
	switch {
	case errors.Is(err, ErrLimit):
		return nil, err
	case err != nil:
		return nil, fmt.Errorf("%w: gzip: %v", ErrCorrupt, err)
	case int64(len(out)) > lim.MaxFile:
		return nil, fmt.Errorf("%w: more than %d bytes decompressed", ErrLimit, lim.MaxFile)
	}
	return out, nil
}
