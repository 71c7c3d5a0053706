package content

import (
	"bytes"
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"path"
	"strings"
)

// Kinds of binary artifact, by what the file's first bytes say (never by
// its name alone: a renamed executable is still one).
const (
	kindELF     = "ELF executable or library"
	kindPE      = "Windows executable or DLL (PE)"
	kindMachO   = "Mach-O executable or library"
	kindWasm    = "WebAssembly module"
	kindJava    = "Java class file"
	kindArchive = "archive"
)

// sniffLen is how much of a file is read to recognise it.
const sniffLen = 4096

// artifact is what a file turned out to be.
type artifact struct {
	kind       string
	detail     string // "zip (jar)", "gzip"…
	executable bool   // machine code a process can run
}

// sniff recognises binary artifacts by their magic numbers.
func sniff(name string, head []byte) (artifact, bool) {
	ext := strings.ToLower(path.Ext(name))
	switch {
	case bytes.HasPrefix(head, []byte("\x7fELF")):
		return artifact{kind: kindELF, executable: true}, true
	case bytes.HasPrefix(head, []byte("MZ")) && isPE(head):
		return artifact{kind: kindPE, executable: true}, true
	case isMachO(head):
		return artifact{kind: kindMachO, executable: true}, true
	case bytes.HasPrefix(head, []byte("\x00asm")):
		return artifact{kind: kindWasm, executable: true}, true
	case bytes.HasPrefix(head, []byte{0xca, 0xfe, 0xba, 0xbe}) && len(head) >= 8 && binary.BigEndian.Uint16(head[6:8]) >= 45:
		return artifact{kind: kindJava}, true
	case bytes.HasPrefix(head, []byte("PK\x03\x04")), bytes.HasPrefix(head, []byte("PK\x05\x06")):
		sub := map[string]string{".jar": "jar", ".war": "war", ".whl": "Python wheel", ".nupkg": "NuGet package", ".apk": "Android package", ".aar": "Android archive", ".vsix": "VS Code extension", ".crx": "Chrome extension"}[ext]
		// Office documents and similar zip containers are documents, not
		// artifacts a build runs.
		if sub == "" && map[string]bool{".docx": true, ".xlsx": true, ".pptx": true, ".odt": true, ".ods": true, ".odp": true, ".epub": true}[ext] {
			return artifact{}, false
		}
		return artifact{kind: kindArchive, detail: joinDetail("zip", sub)}, true
	case bytes.HasPrefix(head, []byte{0x1f, 0x8b}):
		return artifact{kind: kindArchive, detail: "gzip"}, true
	case bytes.HasPrefix(head, []byte("BZh")) && len(head) > 3 && head[3] >= '1' && head[3] <= '9':
		return artifact{kind: kindArchive, detail: "bzip2"}, true
	case bytes.HasPrefix(head, []byte("\xfd7zXZ\x00")):
		return artifact{kind: kindArchive, detail: "xz"}, true
	case bytes.HasPrefix(head, []byte{0x28, 0xb5, 0x2f, 0xfd}):
		return artifact{kind: kindArchive, detail: "zstd"}, true
	case bytes.HasPrefix(head, []byte("7z\xbc\xaf\x27\x1c")):
		return artifact{kind: kindArchive, detail: "7z"}, true
	case bytes.HasPrefix(head, []byte("Rar!\x1a\x07")):
		return artifact{kind: kindArchive, detail: "rar"}, true
	case len(head) > 262 && string(head[257:262]) == "ustar":
		return artifact{kind: kindArchive, detail: "tar"}, true
	}
	return artifact{}, false
}

func joinDetail(a, b string) string {
	if b == "" {
		return a
	}
	return a + " (" + b + ")"
}

// isPE checks the PE signature that an MZ header points to.
func isPE(head []byte) bool {
	if len(head) < 0x40 {
		return false
	}
	off := int(binary.LittleEndian.Uint32(head[0x3c:0x40]))
	return off > 0 && off+4 <= len(head) && string(head[off:off+4]) == "PE\x00\x00"
}

// isMachO recognises thin Mach-O files of either byte order and fat
// (universal) binaries; a fat header shares Java's 0xcafebabe magic and is
// told apart by its small architecture count.
func isMachO(head []byte) bool {
	if len(head) < 8 {
		return false
	}
	switch binary.BigEndian.Uint32(head[:4]) {
	case 0xfeedface, 0xfeedfacf, 0xcefaedfe, 0xcffaedfe:
		return true
	case 0xcafebabe:
		n := binary.BigEndian.Uint32(head[4:8])
		return n > 0 && n < 20
	}
	return false
}

// fixturePath reports whether a path is a test fixture, where binaries are
// expected (testdata/, fixtures/, test and spec directories).
func fixturePath(p string) bool {
	for _, part := range strings.Split(strings.ToLower(p), "/") {
		switch part {
		case "testdata", "test", "tests", "__tests__", "spec", "fixtures", "fixture", "__fixtures__", "test-fixtures", "test_data", "testfiles":
			return true
		}
	}
	return false
}

// examine reads one file of fsys: what it is (ok=false for no binary
// artifact), its size and its SHA-256, hashing it whole without holding it.
//
// Symbolic links, directories and paths the head tree does not hold as a
// file (a submodule pointer) are not artifacts.
func examine(fsys fs.FS, name string) (a artifact, size int64, sum string, ok bool, err error) {
	if st, err := fs.Lstat(fsys, name); err == nil && !st.Mode().IsRegular() {
		return a, 0, "", false, nil
	}
	f, err := fsys.Open(name)
	if errors.Is(err, fs.ErrNotExist) {
		return a, 0, "", false, nil
	}
	if err != nil {
		return a, 0, "", false, err
	}
	defer f.Close()
	if st, err := f.Stat(); err == nil && !st.Mode().IsRegular() {
		return a, 0, "", false, nil
	}
	head := make([]byte, sniffLen)
	n, err := io.ReadFull(f, head)
	if err != nil && err != io.ErrUnexpectedEOF && err != io.EOF {
		return a, 0, "", false, fmt.Errorf("read %s: %w", name, err)
	}
	head = head[:n]
	if a, ok = sniff(name, head); !ok {
		return a, 0, "", false, nil
	}
	h := sha256.New()
	h.Write(head)
	rest, err := io.Copy(h, f)
	if err != nil {
		return a, 0, "", false, fmt.Errorf("read %s: %w", name, err)
	}
	return a, int64(n) + rest, hex.EncodeToString(h.Sum(nil)), true, nil
}
