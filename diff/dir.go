package diff

import (
	"fmt"
	"os"
)

// FromDirectory returns the change set of a sweep of dir: no base, no changed
// files, HeadFS the directory itself. Checks in a sweep read every file of
// HeadFS; nothing is "added".
func FromDirectory(dir string) (*ChangeSet, error) {
	fi, err := os.Stat(dir)
	if err != nil {
		return nil, fmt.Errorf("sweep %s: %w", dir, err)
	}
	if !fi.IsDir() {
		return nil, fmt.Errorf("sweep %s: not a directory", dir)
	}
	return &ChangeSet{Source: SourceDirectory, Files: []FileChange{}, HeadFS: os.DirFS(dir)}, nil
}
