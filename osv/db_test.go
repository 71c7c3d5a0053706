package osv

import (
	"context"
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"github.com/tollgate-dev/tollgate/osv/osvtest"
)

// writeZip writes an OSV-style all.zip with the given entries.
func writeZip(t testing.TB, path string, entries map[string]string) {
	osvtest.WriteZip(t, path, entries)
}

func buildTestDB(t testing.TB) string { return osvtest.BuildDB(t) }

// sampleAffected is osvtest's Affected.Sample of an entry decoded by LoadDB.
func sampleAffected(a *Affected) string {
	b, err := json.Marshal(a)
	if err != nil {
		panic(err)
	}
	var mirror osvtest.Affected
	if err := json.Unmarshal(b, &mirror); err != nil {
		panic(err)
	}
	return mirror.Sample()
}

func ids(vs []*Vuln) []string {
	out := []string{}
	for _, v := range vs {
		out = append(out, v.ID)
	}
	return out
}

func TestDBQuery(t *testing.T) {
	ctx := context.Background()
	db, err := LoadDB(ctx, buildTestDB(t), LoadOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if got := db.Stats(); got.Records != 10 || got.Files != 6 {
		t.Errorf("stats = %+v, want 10 records from 6 zips", got)
	}
	tests := []struct {
		eco, name, ver string
		want           []string
		fixed          string
	}{
		{"npm", "evil-pkg", "1.0.0", []string{"MAL-T-1"}, ""},
		{"npm", "evil-pkg", "7.7.7", []string{"MAL-T-1"}, ""},
		{"npm", "evil-pkg", "not a version", []string{"MAL-T-1"}, ""}, // every version
		{"npm", "evil-pkg", "", []string{"MAL-T-1"}, ""},
		{"npm", "Evil-Pkg", "1.0.0", []string{}, ""}, // npm names are case-sensitive
		{"npm", "squat-pkg", "99.2.2", []string{"MAL-T-2"}, ""},
		{"npm", "squat-pkg", "99.2.1", []string{}, ""},
		{"npm", "squat-pkg", "", []string{}, ""},
		{"npm", "express", "4.19.1", []string{"GHSA-T-3"}, "4.19.2"},
		{"npm", "express", "4.19.2", []string{}, ""},
		{"npm", "express", "5.0.0-alpha.8", []string{"GHSA-T-3"}, "5.0.0-beta.3"},
		{"npm", "express", "5.0.0-beta.3", []string{}, ""},
		{"npm", "express", "5.0.0", []string{}, ""},
		{"npm", "request", "2.88.2", []string{"GHSA-T-4"}, ""},
		{"npm", "request", "2.88.3-beta", []string{}, ""},
		{"Go", "example.com/mod", "v1.0.3", []string{"GO-T-5"}, "1.0.4-0.20180125103619-43913f2f4fbd"},
		{"Go", "example.com/mod", "v0.0.0-20170101000000-aaaaaaaaaaaa", []string{"GO-T-5"}, "1.0.4-0.20180125103619-43913f2f4fbd"},
		{"Go", "example.com/mod", "v1.0.4-0.20180125103619-43913f2f4fbd", []string{}, ""},
		{"Go", "example.com/mod", "v1.0.4", []string{}, ""},
		{"Packagist", "symfony/http-kernel", "v4.4.49", []string{"GHSA-T-6"}, "4.4.50"},
		{"Packagist", "Symfony/HTTP-Kernel", "4.4.0", []string{"GHSA-T-6"}, "4.4.50"},
		{"Packagist", "symfony/http-kernel", "v4.3.9", []string{}, ""},
		{"Packagist", "symfony/http-kernel", "v4.4.50", []string{}, ""},
		{"NuGet", "sixlabors.imagesharp", "2.1.0", []string{"GHSA-T-7"}, "3.1.3"},
		{"NuGet", "SixLabors.ImageSharp", "3.0.0", []string{"GHSA-T-7"}, "3.1.3"},
		{"NuGet", "SixLabors.ImageSharp", "3.1.3", []string{}, ""},
		{"NuGet", "2Cаptcha.API", "1.0.0", []string{"MAL-T-8"}, ""},
		{"NuGet", "2captcha.api", "1.0.0", []string{}, ""}, // ASCII is not the Cyrillic homoglyph
		{"RubyGems", "bad-gem", "1.0.0.pre", []string{"MAL-T-9"}, ""},
		{"RubyGems", "bad-gem", "1.2.3", []string{"MAL-T-9"}, ""},
		{"RubyGems", "bad-gem", "1.2.4", []string{}, ""},
		{"RubyGems", "bad-gem", "", []string{}, ""},
		{"crates.io", "old_crate", "0.1.0", []string{"RUSTSEC-T-10"}, ""},
		{"crates.io", "old-crate", "0.1.0", []string{"RUSTSEC-T-10"}, ""},
		{"PyPI", "evil-pkg", "1.0.0", []string{}, ""}, // other ecosystem
	}
	for _, tt := range tests {
		got := ids(db.Query(tt.eco, tt.name, tt.ver))
		if !reflect.DeepEqual(got, tt.want) {
			t.Errorf("Query(%s, %s, %q) = %v, want %v", tt.eco, tt.name, tt.ver, got, tt.want)
			continue
		}
		if len(got) == 1 {
			v, _ := db.Get(got[0])
			if m := Affects(v, tt.eco, tt.name, tt.ver); m.Fixed != tt.fixed {
				t.Errorf("Affects(%s, %s, %q).Fixed = %q, want %q", tt.eco, tt.name, tt.ver, m.Fixed, tt.fixed)
			}
		}
	}
}

func TestLoadDBJSONTree(t *testing.T) {
	db, err := LoadDB(context.Background(), filepath.Join("testdata", "db"), LoadOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if s := db.Stats(); s.Records != 2 || s.Withdrawn != 1 || s.Files != 3 {
		t.Errorf("stats = %+v, want 2 records, 1 withdrawn, 3 files", s)
	}
	// PEP 503: "Sample_Pkg" in one record and "sample-pkg" in the other.
	for _, tt := range []struct {
		name, ver string
		want      []string
	}{
		{"sample.pkg", "1.2", []string{"GHSA-test-aaaa-bbbb", "PYSEC-TEST-1"}},
		{"SAMPLE_PKG", "1.1rc1", []string{"GHSA-test-aaaa-bbbb", "PYSEC-TEST-1"}},
		{"sample-pkg", "0.9", []string{"GHSA-test-aaaa-bbbb"}},
		{"sample-pkg", "1.4.2", []string{}},
		{"sample-pkg", "1.4.1.0", []string{"GHSA-test-aaaa-bbbb", "PYSEC-TEST-1"}},
	} {
		if got := ids(db.Query("PyPI", tt.name, tt.ver)); !reflect.DeepEqual(got, tt.want) {
			t.Errorf("Query(PyPI, %s, %s) = %v, want %v", tt.name, tt.ver, got, tt.want)
		}
	}
	if got := db.Query("npm", "withdrawn-pkg", "1.0.0"); len(got) != 0 {
		t.Errorf("withdrawn record matched: %v", ids(got))
	}
}

func TestLoadDBLimitsAndErrors(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	big := `{"id":"GHSA-big","details":"` + strings.Repeat("x", 5000) + `"}`
	writeZip(t, filepath.Join(dir, "npm", "all.zip"), map[string]string{"GHSA-big.json": big})
	_, err := LoadDB(ctx, dir, LoadOptions{MaxEntryBytes: 1000})
	if !errors.Is(err, ErrLimit) || !strings.Contains(err.Error(), "GHSA-big.json") {
		t.Errorf("entry limit: err = %v, want ErrLimit naming the entry", err)
	}
	_, err = LoadDB(ctx, dir, LoadOptions{MaxZipBytes: 1000})
	if !errors.Is(err, ErrLimit) || !strings.Contains(err.Error(), "all.zip") {
		t.Errorf("zip limit: err = %v, want ErrLimit naming the zip", err)
	}
	_, err = LoadDB(ctx, buildTestDB(t), LoadOptions{MaxRecords: 3})
	if !errors.Is(err, ErrLimit) {
		t.Errorf("record limit: err = %v, want ErrLimit", err)
	}

	bad := t.TempDir()
	writeZip(t, filepath.Join(bad, "PyPI", "all.zip"), map[string]string{"ok.json": `{"id":"PYSEC-1"}`, "broken.json": `{"id": `})
	_, err = LoadDB(ctx, bad, LoadOptions{})
	if err == nil || !strings.Contains(err.Error(), "broken.json") || !strings.Contains(err.Error(), filepath.Join("PyPI", "all.zip")) {
		t.Errorf("malformed entry: err = %v, want an error naming zip and entry", err)
	}
	notZip := t.TempDir()
	if err := os.WriteFile(filepath.Join(notZip, "all.zip"), []byte("not a zip"), 0o644); err != nil {
		t.Fatal(err)
	}
	if _, err := LoadDB(ctx, notZip, LoadOptions{}); err == nil || !strings.Contains(err.Error(), "all.zip") {
		t.Errorf("corrupt zip: err = %v", err)
	}
	if _, err := LoadDB(ctx, filepath.Join(dir, "missing"), LoadOptions{}); err == nil {
		t.Error("missing path: no error")
	}
}
