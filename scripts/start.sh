#!/usr/bin/env bash
# npm start: install what is missing, build the WASM module, serve the lab on 127.0.0.1.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
bash scripts/build.sh wasm
exec npx vite --host 127.0.0.1 --port "${PORT:-5173}"
