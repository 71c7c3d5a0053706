package registry

import (
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

func TestFreshness(t *testing.T) {
	def := 7 * time.Minute
	tests := []struct {
		cc   []string
		want time.Duration
	}{
		{nil, def},
		{[]string{"public, max-age=300"}, 300 * time.Second},
		{[]string{"max-age=300, s-maxage=60"}, 60 * time.Second},
		{[]string{"public", "max-age=\"120\""}, 120 * time.Second},
		{[]string{"no-store"}, 0},
		{[]string{"max-age=300, no-cache"}, 0},
		{[]string{"private, max-age=30"}, 30 * time.Second},
		{[]string{"max-age=-5"}, def},
		{[]string{"max-age=abc"}, def},
		{[]string{"immutable"}, def},
	}
	for _, tt := range tests {
		h := http.Header{}
		for _, v := range tt.cc {
			h.Add("Cache-Control", v)
		}
		if got := Freshness(h, def); got != tt.want {
			t.Errorf("%q: %v, want %v", tt.cc, got, tt.want)
		}
	}
}

func TestCacheRoundTripAndExpiry(t *testing.T) {
	now := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	c := NewCache(t.TempDir(), func() time.Time { return now })
	p := &Package{Ecosystem: EcosystemNpm, Name: "left-pad", Downloads: -1, Versions: []Version{
		{Version: "1.1.0", Published: now.Add(-time.Hour), Provenance: ProvenanceAttested, Dependencies: map[string]string{"a": "^1"}},
		{Version: "1.0.0", Published: now.Add(-2 * time.Hour)},
	}}
	p.Finish()
	cred := Credentials{Token: "t0ken"}
	if c.Get("https://r", "left-pad", cred) != nil {
		t.Fatal("empty cache answered")
	}
	c.Put("https://r", "left-pad", cred, p, 10*time.Minute)
	got := c.Get("https://r", "left-pad", cred)
	if got == nil || len(got.Versions) != 2 || got.Versions[0].Version != "1.0.0" {
		t.Fatalf("%+v", got)
	}
	if v, ok := got.Version("1.1.0"); !ok || v.Provenance != ProvenanceAttested || v.Dependencies["a"] != "^1" {
		t.Errorf("index after load: %+v", v)
	}
	for _, other := range []struct {
		reg, name string
		cred      Credentials
	}{
		{"https://r2", "left-pad", cred}, {"https://r", "right-pad", cred}, {"https://r", "left-pad", Credentials{}},
	} {
		if c.Get(other.reg, other.name, other.cred) != nil {
			t.Errorf("%v answered from another key", other)
		}
	}
	files, _ := filepath.Glob(filepath.Join(c.dir, "*"))
	for _, f := range files {
		b, _ := os.ReadFile(f)
		if len(b) == 0 || strings.Contains(string(b), "t0ken") {
			t.Errorf("%s: empty or holds the credential", f)
		}
	}
	now = now.Add(10 * time.Minute)
	if c.Get("https://r", "left-pad", cred) != nil {
		t.Error("stale entry answered")
	}
	// A ttl past the cap is capped.
	c.Put("https://r", "left-pad", cred, p, 30*24*time.Hour)
	now = now.Add(MaxCacheTTL)
	if c.Get("https://r", "left-pad", cred) != nil {
		t.Error("ttl not capped")
	}
	c.Put("https://r", "x", cred, p, 0)
	if c.Get("https://r", "x", cred) != nil {
		t.Error("ttl 0 stored")
	}
	var nilCache *Cache
	nilCache.Put("https://r", "x", cred, p, time.Hour)
	if nilCache.Get("https://r", "x", cred) != nil {
		t.Error("nil cache answered")
	}
}

func TestCacheCorruptEntries(t *testing.T) {
	now := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	c := NewCache(t.TempDir(), func() time.Time { return now })
	p := &Package{Name: "x", Versions: []Version{{Version: "1"}}}
	for _, body := range []string{"", "{", `{"schema":1,"registry":"https://r","name":"x","expires":"2027-01-01T00:00:00Z","package":{"versions":"no"}}`,
		`{"schema":999,"registry":"https://r","name":"x","expires":"2027-01-01T00:00:00Z","package":{"name":"x"}}`,
		`{"schema":1,"registry":"https://other","name":"x","expires":"2027-01-01T00:00:00Z","package":{"name":"x"}}`,
		`{"schema":1,"registry":"https://r","name":"x","expires":"2027-01-01T00:00:00Z"}`} {
		c.Put("https://r", "x", Credentials{}, p, time.Hour)
		path := c.path("https://r", "x", Credentials{})
		if err := os.WriteFile(path, []byte(body), 0o600); err != nil {
			t.Fatal(err)
		}
		if got := c.Get("https://r", "x", Credentials{}); got != nil {
			t.Errorf("%q answered %+v", body, got)
		}
	}
}
