#!/usr/bin/env bash
# The main job: install dependencies, build, and run the bundled tiny model end to end
# (model summary, a generation, a benchmark). Everything it needs is inside the repository.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
"$ROOT/scripts/install-deps.sh"
BUILD_DIR="${BUILD_DIR:-$ROOT/build}" "$ROOT/scripts/build.sh" -DHACE_BUILD_TESTS=OFF
HACE="${BUILD_DIR:-$ROOT/build}/app/hace"
MODEL="$ROOT/resources/models/stories260K"
set -x
"$HACE" info "$MODEL"
"$HACE" generate --model "$MODEL" --prompt "Once upon a time" --max-new-tokens 60 --json
"$HACE" generate --model "$ROOT/resources/models/needle-llama-1m" --max-new-tokens 16 \
  --prompt "The way to get startup ideas is not to try to think of startup ideas."
"$HACE" bench --model "$MODEL" --context 256 --new-tokens 64
