package main

import (
	"context"
	"io"
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
