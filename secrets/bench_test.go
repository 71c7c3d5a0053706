package secrets

import (
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/tollgate-dev/tollgate/scanner"
)

// goSource reads up to limit bytes of .go files from the Go tree: real
// source text with few secrets, the common case the engine must be fast on.
func goSource(b *testing.B, limit int) [][]byte {
	b.Helper()
	goroot, err := exec.Command("go", "env", "GOROOT").Output()
	if err != nil {
		b.Skipf("go env GOROOT: %v", err)
	}
	root := filepath.Join(strings.TrimSpace(string(goroot)), "src")
	var files [][]byte
	total := 0
	filepath.WalkDir(root, func(p string, d fs.DirEntry, err error) error {
		if err != nil || total >= limit {
			return fs.SkipDir
		}
		if d.IsDir() || !strings.HasSuffix(p, ".go") {
			return nil
		}
		data, err := os.ReadFile(p)
		if err == nil {
			files = append(files, data)
			total += len(data)
		}
		return nil
	})
	if total == 0 {
		b.Skip("Go source tree not found")
	}
	return files
}

// BenchmarkScanGoSource scans 8 MB of Go source (no planted secrets).
func BenchmarkScanGoSource(b *testing.B) {
	files := goSource(b, 8<<20)
	e := newTestEngine(b)
	total := 0
	for _, f := range files {
		total += len(f)
	}
	b.SetBytes(int64(total))
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		for j, f := range files {
			e.ScanFile("f"+string(rune('a'+j%26))+".go", f)
		}
	}
}

// BenchmarkScanPlanted scans a file that is one planted secret per rule.
func BenchmarkScanPlanted(b *testing.B) {
	var sb strings.Builder
	rng := randFor(1)
	for _, r := range Builtin() {
		text, _ := r.Sample(rng)
		sb.WriteString("value = " + text + "\n\n")
	}
	data := []byte(sb.String())
	e := newTestEngine(b)
	b.SetBytes(int64(len(data)))
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		if len(e.ScanFile("planted.txt", data)) == 0 {
			b.Fatal("nothing found")
		}
	}
}

// BenchmarkScanLines scans a pull request's added lines.
func BenchmarkScanLines(b *testing.B) {
	files := goSource(b, 1<<20)
	var lines []scanner.Line
	for _, f := range files {
		for i, l := range strings.Split(string(f), "\n") {
			lines = append(lines, scanner.Line{Number: i + 1, Text: l})
		}
	}
	e := newTestEngine(b)
	b.SetBytes(1 << 20)
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		e.ScanLines("pr.go", lines)
	}
}

// BenchmarkNew measures compiling the rule table and keyword automaton.
func BenchmarkNew(b *testing.B) {
	for i := 0; i < b.N; i++ {
		if _, err := New(Options{}); err != nil {
			b.Fatal(err)
		}
	}
}
