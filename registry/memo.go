package registry

import (
	"context"
	"sync"
)

// Memo wraps c so that one run asks its registry once per package: every
// later or concurrent call for the same name shares the first call's answer,
// a failure included (retries belong to the HTTP layer, and one run must
// judge a package on one answer). The checks that ask about the same package
// (registry signals, typosquat confirmation, repojack's source repositories,
// content's artifact URLs) then cost one request between them even without a
// cache directory. A Memo also memoises LookupVersion when c implements
// VersionLookup. The packages it returns are shared: callers must not modify
// them.
func Memo(c Client) Client {
	m := &memo{Client: c, pkgs: map[string]*call[*Package]{}, versions: map[[2]string]*call[*Version]{}}
	if vl, ok := c.(VersionLookup); ok {
		return &memoLookup{memo: m, vl: vl}
	}
	return m
}

// call is one memoised answer; done closes when it is in.
type call[T any] struct {
	done chan struct{}
	val  T
	err  error
	// forgotten: the fetch failed because its caller's context ended; the
	// callers waiting on it ask again.
	forgotten bool
}

type memo struct {
	Client
	mu       sync.Mutex
	pkgs     map[string]*call[*Package]
	versions map[[2]string]*call[*Version]
}

// Package answers from the memo, asking the wrapped client on first use.
func (m *memo) Package(ctx context.Context, name string) (*Package, error) {
	return once(ctx, &m.mu, m.pkgs, name, func() (*Package, error) { return m.Client.Package(ctx, name) })
}

type memoLookup struct {
	*memo
	vl VersionLookup
}

// LookupVersion answers from the memo, asking the wrapped client on first
// use.
func (m *memoLookup) LookupVersion(ctx context.Context, name, version string) (*Version, error) {
	return once(ctx, &m.mu, m.versions, [2]string{name, version}, func() (*Version, error) { return m.vl.LookupVersion(ctx, name, version) })
}

// once returns the memoised answer for key, computing it with fetch when it
// is the first caller. A caller whose context ends while another fetches
// returns its context's error; a first fetch that failed only because its
// own context ended is forgotten, so that a later caller asks again.
func once[K comparable, T any](ctx context.Context, mu *sync.Mutex, calls map[K]*call[T], key K, fetch func() (T, error)) (T, error) {
	for {
		mu.Lock()
		c, ok := calls[key]
		if !ok {
			c = &call[T]{done: make(chan struct{})}
			calls[key] = c
			mu.Unlock()
			c.val, c.err = fetch()
			if c.err != nil && ctx.Err() != nil {
				mu.Lock()
				delete(calls, key)
				c.forgotten = true
				mu.Unlock()
			}
			close(c.done)
			return c.val, c.err
		}
		mu.Unlock()
		select {
		case <-c.done:
			if !c.forgotten {
				return c.val, c.err
			}
		case <-ctx.Done():
			var zero T
			return zero, ctx.Err()
		}
	}
}
