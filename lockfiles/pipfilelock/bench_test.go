package pipfilelock

import (
	"context"
	"os"
	"testing"

	"github.com/tollgate-dev/tollgate/lockfiles"
)

func benchmarkFile(b *testing.B, path string) {
	data, err := os.ReadFile(path)
	if err != nil {
		b.Fatal(err)
	}
	in := &lockfiles.Input{Path: "Pipfile.lock", Content: data, Limits: lockfiles.Limits{}.WithDefaults()}
	b.SetBytes(int64(len(data)))
	b.ReportAllocs()
	for b.Loop() {
		if _, err := (Parser{}).Parse(context.Background(), in); err != nil {
			b.Fatal(err)
		}
	}
}
