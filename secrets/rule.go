package secrets

import (
	"fmt"
	"hash/crc32"
	"math"
	"math/rand/v2"
	"regexp"
	"strings"
	"sync"
)

// Rule is one kind of secret, as data: what to look for, how to confirm it,
// and its own true and false cases (tested by one generic table test).
type Rule struct {
	// ID is kebab-case and stable; findings carry "secret/<ID>".
	ID string
	// Provider names whose credential this is ("GitHub", "OpenAI").
	Provider string
	// Description says what the credential is, in one line.
	Description string
	// Keywords are lowercase strings of which at least one must occur near
	// a secret (matched ASCII case-insensitively); the regexp runs only in a
	// window around each keyword hit.
	Keywords []string
	// Pattern is an RE2 expression. The secret is the group named "secret",
	// else group 1, else the whole match.
	Pattern string
	// Entropy is the minimum Shannon entropy (bits per byte) of the secret; 0 disables.
	Entropy float64
	// Validate, if set, must accept the secret (checksums, structure).
	Validate func(secret string) bool
	// Severity is a scanner severity.
	Severity string
	// Precision is a scanner precision (how sure a match is).
	Precision string
	// Allow lists RE2 expressions; a secret matching any of them is dropped.
	Allow []string
	// AllowContext lists RE2 expressions tried on the whole pattern match and
	// up to 24 bytes before it (the name a value is assigned to, for
	// instance); a hit drops the match.
	AllowContext []string
	// ValidateMatch, if set, must accept the whole pattern match and the
	// secret in it (a URL whose password repeats its user name is a default,
	// not a credential).
	ValidateMatch func(match, secret string) bool
	// Span is how many bytes after a keyword hit the pattern may reach
	// (multi-line secrets such as PEM keys); 0 means the keyword's line.
	Span int
	// Sample generates a format-valid fake secret (for tests and benchmarks):
	// the text to plant and the secret inside it (often the same string).
	Sample func(r *rand.Rand) (text, secret string)
	// True are texts the rule must find; "{S}" is replaced by a Sample's
	// text and "{V}" by its secret.
	True []string
	// False are texts the rule must not find, with the same placeholders.
	False []string
	// Verifier names the live verifier for this rule ("" for none).
	Verifier string
	// Fallback rules (generic values, JWTs, bearer headers) lose every
	// overlap to a provider rule, whatever its precision: the provider's
	// finding says whose credential it is.
	Fallback bool
	// NameOnly rules run on file names only (ScanName), never on content:
	// they report a file by its type (a PKCS#12 keystore). Their match is
	// shown as Redacted, and never passed to the mask.
	NameOnly bool
	// Redacted is what a NameOnly rule's match shows instead of the name.
	Redacted string
	// Extract, if set, makes a structured rule: at a keyword hit it reads the
	// structure around it (a Kubernetes Secret manifest) and returns its
	// values and the end of the region read; Pattern is then unused. Each
	// decoded value is scanned with every other rule; a value none claims is
	// this rule's candidate (its entropy, validator and allow patterns apply).
	Extract func(data []byte, hit int) (values []Extracted, end int)
}

// Extracted is one value a structured rule read.
type Extracted struct {
	// Start and End are the byte range of the value as written in the input.
	Start, End int
	// Key is the name the value is stored under.
	Key string
	// Value is the clear value (decoded, when Decoded).
	Value string
	// Decoded is true when the input holds an encoding of Value (base64).
	Decoded bool
}

// compiledRule is a Rule made ready for scanning; its regular expressions
// are compiled once, on first use.
type compiledRule struct {
	Rule
	once sync.Once
	rx   *ruleRegexps
	err  error
}

// ruleRegexps are a rule's compiled pattern and allow patterns.
type ruleRegexps struct {
	re        *regexp.Regexp
	group     int
	allows    []*regexp.Regexp
	ctxAllows []*regexp.Regexp
}

// compiled compiles the rule's regular expressions the first time it is
// called and returns them.
func (cr *compiledRule) compiled() (*ruleRegexps, error) {
	cr.once.Do(func() { cr.rx, cr.err = compileRule(cr.Rule) })
	return cr.rx, cr.err
}

// mustCompiled is compiled for a rule known to compile: New compiled every
// rule of a caller's table, and the built-in rules' patterns are tested.
func (cr *compiledRule) mustCompiled() *ruleRegexps {
	rx, err := cr.compiled()
	if err != nil {
		panic(fmt.Sprintf("secrets: built-in %v", err))
	}
	return rx
}

func compileRule(r Rule) (*ruleRegexps, error) {
	re, err := regexp.Compile(r.Pattern)
	if err != nil {
		return nil, fmt.Errorf("rule %s: pattern: %w", r.ID, err)
	}
	rx := &ruleRegexps{re: re}
	if i := re.SubexpIndex("secret"); i > 0 {
		rx.group = i
	} else if re.NumSubexp() > 0 {
		rx.group = 1
	}
	for _, a := range r.Allow {
		are, err := regexp.Compile(a)
		if err != nil {
			return nil, fmt.Errorf("rule %s: allow %q: %w", r.ID, a, err)
		}
		rx.allows = append(rx.allows, are)
	}
	for _, a := range r.AllowContext {
		are, err := regexp.Compile(a)
		if err != nil {
			return nil, fmt.Errorf("rule %s: allow context %q: %w", r.ID, a, err)
		}
		rx.ctxAllows = append(rx.ctxAllows, are)
	}
	return rx, nil
}

// shannon returns the Shannon entropy of s in bits per byte.
func shannon(s string) float64 {
	if s == "" {
		return 0
	}
	var counts [256]int
	for i := 0; i < len(s); i++ {
		counts[s[i]]++
	}
	n := float64(len(s))
	var h float64
	for _, c := range counts {
		if c > 0 {
			p := float64(c) / n
			h -= p * math.Log2(p)
		}
	}
	return h
}

// Character sets used by patterns and samples.
const (
	alnum    = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
	lowerNum = "0123456789abcdefghijklmnopqrstuvwxyz"
	upperNum = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ"
	hexLower = "0123456789abcdef"
	b64url   = alnum + "-_"
	b64      = alnum + "+/"
)

// classOf turns a character set into the inside of an RE2 class.
func classOf(set string) string {
	switch set {
	case alnum:
		return `0-9A-Za-z`
	case lowerNum:
		return `0-9a-z`
	case upperNum:
		return `0-9A-Z`
	case hexLower:
		return `0-9a-f`
	case b64url:
		return `0-9A-Za-z_\-`
	case b64:
		return `0-9A-Za-z+/`
	}
	return regexp.QuoteMeta(set)
}

// randString draws n characters of set.
func randString(r *rand.Rand, set string, n int) string {
	var b strings.Builder
	b.Grow(n)
	for i := 0; i < n; i++ {
		b.WriteByte(set[r.IntN(len(set))])
	}
	return b.String()
}

// base62 encodes v with GitHub's alphabet, left-padded with '0' to width.
func base62(v uint32, width int) string {
	buf := make([]byte, 0, width)
	for v > 0 {
		buf = append(buf, alnum[v%62])
		v /= 62
	}
	for len(buf) < width {
		buf = append(buf, '0')
	}
	for i, j := 0, len(buf)-1; i < j; i, j = i+1, j-1 {
		buf[i], buf[j] = buf[j], buf[i]
	}
	return string(buf)
}

// crc32Token reports whether the body after prefix ends in the base62 CRC32
// of the rest, the scheme GitHub and npm use for their tokens.
func crc32Token(prefix string) func(string) bool {
	return func(s string) bool {
		body, ok := strings.CutPrefix(s, prefix)
		if !ok || len(body) < 7 {
			return false
		}
		random, sum := body[:len(body)-6], body[len(body)-6:]
		return base62(crc32.ChecksumIEEE([]byte(random)), 6) == sum
	}
}

// crc32Sample makes a token with a valid CRC32 checksum.
func crc32Sample(prefix string, n int) func(*rand.Rand) (string, string) {
	return func(r *rand.Rand) (string, string) {
		random := randString(r, alnum, n)
		s := prefix + random + base62(crc32.ChecksumIEEE([]byte(random)), 6)
		return s, s
	}
}

// The left and right guards keep a token from matching inside a longer word.
const (
	leftGuard = `(?:^|[^0-9A-Za-z_])`
)

// rightGuard is a guard after a body of the given character class.
func rightGuard(class string) string { return `(?:[^` + class + `]|$)` }

// tokenRule builds a rule for a credential with a distinctive prefix and a
// body of n to m characters of set.
func tokenRule(id, provider, desc, prefix, set string, n, m int, sev string) Rule {
	class := classOf(set)
	count := fmt.Sprintf("{%d}", n)
	if m > n {
		count = fmt.Sprintf("{%d,%d}", n, m)
	}
	return Rule{
		ID:          id,
		Provider:    provider,
		Description: desc,
		Keywords:    []string{strings.ToLower(prefix)},
		Pattern:     leftGuard + `(?P<secret>` + regexp.QuoteMeta(prefix) + `[` + class + `]` + count + `)` + rightGuard(class),
		Entropy:     3,
		Severity:    sev,
		Precision:   "very-high",
		Sample: func(r *rand.Rand) (string, string) {
			s := prefix + randString(r, set, m)
			return s, s
		},
		True: []string{
			`token = "{S}"`,
			`export ` + strings.ToUpper(strings.ReplaceAll(id, "-", "_")) + `={S}`,
		},
		False: []string{
			`token = "` + prefix + strings.Repeat("x", m) + `"`,
			`token = "` + prefix + randString(rand.New(rand.NewPCG(1, 2)), set, n-1) + `"`,
			`url = "https://example.com/` + prefix + `"`,
		},
	}
}

// keyedRule builds a rule for a credential without a distinctive prefix:
// the body must sit in an assignment whose name contains one of keywords.
// keyedEntropy is the entropy floor of a keyed rule's value. A random
// 32-digit hex string (16 symbols, at most 4 bits) falls below 3.2 about once
// in a hundred, which lost real API keys; hex values get 2.9, which still
// rejects placeholders such as "deadbeef" repeated or "0123…" sequences.
func keyedEntropy(set string) float64 {
	if strings.Trim(set, "0123456789abcdefABCDEF-") == "" {
		return 2.9
	}
	return 3.2
}

func keyedRule(id, provider, desc string, keywords []string, set string, n, m int, sev string) Rule {
	class := classOf(set)
	count := fmt.Sprintf("{%d}", n)
	if m > n {
		count = fmt.Sprintf("{%d,%d}", n, m)
	}
	kw := keywords[0]
	return Rule{
		ID:          id,
		Provider:    provider,
		Description: desc,
		Keywords:    keyedKeywords(keywords),
		Pattern:     keyedPrefix(keywords) + `["'` + "`" + `]?(?P<secret>[` + class + `]` + count + `)` + rightGuard(class),
		Entropy:     keyedEntropy(set),
		Severity:    sev,
		Precision:   "high",
		Sample: func(r *rand.Rand) (string, string) {
			s := randString(r, set, m)
			return strings.ToUpper(kw) + `_KEY = "` + s + `"`, s
		},
		True: append([]string{`{S}`}, keyedSyntaxes(kw)...),
		False: []string{
			strings.ToUpper(kw) + `_KEY = "` + strings.Repeat("a", m) + `"`,
			`other_value = "{V}"`,
			`{"` + kw + `_key": "your-` + kw + `-key-here"}`,
		},
	}
}

// keyedKeywords are a keyed rule's prefilter keywords: each as given and,
// for names with separators, joined as camelCase writes them
// ("azure_devops" and "azuredevops", for azureDevopsPat).
func keyedKeywords(keywords []string) []string {
	out := make([]string, 0, 2*len(keywords))
	seen := map[string]bool{}
	for _, k := range keywords {
		for _, v := range []string{k, strings.ReplaceAll(strings.ReplaceAll(k, "_", ""), "-", "")} {
			if !seen[v] {
				seen[v] = true
				out = append(out, v)
			}
		}
	}
	return out
}

// keyedPrefix is the part of a keyed rule's pattern before the value: a name
// holding one of the keywords (separators optional: snake_case, kebab-case
// and camelCase alike), then what the common syntaxes put between a name and
// its value: = := => : , ?= ::= .= += (shell, YAML, JSON, Go, PHP, Make,
// System.setProperty("name", "value")), an optional string type (Go
// `var x string =`, TypeScript and Kotlin `x: string =`), an XML element
// (<name>value) or attribute pair (key="name" value="…"), ENV["name"] = ….
func keyedPrefix(keywords []string) string {
	names := make([]string, len(keywords))
	for i, k := range keywords {
		names[i] = strings.ReplaceAll(strings.ReplaceAll(regexp.QuoteMeta(k), "_", "\x00"), "-", "\x00")
		names[i] = strings.ReplaceAll(names[i], "\x00", `[_\-]?`)
	}
	typ := `(?:\s{0,3}:?\s{0,3}(?:string|String|str|&str|&'static str|std::string|const char\s?\*|char\s?\*|NSString\s?\*)\??)?`
	op := `(?:::=|:=|\?=|\.=|\+=|=>|==?|:|,|>)`
	return `(?i:` + strings.Join(names, "|") + `)[\w.\-]{0,30}(?:["'\]]{0,2}` + typ + `\s{0,3}` + op + `|["']\s{1,3}value\s{0,2}=)\s{0,3}`
}

// keyedSyntaxes are the true cases every keyed rule carries, one per common
// syntax of assigning a value to a name holding kw ("{V}" is the value).
func keyedSyntaxes(kw string) []string {
	snake := strings.ReplaceAll(kw, "-", "_")
	camel := camelName(kw) + "ApiKey"
	upper := strings.ToUpper(snake) + "_TOKEN"
	return []string{
		`"` + snake + `_secret": "{V}"`,
		`<` + camel + `>{V}</` + camel + `>`,
		`<add key="` + camel + `" value="{V}" />`,
		`var ` + camel + ` string = "{V}"`,
		camel + ` := "{V}"`,
		`const ` + camel + `: string = "{V}";`,
		`val ` + camel + `: String = "{V}"`,
		`$` + snake + `_key .= '{V}';`,
		upper + ` ?= {V}`,
		upper + ` ::= {V}`,
		`System.setProperty("` + snake + `.key", "{V}");`,
		`{"env": "DEBUG=1\n` + upper + `={V}\nPORT=80"}`,
		`ENV["` + upper + `"] = "{V}"`,
		`export ` + upper + `={V}`,
		`  ` + camel + `: '{V}'`,
	}
}

// camelName writes a keyword as a camelCase name ("azure_devops" → "azureDevops").
func camelName(kw string) string {
	parts := strings.FieldsFunc(kw, func(r rune) bool { return r == '_' || r == '-' || r == '.' })
	for i := 1; i < len(parts); i++ {
		parts[i] = strings.ToUpper(parts[i][:1]) + parts[i][1:]
	}
	return strings.Join(parts, "")
}

// with returns r changed by f (keeps table entries one expression each).
func with(r Rule, f func(*Rule)) Rule {
	f(&r)
	return r
}

// part is one piece of a sample's shape: a literal or n random characters of
// set; ctx pieces are context around the secret, not part of it.
type part struct {
	lit string
	set string
	n   int
	ctx bool
}

// l is a literal piece of the secret.
func l(s string) part { return part{lit: s} }

// c is a literal piece of context (outside the secret).
func c(s string) part { return part{lit: s, ctx: true} }

// x is n random characters of set.
func x(set string, n int) part { return part{set: set, n: n} }

// shapeSample draws a sample of a shape.
func shapeSample(parts []part) func(*rand.Rand) (string, string) {
	return func(r *rand.Rand) (string, string) {
		var text, secret strings.Builder
		for _, p := range parts {
			s := p.lit
			if p.n > 0 {
				s = randString(r, p.set, p.n)
			}
			text.WriteString(s)
			if !p.ctx {
				secret.WriteString(s)
			}
		}
		return text.String(), secret.String()
	}
}

// placeholder is a shape with every random piece replaced by x's, the way
// documentation writes a credential.
func placeholder(parts []part) string {
	var b strings.Builder
	for _, p := range parts {
		if p.n > 0 {
			b.WriteString(strings.Repeat("x", p.n))
		} else {
			b.WriteString(p.lit)
		}
	}
	return b.String()
}

// patRule builds a rule from an explicit pattern and the shape of its samples.
// Its cases: the sample in an assignment and in JSON must match; the
// placeholder form must not.
func patRule(id, provider, desc string, keywords []string, pattern, sev, prec string, parts ...part) Rule {
	return Rule{
		ID:          id,
		Provider:    provider,
		Description: desc,
		Keywords:    keywords,
		Pattern:     pattern,
		Entropy:     3,
		Severity:    sev,
		Precision:   prec,
		Sample:      shapeSample(parts),
		True:        []string{`value = "{S}"`, `{"credential": "{S}"}`},
		False:       []string{`value = "` + placeholder(parts) + `"`},
	}
}
