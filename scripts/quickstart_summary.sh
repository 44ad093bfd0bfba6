#!/usr/bin/env bash
# The quickstart's last step (scripts/quickstart.sh), on its own so that tests run it: lists the
# files the quickstart wrote in OUT and prints the results as a table to read
# (`hace export --format summary`: method x retention x task, mean score [samples]).
# No pipelines: under pipefail a reader that stops early (head) kills the writer with SIGPIPE and
# turns a successful run into exit 141.
# Usage: quickstart_summary.sh HACE OUT
set -euo pipefail
HACE=$1
OUT=$2
echo
echo "quickstart: wrote in $OUT"
while read -r name what; do
  if [ -e "$OUT/$name" ]; then
    printf '  %-18s %s\n' "$name" "$what"
  fi
done <<'LIST'
quickstart.sqlite the results database (every sample; open it in hace-workbench or sqlite3)
quickstart.hiv HIV head scores of each model (JSON), the input of headkv and hace
cells.csv one row per cell: means of every metric, time and memory
samples.csv one row per sample: prediction, references, metrics
ablation.tex LaTeX table: HACE against its ablations
cliff.tex LaTeX table: the performance cliff of each method
curve.pdf figure: retention-performance curves
heatmap.pdf figure: layer x head heatmap
niah.pdf figure: needle-in-a-haystack map
cliff.pdf figure: performance cliff
LIST
echo
"$HACE" export --db "$OUT/quickstart.sqlite" --format summary
