#!/usr/bin/env bash
# Builds the libFuzzer targets (Fuzz/, swift.org toolchain, -sanitize=fuzzer,address) and runs
# each for a bounded time, seeded with the committed fixtures. Exits non-zero when a target
# crashes, traps, leaks, times out on one input or exceeds its memory limit; the input that did
# it is left in Fuzz/artifacts/<target>/.
#
#   scripts/fuzz_ci.sh                 # every target, 20 s each
#   FUZZ_SECONDS=60 scripts/fuzz_ci.sh FuzzNPY FuzzTextGraph
#   FUZZ_RUNS=20000 scripts/fuzz_ci.sh  # CI: a fixed number of inputs from a fixed seed (repeatable;
#                                       # FUZZ_SECONDS still caps each target)
set -euo pipefail
cd "$(dirname "$0")/../Fuzz"
seconds="${FUZZ_SECONDS:-20}"
runs=()
[ -n "${FUZZ_RUNS:-}" ] && runs=(-runs="$FUZZ_RUNS" -seed=1)
targets=("$@")
if [ ${#targets[@]} -eq 0 ]; then
    targets=(FuzzNPY FuzzNPZ FuzzTextGraph FuzzLabels FuzzWeights FuzzJPEG FuzzPNG FuzzWebP FuzzGIF FuzzBMP FuzzAnyImage FuzzPreprocess)
fi
fixtures=../Tests/FrameCutIOTests/Fixtures

swift build -c debug --scratch-path .build-fuzz -Xswiftc -sanitize=fuzzer,address -Xswiftc -parse-as-library

seed() {  # seed TARGET FOLDER: fill FOLDER with the target's starting inputs
    local target=$1 dir=$2
    mkdir -p "$dir"
    case "$target" in
        FuzzNPY) cp "$fixtures"/npy/*.npy "$dir"/ ;;
        FuzzNPZ) cp "$fixtures"/npy/*.npz "$dir"/ ;;
        FuzzTextGraph)
            printf '4 6\n0 1 0.9\n0 2 0.1\n0 3 0.1\n1 2 0.1\n1 3 0.1\n2 3 0.9\n' > "$dir/complete.txt"
            printf '\xef\xbb\xbf3 2\r\n0 1 -1.5\r\n1 2 2e-3\r\n' > "$dir/crlf.txt" ;;
        FuzzLabels)
            printf 'name,class\na.jpg,1\n"b,c.jpg",2\n"q""uote",3\n' > "$dir/labels.csv"
            printf 'a.jpg\r\nline\\nbreak.jpg\r\nback\\\\slash\r\n' > "$dir/names.txt" ;;
        FuzzWeights) cp "$fixtures"/weights/*.safetensors "$fixtures"/weights/*.pt "$dir"/ ;;
        FuzzJPEG) cp "$fixtures"/images/*.jpg "$fixtures"/images/broken/*.jpg "$dir"/ ;;
        FuzzPNG) cp "$fixtures"/images/*.png "$fixtures"/images/broken/*.png "$dir"/ ;;
        FuzzWebP) cp "$fixtures"/images/*.webp "$fixtures"/images/broken/*.webp "$dir"/ ;;
        FuzzGIF) cp "$fixtures"/images/*.gif "$fixtures"/images/broken/*.gif "$dir"/ ;;
        FuzzBMP) cp "$fixtures"/images/*.bmp "$fixtures"/images/broken/*.bmp "$dir"/ ;;
        FuzzAnyImage|FuzzPreprocess) cp "$fixtures"/images/*.* "$dir"/ ;;
    esac
}

failed=()
for target in "${targets[@]}"; do
    corpus="corpus/$target"
    artifacts="artifacts/$target"
    seed "$target" "$corpus"
    mkdir -p "$artifacts"
    echo "== $target: ${FUZZ_RUNS:+$FUZZ_RUNS inputs, at most }${seconds} s"
    leaks=1
    # ZIPFoundation leaks inside Archive(url:) (a Foundation path buffer) and Archive(data:)
    # (its memory-file cookie) on malformed zips: not FrameCut code, so leaks are not findings there.
    if [ "$target" = FuzzNPZ ] || [ "$target" = FuzzWeights ]; then leaks=0; fi
    if ! ASAN_OPTIONS="detect_leaks=$leaks" ".build-fuzz/debug/$target" "$corpus" -detect_leaks=$leaks -max_total_time="$seconds" "${runs[@]}" -max_len=65536 -timeout=20 \
            -rss_limit_mb=2048 -artifact_prefix="$artifacts/" -print_final_stats=1 2> "$artifacts/log.txt"; then
        tail -n 30 "$artifacts/log.txt"
        failed+=("$target")
    else
        grep -E "stat::number_of_executed_units|Done" "$artifacts/log.txt" | tail -n 2 || true
    fi
done
if [ ${#failed[@]} -gt 0 ]; then
    echo "fuzzing found problems in: ${failed[*]} (inputs in Fuzz/artifacts/)" >&2
    exit 1
fi
echo "all ${#targets[@]} targets ran ${FUZZ_RUNS:+$FUZZ_RUNS inputs (at most }${seconds} s${FUZZ_RUNS:+)} each without a finding"
