#!/usr/bin/env bash
# The link against C-Kermit and ZMODEM on the same simulated line.
#
# Over `kskline linesim` (two pseudo-terminals joined at the pace of a real
# UART, 10 bit times a byte) at 115200 baud with no flow control, 1 MiB of
# random bytes goes one way with each tool: kskline send/receive, C-Kermit
# (set window 31, set block-check 3, set prefixing minimal, packet length
# 9024) and ZMODEM (lrzsz sz/rz). Lines: clean, bit error rates 1e-5 and
# 1e-4 (each bit time of the line flips independently, seeded: start, data,
# stop and idle bits, read by a 16550-like receiver), and a 7-bit line.
# SIM=uart_line runs the same over bench/uart_line.py instead, an independent
# simulator that flips only data bits (no 7-bit line there).
#
#   efficiency = payload bytes / elapsed seconds / (baud / 10)
#
# With RESULTS=FILE, each transfer is also appended to FILE as a line of
# tab-separated fields (what bench/plot.py draws):
#   link SIM BAUD SIZE LINE TOOL SECONDS EFFICIENCY-PERCENT STATUS
#
# elapsed from launching the receiver (the sender as soon as the receiver
# has the device open) until both exited; a run counts only if the received
# file equals the one sent. Then
# the request/response exchange the ceremony makes: 2 KiB answered by 4 KiB
# at 9600 baud, against the line time of the two envelopes.
set -euo pipefail
repo=$(cd "$(dirname "$0")/.." && pwd)
KSKLINE=${KSKLINE:-$repo/build/tools/kskline}
EXCHANGE=${KSKLINE_LINK_EXCHANGE:-$(dirname "$KSKLINE")/../bench/kskline-link-exchange}
BAUD=${BAUD:-115200}
SIZE=${SIZE:-1048576}
LINES=${LINES:-clean ber1e-5 ber1e-4 7bit}
TOOLS=${TOOLS:-kskline kermit zmodem}
SIM=${SIM:-linesim}  # or uart_line: bench/uart_line.py, an independent simulator
SEED=${SEED:-1}
WORK=${KSKLINE_BENCH_DIR:-/tmp/kskline-bench}/link
rate=$((BAUD / 10))
line_time=$(echo "$SIZE / $rate" | bc -l)
TIMEOUT=${TIMEOUT:-$(printf '%.0f' "$(echo "6 * $line_time + 30" | bc -l)")}

for tool in "$KSKLINE" "$EXCHANGE"; do
  [ -x "$tool" ] || { echo "link.sh: $tool is missing (build kskline and kskline-link-exchange)" >&2; exit 2; }
done
mkdir -p "$WORK"
payload=$WORK/payload-$SIZE.bin
[ -s "$payload" ] || head -c "$SIZE" /dev/urandom > "$payload"

now() { date +%s.%N; }

# Starts the simulator with the options of a line; sets A, B and SIM_PID.
start_line() {
  local name=$1 opts=()
  case $name in
    clean) ;;
    ber*) opts=(--ber "${name#ber}" --seed "$SEED") ;;
    7bit) opts=(--seven-bit) ;;
    *) echo "link.sh: unknown line $name" >&2; exit 2 ;;
  esac
  rm -rf "$WORK/line"
  if [ "$SIM" = uart_line ]; then
    [ "$name" = 7bit ] && { echo "link.sh: uart_line has no 7-bit line" >&2; exit 2; }
    python3 "$repo/bench/uart_line.py" --baud "$BAUD" --link-dir "$WORK/line" "${opts[@]}" 2> "$WORK/linesim.err" &
  else
    "$KSKLINE" linesim --baud "$BAUD" --link-dir "$WORK/line" "${opts[@]}" > "$WORK/paths" 2> "$WORK/linesim.err" &
  fi
  SIM_PID=$!
  for _ in $(seq 50); do [ -e "$WORK/line/b" ] && break; sleep 0.1; done
  A=$WORK/line/a
  B=$WORK/line/b
}

# Waits (at most 3 s) until the receiver (process `pid` or one of its
# children) has opened `path`, so no sender talks to a receiver that is not
# listening yet.
wait_open() {
  local pid=$1 dev pids p fd
  dev=$(readlink -f "$2")
  for _ in $(seq 300); do
    pids=$pid
    for p in $pid $(cat /proc/"$pid"/task/*/children 2>/dev/null); do
      pids="$pids $(cat /proc/"$p"/task/*/children 2>/dev/null)"
    done
    for p in $pids; do
      for fd in /proc/"$p"/fd/*; do
        if [ "$(readlink "$fd" 2>/dev/null)" = "$dev" ]; then
          sleep 0.05
          return 0
        fi
      done
    done
    sleep 0.01
  done
}

stop_line() {
  kill -INT "$SIM_PID" 2>/dev/null || true
  wait "$SIM_PID" 2>/dev/null || true
}

# Runs one transfer; prints "seconds sender_seconds status": from launching
# the receiver until both exited, and until the sender exited.
transfer() {
  local tool=$1 line=$2 out=$WORK/out
  rm -rf "$out"
  mkdir -p "$out"
  local kermit_common="set carrier-watch off, set flow none, set window 31, set block-check 3, set prefixing minimal, set receive packet-length 9024, set file type binary"
  local spec_extra="" parity="none"
  if [ "$line" = 7bit ]; then spec_extra=",bits=7,parity=even"; parity="space"; fi
  local t0 t1 ts rs=0 ss=0
  t0=$(now)
  case $tool in
    kskline)
      timeout "$TIMEOUT" "$KSKLINE" receive -q --link "serial:$B,baud=$BAUD$spec_extra" --output-dir "$out" --count 1 \
        > /dev/null 2> "$WORK/receiver.err" &
      local r=$!
      wait_open $r "$B"
      timeout "$TIMEOUT" "$KSKLINE" send -q --link "serial:$A,baud=$BAUD$spec_extra" "$payload" 2> "$WORK/sender.err" || ss=$?
      ts=$(now)
      wait $r || rs=$?
      ;;
    kermit)
      timeout "$TIMEOUT" kermit -Y -C "set line $B, set speed $BAUD, set parity $parity, $kermit_common, set file collision overwrite, cd $out, receive, exit" \
        > "$WORK/receiver.err" 2>&1 < /dev/null &
      local r=$!
      wait_open $r "$B"
      timeout "$TIMEOUT" kermit -Y -C "set line $A, set speed $BAUD, set parity $parity, $kermit_common, send $payload, exit" \
        > "$WORK/sender.err" 2>&1 < /dev/null || ss=$?
      ts=$(now)
      wait $r || rs=$?
      ;;
    zmodem)
      if [ "$line" = 7bit ]; then echo "- - n/a"; return; fi
      (cd "$out" && timeout "$TIMEOUT" rz -b -y < "$B" > "$B" 2> "$WORK/receiver.err") &
      local r=$!
      wait_open $r "$B"
      timeout "$TIMEOUT" sz -b "$payload" < "$A" > "$A" 2> "$WORK/sender.err" || ss=$?
      ts=$(now)
      wait $r || rs=$?
      ;;
  esac
  t1=$(now)
  local status=ok
  if [ $ss -ne 0 ] || [ $rs -ne 0 ] || ! cmp -s "$payload" "$out/$(basename "$payload")"; then
    status="failed(send=$ss,receive=$rs)"
  fi
  echo "$(echo "$t1 - $t0" | bc -l) $(echo "$ts - $t0" | bc -l) $status"
}

echo "link.sh: $SIZE random bytes one way over $SIM at $BAUD baud ($rate bytes/s, line time $(printf '%.1f' "$line_time") s), flow none, seed $SEED"
echo "link.sh: $(nproc) CPUs, load average $(cut -d' ' -f1-3 /proc/loadavg)"
printf '%-10s %-8s %9s %11s  %s\n' line tool seconds efficiency status
declare -A eff
for line in $LINES; do
  for tool in $TOOLS; do
    start_line "$line"
    read -r seconds sender_seconds status < <(transfer "$tool" "$line")
    stop_line
    if [ "$seconds" = "-" ]; then
      printf '%-10s %-8s %9s %11s  %s\n' "$line" "$tool" - - "$status"
      [ -z "${RESULTS:-}" ] || printf 'link\t%s\t%s\t%s\t%s\t%s\t-\t0\t%s\n' "$SIM" "$BAUD" "$SIZE" "$line" "$tool" \
        "$status" >> "$RESULTS"
      continue
    fi
    e=$(echo "100 * $SIZE / $seconds / $rate" | bc -l)
    [ "$status" = ok ] || e=0
    eff[$line.$tool]=$e
    note=""
    if [ "$tool" = zmodem ] && [ "$status" = ok ] && [ "$(echo "$seconds - $sender_seconds > 5" | bc -l)" = 1 ]; then
      # rz waits 3 x 10 s for the "OO" that sz's exit flushes from the
      # pseudo-terminal (its tcdrain cannot wait there, as it would on a
      # UART): the ratio uses the time until sz exited, the file complete.
      fair=$(echo "100 * $SIZE / $sender_seconds / $rate" | bc -l)
      eff[$line.$tool]=$fair
      note=$(printf ' (%.1f%% until sz exited; rz then waited %.0f s for the flushed "OO")' "$fair" "$(echo "$seconds - $sender_seconds" | bc -l)")
    fi
    printf '%-10s %-8s %9.1f %10.1f%%  %s%s\n' "$line" "$tool" "$seconds" "$e" "$status" "$note"
    if [ -n "${RESULTS:-}" ]; then
      printf 'link\t%s\t%s\t%s\t%s\t%s\t%.2f\t%.2f\t%s\n' "$SIM" "$BAUD" "$SIZE" "$line" "$tool" "$seconds" \
        "${eff[$line.$tool]}" "$status" >> "$RESULTS"
    fi
  done
done

# Ratios against the tools an operator would pick instead.
echo
for line in $LINES; do
  k=${eff[$line.kskline]:-}
  [ -n "$k" ] || continue
  for tool in kermit zmodem; do
    o=${eff[$line.$tool]:-}
    [ -n "$o" ] || continue
    if [ "$(echo "$o > 0" | bc -l)" = 1 ]; then
      printf 'link.sh: %-8s kskline/%s = %.2fx\n' "$line" "$tool" "$(echo "$k / $o" | bc -l)"
    else
      printf 'link.sh: %-8s kskline/%s: %s failed\n' "$line" "$tool" "$tool"
    fi
  done
done

# The ceremony's exchange at 9600 baud: 2 KiB request, 4 KiB response.
echo
BAUD=9600
start_line clean
t0=$(now)
timeout 120 "$EXCHANGE" answer --link "serial:$B,baud=9600" --size 4096 2> "$WORK/answer.err" &
r=$!
sizes=$(timeout 120 "$EXCHANGE" request --link "serial:$A,baud=9600" --size 2048 2> "$WORK/request.err") || true
wait $r || true
t1=$(now)
stop_line
if [[ $sizes =~ request\ ([0-9]+)\ bytes,\ response\ ([0-9]+)\ bytes ]]; then
  envelopes=$((BASH_REMATCH[1] + BASH_REMATCH[2]))
  line_s=$(echo "$envelopes / 960" | bc -l)
  elapsed=$(echo "$t1 - $t0" | bc -l)
  printf 'link.sh: 2 KiB request answered by 4 KiB at 9600 baud: %.2f s, %.2f s of envelope line time (%d bytes): %.2fx (goal at most 1.25x)\n' \
    "$elapsed" "$line_s" "$envelopes" "$(echo "$elapsed / $line_s" | bc -l)"
else
  echo "link.sh: the 9600-baud exchange failed:"
  cat "$WORK/request.err" "$WORK/answer.err"
fi
