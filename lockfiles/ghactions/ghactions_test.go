package ghactions_test

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/tollgate-dev/tollgate/internal/shareddata"
	"github.com/tollgate-dev/tollgate/lockfiles"
	"github.com/tollgate-dev/tollgate/lockfiles/ghactions"
	lt "github.com/tollgate-dev/tollgate/lockfiles/lockfilestest"
)

var local = lt.Str(lockfiles.SourceLocal)

func TestMatch(t *testing.T) {
	var p ghactions.Parser
	for path, want := range map[string]bool{
		".github/workflows/ci.yml":            true,
		".github/workflows/release.yaml":      true,
		"sub/project/.github/workflows/x.yml": true,
		".github/workflows/nested/ci.yml":     false,
		".github/workflows/README.md":         false,
		".github/dependabot.yml":              false,
		"workflows/ci.yml":                    false,
		"action.yml":                          true,
		"tools/my-action/action.yaml":         true,
		"tools/my-action/action.yml.bak":      false,
		"myaction.yml":                        false,
		"ci.yml":                              false,
	} {
		if got := p.Match(path); got != want {
			t.Errorf("Match(%q) = %v, want %v", path, got, want)
		}
	}
	if p.Name() != "github-actions/workflow" {
		t.Errorf("Name() = %q", p.Name())
	}
}

// TestRealFiles parses every workflow of the shared corpus. Counts are
// `grep -cE '^\s*(- )?uses:' FILE`: that pattern leaves out comment lines
// mentioning `uses:` (osv-scanner-reusable*.yml) and "statuses: write"
// (pydantic upload-previews.yml); a line-by-line comparison of the grep hits
// with the parser's lines found no uses: inside run: scripts, and vuejs-core
// size-report.yml holds two uses: under a step's parallel: list (lines 51, 57),
// which are counted. No file uses an expression or docker:// reference. The
// entries (first, middle and last uses: of each file) were read from the grep
// output, not from the parser.
func TestRealFiles(t *testing.T) {
	dir := shareddata.Path(t, "lockfiles", "github-workflows")
	tests := []struct {
		file  string
		count int
		wants []lt.Want
	}{
		{"aquasecurity-trivy/auto-close-issue.yaml", 1, []lt.Want{{Name: "actions/github-script", Version: "3a2844b7e9c422d3c10d287c895573f7108da1b3", Line: 12}}},
		{"aquasecurity-trivy/auto-ready-for-review.yaml", 1, []lt.Want{{Name: "actions/github-script", Version: "3a2844b7e9c422d3c10d287c895573f7108da1b3", Line: 37}}},
		{"aquasecurity-trivy/auto-update-labels.yaml", 2, []lt.Want{{Name: "actions/checkout", Version: "3d3c42e5aac5ba805825da76410c181273ba90b1", Line: 14}, {Name: "./.github/actions/setup-go", Version: "", Line: 19, Source: local}}},
		{"aquasecurity-trivy/backport.yaml", 2, []lt.Want{{Name: "actions/create-github-app-token", Version: "bcd2ba49218906704ab6c1aa796996da409d3eb1", Line: 41}, {Name: "actions/checkout", Version: "3d3c42e5aac5ba805825da76410c181273ba90b1", Line: 49}}},
		{"aquasecurity-trivy/bypass-cla.yaml", 0, []lt.Want{}},
		{"aquasecurity-trivy/bypass-test.yaml", 0, []lt.Want{}},
		{"aquasecurity-trivy/cache-test-assets.yaml", 9, []lt.Want{{Name: "actions/checkout", Version: "3d3c42e5aac5ba805825da76410c181273ba90b1", Line: 18}, {Name: "./.github/actions/setup-go", Version: "", Line: 55, Source: local}, {Name: "golangci/golangci-lint-action", Version: "ba0d7d2ec06a0ea1cb5fa41b2e4a3ab91d21278a", Line: 90}}},
		{"aquasecurity-trivy/canary.yaml", 6, []lt.Want{{Name: "./.github/workflows/reusable-release.yaml", Version: "", Line: 16, Source: local}, {Name: "actions/upload-artifact", Version: "043fb46d1a93c77aae656e7c1c64a875d1fc6a0a", Line: 50}, {Name: "actions/upload-artifact", Version: "043fb46d1a93c77aae656e7c1c64a875d1fc6a0a", Line: 64}}},
		{"aquasecurity-trivy/mkdocs-dev.yaml", 2, []lt.Want{{Name: "actions/checkout", Version: "3d3c42e5aac5ba805825da76410c181273ba90b1", Line: 15}, {Name: "actions/setup-python", Version: "5fda3b95a4ea91299a34e894583c3862153e4b97", Line: 19}}},
		{"aquasecurity-trivy/mkdocs-latest.yaml", 3, []lt.Want{{Name: "actions/checkout", Version: "3d3c42e5aac5ba805825da76410c181273ba90b1", Line: 17}, {Name: "actions/setup-python", Version: "5fda3b95a4ea91299a34e894583c3862153e4b97", Line: 21}, {Name: "actions/create-github-app-token", Version: "bcd2ba49218906704ab6c1aa796996da409d3eb1", Line: 52}}},
		{"aquasecurity-trivy/publish-chart.yaml", 6, []lt.Want{{Name: "actions/checkout", Version: "3d3c42e5aac5ba805825da76410c181273ba90b1", Line: 25}, {Name: "helm/chart-testing-action", Version: "6ec842c01de15ebb84c8627d2744a0c2f2755c9f", Line: 40}, {Name: "actions/create-github-app-token", Version: "bcd2ba49218906704ab6c1aa796996da409d3eb1", Line: 68}}},
		{"aquasecurity-trivy/release-please.yaml", 7, []lt.Want{{Name: "actions/create-github-app-token", Version: "bcd2ba49218906704ab6c1aa796996da409d3eb1", Line: 24}, {Name: "actions/create-github-app-token", Version: "bcd2ba49218906704ab6c1aa796996da409d3eb1", Line: 92}, {Name: "actions/github-script", Version: "3a2844b7e9c422d3c10d287c895573f7108da1b3", Line: 137}}},
		{"aquasecurity-trivy/release-pr-check.yaml", 0, []lt.Want{}},
		{"aquasecurity-trivy/release.yaml", 6, []lt.Want{{Name: "./.github/workflows/reusable-release.yaml", Version: "", Line: 10, Source: local}, {Name: "actions/checkout", Version: "3d3c42e5aac5ba805825da76410c181273ba90b1", Line: 64}, {Name: "actions/create-github-app-token", Version: "bcd2ba49218906704ab6c1aa796996da409d3eb1", Line: 95}}},
		{"aquasecurity-trivy/reusable-release.yaml", 13, []lt.Want{{Name: "sigstore/cosign-installer", Version: "6f9f17788090df1f26f669e9d70d6ae9567deba6", Line: 45}, {Name: "actions/checkout", Version: "3d3c42e5aac5ba805825da76410c181273ba90b1", Line: 80}, {Name: "actions/cache", Version: "55cc8345863c7cc4c66a329aec7e433d2d1c52a9", Line: 148}}},
		{"aquasecurity-trivy/scan.yaml", 2, []lt.Want{{Name: "actions/checkout", Version: "3d3c42e5aac5ba805825da76410c181273ba90b1", Line: 13}, {Name: "knqyf263/trivy-issue-action", Version: "4466f52d1401b66dd2a2ab9e0c40cddc021829ec", Line: 18}}},
		{"aquasecurity-trivy/semantic-pr.yaml", 0, []lt.Want{}},
		{"aquasecurity-trivy/spdx-cron.yaml", 3, []lt.Want{{Name: "actions/checkout", Version: "3d3c42e5aac5ba805825da76410c181273ba90b1", Line: 13}, {Name: "./.github/actions/setup-go", Version: "", Line: 18, Source: local}, {Name: "slackapi/slack-github-action", Version: "dcb1066f776dd043e64d0e8ba94ca15cc7e1875d", Line: 33}}},
		{"aquasecurity-trivy/stale-issues.yaml", 1, []lt.Want{{Name: "actions/stale", Version: "1e223db275d687790206a7acac4d1a11bd6fe629", Line: 10}}},
		{"aquasecurity-trivy/test-docs.yaml", 2, []lt.Want{{Name: "actions/checkout", Version: "3d3c42e5aac5ba805825da76410c181273ba90b1", Line: 13}, {Name: "actions/setup-python", Version: "5fda3b95a4ea91299a34e894583c3862153e4b97", Line: 17}}},
		{"aquasecurity-trivy/test.yaml", 22, []lt.Want{{Name: "actions/checkout", Version: "3d3c42e5aac5ba805825da76410c181273ba90b1", Line: 22}, {Name: "actions/cache", Version: "55cc8345863c7cc4c66a329aec7e433d2d1c52a9", Line: 153}, {Name: "zizmorcore/zizmor-action", Version: "6fc4b006235f201fdab3722e17240ab420d580e5", Line: 271}}},
		{"aquasecurity-trivy/triage.yaml", 2, []lt.Want{{Name: "actions/checkout", Version: "3d3c42e5aac5ba805825da76410c181273ba90b1", Line: 13}, {Name: "./.github/actions/trivy-triage", Version: "", Line: 16, Source: local}}},
		{"excalidraw-excalidraw-tags-7bf4de5/autorelease-excalidraw.yml", 2, []lt.Want{{Name: "actions/checkout", Version: "v2", Line: 12}, {Name: "actions/setup-node", Version: "v2", Line: 16}}},
		{"excalidraw-excalidraw-tags-7bf4de5/autorelease-preview.yml", 5, []lt.Want{{Name: "peter-evans/create-or-update-comment", Version: "v1", Line: 13}, {Name: "actions/checkout", Version: "v2", Line: 31}, {Name: "peter-evans/create-or-update-comment", Version: "v1", Line: 51}}},
		{"excalidraw-excalidraw-tags-7bf4de5/build-docker.yml", 1, []lt.Want{{Name: "actions/checkout", Version: "v2", Line: 12}}},
		{"excalidraw-excalidraw-tags-7bf4de5/cancel.yml", 1, []lt.Want{{Name: "styfle/cancel-workflow-action", Version: "0.6.0", Line: 14}}},
		{"excalidraw-excalidraw-tags-7bf4de5/lint.yml", 2, []lt.Want{{Name: "actions/checkout", Version: "v2", Line: 10}, {Name: "actions/setup-node", Version: "v2", Line: 13}}},
		{"excalidraw-excalidraw-tags-7bf4de5/locales-coverage.yml", 3, []lt.Want{{Name: "actions/checkout", Version: "v2", Line: 13}, {Name: "actions/setup-node", Version: "v2", Line: 18}, {Name: "kt3k/update-pr-description", Version: "v1.0.1", Line: 43}}},
		{"excalidraw-excalidraw-tags-7bf4de5/publish-docker.yml", 3, []lt.Want{{Name: "actions/checkout", Version: "v3", Line: 14}, {Name: "docker/login-action", Version: "v2", Line: 16}, {Name: "docker/build-push-action", Version: "v3", Line: 21}}},
		{"excalidraw-excalidraw-tags-7bf4de5/semantic-pr-title.yml", 1, []lt.Want{{Name: "amannn/action-semantic-pull-request", Version: "v3.0.0", Line: 14}}},
		{"excalidraw-excalidraw-tags-7bf4de5/sentry-production.yml", 2, []lt.Want{{Name: "actions/checkout", Version: "v2", Line: 12}, {Name: "actions/setup-node", Version: "v2", Line: 14}}},
		{"excalidraw-excalidraw-tags-7bf4de5/test.yml", 2, []lt.Want{{Name: "actions/checkout", Version: "v2", Line: 9}, {Name: "actions/setup-node", Version: "v2", Line: 11}}},
		{"google-osv-scanner/cassettes.yml", 3, []lt.Want{{Name: "actions/checkout", Version: "3d3c42e5aac5ba805825da76410c181273ba90b1", Line: 24}, {Name: "actions/setup-go", Version: "b7ad1dad31e06c5925ef5d2fc7ad053ef454303e", Line: 27}, {Name: "peter-evans/create-pull-request", Version: "5f6978faf089d4d20b00c7766989d076bb2fc7f1", Line: 36}}},
		{"google-osv-scanner/checks.yml", 9, []lt.Want{{Name: "actions/checkout", Version: "3d3c42e5aac5ba805825da76410c181273ba90b1", Line: 41}, {Name: "actions/checkout", Version: "3d3c42e5aac5ba805825da76410c181273ba90b1", Line: 74}, {Name: "./actions/internal/lint-action", Version: "", Line: 99, Source: local}}},
		{"google-osv-scanner/codeql-analysis.yml", 5, []lt.Want{{Name: "actions/checkout", Version: "3d3c42e5aac5ba805825da76410c181273ba90b1", Line: 43}, {Name: "github/codeql-action/init", Version: "f205ea1c3313d32999d8d6a48b4f6530d4437b38", Line: 51}, {Name: "github/codeql-action/analyze", Version: "f205ea1c3313d32999d8d6a48b4f6530d4437b38", Line: 76}}},
		{"google-osv-scanner/dependencies.yml", 3, []lt.Want{{Name: "actions/checkout", Version: "3d3c42e5aac5ba805825da76410c181273ba90b1", Line: 24}, {Name: "actions/setup-go", Version: "b7ad1dad31e06c5925ef5d2fc7ad053ef454303e", Line: 27}, {Name: "peter-evans/create-pull-request", Version: "5f6978faf089d4d20b00c7766989d076bb2fc7f1", Line: 42}}},
		{"google-osv-scanner/docs-deploy.yml", 5, []lt.Want{{Name: "actions/checkout", Version: "3d3c42e5aac5ba805825da76410c181273ba90b1", Line: 33}, {Name: "actions/configure-pages", Version: "45bfe0192ca1faeb007ade9deae92b16b8254a0d", Line: 42}, {Name: "actions/deploy-pages", Version: "cd2ce8fcbc39b97be8ca5fce6e763baed58fa128", Line: 66}}},
		{"google-osv-scanner/goreleaser-nightly.yml", 6, []lt.Want{{Name: "actions/checkout", Version: "3d3c42e5aac5ba805825da76410c181273ba90b1", Line: 26}, {Name: "docker/setup-buildx-action", Version: "bb05f3f5519dd87d3ba754cc423b652a5edd6d2c", Line: 37}, {Name: "goreleaser/goreleaser-action", Version: "f06c13b6b1a9625abc9e6e439d9c05a8f2190e94", Line: 46}}},
		{"google-osv-scanner/goreleaser.yml", 7, []lt.Want{{Name: "actions/checkout", Version: "3d3c42e5aac5ba805825da76410c181273ba90b1", Line: 25}, {Name: "docker/setup-buildx-action", Version: "bb05f3f5519dd87d3ba754cc423b652a5edd6d2c", Line: 36}, {Name: "slsa-framework/slsa-github-generator/.github/workflows/generator_generic_slsa3.yml", Version: "v2.1.0", Line: 79}}},
		{"google-osv-scanner/links.yml", 2, []lt.Want{{Name: "actions/checkout", Version: "3d3c42e5aac5ba805825da76410c181273ba90b1", Line: 23}, {Name: "tcort/github-action-markdown-link-check", Version: "e047c5b37f24ab722bbef1a27b6fab7f96bc4068", Line: 26}}},
		{"google-osv-scanner/osv-scanner-reusable-pr.yml", 0, []lt.Want{}},
		{"google-osv-scanner/osv-scanner-reusable.yml", 0, []lt.Want{}},
		{"google-osv-scanner/osv-scanner-unified-action.yml", 2, []lt.Want{{Name: "google/osv-scanner-action/.github/workflows/osv-scanner-reusable.yml", Version: "nightly", Line: 37}, {Name: "google/osv-scanner-action/.github/workflows/osv-scanner-reusable-pr.yml", Version: "nightly", Line: 45}}},
		{"google-osv-scanner/prerelease-check.yml", 19, []lt.Want{{Name: "google/osv-scanner-action/.github/workflows/osv-scanner-reusable.yml", Version: "main", Line: 25}, {Name: "./actions/internal/lint-action", Version: "", Line: 89, Source: local}, {Name: "actions/setup-go", Version: "b7ad1dad31e06c5925ef5d2fc7ad053ef454303e", Line: 155}}},
		{"google-osv-scanner/renovate-validator.yml", 2, []lt.Want{{Name: "actions/checkout", Version: "3d3c42e5aac5ba805825da76410c181273ba90b1", Line: 24}, {Name: "actions/setup-node", Version: "820762786026740c76f36085b0efc47a31fe5020", Line: 29}}},
		{"google-osv-scanner/scorecards.yml", 4, []lt.Want{{Name: "actions/checkout", Version: "3d3c42e5aac5ba805825da76410c181273ba90b1", Line: 36}, {Name: "actions/upload-artifact", Version: "043fb46d1a93c77aae656e7c1c64a875d1fc6a0a", Line: 63}, {Name: "github/codeql-action/upload-sarif", Version: "f205ea1c3313d32999d8d6a48b4f6530d4437b38", Line: 71}}},
		{"google-osv-scanner/snapshots.yml", 3, []lt.Want{{Name: "actions/checkout", Version: "3d3c42e5aac5ba805825da76410c181273ba90b1", Line: 24}, {Name: "actions/setup-go", Version: "b7ad1dad31e06c5925ef5d2fc7ad053ef454303e", Line: 27}, {Name: "peter-evans/create-pull-request", Version: "5f6978faf089d4d20b00c7766989d076bb2fc7f1", Line: 36}}},
		{"google-osv-scanner/staleness.yml", 1, []lt.Want{{Name: "actions/stale", Version: "4391f3da665fdf50b6810c1a66712fb9ba21aa93", Line: 16}}},
		{"google-osv-scanner/tests.yml", 12, []lt.Want{{Name: "actions/checkout", Version: "3d3c42e5aac5ba805825da76410c181273ba90b1", Line: 53}, {Name: "./actions/internal/test-action", Version: "", Line: 97, Source: local}, {Name: "goreleaser/goreleaser-action", Version: "f06c13b6b1a9625abc9e6e439d9c05a8f2190e94", Line: 123}}},
		{"google-osv-scanner/title.yml", 1, []lt.Want{{Name: "amannn/action-semantic-pull-request", Version: "48f256284bd46cdaab1048c3721360e808335d50", Line: 32}}},
		{"google-osv-scanner/zizmor.yml", 2, []lt.Want{{Name: "actions/checkout", Version: "3d3c42e5aac5ba805825da76410c181273ba90b1", Line: 20}, {Name: "zizmorcore/zizmor-action", Version: "6fc4b006235f201fdab3722e17240ab420d580e5", Line: 25}}},
		{"pydantic-pydantic/ci.yml", 83, []lt.Want{{Name: "actions/checkout", Version: "9c091bb21b7c1c1d1991bb908d89e4e9dddfe3e0", Line: 28}, {Name: "Swatinem/rust-cache", Version: "c19371144df3bb44fab255c43d04cbc2ab54d1c4", Line: 533}, {Name: "astral-sh/setup-uv", Version: "c771a70e6277c0a99b617c7a806ffedaca235ff9", Line: 1014}}},
		{"pydantic-pydantic/codspeed.yml", 6, []lt.Want{{Name: "actions/checkout", Version: "9c091bb21b7c1c1d1991bb908d89e4e9dddfe3e0", Line: 24}, {Name: "dtolnay/rust-toolchain", Version: "fa04a1451ff1842e2626ccb99004d0195b455a88", Line: 40}, {Name: "CodSpeedHQ/action", Version: "f99becdce5e5d51fd556489ebef684f4ecfd6286", Line: 60}}},
		{"pydantic-pydantic/coverage.yml", 1, []lt.Want{{Name: "py-cov-action/python-coverage-comment-action", Version: "5d8df5979747514c914e1c5a12335a7cf9a2745f", Line: 22}}},
		{"pydantic-pydantic/dependencies-check.yml", 4, []lt.Want{{Name: "actions/checkout", Version: "9c091bb21b7c1c1d1991bb908d89e4e9dddfe3e0", Line: 22}, {Name: "actions/checkout", Version: "9c091bb21b7c1c1d1991bb908d89e4e9dddfe3e0", Line: 47}, {Name: "actions/setup-python", Version: "5fda3b95a4ea91299a34e894583c3862153e4b97", Line: 51}}},
		{"pydantic-pydantic/docs-update.yml", 9, []lt.Want{{Name: "actions/checkout", Version: "9c091bb21b7c1c1d1991bb908d89e4e9dddfe3e0", Line: 25}, {Name: "astral-sh/setup-uv", Version: "c771a70e6277c0a99b617c7a806ffedaca235ff9", Line: 54}, {Name: "samuelcolvin/check-python-version", Version: "ee87cddb8049d2694cc03badc8569765a05cef00", Line: 116}}},
		{"pydantic-pydantic/enforce-issue-assignment.yml", 1, []lt.Want{{Name: "actions/github-script", Version: "3a2844b7e9c422d3c10d287c895573f7108da1b3", Line: 21}}},
		{"pydantic-pydantic/integration.yml", 4, []lt.Want{{Name: "actions/checkout", Version: "9c091bb21b7c1c1d1991bb908d89e4e9dddfe3e0", Line: 19}, {Name: "actions/checkout", Version: "9c091bb21b7c1c1d1991bb908d89e4e9dddfe3e0", Line: 37}, {Name: "astral-sh/setup-uv", Version: "c771a70e6277c0a99b617c7a806ffedaca235ff9", Line: 41}}},
		{"pydantic-pydantic/third-party.yml", 65, []lt.Want{{Name: "library/postgres", Version: "15.1-bullseye", Line: 344}, {Name: "redis/redis-stack", Version: "latest", Line: 760}, {Name: "actions/checkout", Version: "9c091bb21b7c1c1d1991bb908d89e4e9dddfe3e0", Line: 52}, {Name: "astral-sh/setup-uv", Version: "c771a70e6277c0a99b617c7a806ffedaca235ff9", Line: 531}, {Name: "actions/github-script", Version: "3a2844b7e9c422d3c10d287c895573f7108da1b3", Line: 1046}}},
		{"pydantic-pydantic/update-pydantic-people.yml", 2, []lt.Want{{Name: "actions/checkout", Version: "9c091bb21b7c1c1d1991bb908d89e4e9dddfe3e0", Line: 16}, {Name: "./.github/actions/people", Version: "", Line: 20, Source: local}}},
		{"pydantic-pydantic/upload-previews.yml", 2, []lt.Want{{Name: "actions/setup-python", Version: "5fda3b95a4ea91299a34e894583c3862153e4b97", Line: 19}, {Name: "dawidd6/action-download-artifact", Version: "b6e2e70617bc3265edd6dab6c906732b2f1ae151", Line: 25}}},
		{"vuejs-core/autofix.yml", 4, []lt.Want{{Name: "actions/checkout", Version: "3d3c42e5aac5ba805825da76410c181273ba90b1", Line: 19}, {Name: "actions/setup-node", Version: "820762786026740c76f36085b0efc47a31fe5020", Line: 27}, {Name: "autofix-ci/action", Version: "7a166d7532b277f34e16238930461bf77f9d7ed8", Line: 41}}},
		{"vuejs-core/ci.yml", 4, []lt.Want{{Name: "./.github/workflows/test.yml", Version: "", Line: 23, Source: local}, {Name: "pnpm/action-setup", Version: "0ebf47130e4866e96fce0953f49152a61190b271", Line: 35}, {Name: "actions/setup-node", Version: "820762786026740c76f36085b0efc47a31fe5020", Line: 38}}},
		{"vuejs-core/close-cant-reproduce-issues.yml", 1, []lt.Want{{Name: "actions-cool/issues-helper", Version: "200c78641dbf33838311e5a1e0c31bbdb92d7cf0", Line: 16}}},
		{"vuejs-core/ecosystem-ci-trigger.yml", 3, []lt.Want{{Name: "actions/github-script", Version: "3a2844b7e9c422d3c10d287c895573f7108da1b3", Line: 18}, {Name: "actions/github-script", Version: "3a2844b7e9c422d3c10d287c895573f7108da1b3", Line: 53}, {Name: "actions/github-script", Version: "3a2844b7e9c422d3c10d287c895573f7108da1b3", Line: 70}}},
		{"vuejs-core/lock-closed-issues.yml", 1, []lt.Want{{Name: "dessant/lock-threads", Version: "89ae32b08ed1a541efecbab17912962a5e38981c", Line: 15}}},
		{"vuejs-core/release.yml", 5, []lt.Want{{Name: "./.github/workflows/test.yml", Version: "", Line: 10, Source: local}, {Name: "pnpm/action-setup", Version: "0ebf47130e4866e96fce0953f49152a61190b271", Line: 29}, {Name: "yyx990803/release-tag", Version: "8cccf7c5aa332d71d222df46677f70f77a8d2dc0", Line: 50}}},
		{"vuejs-core/size-data.yml", 4, []lt.Want{{Name: "actions/checkout", Version: "3d3c42e5aac5ba805825da76410c181273ba90b1", Line: 29}, {Name: "actions/setup-node", Version: "820762786026740c76f36085b0efc47a31fe5020", Line: 37}, {Name: "actions/upload-artifact", Version: "043fb46d1a93c77aae656e7c1c64a875d1fc6a0a", Line: 54}}},
		{"vuejs-core/size-report.yml", 9, []lt.Want{{Name: "actions/checkout", Version: "3d3c42e5aac5ba805825da76410c181273ba90b1", Line: 25}, {Name: "juliangruber/read-file-action", Version: "271ff311a4947af354c6abcd696a306553b9ec18", Line: 51}, {Name: "actions-cool/maintain-one-comment-backup", Version: "fbbc22ad1809c1bcf46f19b58397b6254773588c", Line: 82}}},
		{"vuejs-core/test.yml", 14, []lt.Want{{Name: "actions/checkout", Version: "3d3c42e5aac5ba805825da76410c181273ba90b1", Line: 14}, {Name: "actions/cache", Version: "55cc8345863c7cc4c66a329aec7e433d2d1c52a9", Line: 67}, {Name: "actions/setup-node", Version: "820762786026740c76f36085b0efc47a31fe5020", Line: 110}}},
	}
	files, err := filepath.Glob(filepath.Join(dir, "*", "*.y*ml"))
	if err != nil {
		t.Fatal(err)
	}
	if len(files) != len(tests) {
		t.Errorf("%d files in the corpus, %d in the table", len(files), len(tests))
	}
	var total, locals, pinned, comments, tagged, images int
	for _, tc := range tests {
		t.Run(tc.file, func(t *testing.T) {
			pkgs := lt.ParseFile(t, ghactions.Parser{}, filepath.Join(dir, tc.file))
			if len(pkgs) != tc.count {
				t.Fatalf("%d packages, want %d", len(pkgs), tc.count)
			}
			lt.Check(t, pkgs, tc.wants)
			for _, p := range pkgs {
				if p.Ecosystem == lockfiles.EcosystemDocker {
					images++ // services: and container: images
					continue
				}
				total++
				if !p.Direct || p.Ecosystem != lockfiles.EcosystemGitHubActions || p.Line <= 0 {
					t.Errorf("unexpected fields: %+v", p)
				}
				switch {
				case p.Source == lockfiles.SourceLocal:
					locals++
				case p.PinnedSHA:
					pinned++
					if strings.HasPrefix(p.Resolved, "ref comment: ") {
						comments++
					}
				default:
					tagged++
				}
			}
		})
	}
	// grep over all files: 416 uses:, 27 starting with ./, 363 @<40 hex> of
	// which 8 have no trailing comment, 26 other refs (tags and branches).
	// grep image: gives the 4 service images, all in pydantic's third-party.yml.
	if images != 4 {
		t.Errorf("%d images, want 4", images)
	}
	if total != 416 || locals != 27 || pinned != 363 || comments != 355 || tagged != 26 {
		t.Errorf("totals: %d uses, %d local, %d pinned (%d with comment), %d tagged; want 416, 27, 363 (355), 26",
			total, locals, pinned, comments, tagged)
	}
}

// TestRealFileDetails checks PURL, PinnedSHA and the ref comment of known lines.
func TestRealFileDetails(t *testing.T) {
	dir := shareddata.Path(t, "lockfiles", "github-workflows")
	pkgs := lt.ParseFile(t, ghactions.Parser{}, filepath.Join(dir, "google-osv-scanner", "tests.yml"))
	byLine := map[int]lockfiles.Package{}
	for _, p := range pkgs {
		byLine[p.Line] = p
	}
	// grep -n uses: tests.yml: line 53 is actions/checkout@3d3c42e... # v7.0.1,
	// line 97 is ./actions/internal/test-action.
	co := byLine[53]
	if co.Name != "actions/checkout" || !co.PinnedSHA || co.Resolved != "ref comment: v7.0.1" ||
		co.PURL != "pkg:githubactions/actions/checkout@3d3c42e5aac5ba805825da76410c181273ba90b1" {
		t.Errorf("line 53: %+v", co)
	}
	if l := byLine[97]; l.Name != "./actions/internal/test-action" || l.Source != lockfiles.SourceLocal || l.PinnedSHA {
		t.Errorf("line 97: %+v", l)
	}
	// A quoted reusable workflow at a branch: line 37 of
	// osv-scanner-unified-action.yml (grep -n uses:).
	pkgs = lt.ParseFile(t, ghactions.Parser{}, filepath.Join(dir, "google-osv-scanner", "osv-scanner-unified-action.yml"))
	found := false
	for _, p := range pkgs {
		if p.Name == "google/osv-scanner-action/.github/workflows/osv-scanner-reusable.yml" && p.Version == "nightly" && p.Line == 37 {
			found = true
			if p.PinnedSHA || p.PURL != "pkg:githubactions/google/osv-scanner-action%2F.github%2Fworkflows%2Fosv-scanner-reusable.yml@nightly" {
				t.Errorf("reusable workflow: %+v", p)
			}
		}
	}
	if !found {
		t.Errorf("no osv-scanner-reusable.yml@nightly in %+v", pkgs)
	}
}

func TestTricky(t *testing.T) {
	pkgs := lt.ParseFile(t, ghactions.Parser{}, filepath.Join("testdata", "workflow.yml"))
	// 17 uses: lines; the expression (line 19) is skipped, the alias step
	// (line 32) repeats line 31's uses:, the run: text (line 20) is not a uses:.
	// Images: container at line 10 and 38, services at 42 and 43; the
	// expression (45) and the empty image (47) give nothing.
	if len(pkgs) != 19 {
		t.Fatalf("%d packages, want 19: %+v", len(pkgs), pkgs)
	}
	const sha = "sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef"
	const sha2 = "sha256:fedcba9876543210fedcba9876543210fedcba9876543210fedcba9876543210"
	lt.Check(t, pkgs, []lt.Want{
		{Name: "octo-org/shared/.github/workflows/build.yml", Version: "v2", Line: 5,
			PURL: "pkg:githubactions/octo-org/shared%2F.github%2Fworkflows%2Fbuild.yml@v2"},
		{Name: "./.github/workflows/local.yml", Version: "", Line: 7, Source: local},
		{Name: "actions/checkout", Version: "8f4b7f84864484a7bf31766abe9204da3cbe65b3", Line: 12, Source: lt.Str("")},
		{Name: "github/codeql-action/init", Version: "v3", Line: 14},
		{Name: "Actions/Setup-Go", Version: "main", Line: 15},
		{Name: "./.github/actions/setup", Version: "", Line: 16, Source: local},
		{Name: "library/alpine", Version: "3.18", Line: 17, PURL: "pkg:docker/library/alpine@3.18"},
		{Name: "ghcr.io/owner/img", Version: sha, Line: 18, PURL: "pkg:docker/owner/img@" + sha + "?repository_url=ghcr.io"},
		{Name: "owner/no-ref", Version: "", Line: 21, Source: lt.Str(lockfiles.SourceUnpinned)},
		{Name: "octo/parallel-a", Version: "v1", Line: 23},
		{Name: "octo/parallel-b", Version: "0123456789abcdef0123456789abcdef01234567", Line: 24},
		{Name: "actions/checkout", Version: "v4", Line: 31},
		{Name: "library/node", Version: sha2, Line: 33, PURL: "pkg:docker/library/node@" + sha2},
		{Name: "localhost:5000/team/tool", Version: "latest", Line: 34, PURL: "pkg:docker/team/tool@latest?repository_url=localhost:5000"},
		{Name: "library/node", Version: "20", Line: 10, PURL: "pkg:docker/library/node@20"},
		{Name: "ghcr.io/acme/builder", Version: "1.2", Line: 38, PURL: "pkg:docker/acme/builder@1.2?repository_url=ghcr.io"},
		{Name: "library/postgres", Version: sha, Line: 42, PURL: "pkg:docker/library/postgres@" + sha},
		{Name: "library/redis", Version: "7", Line: 43, PURL: "pkg:docker/library/redis@7"},
	})
	pinned := map[int]bool{}
	resolved := map[int]string{}
	for _, p := range pkgs {
		if p.PinnedSHA {
			pinned[p.Line] = true
		}
		if p.Resolved != "" {
			resolved[p.Line] = p.Resolved
		}
		if p.Name == "" || !p.Direct {
			t.Errorf("bad package %+v", p)
		}
		wantEco := lockfiles.EcosystemGitHubActions
		if p.Line == 17 || p.Line == 18 || p.Line == 33 || p.Line == 34 || p.Line == 10 || p.Line > 35 {
			wantEco = lockfiles.EcosystemDocker
		}
		if p.Ecosystem != wantEco {
			t.Errorf("line %d: ecosystem %q, want %q", p.Line, p.Ecosystem, wantEco)
		}
	}
	if len(pinned) != 5 || !pinned[12] || !pinned[18] || !pinned[24] || !pinned[33] || !pinned[42] {
		t.Errorf("pinned lines %v, want 12, 18, 24, 33, 42", pinned)
	}
	if len(resolved) != 3 || resolved[12] != "ref comment: v4.1.0" || resolved[33] != "tag: 20" || resolved[42] != "tag: 16" {
		t.Errorf("resolved %v", resolved)
	}
}

func TestActionMetadata(t *testing.T) {
	pkgs := lt.ParseFile(t, ghactions.Parser{}, filepath.Join("testdata", "action.yml"))
	if len(pkgs) != 2 {
		t.Fatalf("%d packages, want 2: %+v", len(pkgs), pkgs)
	}
	lt.Check(t, pkgs, []lt.Want{
		{Name: "actions/setup-python", Version: "v5", Line: 6, PURL: "pkg:githubactions/actions/setup-python@v5"},
		{Name: "./inner", Version: "", Line: 9, Source: local},
	})
	pkgs = lt.ParseFile(t, ghactions.Parser{}, filepath.Join("testdata", "docker-action.yml"))
	if len(pkgs) != 1 {
		t.Fatalf("%d packages, want 1: %+v", len(pkgs), pkgs)
	}
	lt.Check(t, pkgs, []lt.Want{{Name: "quay.io/org/tool", Version: "1.2", Line: 4, PURL: "pkg:docker/org/tool@1.2?repository_url=quay.io"}})
}

func TestEmptyAndUnrelated(t *testing.T) {
	for name, content := range map[string]string{
		"empty.yml":     "",
		"comments.yml":  "# uses: actions/checkout@v4\n",
		"scalar.yml":    "just a string\n",
		"list.yml":      "- uses: actions/checkout@v4\n",
		"jobs-list.yml": "jobs:\n  - uses: a/b@v1\n",
		"steps-map.yml": "jobs:\n  j:\n    steps:\n      uses: a/b@v1\n",
	} {
		pkgs, err := lt.ParseBytes(ghactions.Parser{}, name, []byte(content))
		if err != nil || len(pkgs) != 0 {
			t.Errorf("%s: %d packages, err %v", name, len(pkgs), err)
		}
	}
}

func TestMalformed(t *testing.T) {
	_, err := lt.TryParseFile(ghactions.Parser{}, filepath.Join("testdata", "malformed.yml"))
	lt.AssertParseError(t, err, "malformed.yml", 7)
	if err == nil || !strings.Contains(err.Error(), "expected a string") {
		t.Errorf("error %v", err)
	}
	_, err = lt.TryParseFile(ghactions.Parser{}, filepath.Join("testdata", "badyaml.yml"))
	lt.AssertParseError(t, err, "badyaml.yml", 6)
	// Alias bombs are bounded by yamltree's limits.
	bomb := "a: &a [x, x, x, x, x, x, x, x, x, x]\nb: &b [*a, *a, *a, *a, *a, *a, *a, *a, *a, *a]\nc: &c [*b, *b, *b, *b, *b, *b, *b, *b, *b, *b]\nd: &d [*c, *c, *c, *c, *c, *c, *c, *c, *c, *c]\ne: &e [*d, *d, *d, *d, *d, *d, *d, *d, *d, *d]\n"
	_, err = lt.ParseBytes(ghactions.Parser{}, "bomb.yml", []byte(bomb))
	if !errors.Is(err, lockfiles.ErrLimit) {
		t.Errorf("alias bomb: %v, want ErrLimit", err)
	}
}

func FuzzParseGitHubActions(f *testing.F) {
	if dir, ok := shareddata.Optional(f, "lockfiles", "github-workflows"); ok {
		lt.AddSeeds(f, filepath.Join(dir, "*", "*.y*ml"))
	}
	lt.AddSeeds(f, filepath.Join("testdata", "*.yml"))
	lt.AddReadings(f, workflowReadings)
	f.Fuzz(func(t *testing.T, data []byte) {
		pkgs, err := lt.ParseBytes(ghactions.Parser{}, "w.yml", data)
		if err != nil {
			var pe *lockfiles.ParseError
			if !errors.As(err, &pe) || pe.Path != "w.yml" {
				t.Fatalf("error %v is not a ParseError naming the file", err)
			}
			return
		}
		for _, p := range pkgs {
			if p.Name == "" || p.Line < 0 {
				t.Fatalf("bad package %+v", p)
			}
		}
	})
}

func BenchmarkParseGitHubActions(b *testing.B) {
	// pydantic ci.yml (1057 lines, 83 uses:) is the largest workflow.
	path := filepath.Join(shareddata.Path(b, "lockfiles", "github-workflows"), "pydantic-pydantic", "ci.yml")
	data, err := os.ReadFile(path)
	if err != nil {
		b.Fatal(err)
	}
	in := &lockfiles.Input{Path: "ci.yml", Content: data, Limits: lockfiles.Limits{}.WithDefaults()}
	b.SetBytes(int64(len(data)))
	b.ReportAllocs()
	for b.Loop() {
		pkgs, err := ghactions.Parser{}.Parse(b.Context(), in)
		if err != nil || len(pkgs) != 83 {
			b.Fatalf("%d packages, %v", len(pkgs), err)
		}
	}
}
