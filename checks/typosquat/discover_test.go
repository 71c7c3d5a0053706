package typosquat

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/tollgate-dev/tollgate/internal/httpx"
	"github.com/tollgate-dev/tollgate/lockfiles"
	reg "github.com/tollgate-dev/tollgate/registry"
	"github.com/tollgate-dev/tollgate/registry/npm"
	"github.com/tollgate-dev/tollgate/registry/rubygems"
	"github.com/tollgate-dev/tollgate/scanner"
)

// discoverNow is the clock of the discovery tests.
var discoverNow = time.Date(2026, 12, 1, 12, 0, 0, 0, time.UTC)

// fakePackage is one package a fake registry serves.
type fakePackage struct {
	downloads int64
	created   time.Time
}

// fakeRegistry serves RubyGems' and npm's JSON APIs in the shapes their
// clients parse (registry/rubygems/testdata, registry/npm/testdata):
// GET /api/v1/gems/<name>.json, /api/v1/versions/<name>.json,
// /api/v1/gems/<name>/owners.json; GET /<name> (packument) and
// /downloads/point/last-week/<name>. A name in failing answers 500; any
// other unknown name 404. It counts the packages asked about.
type fakeRegistry struct {
	*httptest.Server
	mu      sync.Mutex
	pkgs    map[string]fakePackage
	failing map[string]bool
	asked   map[string]int
}

func newFakeRegistry(t *testing.T, pkgs map[string]fakePackage, failing ...string) *fakeRegistry {
	f := &fakeRegistry{pkgs: pkgs, failing: map[string]bool{}, asked: map[string]int{}}
	for _, n := range failing {
		f.failing[n] = true
	}
	f.Server = httptest.NewServer(http.HandlerFunc(f.serve))
	t.Cleanup(f.Close)
	return f
}

func (f *fakeRegistry) serve(w http.ResponseWriter, r *http.Request) {
	path := r.URL.Path
	var name, doc string
	switch {
	case strings.HasPrefix(path, "/api/v1/gems/") && strings.HasSuffix(path, "/owners.json"):
		name, doc = strings.TrimSuffix(strings.TrimPrefix(path, "/api/v1/gems/"), "/owners.json"), "owners"
	case strings.HasPrefix(path, "/api/v1/gems/"):
		name, doc = strings.TrimSuffix(strings.TrimPrefix(path, "/api/v1/gems/"), ".json"), "gem"
	case strings.HasPrefix(path, "/api/v1/versions/"):
		name, doc = strings.TrimSuffix(strings.TrimPrefix(path, "/api/v1/versions/"), ".json"), "versions"
	case strings.HasPrefix(path, "/downloads/point/last-week/"):
		name, doc = strings.TrimPrefix(path, "/downloads/point/last-week/"), "downloads"
	default:
		name, doc = strings.TrimPrefix(path, "/"), "packument"
	}
	f.mu.Lock()
	if doc == "gem" || doc == "packument" {
		f.asked[name]++
	}
	p, ok := f.pkgs[name]
	failing := f.failing[name]
	f.mu.Unlock()
	switch {
	case failing:
		http.Error(w, `{"error":"internal"}`, http.StatusInternalServerError)
		return
	case !ok:
		http.Error(w, `{"error":"Not found"}`, http.StatusNotFound)
		return
	}
	w.Header().Set("Content-Type", "application/json")
	created := p.created.Format("2006-01-02T15:04:05.000Z")
	var body any
	switch doc {
	case "gem":
		body = map[string]any{"name": name, "downloads": p.downloads, "version": "1.0.0", "version_created_at": created, "platform": "ruby",
			"metadata":     map[string]string{"source_code_uri": "https://github.com/example/" + name},
			"dependencies": map[string]any{"development": []any{}, "runtime": []any{}}}
	case "versions":
		body = []map[string]any{{"number": "1.0.0", "platform": "ruby", "created_at": created, "sha": strings.Repeat("ab", 32), "prerelease": false, "metadata": map[string]string{}}}
	case "owners":
		body = []map[string]string{{"handle": "someone"}}
	case "downloads":
		body = map[string]any{"downloads": p.downloads, "start": "2026-11-24", "end": "2026-11-30", "package": name}
	default:
		body = map[string]any{"name": name, "dist-tags": map[string]string{"latest": "1.0.0"},
			"time":     map[string]string{"created": created, "modified": created, "1.0.0": created},
			"versions": map[string]any{"1.0.0": map[string]any{"name": name, "version": "1.0.0", "dist": map[string]any{"tarball": "https://x/" + name + ".tgz", "integrity": "sha512-AA=="}}}}
	}
	_ = json.NewEncoder(w).Encode(body)
}

// lookups is how many packages were asked about.
func (f *fakeRegistry) lookups() int {
	f.mu.Lock()
	defer f.mu.Unlock()
	n := 0
	for _, c := range f.asked {
		n += c
	}
	return n
}

func (f *fakeRegistry) wasAsked(name string) bool {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.asked[name] > 0
}

// testHTTP is an HTTP layer that retries once without waiting.
func testHTTP(srv *httptest.Server) *httpx.Client {
	return httpx.New(httpx.Options{HTTPClient: srv.Client(), MaxRetries: 1, MinBackoff: time.Millisecond,
		Sleep: func(ctx context.Context, _ time.Duration) error { return ctx.Err() }})
}

// onlineCheck is the test snapshot's check with RubyGems and npm clients
// on f (npm download counts from f too), memoised as a run's are.
func onlineCheck(t *testing.T, f *fakeRegistry) *Check {
	t.Helper()
	hx := testHTTP(f.Server)
	gems, err := rubygems.New(reg.Options{BaseURL: f.URL, HTTP: hx})
	if err != nil {
		t.Fatal(err)
	}
	npmc, err := npm.New(reg.Options{BaseURL: f.URL, HTTP: hx}, npm.WithDownloads(f.URL, hx))
	if err != nil {
		t.Fatal(err)
	}
	c := testCheck(t)
	c.clients = map[string]reg.Client{lockfiles.EcosystemRubyGems: reg.Memo(gems), lockfiles.EcosystemNPM: reg.Memo(npmc)}
	c.now = func() time.Time { return discoverNow }
	return c
}

func days(n int) time.Time { return discoverNow.AddDate(0, 0, -n) }

// added is a pull request adding pkgs.
func added(pkgs ...lockfiles.Package) *scanner.Input {
	return &scanner.Input{Mode: scanner.ModePullRequest, Packages: pkgs}
}

func gem(name string, line int) lockfiles.Package {
	return pkg(lockfiles.EcosystemRubyGems, name, "1.0.0", "Gemfile.lock", line)
}

func npmPkg(name string, line int) lockfiles.Package {
	return pkg(lockfiles.EcosystemNPM, name, "1.0.0", "package-lock.json", line)
}

// True cases: a RubyGems-style mid-tail squat (the 2020 campaign's
// atlas-client for atlas_client), npm ones (a swapped letter; an imitated
// scope, one letter of a pair left out). None of the targets is in the snapshot.
func TestDiscoverMidTailSquats(t *testing.T) {
	f := newFakeRegistry(t, map[string]fakePackage{
		"atlas-client":        {20, days(3)},
		"atlas_client":        {24_000, days(3000)},
		"left-pda":            {12, days(1)},
		"left-pad":            {3_000_000, days(3800)},
		"@storybok/left-pad":  {3, days(10)},
		"@storybook/left-pad": {400_000, days(2500)},
	})
	c := onlineCheck(t, f)
	got, skipped, err := c.Run(t.Context(), added(gem("atlas-client", 4), npmPkg("left-pda", 7), npmPkg("@storybok/left-pad", 9)))
	if err != nil || len(skipped) != 0 {
		t.Fatalf("err %v, skipped %+v", err, skipped)
	}
	want := []string{
		"Gemfile.lock:4 medium atlas-client ~ atlas_client (online)",
		"package-lock.json:7 medium left-pda ~ left-pad (online)",
		"package-lock.json:9 medium @storybok/left-pad ~ @storybook/left-pad (online)",
	}
	var lines []string
	for _, f := range got {
		lines = append(lines, fmt.Sprintf("%s:%d %s %s", f.Path, f.Line, f.Severity, f.Evidence))
		if f.RuleID != RuleTyposquat || f.Fingerprint == "" || f.Package == "" || !strings.Contains(f.Message, "Found online") {
			t.Errorf("incomplete finding %+v", f)
		}
	}
	if strings.Join(lines, "\n") != strings.Join(want, "\n") {
		t.Fatalf("findings:\n%s\nwant:\n%s", strings.Join(lines, "\n"), strings.Join(want, "\n"))
	}
	for i, msg := range []string{
		"RubyGems package `atlas-client` looks like a typosquat: the separators of `atlas_client` changed, 1,200× fewer downloads (20 against 24,000 in total), first published 3 days ago, after `atlas_client` (" + days(3000).Format("2006-01-02") + "). Found online: `atlas_client` is not in the popularity snapshot; the RubyGems registry shows it.",
		"npm package `left-pda` looks like a typosquat: two adjacent letters swapped from `left-pad`, 250,000× fewer downloads (12 against 3,000,000 last week), first published 1 day ago",
		"one letter of a pair left out of `@storybook/left-pad`",
	} {
		if !strings.Contains(got[i].Message, msg) {
			t.Errorf("message %q\nwant it to contain %q", got[i].Message, msg)
		}
	}
}

// False cases: a variant with few downloads, a candidate older than its
// variant, a candidate popular itself (a tenth of the variant's downloads,
// and a fiftieth: not far enough), no variant at all, and a name whose
// registry answers for it under a variant's spelling.
func TestDiscoverFalseCases(t *testing.T) {
	f := newFakeRegistry(t, map[string]fakePackage{
		"tiny-gem":      {10, days(2)},
		"tiny_gem":      {5_000, days(900)}, // 500×, but nobody's name to imitate
		"old-name":      {500, days(5000)},
		"old_name":      {1_000_000, days(4000)}, // 2,000×, but the candidate is older
		"big-lib":       {300_000, days(30)},
		"big_lib":       {2_000_000, days(4000)}, // a candidate with a seventh of it
		"mid-lib":       {40_000, days(30)},
		"mid_lib":       {2_000_000, days(4000)}, // 50×: not far enough
		"lonely-gem":    {3, days(1)},            // no variant exists
		"norm-gem-name": {3, days(1)},
	})
	c := onlineCheck(t, f)
	got, skipped, err := c.Run(t.Context(), added(gem("tiny-gem", 1), gem("old-name", 2), gem("big-lib", 3), gem("mid-lib", 4), gem("lonely-gem", 5)))
	if err != nil || len(got) != 0 || len(skipped) != 0 {
		t.Fatalf("err %v, findings %+v, skipped %+v", err, got, skipped)
	}
	if !f.wasAsked("tiny_gem") || !f.wasAsked("old_name") || !f.wasAsked("big_lib") {
		t.Errorf("the variants were not asked about: %v", f.asked)
	}
	// A registry that answers under the candidate's own name (a folded
	// spelling) never makes the candidate a squat of itself.
	cand := &reg.Package{Name: "Norm-Gem", Downloads: 3, DownloadsPeriod: reg.DownloadsTotal, Created: days(1)}
	tgt := &reg.Package{Name: "norm-gem", Downloads: 90_000, DownloadsPeriod: reg.DownloadsTotal, Created: days(900)}
	p := gem("Norm-Gem", 1)
	if _, ok := c.judgeVariant(&p, cand, variant{Name: "norm-gem", Kind: "the case of %s changed"}, tgt); ok {
		t.Error("a candidate was reported as a squat of itself")
	}
	tgt.Name = "norm_gem"
	if _, ok := c.judgeVariant(&p, cand, variant{Name: "norm_gem", Kind: "the separators of %s changed"}, tgt); !ok {
		t.Error("the control case was not reported")
	}
}

// A registry that fails is a skipped entry counting the names not checked
// online, not a pass; a name the registry does not know is not judged.
func TestDiscoverRegistryError(t *testing.T) {
	f := newFakeRegistry(t, map[string]fakePackage{
		"broken-gem": {3, days(1)},
		"other-gem":  {3, days(1)},
	}, "broken_gem", "other-gem")
	c := onlineCheck(t, f)
	got, skipped, err := c.Run(t.Context(), added(gem("broken-gem", 1), gem("other-gem", 2), gem("unknown-gem", 3)))
	if err != nil || len(got) != 0 {
		t.Fatalf("err %v, findings %+v", err, got)
	}
	if len(skipped) != 1 || skipped[0].ByChoice || !strings.Contains(skipped[0].Reason, "the RubyGems registry could not answer") ||
		!strings.Contains(skipped[0].Reason, "2 names were not checked online") || !strings.Contains(skipped[0].Reason, "broken-gem, other-gem") {
		t.Errorf("skipped %+v", skipped)
	}
}

// The limits: at most maxVariantsPerName variants a name (a name with
// more confident ones says so), at most maxDiscover lookups a run (the
// names beyond are counted).
func TestDiscoverLimits(t *testing.T) {
	f := newFakeRegistry(t, map[string]fakePackage{
		"abbcc-ddeeff-gghh-iijj": {1, days(1)},
		"first-gem":              {1, days(1)},
		"second-gem":             {1, days(1)},
		"third-gem":              {1, days(1)},
	})
	c := onlineCheck(t, f)
	vs, confident := c.variants().Variants(lockfiles.EcosystemRubyGems, "abbcc-ddeeff-gghh-iijj")
	if len(vs) != maxVariantsPerName || confident <= maxVariantsPerName {
		t.Fatalf("%d variants of %d confident", len(vs), confident)
	}
	_, skipped, err := c.Run(t.Context(), added(gem("abbcc-ddeeff-gghh-iijj", 1)))
	if err != nil || len(skipped) != 1 || skipped[0].ByChoice || !strings.Contains(skipped[0].Reason, "1 name has more look-alike variants than the 12 asked about") {
		t.Fatalf("err %v, skipped %+v", err, skipped)
	}
	if n := f.lookups(); n != 1+maxVariantsPerName {
		t.Errorf("%d lookups for one name, want %d", n, 1+maxVariantsPerName)
	}

	// A run limit of 30 lookups covers two names of 13 (the candidate and
	// 12 variants), not three.
	c = onlineCheck(t, f)
	c.maxDiscover = 30
	_, skipped, err = c.Run(t.Context(), added(gem("first-gem", 1), gem("second-gem", 2), gem("third-gem", 3)))
	if err != nil || len(skipped) != 1 || skipped[0].ByChoice ||
		!strings.Contains(skipped[0].Reason, "1 name outside the popularity snapshot was not checked online") ||
		!strings.Contains(skipped[0].Reason, "limit of 30 registry lookups a run") || !strings.Contains(skipped[0].Reason, "third-gem") {
		t.Errorf("err %v, skipped %+v", err, skipped)
	}
	if maxDiscoverPerRun != 200 || maxVariantsPerName != 12 || farMoreDownloads != 100 || popularEnough != 10 {
		t.Error("the documented limits changed: update the README")
	}
}

// A budget that runs out during discovery counts the names left.
func TestDiscoverBudget(t *testing.T) {
	f := newFakeRegistry(t, map[string]fakePackage{"first-gem": {1, days(1)}})
	c := onlineCheck(t, f)
	ctx, cancel := context.WithCancel(t.Context())
	cancel()
	_, skipped := c.discover(ctx, []*lockfiles.Package{ptr(gem("first-gem", 1))})
	if len(skipped) != 1 || !strings.Contains(skipped[0].Reason, "time budget") {
		t.Errorf("skipped %+v", skipped)
	}
}

func ptr[T any](v T) *T { return &v }

// refusingClient fails the test when asked: registries without download
// counts are never asked about variants.
type refusingClient struct {
	t   *testing.T
	eco string
}

func (r refusingClient) Ecosystem() string { return r.eco }
func (r refusingClient) Package(_ context.Context, name string) (*reg.Package, error) {
	r.t.Errorf("asked the %s registry about %s", r.eco, name)
	return nil, &reg.Error{Registry: r.eco, Package: name, Err: reg.ErrNotFound}
}

// Registries without download counts cannot show "far more downloads":
// PyPI is never asked, an npm mirror without the download API answers
// -1; both are listed (not a failure), and nothing is reported on
// existence alone.
func TestDiscoverWithoutDownloadCounts(t *testing.T) {
	f := newFakeRegistry(t, map[string]fakePackage{
		"left-pda": {12, days(1)},
		"left-pad": {3_000_000, days(3800)},
	})
	hx := testHTTP(f.Server)
	mirror, err := npm.New(reg.Options{BaseURL: f.URL, HTTP: hx}, npm.WithDownloads("", nil))
	if err != nil {
		t.Fatal(err)
	}
	c := testCheck(t)
	c.clients = map[string]reg.Client{lockfiles.EcosystemNPM: mirror, lockfiles.EcosystemPyPI: refusingClient{t, lockfiles.EcosystemPyPI}}
	got, skipped, err := c.Run(t.Context(), added(npmPkg("left-pda", 1), pkg(lockfiles.EcosystemPyPI, "reqests-oauth", "1.0", "requirements.txt", 1)))
	if err != nil || len(got) != 0 {
		t.Fatalf("err %v, findings %+v", err, got)
	}
	var reasons []string
	for _, s := range skipped {
		if !s.ByChoice {
			t.Errorf("not by choice: %+v", s)
		}
		reasons = append(reasons, s.Reason)
	}
	joined := strings.Join(reasons, "\n")
	for _, want := range []string{"the PyPI registry did not give: 1 name", "the npm registry did not give: 1 name outside the popularity snapshot was judged on the snapshot alone (a look-alike's existence is not reported): left-pda"} {
		if !strings.Contains(joined, want) {
			t.Errorf("skipped:\n%s\nwant %q", joined, want)
		}
	}
	if f.wasAsked("left-pad") {
		t.Error("variants were asked about although the registry shows no download counts")
	}
}

// Offline, discovery does not run and says so (by choice: not a failure).
func TestDiscoverOffline(t *testing.T) {
	c := testCheck(t)
	c.offline = true
	got, skipped, err := c.Run(t.Context(), added(gem("atlas-client", 1), npmPkg("lodahs", 2), npmPkg("lodash", 3)))
	if err != nil || len(got) != 1 {
		t.Fatalf("err %v, findings %+v", err, got)
	}
	if len(skipped) != 1 || !skipped[0].ByChoice || !strings.Contains(skipped[0].Reason, "offline: mid-tail discovery did not run: 1 name not among the built-in popular names was judged on them alone") {
		t.Errorf("skipped %+v", skipped)
	}
}

// A sweep judges the names outside the snapshot on it alone and says so
// (a note, not a fault): no registry is asked about look-alikes of the
// names a repository chose long ago.
func TestDiscoverNotInSweeps(t *testing.T) {
	f := newFakeRegistry(t, map[string]fakePackage{
		"atlas-client": {20, days(3)},
		"atlas_client": {24_000, days(3000)},
	})
	c := onlineCheck(t, f)
	in := added(gem("atlas-client", 4))
	in.Mode = scanner.ModeSweep
	got, skipped, err := c.Run(t.Context(), in)
	if err != nil || len(got) != 0 {
		t.Fatalf("err %v, findings %+v", err, got)
	}
	if len(skipped) != 1 || !skipped[0].ByChoice || !strings.Contains(skipped[0].Reason, "not in a sweep: 1 name not among the built-in popular names was judged on them alone") {
		t.Errorf("skipped %+v", skipped)
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	if len(f.asked) != 0 {
		t.Errorf("registry asked %v", f.asked)
	}
}
