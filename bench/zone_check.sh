#!/usr/bin/env bash
# Times `kskline zone check` against kzonecheck and ldns-read-zone on one
# generated 1,000,000-record zone, in the same run, and prints the ratios.
#
# Environment:
#   KSKLINE             the kskline binary      (default: <repo>/build/tools/kskline)
#   KSKLINE_ZONEGEN     the generator           (default: <repo>/build/bench/kskline-zonegen)
#   KSKLINE_BENCH_DIR   where zones are cached  (default: /tmp/kskline-bench)
#   RECORDS             records in the zone     (default: 1000000)
#   RUNS                timed runs per tool     (default: 5)
#   HYPERFINE           hyperfine to use        (default: hyperfine if installed;
#                       empty: time with a /usr/bin/time loop instead)
set -euo pipefail

repo=$(cd "$(dirname "$0")/.." && pwd)
kskline=${KSKLINE:-$repo/build/tools/kskline}
zonegen=${KSKLINE_ZONEGEN:-$repo/build/bench/kskline-zonegen}
work=${KSKLINE_BENCH_DIR:-/tmp/kskline-bench}
records=${RECORDS:-1000000}
runs=${RUNS:-5}
hyperfine=${HYPERFINE-hyperfine}
origin=example.com.
seed=1

die() { echo "zone_check.sh: $*" >&2; exit 1; }
[ -x "$kskline" ] || die "no kskline binary at $kskline (build it, or set KSKLINE)"
[ -x "$zonegen" ] || die "no kskline-zonegen at $zonegen (build it, or set KSKLINE_ZONEGEN)"
for tool in kzonecheck ldns-read-zone; do
  command -v "$tool" >/dev/null || die "$tool is not installed (Debian: knot-dnssecutils, ldnsutils)"
done
[ -x /usr/bin/time ] || die "/usr/bin/time is not installed (Debian: time)"
mkdir -p "$work"

# --- The zone, cached: regenerated when the generator is newer than it. ------
zone=$work/zone-$records-seed$seed.zone
counts=$zone.counts
if [ ! -s "$zone" ] || [ ! -s "$counts" ] || [ "$zonegen" -nt "$zone" ]; then
  echo "generating $zone ..." >&2
  "$zonegen" --origin "$origin" --records "$records" --seed "$seed" -o "$zone" 2>"$counts.tmp"
  mv "$counts.tmp" "$counts"
  rm -f "$zone.named-ok"
fi
# The generator's own count line: "<file>: <origin>: N names, N RRsets, N records".
expected=$(sed -n 's/^.*: \([0-9]* names, [0-9]* RRsets, [0-9]* records\)$/\1/p' "$counts")
[ -n "$expected" ] || die "cannot read the generator's counts from $counts"

# --- Every tool must accept the zone, or the timings mean nothing. ------------
echo "checking that every tool accepts the zone ..." >&2
summary=$("$kskline" zone check "$zone" --origin "$origin") || die "kskline rejects $zone"
case "$summary" in
  *": $expected, OK") ;;
  *) die "kskline's counts differ from the generator's: '$summary' vs '$expected'" ;;
esac
kzonecheck -o "$origin" "$zone" >/dev/null 2>"$work/kzonecheck.err" ||
  die "kzonecheck rejects $zone: $(head -3 "$work/kzonecheck.err")"
ldns_count=$(ldns-read-zone "$zone" 2>"$work/ldns.err" | grep -vc '^;') ||
  die "ldns-read-zone rejects $zone: $(head -3 "$work/ldns.err")"
[ "$ldns_count" = "$records" ] || die "ldns-read-zone read $ldns_count records, expected $records"
if command -v named-checkzone >/dev/null && [ ! -e "$zone.named-ok" ]; then
  # -i local: without it named-checkzone looks names up and hangs offline.
  named-checkzone -q -i local "$origin" "$zone" || die "named-checkzone rejects $zone"
  touch "$zone.named-ok"
fi

# --- Timing. -------------------------------------------------------------------
load=$(cut -d' ' -f1-3 /proc/loadavg)
cmd_kskline="'$kskline' zone check '$zone' --origin $origin"
cmd_knot="kzonecheck -o $origin '$zone'"
cmd_ldns="ldns-read-zone '$zone' > /dev/null"
bench_names=(kskline kzonecheck ldns-read-zone)
bench_cmds=("$cmd_kskline" "$cmd_knot" "$cmd_ldns")
source "$repo/bench/measure.sh"
measure 1

# --- The table. ----------------------------------------------------------------
size=$(du -m "$zone" | cut -f1)
echo
echo "zone check: $zone ($size MB; $expected)"
echo "machine: $(nproc) CPUs, $(sed -n 's/^model name\s*: //p' /proc/cpuinfo | head -1)"
echo "versions: $("$kskline" --version 2>/dev/null | head -1); $(kzonecheck --version | head -1); $(ldns-read-zone -v | head -1)"
echo "timing: $method"
echo
echo "load average before timing: $load"
echo
printf '%-15s %15s %9s %10s %12s %12s\n' tool "wall (s)" "CPU (s)" "peak RSS" "wall ratio" "CPU ratio"
for n in "${bench_names[@]}"; do
  awk -v n="$n" -v m="${mean[$n]}" -v s="${sd[$n]}" -v c="${cpu[$n]}" -v r="${rss[$n]}" \
    -v k="${mean[kskline]}" -v kc="${cpu[kskline]}" \
    'BEGIN {printf "%-15s %7.3f ± %.3f %9.3f %7.0f MB %11.2fx %11.2fx\n", n, m, s, c, r/1024, m/k, c/kc}'
done
echo "(ratio = tool ÷ kskline; CPU = user + system, less disturbed by other load on a shared machine)"
echo
awk -v k="${mean[kskline]}" -v z="${mean[kzonecheck]}" -v l="${mean[ldns-read-zone]}" \
  -v kc="${cpu[kskline]}" -v zc="${cpu[kzonecheck]}" -v lc="${cpu[ldns-read-zone]}" 'BEGIN {
  printf "ratios (wall): kzonecheck/kskline = %.2f, ldns-read-zone/kskline = %.2f\n", z/k, l/k
  printf "ratios (CPU):  kzonecheck/kskline = %.2f, ldns-read-zone/kskline = %.2f\n", zc/kc, lc/kc
  printf "goal (kskline at least 2x faster than kzonecheck): %s\n", (z/k >= 2 ? "met" : "NOT met")
}'
