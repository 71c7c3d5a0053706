#!/usr/bin/env bash
# OSV lookup benchmark: times `tollgate scan --offline --osv-db DB FILE`
# against osv-scanner v2.6.0 (`scan source --offline-vulnerabilities -L FILE`,
# database from $OSV_SCANNER_LOCAL_DB_CACHE_DIRECTORY/osv-scalibr/npm/all.zip)
# on the largest package-lock.json, pnpm-lock.yaml and yarn.lock of the shared
# corpus, against the same database: the shared malicious-package npm export
# and a synthetic npm export of SYNTH records made from its real record
# shapes. tollgate's one-time index build is timed first, apart. One run
# prints a markdown table (medians, ratios, peak RSS, malicious packages
# found by each tool) and the scaling of both tools.
#
# Usage: bench/osv/run.sh [RUNS] [SYNTH]   (defaults: 5 runs, 250000 records)
# Env:   OSV_SCANNER=/path/to/osv-scanner to reuse a binary (else installed with
#        go install into a temporary GOBIN, needs the Go module proxy);
#        DATA=DIR (default ../shared/data from the module root); KEEP=1 keeps
#        the work directory.
set -euo pipefail

RUNS="${1:-5}"
SYNTH="${2:-250000}"
PEER_VERSION="v2.6.0"
ROOT="$(cd "$(dirname "$0")/../.." && pwd)"
DATA="${DATA:-$ROOT/../shared/data}"
WORK="$(mktemp -d)"
if [[ "${KEEP:-}" != 1 ]]; then trap 'rm -rf "$WORK"' EXIT; fi
echo "work directory: $WORK"
cd "$ROOT"

for d in "$DATA/osv/malicious/npm" "$DATA/lockfiles"; do
  if [[ ! -d "$d" ]]; then echo "missing $d (set DATA=DIR)" >&2; exit 2; fi
done

echo "== building tollgate and the driver"
go build -o "$WORK/tollgate" .
go build -o "$WORK/bench-osv" ./bench/osv
echo "tollgate: $(git -C "$ROOT" describe --always --dirty 2>/dev/null || echo unknown), binary $(stat -c %s "$WORK/tollgate") bytes"

if [[ -z "${OSV_SCANNER:-}" ]]; then
  echo "== installing osv-scanner $PEER_VERSION into $WORK/gobin"
  # osv-scanner v2.6.0 needs Go >= 1.27; GOTOOLCHAIN lets the go command fetch it.
  GOTOOLCHAIN="${PEER_GOTOOLCHAIN:-go1.27.3}" GOBIN="$WORK/gobin" \
    go install "github.com/google/osv-scanner/v2/cmd/osv-scanner@$PEER_VERSION"
  OSV_SCANNER="$WORK/gobin/osv-scanner"
fi
# Read the whole output: `| head -1` could end the peer with SIGPIPE, which
# pipefail and set -e turn into the end of the run.
peer_version="$("$OSV_SCANNER" --version)"
echo "${peer_version%%$'\n'*}"

echo "== machine"
echo "CPUs: $(nproc); $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2- | sed 's/^ //')"
echo "go: $(go version)"

echo "== running (3 files x 2 databases, $RUNS interleaved runs each)"
"$WORK/bench-osv" -tollgate "$WORK/tollgate" -peer "$OSV_SCANNER" \
  -malicious "$DATA/osv/malicious" -corpus "$DATA/lockfiles" \
  -work "$WORK" -runs "$RUNS" -synth "$SYNTH"
