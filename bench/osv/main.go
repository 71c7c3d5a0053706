// Command osv times offline OSV lookups: `tollgate scan --offline --osv-db`
// against osv-scanner v2.6.0 with --offline-vulnerabilities, on the largest
// package-lock.json, pnpm-lock.yaml and yarn.lock of the shared corpus,
// against the same database, in one run: the shared malicious-package npm
// export (about 21,000 records) and a synthetic npm export of 250,000
// records generated from its real record shapes. tollgate's one-time index
// build is timed apart, before the scans.
//
// Both tools run as child processes, interleaved (tollgate, peer, ...) so
// that both see the same machine load; the median wall time of the runs is
// reported with the peak RSS and the malicious findings of each tool.
// run.sh builds both binaries and calls this program.
package main

import (
	"archive/zip"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"sort"
	"strings"
	"syscall"
	"text/tabwriter"
	"time"

	"github.com/tollgate-dev/tollgate/osv/index"
)

func main() {
	if err := run(os.Args[1:], os.Stdout); err != nil {
		fmt.Fprintln(os.Stderr, "bench/osv:", err)
		os.Exit(1)
	}
}

type options struct {
	tollgate, peer, malicious, corpus, work string
	runs, synth                             int
	measure, stageOnly                      bool
}

func run(args []string, stdout io.Writer) error {
	var o options
	fl := flag.NewFlagSet("osv", flag.ContinueOnError)
	fl.StringVar(&o.tollgate, "tollgate", "", "tollgate binary")
	fl.StringVar(&o.peer, "peer", "", "osv-scanner binary")
	fl.StringVar(&o.malicious, "malicious", "", "shared malicious-package exports (../shared/data/osv/malicious)")
	fl.StringVar(&o.corpus, "corpus", "", "lockfile corpus (../shared/data/lockfiles)")
	fl.StringVar(&o.work, "work", "", "scratch directory")
	fl.IntVar(&o.runs, "runs", 5, "runs of each command; the median is reported")
	fl.IntVar(&o.synth, "synth", 250_000, "records of the synthetic npm export")
	fl.BoolVar(&o.measure, "measure", false, "internal: time the databases staged in -work (a fresh process, so that the children's peak RSS is not the stager's)")
	fl.BoolVar(&o.stageOnly, "stage-only", false, "write the databases and their indexes into -work, time the build, and stop")
	if err := fl.Parse(args); err != nil {
		return err
	}
	if o.tollgate == "" || o.peer == "" || o.malicious == "" || o.corpus == "" || o.work == "" {
		return errors.New("-tollgate, -peer, -malicious, -corpus and -work are required")
	}
	files, err := largest(o.corpus, []string{"package-lock-json", "pnpm-lock-yaml", "yarn-lock"})
	if err != nil {
		return err
	}
	stagePath := filepath.Join(o.work, "stage.json")
	if !o.measure {
		dbs, err := stage(o, stdout)
		if err != nil {
			return err
		}
		b, _ := json.Marshal(dbs)
		if err := os.WriteFile(stagePath, b, 0o644); err != nil {
			return err
		}
		if o.stageOnly {
			return nil
		}
		// Linux reports a child's peak RSS as at least its parent's at the
		// fork: time the children from a fresh, small process.
		self, err := os.Executable()
		if err != nil {
			return err
		}
		cmd := exec.Command(self, append(args, "-measure")...)
		cmd.Stdout, cmd.Stderr = stdout, os.Stderr
		return cmd.Run()
	}
	var dbs []*db
	b, err := os.ReadFile(stagePath)
	if err != nil {
		return fmt.Errorf("staged databases: %w", err)
	}
	if err := json.Unmarshal(b, &dbs); err != nil {
		return fmt.Errorf("staged databases: %w", err)
	}
	fmt.Fprintf(stdout, "load average at start: %s\n", loadAvg())
	r := &runner{o: o, env: baseEnv()}
	var rows []row
	for _, d := range dbs {
		for _, f := range files {
			rw, err := r.measure(f, d)
			if err != nil {
				return err
			}
			rows = append(rows, rw)
		}
	}
	fmt.Fprintf(stdout, "load average at end:   %s\n\n", loadAvg())
	printTable(stdout, rows, o.runs)
	return nil
}

// stage writes both databases and builds tollgate's index of each, timed.
func stage(o options, stdout io.Writer) ([]*db, error) {
	real := filepath.Join(o.malicious, "npm", "all.zip")
	small, err := stageDB(o.work, "db-real", func(w string) (int, error) { return copyFile(real, w) })
	if err != nil {
		return nil, err
	}
	large, err := stageDB(o.work, "db-synth", func(w string) (int, error) { return synthesize(real, w, o.synth) })
	if err != nil {
		return nil, err
	}
	dbs := []*db{small, large}
	for _, d := range dbs {
		start := time.Now()
		idx, err := index.Open(context.Background(), d.Dir, index.Options{Beside: true})
		if err != nil {
			return nil, fmt.Errorf("index %s: %w", d.Dir, err)
		}
		d.Build = time.Since(start)
		st := idx.Stats()
		idx.Close()
		if fi, err := os.Stat(filepath.Join(d.Dir, "npm", "all.zip"+index.Suffix)); err == nil {
			d.IndexBytes = fi.Size()
		}
		fmt.Fprintf(stdout, "index build, %d records: %s (%d package names, index %d bytes)\n", d.Records, d.Build.Round(time.Millisecond), st.Packages, d.IndexBytes)
	}
	return dbs, nil
}

// db is one staged database: tollgate's --osv-db directory and osv-scanner's
// cache directory, holding the same all.zip.
type db struct {
	Dir        string // tollgate: <Dir>/npm/all.zip
	PeerCache  string // osv-scanner: <PeerCache>/osv-scalibr/npm/all.zip
	Records    int
	Build      time.Duration
	IndexBytes int64
}

func stageDB(work, name string, write func(dst string) (int, error)) (*db, error) {
	d := &db{Dir: filepath.Join(work, name), PeerCache: filepath.Join(work, name+"-peer")}
	zipPath := filepath.Join(d.Dir, "npm", "all.zip")
	if err := os.MkdirAll(filepath.Dir(zipPath), 0o755); err != nil {
		return nil, err
	}
	n, err := write(zipPath)
	if err != nil {
		return nil, fmt.Errorf("stage %s: %w", name, err)
	}
	d.Records = n
	peerZip := filepath.Join(d.PeerCache, "osv-scalibr", "npm", "all.zip")
	if err := os.MkdirAll(filepath.Dir(peerZip), 0o755); err != nil {
		return nil, err
	}
	if _, err := copyFile(zipPath, peerZip); err != nil {
		return nil, err
	}
	return d, nil
}

// copyFile copies an export and returns its record count.
func copyFile(src, dst string) (int, error) {
	b, err := os.ReadFile(src)
	if err != nil {
		return 0, err
	}
	if err := os.WriteFile(dst, b, 0o644); err != nil {
		return 0, err
	}
	zr, err := zip.NewReader(bytes.NewReader(b), int64(len(b)))
	if err != nil {
		return 0, err
	}
	return len(zr.File), nil
}

// synthesize writes an npm export of n records: the real ones, then copies
// of them (in turn) under new ids and package names, so that the shapes
// (ranges, version lists, sizes) are the real ones and no copy names a
// package of the lockfiles.
func synthesize(src, dst string, n int) (int, error) {
	zr, err := zip.OpenReader(src)
	if err != nil {
		return 0, err
	}
	defer zr.Close()
	var real [][]byte
	for _, f := range zr.File {
		rc, err := f.Open()
		if err != nil {
			return 0, err
		}
		b, err := io.ReadAll(rc)
		rc.Close()
		if err != nil {
			return 0, err
		}
		real = append(real, b)
	}
	out, err := os.Create(dst)
	if err != nil {
		return 0, err
	}
	zw := zip.NewWriter(out)
	write := func(name string, b []byte) error {
		w, err := zw.Create(name)
		if err != nil {
			return err
		}
		_, err = w.Write(b)
		return err
	}
	for i, b := range real {
		if i >= n {
			break
		}
		var rec struct {
			ID string `json:"id"`
		}
		json.Unmarshal(b, &rec)
		if err := write(rec.ID+".json", b); err != nil {
			return 0, err
		}
	}
	for i := len(real); i < n; i++ {
		var rec map[string]any
		if err := json.Unmarshal(real[i%len(real)], &rec); err != nil {
			return 0, err
		}
		id := fmt.Sprintf("MAL-SYNTH-%07d", i)
		rec["id"] = id
		delete(rec, "aliases")
		if aff, ok := rec["affected"].([]any); ok {
			for _, a := range aff {
				if am, ok := a.(map[string]any); ok {
					if p, ok := am["package"].(map[string]any); ok {
						p["name"] = fmt.Sprintf("%v-synth-%d", p["name"], i)
						delete(p, "purl")
					}
				}
			}
		}
		b, err := json.Marshal(rec)
		if err != nil {
			return 0, err
		}
		if err := write(id+".json", b); err != nil {
			return 0, err
		}
	}
	if err := zw.Close(); err != nil {
		return 0, err
	}
	return max(n, 0), out.Close()
}

// lockfile is one input file.
type lockfile struct {
	format, path string
	size         int64
}

// largest returns the largest file of each corpus format directory.
func largest(corpus string, formats []string) ([]lockfile, error) {
	var out []lockfile
	for _, f := range formats {
		var best lockfile
		err := filepath.Walk(filepath.Join(corpus, f), func(p string, info os.FileInfo, err error) error {
			if err != nil {
				return err
			}
			if info.Mode().IsRegular() && info.Size() > best.size {
				best = lockfile{format: f, path: p, size: info.Size()}
			}
			return nil
		})
		if err != nil {
			return nil, err
		}
		if best.path == "" {
			return nil, fmt.Errorf("no %s file in %s", f, corpus)
		}
		out = append(out, best)
	}
	return out, nil
}

// trapProxy is a proxy address nothing listens on: a network attempt by
// either tool fails with an error naming it, which aborts the run.
const trapProxy = "http://127.0.0.1:9"

func baseEnv() []string {
	var env []string
	for _, kv := range os.Environ() {
		k, _, _ := strings.Cut(kv, "=")
		switch strings.ToUpper(k) {
		case "HTTP_PROXY", "HTTPS_PROXY", "ALL_PROXY", "NO_PROXY", "OSV_SCANNER_LOCAL_DB_CACHE_DIRECTORY":
			continue
		}
		env = append(env, kv)
	}
	return append(env, "HTTP_PROXY="+trapProxy, "HTTPS_PROXY="+trapProxy, "ALL_PROXY="+trapProxy,
		"http_proxy="+trapProxy, "https_proxy="+trapProxy)
}

type measurement struct {
	wall  time.Duration
	rssKB int64
}

type row struct {
	file               lockfile
	db                 *db
	tollgate, peer     []measurement
	tgFound, peerFound int
}

type runner struct {
	o   options
	env []string
}

func (r *runner) measure(f lockfile, d *db) (row, error) {
	rw := row{file: f, db: d}
	tg := []string{r.o.tollgate, "scan", "--offline", "--osv-db", d.Dir, "--format", "json", "--fail-on", "none", f.path}
	peer := []string{r.o.peer, "scan", "source", "--offline-vulnerabilities", "--no-call-analysis=all", "--format", "json", "-L", f.path}
	peerEnv := append(append([]string(nil), r.env...), "OSV_SCANNER_LOCAL_DB_CACHE_DIRECTORY="+d.PeerCache)
	var tgOut, peerOut []byte
	for i := 0; i < r.o.runs; i++ {
		m, out, code, err := r.exec(tg, r.env)
		if err != nil || code != 0 {
			return rw, fmt.Errorf("tollgate on %s: exit %d: %v", f.path, code, err)
		}
		rw.tollgate, tgOut = append(rw.tollgate, m), out
		m, out, code, err = r.exec(peer, peerEnv)
		if err != nil || (code != 0 && code != 1) {
			return rw, fmt.Errorf("osv-scanner on %s: exit %d: %v", f.path, code, err)
		}
		rw.peer, peerOut = append(rw.peer, m), out
	}
	var err error
	if rw.tgFound, err = tollgateMalicious(tgOut); err != nil {
		return rw, err
	}
	if rw.peerFound, err = peerMalicious(peerOut); err != nil {
		return rw, err
	}
	return rw, nil
}

func (r *runner) exec(argv, env []string) (measurement, []byte, int, error) {
	var stdout, stderr bytes.Buffer
	cmd := exec.Command(argv[0], argv[1:]...)
	cmd.Stdout, cmd.Stderr, cmd.Env, cmd.Dir = &stdout, &stderr, env, r.o.work
	start := time.Now()
	err := cmd.Run()
	wall := time.Since(start)
	if cmd.ProcessState == nil {
		return measurement{}, nil, 0, fmt.Errorf("run %s: %w", argv[0], err)
	}
	if bytes.Contains(stderr.Bytes(), []byte("127.0.0.1:9")) {
		return measurement{}, nil, 0, fmt.Errorf("%s attempted a network connection: %s", strings.Join(argv, " "), stderr.String())
	}
	m := measurement{wall: wall}
	if ru, ok := cmd.ProcessState.SysUsage().(*syscall.Rusage); ok {
		m.rssKB = ru.Maxrss
	}
	if code := cmd.ProcessState.ExitCode(); code != 0 && code != 1 {
		return m, stdout.Bytes(), code, fmt.Errorf("%s", strings.TrimSpace(stderr.String()))
	}
	return m, stdout.Bytes(), cmd.ProcessState.ExitCode(), nil
}

// tollgateMalicious counts distinct packages with a malicious-package finding.
func tollgateMalicious(out []byte) (int, error) {
	var doc struct {
		Findings []struct {
			RuleID  string `json:"rule_id"`
			Package string `json:"package"`
		} `json:"findings"`
	}
	if err := json.Unmarshal(out, &doc); err != nil {
		return 0, fmt.Errorf("tollgate output: %w", err)
	}
	set := map[string]bool{}
	for _, f := range doc.Findings {
		if f.RuleID == "malicious-package" {
			set[f.Package] = true
		}
	}
	return len(set), nil
}

// peerMalicious counts distinct packages osv-scanner reports with a MAL- record.
func peerMalicious(out []byte) (int, error) {
	var doc struct {
		Results []struct {
			Packages []struct {
				Package struct {
					Name    string `json:"name"`
					Version string `json:"version"`
				} `json:"package"`
				Vulnerabilities []struct {
					ID string `json:"id"`
				} `json:"vulnerabilities"`
			} `json:"packages"`
		} `json:"results"`
	}
	if len(bytes.TrimSpace(out)) == 0 {
		return 0, nil
	}
	if err := json.Unmarshal(out, &doc); err != nil {
		return 0, fmt.Errorf("osv-scanner output: %w", err)
	}
	set := map[string]bool{}
	for _, r := range doc.Results {
		for _, p := range r.Packages {
			for _, v := range p.Vulnerabilities {
				if strings.HasPrefix(v.ID, "MAL-") {
					set[p.Package.Name+"@"+p.Package.Version] = true
				}
			}
		}
	}
	return len(set), nil
}

func medianMS(ms []measurement) float64 {
	v := make([]float64, len(ms))
	for i, m := range ms {
		v[i] = float64(m.wall) / 1e6
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

func maxRSSMB(ms []measurement) float64 {
	var m int64
	for _, x := range ms {
		m = max(m, x.rssKB)
	}
	return float64(m) / 1024
}

func printTable(w io.Writer, rows []row, runs int) {
	tw := tabwriter.NewWriter(w, 0, 0, 1, ' ', 0)
	fmt.Fprintf(tw, "| file\t| db records\t| tollgate ms\t| osv-scanner ms\t| ratio\t| tollgate RSS MB\t| osv-scanner RSS MB\t| malicious pkgs tollgate / osv-scanner\t|\n")
	fmt.Fprintf(tw, "|---\t|---:\t|---:\t|---:\t|---:\t|---:\t|---:\t|---:\t|\n")
	for _, r := range rows {
		tg, peer := medianMS(r.tollgate), medianMS(r.peer)
		fmt.Fprintf(tw, "| %s\t| %d\t| %.0f\t| %.0f\t| %.1f×\t| %.0f\t| %.0f\t| %d / %d\t|\n",
			filepath.Base(filepath.Dir(r.file.path))+"/"+filepath.Base(r.file.path), r.db.Records, tg, peer, peer/max(tg, 0.001), maxRSSMB(r.tollgate), maxRSSMB(r.peer), r.tgFound, r.peerFound)
	}
	tw.Flush()
	fmt.Fprintf(w, "\nmedian of %d interleaved runs; ratio = osv-scanner / tollgate.\n\nscaling (time against the larger database / time against the real one):\n", runs)
	byFile := map[string][]row{}
	var order []string
	for _, r := range rows {
		if _, ok := byFile[r.file.path]; !ok {
			order = append(order, r.file.path)
		}
		byFile[r.file.path] = append(byFile[r.file.path], r)
	}
	for _, f := range order {
		rs := byFile[f]
		if len(rs) < 2 {
			continue
		}
		a, b := rs[0], rs[len(rs)-1]
		fmt.Fprintf(w, "- %s: tollgate %.2f× (%.0f → %.0f ms), osv-scanner %.2f× (%.0f → %.0f ms)\n", filepath.Base(filepath.Dir(f)),
			medianMS(b.tollgate)/medianMS(a.tollgate), medianMS(a.tollgate), medianMS(b.tollgate),
			medianMS(b.peer)/medianMS(a.peer), medianMS(a.peer), medianMS(b.peer))
	}
}

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
