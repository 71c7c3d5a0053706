package repojack

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"sync"
	"time"

	"github.com/tollgate-dev/tollgate/internal/atomicfile"
)

// Cache limits.
const (
	// repoTTL is how long a repository lookup is trusted: a rename or a
	// deletion must show within a day.
	repoTTL = 24 * time.Hour
	// maxCacheFile bounds the cache file read.
	maxCacheFile = 16 << 20
	// cacheFile is the file name under the cache directory.
	cacheFile = "repojack.json"
)

// cacheEntry is what is kept of one repository.
type cacheEntry struct {
	Status   string    `json:"status"`
	FullName string    `json:"full_name,omitempty"`
	ID       int64     `json:"id,omitempty"`
	Archived bool      `json:"archived,omitempty"`
	Default  string    `json:"default_branch,omitempty"`
	Checked  time.Time `json:"checked"`
	// Tags are the commits tags pointed to when last seen, kept past the
	// lookup's lifetime: a tag that moves is the signal.
	Tags map[string]string `json:"tags,omitempty"`
}

// cache is the on-disk memory of earlier runs: repository lookups (fresh
// for repoTTL), the numeric id behind each name and the commit behind each
// tag (kept until replaced). A missing or corrupt file is an empty cache.
type cache struct {
	path    string
	mu      sync.Mutex
	repos   map[string]*cacheEntry
	changed bool
}

type cacheDoc struct {
	Version int                    `json:"version"`
	Repos   map[string]*cacheEntry `json:"repos"`
}

// openCache reads the cache in dir ("" for none: a cache that forgets).
func openCache(dir string) *cache {
	c := &cache{repos: map[string]*cacheEntry{}}
	if dir == "" {
		return c
	}
	c.path = filepath.Join(dir, cacheFile)
	f, err := os.Open(c.path)
	if err != nil {
		return c
	}
	defer f.Close()
	var doc cacheDoc
	dec := json.NewDecoder(&limited{f, maxCacheFile})
	if dec.Decode(&doc) == nil && doc.Version == 1 && doc.Repos != nil {
		c.repos = doc.Repos
	}
	return c
}

type limited struct {
	f *os.File
	n int64
}

func (l *limited) Read(p []byte) (int, error) {
	if l.n <= 0 {
		return 0, fmt.Errorf("repojack cache larger than %d bytes", maxCacheFile)
	}
	if int64(len(p)) > l.n {
		p = p[:l.n]
	}
	n, err := l.f.Read(p)
	l.n -= int64(n)
	return n, err
}

// get returns the entry of key (nil when none).
func (c *cache) get(key string) *cacheEntry {
	c.mu.Lock()
	defer c.mu.Unlock()
	if e := c.repos[key]; e != nil {
		cp := *e
		return &cp
	}
	return nil
}

// put stores e under key, keeping the tags seen before.
func (c *cache) put(key string, e *cacheEntry) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if old := c.repos[key]; old != nil && e.Tags == nil {
		e.Tags = old.Tags
	}
	c.repos[key] = e
	c.changed = true
}

// tag returns the commit tag pointed to when last seen, and records sha.
func (c *cache) tag(key, tag, sha string) (previous string) {
	c.mu.Lock()
	defer c.mu.Unlock()
	e := c.repos[key]
	if e == nil {
		e = &cacheEntry{}
		c.repos[key] = e
	}
	if e.Tags == nil {
		e.Tags = map[string]string{}
	}
	previous = e.Tags[tag]
	if previous != sha {
		e.Tags[tag] = sha
		c.changed = true
	}
	return previous
}

// save writes the cache back (atomically) when it changed.
func (c *cache) save() error {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.path == "" || !c.changed {
		return nil
	}
	data, err := json.Marshal(cacheDoc{Version: 1, Repos: c.repos})
	if err != nil {
		return err
	}
	if err := os.MkdirAll(filepath.Dir(c.path), 0o755); err != nil {
		return err
	}
	return atomicfile.Write(c.path, data)
}
