#!/usr/bin/env bash
# Builds the libFuzzer targets of tests/fuzz/ (clang-14, ASan + UBSan, in build-fuzz/) and runs
# each for SECONDS (default 15) from its seed corpus tests/fuzz/corpus/<target>/, two at a time.
# Exits non-zero when any target crashes, leaks, hangs or fails a property; the input that did
# it is kept under build-fuzz/fuzz-artifacts/<target>/.
#
# Usage: tools/fuzz.sh [SECONDS_PER_TARGET] [TARGET...]      e.g. tools/fuzz.sh 600 csv_statement_fuzz
# New inputs a run finds go to build-fuzz/fuzz-corpus/<target>/ (kept between runs, never
# committed by this script); tests/fuzz/corpus/ is only read.
set -euo pipefail
cd "$(dirname "$0")/.."
seconds="${1:-15}"
shift || true
dir=build-fuzz

# The largest input each target is given: a little above the largest real input of its kind
# (proof documents and camt.053 files are the longest), so time goes to structure, not size.
declare -A max_len=(
  [event_json_fuzz]=8192
  [event_decode_fuzz]=4096
  [commit_decode_fuzz]=8192
  [csv_statement_fuzz]=4096
  [camt053_statement_fuzz]=8192
  [proof_json_fuzz]=16384
  [checkpoint_fuzz]=1024
  [raw_log_fuzz]=16384
)
# Dictionaries of the format's tokens, where one helps the mutator past the syntax.
declare -A dict=(
  [event_json_fuzz]=tests/fuzz/event_json.dict
  [proof_json_fuzz]=tests/fuzz/proof_json.dict
  [camt053_statement_fuzz]=tests/fuzz/camt053.dict
)

targets=("$@")
if [ ${#targets[@]} -eq 0 ]; then
  for src in tests/fuzz/*_fuzz.cc; do targets+=("$(basename "$src" .cc)"); done
fi

tools/build.sh "$dir" -DCMAKE_BUILD_TYPE=RelWithDebInfo -DCMAKE_C_COMPILER=clang-14 \
  -DCMAKE_CXX_COMPILER=clang++-14 -DGRANTLEDGER_FUZZ=ON -- "${targets[@]}"

# One target: runs it, then prints one summary line from libFuzzer's final statistics.
run_one() {
  local t="$1" log="$dir/fuzz-logs/$1.log"
  mkdir -p "$dir/fuzz-corpus/$t" "$dir/fuzz-artifacts/$t" "$dir/fuzz-logs"
  local args=(-max_total_time="$seconds" -max_len="${max_len[$t]:-4096}" -timeout=10 -rss_limit_mb=2048
              -print_final_stats=1 -artifact_prefix="$dir/fuzz-artifacts/$t/")
  [ -n "${dict[$t]:-}" ] && args+=(-dict="${dict[$t]}")
  local rc=0
  ASAN_OPTIONS=detect_leaks=1 UBSAN_OPTIONS=print_stacktrace=1 \
    "$dir/$t" "${args[@]}" "$dir/fuzz-corpus/$t" "tests/fuzz/corpus/$t" >"$log" 2>&1 || rc=$?
  local runs rate cov corpus
  runs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -1)
  rate=$(sed -n 's/.* exec\/s: \([0-9]*\).*/\1/p' "$log" | tail -1)
  cov=$(sed -n 's/.* cov: \([0-9]*\) ft: \([0-9]*\).*/cov=\1 ft=\2/p' "$log" | tail -1)
  corpus=$(find "$dir/fuzz-corpus/$t" -type f | wc -l)
  if [ "$rc" -eq 0 ]; then
    echo "fuzz $t: ok runs=${runs:-?} exec/s=${rate:-?} ${cov:-} corpus=$corpus"
  else
    echo "fuzz $t: FAILED (exit $rc) runs=${runs:-?} ${cov:-}; log $log; input:" \
      "$(sed -n 's/.*Test unit written to \(.*\)/\1/p' "$log" | tail -1)"
    # The cause (sanitizer report, uncaught exception or UB) and the first frames in our code.
    grep -m2 -E 'ERROR: [A-Za-z]*Sanitizer|what\(\)|runtime error' "$log" || tail -20 "$log"
    grep -m4 -E '^ +#[0-9]+ .* in grantledger::' "$log" | sed -E 's/ \(BuildId: [0-9a-f]+\)//' || true
  fi
  return "$rc"
}

# Two at a time, one per core; remember every failure, report all of them.
failed=0
running=0
for t in "${targets[@]}"; do
  if [ "$running" -ge 2 ]; then
    wait -n || failed=1
    running=$((running - 1))
  fi
  run_one "$t" &
  running=$((running + 1))
done
while [ "$running" -gt 0 ]; do
  wait -n || failed=1
  running=$((running - 1))
done
if [ "$failed" -ne 0 ]; then
  echo "fuzz: at least one target failed (see above)" >&2
  exit 1
fi
echo "fuzz: ${#targets[@]} targets, ${seconds}s each, no crash"
