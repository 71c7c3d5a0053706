// Package secrets finds credentials in text: a table of provider rules (rules
// as data, each with its own true and false cases), an engine that runs a
// keyword prefilter (Aho-Corasick) over the whole input and the rules'
// regular expressions only in a window around each keyword hit, redaction at
// the moment of finding, keyed fingerprints, suppression (inline comments,
// allowlists, baselines), git history scanning and optional live verification.
//
// The clear value of a secret never leaves this package except through the
// Options.Mask callback (for the Action's ::add-mask::).
package secrets

import (
	"bytes"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"path"
	"regexp"
	"sort"
	"strings"
	"sync"
	"unicode/utf8"

	"github.com/bmatcuk/doublestar/v4"

	"github.com/tollgate-dev/tollgate/scanner"
)

// DefaultMaxFileSize is the size above which a file is not scanned.
const DefaultMaxFileSize = 10 << 20

// defaultFingerprintKey keys fingerprints when Options gives no key. It is not
// a secret: it only keeps fingerprints from being a plain hash of the value.
const defaultFingerprintKey = "tollgate-secrets-fingerprint-v1"

// InlineAllow on a line suppresses the secrets found on it.
const InlineAllow = "tollgate:allow"

// window is how far (bytes) either side of a keyword hit a one-line rule looks
// when the line is longer than that (minified files).
const window = 1024

// Options configure an Engine. The zero value is usable.
type Options struct {
	// Rules replaces the built-in table (nil: Builtin()).
	Rules []Rule
	// Disable lists rule ids not to run.
	Disable []string
	// MaxFileSize is the largest file scanned, in bytes (0: DefaultMaxFileSize).
	MaxFileSize int64
	// FingerprintKey keys the HMAC of the secret in fingerprints (nil: a fixed default).
	FingerprintKey []byte
	// Mask, if set, receives every clear secret found, for ::add-mask::.
	// It must be safe for concurrent use.
	Mask func(secret string)
	// Allow suppresses matches by path, value pattern or fingerprint.
	Allow Allowlist
	// Baseline suppresses matches whose fingerprints it holds.
	Baseline *Baseline
	// ScanSkippable scans vendored, generated and minified files too.
	ScanSkippable bool
	// Verify turns on live verification in the check (nil: off).
	Verify *VerifyOptions
}

// Allowlist suppresses matches (config `allow:`).
type Allowlist struct {
	// Paths are doublestar globs of repository-relative paths not scanned.
	Paths []string
	// Patterns are RE2 expressions; a secret value matching one is dropped.
	Patterns []string
	// Fingerprints are match fingerprints to drop ("fingerprint:" prefix optional).
	Fingerprints []string
}

// Match is one secret found. It holds no clear value except in an unexported
// field used for live verification.
type Match struct {
	RuleID   string `json:"rule_id"`
	Provider string `json:"provider"`
	Severity string `json:"severity"`
	Path     string `json:"path"`
	// Line and Column are 1-based; Column counts characters (runes).
	Line   int `json:"line"`
	Column int `json:"column"`
	// Redacted is the first characters and the length, e.g. "ghp_…(40 chars)".
	Redacted string `json:"redacted"`
	// Fingerprint is HMAC-based: rule, path and the secret, not the line.
	Fingerprint string `json:"fingerprint"`
	// Commit is the first commit a history scan saw the blob in ("" otherwise).
	Commit string `json:"commit,omitempty"`
	// Verified is "valid", "invalid" or "unknown" after live verification; "" if not verified.
	Verified string `json:"verified,omitempty"`
	// InName is true for a secret found in the file's name, not its content.
	InName bool `json:"in_name,omitempty"`

	secret string
}

// Engine scans text for secrets. It is safe for concurrent use.
type Engine struct {
	rules     []*compiledRule
	byID      map[string]*compiledRule
	keywords  *keywordAutomaton
	kwRules   [][]int // keyword index -> rule indexes
	maxSize   int64
	key       []byte
	mask      func(string)
	allowRe   []*regexp.Regexp
	allowFP   map[string]bool
	allowPth  []string
	baseline  *Baseline
	skippable bool
	// placeholderWords are the words of documentation values, never in a
	// credential a keyed or generic rule finds (compiled on first use).
	placeholderWords func() *regexp.Regexp
}

// New compiles the rules and the keyword automaton.
func New(opts Options) (*Engine, error) {
	rules := opts.Rules
	if rules == nil {
		rules = Builtin()
	}
	disabled := map[string]bool{}
	for _, id := range opts.Disable {
		disabled[strings.TrimPrefix(id, "secret/")] = true
	}
	e := &Engine{
		byID:      map[string]*compiledRule{},
		maxSize:   opts.MaxFileSize,
		key:       opts.FingerprintKey,
		mask:      opts.Mask,
		allowFP:   map[string]bool{},
		allowPth:  opts.Allow.Paths,
		baseline:  opts.Baseline,
		skippable: opts.ScanSkippable,

		placeholderWords: sync.OnceValue(func() *regexp.Regexp { return regexp.MustCompile(placeholderWordsPattern) }),
	}
	if e.maxSize <= 0 {
		e.maxSize = DefaultMaxFileSize
	}
	if len(e.key) == 0 {
		e.key = []byte(defaultFingerprintKey)
	}
	kwIndex := map[string]int{}
	var keywords []string
	for _, r := range rules {
		if disabled[r.ID] {
			continue
		}
		if _, dup := e.byID[r.ID]; dup {
			return nil, fmt.Errorf("secrets: duplicate rule id %q", r.ID)
		}
		if len(r.Keywords) == 0 {
			return nil, fmt.Errorf("secrets: rule %s has no keywords", r.ID)
		}
		cr := &compiledRule{Rule: r}
		if opts.Rules != nil {
			// A rule table of the caller's is compiled now, so that a bad
			// pattern is an error of New; the built-in rules (whose
			// patterns the rule table test compiles) are compiled at their
			// first keyword hit: a scan of a few files needs few of them.
			if _, err := cr.compiled(); err != nil {
				return nil, fmt.Errorf("secrets: %w", err)
			}
		}
		ri := len(e.rules)
		e.rules = append(e.rules, cr)
		e.byID[r.ID] = cr
		for _, k := range r.Keywords {
			k = strings.ToLower(k)
			ki, ok := kwIndex[k]
			if !ok {
				ki = len(keywords)
				kwIndex[k] = ki
				keywords = append(keywords, k)
				e.kwRules = append(e.kwRules, nil)
			}
			e.kwRules[ki] = append(e.kwRules[ki], ri)
		}
	}
	kw, err := newKeywordAutomaton(keywords)
	if err != nil {
		return nil, fmt.Errorf("secrets: %w", err)
	}
	e.keywords = kw
	for _, p := range opts.Allow.Patterns {
		re, err := regexp.Compile(p)
		if err != nil {
			return nil, fmt.Errorf("secrets: allow pattern %q: %w", p, err)
		}
		e.allowRe = append(e.allowRe, re)
	}
	for _, p := range opts.Allow.Paths {
		if !doublestar.ValidatePattern(p) {
			return nil, fmt.Errorf("secrets: allow path %q: bad glob", p)
		}
	}
	for _, f := range opts.Allow.Fingerprints {
		e.allowFP[strings.TrimPrefix(f, "fingerprint:")] = true
	}
	return e, nil
}

// Rule returns the rule with id (without the "secret/" prefix).
func (e *Engine) Rule(id string) (Rule, bool) {
	cr, ok := e.byID[strings.TrimPrefix(id, "secret/")]
	if !ok {
		return Rule{}, false
	}
	return cr.Rule, true
}

// MaxFileSize is the largest file the engine scans, in bytes.
func (e *Engine) MaxFileSize() int64 { return e.maxSize }

// Rules returns the engine's rules in table order.
func (e *Engine) Rules() []Rule {
	out := make([]Rule, len(e.rules))
	for i, cr := range e.rules {
		out[i] = cr.Rule
	}
	return out
}

// ScanFile scans one file's content. It returns nothing for allowlisted
// paths, files over the size limit and binary files; vendored, generated and
// minified files too unless Options.ScanSkippable.
func (e *Engine) ScanFile(path string, content []byte) []Match {
	if e.pathAllowed(path) || int64(len(content)) > e.maxSize {
		return nil
	}
	if reason := SkipReason(path, content); reason != "" && (reason == SkipBinary || !e.skippable) {
		return nil
	}
	raws := e.scan(content, scanFile(isLockfile(path)))
	return e.withName(path, e.finish(path, content, raws, nil))
}

// ScanName scans a file's path itself for secrets (a token in a file name):
// matches are marked InName, and their Path has the secrets redacted, as
// every report prints paths.
func (e *Engine) ScanName(path string) []Match {
	if e.pathAllowed(path) {
		return nil
	}
	name := []byte(path)
	named := e.finish(path, name, e.scan(name, scanName), nil)
	var inName []Match
	for _, m := range named {
		if !e.byID[strings.TrimPrefix(m.RuleID, "secret/")].NameOnly {
			inName = append(inName, m)
		}
	}
	redacted := redactIn(path, inName)
	for i := range named {
		named[i].Path = redacted
		if !e.byID[strings.TrimPrefix(named[i].RuleID, "secret/")].NameOnly {
			named[i].InName = true
		}
	}
	return named
}

// redactIn replaces every secret of ms in s by its redacted form.
func redactIn(s string, ms []Match) string {
	for _, m := range ms {
		s = strings.ReplaceAll(s, m.secret, m.Redacted)
	}
	return s
}

// withName writes path with the secrets of its own name redacted in every
// match of its content (checked only when there are matches, so files
// without secrets cost nothing more).
func (e *Engine) withName(path string, ms []Match) []Match {
	if len(ms) == 0 {
		return ms
	}
	name := []byte(path)
	redacted := redactIn(path, e.finish(path, name, e.scan(name, scanFile(false)), nil))
	for i := range ms {
		ms[i].Path = redacted
	}
	return ms
}

// ScanLines scans the given lines of one file (a pull request's added lines);
// line numbers in matches are the lines' own.
func (e *Engine) ScanLines(path string, lines []scanner.Line) []Match {
	if e.pathAllowed(path) || len(lines) == 0 {
		return nil
	}
	if !e.skippable && (isVendored(path) || isGeneratedPath(path)) {
		return nil
	}
	var buf bytes.Buffer
	numbers := make([]int, 0, len(lines))
	for _, l := range lines {
		buf.WriteString(l.Text)
		buf.WriteByte('\n')
		numbers = append(numbers, l.Number)
		if int64(buf.Len()) > e.maxSize {
			break
		}
	}
	content := buf.Bytes()
	if bytes.IndexByte(content, 0) >= 0 {
		return nil
	}
	raws := e.scan(content, scanFile(isLockfile(path)))
	return e.withName(path, e.finish(path, content, raws, numbers))
}

// rawMatch is a match inside one buffer, before line numbers and suppression.
type rawMatch struct {
	rule       *compiledRule
	start, end int // secret's byte range
	// value, when set, is the secret itself where the bytes at start:end
	// encode it (a base64 value of a Kubernetes Secret's data).
	value string
}

// scanKind says what a buffer is: a file's content (a lockfile or not), a
// file's name, or a value decoded from inside a file.
type scanKind int

const (
	scanContent scanKind = iota
	scanLockfile
	scanName
	scanDecoded
)

// scanFile is the kind of a file's content.
func scanFile(lockfile bool) scanKind {
	if lockfile {
		return scanLockfile
	}
	return scanContent
}

// secretOf is the clear secret of a raw match in data.
func (r rawMatch) secretOf(data []byte) string {
	if r.value != "" {
		return r.value
	}
	return string(data[r.start:r.end])
}

// scan runs the prefilter and the windowed rules over data.
func (e *Engine) scan(data []byte, kind scanKind) []rawMatch {
	var out []rawMatch
	// scannedTo[rule] is the end of the last window scanned for the rule, so
	// several keyword hits on one line run the rule once.
	scannedTo := make([]int, len(e.rules))
	for i := range scannedTo {
		scannedTo[i] = -1
	}
	for kw, p := range e.keywords.hits(data) {
		ls, le := -1, -1
		for _, ri := range e.kwRules[kw] {
			cr := e.rules[ri]
			switch {
			case kind == scanLockfile && cr.Precision != scanner.PrecisionVeryHigh:
				// Lockfiles are full of hashes and URLs: only rules with
				// distinctive formats run there.
				continue
			case cr.NameOnly && kind != scanName:
				continue
			case cr.Extract != nil && kind == scanDecoded:
				continue
			}
			if p < scannedTo[ri] {
				continue
			}
			if cr.Extract != nil {
				var end int
				out, end = e.extract(cr, data, p, out)
				scannedTo[ri] = end
				continue
			}
			if ls < 0 {
				ls, le = lineBounds(data, p)
			}
			ws, we := ls, le
			if cr.Span > 0 {
				we = min(len(data), p+cr.Span)
			}
			if p > scannedTo[ri] && scannedTo[ri] > ws {
				ws = scannedTo[ri]
			}
			scannedTo[ri] = we
			rx := cr.mustCompiled()
			for _, loc := range rx.re.FindAllSubmatchIndex(data[ws:we], -1) {
				s, t := loc[0], loc[1]
				if rx.group > 0 {
					s, t = loc[2*rx.group], loc[2*rx.group+1]
				}
				// The context includes a little before the match: the
				// pattern starts at its keyword, names often start earlier.
				if s < 0 || allowedContext(rx, data[max(ws, ws+loc[0]-24):ws+loc[1]]) {
					continue
				}
				if cr.ValidateMatch != nil && !cr.ValidateMatch(string(data[ws+loc[0]:ws+loc[1]]), string(data[ws+s:ws+t])) {
					continue
				}
				out = append(out, rawMatch{rule: cr, start: ws + s, end: ws + t})
			}
		}
	}
	return out
}

// extract runs a structured rule (Rule.Extract) at a keyword hit: each value
// it yields is scanned with every other rule (decoded values are scanned as
// "key: value" text); a value no other rule claims is the structured rule's
// own candidate. It returns the matches and the end of the region read.
func (e *Engine) extract(cr *compiledRule, data []byte, hit int, out []rawMatch) ([]rawMatch, int) {
	values, end := cr.Extract(data, hit)
	for _, v := range values {
		if !v.Decoded {
			out = append(out, rawMatch{rule: cr, start: v.Start, end: v.End})
			continue
		}
		text := []byte(v.Key + ": " + v.Value + "\n")
		claimed := false
		for _, sub := range e.scan(text, scanDecoded) {
			secret := sub.secretOf(text)
			// Generic rules do not claim a value: in a Secret it is this
			// rule's, at its severity.
			if precisionRank(sub.rule.Precision) < precisionRank(scanner.PrecisionHigh) {
				continue
			}
			if e.confirm(sub.rule, secret, text, sub.start, sub.end) {
				out = append(out, rawMatch{rule: sub.rule, start: v.Start, end: v.End, value: secret})
				claimed = true
			}
		}
		if !claimed {
			out = append(out, rawMatch{rule: cr, start: v.Start, end: v.End, value: v.Value})
		}
	}
	return out, end
}

// allowedContext reports whether a rule's context allow patterns drop a match.
func allowedContext(rx *ruleRegexps, match []byte) bool {
	for _, a := range rx.ctxAllows {
		if a.Match(match) {
			return true
		}
	}
	return false
}

// lineBounds returns the line around p, bounded to window bytes either side.
func lineBounds(data []byte, p int) (int, int) {
	lo := max(0, p-window)
	ls := lo
	if i := bytes.LastIndexByte(data[lo:p], '\n'); i >= 0 {
		ls = lo + i + 1
	}
	hi := min(len(data), p+window)
	le := hi
	if i := bytes.IndexByte(data[p:hi], '\n'); i >= 0 {
		le = p + i
	}
	return ls, le
}

// finish confirms raw matches (entropy, validators, allow rules, integrity
// hashes, inline allow), removes overlaps, numbers lines and redacts.
// numbers maps buffer line index to real line numbers (nil: index+1).
func (e *Engine) finish(path string, data []byte, raws []rawMatch, numbers []int) []Match {
	if len(raws) == 0 {
		return nil
	}
	kept := raws[:0]
	for _, r := range raws {
		secret := r.secretOf(data)
		if !e.confirm(r.rule, secret, data, r.start, r.end) {
			continue
		}
		kept = append(kept, r)
	}
	// Overlapping matches: the more precise rule wins, then the longer match.
	sort.SliceStable(kept, func(i, j int) bool {
		if kept[i].start != kept[j].start {
			return kept[i].start < kept[j].start
		}
		return betterThan(kept[i], kept[j])
	})
	// A one-line provider credential inside a multi-line secret (a token
	// line inside a key block) is a second secret: it is kept beside the
	// block; generic values and other blocks inside it are the block's.
	var chosen []rawMatch
	encl := -1 // index in chosen of the multi-line match around what follows
	multiLine := func(r rawMatch) bool { return bytes.IndexByte(data[r.start:r.end], '\n') >= 0 }
	for _, r := range kept {
		if encl >= 0 && r.start >= chosen[encl].end {
			encl = -1
		}
		n := len(chosen)
		if encl >= 0 {
			if r.rule.Fallback || multiLine(r) {
				continue
			}
			if n-1 != encl && r.start < chosen[n-1].end {
				if betterThan(r, chosen[n-1]) {
					chosen[n-1] = r
				}
				continue
			}
			chosen = append(chosen, r)
			continue
		}
		if n > 0 && r.start < chosen[n-1].end {
			if betterThan(r, chosen[n-1]) {
				chosen[n-1] = r
				if multiLine(r) {
					encl = n - 1
				}
			}
			continue
		}
		chosen = append(chosen, r)
		if multiLine(r) {
			encl = n
		}
	}
	var out []Match
	// Line start, end, allow comment and column are tracked incrementally:
	// a minified line with thousands of matches must stay linear.
	line, pos := 0, 0
	ls, le := 0, -1
	lineAllowed := false
	colPos, col := 0, 0
	for _, r := range chosen {
		if nl := bytes.LastIndexByte(data[pos:r.start], '\n'); nl >= 0 {
			line += bytes.Count(data[pos:r.start], []byte{'\n'})
			ls = pos + nl + 1
		}
		pos = r.start
		if le < ls {
			// First match on this line.
			le = bytes.IndexByte(data[ls:], '\n')
			if le < 0 {
				le = len(data)
			} else {
				le += ls
			}
			lineAllowed = bytes.Contains(data[ls:le], []byte(InlineAllow))
			colPos, col = ls, 0
		}
		if lineAllowed {
			continue
		}
		// A multi-line secret may carry the allow comment on its last line.
		if nl := bytes.LastIndexByte(data[r.start:r.end], '\n'); nl >= 0 {
			lastStart := r.start + nl + 1
			lastEnd := bytes.IndexByte(data[r.end:], '\n')
			if lastEnd < 0 {
				lastEnd = len(data)
			} else {
				lastEnd += r.end
			}
			if bytes.Contains(data[lastStart:lastEnd], []byte(InlineAllow)) {
				continue
			}
		}
		col += utf8.RuneCount(data[colPos:r.start])
		colPos = r.start
		secret := r.secretOf(data)
		lineNo := line + 1
		if numbers != nil && line < len(numbers) {
			lineNo = numbers[line]
		}
		m := Match{
			RuleID:      "secret/" + r.rule.ID,
			Provider:    r.rule.Provider,
			Severity:    r.rule.Severity,
			Path:        path,
			Line:        lineNo,
			Column:      col + 1,
			Redacted:    Redact(secret),
			Fingerprint: e.fingerprint(r.rule.ID, path, secret),
			secret:      secret,
		}
		if e.allowFP[m.Fingerprint] || e.baseline.Contains(m.Fingerprint) {
			continue
		}
		if r.rule.NameOnly {
			// A file reported by its type: the "secret" is its name.
			m.Redacted = r.rule.Redacted
		} else if e.mask != nil {
			e.mask(secret)
			if r.value != "" {
				// The encoded form (base64 in a Secret's data) reads as
				// the secret to anyone: mask it too.
				e.mask(string(data[r.start:r.end]))
			}
		}
		out = append(out, m)
	}
	return out
}

func betterThan(a, b rawMatch) bool {
	if a.rule.Fallback != b.rule.Fallback {
		return b.rule.Fallback
	}
	pa, pb := precisionRank(a.rule.Precision), precisionRank(b.rule.Precision)
	if pa != pb {
		return pa > pb
	}
	return a.end-a.start > b.end-b.start
}

func precisionRank(p string) int {
	switch p {
	case scanner.PrecisionVeryHigh:
		return 4
	case scanner.PrecisionHigh:
		return 3
	case scanner.PrecisionMedium:
		return 2
	case scanner.PrecisionLow:
		return 1
	}
	return 0
}

// confirm applies a rule's entropy floor, validator and allow patterns, the
// engine's allow patterns, the placeholder tests and the integrity-hash guard.
func (e *Engine) confirm(cr *compiledRule, secret string, data []byte, start, end int) bool {
	if cr.Entropy > 0 && shannon(secret) < cr.Entropy {
		return false
	}
	if isRepetitive(secret) || isPlaceholder(secret) {
		return false
	}
	if cr.Precision != scanner.PrecisionVeryHigh && !cr.NameOnly {
		// A value a keyed or generic rule found may still be a documentation
		// value ("your-token-here"), or a token of a checksummed format whose
		// checksum fails: a test or malformed token, not a credential (the
		// provider's own rule already rejected it).
		if e.placeholderWords().MatchString(secret) || hasBadChecksumToken(secret) {
			return false
		}
	}
	if cr.Validate != nil && !cr.Validate(secret) {
		return false
	}
	for _, a := range cr.mustCompiled().allows {
		if a.MatchString(secret) {
			return false
		}
	}
	for _, a := range e.allowRe {
		if a.MatchString(secret) {
			return false
		}
	}
	return !insideIntegrityHash(data, start, end)
}

// insideIntegrityHash reports whether data[start:end] is part of a lockfile
// integrity or checksum token (sha512-…, sha256:…, h1:…), never a secret.
func insideIntegrityHash(data []byte, start, end int) bool {
	i := start
	for i > 0 && start-i < 200 && isHashByte(data[i-1]) {
		i--
	}
	tok := data[i:end]
	for _, p := range []string{"sha1-", "sha256-", "sha384-", "sha512-", "sha1:", "sha256:", "sha512:", "h1:", "md5-"} {
		if bytes.HasPrefix(tok, []byte(p)) {
			return true
		}
	}
	return false
}

func isHashByte(c byte) bool {
	return c >= '0' && c <= '9' || c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' ||
		c == '+' || c == '/' || c == '=' || c == '-' || c == ':' || c == '_'
}

// Redact shows the first characters of a secret and its length: at most four
// characters, and never more than a quarter of the secret.
func Redact(secret string) string {
	n := utf8.RuneCountInString(secret)
	show := min(4, n/4)
	r := []rune(secret)
	return string(r[:show]) + fmt.Sprintf("…(%d chars)", n)
}

// fingerprint is HMAC-SHA256(key, secret) folded with rule and path.
func (e *Engine) fingerprint(ruleID, path, secret string) string {
	mac := hmac.New(sha256.New, e.key)
	mac.Write([]byte(secret))
	return scanner.Fingerprint("secret/"+ruleID, path, hex.EncodeToString(mac.Sum(nil)))
}

func (e *Engine) pathAllowed(p string) bool {
	p = strings.TrimPrefix(path.Clean("/"+strings.ReplaceAll(p, "\\", "/")), "/")
	for _, g := range e.allowPth {
		if ok, _ := doublestar.Match(g, p); ok {
			return true
		}
	}
	return false
}
