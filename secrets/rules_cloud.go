package secrets

import (
	"math/rand/v2"
	"regexp"
	"strconv"
	"strings"
)

// awsKeyIDSet is the alphabet of AWS access key id bodies (base32).
const awsKeyIDSet = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567"

// caskKey is a rule for Microsoft's 84-character "common annotated security
// key" format, as Azure DevOps PATs (since 2024) and Azure AI services keys
// are issued: 52 random base62 characters, the signature JQQJ9, a version
// character (9, D or H), a base62 character, a month letter A–L, 16 base62
// characters, the four-character provider signature (AZDO, ACOG, …) and a
// four-character checksum. Source: microsoft/security-utilities,
// GeneratedRegexPatterns (SEC101/200, UnclassifiedLegacyCommonAnnotatedSecurityKey)
// and the Azure DevOps release notes (sprint 241: 84-character PATs).
func caskKey(id, desc, sig, sev string) Rule {
	r := patRule(id, "Microsoft Azure", desc, []string{"jqqj9"},
		`(?:^|[^0-9A-Za-z])(?P<secret>[0-9A-Za-z]{52}JQQJ9[9DH][0-9A-Za-z][A-L][0-9A-Za-z]{16}`+sig+`[0-9A-Za-z]{4})`+rightGuard(`0-9A-Za-z`), sev, vhigh,
		x(alnum, 52), l("JQQJ99"), x(alnum, 1), x("ABCDEFGHIJKL", 1), x(alnum, 16), l(sig), x(alnum, 4))
	r.Entropy = 4
	r.True = append(r.True, `git clone https://pat:{V}@dev.azure.com/acme/project/_git/repo`, `AZURE_DEVOPS_EXT_PAT={V}`)
	return r
}

// azureKey is a rule for Microsoft's "identifiable" Azure keys: n random
// characters of set, a fixed provider signature (AzFu, ACDb, +ASt, …) and a
// tail (m random characters and a format-specific end). Source:
// microsoft/security-utilities, GeneratedRegexPatterns/PreciselyClassifiedSecurityKeys.json
// (SEC101/152–199).
func azureKey(id, desc, sig, set string, n, m int, tail, sev string) Rule {
	class := classOf(set)
	pattern := `(?:^|[^0-9A-Za-z+/_\-])(?P<secret>[` + class + `]{` + strconv.Itoa(n) + `}` + regexp.QuoteMeta(sig)
	if m > 0 {
		pattern += `[` + class + `]{` + strconv.Itoa(m) + `}`
	}
	pattern += tail + `)(?:[^0-9A-Za-z+/_=\-]|$)`
	parts := []part{x(set, n), l(sig)}
	switch {
	case m > 0:
		parts = append(parts, x(set, m), l("A=="))
	case strings.HasPrefix(tail, "[A-D]"):
		parts = append(parts, l("B"), x(alnum, 5))
	default:
		parts = append(parts, l("C"), x(alnum, 5), l("="))
	}
	r := patRule(id, "Microsoft Azure", desc, []string{strings.ToLower(sig)}, pattern, sev, vhigh, parts...)
	r.Entropy = 4
	return r
}

// cloudRules: AWS, Google Cloud, Azure and other infrastructure providers.
func cloudRules() []Rule {
	awsID := func(r *rand.Rand) string { return "AKIA" + randString(r, awsKeyIDSet, 16) }
	return []Rule{
		with(patRule("aws-access-key-id", "AWS", "AWS access key id", []string{"akia", "asia", "abia", "acca"},
			leftGuard+`(?P<secret>(?:AKIA|ASIA|ABIA|ACCA)[A-Z2-7]{16})`+rightGuard(`0-9A-Za-z`), high, vhigh,
			l("AKIA"), x(awsKeyIDSet, 16)), func(r *Rule) {
			r.Allow = []string{`EXAMPLE$`}
			r.False = append(r.False, `aws_access_key_id = AKIAIOSFODNN7EXAMPLE`)
		}),
		with(patRule("aws-secret-access-key", "AWS", "AWS secret access key", []string{"aws_secret", "secret_access_key", "secretaccesskey", "aws-secret"},
			`(?i:aws_secret_access_key|aws_secret_key|aws_secret|secret_access_key|secretaccesskey|aws-secret-access-key)["']?\s{0,3}(?::=|=>|=|:)\s{0,3}["']?(?P<secret>[A-Za-z0-9+/]{40})`+rightGuard(`0-9A-Za-z+/`), crit, vhigh), func(r *Rule) {
			r.Entropy = 4
			r.Sample = func(rng *rand.Rand) (string, string) {
				s := randString(rng, b64, 40)
				return "aws_secret_access_key = " + s, s
			}
			r.True = []string{"{S}", `AWS_SECRET_ACCESS_KEY: "{S}"`}
			r.False = []string{`aws_secret_access_key = wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY`, "aws_secret_access_key = " + strings.Repeat("ab", 20)}
			r.Allow = []string{`EXAMPLE`}
		}),
		with(patRule("aws-credential-pair", "AWS", "AWS access key id followed by its secret access key", []string{"akia", "asia"},
			`(?:AKIA|ASIA)[A-Z2-7]{16}[^\n]*\n?[^\n]{0,200}?[^A-Za-z0-9+/](?P<secret>[A-Za-z0-9+/]{40})`+rightGuard(`0-9A-Za-z+/`), crit, vhigh), func(r *Rule) {
			r.Entropy = 4.2
			r.Span = 600
			r.Sample = func(rng *rand.Rand) (string, string) {
				s := randString(rng, b64, 40)
				return awsID(rng) + "," + s, s
			}
			r.True = []string{"{S}", "key_id: {S}"}
			r.False = []string{"AKIAIOSFODNN7EXAMPLE,wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY", "AKIAABCDEFGHIJKLMNOP " + strings.Repeat("abcd", 10)} // tollgate:allow (test value)
			r.Allow = []string{`EXAMPLE`}
		}),
		tokenRule("aws-bedrock-api-key", "AWS", "Amazon Bedrock long-term API key", "ABSK", b64, 120, 260, crit),
		patRule("gcp-api-key", "Google Cloud", "Google API key (Maps, Firebase, Gemini)", []string{"aiza"},
			leftGuard+`(?P<secret>AIza[0-9A-Za-z_\-]{35})`+rightGuard(`0-9A-Za-z_\-`), high, vhigh,
			l("AIza"), x(b64url, 35)),
		with(patRule("gcp-service-account", "Google Cloud", "Google Cloud service-account key file", []string{"service_account"},
			`"type"\s*:\s*"service_account"[\s\S]{0,1000}?"private_key"\s*:\s*"(?P<secret>-----BEGIN PRIVATE KEY-----[A-Za-z0-9+/=\\\s]{64,}-----END PRIVATE KEY-----(?:\\n)?)"`, crit, vhigh), func(r *Rule) {
			r.Span = 8000
			r.Entropy = 4
			r.Sample = func(rng *rand.Rand) (string, string) {
				key := "-----BEGIN PRIVATE KEY-----\\n" + pemBody(rng, `\n`) + "-----END PRIVATE KEY-----\\n"
				text := `{"type": "service_account", "project_id": "demo-project", "private_key_id": "` + randString(rng, hexLower, 40) +
					`", "private_key": "` + key + `", "client_email": "bot@demo-project.iam.gserviceaccount.com"}`
				return text, key
			}
			r.True = []string{"{S}"}
			r.False = []string{`{"type": "service_account", "private_key": "-----BEGIN PRIVATE KEY-----\n...\n-----END PRIVATE KEY-----\n"}`}
		}),
		tokenRule("gcp-oauth-client-secret", "Google Cloud", "Google OAuth client secret", "GOCSPX-", b64url, 28, 28, high),
		with(tokenRule("google-oauth-access-token", "Google", "Google OAuth access token", "ya29.", b64url, 60, 160, high),
			func(r *Rule) { r.Precision = phigh }),
		patRule("firebase-fcm-server-key", "Google Cloud", "Firebase Cloud Messaging legacy server key", []string{"aaaa"},
			leftGuard+`(?P<secret>AAAA[0-9A-Za-z_\-]{7}:[0-9A-Za-z_\-]{140})`+rightGuard(`0-9A-Za-z_\-`), high, vhigh,
			l("AAAA"), x(b64url, 7), l(":"), x(b64url, 140)),
		with(patRule("azure-storage-account-key", "Microsoft Azure", "Azure storage account key in a connection string", []string{"accountkey"},
			`(?i:AccountKey)\s*=\s*(?P<secret>[A-Za-z0-9+/]{86}==)`, crit, vhigh,
			c("DefaultEndpointsProtocol=https;AccountName=demo;AccountKey="), x(b64, 86), l("=="), c(";EndpointSuffix=core.windows.net")), func(r *Rule) { r.Entropy = 4 }),
		patRule("azure-ad-client-secret", "Microsoft Azure", "Microsoft Entra ID (Azure AD) client secret", []string{"q~"},
			`(?:^|[^0-9A-Za-z_~.\-])(?P<secret>[0-9A-Za-z_~.]{3}[0-9]Q~[0-9A-Za-z_~.\-]{31,34})`+rightGuard(`0-9A-Za-z_~.\-`), crit, vhigh,
			x(alnum, 3), x("0123456789", 1), l("Q~"), x(alnum, 34)),
		patRule("azure-sas-token", "Microsoft Azure", "Azure shared access signature", []string{"sig="},
			`sv=20\d\d-\d\d-\d\d&[^\s"'<>]{0,300}?sig=(?P<secret>[A-Za-z0-9%+/=]{40,})`, high, vhigh,
			c("https://demo.blob.core.windows.net/c?sv=2022-11-02&ss=b&srt=co&sp=rl&se=2030-01-01T00:00:00Z&sig="), x(alnum, 44), l("%3D")),
		patRule("azure-service-bus-key", "Microsoft Azure", "Azure Service Bus / Event Hubs shared access key", []string{"sharedaccesskey="},
			`SharedAccessKey=(?P<secret>[A-Za-z0-9+/]{43}=)`, crit, vhigh,
			c("Endpoint=sb://demo.servicebus.windows.net/;SharedAccessKeyName=RootManageSharedAccessKey;SharedAccessKey="), x(b64, 43), l("=")),
		patRule("azure-app-config-secret", "Microsoft Azure", "Azure App Configuration connection string secret", []string{"azconfig.io"},
			`azconfig\.io;Id=[^;\s]{1,64};Secret=(?P<secret>[A-Za-z0-9+/]{43}=)`, high, vhigh,
			c("Endpoint=https://demo.azconfig.io;Id=Ab12-l0-s0:AbCdEfGh;Secret="), x(b64, 43), l("=")),
		keyedRule("azure-devops-pat", "Microsoft Azure", "Azure DevOps personal access token", []string{"azure_devops", "azdo", "ado_pat", "system_accesstoken", "azure-devops"}, "abcdefghijklmnopqrstuvwxyz234567", 52, 52, crit),
		caskKey("azure-devops-pat-v2", "Azure DevOps personal access token (84-character format)", "AZDO", crit),
		caskKey("azure-ai-services-key", "Azure AI services (Cognitive Services, Azure OpenAI) key (84-character format)", "ACOG", high),
		azureKey("azure-function-key", "Azure Functions access key", "AzFu", b64url, 44, 5, "[AQgw]==", high),
		azureKey("azure-cosmosdb-key", "Azure Cosmos DB access key", "ACDb", b64, 76, 5, "[AQgw]==", crit),
		azureKey("azure-storage-identifiable-key", "Azure storage account access key (identifiable format)", "+ASt", b64, 76, 5, "[AQgw]==", crit),
		azureKey("azure-batch-key", "Azure Batch access key", "+ABa", b64, 76, 5, "[AQgw]==", high),
		azureKey("azure-apim-key", "Azure API Management key", "APIM", b64, 76, 5, "[AQgw]==", high),
		azureKey("azure-search-key", "Azure AI Search (Cognitive Search) key", "AzSe", alnum, 42, 0, "[A-D][0-9A-Za-z]{5}", high),
		azureKey("azure-container-registry-key", "Azure Container Registry access key", "+ACR", b64, 42, 0, "[A-D][0-9A-Za-z+/]{5}", high),
		azureKey("azure-cache-redis-key", "Azure Cache for Redis access key", "AzCa", b64, 33, 0, "[A-P][0-9A-Za-z+/]{5}=", high),
		azureKey("azure-event-hub-key", "Azure Event Hubs access key (identifiable format)", "+AEh", b64, 33, 0, "[A-P][0-9A-Za-z+/]{5}=", high),
		azureKey("azure-service-bus-identifiable-key", "Azure Service Bus access key (identifiable format)", "+ASb", b64, 33, 0, "[A-P][0-9A-Za-z+/]{5}=", high),
		azureKey("azure-relay-key", "Azure Relay access key", "+ARm", b64, 33, 0, "[A-P][0-9A-Za-z+/]{5}=", high),
		azureKey("azure-iot-key", "Azure IoT Hub / device access key", "AIoT", b64, 33, 0, "[A-P][0-9A-Za-z+/]{5}=", high),
		azureKey("azure-event-grid-key", "Azure Event Grid access key", "AZEG", b64, 33, 0, "[A-P][0-9A-Za-z+/]{5}=", high),
		// Function keys of the older format (base64url, "==") where Azure
		// Functions takes them: the x-functions-key header, ?code= on a
		// *.azurewebsites.net/api/ URL, or a name saying function key.
		// Source: Azure Functions docs ("Work with access keys").
		with(patRule("azure-function-key-legacy", "Microsoft Azure", "Azure Functions access key (older format)", []string{"x-functions-key", "functionkey", "function_key", "functions_key", "azurewebsites.net/api/"},
			`(?i:x-functions-key|functions?[_\-]?key|azurewebsites\.net/api/[^\s"'?]{0,100}\?(?:[^\s"']{0,100}&)?code=)["']?\s{0,3}[:=]?\s{0,3}["']?(?P<secret>[0-9A-Za-z_\-/+]{40,60}={0,2})`+rightGuard(`0-9A-Za-z_\-/+=`), high, phigh,
			c(`"x-functions-key": "`), x(b64url, 54), l("=="), c(`"`)), func(r *Rule) {
			r.Entropy = 4
			r.True = append(r.True, `curl "https://acme-fn.azurewebsites.net/api/HttpTrigger?code={V}"`, `FUNCTION_KEY={V}`)
		}),
		// Cosmos DB keys of the older format (86 base64 and "==") in JSON
		// settings or connection strings next to a documents.azure.com host.
		// Source: Azure Cosmos DB docs ("Secure access to data": primary keys)
		// and microsoft/security-utilities SEC101/104.
		with(patRule("azure-cosmosdb-legacy-key", "Microsoft Azure", "Azure Cosmos DB access key (legacy format)", []string{"cosmos", "documents.azure.com"},
			`(?i:cosmos[\w.\-]{0,30}(?:key|secret)["']?\s{0,3}[:=]|documents\.azure\.com[^\n]{0,200}?(?:key|secret)["']?\s{0,3}[:=]|documents\.azure\.com[^\n]{0,200}?AccountKey=)\s{0,3}["']?(?P<secret>[A-Za-z0-9+/]{86}==)`, crit, vhigh,
			c(`"CosmosDbKey": "`), x(b64, 86), l("=="), c(`"`)), func(r *Rule) {
			r.Entropy = 4
			r.True = append(r.True, `{"CosmosDb": {"Endpoint": "https://acme.documents.azure.com:443/", "PrimaryKey": "{V}"}}`,
				`AccountEndpoint=https://acme.documents.azure.com:443/;AccountKey={V};`)
		}),
		tokenRule("alibaba-access-key-id", "Alibaba Cloud", "Alibaba Cloud AccessKey id", "LTAI", alnum, 20, 20, high),
		keyedRule("alibaba-secret-key", "Alibaba Cloud", "Alibaba Cloud AccessKey secret", []string{"alibaba", "aliyun", "accesskeysecret"}, alnum, 30, 30, crit),
		tokenRule("tencent-secret-id", "Tencent Cloud", "Tencent Cloud SecretId", "AKID", alnum, 32, 32, high),
		tokenRule("yandex-api-key", "Yandex Cloud", "Yandex Cloud API key", "AQVN", b64url, 35, 38, high),
		patRule("yandex-iam-token", "Yandex Cloud", "Yandex Cloud IAM token", []string{"t1."},
			leftGuard+`(?P<secret>t1\.[0-9A-Za-z_\-]{20,}={0,2}\.[0-9A-Za-z_\-]{86}={0,2})`, high, vhigh,
			l("t1."), x(b64url, 40), l("."), x(b64url, 86)),
		patRule("yandex-access-token", "Yandex Cloud", "Yandex Cloud static access key", []string{"ycaj", "ycak", "ycam"},
			leftGuard+`(?P<secret>YC[0-9A-Za-z_\-]{38})`+rightGuard(`0-9A-Za-z_\-`), high, phigh,
			l("YCAJ"), x(b64url, 36)),
		tokenRule("digitalocean-pat", "DigitalOcean", "DigitalOcean personal access token", "dop_v1_", hexLower, 64, 64, crit),
		tokenRule("digitalocean-oauth-token", "DigitalOcean", "DigitalOcean OAuth token", "doo_v1_", hexLower, 64, 64, high),
		tokenRule("digitalocean-refresh-token", "DigitalOcean", "DigitalOcean refresh token", "dor_v1_", hexLower, 64, 64, high),
		patRule("cloudflare-origin-ca-key", "Cloudflare", "Cloudflare Origin CA key", []string{"v1.0-"},
			leftGuard+`(?P<secret>v1\.0-[0-9a-f]{24}-[0-9a-f]{146})`+rightGuard(`0-9a-f`), high, vhigh,
			l("v1.0-"), x(hexLower, 24), l("-"), x(hexLower, 146)),
		keyedRule("cloudflare-api-token", "Cloudflare", "Cloudflare API token", []string{"cloudflare", "cf_api_token", "cf_token"}, b64url, 40, 40, high),
		keyedRule("cloudflare-global-api-key", "Cloudflare", "Cloudflare global API key", []string{"cloudflare_api_key", "cf_api_key", "x-auth-key"}, hexLower, 37, 37, crit),
		keyedRule("fastly-api-token", "Fastly", "Fastly API token", []string{"fastly"}, b64url, 32, 32, high),
		patRule("akamai-client-token", "Akamai", "Akamai EdgeGrid client token", []string{"akab-"},
			leftGuard+`(?P<secret>akab-[0-9a-z]{16}-[0-9a-z]{16})`+rightGuard(`0-9a-z\-`), high, vhigh,
			l("akab-"), x(lowerNum, 16), l("-"), x(lowerNum, 16)),
		keyedRule("linode-token", "Akamai", "Linode personal access token", []string{"linode"}, hexLower, 64, 64, high),
		keyedRule("vultr-api-key", "Vultr", "Vultr API key", []string{"vultr"}, upperNum, 36, 36, high),
		keyedRule("hetzner-api-token", "Hetzner", "Hetzner Cloud API token", []string{"hetzner", "hcloud"}, alnum, 64, 64, high),
		tokenRule("scaleway-access-key", "Scaleway", "Scaleway access key", "SCW", upperNum, 17, 17, med),
		keyedRule("ibm-cloud-api-key", "IBM Cloud", "IBM Cloud API key", []string{"ibm_cloud", "ibmcloud", "ic_api_key"}, b64url, 44, 44, high),
		tokenRule("heroku-api-key", "Heroku", "Heroku API key (new format)", "HRKU-AA", b64url, 58, 58, high),
		keyedRule("heroku-api-key-legacy", "Heroku", "Heroku API key (UUID format)", []string{"heroku"}, hexLower+"-", 36, 36, high),
		tokenRule("fly-io-token", "Fly.io", "Fly.io access token", "fo1_", b64url, 43, 43, high),
		tokenRule("fly-io-macaroon", "Fly.io", "Fly.io macaroon token", "fm2_", b64, 100, 160, high),
		// fm1a_ (auth) and fm1r_ (refresh) macaroons: long base64 bodies.
		// Source: flyctl's token handling (github.com/superfly/macaroon) and
		// tokens printed by "fly tokens create".
		with(tokenRule("fly-io-macaroon-v1", "Fly.io", "Fly.io macaroon token (fm1 format)", "fm1a_", b64, 100, 1000, high), func(r *Rule) {
			r.Keywords = []string{"fm1a_", "fm1r_"}
			r.Pattern = leftGuard + `(?P<secret>fm1[ar]_[0-9A-Za-z+/]{100,1000}[0-9A-Za-z+/]{0,1000}={0,3})` + rightGuard(`0-9A-Za-z+/=`)
			r.Sample = shapeSample([]part{l("fm1r_"), x(b64, 240), l("==")})
			r.True = append(r.True, `FLY_API_TOKEN="FlyV1 {V}"`)
			r.False = r.False[:1]
		}),
		// OpenShift OAuth access tokens: sha256~ and 43 base64url characters.
		// Source: OpenShift docs, "Understanding authentication" (OAuth tokens).
		patRule("openshift-token", "Red Hat", "OpenShift OAuth access token", []string{"sha256~"},
			leftGuard+`(?P<secret>sha256~[0-9A-Za-z_\-]{43})`+rightGuard(`0-9A-Za-z_\-`), high, vhigh,
			l("sha256~"), x(b64url, 43)),
		tokenRule("render-api-key", "Render", "Render API key", "rnd_", alnum, 32, 32, high),
		keyedRule("vercel-token", "Vercel", "Vercel access token", []string{"vercel"}, alnum, 24, 24, high),
		keyedRule("netlify-token", "Netlify", "Netlify access token", []string{"netlify"}, b64url, 43, 46, high),
		keyedRule("railway-token", "Railway", "Railway API token", []string{"railway"}, hexLower+"-", 36, 36, high),
		tokenRule("supabase-management-token", "Supabase", "Supabase management API token", "sbp_", hexLower, 40, 40, high),
		tokenRule("supabase-secret-key", "Supabase", "Supabase secret API key", "sb_secret_", b64url, 31, 31, high),
		tokenRule("neon-api-key", "Neon", "Neon API key", "napi_", lowerNum, 64, 64, high),
		tokenRule("planetscale-token", "PlanetScale", "PlanetScale service token", "pscale_tkn_", b64url, 43, 43, high),
		tokenRule("planetscale-oauth-token", "PlanetScale", "PlanetScale OAuth token", "pscale_oauth_", b64url, 43, 43, high),
		tokenRule("planetscale-password", "PlanetScale", "PlanetScale database password", "pscale_pw_", b64url, 43, 43, crit),
		keyedRule("upstash-token", "Upstash", "Upstash REST token", []string{"upstash"}, b64url, 60, 90, high),
		keyedRule("mongodb-atlas-private-key", "MongoDB", "MongoDB Atlas API private key", []string{"atlas_private_key", "mongodb_atlas", "atlas_api_private"}, hexLower+"-", 36, 36, high),
	}
}
