package secrets

import (
	"bytes"
	"context"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"
	"testing/fstest"

	"github.com/tollgate-dev/tollgate/scanner"
	engine "github.com/tollgate-dev/tollgate/secrets"
	"github.com/tollgate-dev/tollgate/secrets/secretstest"
)

// ghToken is a valid-looking GitHub token (its CRC32 checks out).
func ghToken(t testing.TB, seed uint64) string {
	t.Helper()
	p, err := secretstest.Secret("github-pat", seed)
	if err != nil {
		t.Fatal(err)
	}
	return p.Secret
}

func TestCheckPullRequestAndSweep(t *testing.T) {
	c, err := FromOptions(engine.Options{})
	if err != nil {
		t.Fatal(err)
	}
	if c.ID() != "secrets" || len(c.Rules()) < 150 {
		t.Fatalf("ID %q, %d rules", c.ID(), len(c.Rules()))
	}
	for _, r := range c.Rules() {
		if !strings.HasPrefix(r.ID, "secret/") || r.Name == "" || r.Short == "" || r.Help == "" || r.Severity == "" || r.Precision == "" {
			t.Fatalf("incomplete report rule %+v", r)
		}
	}
	tok := ghToken(t, 12)
	pr := &scanner.Input{Mode: scanner.ModePullRequest, Added: []scanner.FileLines{
		{Path: "app/settings.py", Lines: []scanner.Line{{Number: 7, Text: "GITHUB_TOKEN = '" + tok + "'"}}},
		{Path: "vendor/lib/x.go", Lines: []scanner.Line{{Number: 1, Text: tok}}},
	}}
	fs, skipped, err := c.Run(context.Background(), pr)
	if err != nil || len(skipped) != 0 {
		t.Fatalf("Run: %v %v", err, skipped)
	}
	if len(fs) != 1 {
		t.Fatalf("want 1 finding, got %+v", fs)
	}
	f := fs[0]
	if f.RuleID != "secret/github-pat" || f.Path != "app/settings.py" || f.Line != 7 || f.Evidence != "ghp_…(40 chars)" || f.Fingerprint == "" {
		t.Errorf("finding = %+v", f)
	}
	if strings.Contains(f.Message, tok) || !strings.Contains(f.Message, "ghp_…(40 chars)") || !strings.Contains(f.Message, "GitHub") {
		t.Errorf("message = %q", f.Message)
	}

	tree := fstest.MapFS{
		"README.md":                 {Data: []byte("# demo\n")},
		"deploy/.env":               {Data: []byte("A=1\nGITHUB_TOKEN=" + tok + "\n")},
		"node_modules/x/index.js":   {Data: []byte(tok)},
		"big.txt":                   {Data: bytes.Repeat([]byte("a"), 200)},
		"package-lock.json":         {Data: []byte(`{"integrity": "sha512-abc"}`)},
		"docs/allowed/example.conf": {Data: []byte(tok)},
	}
	c2, err := FromOptions(engine.Options{MaxFileSize: 100, Allow: engine.Allowlist{Paths: []string{"docs/allowed/**"}}})
	if err != nil {
		t.Fatal(err)
	}
	fs, skipped, err = c2.Run(context.Background(), &scanner.Input{Mode: scanner.ModeSweep, FS: tree})
	if err != nil {
		t.Fatal(err)
	}
	if len(fs) != 1 || fs[0].Path != "deploy/.env" || fs[0].Line != 2 {
		t.Errorf("sweep findings = %+v", fs)
	}
	if len(skipped) != 1 || !strings.Contains(skipped[0].Reason, "big.txt") {
		t.Errorf("skipped = %+v", skipped)
	}
}

// TestCheckVerification: off by default, never on forks or offline, and a
// confirmed live secret becomes critical.
func TestCheckVerification(t *testing.T) {
	var calls atomic.Int32
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		calls.Add(1)
		w.Write([]byte(`{}`))
	}))
	defer srv.Close()
	tok := ghToken(t, 33)
	in := func(offline bool) *scanner.Input {
		return &scanner.Input{Mode: scanner.ModePullRequest, Offline: offline, Added: []scanner.FileLines{
			{Path: "x.env", Lines: []scanner.Line{{Number: 1, Text: "T=" + tok}}}}}
	}
	urls := map[string]string{"github": srv.URL}
	for name, tc := range map[string]struct {
		opts    *engine.VerifyOptions
		offline bool
		skipped string
	}{
		"default off": {nil, false, ""},
		"fork":        {&engine.VerifyOptions{Fork: true, BaseURLs: urls}, false, "fork"},
		"offline":     {&engine.VerifyOptions{BaseURLs: urls}, true, "offline"},
	} {
		c, err := FromOptions(engine.Options{Verify: tc.opts})
		if err != nil {
			t.Fatal(err)
		}
		fs, skipped, err := c.Run(context.Background(), in(tc.offline))
		if err != nil || len(fs) != 1 {
			t.Fatalf("%s: %v %+v", name, err, fs)
		}
		if tc.skipped == "" && len(skipped) != 0 || tc.skipped != "" && (len(skipped) != 1 || !strings.Contains(skipped[0].Reason, tc.skipped)) {
			t.Errorf("%s: skipped = %+v", name, skipped)
		}
	}
	if calls.Load() != 0 {
		t.Fatalf("verification called %d times while it should not run", calls.Load())
	}
	c, _ := FromOptions(engine.Options{Verify: &engine.VerifyOptions{BaseURLs: urls}})
	fs, _, err := c.Run(context.Background(), in(false))
	if err != nil || calls.Load() != 1 || fs[0].Severity != scanner.SeverityCritical || !strings.Contains(fs[0].Message, "confirmed valid") {
		t.Errorf("live verification: %v calls=%d %+v", err, calls.Load(), fs)
	}
}

// A changed file too large for its added lines is not scanned, and says so:
// a skipped entry, never a silent pass.
func TestTooLargeChangedFileIsSkipped(t *testing.T) {
	c, err := FromOptions(engine.Options{})
	if err != nil {
		t.Fatal(err)
	}
	_, skipped, err := c.Run(context.Background(), &scanner.Input{Mode: scanner.ModePullRequest, TooLarge: []string{"dump.sql", "big.log"}})
	if err != nil || len(skipped) != 1 || !strings.Contains(skipped[0].Reason, "2 changed file(s) too large") || !strings.Contains(skipped[0].Reason, "dump.sql, big.log") {
		t.Errorf("skipped %+v, %v", skipped, err)
	}
}
