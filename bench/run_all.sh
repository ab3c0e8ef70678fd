#!/usr/bin/env bash
# Runs every benchmark against the optimised build that `./run bench` makes
# (build-release/). Benchmarks are not tests: they print figures and ratios.
set -euo pipefail
repo=$(cd "$(dirname "$0")/.." && pwd)
export KSKLINE=${KSKLINE:-$repo/build-release/tools/kskline}
export KSKLINE_ZONEGEN=${KSKLINE_ZONEGEN:-$repo/build-release/bench/kskline-zonegen}
"$repo/bench/zone_check.sh"
