package diff

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"testing/fstest"
)

func mustFromGit(t *testing.T, dir, base, head string, opts Options) *ChangeSet {
	t.Helper()
	cs, err := FromGit(context.Background(), dir, base, head, opts)
	if err != nil {
		t.Fatalf("FromGit(%s, %s): %v", base, head, err)
	}
	return cs
}

func fileOf(t *testing.T, cs *ChangeSet, p string) *FileChange {
	t.Helper()
	fc := cs.File(p)
	if fc == nil {
		var names []string
		for _, f := range cs.Files {
			names = append(names, f.Status+":"+f.Path)
		}
		t.Fatalf("no change for %s; changes: %v", p, names)
	}
	return fc
}

func TestFromGitStatusesAndLines(t *testing.T) {
	r := newGitRepo(t)
	r.write("app/main.go", "package main\n\nfunc main() {\n}\n")
	r.write("old.txt", "gone\n")
	r.write("keep.txt", "same\n")
	base := r.commit("base")
	r.write("app/main.go", "package main\n\nimport \"os\"\n\nfunc main() {\n\tos.Exit(1)\n}\n")
	r.git("rm", "-q", "old.txt")
	r.write("new.txt", "one\ntwo\n")
	head := r.commit("head")

	cs := mustFromGit(t, r.dir, base, head, Options{})
	if cs.Source != SourceGit || cs.Base != base || cs.Head != head {
		t.Fatalf("source/base/head = %s %s %s", cs.Source, cs.Base, cs.Head)
	}
	if len(cs.Files) != 3 {
		t.Fatalf("got %d files, want 3: %+v", len(cs.Files), cs.Files)
	}
	// Sorted by path.
	if cs.Files[0].Path != "app/main.go" || cs.Files[1].Path != "new.txt" || cs.Files[2].Path != "old.txt" {
		t.Fatalf("order: %s %s %s", cs.Files[0].Path, cs.Files[1].Path, cs.Files[2].Path)
	}
	main := fileOf(t, cs, "app/main.go")
	want := []Line{{3, `import "os"`}, {4, ""}, {6, "\tos.Exit(1)"}}
	if main.Status != StatusModified || !reflect.DeepEqual(main.Added, want) {
		t.Errorf("main.go: %s %+v, want modified %+v", main.Status, main.Added, want)
	}
	added := fileOf(t, cs, "new.txt")
	if added.Status != StatusAdded || !reflect.DeepEqual(added.Added, []Line{{1, "one"}, {2, "two"}}) {
		t.Errorf("new.txt: %s %+v", added.Status, added.Added)
	}
	deleted := fileOf(t, cs, "old.txt")
	if deleted.Status != StatusDeleted || len(deleted.Added) != 0 {
		t.Errorf("old.txt: %s %+v", deleted.Status, deleted.Added)
	}

	// head "" is the committed HEAD.
	cs2 := mustFromGit(t, r.dir, base, "", Options{})
	if cs2.Head != head || len(cs2.Files) != 3 {
		t.Errorf("head \"\": %s %d files", cs2.Head, len(cs2.Files))
	}
	// Revisions by name, from a subdirectory.
	cs3 := mustFromGit(t, r.dir+"/app", "HEAD~1", "main", Options{})
	if cs3.Base != base || cs3.Head != head {
		t.Errorf("named revisions resolved to %s..%s", cs3.Base, cs3.Head)
	}
}

func TestFromGitRenameBinaryCRLFNoNewline(t *testing.T) {
	r := newGitRepo(t)
	long := strings.Repeat("line of the config file that stays the same\n", 20)
	r.write("conf/settings.ini", long)
	r.write("img/logo.bin", "PNG\x00\x01\x02binary")
	r.write("win.txt", "alpha\r\nbeta\r\n")
	r.write("tail.txt", "a\nb")
	r.write("tolf.txt", "x\ny\n")
	base := r.commit("base")
	r.move("conf/settings.ini", "config/settings.ini")
	r.write("config/settings.ini", long+"token = abc\n")
	r.write("img/logo.bin", "PNG\x00\x01\x03binary changed")
	r.write("win.txt", "alpha\r\nnew one\r\nbeta\r\n")
	r.write("tail.txt", "a\nb\nc")
	r.write("tolf.txt", "x\r\ny\r\n")
	head := r.commit("head")

	cs := mustFromGit(t, r.dir, base, head, Options{})
	ren := fileOf(t, cs, "config/settings.ini")
	if ren.Status != StatusRenamed || ren.OldPath != "conf/settings.ini" {
		t.Errorf("rename: %s from %q", ren.Status, ren.OldPath)
	}
	if !reflect.DeepEqual(ren.Added, []Line{{21, "token = abc"}}) {
		t.Errorf("rename added %+v", ren.Added)
	}
	bin := fileOf(t, cs, "img/logo.bin")
	if !bin.Binary || len(bin.Added) != 0 {
		t.Errorf("binary: %+v", bin)
	}
	win := fileOf(t, cs, "win.txt")
	if !reflect.DeepEqual(win.Added, []Line{{2, "new one"}}) {
		t.Errorf("CRLF added %+v", win.Added)
	}
	// "b" without newline becoming "b\n" is no new content; "c" is.
	tail := fileOf(t, cs, "tail.txt")
	if !reflect.DeepEqual(tail.Added, []Line{{3, "c"}}) {
		t.Errorf("no-newline added %+v", tail.Added)
	}
	// Converting line endings changes the blob but adds no content.
	tolf := fileOf(t, cs, "tolf.txt")
	if tolf.Status != StatusModified || len(tolf.Added) != 0 {
		t.Errorf("LF->CRLF: %s %+v", tolf.Status, tolf.Added)
	}

	noRen := mustFromGit(t, r.dir, base, head, Options{NoRenames: true})
	if f := fileOf(t, noRen, "config/settings.ini"); f.Status != StatusAdded || len(f.Added) != 21 {
		t.Errorf("NoRenames: %s %d lines", f.Status, len(f.Added))
	}
	if f := fileOf(t, noRen, "conf/settings.ini"); f.Status != StatusDeleted {
		t.Errorf("NoRenames old path: %s", f.Status)
	}
}

func TestFromGitSubmodulePointer(t *testing.T) {
	sub := newGitRepo(t)
	sub.write("lib.txt", "v1\n")
	sub.commit("v1")
	r := newGitRepo(t)
	r.write("README", "top\n")
	first := r.commit("root")
	r.git("-c", "protocol.file.allow=always", "submodule", "add", "-q", "file://"+sub.dir, "deps/lib")
	base := r.commit("add submodule")
	sub.write("lib.txt", "v2\n")
	subHead := sub.commit("v2")
	runGit(t, r.dir+"/deps/lib", "-c", "protocol.file.allow=always", "pull", "-q", "origin", "main")
	head := r.commit("bump submodule")

	cs := mustFromGit(t, r.dir, base, head, Options{})
	if len(cs.Files) != 1 {
		t.Fatalf("got %d changes, want 1: %+v", len(cs.Files), cs.Files)
	}
	fc := cs.Files[0]
	if fc.Path != "deps/lib" || !fc.Submodule || fc.Status != StatusModified || len(fc.Added) != 0 {
		t.Errorf("submodule change: %+v", fc)
	}
	// The head tree shows the gitlink as an empty directory.
	entries, err := fs.ReadDir(cs.HeadFS, "deps/lib")
	if err != nil || len(entries) != 0 {
		t.Errorf("ReadDir(deps/lib) = %v, %v", entries, err)
	}
	_ = subHead

	// Adding the submodule: one added gitlink and the .gitmodules text file.
	cs = mustFromGit(t, r.dir, first, base, Options{})
	gm := fileOf(t, cs, ".gitmodules")
	if gm.Status != StatusAdded || len(gm.Added) != 3 || !strings.Contains(gm.Added[2].Text, "file://") {
		t.Errorf(".gitmodules: %+v", gm)
	}
	if f := fileOf(t, cs, "deps/lib"); !f.Submodule || f.Status != StatusAdded {
		t.Errorf("added submodule: %+v", f)
	}
}

func TestFromGitMovedLockfile(t *testing.T) {
	r := newGitRepo(t)
	lock := "{\n  \"name\": \"web\",\n  \"lockfileVersion\": 3,\n  \"packages\": {\n    \"node_modules/left-pad\": {\"version\": \"1.3.0\"}\n  }\n}\n"
	r.write("web/package-lock.json", lock)
	base := r.commit("base")
	r.git("mv", "web", "frontend")
	moved := strings.Replace(lock, "1.3.0", "1.3.1", 1)
	r.write("frontend/package-lock.json", moved)
	head := r.commit("move")

	cs := mustFromGit(t, r.dir, base, head, Options{})
	fc := fileOf(t, cs, "frontend/package-lock.json")
	if fc.Status != StatusRenamed || fc.OldPath != "web/package-lock.json" || !fc.Lockfile {
		t.Fatalf("moved lockfile: %+v", fc)
	}
	if string(fc.BaseContent) != lock || string(fc.HeadContent) != moved {
		t.Errorf("contents: base %q head %q", fc.BaseContent, fc.HeadContent)
	}
	if !reflect.DeepEqual(fc.Added, []Line{{5, `    "node_modules/left-pad": {"version": "1.3.1"}`}}) {
		t.Errorf("added %+v", fc.Added)
	}
	if got := cs.Lockfiles(); len(got) != 1 {
		t.Errorf("Lockfiles() = %d", len(got))
	}
	// Both sides readable through the trees.
	if b, err := fs.ReadFile(cs.BaseFS, "web/package-lock.json"); err != nil || string(b) != lock {
		t.Errorf("BaseFS read: %v", err)
	}
	if _, err := fs.Stat(cs.HeadFS, "web/package-lock.json"); !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("HeadFS stat of old path: %v", err)
	}
}

func TestFromGitMonorepoLockfiles(t *testing.T) {
	r := newGitRepo(t)
	const services = 40
	for i := range services {
		r.write(fmt.Sprintf("services/svc%02d/package-lock.json", i), fmt.Sprintf("{\n  \"name\": \"svc%02d\",\n  \"version\": \"1.0.0\"\n}\n", i))
		r.write(fmt.Sprintf("services/svc%02d/go.sum", i), fmt.Sprintf("example.com/m%d v1.0.0 h1:abc=\n", i))
		r.write(fmt.Sprintf("services/svc%02d/index.js", i), "module.exports = 1\n")
	}
	r.write(".github/workflows/ci.yml", "on: push\n")
	base := r.commit("base")
	for i := 0; i < services; i += 4 { // 10 services change their npm lockfile
		r.write(fmt.Sprintf("services/svc%02d/package-lock.json", i), fmt.Sprintf("{\n  \"name\": \"svc%02d\",\n  \"version\": \"1.0.1\"\n}\n", i))
	}
	r.write("services/svc01/go.sum", "example.com/m1 v1.0.0 h1:abc=\nexample.com/evil v0.0.1 h1:x=\n")
	r.write("services/svc02/index.js", "module.exports = 2\n")
	r.write(".github/workflows/ci.yml", "on: push\njobs: {}\n")
	head := r.commit("bump")

	custom := func(p string) bool { return strings.HasSuffix(p, "package-lock.json") }
	for _, tc := range []struct {
		name      string
		opts      Options
		lockfiles int
	}{
		{"default names", Options{}, 12}, // 10 npm + go.sum + workflow
		{"caller's matcher", Options{IsLockfile: custom}, 10},
	} {
		t.Run(tc.name, func(t *testing.T) {
			cs := mustFromGit(t, r.dir, base, head, tc.opts)
			if len(cs.Files) != 13 {
				t.Errorf("changed files %d, want 13", len(cs.Files))
			}
			if got := len(cs.Lockfiles()); got != tc.lockfiles {
				t.Errorf("lockfiles %d, want %d", got, tc.lockfiles)
			}
			fc := fileOf(t, cs, "services/svc08/package-lock.json")
			if !reflect.DeepEqual(fc.Added, []Line{{3, `  "version": "1.0.1"`}}) {
				t.Errorf("svc08 added %+v", fc.Added)
			}
		})
	}
	sum := fileOf(t, mustFromGit(t, r.dir, base, head, Options{}), "services/svc01/go.sum")
	if !reflect.DeepEqual(sum.Added, []Line{{2, "example.com/evil v0.0.1 h1:x="}}) || !strings.Contains(string(sum.BaseContent), "m1") {
		t.Errorf("go.sum: %+v", sum)
	}

	// MaxFiles.
	if _, err := FromGit(context.Background(), r.dir, base, head, Options{MaxFiles: 5}); !errors.Is(err, ErrTooManyFiles) {
		t.Errorf("MaxFiles 5: %v", err)
	}
	// MaxFileSize: files over the limit are listed without lines and noted.
	cs := mustFromGit(t, r.dir, base, head, Options{MaxFileSize: 10, IsLockfile: func(string) bool { return false }})
	fc := fileOf(t, cs, "services/svc01/go.sum")
	if !fc.TooLarge || len(fc.Added) != 0 || len(cs.Notes) == 0 {
		t.Errorf("MaxFileSize: %+v notes %v", fc, cs.Notes)
	}
}

func TestFromGitShallowClone(t *testing.T) {
	r := newGitRepo(t)
	r.write("a.txt", "1\n")
	first := r.commit("c1")
	r.write("a.txt", "1\n2\n")
	second := r.commit("c2")
	r.write("a.txt", "1\n2\n3\n")
	r.commit("c3")
	r.write("a.txt", "1\n2\n3\n4\n")
	r.commit("c4")

	parent := t.TempDir()
	runGit(t, parent, "clone", "-q", "--depth", "1", "file://"+r.dir, "d1")
	runGit(t, parent, "clone", "-q", "--depth", "3", "file://"+r.dir, "d3")

	// Depth 1 (the default of actions/checkout): the base is absent.
	_, err := FromGit(context.Background(), parent+"/d1", first, "", Options{})
	if !errors.Is(err, ErrBaseMissing) {
		t.Fatalf("depth 1: err = %v, want ErrBaseMissing", err)
	}
	// Depth 3 reaches c2.
	cs, err := FromGit(context.Background(), parent+"/d3", second, "HEAD", Options{})
	if err != nil {
		t.Fatalf("depth 3: %v", err)
	}
	if !reflect.DeepEqual(cs.Files[0].Added, []Line{{3, "3"}, {4, "4"}}) {
		t.Errorf("depth 3 added %+v", cs.Files[0].Added)
	}
	// A head that is not in the clone.
	if _, err := FromGit(context.Background(), parent+"/d3", second, first, Options{}); !errors.Is(err, ErrHeadMissing) {
		t.Errorf("missing head: %v", err)
	}
	// Not a repository.
	if _, err := FromGit(context.Background(), t.TempDir(), "HEAD~1", "", Options{}); err == nil || errors.Is(err, ErrBaseMissing) {
		t.Errorf("not a repository: %v", err)
	}
}

func TestFromGitMergeBase(t *testing.T) {
	r := newGitRepo(t)
	r.write("go.sum", "a v1 h1:x=\n")
	r.write("app.txt", "app\n")
	r.commit("root")
	r.git("checkout", "-q", "-b", "feature")
	r.write("app.txt", "app\nfeature line\n")
	feature := r.commit("feature")
	r.git("checkout", "-q", "main")
	r.write("go.sum", "a v1 h1:x=\nb v2 h1:y=\n")
	mainTip := r.commit("main moves on")

	// Two-dot: main's own change shows as a removal on the feature side.
	twoDot := mustFromGit(t, r.dir, mainTip, feature, Options{})
	if len(twoDot.Files) != 2 {
		t.Errorf("two-dot: %d files", len(twoDot.Files))
	}
	// Three-dot: only what the feature branch brings.
	threeDot := mustFromGit(t, r.dir, mainTip, feature, Options{MergeBase: true})
	if len(threeDot.Files) != 1 || threeDot.Files[0].Path != "app.txt" {
		t.Fatalf("three-dot: %+v", threeDot.Files)
	}
	if !reflect.DeepEqual(threeDot.Files[0].Added, []Line{{2, "feature line"}}) {
		t.Errorf("three-dot added %+v", threeDot.Files[0].Added)
	}
	if threeDot.Base == mainTip {
		t.Errorf("three-dot base should be the merge base, got the main tip")
	}

	// In a shallow clone of the feature branch the merge base is unreachable.
	parent := t.TempDir()
	runGit(t, parent, "clone", "-q", "--depth", "1", "--no-single-branch", "file://"+r.dir, "s")
	_, err := FromGit(context.Background(), parent+"/s", "origin/main", "origin/feature", Options{MergeBase: true})
	if !errors.Is(err, ErrBaseMissing) {
		t.Errorf("shallow merge base: %v", err)
	}
}

func TestTreeFS(t *testing.T) {
	r := newGitRepo(t)
	r.write("a/b/c.txt", "c\n")
	r.write("a/b.txt", "b\n")
	r.write("a-b.txt", "ab\n")
	r.write("top.json", "{}\n")
	if err := os.Symlink("top.json", filepath.Join(r.dir, "link")); err != nil {
		t.Skip("no symlinks:", err)
	}
	base := r.commit("base")
	r.write("a/new.txt", "n\n")
	head := r.commit("head")
	cs := mustFromGit(t, r.dir, base, head, Options{})
	if err := fstest.TestFS(cs.HeadFS, "a/b/c.txt", "a/b.txt", "a-b.txt", "top.json", "a/new.txt", "link"); err != nil {
		t.Fatal(err)
	}
	if err := fstest.TestFS(cs.BaseFS, "a/b/c.txt", "a/b.txt", "top.json"); err != nil {
		t.Fatal(err)
	}
	if _, err := cs.BaseFS.Open("a/new.txt"); !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("base has a/new.txt: %v", err)
	}
	fi, err := fs.Stat(cs.HeadFS, "link")
	if err != nil || fi.Mode()&fs.ModeSymlink == 0 {
		t.Errorf("link: %v %v", fi, err)
	}
	var walked []string
	if err := fs.WalkDir(cs.HeadFS, ".", func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if !d.IsDir() {
			walked = append(walked, p)
		}
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	want := []string{"a/b/c.txt", "a/b.txt", "a/new.txt", "a-b.txt", "link", "top.json"}
	if !reflect.DeepEqual(walked, want) {
		t.Errorf("walk = %v, want %v", walked, want)
	}
}
