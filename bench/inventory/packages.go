package main

import (
	"encoding/json"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"sort"
	"strings"
)

// pkg is one package entry of either tool's output, reduced to what the two
// tools share.
type pkg struct {
	ecosystem string
	name      string
	version   string
	path      string // lockfile, relative to the corpus when under it
	source    string // tollgate's source tag (local, git, url, unpinned); empty for the peer
}

// readTollgate reads `tollgate inventory --format json` output.
func readTollgate(file string) ([]pkg, error) {
	data, err := os.ReadFile(file)
	if err != nil {
		return nil, fmt.Errorf("read tollgate output: %w", err)
	}
	var out struct {
		Packages []struct {
			Ecosystem string `json:"ecosystem"`
			Name      string `json:"name"`
			Version   string `json:"version"`
			Path      string `json:"path"`
			Source    string `json:"source"`
		} `json:"packages"`
	}
	if err := json.Unmarshal(data, &out); err != nil {
		return nil, fmt.Errorf("decode tollgate output: %w", err)
	}
	pkgs := make([]pkg, 0, len(out.Packages))
	for _, p := range out.Packages {
		pkgs = append(pkgs, pkg{ecosystem: p.Ecosystem, name: p.Name, version: p.Version, path: p.Path, source: p.Source})
	}
	return pkgs, nil
}

// readPeer reads `osv-scanner scan source --format json --all-packages`
// output: results[].source.path and results[].packages[].package.
func readPeer(file, corpus string) ([]pkg, error) {
	data, err := os.ReadFile(file)
	if err != nil {
		return nil, fmt.Errorf("read osv-scanner output: %w", err)
	}
	return decodePeer(data, corpus)
}

func decodePeer(data []byte, corpus string) ([]pkg, error) {
	var out struct {
		Results []struct {
			Source struct {
				Path string `json:"path"`
			} `json:"source"`
			Packages []struct {
				Package struct {
					Name      string `json:"name"`
					Version   string `json:"version"`
					Ecosystem string `json:"ecosystem"`
				} `json:"package"`
			} `json:"packages"`
		} `json:"results"`
	}
	if err := json.Unmarshal(data, &out); err != nil {
		return nil, fmt.Errorf("decode osv-scanner output: %w", err)
	}
	var pkgs []pkg
	for _, r := range out.Results {
		p := r.Source.Path
		if rel, err := filepath.Rel(corpus, p); err == nil && !strings.HasPrefix(rel, "..") {
			p = filepath.ToSlash(rel)
		}
		for _, e := range r.Packages {
			pkgs = append(pkgs, pkg{ecosystem: e.Package.Ecosystem, name: e.Package.Name, version: e.Package.Version, path: p})
		}
	}
	return pkgs, nil
}

// countFiles is the number of distinct lockfiles the packages come from.
func countFiles(pkgs []pkg) int {
	files := map[string]bool{}
	for _, p := range pkgs {
		files[p.path] = true
	}
	return len(files)
}

// key identifies a package across the two tools: lockfile, ecosystem, name
// (PyPI names normalized per PEP 503, as the tools spell them differently)
// and version.
func key(p pkg) string {
	name := p.name
	eco := p.ecosystem
	if eco == "PyPI" {
		name = strings.ToLower(strings.NewReplacer("_", "-", ".", "-").Replace(name))
	}
	// osv-scanner may suffix the ecosystem ("Ubuntu:22.04"); keep the name.
	eco, _, _ = strings.Cut(eco, ":")
	version := p.version
	if eco == "Go" || eco == "Packagist" {
		// tollgate keeps Go's "v" (module versions are written with it) and
		// drops Packagist's (composer normalizes tags to bare versions);
		// osv-scanner does the opposite of each. Same package either way.
		version = strings.TrimPrefix(version, "v")
	}
	return p.path + "\x00" + eco + "\x00" + name + "\x00" + version
}

// countDiff is what one tool reported that the other did not.
type countDiff struct {
	// onlyTollgate by reason: tollgate's source tag, or "duplicate" when the
	// peer has the same entry fewer times, or "registry".
	onlyTollgate map[string][]pkg
	onlyPeer     map[string][]pkg
}

func (d countDiff) empty() bool { return len(d.onlyTollgate) == 0 && len(d.onlyPeer) == 0 }

// diffPackages compares the two outputs as multisets of keys.
func diffPackages(tollgate, peer []pkg) countDiff {
	d := countDiff{onlyTollgate: map[string][]pkg{}, onlyPeer: map[string][]pkg{}}
	peerCount := map[string]int{}
	tgCount := map[string]int{}
	for _, p := range peer {
		peerCount[key(p)]++
	}
	for _, p := range tollgate {
		tgCount[key(p)]++
	}
	seenTG := map[string]int{}
	for _, p := range tollgate {
		k := key(p)
		seenTG[k]++
		if seenTG[k] <= peerCount[k] {
			continue
		}
		reason := p.source
		switch {
		case (peerCount[k] > 0 || seenTG[k] > 1) && reason != "":
			reason = "duplicate, " + reason
		case peerCount[k] > 0 || seenTG[k] > 1:
			reason = "duplicate"
		case reason == "":
			reason = "registry"
		}
		d.onlyTollgate[reason] = append(d.onlyTollgate[reason], p)
	}
	seenPeer := map[string]int{}
	for _, p := range peer {
		k := key(p)
		seenPeer[k]++
		if seenPeer[k] <= tgCount[k] {
			continue
		}
		reason := "not in tollgate"
		if peerCount[k] > 1 && tgCount[k] > 0 {
			reason = "duplicate"
		}
		if p.version == "" {
			reason = "no version"
		}
		d.onlyPeer[reason] = append(d.onlyPeer[reason], p)
	}
	return d
}

// print writes the differences, a few examples per reason.
func (d countDiff) print(w io.Writer, examples int) {
	side := func(title string, m map[string][]pkg) {
		reasons := make([]string, 0, len(m))
		for r := range m {
			reasons = append(reasons, r)
		}
		sort.Strings(reasons)
		for _, r := range reasons {
			ps := m[r]
			fmt.Fprintf(w, "  %s [%s]: %d", title, r, len(ps))
			for i, p := range ps {
				if i == examples {
					fmt.Fprint(w, ", ...")
					break
				}
				sep := ", "
				if i == 0 {
					sep = ": "
				}
				fmt.Fprintf(w, "%s%s %s@%s", sep, p.ecosystem, p.name, p.version)
				if strings.Contains(p.path, "/") && i == 0 {
					fmt.Fprintf(w, " (%s)", p.path)
				}
			}
			fmt.Fprintln(w)
		}
	}
	side("only tollgate", d.onlyTollgate)
	side("only osv-scanner", d.onlyPeer)
}
