package shareddata

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
)

// fakeTB records how a helper ended a test. Fatalf and Skipf stop the calling
// goroutine, as the real ones do, so code after them must not run.
type fakeTB struct {
	testing.TB // nil: calling anything not overridden here panics
	fatal      string
	skip       string
}

func (f *fakeTB) Helper() {}

func (f *fakeTB) Fatalf(format string, args ...any) {
	f.fatal = fmt.Sprintf(format, args...)
	runtime.Goexit()
}

func (f *fakeTB) Skipf(format string, args ...any) {
	f.skip = fmt.Sprintf(format, args...)
	runtime.Goexit()
}

// run calls fn with a fake TB on its own goroutine (Goexit ends it) and
// reports whether fn returned normally.
func run(fn func(tb testing.TB)) (tb *fakeTB, returned bool) {
	tb = &fakeTB{}
	done := make(chan struct{})
	go func() {
		defer close(done)
		fn(tb)
		returned = true
	}()
	<-done
	return tb, returned
}

func TestPathAndOptional(t *testing.T) {
	present := t.TempDir()
	if err := os.MkdirAll(filepath.Join(present, "lockfiles"), 0o755); err != nil {
		t.Fatal(err)
	}
	absent := filepath.Join(t.TempDir(), "no-such-dir")
	for _, tc := range []struct {
		name              string
		base, require     string
		wantFatal, wantOK bool // wantOK: the path is returned
	}{
		{"present", present, "", false, true},
		{"present, required", present, "1", false, true},
		{"absent", absent, "", false, false},
		{"absent, required", absent, "1", true, false},
		{"absent, require=0", absent, "0", false, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Setenv(OverrideEnv, tc.base)
			t.Setenv(RequireEnv, tc.require)
			want := filepath.Join(tc.base, "lockfiles")

			var got string
			tb, returned := run(func(tb testing.TB) { got = Path(tb, "lockfiles") })
			switch {
			case tc.wantOK:
				if !returned || got != want || tb.fatal != "" || tb.skip != "" {
					t.Errorf("Path = %q (returned %v, fatal %q, skip %q), want %q", got, returned, tb.fatal, tb.skip, want)
				}
			case tc.wantFatal:
				if returned || tb.fatal == "" || tb.skip != "" {
					t.Errorf("Path: returned %v, fatal %q, skip %q; want a failure", returned, tb.fatal, tb.skip)
				}
				for _, s := range []string{"lockfiles", want, OverrideEnv, RequireEnv, "../shared/data"} {
					if !strings.Contains(tb.fatal, s) {
						t.Errorf("failure %q does not name %q", tb.fatal, s)
					}
				}
			default:
				if returned || tb.skip == "" || tb.fatal != "" {
					t.Errorf("Path: returned %v, fatal %q, skip %q; want a skip", returned, tb.fatal, tb.skip)
				}
			}

			var ok bool
			tb, returned = run(func(tb testing.TB) { got, ok = Optional(tb, "lockfiles") })
			switch {
			case tc.wantFatal:
				if returned || tb.fatal == "" {
					t.Errorf("Optional: returned %v, fatal %q; want a failure", returned, tb.fatal)
				}
			default:
				if !returned || ok != tc.wantOK || tb.fatal != "" || tb.skip != "" || (ok && got != want) {
					t.Errorf("Optional = %q, %v (returned %v, fatal %q, skip %q), want ok=%v", got, ok, returned, tb.fatal, tb.skip, tc.wantOK)
				}
			}
		})
	}
}

// TestRequiredFailsRealTest runs this test binary again on
// TestHelperNeedsData with a corpus location that does not exist: a real
// testing.T must report SKIP and pass without the variable, FAIL with it.
func TestRequiredFailsRealTest(t *testing.T) {
	absent := filepath.Join(t.TempDir(), "no-such-dir")
	for _, tc := range []struct {
		require  string
		wantFail bool
		want     string
	}{
		{"", false, "--- SKIP: TestHelperNeedsData"},
		{"1", true, "--- FAIL: TestHelperNeedsData"},
	} {
		cmd := exec.Command(os.Args[0], "-test.run=^TestHelperNeedsData$", "-test.v")
		cmd.Env = append(os.Environ(), "TOLLGATE_SHAREDDATA_HELPER=1", OverrideEnv+"="+absent, RequireEnv+"="+tc.require)
		out, err := cmd.CombinedOutput()
		if failed := err != nil; failed != tc.wantFail {
			t.Errorf("%s=%q: failed %v (%v), want %v\n%s", RequireEnv, tc.require, failed, err, tc.wantFail, out)
		}
		if !strings.Contains(string(out), tc.want) {
			t.Errorf("%s=%q: output lacks %q:\n%s", RequireEnv, tc.require, tc.want, out)
		}
		if strings.Contains(string(out), "after Path") {
			t.Errorf("%s=%q: the test went on past Path:\n%s", RequireEnv, tc.require, out)
		}
	}
}

// TestHelperNeedsData is the subject of TestRequiredFailsRealTest; it does
// nothing unless that test runs it.
func TestHelperNeedsData(t *testing.T) {
	if os.Getenv("TOLLGATE_SHAREDDATA_HELPER") != "1" {
		return
	}
	Path(t, "lockfiles")
	t.Log("after Path")
}
