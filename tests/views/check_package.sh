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
         usr/share/icons/hicolor/scalable/apps/io.github.hace.workbench.svg; do
    [ -e "root/$f" ] || { echo "missing in the package: $f"; exit 1; }
done
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
echo "package ok"
