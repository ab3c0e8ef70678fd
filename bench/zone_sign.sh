#!/usr/bin/env bash
# Times `kskline zone sign` against ldns-signzone and `dnssec-signzone -n <cores>`
# on one generated zone (100,000 names, 150,000 records, 10% delegations and
# 10% CNAMEs as in zone_verify.sh; ECDSA P-256 ZSK; NSEC)
# in the same run, and prints the ratios, the ratio to the CPU limit
# (signatures ÷ the P-256 signs/s of `openssl speed -multi <cores> ecdsap256`,
# measured in the same run), peak RSS, and re-signing with --reuse.
#
# Environment:
#   KSKLINE             the kskline binary      (default: <repo>/build/tools/kskline)
#   KSKLINE_ZONEGEN     the generator           (default: <repo>/build/bench/kskline-zonegen)
#   KSKLINE_BENCH_DIR   where zones are cached  (default: /tmp/kskline-bench)
#   NAMES               names in the zone       (default: 100000)
#   RECORDS             records in the zone     (default: NAMES * 3 / 2)
#   RUNS                timed runs per tool     (default: 3)
#   CORES               threads and -multi      (default: nproc)
#   DNSSEC_SIGNZONE     1 to time dnssec-signzone too (default: 1; it takes ~35 s a run)
#   RESULTS             append one line per tool to this file (bench/plot.py draws them)
#   BIG_NAMES           also sign a zone of this many names with kskline alone and
#                       report time and peak RSS (e.g. 1000000; default: none)
#   HYPERFINE           hyperfine to use        (default: hyperfine if installed;
#                       empty: time with a /usr/bin/time loop instead)
set -euo pipefail

repo=$(cd "$(dirname "$0")/.." && pwd)
kskline=${KSKLINE:-$repo/build/tools/kskline}
zonegen=${KSKLINE_ZONEGEN:-$repo/build/bench/kskline-zonegen}
work=${KSKLINE_BENCH_DIR:-/tmp/kskline-bench}
names=${NAMES:-100000}
records=${RECORDS:-$((names * 3 / 2))}
runs=${RUNS:-3}
cores=${CORES:-$(nproc)}
with_bind=${DNSSEC_SIGNZONE:-1}
big=${BIG_NAMES:-}
hyperfine=${HYPERFINE-hyperfine}
origin=example.com.
seed=1

die() { echo "zone_sign.sh: $*" >&2; exit 1; }
[ -x "$kskline" ] || die "no kskline binary at $kskline (build it, or set KSKLINE)"
[ -x "$zonegen" ] || die "no kskline-zonegen at $zonegen (build it, or set KSKLINE_ZONEGEN)"
for tool in ldns-signzone dnssec-signzone ldns-verify-zone openssl; do
  command -v "$tool" >/dev/null || die "$tool is not installed (Debian: ldnsutils, bind9-utils, openssl)"
done
[ -x /usr/bin/time ] || die "/usr/bin/time is not installed (Debian: time)"
mkdir -p "$work"

# --- The zone and the key, cached. ----------------------------------------------
gen_flags=(--delegations-percent 10 --cname-percent 10)
zone=$work/sign-$names-$records-seed$seed.zone
if [ ! -s "$zone" ] || [ "$zonegen" -nt "$zone" ]; then
  echo "generating $zone ..." >&2
  "$zonegen" --origin "$origin" --names "$names" --records "$records" --seed "$seed" "${gen_flags[@]}" -o "$zone" 2>/dev/null
fi
keys=$work/sign-keys
if [ ! -d "$keys" ] || ! ls "$keys"/K*.private >/dev/null 2>&1; then
  rm -rf "$keys"
  mkdir -p "$keys"
  "$kskline" keygen --zone "$origin" -a ECDSAP256SHA256 --dir "$keys" >/dev/null
fi
zsk=$(ls "$keys"/K*.private | head -1)
zsk=${zsk%.private}
# dnssec-signzone wants the DNSKEY in the zone; -z lets the ZSK sign it.
zone_with_key=$zone.with-key
cat "$zone" "$zsk.key" > "$zone_with_key"

out=$work/sign-out
mkdir -p "$out"
cmd_kskline="'$kskline' zone sign '$zone' --origin $origin -k '$zsk' --threads $cores -q -o '$out/kskline.zone'"
cmd_ldns="ldns-signzone -o $origin -f '$out/ldns.zone' '$zone' '$zsk'"
cmd_bind="dnssec-signzone -q -z -n $cores -d '$out' -o $origin -f '$out/bind.zone' '$zone_with_key' '$zsk'"
cmd_reuse="'$kskline' zone sign '$zone' --origin $origin -k '$zsk' --threads $cores -q --reuse '$out/previous.zone' -o '$out/reused.zone'"

# --- Every output must be a valid signed zone, or the timings mean nothing. -----
echo "checking the outputs ..." >&2
sh -c "$cmd_kskline" || die "kskline failed"
cp "$out/kskline.zone" "$out/previous.zone"
sh -c "$cmd_reuse" || die "kskline --reuse failed"
cmp -s "$out/previous.zone" "$out/reused.zone" || die "re-signing the unchanged zone changed it"
"$kskline" zone verify "$out/kskline.zone" --origin "$origin" >/dev/null || die "kskline zone verify rejects kskline's output"
if [ ! -e "$out/kskline.zone.ldns-ok" ] || [ "$kskline" -nt "$out/kskline.zone.ldns-ok" ]; then
  ldns-verify-zone -V 1 "$out/kskline.zone" || die "ldns-verify-zone rejects kskline's output"
  touch "$out/kskline.zone.ldns-ok"
fi
signatures=$(awk '$4 == "RRSIG"' "$out/kskline.zone" | wc -l)

# --- The CPU limit: P-256 signatures per second on every core. ------------------
speed() {
  openssl speed -multi "$cores" -seconds 3 ecdsap256 2>/dev/null |
    awk '/256 bits ecdsa \(nistp256\)/ {v = $(NF-1)} END {print v}'
}
# One process: openssl divides by its CPU time, so this is one core's rate
# whatever else runs.
speed_one_core() {
  openssl speed -seconds 3 ecdsap256 2>/dev/null | awk '/256 bits ecdsa \(nistp256\)/ {v = $(NF-1)} END {print v}'
}

# --- Timing. -------------------------------------------------------------------
load=$(cut -d' ' -f1-3 /proc/loadavg)
speed_before=$(speed)
bench_names=(kskline ldns-signzone)
bench_cmds=("$cmd_kskline" "$cmd_ldns")
if [ "$with_bind" = 1 ]; then
  bench_names+=(dnssec-signzone)
  bench_cmds+=("$cmd_bind")
fi
bench_names+=(kskline-reuse)
bench_cmds+=("$cmd_reuse")
source "$repo/bench/measure.sh"
measure 1
speed_after=$(speed)
speed_core=$(speed_one_core)

timing=$("$kskline" zone sign "$zone" --origin $origin -k "$zsk" --threads "$cores" -q --timing -o "$out/kskline.zone" 2>&1)

# --- The table. ----------------------------------------------------------------
size=$(du -m "$out/kskline.zone" | cut -f1)
echo
echo "zone sign: $zone ($names names, $records records; ECDSA P-256 ZSK, NSEC)"
echo "output: $size MB, $signatures RRSIGs"
echo "machine: $cores threads of $(nproc) CPUs, $(sed -n 's/^model name\s*: //p' /proc/cpuinfo | head -1)"
echo "versions: $("$kskline" --version | head -1); $(ldns-signzone -v 2>&1 | head -1); $(dnssec-signzone -V 2>&1 | head -1); $(openssl version)"
echo "timing: $method; load average before: $load"
echo
printf '%-16s %15s %9s %10s %12s %12s\n' tool "wall (s)" "CPU (s)" "peak RSS" "wall ratio" "CPU ratio"
for n in "${bench_names[@]}"; do
  awk -v n="$n" -v m="${mean[$n]}" -v s="${sd[$n]}" -v c="${cpu[$n]}" -v r="${rss[$n]}" \
    -v k="${mean[kskline]}" -v kc="${cpu[kskline]}" \
    'BEGIN {printf "%-16s %7.3f ± %.3f %9.3f %7.0f MB %11.2fx %11.2fx\n", n, m, s, c, r/1024, m/k, c/kc}'
done
echo "(ratio = tool ÷ kskline; CPU = user + system)"
# With RESULTS=FILE, one line per tool (what bench/plot.py draws):
#   sign NAMES RECORDS TOOL WALL-SECONDS CPU-SECONDS PEAK-RSS-KB
if [ -n "${RESULTS:-}" ]; then
  for n in "${bench_names[@]}"; do
    printf 'sign\t%s\t%s\t%s\t%s\t%s\t%s\n' "$names" "$records" "$n" "${mean[$n]}" "${cpu[$n]}" "${rss[$n]}" >> "$RESULTS"
  done
fi
echo "kskline phases: ${timing#kskline: timing: }"
echo
awk -v k="${mean[kskline]}" -v kc="${cpu[kskline]}" -v l="${mean[ldns-signzone]}" -v lc="${cpu[ldns-signzone]}" \
  -v b="${mean[dnssec-signzone]:-0}" -v re="${mean[kskline-reuse]}" -v sig="$signatures" \
  -v s1="$speed_before" -v s2="$speed_after" -v s0="$speed_core" -v cores="$cores" -v kr="${rss[kskline]}" -v lr="${rss[ldns-signzone]}" 'BEGIN {
  speed = (s1 + s2) / 2
  limit = sig / speed
  printf "P-256 signs/s (openssl speed -multi %d ecdsap256): %.0f before, %.0f after\n", cores, s1, s2
  printf "CPU limit: %d signatures / %.0f signs/s = %.3f s\n", sig, speed, limit
  printf "ratios: ldns-signzone/kskline = %.2f (goal >= 3: %s)\n", l/k, (l/k >= 3 ? "met" : "NOT met")
  if (b > 0) printf "        dnssec-signzone/kskline = %.2f\n", b/k
  printf "        kskline/CPU limit = %.2f (goal <= 1.3: %s)\n", k/limit, (k/limit <= 1.3 ? "met" : "NOT met")
  printf "        ldns-signzone/kskline --reuse = %.2f (goal >= 10: %s)\n", l/re, (l/re >= 10 ? "met" : "NOT met")
  printf "        peak RSS kskline/ldns-signzone = %.2f (goal <= 1: %s)\n", kr/lr, (kr <= lr ? "met" : "NOT met")
  printf "CPU: ldns-signzone/kskline = %.2f; kskline CPU / (signatures / one core'"'"'s %.0f signs/s) = %.2f\n", lc/kc, s0, kc/(sig/s0)
}'

# --- A big zone: time and memory growth. ------------------------------------------
if [ -n "$big" ]; then
  big_zone=$work/sign-$big-$((big * 3 / 2))-seed$seed.zone
  if [ ! -s "$big_zone" ] || [ "$zonegen" -nt "$big_zone" ]; then
    echo "generating $big_zone ..." >&2
    "$zonegen" --origin "$origin" --names "$big" --records $((big * 3 / 2)) --seed "$seed" "${gen_flags[@]}" \
      -o "$big_zone" 2>/dev/null
  fi
  /usr/bin/time -o "$work/time.out" -f '%e %U %S %M' "$kskline" zone sign "$big_zone" --origin $origin -k "$zsk" \
    --threads "$cores" -q -o "$out/big.zone"
  read -r e u y m < <(tail -1 "$work/time.out")
  echo
  awk -v n="$big" -v e="$e" -v c="$(awk -v u="$u" -v y="$y" 'BEGIN {print u + y}')" -v m="$m" -v small="${rss[kskline]}" \
    -v sn="$names" 'BEGIN {
    printf "big zone: %d names: %.2f s wall, %.2f s CPU, peak RSS %.0f MB (%.2fx the %d-name zone for %.0fx the names; goal < 2048 MB: %s)\n",
      n, e, c, m/1024, m/small, sn, n/sn, (m/1024 < 2048 ? "met" : "NOT met")
  }'
fi
