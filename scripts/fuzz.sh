#!/usr/bin/env bash
# npm run fuzz [-- SECONDS | --smoke]: builds the libFuzzer targets of fuzz/ with clang, AddressSanitizer
# and UndefinedBehaviorSanitizer (build-fuzz/), then runs each for SECONDS (default 60) from its
# committed seeds (fuzz/corpus/<target>/; what the fuzzer finds goes to build-fuzz/corpus/).
# Fails on any crash, sanitizer report, leak, timeout (10 s an input) or memory blow-up (2 GB);
# the input that did it is saved as build-fuzz/crash-<target>-*. Prints executions and coverage.
# --smoke (part of npm test): the committed seeds plus 5,000 mutations each, with a fixed
# random seed, so the run is short and the same every time.
set -euo pipefail
cd "$(dirname "$0")/.."
seconds=${1:-60}
limit=(-max_total_time="$seconds")
if [[ $seconds == --smoke ]]; then limit=(-runs=5000 -seed=1); seconds=smoke; fi
bash scripts/setup.sh fuzz
source scripts/ccache.sh  # sets launcher
CXX=clang++ cmake -B build-fuzz -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo -DGPTLAB_FUZZ=ON -DGPTLAB_ARCH=x86-64-v3 \
  "${launcher[@]}" >/dev/null
ninja -C build-fuzz
status=0
for target in build-fuzz/fuzz_*; do
  [[ -x $target && -f $target ]] || continue
  name=$(basename "$target")
  # libFuzzer writes what it finds into the first folder: never the committed seeds. A smoke run
  # starts from an empty scratch folder each time, so it is the same run every time.
  out="build-fuzz/corpus/$name"
  [[ $seconds == smoke ]] && out="build-fuzz/smoke/$name" && rm -rf "$out"
  corpus=("$out" "fuzz/corpus/$name")
  mkdir -p "$out"
  log="build-fuzz/$name.log"
  if "$target" "${limit[@]}" -timeout=10 -rss_limit_mb=2048 -print_final_stats=1 \
      -artifact_prefix="build-fuzz/crash-$name-" "${corpus[@]}" >"$log" 2>&1; then
    runs=$(grep -oE 'number_of_executed_units: *[0-9]+' "$log" | grep -oE '[0-9]+$' || echo '?')
    cov=$(grep -oE 'cov: [0-9]+ ft: [0-9]+' "$log" | tail -1 || true)
    echo "$name: $runs executions ($seconds), ${cov:-cov: ?}, no failure"
  else
    echo "$name: FAILED (the log: $log)"
    grep -E 'ERROR|invariant|SUMMARY|Test unit written|panic|terminate' "$log" | head -8
    status=1
  fi
done
exit $status
