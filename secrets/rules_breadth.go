package secrets

import (
	"encoding/base64"
	"math/rand/v2"

	"github.com/tollgate-dev/tollgate/scanner"
)

// plow is the precision of rules whose format no provider document confirms.
const plow = scanner.PrecisionLow

// unconfirmed marks a rule whose format comes from issued tokens and other
// scanners' detectors rather than the provider's own documentation: low
// precision, and at most medium severity, until the format is confirmed.
func unconfirmed(r Rule) Rule {
	r.Precision = plow
	if scanner.SeverityRank(r.Severity) > scanner.SeverityRank(med) {
		r.Severity = med
	}
	return r
}

// precise sets a keyed rule's precision (keyed rules default to high).
func precise(r Rule, prec string) Rule {
	r.Precision = prec
	return r
}

// breadthRules: providers whose credentials trufflehog detects and that
// leak in published packages and CI configuration. Each says where its
// format comes from.
func breadthRules() []Rule {
	uuid := []part{x(hexLower, 8), l("-"), x(hexLower, 4), l("-"), x(hexLower, 4), l("-"), x(hexLower, 4), l("-"), x(hexLower, 12)}
	return []Rule{
		// AI providers.
		// DeepSeek keys are "sk-" and 32 hex digits (platform.deepseek.com,
		// API keys page); "sk-" alone is shared with others, so a DeepSeek
		// name must be near.
		with(patRule("deepseek-api-key", "DeepSeek", "DeepSeek API key", []string{"deepseek"},
			`(?i:deepseek)[^\n]{0,40}?[^0-9A-Za-z_\-](?P<secret>sk-[0-9a-f]{32})`+rightGuard(`0-9A-Za-z`), high, phigh,
			c("DEEPSEEK_API_KEY="), l("sk-"), x(hexLower, 32)), func(r *Rule) {
			r.True = append(r.True, `client = OpenAI(api_key="{V}", base_url="https://api.deepseek.com")`)
			r.Entropy = 2.9
			r.Keywords = append(r.Keywords, "api.deepseek.com")
			r.Pattern = `(?:(?i:deepseek)[^\n]{0,40}?[^0-9A-Za-z_\-]|api_key=["'])(?P<secret>sk-[0-9a-f]{32})` + rightGuard(`0-9A-Za-z`)
		}),
		// Clarifai personal access tokens: 32 hex digits, as tokens in
		// Clarifai's published examples show; not confirmed by a format
		// specification.
		unconfirmed(keyedRule("clarifai-pat", "Clarifai", "Clarifai personal access token", []string{"clarifai"}, hexLower, 32, 32, high)),
		// Eden AI keys are JWTs (the jwt rule finds them anywhere); next to an
		// Eden AI name they are this provider's.
		(with(patRule("edenai-api-key", "Eden AI", "Eden AI API key", []string{"edenai", "eden_ai"},
			`(?i:eden[_\-]?ai)[\w.\-]{0,30}["']?\s{0,3}(?::=|=>|=|:)\s{0,3}["']?(?:Bearer\s+)?(?P<secret>eyJ[0-9A-Za-z_\-]{10,}\.eyJ[0-9A-Za-z_\-]{10,}\.[0-9A-Za-z_\-]{20,})`, high, phigh),
			func(r *Rule) {
				r.Validate = jwtLooksReal
				r.Sample = func(rng *rand.Rand) (string, string) { s, _ := jwtSample(rng); return "EDENAI_API_KEY=" + s, s }
				r.True = []string{"{S}"}
				r.False = []string{"EDENAI_API_KEY=eyJhbGciOi.eyJzdWIiOi.sig"}
			})),
		// Cloud.
		// Google OAuth refresh tokens (application-default credentials,
		// gcloud's authorized_user files): "1//" and base64url. Source:
		// Google Identity docs (OAuth 2.0 refresh tokens) and ADC files as
		// gcloud auth application-default login writes them.
		with(patRule("gcp-refresh-token", "Google Cloud", "Google OAuth refresh token (application-default credentials)", []string{"1//0"},
			leftGuard+`(?P<secret>1//0[0-9A-Za-z_\-]{60,300})`+rightGuard(`0-9A-Za-z_\-`), high, phigh,
			l("1//0"), x(b64url, 99)), func(r *Rule) {
			r.Entropy = 4
			r.True = append(r.True, `{"client_id": "1234567890-abc.apps.googleusercontent.com", "refresh_token": "{V}", "type": "authorized_user"}`)
		}),
		// Deno Deploy access tokens: ddp_ (personal) and ddo_ (organization)
		// and 36 alphanumerics. Source: Deno Deploy docs ("Access tokens"),
		// tokens as issued.
		with(tokenRule("deno-deploy-token", "Deno", "Deno Deploy access token", "ddp_", alnum, 36, 36, high), func(r *Rule) {
			r.Keywords = []string{"ddp_", "ddo_"}
			r.Pattern = leftGuard + `(?P<secret>dd[po]_[0-9A-Za-z]{36})` + rightGuard(`0-9A-Za-z`)
			r.Precision = phigh
		}),
		// Portainer API access tokens: ptr_ and 44 base64 characters.
		// Source: Portainer docs ("Access tokens"); length from issued tokens.
		with(tokenRule("portainer-token", "Portainer", "Portainer API access token", "ptr_", b64, 44, 44, high), func(r *Rule) { r.Precision = pmed }),
		// The rules marked unconfirmed below take their length and alphabet
		// from issued keys and other scanners' detectors (trufflehog's
		// detector of the same provider), not from a provider document; they
		// need the provider's name next to the value.
		unconfirmed(keyedRule("godaddy-api-secret", "GoDaddy", "GoDaddy API secret", []string{"godaddy"}, alnum, 22, 22, high)),
		unconfirmed(keyedRule("wiz-client-secret", "Wiz", "Wiz service account client secret", []string{"wiz_client_secret", "wiz_secret"}, alnum, 64, 64, high)),
		// Databases.
		// Aiven service passwords: AVNS_ and base64url. Source: Aiven docs
		// (service credentials as shown in the console); length varies.
		with(tokenRule("aiven-service-password", "Aiven", "Aiven service password", "AVNS_", b64url, 19, 40, high), func(r *Rule) { r.Precision = pmed }),
		// Aiven API tokens: long base64 as the console issues them; unconfirmed.
		unconfirmed(keyedRule("aiven-api-token", "Aiven", "Aiven API token", []string{"aiven"}, b64, 372, 372, high)),
		// Hasura admin secrets are chosen by the user: only strong values next
		// to the header or variable Hasura reads. Source: Hasura docs
		// (HASURA_GRAPHQL_ADMIN_SECRET, x-hasura-admin-secret).
		precise(keyedRule("hasura-admin-secret", "Hasura", "Hasura GraphQL admin secret", []string{"hasura_graphql_admin_secret", "x-hasura-admin-secret"}, b64url, 24, 64, crit), pmed),
		// Snowflake: programmatic access tokens are JWT-like; passwords in
		// connection settings next to a Snowflake name.
		unconfirmed(keyedRule("snowflake-password", "Snowflake", "Snowflake password or token", []string{"snowflake_password", "snowflake_token", "snowsql_pwd"}, b64url, 16, 64, high)),
		// CI/CD.
		// Vault tokens before 1.10: "s." and 24 alphanumerics, next to a
		// Vault name. Source: HashiCorp Vault docs ("Tokens": token prefixes).
		with(patRule("hashicorp-vault-legacy-token", "HashiCorp", "HashiCorp Vault token (pre-1.10 format)", []string{"vault"},
			`(?i:vault)[\w.\-]{0,30}["']?\s{0,3}(?::=|=>|=|:|\s)\s{0,3}(?:login\s+)?["']?(?P<secret>s\.[0-9A-Za-z]{24})`+rightGuard(`0-9A-Za-z`), high, phigh,
			c("VAULT_TOKEN="), l("s."), x(alnum, 24)), func(r *Rule) {
			r.True = append(r.True, "vault login {V}", `VAULT_TOKEN="{V}" vault kv get secret/app`)
		}),
		unconfirmed(keyedRule("semaphore-ci-token", "Semaphore", "Semaphore CI API token", []string{"semaphore_api_token", "sem_token"}, lowerNum, 20, 20, high)),
		unconfirmed(keyedRule("codemagic-token", "Codemagic", "Codemagic API token", []string{"codemagic"}, b64url, 43, 43, high)),
		unconfirmed(keyedRule("scalr-token", "Scalr", "Scalr API token", []string{"scalr"}, b64url, 136, 136, high)),
		// Package registries: Cloudsmith API keys (40 hex) and Packagecloud
		// tokens (48 hex) as their web consoles issue them; unconfirmed.
		unconfirmed(keyedRule("cloudsmith-api-key", "Cloudsmith", "Cloudsmith API key", []string{"cloudsmith"}, hexLower, 40, 40, high)),
		unconfirmed(keyedRule("packagecloud-token", "Packagecloud", "Packagecloud API token", []string{"packagecloud"}, hexLower, 48, 48, high)),
		// Payments and crypto exchanges.
		// Kraken API private keys: base64 of 64 bytes. Source: Kraken REST
		// API docs ("Authentication": API-Sign, base64-decoded secret).
		with(precise(keyedRule("kraken-private-key", "Kraken", "Kraken API private key", []string{"kraken"}, b64, 86, 86, crit), pmed), func(r *Rule) {
			r.Pattern = keyedPrefix([]string{"kraken"}) + `["'` + "`" + `]?(?P<secret>[A-Za-z0-9+/]{86}==)` + rightGuard(`0-9A-Za-z+/=`)
			r.Sample = shapeSample([]part{c(`KRAKEN_PRIVATE_KEY = "`), x(b64, 86), l("=="), c(`"`)})
			r.True = []string{"{S}", `"kraken_secret": "{V}"`}
		}),
		// KuCoin API secrets are UUIDs as issued; unconfirmed.
		unconfirmed(with(patRule("kucoin-api-secret", "KuCoin", "KuCoin API secret", []string{"kucoin"},
			`(?i:kucoin)[\w.\-]{0,30}(?i:secret)[\w.\-]{0,10}["']?\s{0,3}(?::=|=>|=|:)\s{0,3}["']?(?P<secret>[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})`, high, pmed,
			append([]part{c("KUCOIN_API_SECRET=")}, uuid...)...), func(r *Rule) { r.Entropy = 2.9 })),
		// Binance API secrets: 64 alphanumerics as issued; unconfirmed.
		unconfirmed(keyedRule("binance-api-secret", "Binance", "Binance API secret", []string{"binance"}, alnum, 64, 64, crit)),
		// Messaging. Mandrill keys (22 characters), Sinch and RingCentral
		// secrets: lengths as issued; unconfirmed.
		unconfirmed(keyedRule("mandrill-api-key", "Mailchimp", "Mandrill (Mailchimp Transactional) API key", []string{"mandrill"}, b64url, 22, 22, high)),
		unconfirmed(keyedRule("sinch-api-secret", "Sinch", "Sinch API secret", []string{"sinch"}, b64url, 30, 30, high)),
		unconfirmed(keyedRule("ringcentral-client-secret", "RingCentral", "RingCentral client secret", []string{"ringcentral"}, b64url, 22, 22, high)),
		// Webex bot and integration tokens: 64 alphanumerics, "_", a
		// four-character realm code, "_" and the organization's UUID.
		// Source: tokens as issued by developer.webex.com.
		unconfirmed(patRule("webex-token", "Cisco", "Webex access token", []string{"webex"},
			`(?i:webex)[^\n]{0,40}?(?P<secret>[0-9A-Za-z]{64}_[0-9A-Z]{4}_[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})`, high, phigh,
			append([]part{c("WEBEX_TOKEN="), x(alnum, 64), l("_PF84_")}, uuid...)...)),
		// Zulip API keys: 32 alphanumerics (zulip.com/api/api-keys).
		precise(keyedRule("zulip-api-key", "Zulip", "Zulip API key", []string{"zulip"}, alnum, 32, 32, high), pmed),
		// LINE Messaging API: channel secrets are 32 hex digits (LINE
		// Developers console, "Channel secret"); long-lived channel access
		// tokens are long base64, their length unconfirmed.
		precise(keyedRule("line-channel-secret", "LINE", "LINE Messaging API channel secret", []string{"line_channel_secret", "channel_secret"}, hexLower, 32, 32, high), pmed),
		unconfirmed(keyedRule("line-channel-access-token", "LINE", "LINE Messaging API channel access token", []string{"line_channel_access_token", "line_access_token"}, b64, 160, 180, high)),
		unconfirmed(keyedRule("lark-app-secret", "Lark", "Lark / Feishu app secret", []string{"lark_app_secret", "feishu_app_secret", "lark_secret", "feishu_secret"}, alnum, 32, 32, high)),
		// Pusher Channels app secrets: 20 hex digits (pusher.com docs, "App keys").
		precise(keyedRule("pusher-secret", "Pusher", "Pusher Channels app secret", []string{"pusher"}, hexLower, 20, 20, high), pmed),
		// OneSignal REST API keys (2024 format): os_v2_app_ and base32.
		// Source: OneSignal docs ("Keys & IDs").
		with(tokenRule("onesignal-api-key", "OneSignal", "OneSignal REST API key", "os_v2_app_", "abcdefghijklmnopqrstuvwxyz234567", 100, 120, high), func(r *Rule) { r.Precision = phigh }),
		// MessageBird (Bird) access keys: 25 alphanumerics as issued; unconfirmed.
		unconfirmed(keyedRule("messagebird-api-key", "MessageBird", "MessageBird (Bird) API key", []string{"messagebird"}, alnum, 25, 25, high)),
		// Identity.
		// Duo secret keys are 40 characters (Duo docs, "Protecting
		// Applications": integration key, secret key, API hostname).
		with(precise(keyedRule("duo-secret-key", "Cisco", "Duo API secret key", []string{"duo_skey", "duo_secret", "duo_secret_key", "skey"}, alnum, 40, 40, crit), pmed), func(r *Rule) {
			r.True = append(r.True, "[duo]\nikey = DIWZ3H9X2M7K4P8R6T1V\nskey = {V}\nhost = api-1234abcd.duosecurity.com")
		}),
		// JumpCloud API keys (40 hex) and OneLogin client secrets (64 hex) as
		// their consoles issue them; unconfirmed.
		unconfirmed(keyedRule("jumpcloud-api-key", "JumpCloud", "JumpCloud API key", []string{"jumpcloud"}, hexLower, 40, 40, crit)),
		unconfirmed(keyedRule("onelogin-client-secret", "OneLogin", "OneLogin API client secret", []string{"onelogin"}, hexLower, 64, 64, high)),
		// Salesforce session / access tokens: the 15-character org id (00D…),
		// "!" and the session part. Source: Salesforce docs ("Session ID" as
		// sf org display prints it).
		with(patRule("salesforce-access-token", "Salesforce", "Salesforce access token (session id)", []string{"00d"},
			leftGuard+`(?P<secret>00D[0-9A-Za-z]{12}![0-9A-Za-z._]{96})`+rightGuard(`0-9A-Za-z._`), crit, phigh,
			l("00D"), x(alnum, 12), l("!"), x(alnum, 96)), func(r *Rule) { r.Entropy = 4 }),
		// Bitbucket OAuth consumer secrets: 32 alphanumerics as issued; unconfirmed.
		unconfirmed(keyedRule("bitbucket-oauth-secret", "Atlassian", "Bitbucket OAuth consumer secret", []string{"bitbucket"}, alnum, 32, 32, high)),
		// JFrog identity tokens as "jf config add --access-token" and
		// Artifactory clients take them: reference tokens are found anywhere
		// (jfrog-reference-token); 64-character keys only next to a JFrog name.
		unconfirmed(keyedRule("jfrog-identity-token", "JFrog", "JFrog identity / access token", []string{"jfrog", "artifactory"}, alnum, 64, 64, high)),
		// ClickHouse Cloud API key secrets: 4b1d and 38 alphanumerics.
		// Source: ClickHouse Cloud docs ("Managing API keys"), keys as issued.
		with(tokenRule("clickhouse-cloud-secret", "ClickHouse", "ClickHouse Cloud API key secret", "4b1d", alnum, 38, 38, high), func(r *Rule) { r.Precision = phigh }),
		// Amazon Bedrock short-term API keys: "bedrock-api-key-" and the
		// base64 of a presigned bedrock.amazonaws.com URL. Source: AWS docs,
		// "Amazon Bedrock API keys" (short-term keys).
		with(patRule("aws-bedrock-short-term-key", "AWS", "Amazon Bedrock short-term API key", []string{"bedrock-api-key-"},
			leftGuard+`(?P<secret>bedrock-api-key-YmVkcm9jay5hbWF6b25hd3MuY29t[0-9A-Za-z+/]{100,1000}={0,2})`+rightGuard(`0-9A-Za-z+/=`), high, vhigh), func(r *Rule) {
			r.Sample = func(rng *rand.Rand) (string, string) {
				u := "bedrock.amazonaws.com/?Action=CallWithBearerToken&X-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Credential=ASIA" + randString(rng, awsKeyIDSet, 16) +
					"%2F20250801%2Fus-east-1%2Fbedrock%2Faws4_request&X-Amz-Date=20250801T000000Z&X-Amz-Expires=43200&X-Amz-Security-Token=" + randString(rng, alnum, 120) +
					"&X-Amz-Signature=" + randString(rng, hexLower, 64) + "&Version=1"
				s := "bedrock-api-key-" + base64.StdEncoding.EncodeToString([]byte(u))
				return s, s
			}
			r.False = []string{`AWS_BEARER_TOKEN_BEDROCK=bedrock-api-key-YmVkcm9jay5hbWF6b25hd3MuY29t`}
		}),
	}
}
