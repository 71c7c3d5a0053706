package repojack

import (
	"net/http"
	"testing"
)

// Fake is the test GitHub API, for the scenario test outside the package.
type Fake struct{ f *fakeGitHub }

func newFakeFor(t *testing.T) *Fake { return &Fake{&fakeGitHub{t: t, tagSHA: shaRelease}} }

// NewFake returns the fake GitHub API of the package's tests.
func NewFake(t *testing.T) *Fake { return newFakeFor(t) }

// ServeHTTP implements http.Handler.
func (f *Fake) ServeHTTP(w http.ResponseWriter, r *http.Request) { f.f.ServeHTTP(w, r) }

// Calls counts the calls to path (under /api/v3).
func (f *Fake) Calls(path string) int {
	f.f.mu.Lock()
	defer f.f.mu.Unlock()
	return f.f.calls[path]
}
