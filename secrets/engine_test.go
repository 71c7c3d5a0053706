package secrets

import (
	"bytes"
	"encoding/base64"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"

	"github.com/tollgate-dev/tollgate/internal/shareddata"
	"github.com/tollgate-dev/tollgate/scanner"
)

// ghToken is a GitHub PAT with a valid checksum, built at run time so that
// no token-shaped literal sits in the repository.
func ghToken(t testing.TB, seed uint64) string {
	t.Helper()
	r, _ := New(Options{})
	rule, _ := r.Rule("github-pat")
	_, s := rule.Sample(randFor(seed))
	return s
}

func TestScanFileLineColumnRedaction(t *testing.T) {
	e := newTestEngine(t)
	tok := ghToken(t, 1)
	content := "package main\n\n// config\nvar token = \"" + tok + "\"\n"
	ms := e.ScanFile("cmd/main.go", []byte(content))
	if len(ms) != 1 {
		t.Fatalf("got %d matches, want 1: %+v", len(ms), ms)
	}
	m := ms[0]
	if m.RuleID != "secret/github-pat" || m.Line != 4 || m.Column != 14 || m.Path != "cmd/main.go" {
		t.Errorf("match = %s %s:%d:%d", m.RuleID, m.Path, m.Line, m.Column)
	}
	if m.Redacted != "ghp_…(40 chars)" {
		t.Errorf("Redacted = %q", m.Redacted)
	}
	if strings.Contains(m.Redacted, tok[4:8]) || m.Provider != "GitHub" || m.Severity != scanner.SeverityCritical {
		t.Errorf("bad match %+v", m)
	}
}

func TestRedact(t *testing.T) {
	for in, want := range map[string]string{
		"abcdefghijklmnopqrst": "abcd…(20 chars)",
		"abcdefgh":             "ab…(8 chars)",
		"abc":                  "…(3 chars)",
	} {
		if got := Redact(in); got != want {
			t.Errorf("Redact(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestChecksumRejectsAlteredToken(t *testing.T) {
	e := newTestEngine(t)
	tok := ghToken(t, 2)
	// Change one character of the random part: the CRC32 no longer matches.
	b := []byte(tok)
	if b[10] == 'a' {
		b[10] = 'b'
	} else {
		b[10] = 'a'
	}
	if ms := e.ScanFile("a.txt", []byte("t = "+string(b)+"\n")); len(ms) != 0 {
		t.Errorf("token with a bad checksum reported: %+v", ms)
	}
	// Nor by the generic or keyed rules around it: a bad-checksum token is a
	// test or malformed value, never a critical finding.
	npm := []byte("npm_" + string(b[4:]))
	for _, content := range []string{
		"GITHUB_TOKEN=" + string(b) + "\n",
		`{"client_secret": "` + string(b) + `"}` + "\n",
		"//registry.npmjs.org/:_authToken=" + string(npm) + "\n",
		"NPM_TOKEN=" + string(npm) + "\n",
	} {
		if ms := e.ScanFile(".env", []byte(content)); len(ms) != 0 {
			t.Errorf("bad-checksum token reported by %s in %q", ms[0].RuleID, content[:12])
		}
	}
	if ms := e.ScanFile("a.txt", []byte("t = "+tok+"\n")); len(ms) != 1 {
		t.Errorf("valid token: %d matches", len(ms))
	}
}

// TestPlaceholdersNeverReported: a template's placeholder values are no
// findings in example files or anywhere else, while a real-format token in
// an example file still is.
func TestPlaceholdersNeverReported(t *testing.T) {
	e := newTestEngine(t)
	template := strings.Join([]string{
		"POSTGRES_PASSWORD=changeme",
		"DATABASE_URL=postgres://postgres:postgres@db:5432/app",
		"DATABASE_URL=postgresql://app:your-password-here@localhost/app",
		"REDIS_URL=redis://:${REDIS_PASSWORD}@redis:6379",
		"SECRET_KEY=your-secret-key-change-in-production",
		"JWT_SECRET=<generate-a-long-random-string>",
		"STRIPE_SECRET_KEY=sk_live_xxxxxxxxxxxxxxxxxxxxxxxx",
		"AWS_ACCESS_KEY_ID=AKIAIOSFODNN7EXAMPLE",
		"AWS_SECRET_ACCESS_KEY=wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY",
		"OPENAI_API_KEY=sk-...",
		"MISTRAL_API_KEY=xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx",
		"DATADOG_API_KEY=0123456789abcdef0123456789abcdef",
		"API_TOKEN=abababababababababababababababab",
		`  password: "{{ .Values.db.password }}"`,
		"ADMIN_PASSWORD=admin123",
		"      DATABASE_URL: postgresql://app:app_password@db:5432/app",
		`DATABASE_URL="postgresql://johndoe:randompassword@localhost:5432/mydb?schema=public"`,
		"      - RABBITMQ_URL=amqp://user:bitnami@rabbitmq:5672",
		"      - SECRET_KEY=django-insecure-9x8c7v6b5n4m3k2j1h",
		"MYSQL_ROOT_PASSWORD=rootpassword123",
		"SMTP_PASSWORD=your_smtp_password",
		"export GITHUB_TOKEN=ghp_your_personal_access_token_here",
		`  api_key: "REPLACE_WITH_YOUR_KEY"`,
	}, "\n") + "\n"
	for _, p := range []string{".env.example", "docker-compose.yml", "README.md", "config/app.sample"} {
		for _, m := range e.ScanFile(p, []byte(template)) {
			t.Errorf("%s:%d: placeholder reported by %s (%s)", p, m.Line, m.RuleID, m.Redacted)
		}
	}
	tok := ghToken(t, 12)
	if ms := e.ScanFile(".env.example", []byte("GITHUB_TOKEN="+tok+"\n")); len(ms) != 1 || ms[0].RuleID != "secret/github-pat" {
		t.Errorf("real-format token in an example file: %+v", ms)
	}
}

// TestPrivateKeyMatchBoundedByStructure: a BEGIN line whose END is missing
// must not run on through the code after it to a later key's END; the later
// key is still found whole.
func TestPrivateKeyMatchBoundedByStructure(t *testing.T) {
	e := newTestEngine(t)
	rule, _ := e.Rule("private-key")
	_, key := rule.Sample(randFor(3))
	var code strings.Builder
	for i := 0; i < 300; i++ {
		code.WriteString("\tif err := run(ctx, cfg[i]); err != nil { return fmt.Errorf(\"run: %w\", err) }\n")
	}
	content := "const prefix = \"-----BEGIN RSA PRIVATE KEY-----\\n\"\n" + code.String() + key + "\n"
	ms := e.ScanFile("keys.go", []byte(content))
	if len(ms) != 1 || ms[0].secret != key {
		t.Fatalf("want the one whole key, got %d matches", len(ms))
	}
	// A token line planted inside a key block is a second secret, reported
	// beside the block.
	tok := ghToken(t, 14)
	lines := strings.SplitAfter(key, "\n")
	inside := strings.Join(lines[:3], "") + "TOKEN = \"" + tok + "\"\n" + strings.Join(lines[3:], "")
	found := map[string]bool{}
	for _, m := range e.ScanFile("keys.txt", []byte(inside)) {
		found[m.RuleID] = true
	}
	if !found["secret/github-pat"] || !found["secret/private-key"] || len(found) != 2 {
		t.Errorf("token inside a key block: found %v", found)
	}
	// A PGP block whose armor headers name a user.
	pgp, _ := e.Rule("pgp-private-key")
	_, block := pgp.Sample(randFor(4))
	block = strings.Replace(block, "-----\n", "-----\nVersion: GnuPG v2 (GNU/Linux)\nComment: Alice <alice@example.org>\n\n", 1)
	if ms := ruleMatches(e.ScanFile("k.asc", []byte(block)), "pgp-private-key"); len(ms) != 1 || ms[0].secret != block {
		t.Errorf("PGP block with armor headers: %d matches", len(ms))
	}
	// A key written as string literals across lines, as Go and Java code do.
	lines = strings.Split(key, "\n")
	quoted := "var k = " + `"` + strings.Join(lines, `\n" +`+"\n\t"+`"`) + `"` + "\n"
	if ms := ruleMatches(e.ScanFile("k.go", []byte(quoted)), "private-key"); len(ms) != 1 || len(ms[0].secret) > len(quoted) {
		t.Errorf("key in concatenated string literals: %d matches", len(ms))
	}
}

// TestKubernetesSecretDecoded: data values are decoded and scanned with every
// rule (a GitHub token inside is a github-pat finding on the value's line);
// identifiers (username, host) are not secrets; the base64 form is the
// location, and neither form appears in the match.
func TestKubernetesSecretDecoded(t *testing.T) {
	e := newTestEngine(t)
	tok := ghToken(t, 13)
	b64 := func(s string) string { return base64.StdEncoding.EncodeToString([]byte(s)) }
	doc := "---\napiVersion: v1\nkind: ConfigMap\ndata:\n  note: " + b64("Qw8rTz3yLp5nKd2m") + "\n---\n" +
		"apiVersion: v1\ndata:\n  GITHUB_TOKEN: " + b64(tok) + "\n  username: " + b64("Zk3pQ9vR2mX7sL4t") + "\n  host: " + b64("db.internal") +
		"\n  password: " + b64("Hj7Kq2Lm9Xp4Wc6v") + "\nkind: Secret\nmetadata:\n  name: app\n"
	ms := e.ScanFile("deploy/secret.yaml", []byte(doc))
	got := map[string]int{}
	for _, m := range ms {
		got[m.RuleID] = m.Line
		if strings.Contains(m.Redacted, tok[4:]) || strings.Contains(m.Redacted, b64(tok)[4:]) {
			t.Errorf("redaction shows the secret: %s", m.Redacted)
		}
	}
	var masked []string
	me, _ := New(Options{Mask: func(s string) { masked = append(masked, s) }})
	me.ScanFile("deploy/secret.yaml", []byte(doc))
	if !slices.Contains(masked, tok) || !slices.Contains(masked, b64(tok)) {
		t.Errorf("the decoded token and its base64 form must both be masked")
	}
	if len(ms) != 2 || got["secret/github-pat"] != 9 || got["secret/kubernetes-secret"] != 12 {
		t.Errorf("got %v, want github-pat at line 9 and kubernetes-secret at line 12", got)
	}
}

// TestKeystoreFilesByName: keystores are reported by type from their names
// (binary content is never scanned), and a keystore's name is no secret: the
// path stays readable and nothing is masked.
func TestKeystoreFilesByName(t *testing.T) {
	var masked []string
	e, err := New(Options{Mask: func(s string) { masked = append(masked, s) }})
	if err != nil {
		t.Fatal(err)
	}
	for p, rule := range map[string]string{
		"src/test/resources/server.p12": "secret/pkcs12-keystore-file",
		"certs/client.PFX":              "secret/pkcs12-keystore-file",
		"android/app/release.keystore":  "secret/java-keystore-file",
		"conf/truststore.jks":           "secret/java-keystore-file",
	} {
		ms := e.ScanName(p)
		if len(ms) != 1 || ms[0].RuleID != rule || ms[0].Path != p || ms[0].InName {
			t.Errorf("%s: %+v", p, ms)
			continue
		}
		if f := e.Finding(ms[0]); !strings.Contains(f.Message, "keystore") {
			t.Errorf("%s: message %q", p, f.Message)
		}
	}
	if len(masked) != 0 {
		t.Errorf("keystore names masked: %v", masked)
	}
	if ms := e.ScanFile("application.properties", []byte("server.ssl.key-store=classpath:keystore.p12\n")); len(ms) != 0 {
		t.Errorf("a keystore named in content reported: %+v", ms)
	}
}

func TestFingerprintStableAcrossLineMoves(t *testing.T) {
	e := newTestEngine(t)
	tok := ghToken(t, 3)
	a := e.ScanFile("x.py", []byte("T = '"+tok+"'\n"))
	b := e.ScanFile("x.py", []byte("\n\n\nimport os\nT = '"+tok+"'\n"))
	c := e.ScanFile("y.py", []byte("T = '"+tok+"'\n"))
	d := e.ScanFile("x.py", []byte("T = '"+ghToken(t, 4)+"'\n"))
	if len(a) != 1 || len(b) != 1 || len(c) != 1 || len(d) != 1 {
		t.Fatal("expected one match each")
	}
	if a[0].Fingerprint != b[0].Fingerprint {
		t.Error("fingerprint changed when the line moved")
	}
	if a[0].Fingerprint == c[0].Fingerprint || a[0].Fingerprint == d[0].Fingerprint {
		t.Error("fingerprint must depend on path and on the secret")
	}
	keyed, _ := New(Options{FingerprintKey: []byte("other key")})
	if k := keyed.ScanFile("x.py", []byte("T = '"+tok+"'\n")); k[0].Fingerprint == a[0].Fingerprint {
		t.Error("fingerprint must depend on the key")
	}
	if strings.Contains(a[0].Fingerprint, tok) {
		t.Error("fingerprint holds the secret")
	}
}

func TestInlineAllow(t *testing.T) {
	e := newTestEngine(t)
	tok := ghToken(t, 5)
	content := "a = '" + tok + "' # tollgate:allow test fixture\nb = '" + tok + "'\n"
	ms := e.ScanFile("f.py", []byte(content))
	if len(ms) != 1 || ms[0].Line != 2 {
		t.Fatalf("want only line 2, got %+v", ms)
	}
}

func TestAllowlist(t *testing.T) {
	tok := ghToken(t, 6)
	content := []byte("x = '" + tok + "'\n")
	base := newTestEngine(t).ScanFile("src/a.go", content)
	if len(base) != 1 {
		t.Fatal("setup: token not found")
	}
	for name, allow := range map[string]Allowlist{
		"path":        {Paths: []string{"src/**"}},
		"pattern":     {Patterns: []string{`^ghp_`}},
		"fingerprint": {Fingerprints: []string{"fingerprint:" + base[0].Fingerprint}},
	} {
		e, err := New(Options{Allow: allow})
		if err != nil {
			t.Fatal(err)
		}
		if ms := e.ScanFile("src/a.go", content); len(ms) != 0 {
			t.Errorf("%s allowlist did not suppress: %+v", name, ms)
		}
	}
	if _, err := New(Options{Allow: Allowlist{Patterns: []string{"("}}}); err == nil {
		t.Error("bad allow pattern accepted")
	}
	if _, err := New(Options{Allow: Allowlist{Paths: []string{"a/[b"}}}); err == nil {
		t.Error("bad allow glob accepted")
	}
}

func TestBaselineRoundTrip(t *testing.T) {
	e := newTestEngine(t)
	content := []byte("a = '" + ghToken(t, 7) + "'\nb = '" + ghToken(t, 8) + "'\n")
	ms := e.ScanFile("cfg.py", content)
	if len(ms) != 2 {
		t.Fatalf("want 2 matches, got %d", len(ms))
	}
	var buf bytes.Buffer
	if err := WriteBaseline(&buf, ms[:1]); err != nil {
		t.Fatal(err)
	}
	if bytes.Contains(buf.Bytes(), []byte(ms[0].secret)) {
		t.Fatal("baseline holds a secret")
	}
	b, err := LoadBaseline(&buf)
	if err != nil || b.Len() != 1 {
		t.Fatalf("LoadBaseline: %v (len %d)", err, b.Len())
	}
	e2, _ := New(Options{Baseline: b})
	left := e2.ScanFile("cfg.py", content)
	if len(left) != 1 || left[0].Line != 2 {
		t.Errorf("baseline should leave only line 2: %+v", left)
	}
	if _, err := LoadBaseline(strings.NewReader(`{"version": 9, "secrets": []}`)); err == nil {
		t.Error("unknown baseline version accepted")
	}
	if _, err := LoadBaseline(strings.NewReader(`not json`)); err == nil {
		t.Error("bad baseline accepted")
	}
}

func TestScanLinesUsesOwnLineNumbers(t *testing.T) {
	e := newTestEngine(t)
	lines := []scanner.Line{{Number: 10, Text: "x := 1"}, {Number: 42, Text: "key := \"" + ghToken(t, 9) + "\""}}
	ms := e.ScanLines("main.go", lines)
	if len(ms) != 1 || ms[0].Line != 42 || ms[0].Column != 9 {
		t.Fatalf("got %+v", ms)
	}
}

func TestSkips(t *testing.T) {
	e := newTestEngine(t)
	tok := ghToken(t, 10)
	line := []byte("t = '" + tok + "'\n")
	cases := map[string][]byte{
		"vendor/x/a.go":         line,
		"web/node_modules/a.js": line,
		"api/x.pb.go":           line,
		"gen.go":                append([]byte("// Code generated by protoc. DO NOT EDIT.\n"), line...),
		"app.min.js":            line,
		"bundle.js":             append(bytes.Repeat([]byte("var a=1;"), 1000), line...),
		"blob.txt":              append([]byte{0, 1, 2}, line...),
		"image.png":             line,
	}
	for p, content := range cases {
		if ms := e.ScanFile(p, content); len(ms) != 0 {
			t.Errorf("%s: should be skipped, got %d matches", p, len(ms))
		}
	}
	small, _ := New(Options{MaxFileSize: 10})
	if ms := small.ScanFile("a.txt", line); len(ms) != 0 {
		t.Error("file over the size limit scanned")
	}
	all, _ := New(Options{ScanSkippable: true})
	if ms := all.ScanFile("vendor/x/a.go", line); len(ms) != 1 {
		t.Error("ScanSkippable should scan vendored files")
	}
	if ms := e.ScanFile("src/a.go", line); len(ms) != 1 {
		t.Error("ordinary file not scanned")
	}
}

func TestMaskCallback(t *testing.T) {
	var mu sync.Mutex
	var masked []string
	e, err := New(Options{Mask: func(s string) { mu.Lock(); masked = append(masked, s); mu.Unlock() }})
	if err != nil {
		t.Fatal(err)
	}
	tok := ghToken(t, 11)
	e.ScanFile("a", []byte(tok+"\n"))
	if len(masked) != 1 || masked[0] != tok {
		t.Errorf("Mask got %d values", len(masked))
	}
}

func TestIntegrityHashesNeverReported(t *testing.T) {
	e := newTestEngine(t)
	for _, content := range []string{
		`"integrity": "sha512-ghp_AbCdEfGhIjKlMnOpQrStUvWxYz0123456789abcdefGHIJKL+/AKIAABCDEFGHIJKLMNOP=="` + "\n",
		"github.com/x/y v1.0.0 h1:Zm9vYmFyYmF6cXV4cXV1eGNvcmdlZ3JhdWx0Z2FycGx5d2FsZG9=\n",
	} {
		if ms := e.ScanFile("package-lock.json", []byte(content)); len(ms) != 0 {
			t.Errorf("integrity hash reported: %+v", ms)
		}
		if ms := e.ScanFile("notes.txt", []byte(content)); len(ms) != 0 {
			t.Errorf("integrity hash reported outside a lockfile: %+v", ms)
		}
	}
}

// TestRealLockfilesHaveNoSecrets scans every real lockfile in the shared
// corpus: they are full of hashes, URLs and ids and hold no secret.
func TestRealLockfilesHaveNoSecrets(t *testing.T) {
	root := shareddata.Path(t, "lockfiles")
	e := newTestEngine(t)
	files := 0
	err := filepath.WalkDir(root, func(p string, d os.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		data, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		files++
		rel, _ := filepath.Rel(root, p)
		for _, m := range e.ScanFile(filepath.ToSlash(rel), data) {
			t.Errorf("%s:%d: %s %s", rel, m.Line, m.RuleID, m.Redacted)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if files < 50 {
		t.Errorf("only %d lockfiles scanned", files)
	}
}
