package lockfiles

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"testing"
	"testing/fstest"
)

// lineParser is a test format: "name version" per line, "!" to fail, "panic"
// to panic.
type lineParser struct{}

func (lineParser) Name() string { return "test/lines" }

func (lineParser) Match(p string) bool { return strings.HasSuffix(p, ".lines") }

func (lineParser) Parse(_ context.Context, in *Input) ([]Package, error) {
	var pkgs []Package
	for i, l := range strings.Split(string(in.Content), "\n") {
		switch {
		case l == "":
		case l == "!":
			return nil, Errorf(in.Path, i+1, "bad line")
		case l == "panic":
			panic("hostile input")
		default:
			name, version, _ := strings.Cut(l, " ")
			pkgs = append(pkgs, Package{Ecosystem: EcosystemNPM, Name: name, Version: version, Line: i + 1})
		}
	}
	return pkgs, nil
}

func TestDiscover(t *testing.T) {
	fsys := fstest.MapFS{
		"a.lines":                        {Data: []byte("left-pad 1.0.0\n@scope/x 2.0.0\n")},
		"sub/b.lines":                    {Data: []byte("\nlodash 4.17.21\n")},
		"sub/bad.lines":                  {Data: []byte("ok 1.0.0\n!\n")},
		"sub/panics.lines":               {Data: []byte("panic\n")},
		"node_modules/dep/c.lines":       {Data: []byte("skipped 1.0.0\n")},
		"vendor/d.lines":                 {Data: []byte("skipped 1.0.0\n")},
		".git/e.lines":                   {Data: []byte("skipped 1.0.0\n")},
		"excluded/f.lines":               {Data: []byte("skipped 1.0.0\n")},
		"big.lines":                      {Data: []byte(strings.Repeat("x 1\n", 1000))},
		"README.md":                      {Data: []byte("not a lockfile")},
		"deep/er/still/found/here.lines": {Data: []byte("deep 0.1.0\n")},
	}
	inv, err := Discover(context.Background(), fsys, []Parser{lineParser{}}, DiscoverOptions{
		Limits:  Limits{MaxFileSize: 1000},
		Workers: 3,
		Exclude: func(p string) bool { return p == "excluded" },
	})
	if err != nil {
		t.Fatal(err)
	}
	wantFiles := []string{"a.lines", "big.lines", "deep/er/still/found/here.lines", "sub/b.lines", "sub/bad.lines", "sub/panics.lines"}
	if strings.Join(inv.Files, ",") != strings.Join(wantFiles, ",") {
		t.Errorf("files = %v, want %v", inv.Files, wantFiles)
	}
	var got []string
	for _, p := range inv.Packages {
		got = append(got, p.Path+":"+strconv.Itoa(p.Line)+":"+p.Name+"@"+p.Version+":"+p.PURL)
	}
	want := []string{
		"a.lines:1:left-pad@1.0.0:pkg:npm/left-pad@1.0.0",
		"a.lines:2:@scope/x@2.0.0:pkg:npm/%40scope/x@2.0.0",
		"deep/er/still/found/here.lines:1:deep@0.1.0:pkg:npm/deep@0.1.0",
		"sub/b.lines:2:lodash@4.17.21:pkg:npm/lodash@4.17.21",
	}
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("packages:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
	// Three files fail, each named, and the rest still report.
	errs := map[string]string{}
	for _, e := range inv.Errors {
		errs[e.Path] = e.Error()
	}
	if len(errs) != 3 {
		t.Fatalf("errors = %v", errs)
	}
	if e := errs["sub/bad.lines"]; e != "parse sub/bad.lines:2: bad line" {
		t.Errorf("bad file error = %q", e)
	}
	if e := errs["sub/panics.lines"]; !strings.Contains(e, "sub/panics.lines") || !strings.Contains(e, "hostile input") {
		t.Errorf("panicking parser error = %q", e)
	}
	if e := errs["big.lines"]; !strings.Contains(e, "big.lines") || !strings.Contains(e, "limit") {
		t.Errorf("oversized file error = %q", e)
	}
	for _, e := range inv.Errors {
		if e.Path == "big.lines" && !errors.Is(e, ErrLimit) {
			t.Errorf("oversized file error does not wrap ErrLimit: %v", e)
		}
	}
}

func TestDiscoverCancelled(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	_, err := Discover(ctx, fstest.MapFS{"a.lines": {Data: []byte("a 1\n")}}, []Parser{lineParser{}}, DiscoverOptions{})
	if !errors.Is(err, context.Canceled) {
		t.Errorf("err = %v, want context.Canceled", err)
	}
}

func TestMaxPackages(t *testing.T) {
	_, err := ParseFile(context.Background(), fstest.MapFS{"a.lines": {Data: []byte("a 1\nb 2\nc 3\n")}}, "a.lines", lineParser{}, Limits{MaxPackages: 2})
	if !errors.Is(err, ErrLimit) || !strings.Contains(err.Error(), "a.lines") {
		t.Errorf("err = %v, want a limit error naming a.lines", err)
	}
}

func TestParseFilesDropsDuplicateEntries(t *testing.T) {
	// A file read twice (as a requirements file included by another and found
	// on its own is) must not report its packages twice.
	fsys := fstest.MapFS{"a.lines": {Data: []byte("x 1\ny 2\n")}}
	files := []File{{Path: "a.lines", Parser: lineParser{}}, {Path: "a.lines", Parser: lineParser{}}}
	inv := ParseFiles(context.Background(), fsys, files, DiscoverOptions{})
	if len(inv.Packages) != 2 {
		t.Errorf("packages %+v, want x and y once", inv.Packages)
	}
}

func TestReadFileLimitedSizes(t *testing.T) {
	fsys := fstest.MapFS{
		"exact.lock": {Data: []byte("0123456789")},
		"over.lock":  {Data: []byte("0123456789A")},
		"empty.lock": {Data: nil},
	}
	got, err := ReadFileLimited(fsys, "exact.lock", 10)
	if err != nil || string(got) != "0123456789" {
		t.Errorf("exact.lock = %q, %v; want the 10 bytes", got, err)
	}
	if _, err := ReadFileLimited(fsys, "over.lock", 10); !errors.Is(err, ErrLimit) {
		t.Errorf("over.lock: err = %v, want ErrLimit", err)
	}
	if got, err := ReadFileLimited(fsys, "empty.lock", 10); err != nil || len(got) != 0 {
		t.Errorf("empty.lock = %q, %v", got, err)
	}
	if _, err := ReadFileLimited(fsys, "missing.lock", 10); err == nil || !strings.Contains(err.Error(), "missing.lock") {
		t.Errorf("missing.lock: err = %v, want one naming the file", err)
	}
}

func TestSortPackagesStable(t *testing.T) {
	pkgs := []Package{
		{Path: "b.lock", Line: 1, Name: "z"},
		{Path: "a.lock", Line: 9, Name: "y", Integrity: "first"},
		{Path: "a.lock", Line: 9, Name: "y", Integrity: "second"},
		{Path: "a.lock", Line: 2, Name: "x"},
		{Path: "a.lock", Line: 9, Ecosystem: "PyPI", Name: "a"},
	}
	SortPackages(pkgs)
	var got []string
	for _, p := range pkgs {
		got = append(got, fmt.Sprintf("%s:%d:%s:%s:%s", p.Path, p.Line, p.Ecosystem, p.Name, p.Integrity))
	}
	want := []string{"a.lock:2::x:", "a.lock:9::y:first", "a.lock:9::y:second", "a.lock:9:PyPI:a:", "b.lock:1::z:"}
	if strings.Join(got, " ") != strings.Join(want, " ") {
		t.Errorf("order = %v\nwant    %v", got, want)
	}
}

// The same line read twice (a constraints file included with -c and also
// found on its own) is one entry, direct if either reading says so and dev
// only if both do; entries that differ otherwise stay apart.
func TestDedupeMergesReadings(t *testing.T) {
	a := Package{Ecosystem: EcosystemPyPI, Name: "flask", Version: "3.0.0", Path: "requirements-constraints.txt", Line: 1}
	direct := a
	direct.Direct = true
	dev := a
	dev.Dev = true
	other := a
	other.Integrity = "sha256:x"
	got := dedupe([]Package{a, direct, dev, other})
	if len(got) != 2 {
		t.Fatalf("dedupe kept %d entries, want 2: %+v", len(got), got)
	}
	if !got[0].Direct || got[0].Dev {
		t.Errorf("merged entry direct=%v dev=%v, want direct and not dev", got[0].Direct, got[0].Dev)
	}
	if got[1].Integrity != "sha256:x" {
		t.Errorf("second entry %+v, want the one with another integrity", got[1])
	}
}
