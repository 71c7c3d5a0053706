package workpool

import (
	"context"
	"sync/atomic"
	"testing"
	"time"
)

func TestEachBoundsConcurrency(t *testing.T) {
	var running, peak, done atomic.Int32
	items := make([]int, 40)
	Each(t.Context(), 4, items, func(int) {
		n := running.Add(1)
		for {
			p := peak.Load()
			if n <= p || peak.CompareAndSwap(p, n) {
				break
			}
		}
		time.Sleep(2 * time.Millisecond)
		running.Add(-1)
		done.Add(1)
	})
	if done.Load() != 40 || peak.Load() > 4 || peak.Load() < 2 {
		t.Errorf("done %d, peak %d (want 40, at most 4 at once)", done.Load(), peak.Load())
	}
}

func TestEachStopsWhenCancelled(t *testing.T) {
	ctx, cancel := context.WithCancel(t.Context())
	var done atomic.Int32
	Each(ctx, 2, make([]int, 100), func(int) {
		if done.Add(1) == 3 {
			cancel()
		}
		time.Sleep(time.Millisecond)
	})
	if n := done.Load(); n >= 100 || n < 3 {
		t.Errorf("%d items done after cancel at 3", n)
	}
}
