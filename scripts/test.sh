#!/usr/bin/env bash
# npm test: install what is missing, build, then run every suite:
#   native doctest (CTest), the same suite under ASan + UBSan, the same suite as WASM under node (CTest),
#   a short deterministic run of every fuzz target (clang + libFuzzer, ASan + UBSan),
#   TypeScript type check, Vitest, and the browser end-to-end suite (Chromium).
# Every part runs even if an earlier one fails; the exit status is non-zero if any failed.
set -uo pipefail
cd "$(dirname "$0")/.."

bash scripts/setup.sh || exit 1

results=()
failed=0
step() {  # step NAME COMMAND...
  local name=$1; shift
  echo; echo "=== $name ==="
  local start=$SECONDS
  if "$@"; then results+=("$name: pass ($((SECONDS - start)) s)")
  else results+=("$name: FAIL ($((SECONDS - start)) s)"); failed=1; fi
}

step "build native" bash scripts/build.sh native
step "build wasm" bash scripts/build.sh wasm
step "build native asan+ubsan" bash scripts/build.sh asan
step "doctest native" ctest --test-dir build --output-on-failure
step "doctest native asan+ubsan" ctest --test-dir build-asan --output-on-failure
step "doctest wasm (node)" ctest --test-dir build-wasm --output-on-failure
step "fuzz smoke (20,000 inputs each)" bash scripts/fuzz.sh --smoke
step "typecheck" npx tsc -p .
step "vitest" npx vitest run
step "build web app" npx vite build --logLevel warn
step "browser e2e (chromium)" node --test --test-concurrency=1 tests/e2e/

echo
echo "=== summary ==="
printf '  %s\n' "${results[@]}"
if ((failed)); then echo "gptlab tests: FAILED"; else echo "gptlab tests: all passed"; fi
exit $failed
