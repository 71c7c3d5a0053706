package secrets

import "testing"

// TestBuiltinRulesCompile: New compiles the built-in rules' regular
// expressions only at their first keyword hit, so every one is compiled
// here, where a bad pattern fails a test instead of a scan.
func TestBuiltinRulesCompile(t *testing.T) {
	for _, r := range Builtin() {
		if _, err := compileRule(r); err != nil {
			t.Error(err)
		}
	}
}

// TestNewRejectsBadCallerPattern: a caller's rule table is still compiled
// by New.
func TestNewRejectsBadCallerPattern(t *testing.T) {
	r := Builtin()[0]
	r.Pattern = "(unclosed"
	if _, err := New(Options{Rules: []Rule{r}}); err == nil {
		t.Error("a bad pattern in Options.Rules was accepted")
	}
}
