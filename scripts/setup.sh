#!/usr/bin/env bash
# Installs what FrameCut needs on a fresh Debian/Ubuntu machine: the C libraries it links
# (from Debian -dev packages; SQLite for the embedding store, linked by GRDB), python3 with pip
# (scripts/fetch_test_data.sh, scripts/make_demo_images.py: standard library only) and the
# Fashion-MNIST data set of `make demo`. Swift itself must already be on PATH (swift.org toolchain).
# Safe to run again: installs only what is missing.
set -euo pipefail
APT_PACKAGES=(pkg-config libopenblas-dev libdnnl-dev libturbojpeg0-dev libpng-dev libwebp-dev libgif-dev libsqlite3-dev
              python3 python3-pip dataset-fashion-mnist)
missing=()
for p in "${APT_PACKAGES[@]}"; do
    dpkg -s "$p" >/dev/null 2>&1 || missing+=("$p")
done
if [ "${#missing[@]}" -gt 0 ]; then
    SUDO=""
    [ "$(id -u)" -eq 0 ] || SUDO="sudo"
    echo "setup: installing ${missing[*]}" >&2
    $SUDO apt-get update -qq
    DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq "${missing[@]}" >/dev/null
fi
command -v swift >/dev/null || { echo "setup: swift not found on PATH (install a Swift 6 toolchain from swift.org)" >&2; exit 1; }
