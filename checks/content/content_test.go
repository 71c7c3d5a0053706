package content

import (
	"archive/tar"
	"archive/zip"
	"bytes"
	"compress/gzip"
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"testing/fstest"

	"github.com/tollgate-dev/tollgate/diff"
	"github.com/tollgate-dev/tollgate/scanner"
)

func elf() []byte {
	b := make([]byte, 64)
	copy(b, "\x7fELF\x02\x01\x01")
	return b
}

func pe() []byte {
	b := make([]byte, 256)
	copy(b, "MZ")
	binary.LittleEndian.PutUint32(b[0x3c:], 0x80)
	copy(b[0x80:], "PE\x00\x00")
	return b
}

func machO(magic uint32, second uint32) []byte {
	b := make([]byte, 32)
	binary.BigEndian.PutUint32(b, magic)
	binary.BigEndian.PutUint32(b[4:], second)
	return b
}

func zipOf(t *testing.T, name string) []byte {
	var buf bytes.Buffer
	zw := zip.NewWriter(&buf)
	w, err := zw.Create(name)
	if err != nil {
		t.Fatal(err)
	}
	fmt.Fprint(w, "content")
	zw.Close()
	return buf.Bytes()
}

func tarOf(t *testing.T) []byte {
	var buf bytes.Buffer
	tw := tar.NewWriter(&buf)
	tw.WriteHeader(&tar.Header{Name: "a.txt", Mode: 0o644, Size: 2})
	tw.Write([]byte("hi"))
	tw.Close()
	return buf.Bytes()
}

func gz(data []byte) []byte {
	var buf bytes.Buffer
	zw := gzip.NewWriter(&buf)
	zw.Write(data)
	zw.Close()
	return buf.Bytes()
}

// One true and one false case per kind of artifact, judged by content.
func TestSniff(t *testing.T) {
	tests := []struct {
		name string
		data []byte
		want string // kind and detail, "" for none
		exec bool
	}{
		{"bin/tool", elf(), kindELF, true},
		{"lib/native.node", elf(), kindELF, true},
		{"setup.exe", pe(), kindPE, true},
		{"README.md", []byte("MZ is the signature of DOS executables, as this text explains at length, with enough bytes to look at.\n"), "", false},
		{"tool", machO(0xcffaedfe, 0), kindMachO, true},
		{"universal", machO(0xcafebabe, 2), kindMachO, true},
		{"Main.class", machO(0xcafebabe, 0x00000034), kindJava, false},
		{"lib.wasm", []byte("\x00asm\x01\x00\x00\x00"), kindWasm, true},
		{"app.jar", zipOf(t, "META-INF/MANIFEST.MF"), kindArchive + " zip (jar)", false},
		{"pkg.whl", zipOf(t, "pkg/__init__.py"), kindArchive + " zip (Python wheel)", false},
		{"report.docx", zipOf(t, "word/document.xml"), "", false},
		{"vendor.tgz", gz(tarOf(t)), kindArchive + " gzip", false},
		{"bundle.tar", tarOf(t), kindArchive + " tar", false},
		{"logo.png", []byte("\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR"), "", false},
		{"run.sh", []byte("#!/bin/sh\necho hi\n"), "", false},
		{"data.json", []byte(`{"a": 1}`), "", false},
	}
	for _, tt := range tests {
		a, ok := sniff(tt.name, tt.data)
		got := ""
		if ok {
			got = strings.TrimSpace(a.kind + " " + a.detail)
		}
		if got != tt.want || a.executable != tt.exec {
			t.Errorf("sniff(%s) = %q executable %v, want %q %v", tt.name, got, a.executable, tt.want, tt.exec)
		}
	}
}

func TestRunReportsAddedBinaries(t *testing.T) {
	exe := elf()
	sum := sha256.Sum256(exe)
	head := fstest.MapFS{
		"tools/helper":                     {Data: exe},
		"internal/parse/testdata/crash.so": {Data: elf()},
		"vendor/lib.jar":                   {Data: zipOf(t, "A.class")},
		"src/main.go":                      {Data: []byte("package main\n")},
		"docs/logo.png":                    {Data: []byte("\x89PNG\r\n\x1a\n")},
	}
	in := &scanner.Input{Mode: scanner.ModePullRequest, FS: head,
		Changed: []string{"docs/logo.png", "internal/parse/testdata/crash.so", "src/main.go", "tools/helper", "vendor/lib.jar", "submodule"}}
	got, skipped, err := Check{}.Run(t.Context(), in)
	if err != nil || len(skipped) != 0 {
		t.Fatalf("err %v skipped %v", err, skipped)
	}
	var lines []string
	for _, f := range got {
		lines = append(lines, f.Severity+" "+f.Path)
	}
	want := "low internal/parse/testdata/crash.so|high tools/helper|low vendor/lib.jar"
	if strings.Join(lines, "|") != want {
		t.Errorf("findings %q, want %q", strings.Join(lines, "|"), want)
	}
	for _, f := range got {
		if f.Path == "tools/helper" && (!strings.Contains(f.Message, hex.EncodeToString(sum[:])) || !strings.Contains(f.Message, "64 bytes")) {
			t.Errorf("message lacks the size and hash: %q", f.Message)
		}
	}
	// A sweep has no change: nothing.
	in.Mode = scanner.ModeSweep
	if got, _, _ := (Check{}).Run(t.Context(), in); len(got) != 0 {
		t.Errorf("sweep reported %d", len(got))
	}
}

// A symbolic link is not an artifact, even when it points at one.
func TestRunSkipsSymlinks(t *testing.T) {
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "real.bin"), elf(), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink("real.bin", filepath.Join(dir, "link.bin")); err != nil {
		t.Fatal(err)
	}
	cs, err := diff.FromDirectory(dir)
	if err != nil {
		t.Fatal(err)
	}
	defer cs.Close()
	got, skipped, err := Check{}.Run(t.Context(), &scanner.Input{Mode: scanner.ModePullRequest, FS: cs.HeadFS, Changed: []string{"link.bin"}})
	if err != nil || len(got) != 0 || len(skipped) != 0 {
		t.Errorf("symlink: findings %v skipped %v err %v", got, skipped, err)
	}
}
