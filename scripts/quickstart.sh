#!/usr/bin/env bash
# The main job: install dependencies, build, and run a quick real sweep on the bundled needle model
# (resources/examples/quickstart.json: the full cache and seven compression methods x three
# retentions x the needle task and NIAH at two context lengths, plus the HIV test) into a SQLite
# database, then export its tables (and figures, when the GUI is built), and end with a summary
# of the results and the list of files written (scripts/quickstart_summary.sh).
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
"$ROOT/scripts/install-deps.sh"
BUILD_DIR="${BUILD_DIR:-$ROOT/build}"
BUILD_DIR="$BUILD_DIR" "$ROOT/scripts/build.sh" -DHACE_BUILD_TESTS=OFF
HACE="$BUILD_DIR/app/hace"
OUT="$BUILD_DIR/quickstart"
mkdir -p "$OUT"
rm -rf "$OUT"/quickstart.sqlite* "$OUT"/quickstart.hiv
set -x
"$HACE" info "$ROOT/resources/models/needle-llama-1m"
"$HACE" generate --model "$ROOT/resources/models/stories260K" --prompt "Once upon a time" \
  --max-new-tokens 40
"$HACE" run "$ROOT/resources/examples/quickstart.json" --db "$OUT/quickstart.sqlite"
"$HACE" export --db "$OUT/quickstart.sqlite" --format csv --per cell --out "$OUT/cells.csv"
"$HACE" export --db "$OUT/quickstart.sqlite" --format csv --per sample --out "$OUT/samples.csv"
"$HACE" export --db "$OUT/quickstart.sqlite" --format latex --table ablation --out "$OUT/ablation.tex"
"$HACE" export --db "$OUT/quickstart.sqlite" --format latex --table cliff --out "$OUT/cliff.tex"
if "$HACE" plot --help >/dev/null 2>&1; then
  for fig in curve heatmap niah cliff; do
    "$HACE" plot --db "$OUT/quickstart.sqlite" --figure "$fig" --out "$OUT/$fig.pdf"
  done
fi
set +x
"$ROOT/scripts/quickstart_summary.sh" "$HACE" "$OUT"
