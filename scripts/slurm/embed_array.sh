#!/usr/bin/env bash
#SBATCH --job-name=framecut-embed
#SBATCH --cpus-per-task=1
#SBATCH --output=framecut-embed-%A_%a.out
# One task of a Slurm job array embeds one share of an image folder into its own store:
#
#   sbatch --array=0-(N-1) scripts/slurm/embed_array.sh FOLDER SHARD_DIR MODEL WEIGHTS [embed options...]
#
# Task i of N runs `framecut embed FOLDER --shard i/N --store SHARD_DIR/shard-i-of-N.sqlite`
# with --threads = the task's CPUs (--cpus-per-task). N is the size of the array, which must be
# 0-(N-1) with no gaps (Slurm's --array=0-3 gives shards 0/4 ... 3/4). Extra arguments go to
# `framecut embed` (e.g. --embedding, --batch, --include-hidden). Then merge the N stores:
#
#   sbatch --dependency=afterok:JOBID --kill-on-invalid-dep=yes scripts/slurm/merge.sh SHARD_DIR OUT.sqlite
#
# or submit both at once with scripts/slurm/submit.sh. Paths are taken relative to the
# directory sbatch was called from; FOLDER and SHARD_DIR must be on storage every node sees.
# FRAMECUT names the binary (default: framecut on PATH). A task whose share has files that
# cannot be decoded still succeeds (they are recorded in its store and listed by the merged
# store's users, as in a single-process run).
set -euo pipefail
if [ "$#" -lt 4 ]; then
    echo "usage: sbatch --array=0-(N-1) $0 FOLDER SHARD_DIR MODEL WEIGHTS [embed options...]" >&2
    exit 64
fi
FOLDER=$1 SHARD_DIR=$2 MODEL=$3 WEIGHTS=$4
shift 4
: "${SLURM_ARRAY_TASK_ID:?not a job array task: submit with sbatch --array=0-(N-1)}"
N=${SLURM_ARRAY_TASK_COUNT:?SLURM_ARRAY_TASK_COUNT not set}
if [ "${SLURM_ARRAY_TASK_MIN:-0}" -ne 0 ] || [ "${SLURM_ARRAY_TASK_MAX:-$((N - 1))}" -ne $((N - 1)) ]; then
    echo "embed_array: the array must be 0-$((N - 1)) without gaps (got ${SLURM_ARRAY_TASK_MIN}-${SLURM_ARRAY_TASK_MAX} with $N tasks)" >&2
    exit 64
fi
I=$SLURM_ARRAY_TASK_ID
mkdir -p "$SHARD_DIR"
status=0
"${FRAMECUT:-framecut}" embed "$FOLDER" --model "$MODEL" --weights "$WEIGHTS" --shard "$I/$N" \
    --store "$SHARD_DIR/shard-$I-of-$N.sqlite" --threads "${SLURM_CPUS_PER_TASK:-1}" --quiet "$@" || status=$?
# 3: completed, some files skipped (recorded in the store): the shard is complete.
if [ "$status" -eq 3 ]; then status=0; fi
exit "$status"
