package analyze

import (
	"testing"
)

// Every rule matches its true cases and none of its false ones.
func TestRuleCases(t *testing.T) {
	ids := map[string]bool{}
	for _, r := range Rules {
		if ids[r.ID] {
			t.Errorf("rule %s twice", r.ID)
		}
		ids[r.ID] = true
		if len(r.True) == 0 || len(r.False) == 0 || r.Description == "" || r.Confidence == "" {
			t.Errorf("rule %s lacks cases or texts", r.ID)
		}
		if r.Class == ClassThreat && r.Severity == "" {
			t.Errorf("threat %s has no severity", r.ID)
		}
		matches := func(c string) bool {
			if r.MinCount > 1 {
				return len(r.Pattern.FindAllStringIndex(c, -1)) >= r.MinCount
			}
			return firstMatch(&r, c) != ""
		}
		for _, c := range r.True {
			if !matches(c) {
				t.Errorf("%s misses %q", r.ID, c)
			}
		}
		for _, c := range r.False {
			if matches(c) {
				t.Errorf("%s matches %q", r.ID, c)
			}
		}
	}
}
