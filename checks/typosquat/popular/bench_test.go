package popular

import "testing"

// BenchmarkEmbedded loads the embedded snapshot: the start-up cost of the
// typosquat check.
func BenchmarkEmbedded(b *testing.B) {
	b.ReportAllocs()
	for b.Loop() {
		if _, err := Embedded(); err != nil {
			b.Fatal(err)
		}
	}
}
