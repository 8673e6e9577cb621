#!/usr/bin/env bash
#SBATCH --job-name=framecut-merge
#SBATCH --cpus-per-task=1
#SBATCH --output=framecut-merge-%j.out
# Merges the shard stores of scripts/slurm/embed_array.sh into one store:
#
#   sbatch --dependency=afterok:ARRAY_JOBID --kill-on-invalid-dep=yes scripts/slurm/merge.sh SHARD_DIR OUT.sqlite [N]
#
# Takes every SHARD_DIR/shard-*-of-N.sqlite (N: the array size; guessed from the files when
# there is only one N in SHARD_DIR); `framecut merge` refuses a missing or extra shard,
# different models or weights, and conflicting rows. Also runs without Slurm.
set -euo pipefail
if [ "$#" -lt 2 ]; then
    echo "usage: $0 SHARD_DIR OUT.sqlite [N]" >&2
    exit 64
fi
SHARD_DIR=$1 OUT=$2 N=${3:-}
if [ -z "$N" ]; then
    counts=$(find "$SHARD_DIR" -maxdepth 1 -name 'shard-*-of-*.sqlite' | sed 's/.*-of-\([0-9]*\)\.sqlite$/\1/' | sort -u)
    [ -n "$counts" ] || { echo "merge.sh: no shard-*-of-*.sqlite in $SHARD_DIR" >&2; exit 1; }
    [ "$(echo "$counts" | wc -l)" -eq 1 ] || { echo "merge.sh: $SHARD_DIR holds shards of several splits (N = $(echo $counts)); give N" >&2; exit 1; }
    N=$counts
fi
shards=("$SHARD_DIR"/shard-*-of-"$N".sqlite)
exec "${FRAMECUT:-framecut}" merge "$OUT" "${shards[@]}"
