package diff

import (
	"io/fs"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
)

// The work tree as head: committed changes since base plus staged, modified,
// deleted and untracked files; ignored files and files whose edit undoes the
// commit are not changes.
func TestFromWorkTree(t *testing.T) {
	r := newGitRepo(t)
	r.write(".gitignore", "ignored/\n")
	r.write("app/package-lock.json", "{\n  \"lockfileVersion\": 3\n}\n")
	r.write("committed.txt", "one\n")
	r.write("reverted.txt", "same\n")
	r.write("gone.txt", "bye\n")
	r.write("old/name.txt", "a\nb\nc\nd\ne\n")
	base := r.commit("base")
	r.write("committed.txt", "one\ntwo\n")
	r.write("reverted.txt", "changed\n")
	r.move("old/name.txt", "new/name.txt")
	head := r.commit("head")

	// Clean work tree: the committed change set.
	cs, err := FromWorkTree(t.Context(), r.dir, base, Options{})
	if err != nil {
		t.Fatal(err)
	}
	if cs.Head != head || len(cs.Files) != 3 || len(cs.Notes) != 0 {
		t.Fatalf("clean: head %s, %d files %+v, notes %q", cs.Head, len(cs.Files), cs.Files, cs.Notes)
	}
	cs.Close()

	r.write("app/package-lock.json", "{\n  \"lockfileVersion\": 3,\n  \"packages\": {}\n}\n") // modified, unstaged
	r.write("staged.txt", "x\n")
	r.git("add", "staged.txt")                                          // staged new file
	r.write("untracked.txt", "u1\nu2\n")                                // untracked
	r.write("ignored/yarn.lock", "ignored\n")                           // ignored: not a change
	r.write("reverted.txt", "same\n")                                   // undoes the commit
	r.write("new/name.txt", "a\nb\nc\nd\ne\nf\n")                       // committed rename, edited again
	if err := os.Remove(filepath.Join(r.dir, "gone.txt")); err != nil { // deleted, unstaged
		t.Fatal(err)
	}

	cs, err = FromWorkTree(t.Context(), r.dir+"/app", base, Options{IsLockfile: func(p string) bool { return strings.HasSuffix(p, "package-lock.json") }})
	if err != nil {
		t.Fatal(err)
	}
	defer cs.Close()
	var got []string
	for _, f := range cs.Files {
		got = append(got, f.Status+" "+f.Path+" "+f.OldPath)
	}
	want := []string{
		"modified app/package-lock.json ",
		"modified committed.txt ",
		"deleted gone.txt ",
		"renamed new/name.txt old/name.txt",
		"added staged.txt ",
		"added untracked.txt ",
	}
	if !reflect.DeepEqual(got, want) {
		t.Fatalf("files:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
	lock := fileOf(t, cs, "app/package-lock.json")
	if !reflect.DeepEqual(lock.Added, []Line{{2, `  "lockfileVersion": 3,`}, {3, `  "packages": {}`}}) ||
		!strings.Contains(string(lock.HeadContent), "packages") || !strings.Contains(string(lock.BaseContent), "lockfileVersion") {
		t.Errorf("lockfile: added %+v, head %q, base %q", lock.Added, lock.HeadContent, lock.BaseContent)
	}
	if f := fileOf(t, cs, "new/name.txt"); !reflect.DeepEqual(f.Added, []Line{{6, "f"}}) {
		t.Errorf("renamed then edited: added %+v, want line 6", f.Added)
	}
	if f := fileOf(t, cs, "untracked.txt"); !reflect.DeepEqual(f.Added, []Line{{1, "u1"}, {2, "u2"}}) {
		t.Errorf("untracked: %+v", f.Added)
	}
	// HeadFS is the work tree, BaseFS the base commit.
	if b, err := fs.ReadFile(cs.HeadFS, "untracked.txt"); err != nil || string(b) != "u1\nu2\n" {
		t.Errorf("HeadFS untracked.txt: %q %v", b, err)
	}
	if !strings.Contains(strings.Join(cs.Notes, "\n"), "head: the work tree") {
		t.Errorf("notes %q do not say the work tree was read", cs.Notes)
	}
}
