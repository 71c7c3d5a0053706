package secrets

import (
	"encoding/base64"
	"encoding/json"
	"math/rand/v2"
	"regexp"
	"strings"
)

// pemBodyPattern is what may stand between a PEM or PGP armor's BEGIN and END
// lines: base64 and whitespace, the armor's header lines (Proc-Type: 4,ENCRYPTED;
// DEK-Info: AES-128-CBC,…; Version: GnuPG v2 (GNU/Linux); Comment: Alice
// <alice@example.org>), the
// PGP checksum line (=AbCd), and how code writes a key across string
// literals (\n escapes, quotes, + concatenation, commas). Code does not fit
// it (braces, semicolons, brackets), so a key whose END line is missing is
// no match rather than one that runs on through the file to the next key's
// END. RFC 7468 (PEM textual encodings) and RFC 4880 section 6.2 (armor).
const pemBodyPattern = `[0-9A-Za-z+/=\s\\"'` + "`" + `,:.()@<>_#~\-]{64,}?`

// structuralRules: private keys, JWTs, connection strings and the generic
// high-entropy assignment rule.
func structuralRules() []Rule {
	pem := func(id, desc, label, sev string) Rule {
		begin, end := "-----BEGIN "+label+"-----", "-----END "+label+"-----"
		return Rule{
			ID: id, Provider: "Private key", Description: desc,
			Keywords:  []string{strings.ToLower(begin)},
			Pattern:   `(?P<secret>` + regexp.QuoteMeta(begin) + pemBodyPattern + regexp.QuoteMeta(end) + `)`,
			Span:      20000,
			Validate:  pemLooksReal,
			Severity:  sev,
			Precision: vhigh,
			Sample: func(r *rand.Rand) (string, string) {
				s := begin + "\n" + pemBody(r, "\n") + end
				return s, s
			},
			True:  []string{"{S}", `key = """` + "\n{S}\n" + `"""`},
			False: []string{begin + "\n...\n" + end, begin + "\n" + strings.Repeat("MIIEvQIBADANBgkqhkiG9w0BAQEFAASCBKcwggSjAgEAAoIBAQ\n", 1) + strings.Repeat("x", 64) + "\n" + end},
		}
	}
	genericPEM := pem("private-key", "PEM private key (RSA, EC, DSA, PKCS#8, encrypted)", "PRIVATE KEY", crit)
	genericPEM.Keywords = []string{"private key-----"}
	// OpenSSH keys have their own rule.
	genericPEM.Allow = []string{`^-----BEGIN OPENSSH`}
	genericPEM.Pattern = `(?P<secret>-----BEGIN[ A-Z0-9_]{0,30}PRIVATE KEY-----` + pemBodyPattern + `-----END[ A-Z0-9_]{0,30}PRIVATE KEY-----)`
	genericPEM.Sample = func(r *rand.Rand) (string, string) {
		s := "-----BEGIN RSA PRIVATE KEY-----\n" + pemBody(r, "\n") + "-----END RSA PRIVATE KEY-----"
		return s, s
	}
	return []Rule{
		genericPEM,
		pem("openssh-private-key", "OpenSSH private key", "OPENSSH PRIVATE KEY", crit),
		pem("pgp-private-key", "PGP private key block", "PGP PRIVATE KEY BLOCK", crit),
		{
			ID: "putty-private-key", Provider: "Private key", Description: "PuTTY private key file",
			Keywords:  []string{"putty-user-key-file-"},
			Pattern:   `(?P<secret>PuTTY-User-Key-File-\d: [\s\S]{0,400}?Private-Lines: \d+\r?\n(?:[A-Za-z0-9+/=]+\r?\n)+)`,
			Span:      6000,
			Entropy:   4,
			Severity:  crit,
			Precision: vhigh,
			Sample: func(r *rand.Rand) (string, string) {
				s := "PuTTY-User-Key-File-3: ssh-ed25519\nEncryption: none\nComment: demo\nPublic-Lines: 2\n" +
					randString(r, b64, 64) + "\n" + randString(r, b64, 20) + "\nPrivate-Lines: 1\n" + randString(r, b64, 44) + "\n"
				return s, s
			},
			True:  []string{"{S}"},
			False: []string{"PuTTY-User-Key-File-3: ssh-ed25519\nEncryption: none\nPublic-Lines: 2\n"},
		},
		{
			ID: "jwt", Provider: "JSON Web Token", Description: "JSON Web Token (signed session or API credential)",
			Fallback:  true,
			Keywords:  []string{"eyj"},
			Pattern:   `(?:^|[^0-9A-Za-z_\-])(?P<secret>eyJ[0-9A-Za-z_\-]{10,}\.eyJ[0-9A-Za-z_\-]{10,}\.[0-9A-Za-z_\-]{20,})`,
			Validate:  jwtLooksReal,
			Entropy:   3.5,
			Severity:  med,
			Precision: phigh,
			Sample:    jwtSample,
			True:      []string{`Authorization: Bearer {S}`, `"id_token": "{S}"`},
			False: []string{
				// Header without "alg" is not a JWT.
				b64u(`{"foo":"bar","baz":1}`) + "." + b64u(`{"sub":"1234567890"}`) + ".c2lnbmF0dXJlc2lnbmF0dXJlc2ln",
				`token = "eyJhbGciOi.eyJzdWIiOi.sig"`, // tollgate:allow (test value)
			},
		},
		{
			ID: "database-connection-string", Provider: "Database", Description: "database connection URL with an embedded password",
			Keywords: []string{"postgres://", "postgresql://", "mysql://", "mariadb://", "mongodb://", "mongodb+srv://",
				"redis://", "rediss://", "amqp://", "amqps://", "mssql://", "sqlserver://", "clickhouse://", "cockroachdb://", "couchbase://"},
			Pattern:       `(?i:postgres(?:ql)?|mysql|mariadb|mongodb(?:\+srv)?|rediss?|amqps?|mssql|sqlserver|clickhouse|cockroachdb|couchbase)://[^:/\s@"'<>]{0,64}:(?P<secret>[^@/\s"'<>]{6,128})@[^\s"'/<>]+`,
			Entropy:       2.5,
			Allow:         passwordPlaceholders(),
			ValidateMatch: urlPasswordNotDefault,
			Severity:      crit,
			Precision:     phigh,
			Sample: func(r *rand.Rand) (string, string) {
				pw := randString(r, alnum, 20)
				return "postgres://app:" + pw + "@db.internal:5432/prod", pw
			},
			True: []string{`DATABASE_URL={S}`, `url: "{S}"`, `mongodb+srv://admin:Zq8$kP2m!vX9@cluster0.abcde.mongodb.net/test`}, // tollgate:allow (test value)
			False: []string{`postgres://user:password@localhost/db`, `redis://:${REDIS_PASSWORD}@redis:6379`, `mysql://root:<password>@host/db`, `postgres://localhost:5432/db`,
				`DATABASE_URL=postgres://postgres:postgres@db:5432/app`, `amqp://guest:guest@rabbitmq:5672/`, `mongodb://mongo:mongopass@mongo:27017`},
		},
		{
			ID: "url-credentials", Provider: "URL", Description: "HTTP or FTP URL with an embedded password",
			Keywords:      []string{"https://", "http://", "ftp://", "ftps://", "smtp://", "smtps://", "ldap://", "ldaps://"},
			Pattern:       `(?i:https?|ftps?|smtps?|ldaps?)://[0-9A-Za-z._~%!$&*+;=\-]{1,64}:(?P<secret>[0-9A-Za-z._~%!$&*+;=\-]{8,128})@[0-9A-Za-z.\-]+\.[A-Za-z]{2,}`,
			Entropy:       3.3,
			Validate:      passwordLooksReal,
			ValidateMatch: urlPasswordNotDefault,
			Allow:         passwordPlaceholders(),
			Severity:      high,
			Precision:     pmed,
			Sample: func(r *rand.Rand) (string, string) {
				pw := randString(r, alnum, 22)
				return "https://deploy:" + pw + "@git.example.org/team/repo.git", pw
			},
			True:  []string{`git remote add origin {S}`, `"registry": "{S}"`},
			False: []string{`https://user:password@example.com/`, `https://git@github.com/owner/repo`, `http://user:${TOKEN}@host.com`, `https://user:pass@localhost`},
		},
		{
			ID: "jdbc-password", Provider: "Database", Description: "JDBC URL with an embedded password",
			Keywords:  []string{"jdbc:"},
			Pattern:   `jdbc:[a-z0-9:]+//[^\s"']*?[?;&](?i:password)=(?P<secret>[^;&\s"']{6,128})`,
			Entropy:   2.5,
			Allow:     passwordPlaceholders(),
			Severity:  crit,
			Precision: phigh,
			Sample: func(r *rand.Rand) (string, string) {
				pw := randString(r, alnum, 18)
				return "jdbc:mysql://db.internal:3306/app?user=app&password=" + pw, pw
			},
			True:  []string{"{S}", `url = "{S}"`},
			False: []string{`jdbc:mysql://localhost/app?user=app&password=changeme`, `jdbc:postgresql://db/app?password=${DB_PASS}`},
		},
		{
			ID: "adonet-connection-string", Provider: "Database", Description: "ADO.NET / ODBC connection string with a password",
			Keywords:  []string{"password=", "pwd="},
			Pattern:   `(?i:server|data source|host|address)\s*=[^;"'\n]{1,200};[^"'\n]{0,300}?(?i:password|pwd)\s*=\s*(?P<secret>[^;"'\s]{6,128})`,
			Entropy:   2.5,
			Allow:     passwordPlaceholders(),
			Severity:  crit,
			Precision: phigh,
			Sample: func(r *rand.Rand) (string, string) {
				pw := randString(r, alnum, 16)
				return "Server=tcp:sql.internal,1433;Database=app;User ID=app;Password=" + pw + ";Encrypt=True;", pw
			},
			True:  []string{`"ConnectionStrings": {"Default": "{S}"}`},
			False: []string{`Server=.;Database=app;User Id=sa;Password=<your_password>;`, `Server=db;Password=$(DB_PASSWORD);`},
		},
		{
			ID: "netrc-password", Provider: "netrc", Description: "password in a .netrc machine entry",
			Keywords: []string{"machine "},
			// The password ends at a quote: a netrc line quoted in code or
			// config must not drag the closing quote into the secret.
			Pattern:   `machine\s+[0-9A-Za-z.\-]+\s+login\s+\S+\s+password\s+(?P<secret>[^\s"'` + "`" + `]{8,128})`,
			Entropy:   3,
			Allow:     passwordPlaceholders(),
			Severity:  high,
			Precision: phigh,
			Sample: func(r *rand.Rand) (string, string) {
				pw := randString(r, alnum, 24)
				return "machine api.example.org login deploy password " + pw, pw
			},
			True: []string{"{S}"},
			False: []string{"machine api.example.org login deploy password PASSWORD", "machine api.example.org login deploy",
				`{"machine api.example.org login deploy password PASSWORD", "x"}`},
		},
		genericRule(),
		genericEnvRule(),
	}
}

// genericEnvRule is the generic rule for unquoted values in .env, shell,
// properties and YAML files: NAME=value or name: value alone on its line,
// with the same tests on the value as genericRule.
func genericEnvRule() Rule {
	r := genericRule()
	r.ID = "generic-env-secret"
	r.Description = "high-entropy unquoted value assigned to a secret-looking name (.env, YAML, properties)"
	// .env text is also written inside JSON and code strings, lines joined
	// by \n escapes: a name may start after "\n" or a quote, and a value may
	// end before one.
	r.Pattern = `(?m)(?:^[ \t]*|\\n|")(?:export[ \t]+|-[ \t]+)?[0-9A-Za-z_.\-]{0,40}(?i:secret|token|passw(?:or)?d|api[_\-]?key|access[_\-]?key|private[_\-]?key|credentials?|auth[_\-]?key|signing[_\-]?key|encryption[_\-]?key)[0-9A-Za-z_.\-]{0,40}[ \t]*(?:=|:[ \t])[ \t]*(?P<secret>[0-9A-Za-z+/=_.~!@$%^&*\-]{16,128})(?:[ \t]*(?:#.*)?\r?$|\\[nr]|")`
	r.Sample = func(rng *rand.Rand) (string, string) {
		s := randString(rng, alnum, 32)
		return "STRIPE_WEBHOOK_SECRET=" + s, s
	}
	r.True = []string{"{S}", "export DEPLOY_TOKEN={V}", "  api_key: {V}", "db.password = {V}  # prod",
		`{"env": "NODE_ENV=production\nSESSION_SECRET={V}\nPORT=8080"}`, `  "dotenv": "API_TOKEN={V}",`}
	r.False = []string{
		"API_TOKEN=${API_TOKEN_FROM_SECRET_STORE}",
		"SECRET_KEY=changeme-please-changeme",
		"token = getTokenFromEnvironment(ctx)",
		"password: {{ .Values.database.password }}",
		"  tokenizer: WhitespaceTokenizerFactory",
		"ACCESS_KEY_FILE=/run/secrets/access_key_file",
		"secret = config.ClientSecretFromVault",
		"// token: " + "{V}" + " is an example in a comment, mid-line",
		`w.Write([]byte("access_token=90d64460d14870c08c81352a05dedd3465940a7c&scope=user&token_type=bearer"))`,
	}
	return r
}

// urlPasswordNotDefault rejects URLs whose password is the user name
// ("postgres:postgres", "guest:guest") or a service's well-known default:
// what templates and compose files write, not a credential.
func urlPasswordNotDefault(match, secret string) bool {
	_, rest, ok := strings.Cut(match, "://")
	if !ok {
		return true
	}
	user, _, _ := strings.Cut(rest, ":")
	pw := strings.ToLower(secret)
	if strings.EqualFold(user, secret) || strings.HasPrefix(pw, strings.ToLower(user)) && len(user) >= 4 {
		return false
	}
	// One short lower-case word ("bitnami", "example") is a default a
	// compose file ships with; generated passwords mix cases and digits.
	if len(pw) < 12 && strings.Trim(secret, "abcdefghijklmnopqrstuvwxyz") == "" {
		return false
	}
	switch pw {
	case "postgres", "mysql", "mariadb", "mongo", "mongodb", "redis", "rabbitmq", "guest", "admin", "root", "secret", "password", "pass",
		"passwd", "changeit", "letmein", "qwerty", "123456", "12345678", "sa", "toor", "devpassword", "dev", "local", "docker", "postgrespw":
		return false
	}
	return true
}

// passwordPlaceholders are values documentation uses instead of a password.
func passwordPlaceholders() []string {
	return []string{
		`(?i)^(?:password|passw0rd|p@ssw0rd|pass|secret|s3cr3t|changeme|change_me|changeit|example|test|testing|admin|root|default|dummy|sample|placeholder|redacted|none|null|welcome|letmein|qwerty|xxx+|\*+)[0-9!@#$%*._\-]{0,6}$`,
		`(?i)(?:your|my)[_\-]?(?:password|pass|secret|token|key)`,
		// Letters around a word that says what the value is: "app_password",
		// "randompassword", "supersecretkey".
		`(?i)^[a-z_\-]*(?:password|passwd|passwort|secret|pwd)[a-z_\-]*[0-9]{0,4}$`,
		`(?i)your[_\-]|_here|example|placeholder|dummy|sample|fake|changeme|xxxx|insert[_\-]`,
		`^[$%<{(]|[}>)]$|\$\{|\{\{|%[sd]|\$\(`,
	}
}

// genericRule finds a quoted high-entropy value assigned to a name that says
// "secret". It is the noisiest kind of rule, so its value must look random:
// entropy, mixed character classes, no words, paths, URLs or references.
func genericRule() Rule {
	return Rule{
		ID: "generic-secret", Provider: "Generic", Description: "high-entropy value assigned to a secret-looking name",
		Fallback: true,
		Keywords: []string{"secret", "token", "passwd", "password", "api_key", "apikey", "api-key", "access_key",
			"accesskey", "private_key", "client_secret", "credential", "auth_key", "signing_key", "encryption_key"},
		Pattern: `(?i:secret|token|passw(?:or)?d|api[_\-]?key|access[_\-]?key|private[_\-]?key|credentials?|auth[_\-]?key|signing[_\-]?key|encryption[_\-]?key)` +
			`[0-9A-Za-z_.\-]{0,20}["'\]]{0,2}\s{0,3}(?::=|=>|=|:)\s{0,3}[@rbf]?["'` + "`" + `](?P<secret>[0-9A-Za-z+/=_.~!@#$%^&*\-]{16,128})["'` + "`" + `]`,
		Entropy:  3.7,
		Validate: genericValidator(),
		Allow:    passwordPlaceholders(),
		// Cryptographic test vectors and expected values, not credentials.
		AllowContext: []string{`(?i)(?:shared|exporter|expected|want|wanted|derived|computed)[_\-]?secret|secret[_\-]?(?:hash|digest|name|id)\b`},
		Severity:     med,
		Precision:    pmed,
		Sample: func(r *rand.Rand) (string, string) {
			s := randString(r, alnum, 32)
			return `client_secret = "` + s + `"`, s
		},
		True: []string{"{S}", `  "apiToken": "Zk3pQ9vR2mX7sL4tB8nW6yH1cD5fG0jK",`, `DB_PASSWORD: "uV7#kq2!Lm9@zR4x"`}, // tollgate:allow (test value)
		False: []string{
			`token = "0000000000000000000000000000"`,
			`secret_name = "my-application-secret-name"`,
			`password = "${DB_PASSWORD_FROM_ENVIRONMENT}"`,
			`tokenURL := "https://oauth2.example.com/token/v1"`,
			`secretPath = "/var/run/secrets/kubernetes.io/sa"`,
			`token = "abcdefghijklmnopqrstuvwxyz"`,
			`TokenType = "AccessTokenFromRefreshToken"`,
			`apiKey: "YOUR_API_KEY_HERE_1234567890"`,
			`password = "github.com/owner/repo/v2/pkg"`,
			`const tokenPrefix = "Bearer "`,
			`secret := os.Getenv("CLIENT_SECRET_KEY_NAME")`,
			`"shared_secret": "2fc9533e0ba8e59f0753280bc099674320bae39a0d4f817b6271789b2f4aef33",`,
			`SharedSecret: "46fc62106420ff012e54a434fbdd2d25ccc5852060561e68040dd7778997bd7b",`,
			`"passwordHash": "$2a$10$N9qo8uLOickgx2ZMRZoMyeIjZAgcfl7p92ldGxad68LJZdL17lhWy"`,
		},
	}
}

// genericValidator returns the generic rule's validator: it rejects values
// that read like identifiers, paths, URLs, placeholders or hashes rather than
// credentials. Its expressions are compiled once per rule table.
func genericValidator() func(string) bool {
	// Words are runs of four or more letters: random keys have few and short ones.
	letterRuns := regexp.MustCompile(`[A-Z]?[a-z]{4,}|[A-Z]{4,}`)
	bcryptHash := regexp.MustCompile(`^\$2[aby]?\$\d\d\$`)
	return func(s string) bool { return genericLooksReal(s, letterRuns, bcryptHash) }
}

func genericLooksReal(s string, letterRuns, bcryptHash *regexp.Regexp) bool {
	if bcryptHash.MatchString(s) || strings.Contains(s, "://") || strings.Count(s, "/") > 1 || strings.Count(s, ".") > 2 {
		return false
	}
	// A query string ("…&token_type=bearer") holds a value, it is not one.
	if strings.Contains(s, "&") && strings.Contains(s, "=") {
		return false
	}
	var lower, upper, digit int
	for i := 0; i < len(s); i++ {
		switch c := s[i]; {
		case c >= 'a' && c <= 'z':
			lower++
		case c >= 'A' && c <= 'Z':
			upper++
		case c >= '0' && c <= '9':
			digit++
		}
	}
	classes := 0
	for _, n := range []int{lower, upper, digit} {
		if n > 0 {
			classes++
		}
	}
	if classes < 2 || lower+upper == 0 {
		return false
	}
	// Runs of four or more same-case letters are words (CamelCase names,
	// constants, sentences); in random base62 they are short and rare, so
	// cap the share of the value inside such runs.
	inRuns := 0
	for _, run := range letterRuns.FindAllString(s, -1) {
		inRuns += len(run)
	}
	if inRuns*2 > len(s) {
		return false
	}
	return !isRepetitive(s)
}

// passwordLooksReal rejects low-variety URL passwords.
func passwordLooksReal(s string) bool { return !isRepetitive(s) }

// isRepetitive reports a value dominated by one repeated character.
func isRepetitive(s string) bool {
	run, best := 1, 1
	for i := 1; i < len(s); i++ {
		if s[i] == s[i-1] {
			run++
			best = max(best, run)
		} else {
			run = 1
		}
	}
	return best >= 6 && best*3 >= len(s)
}

// pemLooksReal requires a key body of enough varied base64.
func pemLooksReal(s string) bool {
	var body strings.Builder
	for _, line := range strings.Split(strings.ReplaceAll(s, `\n`, "\n"), "\n") {
		line = strings.TrimSpace(line)
		if strings.HasPrefix(line, "-----") || strings.Contains(line, ":") {
			continue
		}
		for i := 0; i < len(line); i++ {
			if c := line[i]; c >= '0' && c <= '9' || c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c == '+' || c == '/' {
				body.WriteByte(c)
			}
		}
	}
	b := body.String()
	return len(b) >= 100 && shannon(b) > 4.5 && !isRepetitive(b)
}

// jwtLooksReal requires a header that decodes to JSON with an "alg".
func jwtLooksReal(s string) bool {
	head, _, ok := strings.Cut(s, ".")
	if !ok {
		return false
	}
	raw, err := base64.RawURLEncoding.DecodeString(strings.TrimRight(head, "="))
	if err != nil {
		return false
	}
	var h map[string]any
	if json.Unmarshal(raw, &h) != nil {
		return false
	}
	_, ok = h["alg"]
	return ok
}

func b64u(s string) string { return base64.RawURLEncoding.EncodeToString([]byte(s)) }

func jwtSample(r *rand.Rand) (string, string) {
	s := b64u(`{"alg":"HS256","typ":"JWT"}`) + "." +
		b64u(`{"sub":"`+randString(r, alnum, 12)+`","iat":1700000000,"scope":"admin"}`) + "." + randString(r, b64url, 43)
	return s, s
}
