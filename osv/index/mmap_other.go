//go:build !unix

package index

import "os"

// mapFile is not available here: the index is read with ReadAt.
func mapFile(*os.File, int64) ([]byte, func() error, bool) { return nil, nil, false }
