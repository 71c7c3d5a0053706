package lockfiles

import (
	"fmt"
	"strings"
	"testing"
)

func pkg(path, name, version, integrity string, line int) Package {
	return Package{Ecosystem: EcosystemNPM, Name: name, Version: version, Path: path, Integrity: integrity, Line: line}
}

func describe(changes []Change) string {
	var out []string
	for _, c := range changes {
		s := fmt.Sprintf("%s %s %s@%s:%d", c.Kind, c.Package.Path, c.Package.Name, c.Package.Version, c.Package.Line)
		if c.Previous != nil {
			s += " from " + c.Previous.Version
		}
		out = append(out, s)
	}
	return strings.Join(out, "\n")
}

func TestDelta(t *testing.T) {
	base := []Package{
		pkg("package-lock.json", "lodash", "4.17.20", "sha512-a", 10),
		pkg("package-lock.json", "left-pad", "1.0.0", "sha512-b", 20),
		pkg("package-lock.json", "chalk", "4.1.2", "sha512-c", 30),
		pkg("package-lock.json", "debug", "2.6.9", "sha512-d", 40),
		pkg("package-lock.json", "debug", "4.3.4", "sha512-e", 41),
		pkg("package-lock.json", "ms", "2.1.2", "", 50),
		pkg("web/package-lock.json", "react", "18.2.0", "sha512-r", 5),
	}
	head := []Package{
		pkg("package-lock.json", "lodash", "4.17.21", "sha512-z", 11), // updated
		pkg("package-lock.json", "left-pad", "1.0.0", "sha512-X", 21), // re-hashed
		pkg("package-lock.json", "debug", "2.6.9", "sha512-d", 40),    // unchanged
		pkg("package-lock.json", "debug", "4.3.5", "sha512-f", 42),    // updated (4.3.4 gone)
		pkg("package-lock.json", "ms", "2.1.2", "sha512-new", 50),     // hash added: not a re-hash
		pkg("package-lock.json", "evil", "1.0.0", "sha512-e", 60),     // added
		pkg("web/package-lock.json", "react", "18.2.0", "sha512-r", 5),
		pkg("web/package-lock.json", "react", "17.0.2", "sha512-q", 9), // second copy added
	}
	got := describe(Delta(base, head, nil))
	want := strings.Join([]string{
		"updated package-lock.json lodash@4.17.21:11 from 4.17.20",
		"rehashed package-lock.json left-pad@1.0.0:21 from 1.0.0",
		"removed package-lock.json chalk@4.1.2:30",
		"updated package-lock.json debug@4.3.5:42 from 4.3.4",
		"added package-lock.json evil@1.0.0:60",
		"added web/package-lock.json react@17.0.2:9",
	}, "\n")
	if got != want {
		t.Errorf("delta:\n%s\nwant:\n%s", got, want)
	}
}

func TestDeltaResolvedHostChange(t *testing.T) {
	b := pkg("a/package-lock.json", "x", "1.0.0", "", 3)
	b.Resolved = "https://registry.npmjs.org/x/-/x-1.0.0.tgz"
	h := b
	h.Resolved = "https://evil.example/x-1.0.0.tgz"
	got := describe(Delta([]Package{b}, []Package{h}, nil))
	if got != "rehashed a/package-lock.json x@1.0.0:3 from 1.0.0" {
		t.Errorf("got %q", got)
	}
}

func TestDeltaRenamedLockfile(t *testing.T) {
	base := []Package{pkg("old/yarn.lock", "a", "1.0.0", "", 1), pkg("old/yarn.lock", "b", "1.0.0", "", 5)}
	head := []Package{pkg("new/yarn.lock", "a", "1.0.0", "", 1), pkg("new/yarn.lock", "b", "2.0.0", "", 5)}
	got := describe(Delta(base, head, map[string]string{"new/yarn.lock": "old/yarn.lock"}))
	if got != "updated new/yarn.lock b@2.0.0:5 from 1.0.0" {
		t.Errorf("moved lockfile: got %q", got)
	}
	// Without the rename everything reads as new and old.
	if n := len(Delta(base, head, nil)); n != 4 {
		t.Errorf("without renames: %d changes, want 4", n)
	}
}

func TestDeltaNormalizesNames(t *testing.T) {
	b := Package{Ecosystem: EcosystemPyPI, Name: "Python_Dateutil", Version: "2.8.2", Path: "requirements.txt"}
	h := Package{Ecosystem: EcosystemPyPI, Name: "python-dateutil", Version: "2.9.0", Path: "requirements.txt"}
	if got := describe(Delta([]Package{b}, []Package{h}, nil)); got != "updated requirements.txt python-dateutil@2.9.0:0 from 2.8.2" {
		t.Errorf("got %q", got)
	}
}
