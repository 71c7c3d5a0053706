package registry

import (
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/tollgate-dev/tollgate/internal/httpx"
	"github.com/tollgate-dev/tollgate/lockfiles"
	reg "github.com/tollgate-dev/tollgate/registry"
	"github.com/tollgate-dev/tollgate/registry/npm"
	"github.com/tollgate-dev/tollgate/scanner"
)

var now = time.Date(2026, 12, 1, 12, 0, 0, 0, time.UTC)

// ver is one version of a packument, in the registry's shape.
type ver struct {
	v          string
	ago        time.Duration
	publisher  string
	provenance bool
	scripts    map[string]string
	deps       map[string]string
	repo       string
	deprecated string
	trusted    bool
}

// packument writes a full npm packument: versions with dist (attestations
// where signed), _npmUser, maintainers, scripts, and the time map.
func packument(name string, created time.Duration, vs ...ver) []byte {
	versions := map[string]any{}
	times := map[string]string{"created": now.Add(-created).Format(time.RFC3339Nano), "modified": now.Format(time.RFC3339Nano)}
	latest := ""
	for _, v := range vs {
		dist := map[string]any{"tarball": "https://registry.example/" + name + "/-/" + name + "-" + v.v + ".tgz",
			"integrity": "sha512-AAAA", "shasum": strings.Repeat("a", 40)}
		if v.provenance {
			dist["attestations"] = map[string]any{"url": "https://registry.npmjs.org/-/npm/v1/attestations/" + name + "@" + v.v,
				"provenance": map[string]any{"predicateType": "https://slsa.dev/provenance/v1"}}
		}
		doc := map[string]any{"name": name, "version": v.v, "dist": dist,
			"_npmUser":    map[string]any{"name": v.publisher, "email": v.publisher + "@example.com"},
			"maintainers": []map[string]any{{"name": "alice", "email": "a@example.com"}},
			"repository":  map[string]any{"type": "git", "url": "git+https://github.com/acme/" + name + ".git"}}
		if v.repo != "" {
			doc["repository"] = map[string]any{"type": "git", "url": v.repo}
		}
		if v.scripts != nil {
			doc["scripts"] = v.scripts
		}
		if v.deps != nil {
			doc["dependencies"] = v.deps
		}
		if v.deprecated != "" {
			doc["deprecated"] = v.deprecated
		}
		if v.trusted {
			doc["_npmUser"].(map[string]any)["trustedPublisher"] = map[string]any{"id": "github", "oidcConfigId": "oidc:1"}
		}
		versions[v.v] = doc
		times[v.v] = now.Add(-v.ago).Format(time.RFC3339Nano)
		latest = v.v
	}
	data, _ := json.Marshal(map[string]any{"_id": name, "name": name, "dist-tags": map[string]string{"latest": latest},
		"versions": versions, "time": times, "maintainers": []map[string]any{{"name": "alice", "email": "a@example.com"}}})
	return data
}

const day = 24 * time.Hour

func history(name string, n int, provenance bool) []ver {
	var out []ver
	for i := range n {
		out = append(out, ver{v: fmt.Sprintf("1.0.%d", i), ago: time.Duration(400-i*10) * day, publisher: "alice", provenance: provenance})
	}
	return out
}

func registryServer(t *testing.T, docs map[string][]byte, fail bool) *httptest.Server {
	return httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if fail {
			http.Error(w, "upstream down", http.StatusInternalServerError)
			return
		}
		doc, ok := docs[strings.TrimPrefix(r.URL.Path, "/")]
		if !ok {
			w.Header().Set("Content-Type", "application/json")
			w.WriteHeader(http.StatusNotFound)
			fmt.Fprint(w, `{"error":"Not found"}`)
			return
		}
		w.Header().Set("Content-Type", "application/json")
		w.Write(doc)
	}))
}

func npmCheck(t *testing.T, srv *httptest.Server) *Check {
	t.Helper()
	c, err := npm.New(reg.Options{BaseURL: srv.URL, HTTP: httpx.New(httpx.Options{HTTPClient: srv.Client(), MinBackoff: time.Millisecond, MaxRetries: 1})}, npm.WithDownloads("", nil))
	if err != nil {
		t.Fatal(err)
	}
	return New(map[string]reg.Client{lockfiles.EcosystemNPM: c}, DefaultCooldown, func() time.Time { return now })
}

func change(name, from, to string) lockfiles.Change {
	p := lockfiles.Package{Ecosystem: lockfiles.EcosystemNPM, Name: name, Version: to, Path: "package-lock.json", Line: 10, PURL: lockfiles.PURL(lockfiles.EcosystemNPM, name, to, nil)}
	if from == "" {
		return lockfiles.Change{Kind: lockfiles.ChangeAdded, Package: p}
	}
	prev := p
	prev.Version, prev.PURL = from, lockfiles.PURL(lockfiles.EcosystemNPM, name, from, nil)
	return lockfiles.Change{Kind: lockfiles.ChangeUpdated, Package: p, Previous: &prev}
}

func run(t *testing.T, c *Check, changes ...lockfiles.Change) ([]string, []scanner.Finding, []scanner.Skipped) {
	t.Helper()
	in := &scanner.Input{Mode: scanner.ModePullRequest, Changes: changes}
	for _, ch := range changes {
		in.Packages = append(in.Packages, ch.Package)
	}
	fs, sk, err := c.Run(t.Context(), in)
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for _, f := range fs {
		out = append(out, fmt.Sprintf("%s %s %s", f.Package, f.RuleID, f.Severity))
	}
	sort.Strings(out)
	return out, fs, sk
}

// The incidents of the issue as scenarios, and quiet updates.
func TestScenarios(t *testing.T) {
	nx := append(history("nxish", 5, false), ver{v: "1.0.5", ago: 5 * time.Hour, publisher: "alice", scripts: map[string]string{"postinstall": "node telemetry.js"}})
	axios := append(history("axiosish", 6, true), ver{v: "1.0.6", ago: 3 * time.Hour, publisher: "mallory", deps: map[string]string{"plain-crypto-js": "^4.2.1"}})
	for i := range axios[:6] {
		axios[i].deps = map[string]string{"follow-redirects": "^1.15.6"}
	}
	axios[6].deps["follow-redirects"] = "^1.15.6"
	fresh := []ver{{v: "1.0.0", ago: 9 * day, publisher: "alice"}, {v: "1.0.3", ago: time.Hour, publisher: "alice"}}
	calm := append(history("calmish", 4, true), ver{v: "1.0.4", ago: 100 * day, publisher: "alice", provenance: true})
	moved := append(history("movedish", 4, false), ver{v: "1.0.4", ago: 100 * day, publisher: "alice", repo: "git+https://github.com/someone-else/movedish.git"})
	docs := map[string][]byte{
		"nxish":    packument("nxish", 500*day, nx...),
		"axiosish": packument("axiosish", 500*day, axios...),
		"freshish": packument("freshish", 10*day, fresh...),
		"calmish":  packument("calmish", 500*day, calm...),
		"movedish": packument("movedish", 500*day, moved...),
	}
	srv := registryServer(t, docs, false)
	defer srv.Close()
	got, fs, sk := run(t, npmCheck(t, srv),
		change("nxish", "1.0.4", "1.0.5"),
		change("axiosish", "1.0.5", "1.0.6"),
		change("freshish", "", "1.0.3"),
		change("calmish", "1.0.3", "1.0.4"),
		change("movedish", "1.0.3", "1.0.4"),
		change("gone-pkg", "", "1.0.0"),
	)
	want := []string{
		"pkg:npm/axiosish@1.0.6 dependency-added-in-patch medium",
		"pkg:npm/axiosish@1.0.6 provenance-downgrade high",
		"pkg:npm/axiosish@1.0.6 publisher-changed medium",
		"pkg:npm/axiosish@1.0.6 release-too-new high",
		"pkg:npm/freshish@1.0.3 package-too-new medium",
		"pkg:npm/freshish@1.0.3 release-too-new high",
		"pkg:npm/gone-pkg@1.0.0 yanked high",
		"pkg:npm/movedish@1.0.4 source-repository-changed medium",
		"pkg:npm/nxish@1.0.5 install-script-added high",
		"pkg:npm/nxish@1.0.5 release-too-new high",
	}
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("findings:\n%s\nwant:\n%s\nskipped %v", strings.Join(got, "\n"), strings.Join(want, "\n"), sk)
	}
	for _, f := range fs {
		switch {
		case f.Package == "pkg:npm/axiosish@1.0.6" && f.RuleID == RuleReleaseTooNew:
			if !strings.Contains(f.Message, "published 3 h 0 m ago by a first-time publisher (mallory), without the provenance 6 earlier versions had") {
				t.Errorf("axios message %q", f.Message)
			}
		case f.RuleID == RuleInstallScriptAdded:
			if !strings.Contains(f.Message, `postinstall: "node telemetry.js"`) {
				t.Errorf("install script message %q", f.Message)
			}
		case f.RuleID == RuleDependencyInPatch:
			if !strings.Contains(f.Message, "plain-crypto-js") || strings.Contains(f.Message, "follow-redirects") {
				t.Errorf("dependency message %q", f.Message)
			}
		}
	}
}

// A registry that cannot answer leaves its packages unchecked: a skipped
// entry naming them, never a pass.
func TestRegistryDown(t *testing.T) {
	srv := registryServer(t, nil, true)
	defer srv.Close()
	got, _, sk := run(t, npmCheck(t, srv), change("left-pad", "1.2.0", "1.3.0"))
	if len(got) != 0 || len(sk) != 1 || !strings.Contains(sk[0].Reason, "npm registry could not answer for 1 packages") || !strings.Contains(sk[0].Reason, "left-pad@1.3.0") {
		t.Errorf("findings %v skipped %v", got, sk)
	}
}

func TestParseCooldown(t *testing.T) {
	for in, want := range map[string]time.Duration{"": DefaultCooldown, "72h": 72 * time.Hour, "3d": 72 * time.Hour, "0d": 0, "90m": 90 * time.Minute} {
		if got, err := ParseCooldown(in); err != nil || got != want {
			t.Errorf("ParseCooldown(%q) = %v, %v; want %v", in, got, err, want)
		}
	}
	for _, bad := range []string{"soon", "-1h", "400d", "3 days"} {
		if _, err := ParseCooldown(bad); err == nil {
			t.Errorf("ParseCooldown(%q) accepted", bad)
		}
	}
}

func TestHumanAge(t *testing.T) {
	for d, want := range map[time.Duration]string{30 * time.Minute: "30 m", 2*time.Hour + 14*time.Minute: "2 h 14 m", 72 * time.Hour: "3 days"} {
		if got := humanAge(d); got != want {
			t.Errorf("humanAge(%v) = %q, want %q", d, got, want)
		}
	}
}
