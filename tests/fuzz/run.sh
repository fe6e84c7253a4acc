#!/usr/bin/env bash
# run.sh: builds folio's libFuzzer targets with clang (AddressSanitizer and
# UndefinedBehaviorSanitizer) and runs each for a bounded time.
#
#   tests/fuzz/run.sh [SECONDS] [TARGET...]
#
# SECONDS per target, default 20; TARGETs (fuzz_router, ...) default to all.
# Every input has a time limit (10 s; 2 s for fuzz_template), so a run-away
# input is a failure like a crash. The targets' own output (folio's log
# lines, refusals) is hidden (-close_fd_mask=2); libFuzzer's and the
# sanitizers' reports are not.
#
# Environment: FOLIO_FUZZ_BUILD (build directory, default build-fuzz),
# FOLIO_FUZZ_OUT (new corpus entries and crash files, default a temp dir),
# FOLIO_FUZZ_JOBS (targets run at once, default one per core).
# A crash or a timeout fails the run (status 1), naming the input file: fix the bug,
# then copy the file into tests/fuzz/crashes/<kind>/ so ctest replays it in
# every build from then on.
set -euo pipefail

seconds=${1:-20}
case "$seconds" in ''|*[!0-9]*) echo "usage: $0 [SECONDS] [TARGET...]" >&2; exit 2 ;; esac
shift $(( $# > 0 ? 1 : 0 ))
all_targets="fuzz_form fuzz_comment fuzz_router fuzz_frontmatter fuzz_signed fuzz_config fuzz_template
  fuzz_html fuzz_wxr"
targets=${*:-$all_targets}
here=$(cd "$(dirname "$0")" && pwd)
repo=$(cd "$here/../.." && pwd)
build=${FOLIO_FUZZ_BUILD:-$repo/build-fuzz}
out=${FOLIO_FUZZ_OUT:-$(mktemp -d "${TMPDIR:-/tmp}/folio-fuzz.XXXXXX")}
cc=${CC:-$(command -v clang || command -v clang-14 || true)}
if [ -z "$cc" ]; then
  echo "run.sh: clang is needed (apt-get install clang libclang-rt-14-dev)" >&2
  exit 1
fi

# -O1, as libFuzzer's own examples build: faster than -O0, and the
# sanitizers still see every access.
cmake -S "$repo" -B "$build" -DCMAKE_C_COMPILER="$cc" -DCMAKE_BUILD_TYPE=Debug \
  -DFOLIO_FUZZ=ON -DCMAKE_C_FLAGS="${FOLIO_FUZZ_CFLAGS:--O1 -Wno-error=format-nonliteral}" >/dev/null
# shellcheck disable=SC2086
cmake --build "$build" -j "$(nproc 2>/dev/null || echo 2)" --target $targets

export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1:abort_on_error=1}
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}

# Fuzzes one target; its log, new inputs, crash files and exit status go
# under $out/KIND.
fuzz_one() {
  local target=$1 kind=${1#fuzz_} timeout=10 extra=()
  [ "$kind" = template ] && timeout=2
  [ -f "$here/$kind.dict" ] && extra+=(-dict="$here/$kind.dict")
  # config keeps option values for the life of the process, by design, so
  # every input would end in a full leak check (a tenth of the speed).
  [ "$kind" = config ] && extra+=(-detect_leaks=0)
  local work="$out/$kind" rc=0
  mkdir -p "$work/corpus" "$work/artifacts"
  # New inputs go to the first directory; the seeds and saved crashes are read only.
  "$build/tests/fuzz/$target" -max_total_time="$seconds" -timeout="$timeout" \
    -rss_limit_mb=2048 -max_len=8192 -print_final_stats=1 -close_fd_mask=2 "${extra[@]}" \
    -artifact_prefix="$work/artifacts/" \
    "$work/corpus" "$here/corpus/$kind" "$here/crashes/$kind" 2>"$work/log" || rc=$?
  echo "$rc" >"$work/status"
}

# FOLIO_FUZZ_JOBS targets at a time (default: one per core), so that the
# whole run takes about SECONDS x targets / jobs.
jobs=${FOLIO_FUZZ_JOBS:-$(nproc 2>/dev/null || echo 2)}
echo "run.sh: ${seconds}s per target, $jobs at a time; logs, new inputs and crashes in $out"
running=0
for target in $targets; do
  if [ "$running" -ge "$jobs" ]; then
    wait -n || true
    running=$((running - 1))
  fi
  fuzz_one "$target" &
  running=$((running + 1))
done
wait || true

status=0
for target in $targets; do
  kind=${target#fuzz_}
  work="$out/$kind"
  if [ "$(cat "$work/status" 2>/dev/null)" != 0 ]; then
    tail -n 60 "$work/log" >&2
    echo "run.sh: $target failed; the input is in $work/artifacts/:" >&2
    ls -l "$work/artifacts" >&2
    status=1
  else
    runs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$work/log")
    rate=$(sed -n 's/^stat::average_exec_per_sec: *//p' "$work/log")
    echo "run.sh: $target: $runs runs, $rate/s"
  fi
done
[ $status -eq 0 ] && echo "run.sh: no crashes"
exit $status
