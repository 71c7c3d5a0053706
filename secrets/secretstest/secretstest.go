// Package secretstest generates planted, format-valid fake secrets (with
// correct checksums) for every built-in secrets rule, and checks that an
// output leaks none of them. Report and integration tests use it to prove
// that no output format ever prints a secret in clear.
package secretstest

import (
	"encoding/base64"
	"fmt"
	"math/rand/v2"
	"strings"
	"testing"

	"github.com/tollgate-dev/tollgate/secrets"
)

// Planted is one generated secret.
type Planted struct {
	// RuleID is the finding rule id that must report it, e.g. "secret/github-pat".
	RuleID string
	// Text is what to write into a file (the secret with its context; may span lines).
	Text string
	// Secret is the clear value that must never appear in output. Text holds
	// it, or its base64 encoding (a Kubernetes Secret's data).
	Secret string
	// Line is the 1-based line of the secret in the file File built (0 elsewhere).
	Line int
}

// Secret generates the planted secret for one rule ("github-pat" or
// "secret/github-pat"); seed makes it reproducible.
func Secret(ruleID string, seed uint64) (Planted, error) {
	id := strings.TrimPrefix(ruleID, "secret/")
	for _, r := range secrets.Builtin() {
		if r.ID == id {
			rng := rand.New(rand.NewPCG(seed, 0x5ec7e75))
			text, secret := r.Sample(rng)
			return Planted{RuleID: "secret/" + r.ID, Text: text, Secret: secret}, nil
		}
	}
	return Planted{}, fmt.Errorf("secretstest: no rule %q", ruleID)
}

// All generates one planted secret per built-in rule that finds secrets in
// file contents (rules that report a file by its name, such as keystores,
// have no text to plant).
func All(seed uint64) []Planted {
	rng := rand.New(rand.NewPCG(seed, 0x5ec7e75))
	rules := secrets.Builtin()
	out := make([]Planted, 0, len(rules))
	for _, r := range rules {
		if r.NameOnly {
			continue
		}
		text, secret := r.Sample(rng)
		out = append(out, Planted{RuleID: "secret/" + r.ID, Text: text, Secret: secret})
	}
	return out
}

// File lays the planted secrets out in one text file, separated by blank
// lines, and returns it with each Planted's Line set.
func File(planted []Planted) ([]byte, []Planted) {
	var b strings.Builder
	out := make([]Planted, len(planted))
	line := 1
	for i, p := range planted {
		out[i] = p
		before, _, found := strings.Cut(p.Text, p.Secret)
		if !found {
			before, _, _ = strings.Cut(p.Text, base64.StdEncoding.EncodeToString([]byte(p.Secret)))
		}
		out[i].Line = line + strings.Count(before, "\n")
		b.WriteString(p.Text)
		b.WriteString("\n\n")
		line += strings.Count(p.Text, "\n") + 2
	}
	return []byte(b.String()), out
}

// window is the length of the pieces of a secret Leaks looks for: long
// enough not to match by chance, short enough to catch a partial leak.
const window = 16

// Leaks returns a description of each planted secret that appears in
// output in full or in any 16-character piece (JSON-escaped forms too).
func Leaks(output []byte, planted []Planted) []string {
	text := string(output)
	// Every window of the output, so that each piece is one map lookup.
	windows := make(map[string]struct{}, len(text))
	for i := 0; i+window <= len(text); i++ {
		windows[text[i:i+window]] = struct{}{}
	}
	var leaks []string
	for _, p := range planted {
		if leak := leakOf(text, windows, p); leak != "" {
			leaks = append(leaks, p.RuleID+": "+leak)
		}
	}
	return leaks
}

func leakOf(text string, windows map[string]struct{}, p Planted) string {
	if strings.Contains(text, p.Secret) || strings.Contains(text, jsonEscape(p.Secret)) {
		return "whole secret in output"
	}
	for _, line := range strings.Split(p.Secret, "\n") {
		for i := 0; i+window <= len(line); i++ {
			piece := line[i : i+window]
			if _, ok := windows[piece]; ok {
				return fmt.Sprintf("piece %q… of the secret in output", piece[:4])
			}
			if esc := jsonEscape(piece); esc != piece && strings.Contains(text, esc) {
				return fmt.Sprintf("piece %q… of the secret in output (JSON-escaped)", piece[:4])
			}
		}
	}
	return ""
}

// AssertNoLeak fails tb for every planted secret found in output.
func AssertNoLeak(tb testing.TB, output []byte, planted []Planted) {
	tb.Helper()
	for _, l := range Leaks(output, planted) {
		tb.Errorf("secret leaked: %s", l)
	}
}

// jsonEscape escapes s the way encoding/json writes it inside a string.
func jsonEscape(s string) string {
	r := strings.NewReplacer(`\`, `\\`, `"`, `\"`, "\n", `\n`, "\r", `\r`, "\t", `\t`, "<", `\u003c`, ">", `\u003e`, "&", `\u0026`)
	return r.Replace(s)
}
