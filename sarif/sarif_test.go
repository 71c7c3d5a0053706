package sarif

import (
	"bytes"
	"encoding/json"
	"fmt"
	"net/url"
	"os"
	"reflect"
	"strings"
	"testing"

	"github.com/santhosh-tekuri/jsonschema/v6"
	"github.com/tollgate-dev/tollgate/internal/shareddata"
	"github.com/tollgate-dev/tollgate/scanner"
)

func sampleResult() *scanner.Result {
	return &scanner.Result{
		Rules: map[string]scanner.Rule{
			"malicious-package":  {ID: "malicious-package", Name: "MaliciousPackage", Short: "Known-malicious package version", Full: "The package version is listed as malicious in OSV.", Help: "**Remove it.**", Severity: scanner.SeverityCritical, Precision: scanner.PrecisionVeryHigh},
			"vulnerable-package": {ID: "vulnerable-package", Short: "Vulnerable package version", Severity: scanner.SeverityHigh},
			"secret/github-pat":  {ID: "secret/github-pat", Short: "GitHub personal access token", Severity: scanner.SeverityCritical},
		},
		Findings: []scanner.Finding{
			{RuleID: "vulnerable-package", Severity: scanner.SeverityMedium, Message: "lodash 4.17.20 has GHSA-1; fixed in 4.17.21.", Path: "web app/package-lock.json", Line: 12, Package: "pkg:npm/lodash@4.17.20", Fingerprint: "bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb", IDs: []string{"GHSA-1", "CVE-1"}},
			{RuleID: "malicious-package", Severity: scanner.SeverityCritical, Message: "evil 1.0.0 is malicious (MAL-2024-1).", Path: "package-lock.json", Line: 40, Package: "pkg:npm/evil@1.0.0", Fingerprint: "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"},
			{RuleID: "secret/github-pat", Severity: scanner.SeverityCritical, Message: "GitHub token ghp_…(40) in config.", Path: "config/app.yml", Line: 0, Fingerprint: "cccccccccccccccccccccccccccccccc"},
			{RuleID: "undeclared-rule", Severity: scanner.SeverityLow, Message: "x", Path: "a#b?.txt", Line: 3, Fingerprint: "dddd"},
		},
	}
}

func compileSchema(t *testing.T, name string) *jsonschema.Schema {
	t.Helper()
	p := shareddata.Path(t, "sarif", name)
	f, err := os.Open(p)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	doc, err := jsonschema.UnmarshalJSON(f)
	if err != nil {
		t.Fatal(err)
	}
	id := ""
	if m, ok := doc.(map[string]any); ok {
		if s, ok := m["$id"].(string); ok {
			id = s
		} else if s, ok := m["id"].(string); ok {
			id = s
		}
	}
	c := jsonschema.NewCompiler()
	if err := c.AddResource(id, doc); err != nil {
		t.Fatal(err)
	}
	sch, err := c.Compile(id)
	if err != nil {
		t.Fatalf("compile %s: %v", name, err)
	}
	return sch
}

func validate(t *testing.T, data []byte) {
	t.Helper()
	for _, name := range []string{"sarif-schema-2.1.0.json", "sarif-schema-2.1.0.draft-07.json"} {
		sch := compileSchema(t, name)
		inst, err := jsonschema.UnmarshalJSON(bytes.NewReader(data))
		if err != nil {
			t.Fatal(err)
		}
		if err := sch.Validate(inst); err != nil {
			t.Errorf("%s: %v", name, err)
		}
	}
}

func TestSchemaRejectsInvalidExample(t *testing.T) {
	// The validator must be able to fail: GitHub's own invalid fixture.
	data, err := os.ReadFile(shareddata.Path(t, "sarif", "examples", "invalid", "codeql-action-invalid-sarif.sarif"))
	if err != nil {
		t.Fatal(err)
	}
	sch := compileSchema(t, "sarif-schema-2.1.0.json")
	inst, _ := jsonschema.UnmarshalJSON(bytes.NewReader(data))
	if sch.Validate(inst) == nil {
		t.Fatal("schema accepted a SARIF file whose results is 42")
	}
}

type sarifLog struct {
	Schema string `json:"$schema"`
	Runs   []struct {
		AutomationDetails struct{ ID string } `json:"automationDetails"`
		Tool              struct {
			Driver struct {
				Name  string
				Rules []struct {
					ID               string
					Name             string
					ShortDescription struct{ Text string } `json:"shortDescription"`
					FullDescription  struct{ Text string } `json:"fullDescription"`
					Help             struct{ Text, Markdown string }
					Properties       map[string]any
				}
			}
		}
		Results []struct {
			RuleID              string `json:"ruleId"`
			RuleIndex           int    `json:"ruleIndex"`
			Level               string
			Message             struct{ Text string }
			PartialFingerprints map[string]string `json:"partialFingerprints"`
			Locations           []struct {
				PhysicalLocation struct {
					ArtifactLocation struct{ URI string }    `json:"artifactLocation"`
					Region           struct{ StartLine int } `json:"region"`
				} `json:"physicalLocation"`
			}
			RelatedLocations []struct {
				ID               int `json:"id"`
				PhysicalLocation struct {
					ArtifactLocation struct{ URI string }    `json:"artifactLocation"`
					Region           struct{ StartLine int } `json:"region"`
				} `json:"physicalLocation"`
			} `json:"relatedLocations"`
			Properties map[string]any
		}
		Invocations []struct {
			ToolExecutionNotifications []struct{ Message struct{ Text string } } `json:"toolExecutionNotifications"`
		}
	}
}

func write(t *testing.T, res *scanner.Result, opts Options) ([]byte, sarifLog, []string) {
	t.Helper()
	var buf bytes.Buffer
	notes, err := Write(&buf, res, opts)
	if err != nil {
		t.Fatal(err)
	}
	var log sarifLog
	if err := json.Unmarshal(buf.Bytes(), &log); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes(), log, notes
}

func TestWriteValidAndGitHubReady(t *testing.T) {
	data, log, notes := write(t, sampleResult(), Options{ToolVersion: "0.1.0"})
	validate(t, data)
	if len(notes) != 0 {
		t.Errorf("notes = %v", notes)
	}
	if log.Schema != SchemaURI || len(log.Runs) != 2 {
		t.Fatalf("schema %q, %d runs", log.Schema, len(log.Runs))
	}
	if log.Runs[0].AutomationDetails.ID != "tollgate/dependencies/" || log.Runs[1].AutomationDetails.ID != "tollgate/secrets/" {
		t.Errorf("categories %q, %q", log.Runs[0].AutomationDetails.ID, log.Runs[1].AutomationDetails.ID)
	}
	dep := log.Runs[0]
	// Results most severe first; each with a declared rule at its index.
	if len(dep.Results) != 3 || dep.Results[0].RuleID != "malicious-package" {
		t.Fatalf("dependency results %+v", dep.Results)
	}
	for _, r := range append(dep.Results, log.Runs[1].Results...) {
		run := dep
		if strings.HasPrefix(r.RuleID, "secret/") {
			run = log.Runs[1]
		}
		if got := run.Tool.Driver.Rules[r.RuleIndex].ID; got != r.RuleID {
			t.Errorf("result %s points at rule %s", r.RuleID, got)
		}
		if r.Message.Text == "" || len(r.Locations) != 1 || r.PartialFingerprints["primaryLocationLineHash"] == "" {
			t.Errorf("result %s lacks a required field: %+v", r.RuleID, r)
		}
		if r.Locations[0].PhysicalLocation.Region.StartLine < 1 {
			t.Errorf("result %s start line %d", r.RuleID, r.Locations[0].PhysicalLocation.Region.StartLine)
		}
		if r.Properties["security-severity"] == nil {
			t.Errorf("result %s has no security-severity", r.RuleID)
		}
	}
	if u := dep.Results[1].Locations[0].PhysicalLocation.ArtifactLocation.URI; u != "web%20app/package-lock.json" {
		t.Errorf("escaped URI = %q", u)
	}
	if u := dep.Results[2].Locations[0].PhysicalLocation.ArtifactLocation.URI; u != "a%23b%3F.txt" {
		t.Errorf("escaped URI = %q", u)
	}
	if dep.Results[1].Properties["purl"] != "pkg:npm/lodash@4.17.20" {
		t.Errorf("purl property = %v", dep.Results[1].Properties["purl"])
	}
	ids := map[string]bool{}
	for _, r := range dep.Tool.Driver.Rules {
		if ids[r.ID] {
			t.Errorf("rule %s declared twice", r.ID)
		}
		ids[r.ID] = true
		if r.ShortDescription.Text == "" || r.FullDescription.Text == "" || r.Help.Text == "" || r.Name == "" {
			t.Errorf("rule %s lacks a required text: %+v", r.ID, r)
		}
		sev, _ := r.Properties["security-severity"].(string)
		if sev != "" && (sev <= "0" || len(sev) > 4) {
			t.Errorf("rule %s security-severity %q", r.ID, sev)
		}
		tags, _ := r.Properties["tags"].([]any)
		if len(tags) == 0 || tags[0] == nil {
			t.Errorf("rule %s has no tags", r.ID)
		}
	}
	if !ids["undeclared-rule"] {
		t.Error("a finding's rule missing from the rule list")
	}
}

// One vulnerable name@version installed at three places in a lockfile is one
// result whose further install locations are relatedLocations.
func TestInstallLocationsAreRelatedLocations(t *testing.T) {
	res := &scanner.Result{Findings: []scanner.Finding{{
		RuleID: "vulnerable-package", Severity: scanner.SeverityHigh, Message: "minimist 1.2.5 is vulnerable",
		Path: "web app/package-lock.json", Line: 12, Package: "pkg:npm/minimist@1.2.5", Fingerprint: "0123456789abcdef0123456789abcdef",
		Locations: []scanner.Location{{Path: "web app/package-lock.json", Line: 40}, {Path: "web app/package-lock.json", Line: 90}},
	}}}
	data, log, _ := write(t, res, Options{ToolVersion: "0.1.0"})
	validate(t, data)
	r := log.Runs[0].Results[0]
	if len(r.Locations) != 1 || len(r.RelatedLocations) != 2 {
		t.Fatalf("%d locations, %d related, want 1 and 2", len(r.Locations), len(r.RelatedLocations))
	}
	for i, want := range []int{40, 90} {
		rl := r.RelatedLocations[i]
		if rl.ID != i+1 || rl.PhysicalLocation.Region.StartLine != want || rl.PhysicalLocation.ArtifactLocation.URI != "web%20app/package-lock.json" {
			t.Errorf("related location %d = %+v, want id %d line %d", i, rl, i+1, want)
		}
	}
}

func TestFingerprintStableWhenLinesMove(t *testing.T) {
	a := sampleResult()
	b := sampleResult()
	for i := range b.Findings {
		b.Findings[i].Line += 7
	}
	_, la, _ := write(t, a, Options{})
	_, lb, _ := write(t, b, Options{})
	for i, r := range la.Runs[0].Results {
		if got := lb.Runs[0].Results[i].PartialFingerprints["primaryLocationLineHash"]; got != r.PartialFingerprints["primaryLocationLineHash"] {
			t.Errorf("%s: fingerprint changed with the line: %s vs %s", r.RuleID, r.PartialFingerprints["primaryLocationLineHash"], got)
		}
	}
}

func TestLimitsDropLeastSevere(t *testing.T) {
	res := sampleResult()
	for i := 0; i < 30; i++ {
		res.Findings = append(res.Findings, scanner.Finding{RuleID: "vulnerable-package", Severity: scanner.SeverityLow, Message: "low", Path: "p", Line: i + 1, Fingerprint: strings.Repeat("e", 32)})
	}
	data, log, notes := write(t, res, Options{MaxResultsPerRun: 10})
	validate(t, data)
	dep := log.Runs[0]
	if len(dep.Results) != 10 || dep.Results[0].RuleID != "malicious-package" {
		t.Fatalf("kept %d results, first %s", len(dep.Results), dep.Results[0].RuleID)
	}
	if len(notes) != 1 || !strings.Contains(notes[0], "dropped") || len(dep.Invocations) != 1 {
		t.Errorf("notes %v, invocations %+v", notes, dep.Invocations)
	}
	// Twins on one file get distinct line hashes.
	seen := map[string]bool{}
	for _, r := range dep.Results {
		h := r.PartialFingerprints["primaryLocationLineHash"]
		if seen[h] {
			t.Errorf("duplicate primaryLocationLineHash %s", h)
		}
		seen[h] = true
	}

	_, log2, notes2 := write(t, res, Options{MaxGzipBytes: 1500})
	if len(log2.Runs[0].Results) >= len(res.Findings)-1 || len(notes2) == 0 {
		t.Errorf("gzip limit: kept %d of %d, notes %v", len(log2.Runs[0].Results), len(res.Findings), notes2)
	}
}

func TestEmptyResultIsValidAndSmall(t *testing.T) {
	// Both runs are present with no results, so that an upload closes fixed
	// alerts; rules without results are not declared.
	data, log, _ := write(t, &scanner.Result{Rules: sampleResult().Rules}, Options{})
	validate(t, data)
	if len(log.Runs) != 2 || len(log.Runs[0].Results) != 0 || len(log.Runs[0].Tool.Driver.Rules) != 0 {
		t.Errorf("empty report: %d runs, %d results, %d rules", len(log.Runs), len(log.Runs[0].Results), len(log.Runs[0].Tool.Driver.Rules))
	}
}

// Every URI is a relative reference that resolves inside the repository: a
// top-level directory named like a scheme stays a path.
func TestEscapePathNeverAbsolute(t *testing.T) {
	base, _ := url.Parse("file:///repo/")
	for in, want := range map[string]string{
		"https:/evil.example/x.json": "https%3A/evil.example/x.json",
		"c:/lock.json":               "c%3A/lock.json",
		"a/b:c/package-lock.json":    "a/b:c/package-lock.json",
		"/abs/yarn.lock":             "abs/yarn.lock",
		"dir with space/x#y?.lock":   "dir%20with%20space/x%23y%3F.lock",
		`win\path\go.mod`:            "win/path/go.mod",
	} {
		got := escapePath(in)
		if got != want {
			t.Errorf("escapePath(%q) = %q, want %q", in, got, want)
		}
		u, err := url.Parse(got)
		if err != nil || u.IsAbs() || u.Host != "" {
			t.Errorf("%q is not a relative reference: %+v %v", got, u, err)
			continue
		}
		if r := base.ResolveReference(u); !strings.HasPrefix(r.String(), "file:///repo/") {
			t.Errorf("%q resolves to %s, outside the repository", got, r)
		}
	}
}

// A run whose checks could not run fully says so in SARIF: its invocation
// is not successful and names each skipped part; what was turned off is a
// note. The other category's run stays successful.
func TestSkippedChecksInSARIF(t *testing.T) {
	res := &scanner.Result{
		Findings: []scanner.Finding{},
		Skipped:  []scanner.Skipped{{Check: "osv", Reason: "OSV lookup failed: HTTP 504"}},
		Disabled: []scanner.Disabled{{Check: "typosquat", Reason: "not built in this version"}, {Check: "secrets", Reason: "turned off in the config"}},
		Rules:    map[string]scanner.Rule{},
	}
	var buf bytes.Buffer
	if _, err := Write(&buf, res, Options{Category: "tollgate"}); err != nil {
		t.Fatal(err)
	}
	var doc struct {
		Runs []struct {
			AutomationDetails struct{ ID string } `json:"automationDetails"`
			Invocations       []struct {
				ExecutionSuccessful        bool `json:"executionSuccessful"`
				ToolExecutionNotifications []struct {
					Level   string
					Message struct{ Text string }
				} `json:"toolExecutionNotifications"`
			}
		}
	}
	if err := json.Unmarshal(buf.Bytes(), &doc); err != nil {
		t.Fatal(err)
	}
	got := map[string]string{}
	for _, r := range doc.Runs {
		for _, inv := range r.Invocations {
			got[r.AutomationDetails.ID+" ok"] = fmt.Sprint(inv.ExecutionSuccessful)
			for _, n := range inv.ToolExecutionNotifications {
				got[r.AutomationDetails.ID] += n.Level + ": " + n.Message.Text + "; "
			}
		}
	}
	want := map[string]string{
		"tollgate/dependencies/ ok": "false",
		"tollgate/dependencies/":    "error: osv could not run fully: OSV lookup failed: HTTP 504; note: typosquat turned off: not built in this version; ",
		"tollgate/secrets/ ok":      "true",
		"tollgate/secrets/":         "note: secrets turned off: turned off in the config; ",
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("got %q\nwant %q", got, want)
	}
}
