#!/usr/bin/env bash
# Secrets benchmark: builds a corpus of real source text (>= 100 MB by default)
# with format-valid fake secrets planted from every built-in rule, then runs
# tollgate and gitleaks on it in the same run and prints throughput (MB/s by
# wall clock and by CPU time), recall on the planted secrets and false alarms.
#
# Usage: bench/secrets/run.sh [SIZE_MB]   (from anywhere; needs go, network to the Go module proxy for gitleaks)
# Env:   GITLEAKS=/path/to/gitleaks to reuse a binary; KEEP=1 to keep the work directory;
#        REUSE=DIR to reuse the corpus and truth.jsonl of a kept work directory.
set -euo pipefail

SIZE_MB="${1:-110}"
ROOT="$(cd "$(dirname "$0")/../.." && pwd)"
WORK="$(mktemp -d)"
if [[ "${KEEP:-}" != 1 ]]; then trap 'rm -rf "$WORK"' EXIT; fi
echo "work directory: $WORK"
cd "$ROOT"

echo "== building tools"
go build -o "$WORK/gen" ./bench/secrets/gen
go build -o "$WORK/score" ./bench/secrets/score
go build -o "$WORK/scan" ./bench/secrets/scan
go build -o "$WORK/tollgate" . || echo "(the tollgate CLI does not build right now; the engine driver will be used)"
if [[ -z "${GITLEAKS:-}" ]]; then
  GOBIN="$WORK/gobin" go install github.com/zricethezav/gitleaks/v8@v8.30.1
  GITLEAKS="$WORK/gobin/gitleaks"
fi
"$GITLEAKS" version

echo "== corpus"
if [[ -n "${REUSE:-}" ]]; then
  ln -s "$REUSE/corpus" "$WORK/corpus"
  cp "$REUSE/truth.jsonl" "$WORK/truth.jsonl"
  CORPUS="$REUSE/corpus"
else
  CORPUS="$WORK/corpus"
  mkdir -p "$CORPUS"
  "$WORK/gen" -out "$CORPUS" -truth "$WORK/truth.jsonl" -size "$SIZE_MB" -rounds 5 \
    "$(go env GOROOT)/src" "$(go env GOMODCACHE)"
fi
BYTES=$(find "$CORPUS" -type f -printf '%s\n' | awk '{s += $1} END {print s}')
MB=$(awk -v b="$BYTES" 'BEGIN{printf "%.1f", b/1048576}')
echo "corpus: $MB MB in $CORPUS"

# Use the CLI when its scan runs the secrets check; else the direct driver.
PROBE="$WORK/probe"; mkdir -p "$PROBE"
FIRST=$(head -1 "$WORK/truth.jsonl" | sed 's/.*"path":"\([^"]*\)".*/\1/')
cp "$CORPUS/$FIRST" "$PROBE/"
PROBE_OUT=""
if [[ -x "$WORK/tollgate" ]]; then
  PROBE_OUT=$("$WORK/tollgate" scan --offline --format json --fail-on none "$PROBE" 2>/dev/null || true)
fi
if grep -q '"secret/' <<<"$PROBE_OUT"; then
  # --fail-on-skipped=false: lockfiles the planting broke (a secret line in
  # a go.mod or a workflow) make a scan incomplete by default; this measures
  # the secret scan.
  TOLLGATE=("$WORK/tollgate" scan --offline --format json --fail-on none --fail-on-skipped=false)
  MODE="tollgate scan --offline --format json (CLI)"
else
  TOLLGATE=("$WORK/scan")
  MODE="bench/secrets/scan (engine driver: the CLI does not run the secrets check yet)"
fi

timeit() { # timeit OUT CMD... -> prints "wall user sys"
  local out="$1"; shift
  /usr/bin/time -f "%e %U %S" -o "$WORK/time" "$@" > "$out" 2> "$WORK/stderr" || {
    rc=$?; if [[ $rc -ne 1 ]]; then cat "$WORK/stderr" >&2; echo "command failed ($rc): $*" >&2; exit 1; fi; }
  tail -1 "$WORK/time"
}

echo "== tollgate: $MODE"
read -r TW TU TS < <(timeit "$WORK/tollgate.json" "${TOLLGATE[@]}" "$CORPUS")
echo "== tollgate engine with -all (vendored, generated and minified files scanned too)"
read -r AW AU AS < <(timeit "$WORK/all.json" "$WORK/scan" -all "$CORPUS")
echo "== gitleaks"
read -r GW GU GS < <(timeit "$WORK/gitleaks.out" "$GITLEAKS" dir "$CORPUS" --no-banner --log-level error \
  --report-format json --report-path "$WORK/gitleaks.json" --exit-code 0)

TSCORE=$("$WORK/score" -truth "$WORK/truth.jsonl" -format tollgate -root "$CORPUS" "$WORK/tollgate.json" 2>"$WORK/tdetail")
ASCORE=$("$WORK/score" -truth "$WORK/truth.jsonl" -format tollgate -root "$CORPUS" "$WORK/all.json" 2>/dev/null)
GSCORE=$("$WORK/score" -truth "$WORK/truth.jsonl" -format gitleaks -root "$CORPUS" "$WORK/gitleaks.json" 2>"$WORK/gdetail")

report() { # name wall user sys score
  awk -v n="$1" -v w="$2" -v u="$3" -v s="$4" -v mb="$MB" -v sc="$5" 'BEGIN{
    cpu=u+s; printf "%-9s wall %7.2fs  %7.1f MB/s | cpu %7.2fs  %7.1f MB/cpu-s | %s\n", n, w, mb/w, cpu, mb/cpu, sc }'
}
echo
echo "== results ($MB MB, $(nproc) CPUs, load $(cut -d' ' -f1-3 /proc/loadavg))"
report tollgate "$TW" "$TU" "$TS" "$TSCORE"; cat "$WORK/tdetail"
report "tg -all" "$AW" "$AU" "$AS" "$ASCORE"
report gitleaks "$GW" "$GU" "$GS" "$GSCORE"; cat "$WORK/gdetail"
awk -v tw="$TW" -v gw="$GW" -v tu="$TU" -v ts="$TS" -v gu="$GU" -v gs="$GS" 'BEGIN{
  tc = tu + ts; gc = gu + gs; printf "throughput ratio tollgate/gitleaks: %.1fx wall clock, %.1fx CPU time\n", gw/tw, gc/tc }'
