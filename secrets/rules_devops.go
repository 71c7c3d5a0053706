package secrets

import (
	"encoding/base64"
	"encoding/json"
	"math/rand/v2"
)

// grafanaCloudValid requires a glc_ body that decodes to a JSON object.
func grafanaCloudValid(s string) bool {
	raw, err := base64.StdEncoding.DecodeString(s[len("glc_"):])
	if err != nil {
		raw, err = base64.RawStdEncoding.DecodeString(s[len("glc_"):])
	}
	var obj map[string]any
	return err == nil && json.Unmarshal(raw, &obj) == nil
}

// saasRules: productivity, observability and other hosted services.
func saasRules() []Rule {
	uuid := []part{x(hexLower, 8), l("-"), x(hexLower, 4), l("-"), x(hexLower, 4), l("-"), x(hexLower, 4), l("-"), x(hexLower, 12)}
	return []Rule{
		// ATATT3, a base64url body and "=" with eight upper-case hex digits (a
		// checksum); 192 characters in all as issued since 2023. Source:
		// Atlassian API tokens as issued (id.atlassian.com), gitleaks' and
		// trufflehog's Atlassian detectors; the checksum algorithm is not
		// published, so it is not verified.
		with(patRule("atlassian-api-token", "Atlassian", "Atlassian (Jira, Confluence) API token", []string{"atatt3"},
			leftGuard+`(?P<secret>ATATT3[0-9A-Za-z_\-]{150,260}=[0-9A-F]{8})`+rightGuard(`0-9A-Za-z_\-=`), high, vhigh,
			l("ATATT3"), x(b64url, 177), l("="), x("0123456789ABCDEF", 8)), func(r *Rule) {
			r.True = append(r.True, `curl -u me@example.org:{V} https://acme.atlassian.net/rest/api/3/myself`, `JIRA_API_TOKEN={V}`)
		}),
		keyedRule("atlassian-api-token-legacy", "Atlassian", "Atlassian API token (legacy format)", []string{"atlassian", "confluence", "jira"}, alnum, 24, 24, high),
		tokenRule("linear-api-key", "Linear", "Linear API key", "lin_api_", alnum, 40, 40, high),
		patRule("notion-token", "Notion", "Notion integration token", []string{"ntn_"},
			leftGuard+`(?P<secret>ntn_\d{11}[0-9A-Za-z]{35})`+rightGuard(`0-9A-Za-z`), high, vhigh,
			l("ntn_"), x("0123456789", 11), x(alnum, 35)),
		patRule("notion-token-legacy", "Notion", "Notion integration token (legacy format)", []string{"secret_"},
			`(?i:notion)[^\n]{0,40}?(?P<secret>secret_[0-9A-Za-z]{43})`+rightGuard(`0-9A-Za-z`), high, vhigh,
			c("NOTION_TOKEN="), l("secret_"), x(alnum, 43)),
		patRule("airtable-pat", "Airtable", "Airtable personal access token", []string{"airtable"},
			`(?:^|[^0-9A-Za-z_])(?P<secret>pat[0-9A-Za-z]{14}\.[0-9a-f]{64})`+rightGuard(`0-9a-f`), high, vhigh,
			c("AIRTABLE_TOKEN="), l("pat"), x(alnum, 14), l("."), x(hexLower, 64)),
		tokenRule("figma-pat", "Figma", "Figma personal access token", "figd_", b64url, 40, 40, high),
		tokenRule("contentful-pat", "Contentful", "Contentful personal access token", "CFPAT-", b64url, 43, 43, high),
		tokenRule("typeform-pat", "Typeform", "Typeform personal access token", "tfp_", b64url, 59, 59, high),
		patRule("clickup-api-key", "ClickUp", "ClickUp personal API token", []string{"pk_"},
			leftGuard+`(?P<secret>pk_\d{7,8}_[0-9A-Z]{32})`+rightGuard(`0-9A-Za-z`), high, vhigh,
			l("pk_"), x("0123456789", 8), l("_"), x(upperNum, 32)),
		keyedRule("asana-pat", "Asana", "Asana personal access token", []string{"asana"}, alnum, 32, 32, high),
		keyedRule("trello-api-token", "Atlassian", "Trello API token", []string{"trello"}, alnum, 64, 76, high),
		keyedRule("monday-api-token", "monday.com", "monday.com API token", []string{"monday"}, b64url, 150, 250, high),
		patRule("sentry-org-token", "Sentry", "Sentry organization auth token", []string{"sntrys_"},
			leftGuard+`(?P<secret>sntrys_eyJ[0-9A-Za-z+/=_\-]{80,300})`, high, vhigh,
			l("sntrys_eyJ"), x(b64, 120)),
		tokenRule("sentry-user-token", "Sentry", "Sentry user auth token", "sntryu_", hexLower, 64, 64, high),
		tokenRule("newrelic-user-api-key", "New Relic", "New Relic user API key", "NRAK-", upperNum, 27, 27, high),
		tokenRule("newrelic-browser-api-key", "New Relic", "New Relic browser API token", "NRJS-", hexLower, 19, 19, med),
		tokenRule("newrelic-insert-key", "New Relic", "New Relic insights insert key", "NRII-", b64url, 32, 32, high),
		patRule("dynatrace-api-token", "Dynatrace", "Dynatrace API token", []string{"dt0c01."},
			leftGuard+`(?P<secret>dt0c01\.[0-9A-Z]{24}\.[0-9A-Z]{64})`+rightGuard(`0-9A-Za-z`), high, vhigh,
			l("dt0c01."), x(upperNum, 24), l("."), x(upperNum, 64)),
		keyedRule("datadog-api-key", "Datadog", "Datadog API key", []string{"datadog", "dd_api_key", "dd-api-key"}, hexLower, 32, 32, high),
		keyedRule("datadog-app-key", "Datadog", "Datadog application key", []string{"dd_app_key", "dd-application-key", "datadog_app"}, hexLower, 40, 40, high),
		keyedRule("pagerduty-api-key", "PagerDuty", "PagerDuty API key", []string{"pagerduty"}, b64url, 20, 20, high),
		patRule("opsgenie-api-key", "Atlassian", "Opsgenie API key", []string{"opsgenie"},
			`(?i:opsgenie)[^\n]{0,40}?(?P<secret>[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})`, high, phigh,
			append([]part{c("OPSGENIE_API_KEY=")}, uuid...)...),
		keyedRule("rollbar-token", "Rollbar", "Rollbar access token", []string{"rollbar"}, hexLower, 32, 32, high),
		keyedRule("bugsnag-api-key", "Bugsnag", "Bugsnag API key", []string{"bugsnag"}, hexLower, 32, 32, med),
		keyedRule("honeycomb-api-key", "Honeycomb", "Honeycomb API key", []string{"honeycomb"}, alnum, 32, 32, high),
		keyedRule("loggly-token", "Loggly", "Loggly customer token", []string{"loggly"}, hexLower+"-", 36, 36, high),
		// glc_ and base64 of a JSON object ({"o":org,"n":name,"k":key,"m":{"r":region}});
		// the length grows with the names in it. Source: Grafana Cloud access
		// policy tokens as issued (grafana.com/docs/grafana-cloud/security-and-account-management/authentication-and-permissions/access-policies).
		with(patRule("grafana-cloud-token", "Grafana", "Grafana Cloud API / access policy token", []string{"glc_"},
			leftGuard+`(?P<secret>glc_[A-Za-z0-9+/]{32,800}={0,2})`+rightGuard(`0-9A-Za-z+/=`), high, vhigh), func(r *Rule) {
			r.Validate = grafanaCloudValid
			r.Sample = func(rng *rand.Rand) (string, string) {
				js := `{"o":"` + randString(rng, "0123456789", 7) + `","n":"stack-` + randString(rng, "0123456789", 6) + `-integration-` + randString(rng, lowerNum, 12) +
					`","k":"` + randString(rng, alnum, 32) + `","m":{"r":"prod-eu-west-2"}}`
				s := "glc_" + base64.StdEncoding.EncodeToString([]byte(js))
				return s, s
			}
			r.False = []string{`value = "glc_` + base64.StdEncoding.EncodeToString([]byte("not a json object at all, only text")) + `"`}
		}),
		patRule("grafana-service-account-token", "Grafana", "Grafana service account token", []string{"glsa_"},
			leftGuard+`(?P<secret>glsa_[0-9A-Za-z]{32}_[0-9A-Fa-f]{8})`+rightGuard(`0-9A-Fa-f`), high, vhigh,
			l("glsa_"), x(alnum, 32), l("_"), x(hexLower, 8)),
		tokenRule("grafana-api-key", "Grafana", "Grafana API key (legacy)", "eyJrIjoi", alnum, 70, 120, high),
		patRule("postman-api-key", "Postman", "Postman API key", []string{"pmak-"},
			leftGuard+`(?P<secret>PMAK-[0-9a-f]{24}-[0-9a-f]{34})`+rightGuard(`0-9a-f`), high, vhigh,
			l("PMAK-"), x(hexLower, 24), l("-"), x(hexLower, 34)),
		keyedRule("algolia-admin-key", "Algolia", "Algolia admin API key", []string{"algolia"}, hexLower, 32, 32, high),
		keyedRule("amplitude-api-key", "Amplitude", "Amplitude API key", []string{"amplitude"}, hexLower, 32, 32, med),
		keyedRule("segment-write-key", "Segment", "Segment write key", []string{"segment"}, alnum, 32, 32, med),
		patRule("mapbox-secret-token", "Mapbox", "Mapbox secret access token", []string{"sk.eyj"},
			leftGuard+`(?P<secret>sk\.eyJ[0-9A-Za-z_\-]{60,100}\.[0-9A-Za-z_\-]{22})`+rightGuard(`0-9A-Za-z_\-`), high, vhigh,
			l("sk.eyJ"), x(b64url, 80), l("."), x(b64url, 22)),
		tokenRule("shopify-access-token", "Shopify", "Shopify access token", "shpat_", hexLower, 32, 32, crit),
		tokenRule("shopify-custom-app-token", "Shopify", "Shopify custom app access token", "shpca_", hexLower, 32, 32, crit),
		tokenRule("shopify-private-app-token", "Shopify", "Shopify private app access token", "shppa_", hexLower, 32, 32, crit),
		tokenRule("shopify-shared-secret", "Shopify", "Shopify shared secret", "shpss_", hexLower, 32, 32, high),
		keyedRule("hubspot-api-key", "HubSpot", "HubSpot API key", []string{"hubspot", "hapikey"}, hexLower+"-", 36, 36, high),
		patRule("hubspot-private-app-token", "HubSpot", "HubSpot private app token", []string{"pat-na", "pat-eu"},
			leftGuard+`(?P<secret>pat-(?:na|eu)\d-[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})`, high, vhigh,
			append([]part{l("pat-na1-")}, uuid...)...),
		keyedRule("intercom-token", "Intercom", "Intercom access token", []string{"intercom"}, b64url, 59, 60, high),
		keyedRule("zendesk-api-token", "Zendesk", "Zendesk API token", []string{"zendesk"}, alnum, 40, 40, high),
		keyedRule("freshdesk-api-key", "Freshworks", "Freshdesk API key", []string{"freshdesk"}, alnum, 20, 20, med),
		keyedRule("okta-api-token", "Okta", "Okta API token", []string{"okta"}, b64url, 42, 42, crit),
		keyedRule("auth0-client-secret", "Okta", "Auth0 client secret", []string{"auth0"}, b64url, 64, 64, high),
		keyedRule("launchdarkly-token", "LaunchDarkly", "LaunchDarkly access token", []string{"launchdarkly"}, b64url, 40, 40, high),
		keyedRule("snyk-api-token", "Snyk", "Snyk API token", []string{"snyk"}, hexLower+"-", 36, 36, high),
		keyedRule("codecov-token", "Codecov", "Codecov upload token", []string{"codecov"}, hexLower+"-", 36, 36, med),
		keyedRule("coveralls-token", "Coveralls", "Coveralls repo token", []string{"coveralls"}, alnum, 32, 37, med),
		keyedRule("rapidapi-key", "RapidAPI", "RapidAPI key", []string{"rapidapi"}, b64url, 50, 50, high),
		keyedRule("box-client-secret", "Box", "Box client secret", []string{"box_client", "box_secret"}, alnum, 32, 32, high),
		keyedRule("twitch-client-secret", "Twitch", "Twitch client secret", []string{"twitch"}, lowerNum, 30, 30, high),
		keyedRule("spotify-client-secret", "Spotify", "Spotify client secret", []string{"spotify"}, hexLower, 32, 32, high),
		keyedRule("contentstack-token", "Contentstack", "Contentstack management token", []string{"contentstack"}, alnum, 35, 35, high),
		tokenRule("readme-api-key", "ReadMe", "ReadMe API key", "rdme_", lowerNum, 70, 70, high),
		tokenRule("resend-api-key", "Resend", "Resend API key", "re_", alnum, 32, 36, med),
		tokenRule("prefect-api-key", "Prefect", "Prefect Cloud API key", "pnu_", alnum, 36, 36, high),
		tokenRule("frameio-token", "Adobe", "Frame.io API token", "fio-u-", b64url, 64, 64, high),
		tokenRule("adobe-client-secret", "Adobe", "Adobe client secret", "p8e-", lowerNum, 32, 32, high),
		tokenRule("easypost-test-key", "EasyPost", "EasyPost test API key", "EZTK", alnum, 54, 54, low),
	}
}

// devopsRules: CI/CD, secret managers and infrastructure-as-code services.
func devopsRules() []Rule {
	return []Rule{
		patRule("hashicorp-vault-token", "HashiCorp", "HashiCorp Vault service token", []string{"hvs."},
			leftGuard+`(?P<secret>hvs\.[0-9A-Za-z_\-]{90,120})`+rightGuard(`0-9A-Za-z_\-`), crit, vhigh,
			l("hvs."), x(b64url, 95)),
		patRule("hashicorp-vault-batch-token", "HashiCorp", "HashiCorp Vault batch token", []string{"hvb."},
			leftGuard+`(?P<secret>hvb\.[0-9A-Za-z_\-]{138,300})`+rightGuard(`0-9A-Za-z_\-`), crit, vhigh,
			l("hvb."), x(b64url, 150)),
		patRule("terraform-cloud-token", "HashiCorp", "Terraform Cloud / Enterprise API token", []string{".atlasv1."},
			`(?:^|[^0-9A-Za-z_])(?P<secret>[0-9A-Za-z]{14}\.atlasv1\.[0-9A-Za-z_\-=]{60,70})`, crit, vhigh,
			x(alnum, 14), l(".atlasv1."), x(b64url, 67)),
		tokenRule("pulumi-token", "Pulumi", "Pulumi access token", "pul-", hexLower, 40, 40, high),
		patRule("doppler-token", "Doppler", "Doppler personal token", []string{"dp.pt."},
			leftGuard+`(?P<secret>dp\.pt\.[0-9A-Za-z]{43})`+rightGuard(`0-9A-Za-z`), crit, vhigh,
			l("dp.pt."), x(alnum, 43)),
		patRule("doppler-service-token", "Doppler", "Doppler service token", []string{"dp.st."},
			leftGuard+`(?P<secret>dp\.st\.[0-9a-z_\-]{2,35}\.[0-9A-Za-z]{40,44})`+rightGuard(`0-9A-Za-z`), crit, vhigh,
			l("dp.st.prd."), x(alnum, 43)),
		patRule("infisical-token", "Infisical", "Infisical service token", []string{"infisical"},
			leftGuard+`(?P<secret>st\.[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}\.[0-9a-f]{32}\.[0-9a-f]{32})`, high, vhigh,
			c("INFISICAL_TOKEN="), l("st."), x(hexLower, 8), l("-"), x(hexLower, 4), l("-"), x(hexLower, 4), l("-"), x(hexLower, 4), l("-"), x(hexLower, 12), l("."), x(hexLower, 32), l("."), x(hexLower, 32)),
		patRule("onepassword-secret-key", "1Password", "1Password account secret key", []string{"a3-"},
			leftGuard+`(?P<secret>A3-[0-9A-Z]{6}-[0-9A-Z]{11}-[0-9A-Z]{5}-[0-9A-Z]{5}-[0-9A-Z]{5})`+rightGuard(`0-9A-Za-z`), crit, vhigh,
			l("A3-"), x(upperNum, 6), l("-"), x(upperNum, 11), l("-"), x(upperNum, 5), l("-"), x(upperNum, 5), l("-"), x(upperNum, 5)),
		// ops_ and base64 of a JSON object; issued tokens run to about 850
		// characters. Source: 1Password service accounts (developer.1password.com/docs/service-accounts).
		with(tokenRule("onepassword-service-account-token", "1Password", "1Password service account token", "ops_eyJ", b64, 250, 1000, crit),
			func(r *Rule) {
				r.Pattern = leftGuard + `(?P<secret>ops_eyJ[0-9A-Za-z+/]{250,1000}[0-9A-Za-z+/]{0,500}={0,2})` + rightGuard(`0-9A-Za-z+/=`)
				r.Sample = shapeSample([]part{l("ops_eyJ"), x(b64, 843)})
			}),
		patRule("age-secret-key", "age", "age encryption secret key", []string{"age-secret-key-1"},
			`(?P<secret>AGE-SECRET-KEY-1[QPZRY9X8GF2TVDW0S3JN54KHCE6MUA7L]{58})`, crit, vhigh,
			l("AGE-SECRET-KEY-1"), x("QPZRY9X8GF2TVDW0S3JN54KHCE6MUA7L", 58)),
		patRule("circleci-pat", "CircleCI", "CircleCI personal API token", []string{"ccipat_"},
			leftGuard+`(?P<secret>CCIPAT_[0-9A-Za-z]{22}_[0-9a-f]{40})`+rightGuard(`0-9a-f`), high, vhigh,
			l("CCIPAT_"), x(alnum, 22), l("_"), x(hexLower, 40)),
		tokenRule("buildkite-token", "Buildkite", "Buildkite agent / API token", "bkua_", hexLower, 40, 40, high),
		keyedRule("travis-ci-token", "Travis CI", "Travis CI access token", []string{"travis"}, b64url, 22, 22, med),
		keyedRule("drone-ci-token", "Harness", "Drone CI access token", []string{"drone"}, alnum, 32, 32, med),
		keyedRule("jenkins-api-token", "Jenkins", "Jenkins API token", []string{"jenkins"}, hexLower, 34, 34, high),
		patRule("harness-pat", "Harness", "Harness personal access token", []string{"pat."},
			leftGuard+`(?P<secret>pat\.[0-9A-Za-z_\-]{22}\.[0-9A-Za-z]{24}\.[0-9A-Za-z]{20})`+rightGuard(`0-9A-Za-z`), high, vhigh,
			l("pat."), x(b64url, 22), l("."), x(alnum, 24), l("."), x(alnum, 20)),
		// Service account tokens: sat.<account id>.<token id>.<secret>, the
		// PAT layout. Source: Harness docs, "Add and manage API keys" (SAT).
		patRule("harness-sat", "Harness", "Harness service account token", []string{"sat."},
			leftGuard+`(?P<secret>sat\.[0-9A-Za-z_\-]{22}\.[0-9A-Za-z]{24}\.[0-9A-Za-z]{20})`+rightGuard(`0-9A-Za-z`), high, vhigh,
			l("sat."), x(b64url, 22), l("."), x(alnum, 24), l("."), x(alnum, 20)),
		tokenRule("octopus-deploy-api-key", "Octopus Deploy", "Octopus Deploy API key", "API-", upperNum, 26, 26, high),
		tokenRule("sonarqube-user-token", "SonarSource", "SonarQube user token", "squ_", hexLower, 40, 40, high),
		tokenRule("sonarqube-project-token", "SonarSource", "SonarQube project analysis token", "sqp_", hexLower, 40, 40, high),
		tokenRule("sonarqube-global-token", "SonarSource", "SonarQube global analysis token", "sqa_", hexLower, 40, 40, high),
		// Tokens issued before SonarQube 9.5 (and by SonarCloud) are 40 hex
		// digits without a prefix: only next to a Sonar name.
		with(keyedRule("sonar-token", "SonarSource", "SonarQube / SonarCloud token (unprefixed)", []string{"sonar"}, hexLower, 40, 40, high),
			func(r *Rule) {
				r.True = append(r.True, `mvn sonar:sonar -Dsonar.login={V}`, `sonar.token={V}`, `      SONAR_TOKEN: {V}`)
			}),
		patRule("stackhawk-api-key", "StackHawk", "StackHawk API key", []string{"hawk."},
			leftGuard+`(?P<secret>hawk\.[0-9A-Za-z_\-]{20}\.[0-9A-Za-z_\-]{20})`+rightGuard(`0-9A-Za-z_\-`), high, vhigh,
			l("hawk."), x(b64url, 20), l("."), x(b64url, 20)),
		patRule("tailscale-key", "Tailscale", "Tailscale auth / API key", []string{"tskey-"},
			leftGuard+`(?P<secret>tskey-[a-z]{3,8}-[0-9A-Za-z]{8,20}-[0-9A-Za-z]{20,40})`+rightGuard(`0-9A-Za-z`), crit, vhigh,
			l("tskey-auth-"), x(alnum, 12), l("-"), x(alnum, 33)),
		patRule("ngrok-api-key", "ngrok", "ngrok authtoken / API key", []string{"ngrok"},
			`(?i:ngrok)[^\n]{0,40}?(?P<secret>[0-9A-Za-z]{27}_[0-9A-Za-z]{21})`+rightGuard(`0-9A-Za-z`), high, vhigh,
			c("NGROK_AUTHTOKEN="), x(alnum, 27), l("_"), x(alnum, 21)),
		tokenRule("databricks-token", "Databricks", "Databricks personal access token", "dapi", hexLower, 32, 32, crit),
		keyedRule("confluent-api-secret", "Confluent", "Confluent Cloud API secret", []string{"confluent"}, b64, 64, 64, high),
		tokenRule("defined-networking-token", "Defined Networking", "Defined Networking API token", "dnkey-", b64url, 79, 79, high),
		tokenRule("scalingo-token", "Scalingo", "Scalingo API token", "tk-us-", b64url, 48, 48, high),
		patRule("teamcity-token", "JetBrains", "TeamCity access token", []string{"eyj0exaioiaivenwmij9"},
			`(?P<secret>eyJ0eXAiOiAiVENWMiJ9\.[0-9A-Za-z_\-]{36}\.[0-9A-Za-z_\-]{48})`, high, vhigh,
			l("eyJ0eXAiOiAiVENWMiJ9."), x(b64url, 36), l("."), x(b64url, 48)),
		patRule("kubeconfig-client-key", "Kubernetes", "client private key embedded in a kubeconfig", []string{"client-key-data"},
			`client-key-data:\s*["']?(?P<secret>[A-Za-z0-9+/]{100,}={0,2})`, crit, vhigh,
			c("    client-key-data: "), x(b64, 400)),
		patRule("laravel-app-key", "Laravel", "Laravel APP_KEY", []string{"app_key"},
			`APP_KEY\s*=\s*["']?(?P<secret>base64:[A-Za-z0-9+/]{43}=)`, high, vhigh,
			c("APP_KEY="), l("base64:"), x(b64, 43), l("=")),
		keyedRule("symfony-app-secret", "Symfony", "Symfony APP_SECRET", []string{"app_secret"}, hexLower, 32, 32, med),
		// 16 random hex digits often fall below the default entropy floor of 3
		// (about 1 in 20 generated credentials did); the host anchors the match.
		with(patRule("sidekiq-credentials", "Sidekiq", "Sidekiq Enterprise credentials in a gem source URL", []string{"contribsys.com"},
			`(?P<secret>[0-9a-f]{8}:[0-9a-f]{8})@(?:gems|enterprise)\.contribsys\.com`, high, vhigh,
			c("source \"https://"), x(hexLower, 8), l(":"), x(hexLower, 8), c("@gems.contribsys.com/\"")),
			func(r *Rule) { r.Entropy = 2.2 }),
		// Bundler reads gem source credentials from BUNDLE_<HOST> variables
		// or "bundle config <host> user:pass": how Sidekiq Pro/Enterprise
		// tell customers to install. Source: github.com/sidekiq/sidekiq/wiki
		// (Sidekiq Enterprise / Pro installation).
		with(patRule("sidekiq-bundler-credentials", "Sidekiq", "Sidekiq Enterprise / Pro credentials in Bundler's configuration", []string{"contribsys__com"},
			`(?i:BUNDLE_(?:ENTERPRISE|GEMS)__CONTRIBSYS__COM["']?\s{0,3}[=:]|(?:enterprise|gems)\.contribsys\.com)\s{0,3}["']?(?P<secret>[0-9a-f]{8}:[0-9a-f]{8})`+rightGuard(`0-9a-f`), high, vhigh,
			c("BUNDLE_ENTERPRISE__CONTRIBSYS__COM="), x(hexLower, 8), l(":"), x(hexLower, 8)),
			func(r *Rule) {
				r.Entropy = 2.2
				r.Keywords = append(r.Keywords, "enterprise.contribsys.com ", "gems.contribsys.com ")
				r.True = append(r.True, `bundle config --local enterprise.contribsys.com {V}`, `  BUNDLE_GEMS__CONTRIBSYS__COM: "{V}"`)
			}),
	}
}
