#!/bin/sh
# Builds the Debian package with CPack, unpacks it into a temporary root (dpkg-deb -x, nothing
# installed on the machine) and checks its content and that both programs start from there.
# Usage: check_package.sh BUILD_DIR WORK_DIR
set -eu
build=$1
work=$2
rm -rf "$work"
mkdir -p "$work/root"
cd "$work"
cpack --config "$build/CPackConfig.cmake" -G DEB -B "$work" > cpack.log 2>&1 || { cat cpack.log; exit 1; }
deb=$(ls "$work"/*.deb)
echo "package: $deb ($(du -k "$deb" | cut -f1) KiB)"
dpkg-deb -x "$deb" root
for f in usr/bin/hace usr/bin/hace-workbench usr/lib/hace/libhace_spm.so \
         usr/share/applications/io.github.hace.workbench.desktop \
         usr/share/metainfo/io.github.hace.workbench.metainfo.xml \
         usr/share/icons/hicolor/scalable/apps/io.github.hace.workbench.svg \
         usr/share/doc/hace-workbench/copyright \
         usr/share/hace-workbench/examples/quickstart.json \
         usr/share/hace-workbench/data/models/stories260K/model.safetensors \
         usr/share/hace-workbench/data/models/stories260K/LICENSE \
         usr/share/hace-workbench/data/models/needle-llama-1m/model.safetensors \
         usr/share/hace-workbench/data/models/needle-llama-1m/needle_task.json \
         usr/share/hace-workbench/data/models/needle-llama-1m/head_scores_hiv.json \
         usr/share/hace-workbench/data/models/needle-llama-1m/LICENSE \
         usr/share/hace-workbench/data/haystack/paul_graham/vw.txt; do
    [ -e "root/$f" ] || { echo "missing in the package: $f"; exit 1; }
done
grep -q '^MIT License' root/usr/share/doc/hace-workbench/copyright
grep -q '<project_license>MIT</project_license>' \
    root/usr/share/metainfo/io.github.hace.workbench.metainfo.xml
grep -q '<url type="homepage">' root/usr/share/metainfo/io.github.hace.workbench.metainfo.xml
[ -n "$(dpkg-deb -f "$deb" Homepage)" ] || { echo "the package has no Homepage"; exit 1; }
depends=$(dpkg-deb -f "$deb" Depends)
for lib in libqt6widgets6 libqt6svg6 libsqlite3; do
    case "$depends" in *"$lib"*) ;; *) echo "Depends lacks $lib: $depends"; exit 1 ;; esac
done
grep -q '^Exec=hace-workbench$' root/usr/share/applications/io.github.hace.workbench.desktop
if command -v appstreamcli > /dev/null; then
    appstreamcli validate --no-net root/usr/share/metainfo/io.github.hace.workbench.metainfo.xml
fi
export QT_QPA_PLATFORM=offscreen XDG_CONFIG_HOME="$work/config"
root/usr/bin/hace --help | grep -q '^  plot '
root/usr/bin/hace-workbench --help | grep -q -- '--screenshot'
root/usr/bin/hace-workbench --quit-after-ms 300 --screenshot "$work/started.png" 2> /dev/null
[ -s "$work/started.png" ] || { echo "the installed workbench wrote no screenshot"; exit 1; }
# The installed example sweep: every path resolves inside the package (models, head scores, the
# needle task with its tokenizer and haystack), and its first cell runs on the installed model.
example=root/usr/share/hace-workbench/examples/quickstart.json
root/usr/bin/hace run "$example" --dry-run > "$work/plan.txt"
cells=$(sed -n 's/^total: \([0-9]*\) cells.*/\1/p' "$work/plan.txt")
[ "${cells:-0}" -gt 1 ] || { echo "no plan for the installed example"; cat "$work/plan.txt"; exit 1; }
root/usr/bin/hace run "$example" --db "$work/example.sqlite" --cell-group "0/$cells" --quiet \
    > "$work/run.txt"
grep -q '1 cells (1 complete)' "$work/run.txt" || { cat "$work/run.txt"; exit 1; }
root/usr/bin/hace export --db "$work/example.sqlite" --format summary > "$work/summary.txt"
grep -q '^  full ' "$work/summary.txt" || { cat "$work/summary.txt"; exit 1; }
# The installed workbench finds that example in its own prefix (File > Open the example sweep).
XDG_DATA_HOME="$work/data" root/usr/bin/hace-workbench --open-example --quit-after-ms 300 \
    > "$work/example.txt" 2> /dev/null
expected="hace-workbench: example sweep $(readlink -f "$example")"
[ "$(cat "$work/example.txt")" = "$expected" ] || {
    echo "the installed workbench did not open its example: $(cat "$work/example.txt")"; exit 1; }
echo "package ok"
