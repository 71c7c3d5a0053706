package npm

import (
	"io"
	"os"
	"testing"
)

func mustOpen(t *testing.T, path string) io.Reader {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { f.Close() })
	return f
}

func writeFile(path string, b []byte) error { return os.WriteFile(path, b, 0o600) }
