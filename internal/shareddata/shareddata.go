// Package shareddata locates the project's shared real-world test corpus
// (../shared/data relative to the module root) for tests and benchmarks.
package shareddata

import (
	"os"
	"path/filepath"
	"testing"
)

// Root returns the module root: the nearest directory at or above the working
// directory that holds go.mod.
func Root() (string, error) {
	dir, err := os.Getwd()
	if err != nil {
		return "", err
	}
	for {
		if _, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil {
			return dir, nil
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			return "", os.ErrNotExist
		}
		dir = parent
	}
}

// Find returns the path of ../shared/data/<elem...> from the module root, or
// ok=false when it does not exist. TOLLGATE_SHARED_DATA overrides the location.
func Find(elem ...string) (string, bool) {
	base := os.Getenv("TOLLGATE_SHARED_DATA")
	if base == "" {
		root, err := Root()
		if err != nil {
			return "", false
		}
		base = filepath.Join(root, "..", "shared", "data")
	}
	p := filepath.Join(append([]string{base}, elem...)...)
	if _, err := os.Stat(p); err != nil {
		return "", false
	}
	return p, true
}

// Path returns ../shared/data/<elem...>, skipping tb cleanly when it is absent.
func Path(tb testing.TB, elem ...string) string {
	tb.Helper()
	p, ok := Find(elem...)
	if !ok {
		tb.Skipf("shared test data %s not present", filepath.Join(elem...))
	}
	return p
}
