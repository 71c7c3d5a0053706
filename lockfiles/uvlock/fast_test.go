package uvlock

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/tollgate-dev/tollgate/internal/shareddata"
	"github.com/tollgate-dev/tollgate/lockfiles"
	"github.com/tollgate-dev/tollgate/lockfiles/lockfilestest"
	"github.com/tollgate-dev/tollgate/lockfiles/tomltree"
)

// sameAsSlow asserts that, when the fast path accepts data, it yields what
// BurntSushi/toml and the header scan yield. It reports whether the fast
// path accepted.
func sameAsSlow(t *testing.T, data []byte) bool {
	t.Helper()
	return lockfilestest.SameTOMLReadings(t, "uv.lock", data, "package", fromTree, packageCount)
}

func TestFastPathMatchesFullDecoder(t *testing.T) {
	dir := shareddata.Path(t, "lockfiles")
	files, _ := filepath.Glob(filepath.Join(dir, "uv-lock", "*", "uv.lock"))
	fixtures, _ := filepath.Glob(filepath.Join(dir, "fixtures-osv-scalibr", "uvlock", "*"))
	own, _ := filepath.Glob("testdata/*")
	// Files the fast path must take: every real uv.lock and the generated-looking fixtures.
	mustFast := map[string]bool{}
	for _, f := range files {
		mustFast[f] = true
	}
	for _, f := range []string{"grouped-packages.lock", "one-package.lock", "two-packages.lock", "source-git.lock", "no-dependencies.lock"} {
		mustFast[filepath.Join(dir, "fixtures-osv-scalibr", "uvlock", f)] = true
	}
	mustFast["testdata/workspace.lock"] = true
	if len(files) == 0 {
		t.Fatal("no real uv.lock files")
	}
	for _, f := range append(append(files, fixtures...), own...) {
		data, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		if fast := sameAsSlow(t, data); mustFast[f] && !fast {
			t.Errorf("%s: fast path declined", f)
		}
	}
	// Outside the subset: a multi-line string falls back (and still parses).
	ml := filepath.Join(dir, "fixtures-osv-scalibr", "uvlock", "names-outside-package-block.lock")
	if data, err := os.ReadFile(ml); err == nil && sameAsSlow(t, data) {
		t.Errorf("fast path accepted a multi-line string")
	}
}

// BenchmarkDecodeFullTOML measures the BurntSushi/toml path alone, the way
// osv-scalibr's uv.lock extractor decodes, for comparison with
// BenchmarkParseUvLock.
func BenchmarkDecodeFullTOML(b *testing.B) {
	path := shareddata.Path(b, "lockfiles", "uv-lock", "pydantic-pydantic", "uv.lock")
	data, err := os.ReadFile(path)
	if err != nil {
		b.Fatal(err)
	}
	in := &lockfiles.Input{Path: "uv.lock", Content: data, Limits: lockfiles.Limits{}.WithDefaults()}
	b.SetBytes(int64(len(data)))
	b.ReportAllocs()
	for b.Loop() {
		if _, _, err := tomltree.Full(in, "package", packageCount); err != nil {
			b.Fatal(err)
		}
	}
}
