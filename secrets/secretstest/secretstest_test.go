package secretstest_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"testing"

	secretscheck "github.com/tollgate-dev/tollgate/checks/secrets"

	"github.com/tollgate-dev/tollgate/scanner"
	"github.com/tollgate-dev/tollgate/secrets"
	"github.com/tollgate-dev/tollgate/secrets/secretstest"
)

// TestPlantedFileFoundAndNotLeaked scans a file holding one planted secret
// per rule: each is found by its rule at its line, and neither the matches,
// nor the findings, nor a baseline written from them hold any secret.
func TestPlantedFileFoundAndNotLeaked(t *testing.T) {
	file, planted := secretstest.File(secretstest.All(42))
	if len(planted) < 150 {
		t.Fatalf("only %d planted secrets", len(planted))
	}
	e, err := secrets.New(secrets.Options{})
	if err != nil {
		t.Fatal(err)
	}
	ms := e.ScanFile("planted.txt", file)
	found := map[string]bool{}
	for _, m := range ms {
		found[fmt.Sprintf("%s:%d", m.RuleID, m.Line)] = true
	}
	for _, p := range planted {
		if !found[fmt.Sprintf("%s:%d", p.RuleID, p.Line)] {
			t.Errorf("%s not found at line %d", p.RuleID, p.Line)
		}
	}
	var out bytes.Buffer
	if err := json.NewEncoder(&out).Encode(ms); err != nil {
		t.Fatal(err)
	}
	c, err := secretscheck.FromOptions(secrets.Options{})
	if err != nil {
		t.Fatal(err)
	}
	fs, _, err := c.Run(context.Background(), &scanner.Input{Mode: scanner.ModePullRequest,
		Added: []scanner.FileLines{{Path: "planted.txt", Lines: toLines(file)}}})
	if err != nil || len(fs) < len(planted) {
		t.Fatalf("check: %v, %d findings", err, len(fs))
	}
	for _, f := range fs {
		fmt.Fprintf(&out, "%s %s:%d %s %s\n", f.RuleID, f.Path, f.Line, f.Message, f.Evidence)
	}
	if err := secrets.WriteBaseline(&out, ms); err != nil {
		t.Fatal(err)
	}
	secretstest.AssertNoLeak(t, out.Bytes(), planted)
}

// TestLeaksDetects makes sure the leak check itself can fail.
func TestLeaksDetects(t *testing.T) {
	p, err := secretstest.Secret("secret/github-pat", 1)
	if err != nil {
		t.Fatal(err)
	}
	if got := secretstest.Leaks([]byte("token: "+p.Secret[:20]), []secretstest.Planted{p}); len(got) != 1 {
		t.Errorf("partial leak not detected: %v", got)
	}
	if got := secretstest.Leaks([]byte("ghp_…(40 chars)"), []secretstest.Planted{p}); len(got) != 0 {
		t.Errorf("redacted form reported as a leak: %v", got)
	}
	pem, _ := secretstest.Secret("private-key", 1)
	if got := secretstest.Leaks([]byte(`{"v":`+fmt.Sprintf("%q", pem.Secret)+`}`), []secretstest.Planted{pem}); len(got) != 1 {
		t.Errorf("JSON-escaped leak not detected: %v", got)
	}
	if _, err := secretstest.Secret("no-such-rule", 1); err == nil {
		t.Error("unknown rule accepted")
	}
}

func toLines(b []byte) []scanner.Line {
	var out []scanner.Line
	for i, l := range bytes.Split(b, []byte("\n")) {
		out = append(out, scanner.Line{Number: i + 1, Text: string(l)})
	}
	return out
}
