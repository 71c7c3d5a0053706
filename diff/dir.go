package diff

import (
	"fmt"
	"os"
)

// FromDirectory returns the change set of a sweep of dir: no base, no changed
// files, HeadFS the directory itself, opened through os.Root so that a
// symbolic link cannot lead a reader outside it. Checks in a sweep read every
// file of HeadFS; nothing is "added".
func FromDirectory(dir string) (*ChangeSet, error) {
	fi, err := os.Stat(dir)
	if err != nil {
		return nil, fmt.Errorf("sweep %s: %w", dir, err)
	}
	if !fi.IsDir() {
		return nil, fmt.Errorf("sweep %s: not a directory", dir)
	}
	root, err := os.OpenRoot(dir)
	if err != nil {
		return nil, fmt.Errorf("sweep %s: %w", dir, err)
	}
	return &ChangeSet{Source: SourceDirectory, Files: []FileChange{}, HeadFS: root.FS(), close: func() { root.Close() }}, nil
}
