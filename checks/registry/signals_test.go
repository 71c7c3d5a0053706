package registry

import (
	"context"
	"errors"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/tollgate-dev/tollgate/internal/httpx"
	"github.com/tollgate-dev/tollgate/lockfiles"
	osvdb "github.com/tollgate-dev/tollgate/osv"
	reg "github.com/tollgate-dev/tollgate/registry"
	"github.com/tollgate-dev/tollgate/registry/npm"
)

// Every signal with a case that raises it and a near miss that must not:
// the near misses are the shapes users of pnpm's trustPolicy and of
// Socket's alerts complain about.
func TestSignalTrueAndFalse(t *testing.T) {
	old := func(n int) []ver { return history("x", n, false) }
	signed := func(n int) []ver { return history("x", n, true) }
	tests := []struct {
		name     string
		created  time.Duration
		versions []ver
		from, to string
		rule     string
		want     bool
	}{
		{"release an hour old", 500 * day, append(old(3), ver{v: "1.0.3", ago: time.Hour, publisher: "alice"}), "1.0.2", "1.0.3", RuleReleaseTooNew, true},
		{"release a week old", 500 * day, append(old(3), ver{v: "1.0.3", ago: 7 * day, publisher: "alice"}), "1.0.2", "1.0.3", RuleReleaseTooNew, false},
		{"package ten days old", 10 * day, []ver{{v: "1.0.0", ago: 10 * day, publisher: "alice"}}, "", "1.0.0", RulePackageTooNew, true},
		{"package a year old", 400 * day, []ver{{v: "1.0.0", ago: 400 * day, publisher: "alice"}}, "", "1.0.0", RulePackageTooNew, false},
		{"postinstall added", 500 * day, append(old(3), ver{v: "1.0.3", ago: 30 * day, publisher: "alice", scripts: map[string]string{"postinstall": "node x.js"}}), "1.0.2", "1.0.3", RuleInstallScriptAdded, true},
		{"postinstall kept", 500 * day, []ver{
			{v: "1.0.0", ago: 60 * day, publisher: "alice", scripts: map[string]string{"postinstall": "node x.js"}},
			{v: "1.0.1", ago: 30 * day, publisher: "alice", scripts: map[string]string{"postinstall": "node y.js"}}}, "1.0.0", "1.0.1", RuleInstallScriptAdded, false},
		{"new package with a postinstall (no previous version to compare)", 500 * day, []ver{{v: "1.0.0", ago: 30 * day, publisher: "alice", scripts: map[string]string{"postinstall": "node x.js"}}}, "", "1.0.0", RuleInstallScriptAdded, false},
		{"provenance dropped in the major", 500 * day, append(signed(3), ver{v: "1.0.3", ago: 30 * day, publisher: "alice"}), "1.0.2", "1.0.3", RuleProvenance, true},
		{"no provenance in a new major", 500 * day, append(signed(3), ver{v: "2.0.0", ago: 30 * day, publisher: "alice"}), "1.0.2", "2.0.0", RuleProvenance, false},
		{"trusted publisher to provenance only", 500 * day, []ver{
			{v: "1.0.0", ago: 90 * day, publisher: "alice", provenance: true, trusted: true},
			{v: "1.0.1", ago: 30 * day, publisher: "alice", provenance: true}}, "1.0.0", "1.0.1", RuleProvenance, false},
		{"never had provenance", 500 * day, append(old(3), ver{v: "1.0.3", ago: 30 * day, publisher: "alice"}), "1.0.2", "1.0.3", RuleProvenance, false},
		{"first-time publisher", 500 * day, append(old(3), ver{v: "1.0.3", ago: 30 * day, publisher: "mallory"}), "1.0.2", "1.0.3", RulePublisherChanged, true},
		{"the usual publisher", 500 * day, append(old(3), ver{v: "1.0.3", ago: 30 * day, publisher: "alice"}), "1.0.2", "1.0.3", RulePublisherChanged, false},
		{"dependency added in a patch", 500 * day, []ver{
			{v: "1.0.0", ago: 90 * day, publisher: "alice", deps: map[string]string{"a": "1"}},
			{v: "1.0.1", ago: 30 * day, publisher: "alice", deps: map[string]string{"a": "1", "plain-crypto-js": "4"}}}, "1.0.0", "1.0.1", RuleDependencyInPatch, true},
		{"dependency added in a minor", 500 * day, []ver{
			{v: "1.0.0", ago: 90 * day, publisher: "alice", deps: map[string]string{"a": "1"}},
			{v: "1.1.0", ago: 30 * day, publisher: "alice", deps: map[string]string{"a": "1", "b": "2"}}}, "1.0.0", "1.1.0", RuleDependencyInPatch, false},
		{"deprecated version", 500 * day, append(old(3), ver{v: "1.0.3", ago: 30 * day, publisher: "alice", deprecated: "use 2.x"}), "1.0.2", "1.0.3", RuleDeprecated, true},
		{"an earlier version deprecated", 500 * day, []ver{{v: "1.0.0", ago: 90 * day, publisher: "alice", deprecated: "broken"}, {v: "1.0.1", ago: 30 * day, publisher: "alice"}}, "1.0.0", "1.0.1", RuleDeprecated, false},
		{"locked version gone from the registry", 500 * day, old(3), "1.0.1", "1.0.9", RuleYanked, true},
		{"locked version listed", 500 * day, old(3), "1.0.1", "1.0.2", RuleYanked, false},
		{"repository moved", 500 * day, append(old(3), ver{v: "1.0.3", ago: 30 * day, publisher: "alice", repo: "git+https://github.com/evil/x.git"}), "1.0.2", "1.0.3", RuleRepositoryChanged, true},
		{"repository spelled another way", 500 * day, append(old(3), ver{v: "1.0.3", ago: 30 * day, publisher: "alice", repo: "https://github.com/acme/x"}), "1.0.2", "1.0.3", RuleRepositoryChanged, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			srv := registryServer(t, map[string][]byte{"x": packument("x", tt.created, tt.versions...)}, false)
			defer srv.Close()
			_, fs, sk := run(t, npmCheck(t, srv), change("x", tt.from, tt.to))
			var rules []string
			for _, f := range fs {
				rules = append(rules, f.RuleID)
			}
			if got := slices.Contains(rules, tt.rule); got != tt.want {
				t.Errorf("%s raised %v, want %v (findings %v, skipped %v)", tt.rule, got, tt.want, rules, sk)
			}
		})
	}
}

// fakeOSV answers from a table of version -> record ids.
type fakeOSV struct {
	ids   map[string][]string
	err   error
	asked []osvdb.Query
}

func (f *fakeOSV) Lookup(_ context.Context, qs []osvdb.Query) ([][]*osvdb.Vuln, error) {
	f.asked = append(f.asked, qs...)
	if f.err != nil {
		return nil, f.err
	}
	out := make([][]*osvdb.Vuln, len(qs))
	for i, q := range qs {
		for _, id := range f.ids[q.Name+"@"+q.Version] {
			out[i] = append(out[i], &osvdb.Vuln{ID: id})
		}
	}
	return out, nil
}

// An update inside the cooldown that fixes a known vulnerability of the
// version it replaces is lowered to low and says which; one that fixes
// nothing, or whose vulnerability the new version still has, stays high;
// when OSV cannot answer, it stays high and says so.
func TestReleaseTooNewLoweredWhenItFixes(t *testing.T) {
	docs := map[string][]byte{}
	for _, n := range []string{"fixer", "plain", "still"} {
		docs[n] = packument(n, 500*day, append(history(n, 3, false), ver{v: "1.0.3", ago: 2 * time.Hour, publisher: "alice"})...)
	}
	srv := registryServer(t, docs, false)
	defer srv.Close()
	osv := &fakeOSV{ids: map[string][]string{
		"fixer@1.0.2": {"GHSA-fix1-0000-0000", "GHSA-keep-0000-0000"},
		"fixer@1.0.3": {"GHSA-keep-0000-0000"},
		"still@1.0.2": {"GHSA-stil-0000-0000"},
		"still@1.0.3": {"GHSA-stil-0000-0000"},
	}}
	c := npmCheck(t, srv).WithOSV(osv)
	got, fs, _ := run(t, c, change("fixer", "1.0.2", "1.0.3"), change("plain", "1.0.2", "1.0.3"), change("still", "1.0.2", "1.0.3"), change("added", "", "1.0.0"))
	want := []string{
		"pkg:npm/added@1.0.0 yanked high",
		"pkg:npm/fixer@1.0.3 release-too-new low",
		"pkg:npm/plain@1.0.3 release-too-new high",
		"pkg:npm/still@1.0.3 release-too-new high",
	}
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("findings:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
	for _, f := range fs {
		if f.Package == "pkg:npm/fixer@1.0.3" && !strings.Contains(f.Message, "It fixes GHSA-fix1-0000-0000 of 1.0.2, the version it replaces, so it is lowered to low") {
			t.Errorf("fixer message %q", f.Message)
		}
	}
	if len(osv.asked) != 6 {
		t.Errorf("OSV asked %v: want both versions of the three updates in one lookup", osv.asked)
	}

	down := &fakeOSV{err: errors.New("api.osv.dev: HTTP 503")}
	_, fs, _ = run(t, npmCheck(t, srv).WithOSV(down), change("fixer", "1.0.2", "1.0.3"))
	if len(fs) != 1 || fs[0].Severity != "high" || !strings.Contains(fs[0].Message, "Whether it fixes a known vulnerability of 1.0.2 could not be checked (OSV: api.osv.dev: HTTP 503)") {
		t.Errorf("OSV down: %+v", fs)
	}
}

// What the registry could not tell counts only when a signal needs it:
// npm's download-count API being down leaves every signal judged (no
// skipped entry), while provenance that could not be read would not.
func TestIncompleteOnlyWhatSignalsNeed(t *testing.T) {
	srv := registryServer(t, map[string][]byte{"x": packument("x", 500*day, append(history("x", 3, false), ver{v: "1.0.3", ago: time.Hour, publisher: "alice"})...)}, false)
	defer srv.Close()
	down := registryServer(t, nil, true)
	defer down.Close()
	hc := httpx.New(httpx.Options{HTTPClient: srv.Client(), MinBackoff: time.Millisecond, MaxRetries: 1})
	client, err := npm.New(reg.Options{BaseURL: srv.URL, HTTP: hc}, npm.WithDownloads(down.URL, hc))
	if err != nil {
		t.Fatal(err)
	}
	pkg, err := client.Package(t.Context(), "x")
	if err != nil || len(pkg.Incomplete) != 1 || !strings.HasPrefix(pkg.Incomplete[0], "downloads") {
		t.Fatalf("the fixture's download API should fail: %v %v", pkg, err)
	}
	c := New(map[string]reg.Client{lockfiles.EcosystemNPM: client}, DefaultCooldown, func() time.Time { return now })
	got, _, sk := run(t, c, change("x", "1.0.2", "1.0.3"))
	if len(got) != 1 || len(sk) != 0 {
		t.Errorf("findings %v, skipped %+v: want release-too-new and nothing unjudged", got, sk)
	}
	if got := needed([]string{"downloads: x", "provenance: the simple API answered HTTP 404"}); len(got) != 1 || !strings.HasPrefix(got[0], "provenance") {
		t.Errorf("provenance not counted: %v", got)
	}
}
