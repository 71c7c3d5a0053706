package analyze

import (
	"testing"

	"github.com/tollgate-dev/tollgate/checks/content/archive"
)

// Every entry point finds its true cases and none of its false ones.
func TestEntryPointCases(t *testing.T) {
	ids := map[string]bool{}
	for _, ep := range EntryPoints {
		if ids[ep.ID] {
			t.Errorf("entry point %s twice", ep.ID)
		}
		ids[ep.ID] = true
		if len(ep.True) == 0 || len(ep.False) == 0 || ep.Phrase == "" || ep.Ecosystem == "" {
			t.Errorf("entry point %s lacks cases or texts", ep.ID)
		}
		fs := func(c EntryCase) map[string]*archive.File {
			out := map[string]*archive.File{}
			for name, body := range c.Files {
				out[name] = &archive.File{Name: name, Data: []byte(body)}
			}
			return out
		}
		for _, c := range ep.True {
			if _, ok := c.Files[c.File]; !ok {
				t.Errorf("%s: case names %s, which it does not hold", ep.ID, c.File)
			}
			if !ep.Match(c.File, fs(c)) {
				t.Errorf("%s misses %s in %v", ep.ID, c.File, c.Files)
			}
			if _, ok := entryPoints(nil, fs(c))[c.File]; !ok {
				t.Errorf("%s: entryPoints misses %s", ep.ID, c.File)
			}
		}
		for _, c := range ep.False {
			if ep.Match(c.File, fs(c)) {
				t.Errorf("%s matches %s in %v", ep.ID, c.File, c.Files)
			}
		}
	}
}
