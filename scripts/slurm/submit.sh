#!/usr/bin/env bash
# Submits the whole embedding of a folder on Slurm: an array of N shard tasks, then the merge
# as a job that starts only when every task succeeded. Prints the two job ids.
#
#   scripts/slurm/submit.sh N FOLDER SHARD_DIR OUT.sqlite MODEL WEIGHTS [embed options...]
#
# Options for sbatch go in SBATCH_OPTIONS (e.g. "--partition=cpu --cpus-per-task=8 --time=2:00:00");
# they apply to both jobs. FRAMECUT names the binary (default: framecut on PATH; it is passed
# to the jobs). Wait for the result with `sbatch --wait` semantics: see scripts/slurm_ci.sh.
set -euo pipefail
if [ "$#" -lt 6 ]; then
    echo "usage: $0 N FOLDER SHARD_DIR OUT.sqlite MODEL WEIGHTS [embed options...]" >&2
    exit 64
fi
N=$1 FOLDER=$2 SHARD_DIR=$3 OUT=$4 MODEL=$5 WEIGHTS=$6
shift 6
case "$N" in ''|*[!0-9]*) echo "submit.sh: N must be a positive integer, not '$N'" >&2; exit 64;; esac
[ "$N" -ge 1 ] || { echo "submit.sh: N must be at least 1" >&2; exit 64; }
HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
export FRAMECUT="${FRAMECUT:-framecut}"
# shellcheck disable=SC2086
array=$(sbatch --parsable ${SBATCH_OPTIONS:-} --export=ALL --array="0-$((N - 1))" "$HERE/embed_array.sh" "$FOLDER" "$SHARD_DIR" "$MODEL" "$WEIGHTS" "$@")
array=${array%%;*}
# shellcheck disable=SC2086
merge=$(sbatch --parsable ${SBATCH_OPTIONS:-} --export=ALL --dependency="afterok:$array" --kill-on-invalid-dep=yes \
    "$HERE/merge.sh" "$SHARD_DIR" "$OUT" "$N")
merge=${merge%%;*}
echo "array $array"
echo "merge $merge"
