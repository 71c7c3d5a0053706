#!/bin/sh
# False alarms of the content analyser on real benign updates: the latest
# two releases of the most downloaded npm packages (the shared popular list),
# downloaded from the npm registry (network needed), analysed as an update.
# Usage: bench/pkgdiff/run.sh [N]   (default 100)
set -eu
cd "$(dirname "$0")/../.."
list=../shared/data/popular/npm.txt
[ -f "$list" ] || { echo "missing $list" >&2; exit 2; }
go run ./bench/pkgdiff -list "$list" -n "${1:-100}"
