package secrets

import (
	"encoding/base64"
	"hash/crc32"
	"math/rand/v2"
	"strconv"
	"strings"

	"github.com/tollgate-dev/tollgate/scanner"
)

// Severity and precision shorthands for the tables.
const (
	crit = scanner.SeverityCritical
	high = scanner.SeverityHigh
	med  = scanner.SeverityMedium
	low  = scanner.SeverityLow

	vhigh = scanner.PrecisionVeryHigh
	phigh = scanner.PrecisionHigh
	pmed  = scanner.PrecisionMedium
)

// Builtin returns the built-in rule table (a fresh copy each call).
func Builtin() []Rule {
	var rules []Rule
	rules = append(rules, aiRules()...)
	rules = append(rules, codeHostRules()...)
	rules = append(rules, registryRules()...)
	rules = append(rules, cloudRules()...)
	rules = append(rules, messagingRules()...)
	rules = append(rules, paymentRules()...)
	rules = append(rules, saasRules()...)
	rules = append(rules, devopsRules()...)
	rules = append(rules, structuralRules()...)
	rules = append(rules, configRules()...)
	rules = append(rules, breadthRules()...)
	return rules
}

// aiRules: model providers (OpenAI keys are the largest share of leaks on PyPI).
func aiRules() []Rule {
	openai := func(id, kind, prefix string) Rule {
		parts := []part{l(prefix), x(b64url, 74), l("T3BlbkFJ"), x(b64url, 74)}
		r := patRule(id, "OpenAI", "OpenAI "+kind, []string{strings.ToLower(prefix)},
			leftGuard+`(?P<secret>`+strings.ReplaceAll(prefix, "-", `\-`)+`[0-9A-Za-z_\-]{20,120}T3BlbkFJ[0-9A-Za-z_\-]{20,120})`+rightGuard(`0-9A-Za-z_\-`),
			crit, vhigh, parts...)
		r.Verifier = "openai"
		r.False = append(r.False, `value = "`+prefix+`abcdefghij0123456789abcdefghij0123456789"`)
		return r
	}
	legacy := patRule("openai-api-key", "OpenAI", "OpenAI user API key (legacy format)", []string{"t3blbkfj"},
		leftGuard+`(?P<secret>sk-[0-9A-Za-z]{20}T3BlbkFJ[0-9A-Za-z]{20})`+rightGuard(`0-9A-Za-z`),
		crit, vhigh, l("sk-"), x(alnum, 20), l("T3BlbkFJ"), x(alnum, 20))
	legacy.Verifier = "openai"
	return []Rule{
		legacy,
		openai("openai-project-key", "project API key", "sk-proj-"),
		openai("openai-service-account-key", "service account key", "sk-svcacct-"),
		openai("openai-admin-key", "admin API key", "sk-admin-"),
		// Keys of users without a project, issued in 2024 ("sk-None-…T3BlbkFJ…").
		openai("openai-user-key", "user API key (no project)", "sk-None-"),
		with(patRule("anthropic-api-key", "Anthropic", "Anthropic API key", []string{"sk-ant-api"},
			leftGuard+`(?P<secret>sk-ant-api03-[0-9A-Za-z_\-]{93}AA)`+rightGuard(`0-9A-Za-z_\-`), crit, vhigh,
			l("sk-ant-api03-"), x(b64url, 93), l("AA")), func(r *Rule) { r.Verifier = "anthropic" }),
		patRule("anthropic-admin-key", "Anthropic", "Anthropic admin API key", []string{"sk-ant-admin"},
			leftGuard+`(?P<secret>sk-ant-admin01-[0-9A-Za-z_\-]{93}AA)`+rightGuard(`0-9A-Za-z_\-`), crit, vhigh,
			l("sk-ant-admin01-"), x(b64url, 93), l("AA")),
		with(tokenRule("huggingface-token", "Hugging Face", "Hugging Face user access token (may grant write access to models)", "hf_", "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz", 34, 34, crit),
			func(r *Rule) {
				r.Pattern = leftGuard + `(?P<secret>hf_[A-Za-z]{34})` + rightGuard(`0-9A-Za-z`)
				r.Verifier = "huggingface"
			}),
		with(tokenRule("huggingface-org-token", "Hugging Face", "Hugging Face organization API token", "api_org_", "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz", 34, 34, crit),
			func(r *Rule) { r.Pattern = leftGuard + `(?P<secret>api_org_[A-Za-z]{34})` + rightGuard(`0-9A-Za-z`) }),
		tokenRule("groq-api-key", "Groq", "Groq API key", "gsk_", alnum, 52, 52, high),
		tokenRule("perplexity-api-key", "Perplexity", "Perplexity API key", "pplx-", alnum, 48, 48, high),
		tokenRule("replicate-api-token", "Replicate", "Replicate API token", "r8_", alnum, 37, 37, high),
		tokenRule("xai-api-key", "xAI", "xAI (Grok) API key", "xai-", alnum, 80, 80, high),
		tokenRule("openrouter-api-key", "OpenRouter", "OpenRouter API key", "sk-or-v1-", hexLower, 64, 64, high),
		tokenRule("nvidia-api-key", "NVIDIA", "NVIDIA NGC / build API key", "nvapi-", b64url, 64, 64, high),
		tokenRule("cerebras-api-key", "Cerebras", "Cerebras API key", "csk-", lowerNum, 48, 48, high),
		tokenRule("fireworks-api-key", "Fireworks AI", "Fireworks AI API key", "fw_", alnum, 24, 24, high),
		patRule("langsmith-api-key", "LangChain", "LangSmith API key", []string{"lsv2_"},
			leftGuard+`(?P<secret>lsv2_(?:pt|sk)_[0-9a-f]{32}_[0-9a-f]{10})`+rightGuard(`0-9a-f`), high, vhigh,
			l("lsv2_pt_"), x(hexLower, 32), l("_"), x(hexLower, 10)),
		patRule("langfuse-secret-key", "Langfuse", "Langfuse secret key", []string{"sk-lf-"},
			leftGuard+`(?P<secret>sk-lf-[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})`+rightGuard(`0-9a-f\-`), high, vhigh,
			l("sk-lf-"), x(hexLower, 8), l("-"), x(hexLower, 4), l("-"), x(hexLower, 4), l("-"), x(hexLower, 4), l("-"), x(hexLower, 12)),
		tokenRule("anyscale-api-key", "Anyscale", "Anyscale API key", "esecret_", lowerNum, 26, 26, high),
		keyedRule("cohere-api-key", "Cohere", "Cohere API key", []string{"cohere", "co_api_key"}, alnum, 40, 40, high),
		keyedRule("mistral-api-key", "Mistral AI", "Mistral AI API key", []string{"mistral"}, alnum, 32, 32, high),
		keyedRule("together-api-key", "Together AI", "Together AI API key", []string{"together"}, hexLower, 64, 64, high),
		keyedRule("deepgram-api-key", "Deepgram", "Deepgram API key", []string{"deepgram"}, hexLower, 40, 40, high),
		keyedRule("assemblyai-api-key", "AssemblyAI", "AssemblyAI API key", []string{"assemblyai", "assembly_ai"}, hexLower, 32, 32, high),
		keyedRule("wandb-api-key", "Weights & Biases", "Weights & Biases API key", []string{"wandb"}, hexLower, 40, 40, high),
		keyedRule("elevenlabs-api-key", "ElevenLabs", "ElevenLabs API key", []string{"elevenlabs", "xi_api_key", "xi-api-key"}, hexLower, 32, 32, high),
		keyedRule("pinecone-api-key", "Pinecone", "Pinecone API key", []string{"pinecone"}, b64url, 60, 80, high),
		keyedRule("stability-api-key", "Stability AI", "Stability AI API key", []string{"stability"}, alnum, 51, 51, high),
		keyedRule("azure-openai-key", "Microsoft Azure", "Azure OpenAI / Cognitive Services key", []string{"azure_openai", "azureopenai", "cognitive", "ocp-apim-subscription-key"}, hexLower, 32, 32, high),
	}
}

// codeHostRules: GitHub, GitLab, Bitbucket and other forges.
func codeHostRules() []Rule {
	gh := func(id, desc, prefix string) Rule {
		r := tokenRule(id, "GitHub", desc, prefix, alnum, 36, 36, crit)
		r.Validate = crc32Token(prefix)
		r.Sample = crc32Sample(prefix, 30)
		r.Verifier = "github"
		// A well-formed token whose checksum does not match is not a GitHub token.
		r.False = append(r.False, `token = "`+prefix+`aBcDeFgHiJkLmNoPqRsTuVwXyZ0123456789"`)
		return r
	}
	gl := func(id, desc, prefix, set string, n int) Rule {
		return tokenRule(id, "GitLab", desc, prefix, set, n, n, high)
	}
	return []Rule{
		gh("github-pat", "GitHub personal access token (classic)", "ghp_"),
		gh("github-oauth", "GitHub OAuth access token", "gho_"),
		gh("github-user-to-server", "GitHub App user-to-server token", "ghu_"),
		gh("github-server-to-server", "GitHub App installation (server-to-server) token", "ghs_"),
		gh("github-refresh-token", "GitHub refresh token", "ghr_"),
		with(patRule("github-fine-grained-pat", "GitHub", "GitHub fine-grained personal access token", []string{"github_pat_"},
			leftGuard+`(?P<secret>github_pat_[0-9A-Za-z]{22}_[0-9A-Za-z]{59})`+rightGuard(`0-9A-Za-z_`), crit, vhigh,
			l("github_pat_"), x(alnum, 22), l("_"), x(alnum, 59)), func(r *Rule) { r.Verifier = "github" }),
		with(gl("gitlab-pat", "GitLab personal access token", "glpat-", b64url, 20), func(r *Rule) {
			r.True = append(r.True, gitlabSyntaxes...)
		}),
		gitlabRoutable("gitlab-pat-routable", "GitLab personal access token (routable format)", "glpat-", "glpat-"),
		gitlabRoutable("gitlab-runner-token-routable", "GitLab runner authentication token (routable format)", "glrt-", `glrt-(?:t\d_)?`),
		with(gitlabRoutable("gitlab-routable-token", "GitLab deploy, feed, OAuth, agent or other token (routable format)", "gldt-", `gl(?:dt|ft|oas|agent|imt|ffct|soat|ptt|cbt|oat|wt)-`),
			func(r *Rule) {
				r.Keywords = []string{"gldt-", "glft-", "gloas-", "glagent-", "glimt-", "glffct-", "glsoat-", "glptt-", "glcbt-", "gloat-", "glwt-"}
			}),
		gl("gitlab-pipeline-trigger-token", "GitLab pipeline trigger token", "glptt-", hexLower, 40),
		gl("gitlab-runner-registration-token", "GitLab runner registration token", "GR1348941", b64url, 20),
		gl("gitlab-runner-token", "GitLab runner authentication token", "glrt-", b64url, 20),
		gl("gitlab-deploy-token", "GitLab deploy token", "gldt-", b64url, 20),
		gl("gitlab-feed-token", "GitLab feed token", "glft-", b64url, 20),
		gl("gitlab-oauth-secret", "GitLab OAuth application secret", "gloas-", b64url, 64),
		gl("gitlab-agent-token", "GitLab Kubernetes agent token", "glagent-", b64url, 50),
		gl("gitlab-incoming-mail-token", "GitLab incoming mail token", "glimt-", b64url, 25),
		gl("gitlab-feature-flag-token", "GitLab feature flag client token", "glffct-", b64url, 20),
		gl("gitlab-scim-token", "GitLab SCIM OAuth token", "glsoat-", b64url, 20),
		patRule("gitlab-ci-build-token", "GitLab", "GitLab CI/CD job token", []string{"glcbt-"},
			leftGuard+`(?P<secret>glcbt-[0-9a-fA-F]{1,5}_[0-9A-Za-z_\-]{20})`+rightGuard(`0-9A-Za-z_\-`), high, vhigh,
			l("glcbt-"), x(hexLower, 2), l("_"), x(b64url, 20)),
		tokenRule("bitbucket-app-password", "Atlassian", "Bitbucket app password", "ATBB", alnum, 32, 32, high),
		keyedRule("gitea-token", "Gitea", "Gitea / Forgejo access token", []string{"gitea", "forgejo"}, hexLower, 40, 40, high),
		patRule("sourcegraph-token", "Sourcegraph", "Sourcegraph access token", []string{"sgp_"},
			leftGuard+`(?P<secret>sgp_(?:[0-9a-fA-F]{16}|local)_[0-9a-fA-F]{40})`+rightGuard(`0-9a-fA-F`), high, vhigh,
			l("sgp_"), x(hexLower, 16), l("_"), x(hexLower, 40)),
	}
}

// gitlabSyntaxes are the command lines GitLab tokens are pasted into.
var gitlabSyntaxes = []string{
	`curl --header "PRIVATE-TOKEN: {V}" "https://gitlab.example.com/api/v4/projects"`,
	`glab auth login --hostname gitlab.example.com --token {V}`,
	`docker login registry.gitlab.com -u deploy -p {V}`,
	`git clone https://oauth2:{V}@gitlab.com/group/project.git`,
}

// gitlabRoutable is a rule for GitLab's routable token format (GitLab 17+):
// prefix, base64url payload (random bytes and routing data), ".01." (the
// version), two base36 digits of the payload's length and the base36 CRC32
// of everything before it, zero-padded to seven digits. Source: GitLab's
// token generator, lib/authn/token_field/generator/routable_token.rb.
func gitlabRoutable(id, desc, prefix, prefixRe string) Rule {
	parts := []part{l(prefix), x(b64url, 40)}
	if prefix == "glrt-" {
		// Runner tokens carry the runner type: t1_ (instance), t2_, t3_.
		parts = []part{l(prefix + "t1_"), x(b64url, 40)}
	}
	r := patRule(id, "GitLab", desc, []string{prefix},
		leftGuard+`(?P<secret>`+prefixRe+`[0-9A-Za-z_\-]{27,300}\.(?:[0-9a-z]{2}\.)?[0-9a-z]{9})`+rightGuard(`0-9A-Za-z_\-.`), crit, vhigh, parts...)
	r.Entropy = 4
	r.Validate = gitlabRoutableValid
	r.Sample = func(rng *rand.Rand) (string, string) {
		payload, _ := shapeSample(parts)(rng)
		s := gitlabRoutableSum(payload + ".01." + base36Pad(uint64(len(payload)-len(prefix)), 2))
		return s, s
	}
	r.True = append(r.True, gitlabSyntaxes...)
	// A routable-shaped token whose CRC32 does not match is not a GitLab token.
	r.False = append(r.False, `token = "`+prefix+`Zm9vYmFyYmF6cXV4cXV1eGNvcmdlZ3JhdWx0.01.1a0k3j2h1g"`)
	return r
}

// base36Pad writes v in base 36, zero-padded to width.
func base36Pad(v uint64, width int) string {
	s := strconv.FormatUint(v, 36)
	for len(s) < width {
		s = "0" + s
	}
	return s
}

// gitlabRoutableSum appends the base36 CRC32 GitLab puts at a routable
// token's end.
func gitlabRoutableSum(body string) string {
	return body + base36Pad(uint64(crc32.ChecksumIEEE([]byte(body))), 7)
}

// gitlabRoutableValid checks a routable token's CRC32.
func gitlabRoutableValid(tok string) bool {
	return len(tok) > 7 && gitlabRoutableSum(tok[:len(tok)-7]) == tok
}

// registryRules: package registries (publishing tokens are a supply-chain risk).
func registryRules() []Rule {
	npm := tokenRule("npm-token", "npm", "npm access token", "npm_", alnum, 36, 36, crit)
	npm.Validate = crc32Token("npm_")
	npm.Sample = crc32Sample("npm_", 30)
	npm.False = append(npm.False, `//registry.npmjs.org/:_authToken=npm_aBcDeFgHiJkLmNoPqRsTuVwXyZ0123456789`) // tollgate:allow (test value)
	return []Rule{
		npm,
		patRule("npmrc-auth-token", "npm", "npm registry auth token in .npmrc", []string{"_authtoken"},
			`(?i)_authToken\s*=\s*["']?(?P<secret>[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}|[0-9A-Za-z+/=_\-.]{30,})`, crit, phigh,
			c("//registry.npmjs.org/:_authToken="), x(hexLower, 8), l("-"), x(hexLower, 4), l("-"), x(hexLower, 4), l("-"), x(hexLower, 4), l("-"), x(hexLower, 12)),
		patRule("pypi-upload-token", "PyPI", "PyPI upload token", []string{"pypi-ageichlwas5vcmc"},
			leftGuard+`(?P<secret>pypi-AgEIcHlwaS5vcmc[0-9A-Za-z_\-]{50,})`, crit, vhigh,
			l("pypi-AgEIcHlwaS5vcmc"), x(b64url, 120)),
		patRule("pypi-test-upload-token", "PyPI", "TestPyPI upload token", []string{"pypi-agendgvzdc5wexbplm9yz"},
			leftGuard+`(?P<secret>pypi-AgENdGVzdC5weXBpLm9yZ[0-9A-Za-z_\-]{50,})`, med, vhigh,
			l("pypi-AgENdGVzdC5weXBpLm9yZ"), x(b64url, 120)),
		tokenRule("rubygems-api-key", "RubyGems", "RubyGems API key", "rubygems_", hexLower, 48, 48, crit),
		tokenRule("nuget-api-key", "NuGet", "NuGet.org API key", "oy2", lowerNum, 43, 43, crit),
		tokenRule("crates-io-token", "crates.io", "crates.io API token", "cio", alnum, 32, 32, crit),
		patRule("packagist-token", "Private Packagist", "Private Packagist token", []string{"packagist_"},
			leftGuard+`(?P<secret>packagist_[ou][ru]t_[0-9a-f]{68})`+rightGuard(`0-9a-f`), high, vhigh,
			l("packagist_uut_"), x(hexLower, 68)),
		tokenRule("clojars-token", "Clojars", "Clojars deploy token", "CLOJARS_", lowerNum, 60, 60, high),
		tokenRule("docker-hub-pat", "Docker", "Docker Hub personal access token", "dckr_pat_", b64url, 27, 27, high),
		tokenRule("docker-hub-oat", "Docker", "Docker Hub organization access token", "dckr_oat_", b64url, 32, 32, high),
		tokenRule("jfrog-api-key", "JFrog", "JFrog Artifactory API key", "AKCp", alnum, 69, 69, high),
		tokenRule("jfrog-reference-token", "JFrog", "JFrog Artifactory reference token", "cmVmdGtu", alnum, 56, 56, high),
		with(patRule("docker-config-auth", "Docker", "registry credentials in a Docker config.json", []string{`"auth"`},
			`"auth"\s*:\s*"(?P<secret>[A-Za-z0-9+/]{16,}={0,2})"`, high, phigh), func(r *Rule) {
			r.Validate = func(s string) bool {
				raw, err := base64.StdEncoding.DecodeString(s)
				return err == nil && strings.Contains(string(raw), ":") && len(raw) > 8
			}
			r.Sample = func(rng *rand.Rand) (string, string) {
				s := b64Sample(rng)
				return `{"auths": {"ghcr.io": {"auth": "` + s + `"}}}`, s
			}
			r.False = []string{`{"auths": {"ghcr.io": {"auth": "` + base64.StdEncoding.EncodeToString([]byte("no colon in here at all")) + `"}}}`}
		}),
	}
}

// b64Sample base64-encodes a random "user:password" pair (Docker auth).
func b64Sample(r *rand.Rand) string {
	return base64.StdEncoding.EncodeToString([]byte("user:" + randString(r, alnum, 24)))
}
