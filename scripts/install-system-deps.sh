#!/bin/sh
# Install the Debian programs fwaudit's extractors call, only when one is missing.
# Used by `make setup`; safe to run again (it does nothing when all are present).
set -eu
# command -> Debian package
NEEDED="unsquashfs:squashfs-tools mksquashfs:squashfs-tools 7z:p7zip-full cpio:cpio
debugfs:e2fsprogs lz4:lz4 zstd:zstd lzop:lzop unar:unar ubinize:mtd-utils
simg2img:android-sdk-libsparse-utils fsck.erofs:erofs-utils lziprecover:lziprecover
partclone.restore:partclone dpkg-deb:dpkg file:file"
# `--browser`: also Debian's chromium, which the HTML report test renders pages in
if [ "${1:-}" = "--browser" ]; then NEEDED="$NEEDED chromium:chromium"; fi
missing=""
for pair in $NEEDED; do
  cmd=${pair%%:*}; pkg=${pair#*:}
  command -v "$cmd" >/dev/null 2>&1 || missing="$missing $pkg"
done
[ -e /usr/lib/x86_64-linux-gnu/libmagic.so.1 ] || [ -e /usr/lib/aarch64-linux-gnu/libmagic.so.1 ] \
  || missing="$missing libmagic1"
[ -z "$missing" ] && exit 0
missing=$(echo $missing | tr ' ' '\n' | sort -u | tr '\n' ' ')
echo "installing Debian packages:$missing"
SUDO=""
[ "$(id -u)" = 0 ] || SUDO="sudo"
$SUDO apt-get update -qq || true
DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends $missing >/dev/null
