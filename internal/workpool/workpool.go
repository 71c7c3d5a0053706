// Package workpool runs a function over items with a fixed number of
// workers, the loop the network checks (registry, repojack, content) share:
// at most n calls at once, no new item started once the context is done.
package workpool

import (
	"context"
	"sync"
)

// Each calls do for every item on at most n goroutines and returns when all
// started calls have returned. Once ctx is done no further item is started;
// do is expected to watch ctx itself. do must be safe for concurrent use.
func Each[T any](ctx context.Context, n int, items []T, do func(T)) {
	if n < 1 {
		n = 1
	}
	queue := make(chan T)
	var wg sync.WaitGroup
	for range min(n, max(len(items), 1)) {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for it := range queue {
				do(it)
			}
		}()
	}
feed:
	for _, it := range items {
		select {
		case queue <- it:
		case <-ctx.Done():
			break feed
		}
	}
	close(queue)
	wg.Wait()
}
