package content

import (
	"crypto/sha512"
	"encoding/base64"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/tollgate-dev/tollgate/lockfiles"
	"github.com/tollgate-dev/tollgate/scanner"
)

// anthropicKey is a made-up key of Anthropic's format (not a real one).
func anthropicKey() string {
	a, b := sha512.Sum512([]byte("tollgate test key a")), sha512.Sum512([]byte("tollgate test key b"))
	return "sk-ant-api03-" + base64.RawURLEncoding.EncodeToString(append(a[:], b[:]...))[:93] + "AA"
}

// A secret the new version adds is package-ships-secret, redacted in every
// field; one the previous version already shipped, or a documentation
// placeholder, is not reported.
func TestPackageShipsSecret(t *testing.T) {
	key := anthropicKey()
	oldFiles := files{"setup.py": pyBenign, "foo/config.py": "TIMEOUT = 3\n", "foo/old.py": "KEY = '" + key + "'\n"}
	newFiles := files{"setup.py": pyBenign, "foo/config.py": "TIMEOUT = 3\nANTHROPIC_API_KEY = \"" + key + "\"\n", "foo/old.py": "KEY = '" + key + "'\n",
		"docs/example.py": "api_key = \"sk-ant-api03-your-key-here\"\n"}
	oldData := buildTar(t, "foo-1.0.0/", oldFiles, true, false)
	newData := buildTar(t, "foo-1.0.1/", newFiles, true, false)
	srv := server(t, map[string][]byte{"/packages/a/b/foo-1.0.0.tar.gz": oldData, "/packages/a/b/foo-1.0.1.tar.gz": newData}, nil)
	var mu sync.Mutex
	var masked []string
	c := New(Options{HTTPClient: srv.Client(), MinBackoff: time.Millisecond, Mask: func(s string) { mu.Lock(); masked = append(masked, s); mu.Unlock() }})
	pkg := func(v string, data []byte) lockfiles.Package {
		return lockfiles.Package{Ecosystem: lockfiles.EcosystemPyPI, Name: "foo", Version: v, Path: "uv.lock", Line: 7, PURL: "pkg:pypi/foo@" + v,
			Integrity: "sha256:" + sha256Hex(data), Resolved: srv.URL + "/packages/a/b/foo-" + v + ".tar.gz"}
	}
	prev := pkg("1.0.0", oldData)
	got, skipped := c.packages(t.Context(), &scanner.Input{Mode: scanner.ModePullRequest, Changes: []lockfiles.Change{{Kind: lockfiles.ChangeUpdated, Package: pkg("1.0.1", newData), Previous: &prev}}})
	if len(skipped) != 0 || len(got) != 1 || got[0].RuleID != RuleShipsSecret || got[0].Severity != scanner.SeverityMedium {
		t.Fatalf("findings %s skipped %+v", summarise(got), skipped)
	}
	f := got[0]
	if !strings.HasPrefix(f.Message, "pypi foo 1.0.1 (updated from 1.0.0) adds a secret in foo/config.py line 2 (Anthropic, secret/anthropic-api-key, sk-a") {
		t.Errorf("message %q", f.Message)
	}
	for _, field := range []string{f.Message, f.Evidence, f.Fingerprint, f.Path, f.Package} {
		if strings.Contains(field, key[13:40]) {
			t.Errorf("secret in clear: %q", field)
		}
	}
	if !strings.Contains(f.Evidence, "foo/config.py:2: secret/anthropic-api-key sk-a") {
		t.Errorf("evidence %q", f.Evidence)
	}
	if len(masked) == 0 || masked[0] != key {
		t.Errorf("the secret was not masked: %d", len(masked))
	}
	// A new dependency shipping the key: "ships".
	got, _ = c.packages(t.Context(), added(pkg("1.0.0", oldData)))
	if len(got) != 1 || !strings.HasPrefix(got[0].Message, "pypi foo 1.0.0 ships a secret in foo/old.py line 1") {
		t.Errorf("new dependency: %s", summarise(got))
	}
}
