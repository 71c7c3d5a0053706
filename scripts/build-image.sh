#!/usr/bin/env bash
# Builds the tollgate release image FROM scratch: a static binary built here
# (CGO_ENABLED=0) and the host's CA bundle, copied into a fresh build context.
# No base image is pulled, so it builds offline.
#
#   scripts/build-image.sh                 build tollgate:dev with buildah (or docker)
#   IMAGE=ghcr.io/o/tollgate:v1.2.3 scripts/build-image.sh
#   scripts/build-image.sh --smoke         build, then run the image: version, an
#                                          offline sweep of testdata/demo, and the
#                                          Action mode against a fake runner
#
# Environment: IMAGE (tag, default tollgate:dev), GOARCH (default the host's),
# VERSION and REVISION (labels), CA_BUNDLE (default
# /etc/ssl/certs/ca-certificates.crt), BUILDER (buildah or docker; default
# whichever is installed, buildah first), BUILDAH_STORAGE (default vfs, which
# works inside containers without fuse-overlayfs).
set -euo pipefail
cd "$(dirname "$0")/.."

IMAGE="${IMAGE:-tollgate:dev}"
GOARCH="${GOARCH:-$(go env GOARCH)}"
VERSION="${VERSION:-dev}"
REVISION="${REVISION:-$(git rev-parse HEAD 2>/dev/null || echo unknown)}"
CA_BUNDLE="${CA_BUNDLE:-/etc/ssl/certs/ca-certificates.crt}"
BUILDAH_STORAGE="${BUILDAH_STORAGE:-vfs}"
smoke=false
[ "${1:-}" = "--smoke" ] && smoke=true

if [ -z "${BUILDER:-}" ]; then
	if command -v buildah >/dev/null; then BUILDER=buildah
	elif command -v docker >/dev/null; then BUILDER=docker
	else echo "build-image: neither buildah nor docker is installed" >&2; exit 1
	fi
fi
[ -r "$CA_BUNDLE" ] || { echo "build-image: no CA bundle at $CA_BUNDLE (set CA_BUNDLE)" >&2; exit 1; }

ctx="$(mktemp -d)"
trap 'rm -rf "$ctx"' EXIT
echo "== go build (linux/$GOARCH, static)"
CGO_ENABLED=0 GOOS=linux GOARCH="$GOARCH" go build -trimpath -ldflags "-s -w -buildid=" -o "$ctx/tollgate" .
cp "$CA_BUNDLE" "$ctx/ca-certificates.crt"
cp Dockerfile "$ctx/Dockerfile"

echo "== $BUILDER build $IMAGE"
case "$BUILDER" in
buildah)
	buildah --storage-driver "$BUILDAH_STORAGE" bud --isolation chroot --layers=false \
		--build-arg "VERSION=$VERSION" --build-arg "REVISION=$REVISION" -t "$IMAGE" "$ctx" ;;
docker)
	docker build --build-arg "VERSION=$VERSION" --build-arg "REVISION=$REVISION" -t "$IMAGE" "$ctx" ;;
*) echo "build-image: unknown BUILDER $BUILDER" >&2; exit 1 ;;
esac
$smoke || exit 0

# ---- smoke test: run the image the way GitHub runs a Docker action ----
run_image() { # run_image WORKSPACE RUNNERDIR ENV... -- ARGS...
	local ws="$1" rd="$2"; shift 2
	local envs=() args=()
	while [ $# -gt 0 ] && [ "$1" != "--" ]; do envs+=("$1"); shift; done
	[ $# -gt 0 ] && shift
	args=("$@")
	case "$BUILDER" in
	buildah)
		local ctr rc=0
		ctr="$(buildah --storage-driver "$BUILDAH_STORAGE" from --quiet "$IMAGE")"
		local eflags=()
		for e in "${envs[@]}"; do eflags+=(--env "$e"); done
		buildah --storage-driver "$BUILDAH_STORAGE" run --isolation chroot \
			-v "$ws:/github/workspace" -v "$rd:/github/file_commands" \
			"${eflags[@]}" "$ctr" -- /usr/local/bin/tollgate "${args[@]}" || rc=$?
		buildah --storage-driver "$BUILDAH_STORAGE" rm "$ctr" >/dev/null
		return $rc ;;
	docker)
		local eflags=()
		for e in "${envs[@]}"; do eflags+=(-e "$e"); done
		docker run --rm -v "$ws:/github/workspace" -v "$rd:/github/file_commands" -w /github/workspace \
			"${eflags[@]}" "$IMAGE" "${args[@]}" ;;
	esac
}

ws="$(mktemp -d)"; rd="$(mktemp -d)"
trap 'rm -rf "$ctx" "$ws" "$rd"' EXIT
cp -r testdata/demo/. "$ws/"
cp -r testdata/demo-osv "$ws/.osv"
echo "== smoke: version"
run_image "$ws" "$rd" -- version
echo "== smoke: offline sweep of testdata/demo (exit 1 expected: the demo holds malicious packages)"
rc=0; run_image "$ws" "$rd" -- scan --offline --osv-db /github/workspace/.osv /github/workspace || rc=$?
[ "$rc" = 1 ] || { echo "smoke: scan exit $rc, want 1" >&2; exit 1; }
echo "== smoke: Action mode (schedule sweep, as GitHub runs a Docker action)"
printf '{"schedule":"0 3 * * 1","repository":{"name":"demo","full_name":"acme/demo","owner":{"login":"acme"}}}' >"$rd/event.json"
: >"$rd/output"; : >"$rd/summary"
rc=0
run_image "$ws" "$rd" GITHUB_ACTIONS=true GITHUB_EVENT_NAME=schedule GITHUB_EVENT_PATH=/github/file_commands/event.json \
	GITHUB_WORKSPACE=/github/workspace GITHUB_OUTPUT=/github/file_commands/output GITHUB_STEP_SUMMARY=/github/file_commands/summary \
	GITHUB_REPOSITORY=acme/demo INPUT_OFFLINE=true INPUT_OSV-DB=.osv INPUT_COMMENT=false -- || rc=$?
[ "$rc" = 1 ] || { echo "smoke: Action exit $rc, want 1" >&2; cat "$rd/summary" >&2; exit 1; }
grep -q '^critical<<' "$rd/output" || { echo "smoke: no critical output" >&2; cat "$rd/output" >&2; exit 1; }
grep -q 'tollgate' "$rd/summary" || { echo "smoke: empty job summary" >&2; exit 1; }
[ -s "$ws/tollgate.sarif" ] || { echo "smoke: no SARIF file" >&2; exit 1; }
echo "== smoke ok: $(grep -A1 '^critical<<' "$rd/output" | tail -1) critical findings, summary $(wc -c <"$rd/summary") bytes, SARIF $(wc -c <"$ws/tollgate.sarif") bytes"
