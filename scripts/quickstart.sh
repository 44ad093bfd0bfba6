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
set +x

# KV-cache compression on the needle model: the same needle prompt with every method at 30%
# retention (equal-budget mode, SEL-SNAP selector; KIVI keeps every token at 2 bits); the dump
# lists what each layer/head kept.
NEEDLE="$ROOT/resources/models/needle-llama-1m"
PROMPT="I once spent a summer working on a farm, and what I learned there was that the hard part \
of any job is not the work itself but deciding what to work on. The secret code is 39901. Most \
people who start companies think the hard part will be building the product, but it is usually \
finding out what people want. Question: What is the secret code? Answer: The secret code is"
echo "needle prompt: the answer is 39901"
for m in full snapkv pyramidkv adakv cake hace-layer streamingllm h2o kivi; do
  budget=(); [ "$m" != full ] && [ "$m" != kivi ] && budget=(--retention 0.3 --selector snap)
  printf '%-11s' "$m:"
  "$HACE" generate --model "$NEEDLE" --prompt "$PROMPT" --max-new-tokens 8 --method "$m" "${budget[@]}"
done
"$HACE" compress --model "$NEEDLE" --prompt "$PROMPT" --method cake --retention 0.3 \
  --dump "${BUILD_DIR:-$ROOT/build}/cake-dump.json"
echo "compression dump: ${BUILD_DIR:-$ROOT/build}/cake-dump.json"
