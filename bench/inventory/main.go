// Command inventory times `tollgate inventory` against osv-scanner's lockfile
// extraction on the largest real lockfiles of the shared corpus and on the
// whole corpus directory, in one run, and compares the package counts of the
// two tools file by file.
//
// Both tools run as child processes, interleaved (tollgate, peer, tollgate,
// peer, ...) so that both see the same machine load; the median of the runs is
// reported, by wall clock and by CPU time (user+system), with the peak RSS.
// run.sh builds both binaries and calls this program.
package main

import (
	"bytes"
	"errors"
	"flag"
	"fmt"
	"io"
	"io/fs"
	"math"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"sort"
	"strings"
	"syscall"
	"text/tabwriter"
	"time"
)

func main() {
	if err := run(os.Args[1:], os.Stdout); err != nil {
		fmt.Fprintln(os.Stderr, "bench/inventory:", err)
		os.Exit(1)
	}
}

// options are the command-line settings.
type options struct {
	tollgate  string
	peer      string
	corpus    string
	n         int
	runs      int
	perFormat bool
	work      string
	details   int
}

func run(args []string, stdout io.Writer) error {
	var o options
	fl := flag.NewFlagSet("inventory", flag.ContinueOnError)
	fl.StringVar(&o.tollgate, "tollgate", "", "tollgate binary")
	fl.StringVar(&o.peer, "peer", "", "osv-scanner binary")
	fl.StringVar(&o.corpus, "corpus", "", "lockfile corpus directory (../shared/data/lockfiles)")
	fl.IntVar(&o.n, "n", 10, "number of largest lockfiles to time one by one")
	fl.IntVar(&o.runs, "runs", 7, "runs of each command; the median is reported")
	fl.BoolVar(&o.perFormat, "per-format", true, "also time the largest file of every format not among the n largest")
	fl.StringVar(&o.work, "work", "", "scratch directory for outputs and the empty OSV database (default: a temporary one)")
	fl.IntVar(&o.details, "details", 4, "examples of differing entries to print per file")
	if err := fl.Parse(args); err != nil {
		return err
	}
	if o.tollgate == "" || o.peer == "" || o.corpus == "" {
		return errors.New("-tollgate, -peer and -corpus are required")
	}
	if o.runs < 1 || o.n < 0 {
		return errors.New("-runs must be at least 1 and -n at least 0")
	}
	if o.work == "" {
		dir, err := os.MkdirTemp("", "tollgate-bench-inventory-")
		if err != nil {
			return fmt.Errorf("scratch directory: %w", err)
		}
		defer os.RemoveAll(dir)
		o.work = dir
	}
	corpus, err := filepath.Abs(o.corpus)
	if err != nil {
		return fmt.Errorf("corpus: %w", err)
	}
	o.corpus = corpus

	files, err := pickFiles(o.corpus, o.n, o.perFormat)
	if err != nil {
		return err
	}
	env, err := benchEnv(o.work)
	if err != nil {
		return err
	}
	r := &runner{o: o, env: env}

	fmt.Fprintf(stdout, "load average at start: %s\n", loadAvg())
	var rows []row
	for _, f := range files {
		rw, err := r.file(f)
		if err != nil {
			return err
		}
		rows = append(rows, rw)
	}
	corpusRow, err := r.corpusDir()
	if err != nil {
		return err
	}
	fmt.Fprintf(stdout, "load average at end:   %s\n\n", loadAvg())
	printTable(stdout, rows, corpusRow, o.runs)
	printDiffs(stdout, append(rows, corpusRow), o.details)
	return nil
}

// corpusFile is one lockfile chosen for timing.
type corpusFile struct {
	rel    string // path relative to the corpus, forward slashes
	format string // the corpus's first path element, e.g. "package-lock-json"
	size   int64
}

// pickFiles returns the n largest lockfiles of the corpus, plus (with
// perFormat) the largest file of every other format. The fixtures-osv-scalibr
// folder holds small edge cases and is left to the whole-corpus run.
func pickFiles(corpus string, n int, perFormat bool) ([]corpusFile, error) {
	var all []corpusFile
	err := filepath.WalkDir(corpus, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(corpus, p)
		rel = filepath.ToSlash(rel)
		if d.IsDir() {
			if strings.HasPrefix(rel, "fixtures-") {
				return fs.SkipDir
			}
			return nil
		}
		parts := strings.Split(rel, "/")
		if len(parts) != 3 || !d.Type().IsRegular() {
			return nil // README.md, SOURCES.md, sources.json at the top
		}
		info, err := d.Info()
		if err != nil {
			return err
		}
		all = append(all, corpusFile{rel: rel, format: parts[0], size: info.Size()})
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("walk corpus: %w", err)
	}
	// go.sum is not an input of its own: tollgate reads it beside go.mod,
	// osv-scanner reads go.mod only; both are given go.mod.
	kept := all[:0]
	for _, f := range all {
		if !strings.HasSuffix(f.rel, "/go.sum") {
			kept = append(kept, f)
		}
	}
	all = kept
	sort.Slice(all, func(i, j int) bool {
		if all[i].size != all[j].size {
			return all[i].size > all[j].size
		}
		return all[i].rel < all[j].rel
	})
	if n > len(all) {
		n = len(all)
	}
	picked := append([]corpusFile(nil), all[:n]...)
	if perFormat {
		seen := map[string]bool{}
		for _, f := range picked {
			seen[f.format] = true
		}
		for _, f := range all[n:] {
			if !seen[f.format] {
				seen[f.format] = true
				picked = append(picked, f)
			}
		}
	}
	return picked, nil
}

// benchEnv is the environment of both tools: an empty OSV database directory
// for osv-scanner, and proxies pointing at a closed local port so that any
// network attempt fails at once and shows in the error output.
func benchEnv(work string) ([]string, error) {
	db := filepath.Join(work, "empty-osv-db")
	if err := os.MkdirAll(db, 0o755); err != nil {
		return nil, fmt.Errorf("empty OSV database directory: %w", err)
	}
	var env []string
	for _, kv := range os.Environ() {
		k, _, _ := strings.Cut(kv, "=")
		switch strings.ToUpper(k) {
		case "HTTP_PROXY", "HTTPS_PROXY", "ALL_PROXY", "NO_PROXY", "OSV_SCANNER_LOCAL_DB_CACHE_DIRECTORY":
			continue
		}
		env = append(env, kv)
	}
	return append(env,
		"OSV_SCANNER_LOCAL_DB_CACHE_DIRECTORY="+db,
		"HTTP_PROXY="+trapProxy, "HTTPS_PROXY="+trapProxy, "ALL_PROXY="+trapProxy,
		"http_proxy="+trapProxy, "https_proxy="+trapProxy,
	), nil
}

// trapProxy is a proxy address nothing listens on: a network attempt by either
// tool fails with an error naming it, which the runner treats as fatal.
const trapProxy = "http://127.0.0.1:9"

// measurement is one child-process run.
type measurement struct {
	wall  time.Duration
	cpu   time.Duration // user + system
	rssKB int64
}

// row is the result for one input (a file or the whole corpus).
type row struct {
	label      string
	size       int64
	tollgate   []measurement
	peer       []measurement
	tgCount    int
	peerCount  int
	tgFiles    int
	peerFiles  int
	diff       countDiff
	peerErrors string
	// peerUnsupported is set when osv-scanner has no extractor for the file.
	peerUnsupported bool
}

type runner struct {
	o   options
	env []string
}

// file times both tools on one lockfile and compares their packages.
func (r *runner) file(f corpusFile) (row, error) {
	abs, err := r.stage(f)
	if err != nil {
		return row{}, err
	}
	tg := []string{r.o.tollgate, "inventory", "--format", "json", abs}
	peer := append(peerScan(r.o.peer), "-L", abs)
	rw := row{label: f.rel, size: f.size}
	if err := r.timeBoth(&rw, tg, peer, true); err != nil {
		return rw, fmt.Errorf("%s: %w", f.rel, err)
	}
	return rw, nil
}

// peerScan is osv-scanner's extraction with lookups off: --offline turns off
// every network feature (it implies --offline-vulnerabilities), and disabling
// the local matcher plugin skips vulnerability matching altogether, which
// would otherwise fail (exit 127) for want of a downloaded database.
// --no-call-analysis=all stops it running govulncheck (the go toolchain) on
// go.mod files, which is not extraction. --all-packages lists every package in
// the JSON output, not only vulnerable ones.
func peerScan(bin string) []string {
	return []string{bin, "scan", "source", "--offline", "--experimental-disable-plugins", "vulnmatch/osvlocal",
		"--no-call-analysis=all", "--format", "json", "--all-packages"}
}

// stage returns the path to give both tools for f: the corpus file itself, or
// a copy in the scratch directory under the name both tools detect, for the
// corpus files kept under another name (pip-compile's main.txt, workflows
// outside .github/workflows). The corpus is never written to.
func (r *runner) stage(f corpusFile) (string, error) {
	abs := filepath.Join(r.o.corpus, filepath.FromSlash(f.rel))
	base := filepath.Base(abs)
	var staged string
	switch {
	case f.format == "requirements-txt" && !strings.HasPrefix(base, "requirements"):
		staged = filepath.Join(r.o.work, "stage", filepath.FromSlash(f.rel), "requirements.txt")
	case f.format == "github-workflows":
		staged = filepath.Join(r.o.work, "stage", filepath.FromSlash(f.rel), ".github", "workflows", base)
	default:
		return abs, nil
	}
	data, err := os.ReadFile(abs)
	if err != nil {
		return "", fmt.Errorf("stage %s: %w", f.rel, err)
	}
	if err := os.MkdirAll(filepath.Dir(staged), 0o755); err != nil {
		return "", fmt.Errorf("stage %s: %w", f.rel, err)
	}
	if err := os.WriteFile(staged, data, 0o644); err != nil {
		return "", fmt.Errorf("stage %s: %w", f.rel, err)
	}
	return staged, nil
}

// corpusDir times both tools on the whole corpus directory.
func (r *runner) corpusDir() (row, error) {
	tg := []string{r.o.tollgate, "inventory", "--format", "json", r.o.corpus}
	// --no-ignore: the corpus may sit in a git work tree; every file counts.
	peer := append(peerScan(r.o.peer), "--no-ignore", "-r", r.o.corpus)
	var size int64
	_ = filepath.WalkDir(r.o.corpus, func(_ string, d fs.DirEntry, err error) error {
		if err == nil && d.Type().IsRegular() {
			if info, err := d.Info(); err == nil {
				size += info.Size()
			}
		}
		return nil
	})
	rw := row{label: "whole corpus (" + filepath.Base(r.o.corpus) + "/)", size: size}
	if err := r.timeBoth(&rw, tg, peer, false); err != nil {
		return rw, fmt.Errorf("corpus: %w", err)
	}
	return rw, nil
}

// timeBoth runs the two commands r.o.runs times each, interleaved, and parses
// the last output of each. With oneFile, package paths are dropped before
// comparing (tollgate names the file relative to its directory, the peer by
// its absolute path).
func (r *runner) timeBoth(rw *row, tg, peer []string, oneFile bool) error {
	tgOut := filepath.Join(r.o.work, "tollgate.json")
	peerOut := filepath.Join(r.o.work, "peer.json")
	var peerStderr []byte
	for i := 0; i < r.o.runs; i++ {
		m, stderr, code, err := r.exec(tg, tgOut)
		if err == nil && code != 0 {
			err = fmt.Errorf("exit %d: %s", code, tail(stderr))
		}
		if err != nil {
			return fmt.Errorf("tollgate: %w", err)
		}
		rw.tollgate = append(rw.tollgate, m)
		if rw.peerUnsupported {
			continue
		}
		m, stderr, code, err = r.exec(peer, peerOut)
		if err != nil {
			return fmt.Errorf("osv-scanner: %w", err)
		}
		switch {
		case code == 127 && bytes.Contains(stderr, []byte("could not determine extractor")):
			// The peer has no extractor for this file: tollgate is timed alone.
			rw.peerUnsupported = true
			rw.peerErrors = summarizeStderr(stderr)
			continue
		case code != 0 && code != 1 && code != 128:
			// 1 is "vulnerabilities found", 128 "no packages found": neither is
			// a failure of extraction.
			return fmt.Errorf("osv-scanner: %s exited %d: %s", strings.Join(peer, " "), code, tail(stderr))
		}
		rw.peer = append(rw.peer, m)
		peerStderr = stderr
	}
	tgPkgs, err := readTollgate(tgOut)
	if err != nil {
		return err
	}
	var peerPkgs []pkg
	if !rw.peerUnsupported {
		peerPkgs, err = readPeer(peerOut, r.o.corpus)
		if err != nil {
			return err
		}
		rw.peerErrors = summarizeStderr(peerStderr)
	}
	if oneFile {
		for i := range tgPkgs {
			tgPkgs[i].path = ""
		}
		for i := range peerPkgs {
			peerPkgs[i].path = ""
		}
	}
	rw.tgCount, rw.peerCount = len(tgPkgs), len(peerPkgs)
	rw.tgFiles, rw.peerFiles = countFiles(tgPkgs), countFiles(peerPkgs)
	rw.diff = diffPackages(tgPkgs, peerPkgs)
	return nil
}

// exec runs argv with stdout to outPath and returns its measurement,
// standard error and exit code. The error is for a command that could not run
// or that attempted a network connection.
func (r *runner) exec(argv []string, outPath string) (measurement, []byte, int, error) {
	out, err := os.Create(outPath)
	if err != nil {
		return measurement{}, nil, 0, fmt.Errorf("output file: %w", err)
	}
	defer out.Close()
	var stderr bytes.Buffer
	cmd := exec.Command(argv[0], argv[1:]...)
	cmd.Stdout, cmd.Stderr, cmd.Env, cmd.Dir = out, &stderr, r.env, r.o.work
	start := time.Now()
	err = cmd.Run()
	wall := time.Since(start)
	if cmd.ProcessState == nil {
		return measurement{}, nil, 0, fmt.Errorf("run %s: %w", argv[0], err)
	}
	if bytes.Contains(stderr.Bytes(), []byte("127.0.0.1:9")) {
		return measurement{}, nil, 0, fmt.Errorf("%s attempted a network connection: %s", strings.Join(argv, " "), tail(stderr.Bytes()))
	}
	m := measurement{wall: wall}
	if ru, isRusage := cmd.ProcessState.SysUsage().(*syscall.Rusage); isRusage {
		m.cpu = time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
		m.rssKB = ru.Maxrss // kilobytes on Linux
	}
	return m, stderr.Bytes(), cmd.ProcessState.ExitCode(), nil
}

func tail(b []byte) string {
	s := strings.TrimSpace(string(b))
	if len(s) > 2000 {
		s = "..." + s[len(s)-2000:]
	}
	return s
}

// summarizeStderr keeps the distinct error and warning lines of the peer's
// standard error, for the notes under the table.
func summarizeStderr(b []byte) string {
	seen := map[string]bool{}
	var keep []string
	for _, line := range strings.Split(string(b), "\n") {
		l := strings.TrimSpace(line)
		low := strings.ToLower(l)
		if l == "" || seen[l] || !(strings.Contains(low, "error") || strings.Contains(low, "fail") || strings.Contains(low, "warn")) {
			continue
		}
		seen[l] = true
		keep = append(keep, l)
	}
	return strings.Join(keep, "\n")
}

// median returns the median of the durations picked from ms.
func median(ms []measurement, pick func(measurement) float64) float64 {
	v := make([]float64, len(ms))
	for i, m := range ms {
		v[i] = pick(m)
	}
	sort.Float64s(v)
	if len(v) == 0 {
		return 0
	}
	if len(v)%2 == 1 {
		return v[len(v)/2]
	}
	return (v[len(v)/2-1] + v[len(v)/2]) / 2
}

func wallMS(m measurement) float64 { return float64(m.wall) / 1e6 }
func cpuMS(m measurement) float64  { return float64(m.cpu) / 1e6 }
func rssMB(m measurement) float64  { return float64(m.rssKB) / 1024 }

func maxRSS(ms []measurement) float64 {
	var max float64
	for _, m := range ms {
		max = math.Max(max, rssMB(m))
	}
	return max
}

// printTable writes the markdown table of timings and counts.
func printTable(w io.Writer, rows []row, corpus row, runs int) {
	fmt.Fprintf(w, "Median of %d interleaved runs; ratio = osv-scanner / tollgate (higher is better for tollgate).\n\n", runs)
	tw := tabwriter.NewWriter(w, 0, 4, 1, ' ', tabwriter.Debug)
	fmt.Fprintln(tw, "| file\t KB\t tollgate ms\t peer ms\t ratio\t tollgate CPU ms\t peer CPU ms\t CPU ratio\t tollgate MB RSS\t peer MB RSS\t tollgate pkgs\t peer pkgs\t")
	fmt.Fprintln(tw, "|---\t---:\t---:\t---:\t---:\t---:\t---:\t---:\t---:\t---:\t---:\t---:\t")
	line := func(r row) {
		tw1, tc := median(r.tollgate, wallMS), median(r.tollgate, cpuMS)
		if r.peerUnsupported {
			fmt.Fprintf(tw, "| %s\t %d\t %.1f\t —\t —\t %.1f\t —\t —\t %.1f\t —\t %d\t not supported\t\n",
				r.label, r.size/1024, tw1, tc, maxRSS(r.tollgate), r.tgCount)
			return
		}
		pw1, pc := median(r.peer, wallMS), median(r.peer, cpuMS)
		fmt.Fprintf(tw, "| %s\t %d\t %.1f\t %.1f\t %.1f×\t %.1f\t %.1f\t %.1f×\t %.1f\t %.1f\t %d\t %d\t\n",
			r.label, r.size/1024, tw1, pw1, pw1/tw1, tc, pc, ratio(pc, tc), maxRSS(r.tollgate), maxRSS(r.peer), r.tgCount, r.peerCount)
	}
	var logWall, logCPU float64
	var tgWall, peerWall, tgCPU, peerCPU float64
	minWall, minCPU := math.Inf(1), math.Inf(1)
	compared := 0
	for _, r := range rows {
		line(r)
		if r.peerUnsupported {
			continue
		}
		compared++
		tw1, pw1 := median(r.tollgate, wallMS), median(r.peer, wallMS)
		tc, pc := median(r.tollgate, cpuMS), median(r.peer, cpuMS)
		logWall += math.Log(pw1 / tw1)
		logCPU += math.Log(ratio(pc, tc))
		minWall, minCPU = math.Min(minWall, pw1/tw1), math.Min(minCPU, ratio(pc, tc))
		tgWall, peerWall, tgCPU, peerCPU = tgWall+tw1, peerWall+pw1, tgCPU+tc, peerCPU+pc
	}
	if compared > 0 {
		n := float64(compared)
		fmt.Fprintf(tw, "| **%d files: total**\t \t %.1f\t %.1f\t %.1f×\t %.1f\t %.1f\t %.1f×\t \t \t \t \t\n",
			compared, tgWall, peerWall, peerWall/tgWall, tgCPU, peerCPU, ratio(peerCPU, tgCPU))
		fmt.Fprintf(tw, "| **%d files: geomean ratio**\t \t \t \t %.1f×\t \t \t %.1f×\t \t \t \t \t\n",
			compared, math.Exp(logWall/n), math.Exp(logCPU/n))
		fmt.Fprintf(tw, "| **%d files: lowest ratio**\t \t \t \t %.1f×\t \t \t %.1f×\t \t \t \t \t\n",
			compared, minWall, minCPU)
	}
	line(corpus)
	tw.Flush()
	fmt.Fprintf(w, "\ntollgate peak RSS over the whole corpus: %.1f MB (max of %d runs); osv-scanner: %.1f MB\n",
		maxRSS(corpus.tollgate), runs, maxRSS(corpus.peer))
	fmt.Fprintf(w, "whole corpus: tollgate read %d files with packages, osv-scanner %d\n", corpus.tgFiles, corpus.peerFiles)
}

// ratio guards against a zero CPU time (rusage granularity on tiny runs).
func ratio(peer, tollgate float64) float64 {
	if tollgate <= 0 {
		return math.Inf(1)
	}
	return peer / tollgate
}

// printDiffs writes, for every input where the two tools disagree, what each
// reported that the other did not, grouped by the reason tollgate knows.
func printDiffs(w io.Writer, rows []row, examples int) {
	fmt.Fprintln(w, "\nCount differences (name@version multisets; tollgate's own source tag in brackets):")
	for _, r := range rows {
		if r.diff.empty() && r.peerErrors == "" {
			continue
		}
		fmt.Fprintf(w, "\n%s: tollgate %d, osv-scanner %d\n", r.label, r.tgCount, r.peerCount)
		r.diff.print(w, examples)
		if r.peerErrors != "" {
			fmt.Fprintf(w, "  osv-scanner stderr:\n    %s\n", strings.ReplaceAll(tail([]byte(r.peerErrors)), "\n", "\n    "))
		}
	}
}

// loadAvg is the first three fields of /proc/loadavg, or "unknown".
func loadAvg() string {
	b, err := os.ReadFile("/proc/loadavg")
	if err != nil {
		return "unknown"
	}
	f := strings.Fields(string(b))
	if len(f) < 3 {
		return "unknown"
	}
	return strings.Join(f[:3], " ") + fmt.Sprintf(" (%d CPUs)", runtime.NumCPU())
}
