// Package shareddata locates the project's shared real-world test corpus
// (../shared/data relative to the module root) for tests and benchmarks.
//
// A test that needs the corpus skips when it is absent, unless
// TOLLGATE_REQUIRE_SHARED_DATA=1 is set (as .ci/run does): then it fails, so
// that the real-data tests cannot vanish from a run without anyone noticing.
package shareddata

import (
	"os"
	"path/filepath"
	"testing"
)

// OverrideEnv names the environment variable that points at the corpus
// directory instead of ../shared/data.
const OverrideEnv = "TOLLGATE_SHARED_DATA"

// RequireEnv names the environment variable that turns a missing corpus from
// a skip into a failure when set to 1.
const RequireEnv = "TOLLGATE_REQUIRE_SHARED_DATA"

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
// It never skips or fails: tests use Path or Optional, which honour
// TOLLGATE_REQUIRE_SHARED_DATA.
func Find(elem ...string) (string, bool) {
	p, err := locate(elem...)
	return p, err == nil
}

// locate returns the path ../shared/data/<elem...> stands for and whether it
// exists (err == nil); the path is returned either way, for messages.
func locate(elem ...string) (string, error) {
	base := os.Getenv(OverrideEnv)
	if base == "" {
		root, err := Root()
		if err != nil {
			return filepath.Join(append([]string{"../shared/data"}, elem...)...), err
		}
		base = filepath.Join(root, "..", "shared", "data")
	}
	p := filepath.Join(append([]string{base}, elem...)...)
	_, err := os.Stat(p)
	return p, err
}

// Required reports whether TOLLGATE_REQUIRE_SHARED_DATA=1 is set, that is,
// whether a missing corpus must fail the test instead of skipping it.
func Required() bool {
	return os.Getenv(RequireEnv) == "1"
}

// Path returns ../shared/data/<elem...>. When it is absent it skips tb, or,
// with TOLLGATE_REQUIRE_SHARED_DATA=1, fails tb naming what is missing.
func Path(tb testing.TB, elem ...string) string {
	tb.Helper()
	p, err := locate(elem...)
	if err != nil {
		if Required() {
			tb.Fatalf("%s", missing(p, elem))
		}
		tb.Skipf("shared test data %s not present (%s=1 would fail here)", filepath.Join(elem...), RequireEnv)
	}
	return p
}

// Optional is Find for tests that also run without the corpus (fuzz targets
// taking the real files as extra seeds): ok=false when it is absent, but with
// TOLLGATE_REQUIRE_SHARED_DATA=1 a missing corpus fails tb.
func Optional(tb testing.TB, elem ...string) (string, bool) {
	tb.Helper()
	p, err := locate(elem...)
	if err != nil {
		if Required() {
			tb.Fatalf("%s", missing(p, elem))
		}
		return "", false
	}
	return p, true
}

// missing says what is absent, where it was looked for and how to provide it.
func missing(p string, elem []string) string {
	return "shared test data " + filepath.Join(elem...) + " is missing (looked for " + p + ") and " +
		RequireEnv + "=1 requires it: put the project's shared data folder (the one with lockfiles/, osv/, " +
		"popular/, sarif/ and a README.md each) at ../shared/data beside the module root, " +
		"or set " + OverrideEnv + " to its path; unset " + RequireEnv + " to skip instead"
}
