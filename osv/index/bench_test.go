package index

import (
	"archive/zip"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"testing"

	"github.com/tollgate-dev/tollgate/internal/shareddata"
	"github.com/tollgate-dev/tollgate/lockfiles"
	lockfilesall "github.com/tollgate-dev/tollgate/lockfiles/all"
	"github.com/tollgate-dev/tollgate/osv"
)

// benchQueries are the registry packages of the largest shared pnpm
// lockfile (about 2,600), as the osv check asks them.
func benchQueries(b *testing.B) []osv.Query {
	b.Helper()
	p := shareddata.Path(b, "lockfiles", "pnpm-lock-yaml", "TanStack-router", "pnpm-lock.yaml")
	content, err := os.ReadFile(p)
	if err != nil {
		b.Fatal(err)
	}
	var pkgs []lockfiles.Package
	for _, parser := range lockfilesall.Parsers() {
		if parser.Match("pnpm-lock.yaml") {
			pkgs, err = parser.Parse(context.Background(), &lockfiles.Input{Path: "pnpm-lock.yaml", Content: content, Limits: lockfiles.Limits{}.WithDefaults()})
			if err != nil {
				b.Fatal(err)
			}
			break
		}
	}
	if len(pkgs) < 1000 {
		b.Fatalf("%d packages parsed from %s", len(pkgs), p)
	}
	var qs []osv.Query
	for _, pk := range pkgs {
		qs = append(qs, osv.Query{Ecosystem: pk.Ecosystem, Name: pk.Name, Version: pk.Version})
	}
	return qs
}

func benchDB(b *testing.B) string {
	b.Helper()
	dir := b.TempDir()
	src := filepath.Join(shareddata.Path(b, "osv", "malicious"), "npm", "all.zip")
	data, err := os.ReadFile(src)
	if err != nil {
		b.Fatal(err)
	}
	os.MkdirAll(filepath.Join(dir, "npm"), 0o755)
	if err := os.WriteFile(filepath.Join(dir, "npm", "all.zip"), data, 0o644); err != nil {
		b.Fatal(err)
	}
	return dir
}

// BenchmarkIndexBuild is the one-time build over the shared npm export.
func BenchmarkIndexBuild(b *testing.B) {
	dir := benchDB(b)
	for b.Loop() {
		os.Remove(filepath.Join(dir, "npm", "all.zip"+Suffix))
		db, err := Open(context.Background(), dir, Options{})
		if err != nil {
			b.Fatal(err)
		}
		db.Close()
	}
}

// BenchmarkIndexOpenAndLookup is what a scan pays: open a built index
// (stat, read, check) and look up a 2,600-package lockfile.
func BenchmarkIndexOpenAndLookup(b *testing.B) {
	dir := benchDB(b)
	qs := benchQueries(b)
	if db, err := Open(context.Background(), dir, Options{}); err != nil {
		b.Fatal(err)
	} else {
		db.Close()
	}
	b.ResetTimer()
	for b.Loop() {
		db, err := Open(context.Background(), dir, Options{})
		if err != nil {
			b.Fatal(err)
		}
		if _, err := db.Answer(context.Background(), qs); err != nil {
			b.Fatal(err)
		}
		db.Close()
	}
}

// BenchmarkIndexLookup is the lookup alone, on an open index.
func BenchmarkIndexLookup(b *testing.B) {
	dir := benchDB(b)
	qs := benchQueries(b)
	db, err := Open(context.Background(), dir, Options{})
	if err != nil {
		b.Fatal(err)
	}
	defer db.Close()
	for b.Loop() {
		if _, err := db.Answer(context.Background(), qs); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkLoadDBAndLookup is the same scan through the in-memory LoadDB,
// for comparison.
func BenchmarkLoadDBAndLookup(b *testing.B) {
	dir := benchDB(b)
	qs := benchQueries(b)
	for b.Loop() {
		db, err := osv.LoadDB(context.Background(), dir, osv.LoadOptions{})
		if err != nil {
			b.Fatal(err)
		}
		if _, err := db.Answer(context.Background(), qs); err != nil {
			b.Fatal(err)
		}
	}
}

// synthDB writes an npm export of n records: the real ones, then copies of
// them in turn under new ids and package names (the shapes stay real).
func synthDB(b *testing.B, n int) string {
	b.Helper()
	dir := benchDB(b)
	zipPath := filepath.Join(dir, "npm", "all.zip")
	zr, err := zip.OpenReader(zipPath)
	if err != nil {
		b.Fatal(err)
	}
	var real [][]byte
	for _, f := range zr.File {
		rc, _ := f.Open()
		data, _ := io.ReadAll(rc)
		rc.Close()
		real = append(real, data)
	}
	zr.Close()
	out, err := os.Create(zipPath)
	if err != nil {
		b.Fatal(err)
	}
	zw := zip.NewWriter(out)
	for i := range n {
		data := real[i%len(real)]
		if i >= len(real) {
			var rec map[string]any
			json.Unmarshal(data, &rec)
			rec["id"] = fmt.Sprintf("MAL-SYNTH-%07d", i)
			delete(rec, "aliases")
			for _, a := range rec["affected"].([]any) {
				p := a.(map[string]any)["package"].(map[string]any)
				p["name"] = fmt.Sprintf("%v-synth-%d", p["name"], i)
			}
			data, _ = json.Marshal(rec)
		}
		w, _ := zw.Create(fmt.Sprintf("%d.json", i))
		w.Write(data)
	}
	zw.Close()
	out.Close()
	return dir
}

// BenchmarkIndexOpenAndLookup250k is BenchmarkIndexOpenAndLookup against a
// synthetic export of 250,000 records: the scaling target is at most 1.3×.
func BenchmarkIndexOpenAndLookup250k(b *testing.B) {
	dir := synthDB(b, 250_000)
	qs := benchQueries(b)
	if db, err := Open(context.Background(), dir, Options{}); err != nil {
		b.Fatal(err)
	} else {
		db.Close()
	}
	b.ResetTimer()
	for b.Loop() {
		db, err := Open(context.Background(), dir, Options{})
		if err != nil {
			b.Fatal(err)
		}
		if _, err := db.Answer(context.Background(), qs); err != nil {
			b.Fatal(err)
		}
		db.Close()
	}
}
