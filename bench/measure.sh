# Timing shared by the benchmarks, sourced by them: every tool is measured in
# the same run, by hyperfine when it is installed, else by a /usr/bin/time
# loop, and its peak RSS taken from one more run.
#
# Set the parallel arrays bench_names and bench_cmds, then call
# `measure WARMUPS`. It fills the associative arrays mean, sd (standard
# deviation), best (fastest run) and cpu (user + system) in seconds and rss
# (peak, KB), keyed by name, and sets method to a line saying how. It uses
# $runs, $work and $hyperfine (empty: the /usr/bin/time loop).

declare -A mean sd best cpu rss

measure() {
  local warmups=$1 i r name m s c lo u y
  if [ -n "$hyperfine" ] && command -v "$hyperfine" >/dev/null; then
    local csv=$work/measure.csv args=()
    for i in "${!bench_names[@]}"; do args+=(-n "${bench_names[$i]}" "${bench_cmds[$i]}"); done
    "$hyperfine" --warmup "$warmups" --runs "$runs" --style basic --export-csv "$csv" "${args[@]}" >&2
    # CSV: command,mean,stddev,median,user,system,min,max
    while IFS=, read -r name m s _ u y lo _; do
      mean[$name]=$m
      sd[$name]=$s
      best[$name]=$lo
      cpu[$name]=$(awk -v u="$u" -v y="$y" 'BEGIN {printf "%.6f", u + y}')
    done < <(tail -n +2 "$csv")
    method="hyperfine --warmup $warmups --runs $runs (mean ± stddev)"
  else
    for i in "${!bench_names[@]}"; do
      for ((r = 0; r < warmups; r++)); do sh -c "${bench_cmds[$i]}" >/dev/null 2>&1; done
      local times=()
      for ((r = 0; r < runs; r++)); do
        /usr/bin/time -o "$work/time.out" -f '%e %U %S' sh -c "${bench_cmds[$i]}" >/dev/null 2>&1
        times+=("$(tail -1 "$work/time.out")")
      done
      read -r m s c lo < <(printf '%s\n' "${times[@]}" |
        awk '{x[NR]=$1; t+=$1; cp+=$2+$3; if (NR==1 || $1<lo) lo=$1} END {m=t/NR; for (i in x) v+=(x[i]-m)^2;
             printf "%.6f %.6f %.6f %.6f\n", m, (NR>1?sqrt(v/(NR-1)):0), cp/NR, lo}')
      name=${bench_names[$i]}
      mean[$name]=$m
      sd[$name]=$s
      best[$name]=$lo
      cpu[$name]=$c
    done
    method="/usr/bin/time, $warmups warm-up + $runs runs (mean ± stddev)"
  fi
  for i in "${!bench_names[@]}"; do
    /usr/bin/time -o "$work/time.out" -f %M sh -c "exec ${bench_cmds[$i]}" >/dev/null 2>&1
    rss[${bench_names[$i]}]=$(tail -1 "$work/time.out")
  done
}
