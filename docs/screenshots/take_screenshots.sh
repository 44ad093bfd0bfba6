#!/bin/sh
# Regenerates docs/screenshots/*.png with the workbench's automation flags (packaging/README.md).
# Usage: docs/screenshots/take_screenshots.sh BUILD_DIR [RESULTS_DB]
# Without RESULTS_DB it first runs sweep.json (about 10 minutes on 2 CPU cores) into a temporary
# database. Needs the shared data folder next to the checkout (../shared/data) and, for the
# Chinese screenshots, a CJK font (fonts-wqy-microhei).
set -eu
here=$(cd "$(dirname "$0")" && pwd)
build=$(cd "$1" && pwd)
work=$(mktemp -d)
db=${2:-$work/screenshots.sqlite}
if [ ! -e "$db" ]; then
    "$build/app/hace" run "$here/sweep.json" --db "$db" --quiet
fi
export QT_QPA_PLATFORM=${QT_QPA_PLATFORM:-offscreen} XDG_CONFIG_HOME="$work/config"
for lang in en zh_CN; do
    for tab in designer results curves needle ablation compare; do
        "$build/app/hace-workbench" --lang "$lang" --size 1280x800 --open-spec "$here/sweep.json" \
            --open-db "$db" --tab "$tab" --screenshot "$here/$tab-$lang.png" --quit-after-ms 1500
    done
    # The monitor after a short run: progress, cell states and the live heatmap of the last sample.
    "$build/app/hace-workbench" --lang "$lang" --size 1280x800 --open-spec "$here/monitor-sweep.json" \
        --run-db "$work/monitor-$lang.sqlite" --start-run --quit-when-done \
        --screenshot "$here/monitor-$lang.png"
done
rm -rf "$work"
