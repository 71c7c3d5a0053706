// Command gen writes the popularity snapshot (snapshot.gz) that package
// popular embeds, from the shared popular-package lists (../shared/data/popular
// of the repository, see its README) and the hand-curated lists in curated/.
// Run it through `go generate ./checks/typosquat/popular`.
//
// The snapshot is text in the gzip format, stored without compression (see
// storeLevel): a line "=<ecosystem>" opens each ecosystem, then one name per
// line, most popular first; at most -top names per ecosystem are kept.
package main

import (
	"bufio"
	"bytes"
	"compress/gzip"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"strings"
)

// source is one input list of an ecosystem, in the order they are merged.
type source struct {
	ecosystem string
	file      string // relative to -data, or curated/<name> relative to the package
	curated   bool
}

// storeLevel is the gzip level of the snapshot: stored blocks, no
// compression. Every scan that runs the typosquat check loads the embedded
// snapshot, and inflating the 150 KB compressed form took 4–5 ms of the
// check's start-up (BenchmarkEmbedded: 7.2 ms compressed, well under 1 ms
// stored); stored, the binary is about 280 KB larger. The file stays gzip so
// that one format (popular.Parse) serves the embedded and refreshed
// snapshots.
const storeLevel = gzip.NoCompression

var sources = []source{
	{"npm", "npm.txt", false},
	{"npm", "npm-top-dependent.txt", false},
	{"PyPI", "pypi.txt", false},
	{"RubyGems", "rubygems.txt", false},
	{"RubyGems", "rubygems-critical.txt", false},
	// Microsoft's own ids first: the ranked list leaves out the most
	// downloaded (and most imitated) NuGet packages.
	{"NuGet", "nuget-microsoft.txt", true},
	{"NuGet", "nuget.txt", false},
	{"crates.io", "crates.txt", false},
	{"Go", "go.txt", false},
	{"Packagist", "packagist.txt", true},
	{"Pub", "pub.txt", true},
	{"GitHub Actions", "actions.txt", true},
}

func main() {
	data := flag.String("data", "", "directory of the shared popular-package lists")
	out := flag.String("out", "snapshot.gz", "snapshot file to write")
	top := flag.Int("top", 5000, "names kept per ecosystem")
	curated := flag.String("curated", "curated", "directory of the hand-curated lists")
	flag.Parse()
	if *data == "" {
		fmt.Fprintln(os.Stderr, "gen: -data is required")
		os.Exit(2)
	}
	if err := run(*data, *curated, *out, *top); err != nil {
		fmt.Fprintln(os.Stderr, "gen:", err)
		os.Exit(1)
	}
}

func run(data, curated, out string, top int) error {
	names := map[string][]string{}
	seen := map[string]map[string]bool{}
	var order []string
	for _, s := range sources {
		p := filepath.Join(data, s.file)
		if s.curated {
			p = filepath.Join(curated, s.file)
		}
		list, err := readList(p)
		if err != nil {
			return err
		}
		if seen[s.ecosystem] == nil {
			seen[s.ecosystem] = map[string]bool{}
			order = append(order, s.ecosystem)
		}
		for _, n := range list {
			key := strings.ToLower(n)
			if seen[s.ecosystem][key] || len(names[s.ecosystem]) >= top {
				continue
			}
			seen[s.ecosystem][key] = true
			names[s.ecosystem] = append(names[s.ecosystem], n)
		}
	}
	var text bytes.Buffer
	for _, eco := range order {
		fmt.Fprintf(&text, "=%s\n", eco)
		for _, n := range names[eco] {
			text.WriteString(n)
			text.WriteByte('\n')
		}
	}
	var buf bytes.Buffer
	zw, err := gzip.NewWriterLevel(&buf, storeLevel)
	if err != nil {
		return err
	}
	if _, err := zw.Write(text.Bytes()); err != nil {
		return err
	}
	if err := zw.Close(); err != nil {
		return err
	}
	if err := os.WriteFile(out, buf.Bytes(), 0o644); err != nil {
		return err
	}
	for _, eco := range order {
		fmt.Printf("%-15s %5d names\n", eco, len(names[eco]))
	}
	fmt.Printf("%s: %d bytes (%d uncompressed)\n", out, buf.Len(), text.Len())
	return nil
}

// readList reads one name per line; curated lists may hold # comments and
// blank lines.
func readList(p string) ([]string, error) {
	f, err := os.Open(p)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	var out []string
	sc := bufio.NewScanner(f)
	for line := 1; sc.Scan(); line++ {
		n := strings.TrimSpace(sc.Text())
		if n == "" || strings.HasPrefix(n, "#") {
			continue
		}
		if strings.ContainsAny(n, " \t\x00=") {
			return nil, fmt.Errorf("%s:%d: %q is not a package name", p, line, n)
		}
		out = append(out, n)
	}
	if err := sc.Err(); err != nil {
		return nil, fmt.Errorf("%s: %w", p, err)
	}
	return out, nil
}
