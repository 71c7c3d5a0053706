// Command gen builds the secrets benchmark corpus: real source text copied
// from directories on this machine (the Go tree, the module cache) until the
// corpus reaches a size, with format-valid fake secrets from every built-in
// rule planted into ordinary source files. It writes the ground truth (path,
// line span, rule) as JSON lines, outside the corpus.
package main

import (
	"bytes"
	"encoding/json"
	"flag"
	"fmt"
	"io/fs"
	"math/rand/v2"
	"os"
	"path/filepath"
	"sort"
	"strings"

	"github.com/tollgate-dev/tollgate/secrets"
	"github.com/tollgate-dev/tollgate/secrets/secretstest"
)

// isTextExt reports the source and config files copied into the corpus.
func isTextExt(ext string) bool {
	switch ext {
	case ".go", ".js", ".ts", ".py", ".json", ".yaml", ".yml", ".md", ".txt", ".c", ".h", ".s", ".rs",
		".java", ".rb", ".sh", ".toml", ".html", ".css", ".xml", ".mod", ".proto", ".cc", ".cpp", ".php",
		".cfg", ".ini", ".env":
		return true
	}
	return false
}

// truth is one planted secret.
type truth struct {
	Path      string `json:"path"`
	StartLine int    `json:"start_line"`
	EndLine   int    `json:"end_line"`
	RuleID    string `json:"rule_id"`
}

func main() {
	out := flag.String("out", "", "corpus directory to create")
	truthPath := flag.String("truth", "", "ground-truth JSON lines file to write")
	sizeMB := flag.Int("size", 110, "corpus size in MB")
	rounds := flag.Int("rounds", 5, "planted secrets per rule")
	seed := flag.Uint64("seed", 1, "random seed")
	flag.Parse()
	if *out == "" || *truthPath == "" || flag.NArg() == 0 {
		fmt.Fprintln(os.Stderr, "usage: gen -out DIR -truth FILE [-size MB] [-rounds N] SRC...")
		os.Exit(2)
	}
	if err := run(*out, *truthPath, int64(*sizeMB)<<20, *rounds, *seed, flag.Args()); err != nil {
		fmt.Fprintln(os.Stderr, "gen:", err)
		os.Exit(1)
	}
}

func run(out, truthPath string, size int64, rounds int, seed uint64, srcs []string) error {
	var total int64
	var plantable []string
	n := 0
	done := fmt.Errorf("done")
	for i, src := range srcs {
		err := filepath.WalkDir(src, func(p string, d fs.DirEntry, err error) error {
			if err != nil {
				return nil
			}
			if total >= size {
				return done
			}
			if d.IsDir() || !isTextExt(strings.ToLower(filepath.Ext(p))) {
				return nil
			}
			info, err := d.Info()
			if err != nil || info.Size() > 1<<20 || !info.Mode().IsRegular() {
				return nil
			}
			data, err := os.ReadFile(p)
			if err != nil || bytes.IndexByte(data, 0) >= 0 {
				return nil
			}
			rel, _ := filepath.Rel(src, p)
			dst := filepath.Join(fmt.Sprintf("src%d", i), rel)
			n++
			if err := os.MkdirAll(filepath.Join(out, filepath.Dir(dst)), 0o755); err != nil {
				return err
			}
			if err := os.WriteFile(filepath.Join(out, dst), data, 0o644); err != nil {
				return err
			}
			total += int64(len(data))
			// Secrets are planted where people write code: not in
			// vendored, generated, minified or lock files.
			if secrets.SkipReason(dst, data) == "" && !strings.HasSuffix(dst, ".sum") && !strings.HasSuffix(dst, ".json") {
				plantable = append(plantable, dst)
			}
			return nil
		})
		if err != nil && err != done {
			return err
		}
		if total >= size {
			break
		}
	}
	if total < size {
		return fmt.Errorf("only %d bytes of source text found, want %d", total, size)
	}
	if len(plantable) == 0 {
		return fmt.Errorf("no file to plant secrets into")
	}
	rng := rand.New(rand.NewPCG(seed, 99))
	// One file gets at most one secret, so that line numbers stay simple.
	rng.Shuffle(len(plantable), func(i, j int) { plantable[i], plantable[j] = plantable[j], plantable[i] })
	var truths []truth
	k := 0
	for r := 0; r < rounds; r++ {
		for _, p := range secretstest.All(seed + uint64(r)) {
			if k >= len(plantable) {
				break
			}
			path := plantable[k]
			k++
			t, err := plant(filepath.Join(out, path), path, p, rng)
			if err != nil {
				return err
			}
			truths = append(truths, t)
		}
	}
	sort.Slice(truths, func(i, j int) bool { return truths[i].Path < truths[j].Path })
	f, err := os.Create(truthPath)
	if err != nil {
		return err
	}
	enc := json.NewEncoder(f)
	for _, t := range truths {
		if err := enc.Encode(t); err != nil {
			f.Close()
			return err
		}
	}
	if err := f.Close(); err != nil {
		return err
	}
	fmt.Fprintf(os.Stderr, "corpus: %d files, %.1f MB, %d secrets planted\n", n, float64(total)/(1<<20), len(truths))
	return nil
}

// plant inserts p's text as whole lines at a random line of the file.
func plant(abs, rel string, p secretstest.Planted, rng *rand.Rand) (truth, error) {
	data, err := os.ReadFile(abs)
	if err != nil {
		return truth{}, err
	}
	lines := strings.SplitAfter(string(data), "\n")
	if len(lines) > 0 && lines[len(lines)-1] == "" {
		lines = lines[:len(lines)-1]
	}
	at := rng.IntN(len(lines) + 1)
	text := p.Text
	if !strings.HasSuffix(text, "\n") {
		text += "\n"
	}
	var b strings.Builder
	for _, l := range lines[:at] {
		b.WriteString(l)
	}
	if at > 0 && !strings.HasSuffix(lines[at-1], "\n") {
		b.WriteString("\n")
	}
	b.WriteString(text)
	for _, l := range lines[at:] {
		b.WriteString(l)
	}
	// The span is the planted text's lines: tools report the line where
	// their match starts, which may be context before the secret.
	start := at + 1
	end := at + strings.Count(text, "\n")
	return truth{Path: filepath.ToSlash(rel), StartLine: start, EndLine: end, RuleID: p.RuleID}, os.WriteFile(abs, []byte(b.String()), 0o644)
}
