package secrets

import (
	"math/rand/v2"
	"strings"
)

// messagingRules: chat, e-mail and SMS providers, bots and webhooks.
func messagingRules() []Rule {
	slack := func(id, desc, prefix string) Rule {
		return with(patRule(id, "Slack", desc, []string{prefix},
			leftGuard+`(?P<secret>`+prefix+`\d{10,13}-\d{10,13}(?:-[0-9A-Za-z]{10,13})?-[0-9a-f]{32}|`+prefix+`\d{10,13}-\d{10,13}-[0-9A-Za-z]{24})`+rightGuard(`0-9A-Za-z\-`), crit, vhigh,
			l(prefix), x("0123456789", 12), l("-"), x("0123456789", 13), l("-"), x(alnum, 24)), func(r *Rule) { r.Verifier = "slack" })
	}
	return []Rule{
		slack("slack-bot-token", "Slack bot token", "xoxb-"),
		slack("slack-user-token", "Slack user token", "xoxp-"),
		slack("slack-workspace-token", "Slack workspace access token", "xoxa-"),
		slack("slack-refresh-token", "Slack refresh token", "xoxr-"),
		// Configuration tokens' refresh tokens: xoxe-1- and 146 upper-case
		// alphanumerics. Source: Slack docs, "Configuration tokens" (api.slack.com/authentication/config-tokens).
		patRule("slack-config-refresh-token", "Slack", "Slack configuration refresh token", []string{"xoxe-"},
			leftGuard+`(?P<secret>xoxe-\d-[0-9A-Z]{140,150})`+rightGuard(`0-9A-Za-z`), crit, vhigh,
			l("xoxe-1-"), x(upperNum, 146)),
		// Legacy tokens: xoxs- (session) and xoxo-, and workspace tokens with
		// a version, xoxa-2-, as numeric ids and a hex secret. Source: Slack
		// docs, "Token types" (legacy tokens), and tokens published in old
		// integrations.
		patRule("slack-legacy-token", "Slack", "Slack legacy or workspace token", []string{"xoxs-", "xoxo-", "xoxa-2-"},
			leftGuard+`(?P<secret>xox[aos]-(?:2-)?\d{6,13}-\d{6,13}-\d{6,13}-[0-9a-f]{10,64})`+rightGuard(`0-9A-Za-z`), crit, vhigh,
			l("xoxs-"), x("0123456789", 11), l("-"), x("0123456789", 11), l("-"), x("0123456789", 12), l("-"), x(hexLower, 64)),
		patRule("slack-app-token", "Slack", "Slack app-level token", []string{"xapp-"},
			leftGuard+`(?P<secret>xapp-\d-[A-Z0-9]{9,12}-\d{10,13}-[0-9a-f]{64})`+rightGuard(`0-9a-f`), crit, vhigh,
			l("xapp-1-"), x(upperNum, 11), l("-"), x("0123456789", 13), l("-"), x(hexLower, 64)),
		patRule("slack-config-token", "Slack", "Slack configuration access token", []string{"xoxe.xox"},
			leftGuard+`(?P<secret>xoxe\.xox[bp]-\d-[0-9A-Za-z]{163,166})`+rightGuard(`0-9A-Za-z`), crit, vhigh,
			l("xoxe.xoxp-1-"), x(alnum, 166)),
		patRule("slack-webhook-url", "Slack", "Slack incoming webhook URL", []string{"hooks.slack.com"},
			`(?P<secret>hooks\.slack\.com/services/T[0-9A-Z]{8,12}/B[0-9A-Z]{8,12}/[0-9A-Za-z]{24})`+rightGuard(`0-9A-Za-z`), high, vhigh,
			c("https://"), l("hooks.slack.com/services/T"), x(upperNum, 10), l("/B"), x(upperNum, 10), l("/"), x(alnum, 24)),
		patRule("slack-workflow-webhook", "Slack", "Slack workflow webhook URL", []string{"hooks.slack.com"},
			`(?P<secret>hooks\.slack\.com/(?:triggers|workflows)/T[0-9A-Z]{8,12}/\d{11,13}/[0-9a-f]{32})`+rightGuard(`0-9A-Za-z`), high, vhigh,
			c("https://"), l("hooks.slack.com/triggers/T"), x(upperNum, 10), l("/"), x("0123456789", 12), l("/"), x(hexLower, 32)),
		patRule("discord-bot-token", "Discord", "Discord bot token", []string{"discord", "bot_token"},
			`(?:^|[^0-9A-Za-z_\-])(?P<secret>[MNO][0-9A-Za-z_\-]{23,25}\.[0-9A-Za-z_\-]{6}\.[0-9A-Za-z_\-]{27,38})`+rightGuard(`0-9A-Za-z_\-`), high, phigh,
			c("DISCORD_TOKEN="), l("M"), x(b64url, 25), l("."), x(b64url, 6), l("."), x(b64url, 38)),
		patRule("discord-webhook-url", "Discord", "Discord webhook URL", []string{"discord.com/api/webhooks", "discordapp.com/api/webhooks"},
			`(?P<secret>discord(?:app)?\.com/api/webhooks/\d{17,20}/[0-9A-Za-z_\-]{60,68})`+rightGuard(`0-9A-Za-z_\-`), high, vhigh,
			c("https://"), l("discord.com/api/webhooks/"), x("0123456789", 19), l("/"), x(b64url, 68)),
		keyedRule("discord-client-secret", "Discord", "Discord OAuth client secret", []string{"discord"}, b64url, 32, 32, high),
		with(patRule("telegram-bot-token", "Telegram", "Telegram bot token (also inside api.telegram.org/bot… webhook URLs)", []string{":aa"},
			`(?:^|[^0-9A-Za-z_]|/bot)(?P<secret>\d{8,10}:AA[0-9A-Za-z_\-]{33})`+rightGuard(`0-9A-Za-z_\-`), high, vhigh,
			x("123456789", 1), x("0123456789", 9), l(":AA"), x(b64url, 33)), func(r *Rule) {
			r.True = append(r.True, "curl https://api.telegram.org/bot{V}/setWebhook?url=https://example.org/hook")
			r.False = append(r.False, "id = robot123456789:AAshortvalue")
		}),
		patRule("microsoft-teams-webhook", "Microsoft", "Microsoft Teams incoming webhook URL", []string{"webhook.office.com"},
			`(?P<secret>[0-9a-z]+\.webhook\.office\.com/webhookb2/[0-9a-f\-]{36}@[0-9a-f\-]{36}/IncomingWebhook/[0-9a-f]{32}/[0-9a-f\-]{36})`, high, vhigh,
			c("https://"), l("acme.webhook.office.com/webhookb2/"), x(hexLower, 36), l("@"), x(hexLower, 36), l("/IncomingWebhook/"), x(hexLower, 32), l("/"), x(hexLower, 36)),
		patRule("zapier-webhook", "Zapier", "Zapier catch hook URL", []string{"hooks.zapier.com"},
			`(?P<secret>hooks\.zapier\.com/hooks/catch/\d{5,10}/[0-9a-z]{5,10})`, med, vhigh,
			c("https://"), l("hooks.zapier.com/hooks/catch/"), x("0123456789", 8), l("/"), x(lowerNum, 7)),
		patRule("twilio-api-key", "Twilio", "Twilio API key SID", hexKeywords("sk"),
			`\b(?P<secret>SK[0-9a-f]{32})`+rightGuard(`0-9A-Za-z`), high, phigh,
			l("SK"), x(hexLower, 32)),
		keyedRule("twilio-auth-token", "Twilio", "Twilio auth token", []string{"twilio"}, hexLower, 32, 32, crit),
		patRule("sendgrid-api-key", "Twilio SendGrid", "SendGrid API key", []string{"sg."},
			`(?:^|[^0-9A-Za-z_])(?P<secret>SG\.[0-9A-Za-z_\-]{22}\.[0-9A-Za-z_\-]{43})`+rightGuard(`0-9A-Za-z_\-`), crit, vhigh,
			l("SG."), x(b64url, 22), l("."), x(b64url, 43)),
		patRule("mailgun-api-key", "Mailgun", "Mailgun private API key", []string{"key-"},
			`(?:^|[^0-9A-Za-z_\-])(?P<secret>key-[0-9a-f]{32})`+rightGuard(`0-9A-Za-z`), high, phigh,
			l("key-"), x(hexLower, 32)),
		tokenRule("mailgun-public-key", "Mailgun", "Mailgun public validation key", "pubkey-", hexLower, 32, 32, low),
		// Mailgun's current private API keys and webhook signing keys: 32 hex,
		// "-", 8 hex, "-", 8 hex (50 characters). Source: Mailgun API keys as
		// issued (documentation.mailgun.com, "API keys").
		with(patRule("mailgun-signing-key", "Mailgun", "Mailgun private API key / webhook signing key", []string{"mailgun"},
			`(?:(?i:mailgun)[^\n]{0,40}?[^0-9a-f]|api:)(?P<secret>[0-9a-f]{32}-[0-9a-f]{8}-[0-9a-f]{8})`+rightGuard(`0-9a-f\-`), high, vhigh,
			c("MAILGUN_API_KEY="), x(hexLower, 32), l("-"), x(hexLower, 8), l("-"), x(hexLower, 8)), func(r *Rule) {
			r.Entropy = 2.9
			r.True = append(r.True, `curl -s --user 'api:{V}' https://api.mailgun.net/v3/mg.example.org/messages`)
			r.Keywords = append(r.Keywords, "api.mailgun.net")
		}),
		patRule("mailchimp-api-key", "Mailchimp", "Mailchimp API key", []string{"-us"},
			`(?:^|[^0-9A-Za-z_])(?P<secret>[0-9a-f]{32}-us\d{1,2})`+rightGuard(`0-9A-Za-z`), high, vhigh,
			x(hexLower, 32), l("-us14")),
		patRule("brevo-api-key", "Brevo", "Brevo (Sendinblue) API key", []string{"xkeysib-"},
			leftGuard+`(?P<secret>xkeysib-[0-9a-f]{64}-[0-9A-Za-z]{16})`+rightGuard(`0-9A-Za-z`), high, vhigh,
			l("xkeysib-"), x(hexLower, 64), l("-"), x(alnum, 16)),
		keyedRule("mailjet-api-secret", "Mailjet", "Mailjet API secret", []string{"mailjet"}, hexLower, 32, 32, high),
		keyedRule("sparkpost-api-key", "SparkPost", "SparkPost API key", []string{"sparkpost"}, hexLower, 40, 40, high),
		keyedRule("postmark-server-token", "Postmark", "Postmark server token", []string{"postmark"}, hexLower+"-", 36, 36, high),
		keyedRule("vonage-api-secret", "Vonage", "Vonage (Nexmo) API secret", []string{"vonage", "nexmo"}, alnum, 16, 16, high),
		keyedRule("plivo-auth-token", "Plivo", "Plivo auth token", []string{"plivo"}, alnum, 40, 40, high),
		patRule("telnyx-api-key", "Telnyx", "Telnyx API v2 key", hexKeywords("key"),
			`(?P<secret>KEY[0-9A-F]{32}_[0-9A-Za-z]{22})`+rightGuard(`0-9A-Za-z`), high, vhigh,
			l("KEY"), x("0123456789ABCDEF", 32), l("_"), x(alnum, 22)),
		keyedRule("mattermost-token", "Mattermost", "Mattermost access token", []string{"mattermost"}, lowerNum, 26, 26, high),
		patRule("twitter-bearer-token", "X (Twitter)", "X (Twitter) app bearer token", []string{"aaaaaaaaaaaaaaaaaaaaa"},
			`(?:^|[^0-9A-Za-z+/])(?P<secret>A{21}[0-9A-Za-z%]{60,120})`+rightGuard(`0-9A-Za-z%+/`), high, vhigh,
			l("AAAAAAAAAAAAAAAAAAAAA"), x(alnum, 90)),
		keyedRule("twitter-api-secret", "X (Twitter)", "X (Twitter) API secret", []string{"twitter", "consumer_secret"}, alnum, 50, 50, high),
		keyedRule("facebook-app-secret", "Meta", "Facebook app secret", []string{"facebook", "fb_app_secret", "fb_secret"}, hexLower, 32, 32, high),
		// User and page tokens start EAAC or EAAM (Graph API Explorer ones
		// EAACEdEose0cBA); 100+ alphanumerics after the prefix.
		with(patRule("facebook-access-token", "Meta", "Facebook user or page access token", []string{"eaac", "eaam"},
			leftGuard+`(?P<secret>EAA[CM][0-9A-Za-z]{100,400})`+rightGuard(`0-9A-Za-z`), high, phigh,
			l("EAAM"), x(alnum, 160)), func(r *Rule) {
			r.True = append(r.True, "FACEBOOK_TOKEN: EAACEdEose0cBA"+strings.Repeat("Zq7Lm2Xv9Kp4Rt8W", 7)) // tollgate:allow (test value)
			// A yarn checksum that starts with eaac: hex, lower case.
			r.False = append(r.False, "  checksum: eaac4cf978b6fbd480f1092cab8b233c9b949bcabfc9b598dd79a758f7243c28765ef7639c876fa72940dac687181b35486ea01ff7df3e65ce3848c64822c581")
		}),
		// App access tokens: the app id, "|" (or %7C in a URL), the app secret's token part.
		with(patRule("facebook-app-access-token", "Meta", "Facebook app access token", []string{"facebook", "graph.facebook.com"},
			`(?i:facebook|fb_?token|graph\.facebook\.com)[^\n]{0,60}?(?:^|[^0-9])(?P<secret>[0-9]{15,16}(?:\||%7[Cc])[0-9A-Za-z_\-]{27,40})`+rightGuard(`0-9A-Za-z_\-`), high, phigh,
			c("facebook token "), x("0123456789", 16), l("|"), x(b64url, 27)), func(r *Rule) {
			r.True = append(r.True, `{"facebook_access_token": "824610039571452%7CqW3-eR5tY7uI9oP1aS3dF5gH7jK"}`) // tollgate:allow (test value)
			// An id and a hash with no Facebook context, and a Unix timestamp pipe.
			r.False = append(r.False, `row = 824610039571452|qW3eR5tY7uI9oP1aS3dF5gH7jK`, `facebook 1700000000|ok`) // tollgate:allow (test value)
		}),
		keyedRule("linkedin-client-secret", "LinkedIn", "LinkedIn client secret", []string{"linkedin"}, alnum, 16, 16, high),
		tokenRule("dropbox-access-token", "Dropbox", "Dropbox short-lived access token", "sl.", b64url, 130, 150, high),
		keyedRule("zoom-client-secret", "Zoom", "Zoom client secret", []string{"zoom"}, alnum, 32, 32, high),
	}
}

// paymentRules: payment processors.
func paymentRules() []Rule {
	return []Rule{
		tokenRule("stripe-secret-key", "Stripe", "Stripe live secret key", "sk_live_", alnum, 24, 99, crit),
		tokenRule("stripe-restricted-key", "Stripe", "Stripe live restricted key", "rk_live_", alnum, 24, 99, crit),
		with(tokenRule("stripe-test-secret-key", "Stripe", "Stripe test-mode secret key", "sk_test_", alnum, 24, 99, low), func(r *Rule) { r.Precision = vhigh }),
		tokenRule("stripe-webhook-secret", "Stripe", "Stripe webhook signing secret", "whsec_", alnum, 32, 64, high),
		patRule("square-access-token", "Square", "Square access token", []string{"eaaa", "sq0atp-"},
			leftGuard+`(?P<secret>(?:EAAA|sq0atp-)[0-9A-Za-z_\-]{22,60})`+rightGuard(`0-9A-Za-z_\-`), crit, vhigh,
			l("EAAA"), x(b64url, 60)),
		tokenRule("square-oauth-secret", "Square", "Square OAuth application secret", "sq0csp-", b64url, 43, 43, crit),
		patRule("braintree-access-token", "PayPal", "PayPal Braintree access token", []string{"access_token$production$"},
			`(?P<secret>access_token\$production\$[0-9a-z]{16}\$[0-9a-f]{32})`, crit, vhigh,
			l("access_token$production$"), x(lowerNum, 16), l("$"), x(hexLower, 32)),
		keyedRule("paypal-client-secret", "PayPal", "PayPal REST client secret", []string{"paypal"}, b64url, 80, 80, high),
		patRule("plaid-access-token", "Plaid", "Plaid access token", []string{"access-production-", "access-development-", "access-sandbox-"},
			leftGuard+`(?P<secret>access-(?:production|development|sandbox)-[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})`, high, vhigh,
			l("access-production-"), x(hexLower, 8), l("-"), x(hexLower, 4), l("-"), x(hexLower, 4), l("-"), x(hexLower, 4), l("-"), x(hexLower, 12)),
		keyedRule("plaid-secret", "Plaid", "Plaid API secret", []string{"plaid"}, hexLower, 30, 30, high),
		patRule("razorpay-key", "Razorpay", "Razorpay live API key id", []string{"rzp_live_"},
			leftGuard+`(?P<secret>rzp_live_[0-9A-Za-z]{14})`+rightGuard(`0-9A-Za-z`), med, vhigh,
			l("rzp_live_"), x(alnum, 14)),
		keyedRule("razorpay-secret", "Razorpay", "Razorpay key secret", []string{"razorpay"}, alnum, 24, 24, high),
		patRule("flutterwave-secret-key", "Flutterwave", "Flutterwave secret key", []string{"flwseck"},
			leftGuard+`(?P<secret>FLWSECK(?:_TEST)?-[0-9a-h]{32}-X)`, high, vhigh,
			l("FLWSECK-"), x(hexLower, 32), l("-X")),
		patRule("gocardless-token", "GoCardless", "GoCardless live access token", []string{"gocardless"},
			`(?i:gocardless)[^\n]{0,40}?(?P<secret>live_[0-9A-Za-z_\-=]{40})`+rightGuard(`0-9A-Za-z_\-=`), high, vhigh,
			c("GOCARDLESS_TOKEN="), l("live_"), x(b64url, 40)),
		patRule("shippo-token", "Shippo", "Shippo live API token", []string{"shippo_live_"},
			leftGuard+`(?P<secret>shippo_live_[0-9a-f]{40})`+rightGuard(`0-9a-f`), high, vhigh,
			l("shippo_live_"), x(hexLower, 40)),
		patRule("duffel-token", "Duffel", "Duffel live API token", []string{"duffel_live_"},
			leftGuard+`(?P<secret>duffel_live_[0-9A-Za-z_\-=]{43})`, high, vhigh,
			l("duffel_live_"), x(b64url, 43)),
		patRule("easypost-api-key", "EasyPost", "EasyPost production API key", []string{"ezak"},
			leftGuard+`(?P<secret>EZAK[0-9a-zA-Z]{54})`+rightGuard(`0-9A-Za-z`), high, vhigh,
			l("EZAK"), x(alnum, 54)),
		keyedRule("mollie-api-key", "Mollie", "Mollie live API key", []string{"mollie"}, alnum, 30, 30, high),
		keyedRule("coinbase-api-secret", "Coinbase", "Coinbase API secret", []string{"coinbase"}, alnum, 32, 32, high),
		keyedRule("adyen-api-key", "Adyen", "Adyen API key", []string{"adyen"}, b64url, 60, 100, high),
		keyedRule("wise-api-token", "Wise", "Wise (TransferWise) API token", []string{"transferwise", "wise_api"}, hexLower+"-", 36, 36, high),
		patRule("lob-api-key", "Lob", "Lob live API key", []string{"lob_api_key", "lob_secret", "lob_key"},
			`(?i:lob_api_key|lob_secret|lob_key)[^\n]{0,20}?(?P<secret>live_[0-9a-f]{35})`+rightGuard(`0-9a-f`), high, vhigh,
			c("LOB_API_KEY="), l("live_"), x(hexLower, 35)),
	}
}

// pemBody is base64 lines of a fake key, each ended by sep.
func pemBody(r *rand.Rand, sep string) string {
	var out string
	for i := 0; i < 12; i++ {
		out += randString(r, b64, 64) + sep
	}
	return out + randString(r, b64, 28) + "==" + sep
}

// hexKeywords are prefix followed by each hex digit: a prefilter far more
// selective than the bare prefix for "<PREFIX><hex…>" formats.
func hexKeywords(prefix string) []string {
	out := make([]string, 0, 16)
	for _, d := range hexLower {
		out = append(out, prefix+string(d))
	}
	return out
}
