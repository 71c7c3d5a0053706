package diff

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"syscall"
	"testing"
	"time"
)

// largeRepo builds a repository whose last commit changes 5,000 files of
// ~10 KB each (50 MB on the head side): 4,950 modified with a few lines
// inserted, 50 added, 50 deleted.
const (
	benchFiles    = 5000
	benchFileSize = 10 << 10
)

func benchContent(i int, edited bool) string {
	var sb strings.Builder
	line := 0
	for sb.Len() < benchFileSize {
		if edited && line%50 == 25 {
			fmt.Fprintf(&sb, "inserted line %d in file %d\n", line, i)
		}
		fmt.Fprintf(&sb, "file %05d line %04d: lorem ipsum dolor sit amet, consectetur adipiscing\n", i, line)
		line++
	}
	return sb.String()
}

func largeRepo(b *testing.B) (dir, base, head string) {
	// TOLLGATE_DIFF_BENCH_DIR keeps the fixture between runs (building it
	// takes minutes on a slow disk).
	if keep := os.Getenv("TOLLGATE_DIFF_BENCH_DIR"); keep != "" {
		if _, err := os.Stat(filepath.Join(keep, ".git")); err == nil {
			r := &gitRepo{tb: b, dir: keep}
			return keep, r.git("rev-parse", "HEAD~1"), r.git("rev-parse", "HEAD")
		}
	}
	r := newGitRepo(b)
	if keep := os.Getenv("TOLLGATE_DIFF_BENCH_DIR"); keep != "" {
		if err := os.MkdirAll(keep, 0o755); err != nil {
			b.Fatal(err)
		}
		r.dir = keep
		r.git("init", "-q", "-b", "main")
		r.git("config", "gc.auto", "0")
	}
	write := func(i int, edited bool) {
		p := filepath.Join(r.dir, fmt.Sprintf("pkg%02d", i%50), fmt.Sprintf("f%05d.txt", i))
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			b.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(benchContent(i, edited)), 0o644); err != nil {
			b.Fatal(err)
		}
	}
	for i := range benchFiles - 50 {
		write(i, false)
	}
	for i := benchFiles; i < benchFiles+50; i++ {
		write(i, false) // deleted in head
	}
	base = r.commit("base")
	for i := range benchFiles {
		write(i, true)
	}
	for i := benchFiles; i < benchFiles+50; i++ {
		if err := os.Remove(filepath.Join(r.dir, fmt.Sprintf("pkg%02d", i%50), fmt.Sprintf("f%05d.txt", i))); err != nil {
			b.Fatal(err)
		}
	}
	head = r.commit("head")
	r.git("gc", "-q") // packed, like a real clone
	return r.dir, base, head
}

// BenchmarkFromGitLarge measures a 5,000-file, 50 MB change set. It reports
// the heap still held after the call (the ChangeSet) and the peak heap seen.
func BenchmarkFromGitLarge(b *testing.B) {
	dir, base, head := largeRepo(b)
	b.ResetTimer()
	var peak uint64
	var before syscall.Rusage
	_ = syscall.Getrusage(syscall.RUSAGE_SELF, &before)
	for b.Loop() {
		stop := make(chan struct{})
		done := make(chan uint64)
		go func() {
			var ms runtime.MemStats
			var max uint64
			tick := time.NewTicker(20 * time.Millisecond)
			defer tick.Stop()
			for {
				runtime.ReadMemStats(&ms)
				if ms.HeapInuse > max {
					max = ms.HeapInuse
				}
				select {
				case <-stop:
					done <- max
					return
				case <-tick.C:
				}
			}
		}()
		cs, err := FromGit(context.Background(), dir, base, head, Options{})
		close(stop)
		if p := <-done; p > peak {
			peak = p
		}
		if err != nil {
			b.Fatal(err)
		}
		if len(cs.Files) != benchFiles+50 {
			b.Fatalf("got %d files", len(cs.Files))
		}
		added := 0
		for _, f := range cs.Files {
			added += len(f.Added)
		}
		if added < benchFiles*3 {
			b.Fatalf("only %d added lines", added)
		}
		runtime.KeepAlive(cs)
	}
	var after syscall.Rusage
	_ = syscall.Getrusage(syscall.RUSAGE_SELF, &after)
	cpu := time.Duration(after.Utime.Nano() - before.Utime.Nano() + after.Stime.Nano() - before.Stime.Nano())
	// CPU time is reported besides wall time: on a shared, loaded machine the
	// wall time measures the neighbours as much as the code.
	b.ReportMetric(cpu.Seconds()/float64(b.N), "cpu-s/op")
	b.ReportMetric(float64(peak)/(1<<20), "peak-heap-MB")
}

// BenchmarkFromWorkTreeLarge is BenchmarkFromGitLarge's change set read with
// the work tree as head: the extra cost is go-git's status of 5,000 tracked
// files (clean here, so the result is the committed change set).
func BenchmarkFromWorkTreeLarge(b *testing.B) {
	dir, base, _ := largeRepo(b)
	b.ResetTimer()
	for b.Loop() {
		cs, err := FromWorkTree(context.Background(), dir, base, Options{})
		if err != nil {
			b.Fatal(err)
		}
		if len(cs.Files) != benchFiles+50 {
			b.Fatalf("got %d files", len(cs.Files))
		}
		cs.Close()
	}
}
