package main

import (
	"context"
	"io"
	"strings"
	"testing"

	"github.com/tollgate-dev/tollgate/cli"
	"github.com/tollgate-dev/tollgate/internal/shareddata"
	"github.com/tollgate-dev/tollgate/lockfiles"
	"github.com/tollgate-dev/tollgate/report"
)

// BenchmarkInventoryCorpus is what `tollgate inventory --format json` does on
// the whole shared corpus, in process, for CPU and memory profiles.
func BenchmarkInventoryCorpus(b *testing.B) {
	dir := shareddata.Path(b, "lockfiles")
	b.ReportAllocs()
	for b.Loop() {
		inv, err := cli.Inventory(context.Background(), []string{dir}, lockfiles.Limits{})
		if err != nil {
			b.Fatal(err)
		}
		if err := report.InventoryJSON(io.Discard, inv); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkInventoryLargest is `tollgate inventory --format json` on the
// largest files of the corpus, one at a time, in process.
func BenchmarkInventoryLargest(b *testing.B) {
	for _, rel := range []string{
		"pnpm-lock-yaml/TanStack-router/pnpm-lock.yaml",
		"yarn-lock/jestjs-jest/yarn.lock",
		"package-lock-json/eclipse-theia-theia/package-lock.json",
		"composer-lock/wallabag-wallabag/composer.lock",
	} {
		file := shareddata.Path(b, "lockfiles", rel)
		b.Run(rel[:strings.IndexByte(rel, '/')], func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				inv, err := cli.Inventory(context.Background(), []string{file}, lockfiles.Limits{})
				if err != nil {
					b.Fatal(err)
				}
				if err := report.InventoryJSON(io.Discard, inv); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
