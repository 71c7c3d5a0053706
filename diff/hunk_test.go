package diff

import (
	"reflect"
	"strings"
	"testing"
)

func TestParsePatch(t *testing.T) {
	for _, tc := range []struct {
		name  string
		patch string
		want  []Line
	}{
		{
			// The shape of GitHub's "patch" field for a modified file.
			name: "github modified",
			patch: "@@ -132,7 +132,7 @@ module Test\n" +
				" @@ -1000,7 +1000,7 @@ module Test\n" +
				"   line\n" +
				"   line\n" +
				"-  line\n" +
				"+  new line\n" +
				"   line\n" +
				"   line\n",
			want: []Line{{135, "  new line"}},
		},
		{
			name:  "added file",
			patch: "@@ -0,0 +1,3 @@\n+one\n+two\n+three",
			want:  []Line{{1, "one"}, {2, "two"}, {3, "three"}},
		},
		{
			name:  "deleted file",
			patch: "@@ -1,2 +0,0 @@\n-one\n-two",
			want:  nil,
		},
		{
			name:  "omitted counts",
			patch: "@@ -1 +1 @@\n-a\n+b",
			want:  []Line{{1, "b"}},
		},
		{
			name: "two hunks and no newline at end",
			patch: "@@ -1,3 +1,4 @@\n a\n+b\n c\n d\n" +
				"@@ -10,2 +11,3 @@ func f() {\n x\n-y\n\\ No newline at end of file\n+y\n+z\n\\ No newline at end of file",
			want: []Line{{2, "b"}, {12, "y"}, {13, "z"}},
		},
		{
			name:  "crlf content",
			patch: "@@ -1,1 +1,2 @@\n a\r\n+b\r\n",
			want:  []Line{{2, "b"}},
		},
		{
			name:  "added line starting with @@",
			patch: "@@ -1,1 +1,2 @@\n a\n+@@ -1 +1 @@ is text here",
			want:  []Line{{2, "@@ -1 +1 @@ is text here"}},
		},
		{
			name:  "git headers before the hunk",
			patch: "diff --git a/x b/x\nindex 1..2 100644\n--- a/x\n+++ b/x\n@@ -1 +1,2 @@\n x\n+y\n",
			want:  []Line{{2, "y"}},
		},
		{name: "empty", patch: "", want: nil},
		{
			name:  "zero-context hunks, deletion right after an edit",
			patch: "@@ -1,2 +1,2 @@\n-a\n-b\n+A\n+B\n@@ -3 +2,0 @@\n-c\n@@ -5 +4 @@\n-e\n+E",
			want:  []Line{{1, "A"}, {2, "B"}, {4, "E"}},
		},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got, err := ParsePatch(tc.patch)
			if err != nil {
				t.Fatal(err)
			}
			if !reflect.DeepEqual(got, tc.want) {
				t.Errorf("got %+v, want %+v", got, tc.want)
			}
		})
	}
}

func TestParsePatchErrors(t *testing.T) {
	for _, patch := range []string{
		"@@ -1,1 +1,1\n+a",        // no closing @@
		"@@ -x,1 +1,1 @@\n+a",     // bad number
		"@@ -1,1 +1,1 @@\n+a\n+b", // more added than announced
		"@@ -1,1 +1,1 @@\n-a\n-b", // more removed than announced
		"@@ -1,1 +1,1 @@\n a\n c", // more context
		"@@ -1,1 +1,1 @@\n?weird", // unknown prefix
		"@@ 1,1 +1,1 @@\n a",      // missing -
		"@@ -1,-1 +1,1 @@\n a",    // negative count
	} {
		if _, err := ParsePatch(patch); err == nil {
			t.Errorf("ParsePatch(%q): no error", patch)
		}
	}
}

// TestParsePatchAgreesWithGit feeds git's own unified diff of a fixture to the
// hunk parser and compares with the change set computed from the objects.
func TestParsePatchAgreesWithGit(t *testing.T) {
	r := newGitRepo(t)
	var base strings.Builder
	for i := range 300 {
		base.WriteString("config line ")
		base.WriteString(strings.Repeat("x", i%7))
		base.WriteString("\n")
	}
	r.write("big.conf", base.String())
	r.write("crlf.txt", "one\r\ntwo\r\nthree\r\n")
	b := r.commit("base")
	lines := strings.Split(base.String(), "\n")
	lines[10] = "api_key = sk-test"
	lines = append(lines[:150], append([]string{"inserted 1", "inserted 2"}, lines[150:]...)...)
	lines = append(lines[:5], lines[8:]...)
	r.write("big.conf", strings.Join(lines, "\n"))
	r.write("crlf.txt", "one\r\ntwo and a half\r\nthree\r\nfour\r\n")
	h := r.commit("head")
	cs := mustFromGit(t, r.dir, b, h, Options{})
	for _, f := range []string{"big.conf", "crlf.txt"} {
		out := r.git("diff", b, h, "--", f)
		got, err := ParsePatch(out[strings.Index(out, "@@"):])
		if err != nil {
			t.Fatalf("%s: %v", f, err)
		}
		if want := fileOf(t, cs, f).Added; !reflect.DeepEqual(got, want) {
			t.Errorf("%s: git patch gives %+v, object diff gives %+v", f, got, want)
		}
		if len(got) == 0 {
			t.Errorf("%s: no added lines", f)
		}
	}
}

func FuzzParsePatch(f *testing.F) {
	f.Add("@@ -1,3 +1,4 @@\n a\n+b\n c\n d\n")
	f.Add("@@ -0,0 +1 @@\n+x\n\\ No newline at end of file")
	f.Add("@@ -1 +1 @@\n-Subproject commit 1\n+Subproject commit 2")
	f.Fuzz(func(t *testing.T, patch string) {
		lines, err := ParsePatch(patch)
		if err != nil {
			return
		}
		prev := 0
		for _, l := range lines {
			if l.Number <= prev {
				t.Fatalf("line numbers not increasing: %+v", lines)
			}
			prev = l.Number
		}
	})
}
