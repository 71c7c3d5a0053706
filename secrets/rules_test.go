package secrets

import (
	"encoding/base64"
	"math/rand/v2"
	"regexp"
	"strings"
	"testing"

	"github.com/tollgate-dev/tollgate/scanner"
)

func newTestEngine(t testing.TB) *Engine {
	t.Helper()
	e, err := New(Options{})
	if err != nil {
		t.Fatalf("New: %v", err)
	}
	return e
}

// TestRuleTable is the one generic table test: every rule's own true cases
// must be found by that rule (with exactly the sampled secret), and its false
// cases must not be.
func TestRuleTable(t *testing.T) {
	rules := Builtin()
	if len(rules) < 350 {
		t.Errorf("rule table has %d rules, want at least 350", len(rules))
	}
	e := newTestEngine(t)
	kebab := regexp.MustCompile(`^[a-z0-9]+(?:-[a-z0-9]+)*$`)
	seen := map[string]bool{}
	for i, r := range rules {
		t.Run(r.ID, func(t *testing.T) {
			if !kebab.MatchString(r.ID) || seen[r.ID] {
				t.Fatalf("bad or duplicate id %q", r.ID)
			}
			seen[r.ID] = true
			if scanner.SeverityRank(r.Severity) < 0 || precisionRank(r.Precision) == 0 || r.Provider == "" || r.Description == "" {
				t.Errorf("incomplete rule: severity %q precision %q provider %q", r.Severity, r.Precision, r.Provider)
			}
			for _, k := range r.Keywords {
				if k != strings.ToLower(k) || k == "" {
					t.Errorf("keyword %q must be lowercase and non-empty", k)
				}
			}
			if r.Sample == nil || len(r.True) == 0 || len(r.False) == 0 {
				t.Fatalf("rule needs a Sample, true cases and false cases")
			}
			rng := rand.New(rand.NewPCG(uint64(i), 7))
			for _, tc := range r.True {
				text, secret := r.Sample(rng)
				input := fillCase(tc, text, secret)
				ms := ruleMatches(scanCase(e, r, input), r.ID)
				if len(ms) == 0 {
					t.Errorf("true case not found:\n%s", input)
					continue
				}
				if (strings.Contains(tc, "{S}") || strings.Contains(tc, "{V}")) && ms[0].secret != secret {
					t.Errorf("true case %q: found %q, want %q", tc, ms[0].secret, secret)
				}
			}
			for _, fc := range r.False {
				text, secret := r.Sample(rng)
				input := fillCase(fc, text, secret)
				if ms := ruleMatches(scanCase(e, r, input), r.ID); len(ms) > 0 {
					t.Errorf("false case found (%s):\n%s", ms[0].Redacted, input)
				}
			}
		})
	}
}

// fillCase puts a sample into a case: {S} is the sample's text, {V} its
// secret and {B64V} the secret in base64.
func fillCase(tc, text, secret string) string {
	return strings.NewReplacer("{S}", text, "{V}", secret, "{B64V}", base64.StdEncoding.EncodeToString([]byte(secret))).Replace(tc)
}

// scanCase scans a case as the rule sees it: a file name for name-only
// rules, a file's content otherwise.
func scanCase(e *Engine, r Rule, input string) []Match {
	if r.NameOnly {
		return e.ScanName(input)
	}
	return e.ScanFile("case.txt", []byte(input))
}

func ruleMatches(ms []Match, id string) []Match {
	var out []Match
	for _, m := range ms {
		if m.RuleID == "secret/"+id {
			out = append(out, m)
		}
	}
	return out
}

func randFor(seed uint64) *rand.Rand { return rand.New(rand.NewPCG(seed, 7)) }
