package secrets

import (
	"crypto/sha256"
	"encoding/hex"
	"strings"
)

// placeholderWordsPattern matches the words documentation and templates put
// where a credential goes: "your-token-here", "changeme", "<password>",
// "${VAR}". It runs on values of keyed and generic rules only (a prefixed
// token of a real format is reported wherever it is, example files too).
const placeholderWordsPattern = `(?i)your[_\-.]?(?:own[_\-.]?)?(?:api|access|app|secret|auth|private|client|token|key|pass|password|pwd|account|org|project|personal|bot|service|webhook|signing|db|database|user)|` +
	`[_\-.]here(?:$|[^a-z])|^here[_\-]|changeme|[_\-]insecure[_\-]|change[_\-.]?me|change[_\-.]?this|changeit|placeholder|dummy|redacted|` +
	`insert[_\-.]?(?:your|key|token|api|secret|here)|replace[_\-.]?(?:me|with|this)|put[_\-.]?your|enter[_\-.]?your|` +
	`fill[_\-.]?(?:me|in)|^(?:fake|test|example|sample|demo|mock)[_\-.]|[_\-.](?:fake|example|sample|placeholder)(?:$|[_\-.])|` +
	`<[^>]*>|\$\{|\{\{|%\([a-z_]+\)s|^\$[A-Za-z_]|^%[A-Za-z_]+%$`

// isPlaceholder reports values of any rule that are documentation, not a
// credential: runs of x's ("sk_live_xxxx…"), AWS-style EXAMPLE keys, long
// ascending runs ("0123456789", "abcdefgh"), a short block repeated
// ("abcabcabc…"), and the example keys providers publish in their docs.
// Random bodies hit none of these by chance (four x's in a row: about one in
// a million per position).
func isPlaceholder(s string) bool {
	if strings.ContainsAny(s, " \n") {
		// A multi-line secret (a PEM block, whose armor may name
		// alice@example.org) has its own structural test.
		return false
	}
	lower := strings.ToLower(s)
	if strings.Contains(lower, "xxxx") || strings.Contains(lower, "example") || strings.Contains(lower, "*****") {
		return true
	}
	if ascendingRun(s) >= 8 || shortPeriod(s) {
		return true
	}
	sum := sha256.Sum256([]byte(s))
	return knownExampleKeys[hex.EncodeToString(sum[:8])]
}

// knownExampleKeys are SHA-256 prefixes (8 bytes, hex) of example credentials
// that providers print in their documentation and that therefore fill
// READMEs and tests: jwt.io's sample token, Slack's API docs bot token,
// Stripe's docs test key. Hashes keep token-shaped literals out of the code.
var knownExampleKeys = map[string]bool{
	exampleKeyHash("eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9" + "." + "eyJzdWIiOiIxMjM0NTY3ODkwIiwibmFtZSI6IkpvaG4gRG9lIiwiaWF0IjoxNTE2MjM5MDIyfQ" + "." + "SflKxwRJSMeKKF2QT4fwpMeJf36POk6yJV_adQssw5c"): true,
	exampleKeyHash("xox" + "b-17653672481-19874698323-" + "pdFZKVeTuE8sk7oOcBrzbqgy"):                                                                                                                 true,
	exampleKeyHash("sk_" + "test_" + "4eC39HqLyjWDarjtT1zdp7dc"):                                                                                                                                      true,
	exampleKeyHash("sk_" + "test_" + "BQokikJOvBiI2HlWgH4olfQ2"):                                                                                                                                      true,
}

// exampleKeyHash is the knownExampleKeys key of s.
func exampleKeyHash(s string) string {
	sum := sha256.Sum256([]byte(s))
	return hex.EncodeToString(sum[:8])
}

// ascendingRun is the length of the longest run of consecutive ascending
// characters ("3456789", "abcdef").
func ascendingRun(s string) int {
	run, best := 1, 1
	for i := 1; i < len(s); i++ {
		if s[i] == s[i-1]+1 && isAlnumByte(s[i]) {
			run++
			best = max(best, run)
		} else {
			run = 1
		}
	}
	return best
}

// shortPeriod reports a value of 12 or more characters that is one block of
// at most four characters repeated ("abababab…", "1234123412341234").
func shortPeriod(s string) bool {
	if len(s) < 12 {
		return false
	}
	for p := 1; p <= 4; p++ {
		if strings.Repeat(s[:p], len(s)/p+1)[:len(s)] == s {
			return true
		}
	}
	return false
}

func isAlnumByte(c byte) bool {
	return c >= '0' && c <= '9' || c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z'
}

// checksummedPrefixes are the token formats whose last six characters are a
// base62 CRC32 of the rest (GitHub, npm).
var checksummedPrefixes = []string{"ghp_", "gho_", "ghu_", "ghs_", "ghr_", "npm_"}

// hasBadChecksumToken reports whether s holds a token of a checksummed format
// (GitHub, npm: prefix and 36 base62 characters; GitLab routable tokens)
// whose checksum fails. Such a token is a test or malformed value: its
// provider rule rejects it, and generic rules must not report it either.
func hasBadChecksumToken(s string) bool {
	for _, prefix := range checksummedPrefixes {
		for i := strings.Index(s, prefix); i >= 0; {
			body := s[i+len(prefix):]
			n := 0
			for n < len(body) && isAlnumByte(body[n]) {
				n++
			}
			if n == 36 && !crc32Token(prefix)(prefix+body[:36]) {
				return true
			}
			next := strings.Index(s[i+1:], prefix)
			if next < 0 {
				break
			}
			i += 1 + next
		}
	}
	if i := strings.Index(s, "glpat-"); i >= 0 {
		tok := s[i:]
		if j := strings.IndexFunc(tok, func(r rune) bool {
			return !(r < 128 && isAlnumByte(byte(r)) || r == '-' || r == '_' || r == '.')
		}); j >= 0 {
			tok = tok[:j]
		}
		if strings.Count(tok, ".") >= 1 && len(tok) > 40 && !gitlabRoutableValid(tok) {
			return true
		}
	}
	return false
}
