package cli

import (
	"bytes"
	"io"
	"os"
	"path/filepath"
	"testing"

	"golang.org/x/term"
)

// Colour only on a terminal, and never under NO_COLOR with any value
// (https://no-color.org): "" is unset, "0" still disables.
func TestUseColor(t *testing.T) {
	f, err := os.Create(filepath.Join(t.TempDir(), "out.txt"))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	// f stands for a terminal here; the real check is below.
	terminal := func(fd int) bool { return fd == int(f.Fd()) }
	env := func(v string) func(string) string {
		return func(k string) string {
			if k == "NO_COLOR" {
				return v
			}
			return ""
		}
	}
	for _, tt := range []struct {
		name    string
		noColor string
		w       io.Writer
		want    bool
	}{
		{"terminal", "", f, true},
		{"NO_COLOR=1", "1", f, false},
		{"NO_COLOR=0", "0", f, false},
		{"a buffer", "", &bytes.Buffer{}, false},
	} {
		if got := useColor(tt.w, env(tt.noColor), terminal); got != tt.want {
			t.Errorf("%s: useColor = %v, want %v", tt.name, got, tt.want)
		}
	}
	if useColor(f, env(""), term.IsTerminal) {
		t.Error("a regular file counts as a terminal")
	}
}
