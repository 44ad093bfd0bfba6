#!/usr/bin/env bash
# Writes one JSON file per case of tests/data/method_dumps/cases.txt: the compression dump of
# `hace compress`, or the output ids, KV statistics and dump of `hace generate` (timings, memory
# and the model path left out: they differ between runs and machines). Used to prove that a
# refactor of the KV methods changes no decision: run it before and after, then
#   scripts/method-dumps.sh BEFORE_BIN /tmp/before && scripts/method-dumps.sh AFTER_BIN /tmp/after
#   diff -r /tmp/before /tmp/after          # byte-identical on one machine
# tests/app/test_method_dumps.cpp runs the same cases against the committed goldens.
#
# usage: scripts/method-dumps.sh HACE_BINARY OUT_DIR [SHARED_DATA]
set -euo pipefail
bin=$1
out=$2
here=$(cd "$(dirname "$0")/.." && pwd)
shared=${3:-${HACE_SHARED_DATA:-$here/../shared/data}}
data=$here/tests/data/method_dumps
model=$shared/models/needle-llama-1m
[[ -d $model ]] || { echo "method-dumps: no needle model at $model" >&2; exit 2; }
mkdir -p "$out"
mapfile -t prompts < "$data/prompts.txt"
n=0
while read -r name sub args; do
    [[ -z $name || $name == \#* ]] && continue
    args=${args//\{P0\}/${prompts[0]}}
    args=${args//\{P1\}/${prompts[1]}}
    args=${args//\{P2\}/${prompts[2]}}
    args=${args//\{SCORES\}/$data/needle_head_scores.json}
    # shellcheck disable=SC2086 # the case's arguments are split on purpose
    if [[ $sub == compress ]]; then
        "$bin" compress --model "$model" --threads 1 $args --dump "$out/$name.json" > /dev/null
    else
        "$bin" generate --model "$model" --threads 1 $args --json --dump "$out/$name.dump.json" \
            > "$out/$name.raw.json"
        # Keep the decisions, drop what varies from run to run (see the header).
        grep -v -E '"(model|peak_bytes|weight_bytes|decode_ms_per_token|prefill_ms|tokens_per_s|threads)":' \
            "$out/$name.raw.json" > "$out/$name.json"
        rm "$out/$name.raw.json"
    fi
    n=$((n + 1))
done < "$data/cases.txt"
echo "method-dumps: $n cases written to $out"
