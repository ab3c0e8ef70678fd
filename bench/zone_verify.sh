#!/usr/bin/env bash
# Times `kskline zone verify` against `ldns-verify-zone` on one generated
# 100,000-name zone signed by ldns-signzone (ECDSA P-256 KSK + ZSK, NSEC), in
# the same run, and prints the ratios and the CPU floor of the verifications.
#
# Environment:
#   KSKLINE             the kskline binary      (default: <repo>/build/tools/kskline)
#   KSKLINE_ZONEGEN     the generator           (default: <repo>/build/bench/kskline-zonegen)
#   KSKLINE_BENCH_DIR   where zones are cached  (default: /tmp/kskline-bench)
#   NAMES               names in the zone       (default: 100000)
#   RECORDS             records in the zone     (default: 150000)
#   RUNS                timed runs per tool     (default: 3)
#   HYPERFINE           hyperfine to use        (default: hyperfine if installed;
#                       empty: time with a /usr/bin/time loop instead)
set -euo pipefail

repo=$(cd "$(dirname "$0")/.." && pwd)
kskline=${KSKLINE:-$repo/build/tools/kskline}
zonegen=${KSKLINE_ZONEGEN:-$repo/build/bench/kskline-zonegen}
work=${KSKLINE_BENCH_DIR:-/tmp/kskline-bench}
names_count=${NAMES:-100000}
records=${RECORDS:-150000}
runs=${RUNS:-3}
hyperfine=${HYPERFINE-hyperfine}
origin=example.com.
seed=1

die() { echo "zone_verify.sh: $*" >&2; exit 1; }
[ -x "$kskline" ] || die "no kskline binary at $kskline (build it, or set KSKLINE)"
[ -x "$zonegen" ] || die "no kskline-zonegen at $zonegen (build it, or set KSKLINE_ZONEGEN)"
for tool in ldns-keygen ldns-signzone ldns-verify-zone openssl; do
  command -v "$tool" >/dev/null || die "$tool is not installed (Debian: ldnsutils, openssl)"
done
[ -x /usr/bin/time ] || die "/usr/bin/time is not installed (Debian: time)"
mkdir -p "$work"

# --- The zone, cached: regenerated when the generator is newer than it. ------
# The same options as the zone-signing benchmark (bench/README.md).
zone=$work/verify-$names_count-$records-seed$seed.zone
if [ ! -s "$zone" ] || [ "$zonegen" -nt "$zone" ]; then
  echo "generating $zone ..." >&2
  # ldns 1.8.3 prints a label that starts with '@' unescaped ("@at\032space-x")
  # and reads it back as the origin, so ldns-verify-zone rejects what
  # ldns-signzone wrote for the generator's "\@at\032space-" labels; drop the
  # '@' (same names and records otherwise).
  "$zonegen" --origin "$origin" --names "$names_count" --records "$records" --seed "$seed" \
    --delegations-percent 10 --cname-percent 10 -o - 2>/dev/null |
    sed 's/\\@at\\032space-/at\\032space-/Ig' >"$zone.tmp"
  mv "$zone.tmp" "$zone"
  rm -f "$zone.signed"
fi

# --- Keys and the signed zone, cached; re-signed when a week old. ------------
keys=$work/verify-keys
if [ ! -d "$keys" ] || [ -z "$(ls "$keys"/K*.private 2>/dev/null)" ]; then
  rm -rf "$keys"
  mkdir -p "$keys"
  (cd "$keys" && ldns-keygen -a ECDSAP256SHA256 -k "$origin" >ksk && ldns-keygen -a ECDSAP256SHA256 "$origin" >zsk)
fi
signed=$zone.signed
if [ ! -s "$signed" ] || [ -n "$(find "$signed" -mtime +7)" ] || [ "$zone" -nt "$signed" ]; then
  echo "signing $zone with ldns-signzone ..." >&2
  (cd "$keys" && ldns-signzone -o "$origin" -f "$signed.tmp" "$zone" "$(cat ksk)" "$(cat zsk)")
  mv "$signed.tmp" "$signed"
fi

# --- Both tools must accept the zone, or the timings mean nothing. -----------
echo "checking that both tools accept the signed zone ..." >&2
summary=$("$kskline" zone verify "$signed" --origin "$origin" 2>"$work/verify.err") ||
  die "kskline rejects $signed: $(head -3 "$work/verify.err")"
case "$summary" in
  *", OK") ;;
  *) die "unexpected kskline summary: $summary" ;;
esac
ldns-verify-zone "$signed" >/dev/null 2>"$work/ldns-verify.err" ||
  die "ldns-verify-zone rejects $signed: $(head -3 "$work/ldns-verify.err")"
signatures=$(sed -n 's/^.* \([0-9]*\) signatures verified.*$/\1/p' <<<"$summary")

# The CPU floor: the signatures at one core's P-256 verifications a second.
verify_rate=$(openssl speed -seconds 2 ecdsap256 2>/dev/null | awk '/nistp256/ {print $NF}')

# --- Timing. -------------------------------------------------------------------
load=$(cut -d' ' -f1-3 /proc/loadavg)
cmd_kskline="'$kskline' zone verify '$signed' --origin $origin"
cmd_kskline1="'$kskline' zone verify '$signed' --origin $origin --threads 1"
cmd_ldns="ldns-verify-zone '$signed'"
bench_names=(kskline kskline-1-thread ldns-verify-zone)
bench_cmds=("$cmd_kskline" "$cmd_kskline1" "$cmd_ldns")
source "$repo/bench/measure.sh"
measure 0

# --- The table. ----------------------------------------------------------------
size=$(du -m "$signed" | cut -f1)
echo
echo "zone verify: $signed ($size MB; $summary)"
echo "machine: $(nproc) CPUs, $(sed -n 's/^model name\s*: //p' /proc/cpuinfo | head -1)"
echo "versions: $("$kskline" --version 2>/dev/null | head -1); $(ldns-verify-zone -v 2>&1 | head -1)"
echo "timing: $method"
echo "CPU floor: $signatures signatures / $verify_rate P-256 verifications a second on one core" \
  "(openssl speed ecdsap256) = $(awk -v n="$signatures" -v r="$verify_rate" 'BEGIN {printf "%.2f", n / r}') s"
echo
echo "load average before timing: $load"
echo
printf '%-17s %15s %9s %9s %10s %12s %12s\n' tool "wall (s)" "best (s)" "CPU (s)" "peak RSS" "wall ratio" \
  "CPU ratio"
for n in "${bench_names[@]}"; do
  awk -v n="$n" -v m="${mean[$n]}" -v s="${sd[$n]}" -v b="${best[$n]}" -v c="${cpu[$n]}" -v r="${rss[$n]}" \
    -v k="${mean[kskline]}" -v kc="${cpu[kskline]}" \
    'BEGIN {printf "%-17s %7.3f ± %.3f %9.3f %9.3f %7.0f MB %11.2fx %11.2fx\n", n, m, s, b, c, r/1024, m/k, c/kc}'
done
echo "(ratio = tool ÷ kskline; CPU = user + system, less disturbed by other load on a shared machine)"
echo
awk -v k="${mean[kskline]}" -v l="${mean[ldns-verify-zone]}" -v kc="${cpu[kskline]}" \
  -v lc="${cpu[ldns-verify-zone]}" -v kb="${best[kskline]}" -v lb="${best[ldns-verify-zone]}" \
  -v n="$signatures" -v r="$verify_rate" 'BEGIN {
  printf "ratios: ldns-verify-zone/kskline = %.2f (wall), %.2f (best wall), %.2f (CPU)\n", l/k, lb/kb, lc/kc
  printf "kskline CPU time / CPU floor = %.2f\n", kc / (n / r)
  printf "goal (kskline at least 3x faster than ldns-verify-zone, wall): %s\n", (l/k >= 3 ? "met" : "NOT met")
}'
