// Command content measures the content check's false alarms on real benign
// updates: for the most downloaded npm packages it downloads the latest
// version and the one before it from the npm registry, verifies both
// against the registry's integrity, and runs the analyser on the pair (timed
// apart), then the whole content check on the update as a pull request
// would bring it (fetch, verify, diff, analyser and the secrets engine on
// what the new version adds). It prints each package with a finding and the
// count of packages with a medium-or-higher finding from the check.
//
// Run it through run.sh; it needs the network (the npm registry) and is not
// a test.
package main

import (
	"bufio"
	"context"
	"crypto/sha512"
	"encoding/base64"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"os"
	"sort"
	"strings"
	"time"

	"golang.org/x/mod/semver"

	"github.com/tollgate-dev/tollgate/checks/content"
	"github.com/tollgate-dev/tollgate/checks/content/analyze"
	"github.com/tollgate-dev/tollgate/checks/content/archive"
	"github.com/tollgate-dev/tollgate/lockfiles"
	"github.com/tollgate-dev/tollgate/scanner"
)

func main() {
	list := flag.String("list", "", "file of npm package names, most popular first")
	n := flag.Int("n", 100, "packages to measure")
	registry := flag.String("registry", "https://registry.npmjs.org", "npm registry")
	flag.Parse()
	names, err := readNames(*list)
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(2)
	}
	client := &http.Client{Timeout: 60 * time.Second}
	check := content.New(content.Options{HTTPClient: client, NPMRegistry: *registry})
	var measured, flagged int
	var analysed time.Duration
	var bytesIn int64
	for _, name := range names {
		if measured >= *n {
			break
		}
		prev, latest, err := pair(client, *registry, name)
		if err != nil {
			fmt.Printf("skip %s: %v\n", name, err)
			continue
		}
		oldData, err := fetch(client, prev.Dist.Tarball, prev.Dist.Integrity)
		if err != nil {
			fmt.Printf("skip %s %s: %v\n", name, prev.Version, err)
			continue
		}
		newData, err := fetch(client, latest.Dist.Tarball, latest.Dist.Integrity)
		if err != nil {
			fmt.Printf("skip %s %s: %v\n", name, latest.Version, err)
			continue
		}
		start := time.Now()
		oldA, err1 := archive.Read(oldData, archive.Limits{})
		newA, err2 := archive.Read(newData, archive.Limits{})
		if err1 != nil || err2 != nil {
			fmt.Printf("skip %s: %v %v\n", name, err1, err2)
			continue
		}
		results := analyze.Analyze(oldA, newA)
		analysed += time.Since(start)
		bytesIn += newA.Size + oldA.Size
		measured++
		for _, r := range results {
			if r.Severity == "critical" || r.Severity == "high" || r.Severity == "medium" {
				fmt.Printf("ANALYSER %s %s -> %s: %s %s in %s: %s (%s)\n", name, prev.Version, latest.Version, r.Severity, r.Rule, r.File, r.Summary, r.Evidence)
			}
		}
		// The whole check, as a pull request updating the package runs it.
		pkg := func(v version) lockfiles.Package {
			return lockfiles.Package{Ecosystem: lockfiles.EcosystemNPM, Name: name, Version: v.Version, Path: "package-lock.json", Line: 1,
				Source: lockfiles.SourceRegistry, Resolved: v.Dist.Tarball, Integrity: v.Dist.Integrity,
				PURL: lockfiles.PURL(lockfiles.EcosystemNPM, name, v.Version, nil)}
		}
		before := pkg(prev)
		in := &scanner.Input{Mode: scanner.ModePullRequest, Changes: []lockfiles.Change{{Kind: lockfiles.ChangeUpdated, Package: pkg(latest), Previous: &before}}}
		in.Packages = []lockfiles.Package{in.Changes[0].Package}
		fs, skipped, err := check.Run(context.Background(), in)
		if err != nil || len(skipped) > 0 {
			fmt.Printf("check skipped %s: %v %+v\n", name, err, skipped)
		}
		worst := ""
		for _, f := range fs {
			if f.Severity == "critical" || f.Severity == "high" || f.Severity == "medium" {
				worst = f.Severity
				fmt.Printf("FINDING %s %s -> %s: %s %s: %s\n", name, prev.Version, latest.Version, f.Severity, f.RuleID, f.Message)
			}
		}
		if worst != "" {
			flagged++
		}
	}
	fmt.Printf("packages measured: %d; with a medium-or-higher finding: %d; analysis %.0f ms for %.1f MB (unpacked, both versions)\n",
		measured, flagged, float64(analysed.Microseconds())/1000, float64(bytesIn)/1e6)
}

func readNames(p string) ([]string, error) {
	f, err := os.Open(p)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	var out []string
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		if s := strings.TrimSpace(sc.Text()); s != "" {
			out = append(out, s)
		}
	}
	return out, sc.Err()
}

type version struct {
	Version string `json:"version"`
	Dist    struct {
		Tarball   string `json:"tarball"`
		Integrity string `json:"integrity"`
	} `json:"dist"`
}

// pair returns the latest version and the release before it.
func pair(c *http.Client, registry, name string) (prev, latest version, err error) {
	resp, err := c.Get(strings.TrimSuffix(registry, "/") + "/" + url.PathEscape(name))
	if err != nil {
		return prev, latest, err
	}
	defer resp.Body.Close()
	if resp.StatusCode != 200 {
		return prev, latest, fmt.Errorf("HTTP %d", resp.StatusCode)
	}
	var doc struct {
		DistTags map[string]string  `json:"dist-tags"`
		Versions map[string]version `json:"versions"`
	}
	if err := json.NewDecoder(io.LimitReader(resp.Body, 512<<20)).Decode(&doc); err != nil {
		return prev, latest, err
	}
	l, ok := doc.Versions[doc.DistTags["latest"]]
	if !ok {
		return prev, latest, fmt.Errorf("no latest version")
	}
	var older []string
	for v := range doc.Versions {
		if semver.IsValid("v"+v) && semver.Prerelease("v"+v) == "" && semver.Compare("v"+v, "v"+l.Version) < 0 {
			older = append(older, v)
		}
	}
	if len(older) == 0 {
		return prev, latest, fmt.Errorf("no earlier release")
	}
	sort.Slice(older, func(i, j int) bool { return semver.Compare("v"+older[i], "v"+older[j]) < 0 })
	return doc.Versions[older[len(older)-1]], l, nil
}

func fetch(c *http.Client, u, integrity string) ([]byte, error) {
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, u, nil)
	if err != nil {
		return nil, err
	}
	resp, err := c.Do(req)
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	data, err := io.ReadAll(io.LimitReader(resp.Body, 256<<20))
	if err != nil {
		return nil, err
	}
	if strings.HasPrefix(integrity, "sha512-") {
		sum := sha512.Sum512(data)
		if "sha512-"+base64.StdEncoding.EncodeToString(sum[:]) != integrity {
			return nil, fmt.Errorf("integrity mismatch")
		}
	}
	return data, nil
}
