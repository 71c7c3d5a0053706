#!/usr/bin/env bash
# Secrets on real trees: alarms and throughput of tollgate and gitleaks on
# real source trees with nothing planted, in one run. Every finding is an
# alarm a person has to look at (real secrets in these trees are test
# fixtures), so fewer is better at equal recall (run.sh measures recall).
#
# Trees: the Go source tree, the two largest module directories of the Go
# module cache, and the unpacked tarballs of popular npm packages (downloaded
# from the npm registry into the work directory; nothing is committed).
#
# Usage: bench/secrets/trees.sh   (needs go, the Go module proxy for gitleaks, the npm registry)
# Env:   GITLEAKS=/path/to/gitleaks to reuse a binary; KEEP=1 to keep the work directory.
set -euo pipefail
ROOT="$(cd "$(dirname "$0")/../.." && pwd)"
WORK="$(mktemp -d)"
if [[ "${KEEP:-}" != 1 ]]; then trap 'rm -rf "$WORK"' EXIT; fi
cd "$ROOT"
go build -o "$WORK/tollgate" .
if [[ -z "${GITLEAKS:-}" ]]; then
  GOBIN="$WORK/gobin" go install github.com/zricethezav/gitleaks/v8@v8.30.1
  GITLEAKS="$WORK/gobin/gitleaks"
fi

TREES=("$(go env GOROOT)/src")
MODCACHE="$(go env GOMODCACHE)"
while read -r dir; do TREES+=("$dir"); done < <(
  find "$MODCACHE" -mindepth 3 -maxdepth 4 -type d -name '*@v*' -not -path '*/cache/*' -print0 |
    xargs -0 du -s 2>/dev/null | sort -rn | head -2 | cut -f2-)
NPM="$WORK/npm"; mkdir -p "$NPM"
for pkg in typescript eslint webpack react-dom @babel/core prettier rxjs moment lodash aws-sdk @angular/core three; do
  url=$(curl -sf "https://registry.npmjs.org/$(echo "$pkg" | sed 's|/|%2f|')/latest" | sed -n 's/.*"tarball": *"\([^"]*\)".*/\1/p' | head -1) || continue
  [[ -n "$url" ]] || continue
  mkdir -p "$NPM/$pkg" && curl -sf "$url" | tar -xz -C "$NPM/$pkg" 2>/dev/null || true
done
TREES+=("$NPM")

timeit() { /usr/bin/time -f "%e %U %S" -o "$WORK/time" "$@" >"$WORK/out" 2>"$WORK/err" || true; tail -1 "$WORK/time"; }
printf '%-60s %8s | %-28s | %-28s | %s\n' tree MB "tollgate alarms, MB/s" "gitleaks alarms, MB/s" "alarm ratio"
TA=0; GA=0
for tree in "${TREES[@]}"; do
  mb=$(du -sm "$tree" | cut -f1)
  read -r tw _ _ < <(timeit "$WORK/tollgate" scan --offline --format json --fail-on none --fail-on-skipped=false "$tree")
  ta=$(grep -c '"rule_id": "secret/' "$WORK/out" || true)
  read -r gw _ _ < <(timeit "$GITLEAKS" dir "$tree" --no-banner --log-level error --report-format json --report-path "$WORK/g.json" --exit-code 0)
  ga=$(grep -c '"RuleID"' "$WORK/g.json" || true)
  TA=$((TA + ta)); GA=$((GA + ga))
  printf '%-60s %8s | %6d alarms %8.1f MB/s | %6d alarms %8.1f MB/s | %s\n' "${tree/#$HOME/~}" "$mb" "$ta" "$(awk -v m="$mb" -v w="$tw" 'BEGIN{print m/w}')" "$ga" "$(awk -v m="$mb" -v w="$gw" 'BEGIN{print m/w}')" "$(awk -v a="$ta" -v b="$ga" 'BEGIN{if (b>0) printf "%.2f", a/b; else print "-"}')"
done
echo "total alarms: tollgate $TA, gitleaks $GA ($(awk -v a="$TA" -v b="$GA" 'BEGIN{if (b>0) printf "%.2f", a/b; else print "-"}') of gitleaks')"
