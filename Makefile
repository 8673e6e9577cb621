# FrameCut: the two commands a new machine needs are `make demo` and `make test`.
SHELL := /bin/bash
SWIFT ?= swift
SHARED ?= $(abspath ../shared)

.PHONY: setup build release demo test test-debug test-release bench clean

setup:
	@scripts/setup.sh

build: setup
	$(SWIFT) build

release: setup
	$(SWIFT) build -c release

# Main job on the built-in default data set.
demo: release
	.build/release/framecut demo --out out/demo

# The test suite, in debug and in release mode.
test: test-debug test-release

test-debug: setup
	FRAMECUT_SHARED=$(SHARED) $(SWIFT) test

test-release: setup
	FRAMECUT_SHARED=$(SHARED) $(SWIFT) test -c release

bench: release
	.build/release/framecut bench multicut --shared $(SHARED)

clean:
	rm -rf .build out
