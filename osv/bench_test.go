package osv

import (
	"context"
	"fmt"
	"path/filepath"
	"runtime"
	"syscall"
	"testing"
	"time"

	"github.com/tollgate-dev/tollgate/lockfiles"
	"github.com/tollgate-dev/tollgate/scanner"
)

// synthDB writes a database of n records shaped like the real ones: npm MAL
// records (open ranges and lists), GHSA ranges with CVSS, PYSEC records with
// long PEP 440 lists, Go SEMVER ranges. Record i affects package i/2, so
// names carry one to two records.
func synthDB(tb testing.TB, n int) string {
	tb.Helper()
	dir := tb.TempDir()
	zips := map[string]map[string]string{"npm": {}, "PyPI": {}, "Go": {}}
	for i := range n {
		var id string
		pkg := i / 2
		var rec string
		switch {
		case i%10 < 6: // npm
			name := fmt.Sprintf("npm-pkg-%d", pkg)
			switch i % 3 {
			case 0:
				id = fmt.Sprintf("MAL-%d", i)
				rec = fmt.Sprintf(`{"id":%q,"modified":"2024-01-01T00:00:00Z","affected":[{"package":{"ecosystem":"npm","name":%q},"ranges":[{"type":"SEMVER","events":[{"introduced":"0"}]}],"versions":["1.0.0","1.0.1"]}]}`, id, name)
			case 1:
				id = fmt.Sprintf("GHSA-%d", i)
				rec = fmt.Sprintf(`{"id":%q,"modified":"2024-01-01T00:00:00Z","aliases":["CVE-%d"],"severity":[{"type":"CVSS_V3","score":"CVSS:3.1/AV:N/AC:L/PR:N/UI:R/S:C/C:L/I:L/A:N"}],"affected":[{"package":{"ecosystem":"npm","name":%q},"ranges":[{"type":"ECOSYSTEM","events":[{"introduced":"1.2.0"},{"fixed":"1.4.%d"}]}]}]}`, id, i, name, i%9)
			default:
				id = fmt.Sprintf("MAL-%d", i)
				rec = fmt.Sprintf(`{"id":%q,"modified":"2024-01-01T00:00:00Z","affected":[{"package":{"ecosystem":"npm","name":%q},"versions":["2.0.0","2.0.1","2.1.0-beta.1","3.0.0","3.0.1"]}]}`, id, name)
			}
			zips["npm"][id+".json"] = rec
		case i%10 < 9: // PyPI
			id = fmt.Sprintf("PYSEC-%d", i)
			vers := `"0.1","0.2","0.3","0.4","0.5","0.6","0.7","0.8","0.9","1.0rc1","1.0","1.0.post1","1.1","1.2","1.3","1.4","1.5","1.6","1.7","1.8"`
			rec = fmt.Sprintf(`{"id":%q,"modified":"2024-01-01T00:00:00Z","aliases":["CVE-%d"],"affected":[{"package":{"ecosystem":"PyPI","name":"py_pkg_%d"},"ranges":[{"type":"ECOSYSTEM","events":[{"introduced":"0"},{"fixed":"1.9"}]}],"versions":[%s]}]}`, id, i, pkg, vers)
			zips["PyPI"][id+".json"] = rec
		default: // Go
			id = fmt.Sprintf("GO-%d", i)
			rec = fmt.Sprintf(`{"id":%q,"modified":"2024-01-01T00:00:00Z","affected":[{"package":{"ecosystem":"Go","name":"example.com/mod%d"},"ranges":[{"type":"SEMVER","events":[{"introduced":"0"},{"fixed":"0.0.0-20200131131040-063a3fb69896"},{"introduced":"1.2.0"},{"fixed":"1.2.7"}]}]}]}`, id, pkg)
			zips["Go"][id+".json"] = rec
		}
	}
	for eco, entries := range zips {
		writeZip(tb, filepath.Join(dir, eco, "all.zip"), entries)
	}
	return dir
}

// synthPackages returns n packages, about half of them named in synthDB(m).
func synthPackages(n, m int) []lockfiles.Package {
	pkgs := make([]lockfiles.Package, n)
	for i := range pkgs {
		k := (i * 7) % m // a record index; odd i looks up names the DB lacks
		p := &pkgs[i]
		p.Path, p.Line = "lock", i+1
		switch {
		case k%10 < 6:
			p.Ecosystem, p.Name, p.Version = "npm", fmt.Sprintf("npm-pkg-%d", k/2), []string{"1.0.0", "1.3.0", "2.1.0-beta.1", "4.0.0"}[i%4]
		case k%10 < 9:
			p.Ecosystem, p.Name, p.Version = "PyPI", fmt.Sprintf("py-pkg-%d", k/2), []string{"1.0", "1.0.0", "1.8.1", "2.0"}[i%4]
		default:
			p.Ecosystem, p.Name, p.Version = "Go", fmt.Sprintf("example.com/mod%d", k/2), []string{"v1.2.3", "v0.0.0-20190101000000-aaaaaaaaaaaa", "v1.3.0", "v1.2.7"}[i%4]
		}
		if i%2 == 1 {
			p.Name += "-absent"
		}
	}
	return pkgs
}

func maxRSSMB() float64 {
	var ru syscall.Rusage
	if syscall.Getrusage(syscall.RUSAGE_SELF, &ru) != nil {
		return 0
	}
	return float64(ru.Maxrss) / 1024 // kilobytes on Linux
}

// BenchmarkOffline100k loads a 100,000-record database once (load time and
// memory reported as metrics) and times the check on 10,000 packages. The
// issue's target is under 2 s per check (ns/op) after loading; it was a test
// until issue 11, but a wall-clock bound fails on a busy machine, not on a
// slow change, so it is read here.
func BenchmarkOffline100k(b *testing.B) {
	dir := synthDB(b, 100_000)
	ctx := context.Background()
	runtime.GC()
	start := time.Now()
	db, err := LoadDB(ctx, dir, LoadOptions{})
	if err != nil {
		b.Fatal(err)
	}
	load := time.Since(start)
	var ms runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&ms)
	if s := db.Stats(); s.Records != 100_000 {
		b.Fatalf("loaded %+v", s)
	}
	pkgs := synthPackages(10_000, 100_000)
	check := NewCheck(db, CheckOptions{})
	var findings int
	b.ResetTimer()
	for range b.N {
		f, _, err := check.Run(ctx, &scanner.Input{Packages: pkgs})
		if err != nil {
			b.Fatal(err)
		}
		findings = len(f)
	}
	b.StopTimer()
	if findings < 2000 {
		b.Fatalf("only %d findings: the synthetic packages miss the database", findings)
	}
	b.ReportMetric(load.Seconds(), "load-s")
	b.ReportMetric(float64(ms.HeapAlloc)/(1<<20), "heap-after-load-MB")
	b.ReportMetric(maxRSSMB(), "peak-rss-MB")
	b.ReportMetric(float64(findings), "findings")
}

// TestOfflineSynthFindings checks the benchmark's workload at a tenth of its
// size: the synthetic packages must hit the synthetic database (the 100,000
// record run finds 6,001 in 10,000 packages), or BenchmarkOffline100k would
// time lookups that all miss. Timing is BenchmarkOffline100k's job.
func TestOfflineSynthFindings(t *testing.T) {
	ctx := context.Background()
	db, err := LoadDB(ctx, synthDB(t, 10_000), LoadOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if s := db.Stats(); s.Records != 10_000 {
		t.Fatalf("loaded %+v", s)
	}
	pkgs := synthPackages(1_000, 10_000)
	f, skipped, err := NewCheck(db, CheckOptions{}).Run(ctx, &scanner.Input{Packages: pkgs})
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("%d findings in %d packages, %d skipped", len(f), len(pkgs), len(skipped))
	if len(f) < len(pkgs)/5 {
		t.Errorf("only %d findings in %d packages: the synthetic packages miss the database", len(f), len(pkgs))
	}
}
