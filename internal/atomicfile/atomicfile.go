// Package atomicfile writes files so that a reader never sees half of one:
// through a temporary file in the same directory and a rename. Caches (the
// HTTP layer's, the OSV records') write through it.
package atomicfile

import (
	"os"
	"path/filepath"
)

// Write writes b to path, creating its directory (owner only) when needed;
// the file is readable by its owner only.
func Write(path string, b []byte) error {
	if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
		return err
	}
	tmp, err := os.CreateTemp(filepath.Dir(path), ".tmp-*")
	if err != nil {
		return err
	}
	defer os.Remove(tmp.Name())
	if _, err := tmp.Write(b); err != nil {
		tmp.Close()
		return err
	}
	if err := tmp.Close(); err != nil {
		return err
	}
	return os.Rename(tmp.Name(), path)
}
