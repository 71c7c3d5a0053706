package poetrylock

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/tollgate-dev/tollgate/internal/shareddata"
	"github.com/tollgate-dev/tollgate/lockfiles/lockfilestest"
)

// sameAsSlow asserts that, when the fast path accepts data, it yields what
// BurntSushi/toml and the header scan yield. It reports whether the fast
// path accepted.
func sameAsSlow(t *testing.T, data []byte) bool {
	t.Helper()
	return lockfilestest.SameTOMLReadings(t, "poetry.lock", data, "package", fromTree, packageCount)
}

func TestFastPathMatchesFullDecoder(t *testing.T) {
	dir := shareddata.Path(t, "lockfiles")
	files, _ := filepath.Glob(filepath.Join(dir, "poetry-lock", "*", "poetry.lock"))
	fixtures, _ := filepath.Glob(filepath.Join(dir, "fixtures-osv-scalibr", "poetrylock", "*"))
	own, _ := filepath.Glob("testdata/*")
	// Files the fast path must take: every real poetry.lock and the generated-looking fixtures.
	mustFast := map[string]bool{}
	for _, f := range files {
		mustFast[f] = true
	}
	for _, f := range []string{"multiple-packages.v2.lock", "one-package.lock", "two-packages.lock", "source-git.lock", "one-package-with-metadata.lock", "empty.lock"} {
		mustFast[filepath.Join(dir, "fixtures-osv-scalibr", "poetrylock", f)] = true
	}
	// testdata/sources.lock has a multi-line string: it takes the slow path.
	if len(files) == 0 {
		t.Fatal("no real poetry.lock files")
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
	ml := filepath.Join(dir, "fixtures-osv-scalibr", "poetrylock", "names-outside-package-block.lock")
	if data, err := os.ReadFile(ml); err == nil && sameAsSlow(t, data) {
		t.Errorf("fast path accepted a multi-line string")
	}
}
