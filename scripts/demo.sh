#!/usr/bin/env bash
# `make demo`: real images, real weights, one command. Writes (nothing of it is committed):
#   out/demo-images/   2,000 Fashion-MNIST test images (PNG) and a few real photos
#   out/demo-labels.csv  their classes (the ten Fashion-MNIST classes, "photo")
#   out/demo.sqlite    the embedding store (a second `make demo` computes nothing again)
#   out/demo/          the run folder: run.json, efficientnet-lite0/ (clusters.csv, labels.npy,
#                      summary.json, stats.json, similarity.json, ...)
# Needs the release build, scripts/fetch_test_data.sh (weights, photos) and the Debian package
# dataset-fashion-mnist (scripts/setup.sh).
set -euo pipefail
REPO="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$REPO"
DATA="${FRAMECUT_TEST_DATA:-$REPO/.cache/test-data}"
COUNT="${DEMO_COUNT:-2000}"
FRAMECUT="${FRAMECUT:-$REPO/.build/release/framecut}"
PY="${PYTHON:-python3}"

[ -x "$FRAMECUT" ] || { echo "demo: $FRAMECUT missing (make release)" >&2; exit 1; }
[ -f "$DATA/efficientnet-lite0-57934424.pth" ] || { echo "demo: weights missing in $DATA (make test-data)" >&2; exit 1; }

"$PY" scripts/make_demo_images.py --count "$COUNT" --out out/demo-images --labels out/demo-labels.csv \
    --photos "$DATA/chelsea.png" "$DATA/coffee.png" "$DATA"/photos/*

status=0
"$FRAMECUT" run out/demo-images --model efficientnet-lite0 --weights "$DATA/efficientnet-lite0-57934424.pth" \
    --labels out/demo-labels.csv --store out/demo.sqlite --out out/demo --force || status=$?
# 3 = completed with skipped files (listed in run.json)
[ "$status" -eq 0 ] || [ "$status" -eq 3 ] || exit "$status"
echo "outputs: out/demo/run.json, out/demo/efficientnet-lite0/{clusters.csv,labels.npy,summary.json,stats.json,similarity.json}"
echo "next: framecut stats out/demo/efficientnet-lite0/clusters.csv --labels out/demo-labels.csv"
