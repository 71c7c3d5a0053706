package secrets

import (
	"bytes"
	"encoding/base64"
	"math/rand/v2"
	"regexp"
	"strings"
	"unicode/utf8"
)

// configRules: credentials written into configuration syntaxes rather than
// provider token formats: NuGet and Maven feed passwords, curl command lines
// and HTTP Authorization headers, Terraform provider blocks, Kubernetes
// Secret manifests, and keystore files committed as such.
func configRules() []Rule {
	passwordRule := func(r Rule) Rule {
		r.Provider = orDefault(r.Provider, "Configuration")
		r.Entropy = 2.5
		r.Validate = func(s string) bool { return passwordLooksReal(s) && secretValueLooksReal(s) }
		r.Allow = passwordPlaceholders()
		return r
	}
	return []Rule{
		// NuGet: <packageSourceCredentials> entries with ClearTextPassword, and
		// "dotnet nuget add source … --password X". Source: Microsoft docs,
		// "nuget.config reference" (packageSourceCredentials).
		passwordRule(Rule{
			ID: "nuget-cleartext-password", Provider: "NuGet", Description: "NuGet feed password in clear text (nuget.config ClearTextPassword)",
			Keywords:  []string{"cleartextpassword", "nuget add source"},
			Pattern:   `(?i:ClearTextPassword["']?\s{1,3}value\s{0,2}=\s{0,2}["']|nuget\s+add\s+source[^\n]{0,300}?--password\s+["']?)(?P<secret>[^"'<>\s]{6,128})`,
			Severity:  high,
			Precision: phigh,
			Sample: func(r *rand.Rand) (string, string) {
				pw := randString(r, alnum, 20)
				return `<add key="ClearTextPassword" value="` + pw + `" />`, pw
			},
			True: []string{"<packageSourceCredentials>\n  <acme>\n    <add key=\"Username\" value=\"ci\" />\n    {S}\n  </acme>\n</packageSourceCredentials>",
				`dotnet nuget add source https://nuget.pkg.github.com/acme/index.json -n github -u ci --password {V} --store-password-in-clear-text`},
			False: []string{`<add key="ClearTextPassword" value="%NUGET_PASSWORD%" />`, `<add key="ClearTextPassword" value="your_password" />`},
		}),
		// Maven settings.xml: <server> entries with <password>. Encrypted
		// values ({…}, mvn --encrypt-password) and ${env.X} references are not
		// clear. Source: Apache Maven, "Settings Reference" (servers).
		passwordRule(Rule{
			ID: "maven-settings-password", Provider: "Maven", Description: "repository password in a Maven settings.xml <server> entry",
			Keywords:  []string{"<server>"},
			Pattern:   `<server>(?:\s*<(?:id|username|privateKey|passphrase|filePermissions|directoryPermissions)>[^<]{0,200}</[A-Za-z]+>)*\s*<password>\s*(?P<secret>[^<\s]{6,128})\s*</password>`,
			Span:      2000,
			Severity:  high,
			Precision: phigh,
			Sample: func(r *rand.Rand) (string, string) {
				pw := randString(r, alnum, 22)
				return "<server>\n  <id>acme-releases</id>\n  <username>deploy</username>\n  <password>" + pw + "</password>\n</server>", pw
			},
			True: []string{"<settings>\n  <servers>\n    {S}\n  </servers>\n</settings>"},
			False: []string{"<server>\n  <id>x</id>\n  <password>${env.MAVEN_PASSWORD}</password>\n</server>",
				"<server>\n  <id>x</id>\n  <password>{COQLCE6DU6GtcS5P=}</password>\n</server>"},
		}),
		// curl -u / --user user:password. Source: curl(1), --user.
		passwordRule(Rule{
			ID: "curl-basic-auth", Provider: "curl", Description: "password on a curl command line (-u user:password)",
			Keywords:  []string{"curl", "--user"},
			Pattern:   `(?:curl\s[^\n]{0,300}?(?:-u|--user)|--user)[ =]\s{0,2}["']?[^:\s"'$]{1,64}:(?P<secret>[^\s"'@]{6,128})`,
			Severity:  high,
			Precision: pmed,
			Sample: func(r *rand.Rand) (string, string) {
				pw := randString(r, alnum, 24)
				return "curl -fsS -u deploy:" + pw + " https://artifacts.example.org/api/upload", pw
			},
			True: []string{"{S}", "curl -X POST \\\n  --user 'ci-bot:{V}' \\\n  https://ci.example.org/job/build"},
			False: []string{`curl -u "$USER:$PASSWORD" https://example.org`, `curl -u admin:password https://localhost`, `curl -sS -u 'admin:password123' 'https://httpbin.org/basic-auth/admin/password123'`,
				`curl -u user:your-password-here https://api.example.org`},
		}),
		{
			// Authorization: Bearer <opaque token>, as in curl -H, HTTP files
			// and code. Source: RFC 6750 section 2.1.
			ID: "authorization-bearer-token", Provider: "HTTP", Description: "opaque bearer token in an Authorization header",
			Fallback:  true,
			Keywords:  []string{"bearer "},
			Pattern:   `(?i:authorization)["']?\s{0,3}[:=,]\s{0,3}["']?(?i:bearer)\s{1,3}(?P<secret>[0-9A-Za-z._~+/\-]{20,200}={0,2})` + rightGuard(`0-9A-Za-z._~+/=\-`),
			Entropy:   3.5,
			Validate:  genericValidator(),
			Allow:     passwordPlaceholders(),
			Severity:  high,
			Precision: pmed,
			Sample: func(r *rand.Rand) (string, string) {
				tok := randString(r, alnum, 40)
				return `curl -H "Authorization: Bearer ` + tok + `" https://api.example.org/v1/me`, tok
			},
			True: []string{"{S}", `headers = {"Authorization": "Bearer {V}"}`, `req.Header.Set("Authorization", "Bearer {V}")`},
			False: []string{`curl -H "Authorization: Bearer $TOKEN" https://api.example.org`, `-H "Authorization: Bearer YOUR_ACCESS_TOKEN_GOES_HERE"`,
				`"Authorization": "Bearer " + token`, `Authorization: Bearer <token>`},
		},
		{
			// Authorization: Basic base64(user:password). Source: RFC 7617.
			ID: "authorization-basic-credentials", Provider: "HTTP", Description: "user and password in a Basic Authorization header",
			Keywords:  []string{"basic "},
			Pattern:   `(?i:authorization)["']?\s{0,3}[:=,]\s{0,3}["']?(?i:basic)\s{1,3}(?P<secret>[A-Za-z0-9+/]{12,400}={0,2})` + rightGuard(`0-9A-Za-z+/=`),
			Entropy:   3,
			Validate:  basicAuthValidator(),
			Severity:  high,
			Precision: phigh,
			Sample: func(r *rand.Rand) (string, string) {
				s := base64.StdEncoding.EncodeToString([]byte("deploy:" + randString(r, alnum, 20)))
				return `Authorization: Basic ` + s, s
			},
			True: []string{"{S}", `curl -H "{S}" https://example.org`},
			False: []string{"Authorization: Basic " + base64.StdEncoding.EncodeToString([]byte("user:password")),
				"Authorization: Basic " + base64.StdEncoding.EncodeToString([]byte("aladdin:opensesame")),
				"Authorization: Basic " + base64.StdEncoding.EncodeToString([]byte("no colon in this text"))},
		},
		// Terraform: credentials written as literals in provider and resource
		// blocks (provider "postgresql" { password = "…" }, aws_db_instance's
		// password). Source: Terraform docs, "Provider Configuration", and the
		// providers' argument references.
		passwordRule(Rule{
			ID: "terraform-credential", Provider: "Terraform", Description: "credential written as a literal in a Terraform provider or resource block",
			Keywords:  []string{`provider "`, `resource "`},
			Pattern:   `(?:provider|resource)\s+"[A-Za-z0-9_\-]+"(?:\s+"[^"\n]+")?\s*\{[^}]{0,800}?\b(?:password|master_password|admin_password|administrator_login_password|root_password|token|api_key|api_token|client_secret|secret_key|access_key)\s*=\s*"(?P<secret>[^"$\s]{6,128})"`,
			Span:      1500,
			Severity:  high,
			Precision: phigh,
			Sample: func(r *rand.Rand) (string, string) {
				pw := randString(r, alnum, 20)
				return "provider \"postgresql\" {\n  host     = \"db.internal\"\n  username = \"admin\"\n  password = \"" + pw + "\"\n}", pw
			},
			True: []string{"{S}", "resource \"aws_db_instance\" \"main\" {\n  engine   = \"postgres\"\n  username = \"app\"\n  password = \"{V}\"\n}"},
			False: []string{"provider \"postgresql\" {\n  password = var.db_password\n}", "resource \"aws_db_instance\" \"x\" {\n  password = \"${random_password.db.result}\"\n}",
				"provider \"mysql\" {\n  password = \"changeme\"\n}"},
		}),
		{
			// Kubernetes Secret manifests: data: values are base64 (decoded
			// and scanned), stringData: values are clear. Source: Kubernetes
			// docs, "Secrets" (data and stringData fields).
			ID: "kubernetes-secret", Provider: "Kubernetes", Description: "credential in a Kubernetes Secret manifest (data or stringData)",
			Keywords:  []string{"kind: secret", `kind: "secret"`, "kind: 'secret'"},
			Extract:   kubernetesSecretValues,
			Entropy:   3,
			Validate:  secretValueLooksReal,
			Allow:     passwordPlaceholders(),
			Severity:  high,
			Precision: phigh,
			Sample: func(r *rand.Rand) (string, string) {
				pw := randString(r, alnum, 20)
				return "apiVersion: v1\nkind: Secret\nmetadata:\n  name: db\ntype: Opaque\ndata:\n  username: " + base64.StdEncoding.EncodeToString([]byte("app")) +
					"\n  password: " + base64.StdEncoding.EncodeToString([]byte(pw)) + "\n", pw
			},
			True: []string{"{S}",
				// kubectl get -o yaml sorts keys: data comes before kind.
				"apiVersion: v1\ndata:\n  DB_PASSWORD: \"" + "{B64V}" + "\"\nkind: Secret\nmetadata:\n  name: app\n",
				"apiVersion: v1\nkind: Secret\nmetadata:\n  name: app\nstringData:\n  password: {V}\n",
			},
			False: []string{
				"apiVersion: v1\nkind: Secret\ndata:\n  username: " + base64.StdEncoding.EncodeToString([]byte("administrator")) +
					"\n  password: " + base64.StdEncoding.EncodeToString([]byte("changeme")) + "\n",
				"apiVersion: v1\nkind: ConfigMap\ndata:\n  password: " + base64.StdEncoding.EncodeToString([]byte("Zk3pQ9vR2mX7sL4tB8nW")) + "\n",
				"apiVersion: v1\nkind: Secret\nstringData:\n  password: ${DB_PASSWORD}\n",
			},
		},
		keystoreRule("pkcs12-keystore-file", "PKCS#12 keystore file (.p12, .pfx) committed to the repository", "PKCS#12 keystore", []string{"p12", "pfx"}),
		keystoreRule("java-keystore-file", "Java keystore file (.jks, .keystore, .jceks, .bks) committed to the repository", "Java keystore", []string{"jks", "keystore", "jceks", "bks"}),
	}
}

func orDefault(s, d string) string {
	if s == "" {
		return d
	}
	return s
}

// keystoreRule reports a keystore file by its type: binary files are not
// scanned, but a keystore holds private keys (with, at best, a password kept
// next to it). It runs on file names only.
func keystoreRule(id, desc, kind string, exts []string) Rule {
	keywords := make([]string, len(exts))
	for i, e := range exts {
		keywords[i] = "." + e
	}
	return Rule{
		ID: id, Provider: "Keystore", Description: desc,
		Keywords:  keywords,
		Pattern:   `(?i)(?:^|/)(?P<secret>[^/]*\.(?:` + strings.Join(exts, "|") + `))$`,
		NameOnly:  true,
		Redacted:  kind,
		Severity:  med,
		Precision: phigh,
		Sample: func(r *rand.Rand) (string, string) {
			name := "server-" + randString(r, lowerNum, 6) + "." + exts[0]
			return "config/certs/" + name, name
		},
		True:  []string{"{S}", "src/main/resources/release." + exts[len(exts)-1]},
		False: []string{"docs/" + exts[0] + "-format.md", "scripts/make-" + exts[0] + ".sh", "certs/server." + exts[0] + ".txt"},
	}
}

// basicAuthValidator requires a Basic credential that decodes to
// user:password with a password that is no placeholder.
func basicAuthValidator() func(string) bool {
	var placeholders []*regexp.Regexp
	for _, p := range passwordPlaceholders() {
		placeholders = append(placeholders, regexp.MustCompile(p))
	}
	return func(s string) bool { return basicAuthLooksReal(s, placeholders) }
}

func basicAuthLooksReal(s string, placeholders []*regexp.Regexp) bool {
	raw, err := base64.StdEncoding.DecodeString(s)
	if err != nil {
		raw, err = base64.RawStdEncoding.DecodeString(strings.TrimRight(s, "="))
	}
	if err != nil || !utf8.Valid(raw) {
		return false
	}
	user, pw, ok := strings.Cut(string(raw), ":")
	if !ok || user == "" || len(pw) < 6 {
		return false
	}
	for _, p := range placeholders {
		if p.MatchString(pw) {
			return false
		}
	}
	// One character class ("opensesame", the RFC 7617 example) or a word
	// and a number is a sample, not a credential.
	return !isRepetitive(pw) && shannon(pw) >= 2.5 && secretValueLooksReal(pw)
}

// secretValueLooksReal is the test on a Kubernetes Secret value that no
// provider rule claimed: one token of at least eight characters, of two
// character classes or more, not a word with digits ("password123").
func secretValueLooksReal(s string) bool {
	if len(s) < 8 || strings.ContainsAny(s, " \t\r\n") || strings.HasPrefix(s, "-----BEGIN CERTIFICATE") {
		return false
	}
	classes := 0
	for _, set := range []string{"abcdefghijklmnopqrstuvwxyz", "ABCDEFGHIJKLMNOPQRSTUVWXYZ", "0123456789"} {
		if strings.ContainsAny(s, set) {
			classes++
		}
	}
	if classes < 2 {
		return false
	}
	// A dictionary word and a number: "password123", "Welcome2024".
	return !wordAndNumber.MatchString(s)
}

// nonSecretKeys are Secret data keys whose values are identifiers, not
// credentials.
var nonSecretKeys = regexp.MustCompile(`(?i)^(?:user(?:name)?|login|host(?:name)?|port|url|uri|endpoint|server|namespace|database|db|dbname|name|email|region|ca\.crt|tls\.crt|ca-bundle|ca\.pem|cert\.pem|config|kind|type)$`)

// kubernetesSecretValues reads the YAML document around a "kind: Secret"
// hit and returns the values of its data (base64, decoded) and stringData
// maps. Block scalars (key: |) and values that do not decode are skipped.
func kubernetesSecretValues(data []byte, hit int) ([]Extracted, int) {
	const reach = 64 << 10
	start := max(0, hit-reach)
	if i := bytes.LastIndex(data[start:hit], []byte("\n---")); i >= 0 {
		start += i + 1
	}
	end := min(len(data), hit+reach)
	if i := bytes.Index(data[hit:end], []byte("\n---")); i >= 0 {
		end = hit + i
	}
	line := data[hit:]
	if i := bytes.IndexByte(line, '\n'); i >= 0 {
		line = line[:i]
	}
	if !kindSecretLine.Match(line) {
		return nil, end
	}
	var out []Extracted
	inMap, decoded, mapIndent := false, false, 0
	for pos := start; pos < end; {
		le := bytes.IndexByte(data[pos:end], '\n')
		if le < 0 {
			le = end
		} else {
			le += pos
		}
		text := data[pos:le]
		trimmed := bytes.TrimLeft(text, " ")
		indent := len(text) - len(trimmed)
		switch {
		case len(bytes.TrimSpace(trimmed)) == 0 || trimmed[0] == '#':
		case inMap && indent > mapIndent:
			if m := secretEntry.FindSubmatchIndex(text); m != nil {
				key := string(text[m[2]:m[3]])
				vs, ve := pos+m[4], pos+m[5]
				if !nonSecretKeys.MatchString(key) {
					if decoded {
						raw, err := base64.StdEncoding.DecodeString(string(data[vs:ve]))
						if err == nil && utf8.Valid(raw) && len(raw) > 0 {
							out = append(out, Extracted{Start: vs, End: ve, Key: key, Value: strings.TrimRight(string(raw), "\r\n"), Decoded: true})
						}
					} else {
						out = append(out, Extracted{Start: vs, End: ve, Key: key, Value: string(data[vs:ve])})
					}
				}
			}
		default:
			inMap = false
			if m := secretMapLine.FindSubmatch(text); m != nil {
				inMap, decoded, mapIndent = true, string(m[2]) == "data", len(m[1])
			}
		}
		pos = le + 1
	}
	return out, end
}

var (
	wordAndNumber  = regexp.MustCompile(`^(?:[A-Z]?[a-z]{3,}|[A-Z]{4,})[0-9!@#$%]{0,6}$`)
	kindSecretLine = regexp.MustCompile(`^(?i:kind):\s*["']?Secret["']?\s*(?:#.*)?\r?$`)
	secretMapLine  = regexp.MustCompile(`^( *)(data|stringData):\s*(?:#.*)?\r?$`)
	secretEntry    = regexp.MustCompile(`^\s+["']?([A-Za-z0-9_.\-]+)["']?:\s+["']?([^"'\s#|>][^"'\s#]*)["']?\s*(?:#.*)?\r?$`)
)
