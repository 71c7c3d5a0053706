#!/usr/bin/env bash
# Inventory benchmark: times `tollgate inventory --format json` against
# osv-scanner v2.6.0's lockfile extraction (`scan source --offline --format json
# --all-packages`, no vulnerability lookups, no network) on the N largest real
# lockfiles of the shared corpus, the largest file of every other format, and
# the whole corpus directory, in one run. Prints a markdown table (wall and CPU
# medians, ratios, peak RSS, package counts) and every count difference.
#
# Usage: bench/inventory/run.sh [N] [RUNS]   (defaults: 10 files, 7 runs each)
# Env:   OSV_SCANNER=/path/to/osv-scanner to reuse a binary (else it is installed
#        with `go install` into a temporary GOBIN, needs the Go module proxy);
#        CORPUS=DIR (default ../shared/data/lockfiles from the module root);
#        KEEP=1 keeps the work directory.
set -euo pipefail

N="${1:-10}"
RUNS="${2:-7}"
PEER_VERSION="v2.6.0"
ROOT="$(cd "$(dirname "$0")/../.." && pwd)"
CORPUS="${CORPUS:-$ROOT/../shared/data/lockfiles}"
WORK="$(mktemp -d)"
if [[ "${KEEP:-}" != 1 ]]; then trap 'rm -rf "$WORK"' EXIT; fi
echo "work directory: $WORK"
cd "$ROOT"

if [[ ! -d "$CORPUS" ]]; then
  echo "no corpus at $CORPUS (set CORPUS=DIR)" >&2
  exit 2
fi

echo "== building tollgate and the driver"
go build -o "$WORK/tollgate" .
go build -o "$WORK/bench-inventory" ./bench/inventory
echo "tollgate: $(git -C "$ROOT" describe --always --dirty 2>/dev/null || echo unknown)"

if [[ -z "${OSV_SCANNER:-}" ]]; then
  echo "== installing osv-scanner $PEER_VERSION into $WORK/gobin"
  # osv-scanner v2.6.0 needs Go >= 1.27; GOTOOLCHAIN lets the go command fetch it.
  GOTOOLCHAIN="${PEER_GOTOOLCHAIN:-go1.27.3}" GOBIN="$WORK/gobin" \
    go install "github.com/google/osv-scanner/v2/cmd/osv-scanner@$PEER_VERSION"
  OSV_SCANNER="$WORK/gobin/osv-scanner"
fi
"$OSV_SCANNER" --version | head -3

echo "== machine"
echo "CPUs: $(nproc); $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2- | sed 's/^ //')"
echo "go: $(go version)"

echo "== running ($N largest files + largest of every other format + whole corpus, $RUNS runs each)"
"$WORK/bench-inventory" -tollgate "$WORK/tollgate" -peer "$OSV_SCANNER" \
  -corpus "$CORPUS" -n "$N" -runs "$RUNS" -work "$WORK"
