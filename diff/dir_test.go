package diff

import (
	"io/fs"
	"os"
	"path/filepath"
	"testing"
)

// A swept tree is read through os.Root: a symbolic link out of it is seen as
// a link and not followed; the walked view reads the same files.
func TestFromDirectoryConfinesReads(t *testing.T) {
	outside := t.TempDir()
	if err := os.WriteFile(filepath.Join(outside, "secret"), []byte("x"), 0o644); err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "a.txt"), []byte("a"), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink(outside, filepath.Join(dir, "out")); err != nil {
		t.Skip(err)
	}
	cs, err := FromDirectory(dir)
	if err != nil {
		t.Fatal(err)
	}
	defer cs.Close()
	if _, err := fs.ReadFile(cs.HeadFS, "out/secret"); err == nil {
		t.Error("read a file outside the tree through a link")
	}
	if fi, err := fs.Lstat(cs.HeadFS, "out"); err != nil || fi.Mode()&fs.ModeSymlink == 0 {
		t.Errorf("Lstat of the link: %v %v", fi, err)
	}
	if target, err := fs.ReadLink(cs.HeadFS, "out"); err != nil || target != outside {
		t.Errorf("ReadLink %q %v", target, err)
	}
	w := cs.HeadFS.(interface{ Walked() fs.FS }).Walked()
	if b, err := fs.ReadFile(w, "a.txt"); err != nil || string(b) != "a" {
		t.Errorf("walked view: %q %v", b, err)
	}
	var walked []string
	_ = fs.WalkDir(w, ".", func(p string, d fs.DirEntry, err error) error {
		walked = append(walked, p)
		return err
	})
	for _, p := range walked {
		if p == "out/secret" {
			t.Error("the walk went through the link")
		}
	}
}
