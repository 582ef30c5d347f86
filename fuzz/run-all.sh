#!/usr/bin/env bash
# Runs every fuzz target for N seconds, one after the other, and prints a summary: executions, new
# crashes (reproducers are left in fuzz/artifacts/<target>/).
#
#   fuzz/run-all.sh [SECONDS] [TARGET…]      SECONDS defaults to 60; all targets when none are named
#   SANITIZER=none fuzz/run-all.sh 60        without AddressSanitizer (safe Rust: nothing is lost but speed)
#   JOBS=2 fuzz/run-all.sh 600               libFuzzer workers per target
#
# Stable toolchains need RUSTC_BOOTSTRAP=1 for cargo-fuzz's -Z flags (see fuzz/README.md); it is set here
# for the fuzz build only. Logs go to fuzz/logs/<target>.log.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
cd "$here"
seconds="${1:-60}"
shift || true
targets=("$@")
if [ ${#targets[@]} -eq 0 ]; then
  mapfile -t targets < <(cargo fuzz list)
fi
sanitizer="${SANITIZER:-address}"
jobs="${JOBS:-1}"
parallel=()
# With -jobs, libFuzzer writes each worker's log to ./fuzz-N.log: they are appended to the target's log.
[ "$jobs" -gt 1 ] && parallel=(-jobs="$jobs" -workers="$jobs")
export RUSTC_BOOTSTRAP=1
mkdir -p logs
cargo fuzz build -a -s "$sanitizer" >/dev/null

printf '%-16s %8s %12s %10s %8s\n' target seconds executions exec/s crashes
status=0
for t in "${targets[@]}"; do
  mkdir -p "corpus/$t" "artifacts/$t"
  before=$(find "artifacts/$t" -type f | wc -l)
  # Seeds are read, never written: new inputs go to corpus/<t> (ignored by git).
  if ! cargo fuzz run -a -s "$sanitizer" "$t" "corpus/$t" "seeds/$t" -- \
      -max_total_time="$seconds" -timeout=10 -rss_limit_mb=2048 -print_final_stats=1 \
      "${parallel[@]}" >"logs/$t.log" 2>&1; then
    status=1
  fi
  if [ "$jobs" -gt 1 ]; then cat fuzz-*.log >>"logs/$t.log" 2>/dev/null || true; rm -f fuzz-*.log; fi
  after=$(find "artifacts/$t" -type f | wc -l)
  runs=$(grep -ho 'stat::number_of_executed_units: *[0-9]*' "logs/$t.log" | awk '{s+=$2} END {print s+0}')
  printf '%-16s %8s %12s %10s %8s\n' "$t" "$seconds" "$runs" "$((runs / seconds))" "$((after - before))"
done
exit $status
