#!/usr/bin/env bash
# Runs every benchmark against the optimised build that `./run bench` makes
# (build/, -O2). Benchmarks are not tests: they print figures and ratios.
set -euo pipefail
repo=$(cd "$(dirname "$0")/.." && pwd)
export KSKLINE=${KSKLINE:-$repo/build/tools/kskline}
export KSKLINE_ZONEGEN=${KSKLINE_ZONEGEN:-$repo/build/bench/kskline-zonegen}
"$repo/bench/zone_check.sh"
"$repo/bench/zone_verify.sh"
"$repo/bench/zone_sign.sh"
"$repo/bench/link.sh"
"$repo/build/bench/kskline-token-sign"
