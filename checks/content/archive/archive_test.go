package archive

import (
	"archive/tar"
	"archive/zip"
	"bytes"
	"compress/gzip"
	"errors"
	"io/fs"
	"strings"
	"testing"
)

type entry struct {
	name     string
	body     string
	typ      byte // tar type flag; 0 regular
	linkname string
	mode     int64
}

func tarball(t *testing.T, gz bool, entries ...entry) []byte {
	t.Helper()
	var buf bytes.Buffer
	var tw *tar.Writer
	var zw *gzip.Writer
	if gz {
		zw = gzip.NewWriter(&buf)
		tw = tar.NewWriter(zw)
	} else {
		tw = tar.NewWriter(&buf)
	}
	for _, e := range entries {
		h := &tar.Header{Name: e.name, Mode: 0o644, Size: int64(len(e.body)), Typeflag: tar.TypeReg, Linkname: e.linkname}
		if e.mode != 0 {
			h.Mode = e.mode
		}
		if e.typ != 0 {
			h.Typeflag, h.Size = e.typ, 0
		}
		if err := tw.WriteHeader(h); err != nil {
			t.Fatal(err)
		}
		if h.Typeflag == tar.TypeReg {
			tw.Write([]byte(e.body))
		}
	}
	tw.Close()
	if zw != nil {
		zw.Close()
	}
	return buf.Bytes()
}

func zipball(t *testing.T, entries ...entry) []byte {
	t.Helper()
	var buf bytes.Buffer
	zw := zip.NewWriter(&buf)
	for _, e := range entries {
		h := &zip.FileHeader{Name: e.name, Method: zip.Deflate}
		if e.typ == tar.TypeSymlink {
			h.SetMode(fs.ModeSymlink | 0o777)
		}
		w, err := zw.CreateHeader(h)
		if err != nil {
			t.Fatal(err)
		}
		w.Write([]byte(e.body))
	}
	zw.Close()
	return buf.Bytes()
}

func names(a *Archive) string {
	var out []string
	for _, f := range a.Files {
		out = append(out, f.Name)
	}
	return strings.Join(out, ",")
}

func TestReadsNpmTarballAndWheel(t *testing.T) {
	tgz := tarball(t, true,
		entry{name: "package/package.json", body: `{"name":"x"}`},
		entry{name: "package/index.js", body: "module.exports = 1\n"},
		entry{name: "package/bin/cli", body: "#!/usr/bin/env node\n", mode: 0o755},
	)
	a, err := Read(tgz, Limits{})
	if err != nil {
		t.Fatal(err)
	}
	if a.Format != "tar.gz" || names(a) != "package/bin/cli,package/index.js,package/package.json" || len(a.Skipped) != 0 {
		t.Errorf("npm tarball: %s %s %v", a.Format, names(a), a.Skipped)
	}
	if f := a.Lookup("package/bin/cli"); f == nil || !f.Executable {
		t.Errorf("executable bit lost: %+v", f)
	}
	whl := zipball(t, entry{name: "pkg/__init__.py", body: "import os\n"}, entry{name: "pkg-1.0.dist-info/METADATA", body: "Name: pkg\n"})
	a, err = Read(whl, Limits{})
	if err != nil || a.Format != "zip" || names(a) != "pkg-1.0.dist-info/METADATA,pkg/__init__.py" {
		t.Errorf("wheel: %v %+v", err, a)
	}
}

// Every extraction attack: the entry is recorded, never extracted; bombs
// and truncation are errors.
func TestExtractionAttacks(t *testing.T) {
	a, err := Read(tarball(t, true,
		entry{name: "package/../../../etc/cron.d/x", body: "evil"},
		entry{name: "/etc/passwd", body: "evil"},
		entry{name: "package/link", typ: tar.TypeSymlink, linkname: "/home/user/.npmrc"},
		entry{name: "package/hard", typ: tar.TypeLink, linkname: "package/index.js"},
		entry{name: "package/dev", typ: tar.TypeChar},
		entry{name: "package/index.js", body: "ok"},
	), Limits{})
	if err != nil {
		t.Fatal(err)
	}
	if names(a) != "package/index.js" {
		t.Errorf("extracted %s", names(a))
	}
	var reasons []string
	for _, s := range a.Skipped {
		reasons = append(reasons, s.Reason)
	}
	want := "path outside the archive|absolute path|symbolic link to /home/user/.npmrc|hard link to package/index.js|device or FIFO"
	if strings.Join(reasons, "|") != want {
		t.Errorf("skipped %q, want %q", strings.Join(reasons, "|"), want)
	}
	z, err := Read(zipball(t, entry{name: "..\\..\\evil.dll", body: "x"}, entry{name: "C:/Windows/x", body: "x"}, entry{name: "lnk", body: "/etc", typ: tar.TypeSymlink}, entry{name: "ok.txt", body: "ok"}), Limits{})
	if err != nil || names(z) != "ok.txt" || len(z.Skipped) != 3 {
		t.Errorf("zip attacks: %v %s %+v", err, names(z), z.Skipped)
	}

	// A bomb by ratio: 64 MB of zeros gzipped to about 64 KB.
	zeros := strings.Repeat("\x00", 64<<20)
	if _, err := Read(tarball(t, true, entry{name: "package/zeros", body: zeros}), Limits{}); !errors.Is(err, ErrLimit) || !strings.Contains(err.Error(), "bomb") {
		t.Errorf("ratio bomb: %v", err)
	}
	if _, err := Read(zipball(t, entry{name: "zeros", body: zeros}), Limits{}); !errors.Is(err, ErrLimit) {
		t.Errorf("zip ratio bomb: %v", err)
	}
	// A bomb by count.
	var many []entry
	for i := range 60 {
		many = append(many, entry{name: "f" + strings.Repeat("x", i), body: "x"})
	}
	if _, err := Read(tarball(t, false, many...), Limits{MaxFiles: 50}); !errors.Is(err, ErrLimit) {
		t.Errorf("count bomb: %v", err)
	}
	// One file over the limit, and the total.
	if _, err := Read(tarball(t, false, entry{name: "big", body: strings.Repeat("a", 2000)}), Limits{MaxFile: 1000}); !errors.Is(err, ErrLimit) {
		t.Errorf("file limit: %v", err)
	}
	if _, err := Read(tarball(t, false, entry{name: "a", body: strings.Repeat("a", 800)}, entry{name: "b", body: strings.Repeat("b", 800)}), Limits{MaxTotal: 1000}); !errors.Is(err, ErrLimit) {
		t.Errorf("total limit: %v", err)
	}
	// Truncated archives.
	tgz := tarball(t, true, entry{name: "package/index.js", body: strings.Repeat("code\n", 5000)})
	if _, err := Read(tgz[:len(tgz)/2], Limits{}); !errors.Is(err, ErrCorrupt) {
		t.Errorf("truncated tar.gz: %v", err)
	}
	zb := zipball(t, entry{name: "a.py", body: strings.Repeat("code\n", 5000)})
	if _, err := Read(zb[:len(zb)-30], Limits{}); !errors.Is(err, ErrCorrupt) {
		t.Errorf("truncated zip: %v", err)
	}
	if _, err := Read([]byte("not an archive"), Limits{}); !errors.Is(err, ErrCorrupt) {
		t.Errorf("garbage: %v", err)
	}
}

func TestReadGem(t *testing.T) {
	data := tarball(t, true, entry{name: "lib/x.rb", body: "puts 1\n"}, entry{name: "ext/x/extconf.rb", body: "require 'mkmf'\n"})
	var meta bytes.Buffer
	zw := gzip.NewWriter(&meta)
	zw.Write([]byte("--- !ruby/object:Gem::Specification\nname: x\n"))
	zw.Close()
	gem := tarball(t, false, entry{name: "metadata.gz", body: meta.String()}, entry{name: "data.tar.gz", body: string(data)})
	a, err := ReadGem(gem, Limits{})
	if err != nil {
		t.Fatal(err)
	}
	if names(a) != "ext/x/extconf.rb,lib/x.rb,metadata" {
		t.Errorf("gem files %s", names(a))
	}
}

// FuzzRead: any bytes give an archive or an error, never a panic, and
// never a file with an unsafe name or over the limits.
func FuzzRead(f *testing.F) {
	t := &testing.T{}
	f.Add(tarball(t, true, entry{name: "package/index.js", body: "x"}))
	f.Add(tarball(t, false, entry{name: "../x", body: "x"}, entry{name: "l", typ: tar.TypeSymlink, linkname: "/"}))
	f.Add(zipball(t, entry{name: "a/b.py", body: "print(1)"}))
	f.Add([]byte("PK\x05\x06" + strings.Repeat("\x00", 18)))
	f.Fuzz(func(t *testing.T, data []byte) {
		lim := Limits{MaxTotal: 1 << 20, MaxFile: 1 << 19, MaxFiles: 100}
		a, err := Read(data, lim)
		if err != nil || a == nil {
			return
		}
		checkSafe(t, a, lim)
	})
}

func gzipOf(t *testing.T, body string) string {
	t.Helper()
	var buf bytes.Buffer
	zw := gzip.NewWriter(&buf)
	zw.Write([]byte(body))
	zw.Close()
	return buf.String()
}

// The attacks of a nested archive: what is unsafe inside data.tar.gz is
// recorded, and the limits hold across the nesting, not per layer.
func TestReadGemAttacks(t *testing.T) {
	gem := func(data []byte, extra ...entry) []byte {
		return tarball(t, false, append([]entry{{name: "metadata.gz", body: gzipOf(t, "name: x\n")}, {name: "data.tar.gz", body: string(data)}}, extra...)...)
	}
	// Traversal, absolute paths and links inside data.tar.gz, and in the
	// outer tar.
	a, err := ReadGem(gem(tarball(t, true,
		entry{name: "../../.bashrc", body: "evil"},
		entry{name: "/usr/bin/x", body: "evil"},
		entry{name: "lib/link.rb", typ: tar.TypeSymlink, linkname: "/etc/passwd"},
		entry{name: "lib/x.rb", body: "ok"},
	), entry{name: "../outer", body: "evil"}), Limits{})
	if err != nil {
		t.Fatal(err)
	}
	if names(a) != "lib/x.rb,metadata" || len(a.Skipped) != 4 {
		t.Errorf("gem attacks: %s %+v", names(a), a.Skipped)
	}
	// A bomb by ratio inside data.tar.gz.
	zeros := strings.Repeat("\x00", 64<<20)
	if _, err := ReadGem(gem(tarball(t, true, entry{name: "lib/zeros", body: zeros})), Limits{}); !errors.Is(err, ErrLimit) || !strings.Contains(err.Error(), "bomb") {
		t.Errorf("nested ratio bomb: %v", err)
	}
	// A bomb by ratio in metadata.gz.
	bomb := tarball(t, false, entry{name: "metadata.gz", body: gzipOf(t, zeros)}, entry{name: "data.tar.gz", body: string(tarball(t, true, entry{name: "lib/x.rb", body: "ok"}))})
	if _, err := ReadGem(bomb, Limits{}); !errors.Is(err, ErrLimit) {
		t.Errorf("metadata bomb: %v", err)
	}
	// The total across the layers: each layer alone within MaxTotal, both
	// together over it.
	big := strings.Repeat("a", 700)
	inner := tarball(t, true, entry{name: "lib/a.rb", body: big})
	if _, err := ReadGem(gem(inner), Limits{MaxTotal: 1000}); err != nil {
		t.Fatalf("within the total: %v", err)
	}
	if _, err := ReadGem(gem(inner, entry{name: "padding", body: big}), Limits{MaxTotal: 1000}); !errors.Is(err, ErrLimit) {
		t.Errorf("total across the nesting: %v", err)
	}
	// The count across the layers.
	var many []entry
	for i := range 8 {
		many = append(many, entry{name: "lib/f" + strings.Repeat("x", i), body: "x"})
	}
	if _, err := ReadGem(gem(tarball(t, true, many...)), Limits{MaxFiles: 9}); !errors.Is(err, ErrLimit) {
		t.Errorf("count across the nesting: %v", err)
	}
	// A truncated data.tar.gz, and a gem without one.
	tgz := tarball(t, true, entry{name: "lib/x.rb", body: strings.Repeat("code\n", 5000)})
	if _, err := ReadGem(gem(tgz[:len(tgz)/2]), Limits{}); !errors.Is(err, ErrCorrupt) {
		t.Errorf("truncated data.tar.gz: %v", err)
	}
	if _, err := ReadGem(tarball(t, false, entry{name: "metadata.gz", body: gzipOf(t, "x")}), Limits{}); !errors.Is(err, ErrCorrupt) {
		t.Errorf("no data.tar.gz: %v", err)
	}
}

// FuzzReadGem: whatever the nesting holds, ReadGem returns only safe names
// and stays inside the limits across both layers.
func FuzzReadGem(f *testing.F) {
	t := &testing.T{}
	data := tarball(t, true, entry{name: "lib/x.rb", body: "puts 1\n"}, entry{name: "../x", body: "x"})
	f.Add(tarball(t, false, entry{name: "metadata.gz", body: gzipOf(t, "name: x\n")}, entry{name: "data.tar.gz", body: string(data)}))
	f.Add(tarball(t, false, entry{name: "data.tar.gz", body: string(data[:len(data)/2])}))
	f.Fuzz(func(t *testing.T, data []byte) {
		lim := Limits{MaxTotal: 1 << 20, MaxFile: 1 << 19, MaxFiles: 100}
		a, err := ReadGem(data, lim)
		if err != nil || a == nil {
			return
		}
		checkSafe(t, a, lim)
	})
}

// checkSafe fails when an archive read under lim holds an unsafe name or
// more than the limits allow.
func checkSafe(t *testing.T, a *Archive, lim Limits) {
	t.Helper()
	var total int64
	for _, file := range a.Files {
		if n, why := safeName(file.Name); why != "" || n != file.Name {
			t.Fatalf("unsafe name extracted: %q", file.Name)
		}
		total += int64(len(file.Data))
	}
	if total > lim.MaxTotal || len(a.Files) > lim.MaxFiles {
		t.Fatalf("limits passed: %d bytes, %d files", total, len(a.Files))
	}
}
