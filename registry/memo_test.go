package registry

import (
	"context"
	"errors"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

// countingClient answers after a pause and counts the calls per name.
type countingClient struct {
	mu    sync.Mutex
	calls map[string]int
	pause time.Duration
	fail  map[string]error
}

func (c *countingClient) Ecosystem() string { return EcosystemNpm }

func (c *countingClient) Package(ctx context.Context, name string) (*Package, error) {
	c.mu.Lock()
	c.calls[name]++
	c.mu.Unlock()
	select {
	case <-time.After(c.pause):
	case <-ctx.Done():
		return nil, ctx.Err()
	}
	if err := c.fail[name]; err != nil {
		return nil, err
	}
	return &Package{Ecosystem: EcosystemNpm, Name: name}, nil
}

type lookupClient struct {
	countingClient
	lookups atomic.Int32
}

func (c *lookupClient) LookupVersion(_ context.Context, name, version string) (*Version, error) {
	c.lookups.Add(1)
	return &Version{Version: version}, nil
}

// TestMemoOneCallPerName: twenty concurrent and later callers of one name
// cost the wrapped client one call, an error is shared like an answer, and
// different names are asked apart.
func TestMemoOneCallPerName(t *testing.T) {
	notFound := &Error{Registry: "npm", Package: "gone", Err: ErrNotFound}
	inner := &countingClient{calls: map[string]int{}, pause: 20 * time.Millisecond, fail: map[string]error{"gone": notFound}}
	m := Memo(inner)
	var wg sync.WaitGroup
	var got atomic.Int32
	for range 20 {
		wg.Go(func() {
			if p, err := m.Package(t.Context(), "left-pad"); err == nil && p.Name == "left-pad" {
				got.Add(1)
			}
		})
		wg.Go(func() {
			if _, err := m.Package(t.Context(), "gone"); !errors.Is(err, ErrNotFound) {
				t.Errorf("gone: %v", err)
			}
		})
	}
	wg.Wait()
	if _, err := m.Package(t.Context(), "left-pad"); err != nil {
		t.Fatal(err)
	}
	if got.Load() != 20 || inner.calls["left-pad"] != 1 || inner.calls["gone"] != 1 {
		t.Errorf("answers %d, calls %v: want 20 answers from one call per name", got.Load(), inner.calls)
	}
	if _, ok := m.(VersionLookup); ok {
		t.Error("a client without LookupVersion gained one")
	}
}

// TestMemoForgetsCancelledFetch: a fetch cut by its own caller's context is
// not remembered; a waiting caller with a live context asks again.
func TestMemoForgetsCancelledFetch(t *testing.T) {
	inner := &countingClient{calls: map[string]int{}, pause: 200 * time.Millisecond}
	m := Memo(inner)
	short, cancel := context.WithTimeout(t.Context(), 20*time.Millisecond)
	defer cancel()
	done := make(chan error, 1)
	go func() {
		_, err := m.Package(short, "chalk")
		done <- err
	}()
	time.Sleep(5 * time.Millisecond)
	p, err := m.Package(t.Context(), "chalk")
	if err != nil || p.Name != "chalk" {
		t.Fatalf("live caller: %v %v", p, err)
	}
	if err := <-done; !errors.Is(err, context.DeadlineExceeded) {
		t.Errorf("cancelled caller: %v", err)
	}
	if inner.calls["chalk"] != 2 {
		t.Errorf("%d calls: want the cancelled one and one more", inner.calls["chalk"])
	}
	if _, err := m.Package(t.Context(), "chalk"); err != nil || inner.calls["chalk"] != 2 {
		t.Errorf("the good answer is remembered: %v, %d calls", err, inner.calls["chalk"])
	}
}

// TestMemoVersionLookup: LookupVersion passes through and is memoised.
func TestMemoVersionLookup(t *testing.T) {
	inner := &lookupClient{countingClient: countingClient{calls: map[string]int{}}}
	vl, ok := Memo(inner).(VersionLookup)
	if !ok {
		t.Fatal("LookupVersion lost")
	}
	for range 3 {
		if v, err := vl.LookupVersion(t.Context(), "golang.org/x/mod", "v0.1.0"); err != nil || v.Version != "v0.1.0" {
			t.Fatal(v, err)
		}
	}
	if _, err := vl.LookupVersion(t.Context(), "golang.org/x/mod", "v0.2.0"); err != nil {
		t.Fatal(err)
	}
	if n := inner.lookups.Load(); n != 2 {
		t.Errorf("%d lookups: want one per version", n)
	}
}
