package diff

import (
	"bytes"
	"io/fs"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"github.com/tollgate-dev/tollgate/internal/shareddata"
)

// TestFromGitRealLockfileCorpus commits the shared real-world lockfile corpus
// (hundreds of lockfiles, a monorepo in effect) to a scratch repository, then
// tampers with one entry of theia's package-lock.json, moves ripgrep's
// Cargo.lock and deletes trivy's go.sum.
func TestFromGitRealLockfileCorpus(t *testing.T) {
	corpus := shareddata.Path(t, "lockfiles")
	if testing.Short() {
		t.Skip("copies 20 MB")
	}
	r := newGitRepo(t)
	corpusFiles := 0
	err := filepath.WalkDir(corpus, func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		rel, _ := filepath.Rel(corpus, p)
		b, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		r.write(filepath.ToSlash(rel), string(b))
		corpusFiles++
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	base := r.commit("corpus")

	const theia = "package-lock-json/eclipse-theia-theia/package-lock.json"
	lock, err := os.ReadFile(filepath.Join(r.dir, theia))
	if err != nil {
		t.Fatal(err)
	}
	// Lines 19942-19944 (checked with grep -n): node_modules/lodash 4.18.1.
	oldEntry := "    \"node_modules/lodash\": {\n      \"version\": \"4.18.1\",\n      \"resolved\": \"https://registry.npmjs.org/lodash/-/lodash-4.18.1.tgz\","
	if bytes.Count(lock, []byte(oldEntry)) != 1 {
		t.Fatalf("lodash entry not found once in %s", theia)
	}
	newEntry := "    \"node_modules/lodash\": {\n      \"version\": \"4.18.2\",\n      \"resolved\": \"https://evil.example/lodash-4.18.2.tgz\","
	r.write(theia, strings.Replace(string(lock), oldEntry, newEntry, 1))
	r.move("cargo-lock/BurntSushi-ripgrep/Cargo.lock", "cargo-lock/ripgrep-moved/Cargo.lock")
	r.git("rm", "-q", "go-mod/aquasecurity-trivy/go.sum")
	head := r.commit("tamper")

	cs := mustFromGit(t, r.dir, base, head, Options{})
	if len(cs.Files) != 3 || len(cs.Lockfiles()) != 3 {
		t.Fatalf("%d changes, %d lockfiles: %+v", len(cs.Files), len(cs.Lockfiles()), cs.Files)
	}
	tampered := fileOf(t, cs, theia)
	want := []Line{
		{19943, `      "version": "4.18.2",`},
		{19944, `      "resolved": "https://evil.example/lodash-4.18.2.tgz",`},
	}
	if tampered.Status != StatusModified || !reflect.DeepEqual(tampered.Added, want) {
		t.Errorf("theia: %s %+v", tampered.Status, tampered.Added)
	}
	if !bytes.Equal(tampered.BaseContent, lock) {
		t.Error("theia base content differs from the corpus file")
	}
	moved := fileOf(t, cs, "cargo-lock/ripgrep-moved/Cargo.lock")
	if moved.Status != StatusRenamed || moved.OldPath != "cargo-lock/BurntSushi-ripgrep/Cargo.lock" || len(moved.Added) != 0 ||
		!bytes.Equal(moved.BaseContent, moved.HeadContent) || len(moved.HeadContent) == 0 {
		t.Errorf("moved Cargo.lock: %s from %s, %d added", moved.Status, moved.OldPath, len(moved.Added))
	}
	gone := fileOf(t, cs, "go-mod/aquasecurity-trivy/go.sum")
	if gone.Status != StatusDeleted || len(gone.BaseContent) == 0 || gone.HeadContent != nil {
		t.Errorf("deleted go.sum: %+v", gone.Status)
	}

	// The head tree lists the whole corpus but the deleted file.
	headFiles := 0
	if err := fs.WalkDir(cs.HeadFS, ".", func(p string, d fs.DirEntry, err error) error {
		if err == nil && !d.IsDir() {
			headFiles++
		}
		return err
	}); err != nil {
		t.Fatal(err)
	}
	if headFiles != corpusFiles-1 {
		t.Errorf("head tree has %d files, want %d", headFiles, corpusFiles-1)
	}
}
