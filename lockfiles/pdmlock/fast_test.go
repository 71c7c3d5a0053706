package pdmlock

import (
	"os"
	"path/filepath"
	"reflect"
	"testing"

	"github.com/tollgate-dev/tollgate/internal/shareddata"
	"github.com/tollgate-dev/tollgate/lockfiles"
	"github.com/tollgate-dev/tollgate/lockfiles/tomltree"
)

// sameAsSlow asserts that, when the fast path accepts data, it yields what
// BurntSushi/toml and the header scan yield. It reports whether the fast
// path accepted.
func sameAsSlow(t *testing.T, data []byte) bool {
	t.Helper()
	in := &lockfiles.Input{Path: "pdm.lock", Content: data, Limits: lockfiles.Limits{}.WithDefaults()}
	root, ok := tomltree.Parse(data, in.Limits.MaxDepth)
	if !ok {
		return false
	}
	fast, fastLines, ok := fromTree(root)
	if !ok {
		return false
	}
	slow, slowLines, err := decodeSlow(in)
	if err != nil {
		t.Fatalf("fast path accepted what the full decoder rejects: %v", err)
	}
	if !reflect.DeepEqual(fast, slow) {
		t.Fatalf("fast and full decoders differ:\nfast %+v\nslow %+v", fast, slow)
	}
	if !reflect.DeepEqual(fastLines, slowLines) {
		t.Fatalf("header lines differ: fast %v, slow %v", fastLines, slowLines)
	}
	return true
}

func TestFastPathMatchesFullDecoder(t *testing.T) {
	dir := shareddata.Path(t, "lockfiles")
	files, _ := filepath.Glob(filepath.Join(dir, "pdm-lock", "*", "pdm.lock"))
	fixtures, _ := filepath.Glob(filepath.Join(dir, "fixtures-osv-scalibr", "pdmlock", "*"))
	own, _ := filepath.Glob("testdata/*")
	// Files the fast path must take: every real pdm.lock and the generated-looking fixtures.
	mustFast := map[string]bool{}
	for _, f := range files {
		mustFast[f] = true
	}
	for _, f := range []string{"dev-dependency.toml", "git-dependency.toml", "single-package.toml", "two-packages.toml", "empty.toml"} {
		mustFast[filepath.Join(dir, "fixtures-osv-scalibr", "pdmlock", f)] = true
	}
	mustFast["testdata/sources.lock"] = true
	if len(files) == 0 {
		t.Fatal("no real pdm.lock files")
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
	ml := filepath.Join(dir, "fixtures-osv-scalibr", "pdmlock", "names-outside-package-block.toml")
	if data, err := os.ReadFile(ml); err == nil && sameAsSlow(t, data) {
		t.Errorf("fast path accepted a multi-line string")
	}
}
