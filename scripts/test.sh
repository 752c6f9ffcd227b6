#!/usr/bin/env bash
# npm test: install what is missing, build, then run every suite:
#   native doctest (CTest), the same suite under ASan + UBSan, the same suite as WASM under node (CTest),
#   a short deterministic run of every fuzz target (clang + libFuzzer, ASan + UBSan),
#   TypeScript type check, ESLint, the C++ formatting check, Vitest, and the browser end-to-end suite (Chromium).
# Every part runs even if an earlier one fails, except a part whose build failed: it says
# "not run (build X failed)" rather than test stale binaries. The exit status is non-zero if any
# part failed.
set -uo pipefail
cd "$(dirname "$0")/.."

bash scripts/setup.sh || exit 1

results=()
failed=0
declare -A outcome=()  # step name -> pass, FAIL or not run
step() {  # step NAME COMMAND...
  local name=$1; shift
  echo; echo "=== $name ==="
  local start=$SECONDS
  if "$@"; then
    results+=("$name: pass ($((SECONDS - start)) s)")
    outcome[$name]=pass
  else
    results+=("$name: FAIL ($((SECONDS - start)) s)")
    outcome[$name]=FAIL
    failed=1
  fi
}
# started_step NAME COMMAND...: a step that needs one core, run in the background beside the steps that
# follow; its output is printed, and it is counted, at the next finish_started.
started=()  # "name|pid|log"
started_step() {
  local name=$1 log; shift
  log=$(mktemp)
  ( begun=$SECONDS; "$@"; status=$?; echo "$((SECONDS - begun))" >"$log.seconds"; exit $status ) >"$log" 2>&1 &
  started+=("$name|$!|$log")
}
finish_started() {
  local entry name pid log
  for entry in "${started[@]}"; do
    IFS='|' read -r name pid log <<<"$entry"
    echo; echo "=== $name (ran beside the steps above) ==="
    if wait "$pid"; then outcome[$name]=pass; else outcome[$name]=FAIL; failed=1; fi
    cat "$log"
    results+=("$name: ${outcome[$name]} ($(cat "$log.seconds" 2>/dev/null || echo ?) s)")
    rm -f "$log" "$log.seconds"
  done
  started=()
}
after() {  # after STEP... -- step|started_step NAME COMMAND...: the step, if every STEP before -- passed
  local deps=()
  while [[ $1 != -- ]]; do deps+=("$1"); shift; done
  shift
  for dep in "${deps[@]}"; do
    [[ ${outcome[$dep]:-} == pass ]] && continue
    echo; echo "=== $2 ==="; echo "not run ($dep failed)"
    results+=("$2: not run ($dep failed)")
    outcome[$2]="not run"
    failed=1
    return
  done
  "$@"
}

# The builds use every core; the test suites mostly one each, so they run two at a time.
step "build native" bash scripts/build.sh native
step "build wasm" bash scripts/build.sh wasm
step "build native asan+ubsan" bash scripts/build.sh asan
after "build native asan+ubsan" -- started_step "doctest native asan+ubsan" ctest --test-dir build-asan --output-on-failure
after "build native" -- step "doctest native" ctest --test-dir build --output-on-failure
after "build wasm" -- step "doctest wasm (node)" ctest --test-dir build-wasm --output-on-failure
finish_started
started_step "fuzz smoke (5,000 inputs each)" bash scripts/fuzz.sh --smoke
step "typecheck" npx tsc -p .
step "lint (eslint)" npx eslint .
# .clang-format (clang-format 14): the C++ tree as the formatter leaves it. Fix with `clang-format -i FILE`.
step "format (clang-format)" bash -c "git ls-files -z '*.cpp' '*.h' '*.c' | xargs -0 clang-format --dry-run --Werror"
# Vitest loads the WASM module and compares training with the native CLI (build/gptlab).
after "build wasm" "build native" -- step "vitest" npx vitest run
after "build wasm" -- step "build web app" npx vite build --logLevel warn
finish_started
after "build wasm" "build web app" -- step "browser e2e (chromium)" node --test --test-concurrency=1 tests/e2e/

echo
echo "=== summary ==="
printf '  %s\n' "${results[@]}"
if ((failed)); then echo "gptlab tests: FAILED"; else echo "gptlab tests: all passed"; fi
exit $failed
