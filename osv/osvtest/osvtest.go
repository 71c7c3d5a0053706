// Package osvtest holds small OSV databases for tests: records shaped like
// the real ones (shared/data/osv/README.md), written as per-ecosystem
// all.zip exports.
package osvtest

import (
	"archive/zip"
	"encoding/json"
	"io"
	"os"
	"path/filepath"
	"testing"
)

// WriteZip writes an OSV-style all.zip with the given entries.
func WriteZip(t testing.TB, path string, entries map[string]string) {
	t.Helper()
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		t.Fatal(err)
	}
	f, err := os.Create(path)
	if err != nil {
		t.Fatal(err)
	}
	zw := zip.NewWriter(f)
	for name, body := range entries {
		w, err := zw.Create(name)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := w.Write([]byte(body)); err != nil {
			t.Fatal(err)
		}
	}
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	if err := f.Close(); err != nil {
		t.Fatal(err)
	}
}

// Records are test OSV records, by ecosystem, shaped like the real ones described in shared/data/osv/README.md.
var Records = map[string]map[string]string{
	"npm": {
		"MAL-T-1.json": `{"id":"MAL-T-1","modified":"2024-01-01T00:00:00Z","summary":"Malicious code in evil-pkg (npm)",
			"affected":[{"package":{"ecosystem":"npm","name":"evil-pkg"},"ranges":[{"type":"SEMVER","events":[{"introduced":"0"}]}],"versions":["1.0.0"]}]}`,
		"MAL-T-2.json": `{"id":"MAL-T-2","modified":"2024-01-01T00:00:00Z",
			"affected":[{"package":{"ecosystem":"npm","name":"squat-pkg"},"ranges":[{"type":"SEMVER","events":[{"introduced":"99.2.2"}]}]}]}`,
		"GHSA-T-3.json": `{"id":"GHSA-T-3","modified":"2024-01-01T00:00:00Z","summary":"Open redirect in express",
			"severity":[{"type":"CVSS_V3","score":"CVSS:3.1/AV:N/AC:L/PR:N/UI:R/S:U/C:L/I:L/A:N"}],
			"affected":[
			 {"package":{"ecosystem":"npm","name":"express"},"ranges":[{"type":"ECOSYSTEM","events":[{"introduced":"0"},{"fixed":"4.19.2"}]}]},
			 {"package":{"ecosystem":"npm","name":"express"},"ranges":[{"type":"ECOSYSTEM","events":[{"introduced":"5.0.0-alpha.1"},{"fixed":"5.0.0-beta.3"}]}]}]}`,
		"GHSA-T-4.json": `{"id":"GHSA-T-4","modified":"2024-01-01T00:00:00Z","severity":[],
			"affected":[{"package":{"ecosystem":"npm","name":"request"},"ranges":[{"type":"ECOSYSTEM","events":[{"introduced":"0"},{"last_affected":"2.88.2"}]}]}]}`,
	},
	"Go": {
		"GO-T-5.json": `{"id":"GO-T-5","modified":"2024-01-01T00:00:00Z",
			"affected":[{"package":{"ecosystem":"Go","name":"example.com/mod"},"ranges":[{"type":"SEMVER","events":[{"introduced":"0"},{"fixed":"1.0.4-0.20180125103619-43913f2f4fbd"}]}]}]}`,
	},
	"Packagist": {
		"GHSA-T-6.json": `{"id":"GHSA-T-6","modified":"2024-01-01T00:00:00Z",
			"affected":[{"package":{"ecosystem":"Packagist","name":"symfony/http-kernel"},"ranges":[{"type":"ECOSYSTEM","events":[{"introduced":"4.4.0"},{"fixed":"4.4.50"}]}]}]}`,
	},
	"NuGet": {
		"GHSA-T-7.json": `{"id":"GHSA-T-7","modified":"2024-01-01T00:00:00Z",
			"affected":[
			 {"package":{"ecosystem":"NuGet","name":"SixLabors.ImageSharp"},"ranges":[{"type":"ECOSYSTEM","events":[{"introduced":"0"},{"fixed":"3.1.3"}]}]},
			 {"package":{"ecosystem":"NuGet","name":"SixLabors.ImageSharp"},"ranges":[{"type":"ECOSYSTEM","events":[{"introduced":"0"},{"fixed":"2.1.7"}]}]}]}`,
		"MAL-T-8.json": `{"id":"MAL-T-8","modified":"2024-01-01T00:00:00Z",
			"affected":[{"package":{"ecosystem":"NuGet","name":"2Cаptcha.API"},"versions":["1.0.0"]}]}`,
	},
	"RubyGems": {
		"MAL-T-9.json": `{"id":"MAL-T-9","modified":"2024-01-01T00:00:00Z",
			"affected":[{"package":{"ecosystem":"RubyGems","name":"bad-gem"},"versions":["1.0.0.pre","1.2.3"]}]}`,
	},
	"crates.io": {
		"RUSTSEC-T-10.json": `{"id":"RUSTSEC-T-10","modified":"2024-01-01T00:00:00Z",
			"affected":[{"package":{"ecosystem":"crates.io","name":"old_crate"},"ranges":[{"type":"SEMVER","events":[{"introduced":"0.0.0-0"}]}],"versions":[],
			 "database_specific":{"informational":"unmaintained"}}]}`,
	},
}

// BuildDB writes Records as <Ecosystem>/all.zip under a temporary
// directory and returns it.
func BuildDB(t testing.TB) string {
	t.Helper()
	dir := t.TempDir()
	for eco, entries := range Records {
		WriteZip(t, filepath.Join(dir, eco, "all.zip"), entries)
	}
	return dir
}

// ZipEntry is one file of an all.zip, read as is.
type ZipEntry struct {
	Name string
	Data []byte
}

// ReadZip reads every entry of an all.zip, independently of the loader
// under test (osv.LoadDB), so that tests can compare with what it holds.
func ReadZip(t testing.TB, path string) []ZipEntry {
	t.Helper()
	zr, err := zip.OpenReader(path)
	if err != nil {
		t.Fatal(err)
	}
	defer zr.Close()
	var out []ZipEntry
	for _, f := range zr.File {
		rc, err := f.Open()
		if err != nil {
			t.Fatal(err)
		}
		b, err := io.ReadAll(rc)
		rc.Close()
		if err != nil {
			t.Fatal(err)
		}
		out = append(out, ZipEntry{Name: f.Name, Data: b})
	}
	return out
}

// Record is the part of an OSV record tests sample versions from, decoded
// on its own (not by the package under test).
type Record struct {
	ID       string     `json:"id"`
	Affected []Affected `json:"affected"`
}

// Affected is one affected entry of a Record.
type Affected struct {
	Package struct {
		Ecosystem string `json:"ecosystem"`
		Name      string `json:"name"`
	} `json:"package"`
	Ranges []struct {
		Events []struct {
			Introduced   string `json:"introduced"`
			Fixed        string `json:"fixed"`
			LastAffected string `json:"last_affected"`
		} `json:"events"`
	} `json:"ranges"`
	Versions []string `json:"versions"`
}

// ReadRecords decodes every entry of an all.zip as a Record.
func ReadRecords(t testing.TB, path string) []Record {
	t.Helper()
	var out []Record
	for _, e := range ReadZip(t, path) {
		var r Record
		if err := json.Unmarshal(e.Data, &r); err != nil {
			t.Fatalf("%s: %s: %v", path, e.Name, err)
		}
		out = append(out, r)
	}
	return out
}

// Sample picks a version the entry names as affected, or "" when it names
// none usable here.
func (a *Affected) Sample() string {
	opensAtZero := func(s string) bool { return s == "0" || s == "0.0.0-0" }
	if len(a.Versions) > 0 {
		return a.Versions[0]
	}
	for _, r := range a.Ranges {
		closed := false
		for _, e := range r.Events {
			closed = closed || e.Fixed != "" || e.LastAffected != ""
		}
		for _, e := range r.Events {
			switch {
			case e.Introduced != "" && !opensAtZero(e.Introduced):
				return e.Introduced
			case opensAtZero(e.Introduced) && !closed:
				return "1.0.0"
			case opensAtZero(e.Introduced):
				for _, e2 := range r.Events {
					if e2.LastAffected != "" {
						return e2.LastAffected
					}
				}
			}
		}
	}
	return ""
}

// OnlyListed reports whether the entry names its versions by list alone.
func (a *Affected) OnlyListed() bool { return len(a.Ranges) == 0 && len(a.Versions) > 0 }
