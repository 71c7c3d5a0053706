package npm

import (
	"bytes"
	"errors"
	"os"
	"path/filepath"
	"testing"

	"github.com/tollgate-dev/tollgate/registry"
)

// FuzzDecodePackument: any input decodes or fails with ErrMalformed or
// ErrTooManyVersions, never a panic, and a decoded package is indexed.
func FuzzDecodePackument(f *testing.F) {
	files, _ := filepath.Glob("testdata/*.json")
	for _, file := range files {
		b, err := os.ReadFile(file)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(b)
	}
	f.Add([]byte(`{"versions":{"1.0.0":{"dist":{"attestations":{"provenance":{"predicateType":"https://slsa.dev/provenance/v1"}}}}},"time":{"unpublished":{"versions":["2"]}}}`))
	f.Fuzz(func(t *testing.T, doc []byte) {
		p, err := Decode(bytes.NewReader(doc), 50)
		if err != nil {
			if !errors.Is(err, registry.ErrMalformed) && !errors.Is(err, registry.ErrTooManyVersions) {
				t.Fatalf("error of no kind: %v", err)
			}
			return
		}
		for i := range p.Versions {
			if v, ok := p.Version(p.Versions[i].Version); !ok || v.Version != p.Versions[i].Version {
				t.Fatalf("version %q not indexed", p.Versions[i].Version)
			}
		}
	})
}
