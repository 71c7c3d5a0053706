package lockfiles

import (
	"strings"
	"testing"
)

func TestCommitSHA(t *testing.T) {
	sha1 := "0123456789abcdef0123456789ABCDEF01234567"
	sha256 := strings.Repeat("0123456789abcdef", 4)
	for _, c := range []struct {
		ref           string
		sha, orSHA256 bool
	}{
		{sha1, true, true},
		{sha256, false, true},
		{sha1[:39], false, false},
		{sha1 + "8", false, false},
		{sha256[:63] + "g", false, false},
		{strings.Replace(sha1, "a", "g", 1), false, false},
		{"v1.2.3", false, false},
		{"", false, false},
	} {
		if got := IsCommitSHA(c.ref); got != c.sha {
			t.Errorf("IsCommitSHA(%q) = %v, want %v", c.ref, got, c.sha)
		}
		if got := IsCommitSHAOrSHA256(c.ref); got != c.orSHA256 {
			t.Errorf("IsCommitSHAOrSHA256(%q) = %v, want %v", c.ref, got, c.orSHA256)
		}
	}
}

func TestHasAnyPrefix(t *testing.T) {
	for _, c := range []struct {
		s    string
		want bool
	}{
		{"git+https://x", true}, {"file:../a", true}, {"https://x", false}, {"", false},
	} {
		if got := HasAnyPrefix(c.s, "git+", "file:"); got != c.want {
			t.Errorf("HasAnyPrefix(%q) = %v, want %v", c.s, got, c.want)
		}
	}
	if HasAnyPrefix("x") {
		t.Error("HasAnyPrefix with no prefixes is true")
	}
}
