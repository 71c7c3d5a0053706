//go:build unix

package index

import (
	"os"
	"syscall"
)

// mapFile maps an index read-only, so that a lookup faults in only the
// pages it reads, straight from the page cache (no copy, no zeroing). Index
// files are only ever replaced by rename, never truncated in place, so a
// mapping stays valid for as long as it is open.
func mapFile(f *os.File, size int64) ([]byte, func() error, bool) {
	if size <= 0 || size != int64(int(size)) {
		return nil, nil, false
	}
	b, err := syscall.Mmap(int(f.Fd()), 0, int(size), syscall.PROT_READ, syscall.MAP_SHARED)
	if err != nil {
		return nil, nil, false
	}
	return b, func() error { return syscall.Munmap(b) }, true
}
