#!/usr/bin/env bash
# CI check of the Slurm path (README "Across machines"): on this machine, as a one-node Slurm
# cluster on localhost, runs scripts/slurm/submit.sh for a small folder (40 Fashion-MNIST
# images, two photos, one of them also under a second name, one undecodable file), waits for
# the array of 4 shard tasks and the dependent merge job, and checks that the merged store's
# export equals a single-process run's byte for byte (cmp) and that `embed` on the merged store
# computes nothing.
#
# Installs Debian's slurm-wlm and munge when missing (apt, as root or through sudo), starts
# munged (unless one answers already), slurmctld and slurmd with a minimal slurm.conf in a
# temporary folder (own ports, SLURM_CONF; /etc/slurm is not touched), and stops what it
# started on every exit. Needs the release binary (make release) and the Lite0 weights
# (scripts/fetch_test_data.sh); `make slurm-test` does both first. Fails loudly: any failed
# step prints the daemons' and the jobs' logs and exits non-zero.
set -euo pipefail
REPO="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
FRAMECUT="${FRAMECUT:-$REPO/.build/release/framecut}"
WEIGHTS="${FRAMECUT_TEST_DATA:-$REPO/.cache/test-data}/efficientnet-lite0-57934424.pth"
PHOTOS="${FRAMECUT_TEST_DATA:-$REPO/.cache/test-data}"
SHARDS=${SLURM_CI_SHARDS:-4}
IMAGES=${SLURM_CI_IMAGES:-40}
START=$(date +%s)

die() { echo "slurm_ci: FAILED: $*" >&2; exit 1; }
[ -x "$FRAMECUT" ] || die "$FRAMECUT missing: run make release (or set FRAMECUT)"
[ -f "$WEIGHTS" ] || die "$WEIGHTS missing: run scripts/fetch_test_data.sh"

SUDO=""
[ "$(id -u)" -eq 0 ] || SUDO="sudo"
missing=()
for p in slurm-wlm munge; do dpkg -s "$p" >/dev/null 2>&1 || missing+=("$p"); done
if [ "${#missing[@]}" -gt 0 ]; then
    echo "slurm_ci: installing ${missing[*]}" >&2
    for attempt in 1 2 3 4 5 6; do  # the dpkg lock may be held by another apt for a while
        if $SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq "${missing[@]}" >/dev/null; then break; fi
        [ "$attempt" -lt 6 ] || die "apt-get install ${missing[*]} failed"
        sleep 10
    done
fi

WORK=$(mktemp -d /tmp/framecut-slurm.XXXXXX)
chmod 755 "$WORK"
STARTED=()   # pid files of the daemons this script started
cleanup() {
    local status=$?
    if [ -n "${SLURM_CONF:-}" ]; then scancel --quiet --user="$(id -un)" >/dev/null 2>&1 || true; fi
    for pidfile in "${STARTED[@]}"; do
        if [ -s "$pidfile" ]; then $SUDO kill "$(cat "$pidfile")" 2>/dev/null || true; fi
    done
    for pidfile in "${STARTED[@]}"; do   # wait until they are gone (at most 10 s each)
        for _ in $(seq 50); do [ -s "$pidfile" ] && kill -0 "$(cat "$pidfile")" 2>/dev/null || break; sleep 0.2; done
    done
    if [ "$status" -ne 0 ]; then
        echo "slurm_ci: FAILED (status $status); logs:" >&2
        for f in "$WORK"/slurmctld.log "$WORK"/slurmd.log "$WORK"/jobs/*.out; do
            [ -f "$f" ] && { echo "--- $f" >&2; tail -n 25 "$f" >&2; }
        done
    fi
    $SUDO rm -rf "$WORK"
    exit "$status"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# 1. the collection and the single-process reference
mkdir -p "$WORK/images" "$WORK/jobs"
python3 "$REPO/scripts/make_demo_images.py" --count "$IMAGES" --out "$WORK/images" --labels "$WORK/labels.csv" >/dev/null
cp "$PHOTOS/chelsea.png" "$WORK/images/chelsea.png"
cp "$PHOTOS/coffee.png" "$WORK/images/coffee.png"
cp "$PHOTOS/chelsea.png" "$WORK/images/chelsea-copy.png"   # one content under two paths
echo "not an image" > "$WORK/images/broken.jpg"
ref_status=0
"$FRAMECUT" embed "$WORK/images" --model efficientnet-lite0 --weights "$WEIGHTS" --store "$WORK/single.sqlite" \
    --out "$WORK/single.npy" --quiet >/dev/null 2>"$WORK/single.log" || ref_status=$?
[ "$ref_status" -eq 3 ] || die "the single-process embed exited $ref_status, expected 3 (broken.jpg skipped)"

# 2. a one-node cluster on localhost
HOST=$(hostname -s)
NODE=$(slurmd -C | head -n 1 | sed "s/^NodeName=[^ ]*/NodeName=$HOST NodeAddr=127.0.0.1/; s/ UpTime=.*//")
mkdir -p "$WORK/state" "$WORK/spool"
cat > "$WORK/slurm.conf" <<CONF
ClusterName=framecut-ci
SlurmctldHost=$HOST(127.0.0.1)
SlurmctldPort=${SLURM_CI_PORT:-6917}
SlurmdPort=$(( ${SLURM_CI_PORT:-6917} + 1 ))
SlurmUser=root
AuthType=auth/munge
ProctrackType=proctrack/linuxproc
TaskPlugin=task/none
JobAcctGatherType=jobacct_gather/none
AccountingStorageType=accounting_storage/none
JobCompType=jobcomp/none
SchedulerType=sched/backfill
SelectType=select/cons_tres
SelectTypeParameters=CR_Core
ReturnToService=2
StateSaveLocation=$WORK/state
SlurmdSpoolDir=$WORK/spool
SlurmctldPidFile=$WORK/slurmctld.pid
SlurmdPidFile=$WORK/slurmd.pid
SlurmctldLogFile=$WORK/slurmctld.log
SlurmdLogFile=$WORK/slurmd.log
$NODE
PartitionName=ci Nodes=$HOST Default=YES MaxTime=INFINITE State=UP
CONF
export SLURM_CONF="$WORK/slurm.conf"

if ! munge -n 2>/dev/null | unmunge >/dev/null 2>&1; then
    $SUDO mkdir -p /run/munge
    $SUDO chown munge:munge /run/munge 2>/dev/null || true
    [ -f /etc/munge/munge.key ] || $SUDO mungekey --create 2>/dev/null || $SUDO create-munge-key -f
    $SUDO munged --force --pid-file="$WORK/munged.pid" || die "munged did not start"
    STARTED+=("$WORK/munged.pid")
    for _ in $(seq 50); do munge -n 2>/dev/null | unmunge >/dev/null 2>&1 && break; sleep 0.2; done
    munge -n | unmunge >/dev/null || die "munge does not answer"
fi
$SUDO env SLURM_CONF="$SLURM_CONF" slurmctld -f "$SLURM_CONF" || die "slurmctld did not start"
STARTED+=("$WORK/slurmctld.pid")
$SUDO env SLURM_CONF="$SLURM_CONF" slurmd -f "$SLURM_CONF" || die "slurmd did not start"
STARTED+=("$WORK/slurmd.pid")
for _ in $(seq 150); do
    state=$(sinfo -h -n "$HOST" -o %T 2>/dev/null || true)
    [ "$state" = "idle" ] && break
    sleep 0.2
done
[ "$state" = "idle" ] || die "the node is '$state', not idle, after 30 s"
echo "slurm_ci: one-node cluster up ($(sinfo -h -o '%P %D %c %T'))" >&2

# 3. the array, the dependent merge, wait
cd "$WORK/jobs"
submitted=$(FRAMECUT="$FRAMECUT" SBATCH_OPTIONS="--cpus-per-task=1" "$REPO/scripts/slurm/submit.sh" "$SHARDS" "$WORK/images" "$WORK/shards" \
    "$WORK/merged.sqlite" efficientnet-lite0 "$WEIGHTS")
array=$(echo "$submitted" | awk '/^array/ {print $2}')
merge=$(echo "$submitted" | awk '/^merge/ {print $2}')
echo "slurm_ci: submitted array $array (0-$((SHARDS - 1))) and merge $merge" >&2
deadline=$(( $(date +%s) + ${SLURM_CI_TIMEOUT:-150} ))
while squeue -h -j "$array,$merge" 2>/dev/null | grep -q .; do
    [ "$(date +%s)" -lt "$deadline" ] || die "jobs still queued or running after ${SLURM_CI_TIMEOUT:-150} s: $(squeue -h -o '%i %T %r')"
    sleep 1
done
for f in "$WORK"/jobs/framecut-embed-"$array"_*.out; do
    [ -f "$f" ] || die "no output of the array tasks"
done
[ "$(ls "$WORK"/shards/shard-*-of-"$SHARDS".sqlite | wc -l)" -eq "$SHARDS" ] || die "not $SHARDS shard stores: $(ls "$WORK/shards" | tr "\n" " ")"
[ -f "$WORK/merged.sqlite" ] || die "the merge job wrote no $WORK/merged.sqlite ($(cat "$WORK"/jobs/framecut-merge-*.out 2>/dev/null | tr '\n' ' '))"
grep -q "^merged $SHARDS shards" "$WORK"/jobs/framecut-merge-"$merge".out || die "the merge job did not report $SHARDS shards"

# 4. the merged store against the single-process run, byte for byte
"$FRAMECUT" export --store "$WORK/merged.sqlite" --model efficientnet-lite0 --out "$WORK/merged.npy" >/dev/null
"$FRAMECUT" export --store "$WORK/single.sqlite" --model efficientnet-lite0 --out "$WORK/single-export.npy" >/dev/null
cmp "$WORK/merged.npy" "$WORK/single-export.npy" || die "the merged embeddings differ from the single-process run's"
cmp "$WORK/merged.names.txt" "$WORK/single-export.names.txt" || die "the merged names differ from the single-process run's"
cmp "$WORK/merged.npy" "$WORK/single.npy" || die "the merged embeddings differ from the single-process embed's .npy"
again_status=0
again=$("$FRAMECUT" embed "$WORK/images" --model efficientnet-lite0 --weights "$WEIGHTS" --store "$WORK/merged.sqlite" \
    --out "$WORK/again.npy" --quiet 2>/dev/null) || again_status=$?
[ "$again_status" -eq 3 ] || die "embed on the merged store exited $again_status, expected 3"
echo "$again" | grep -q ": 0 computed" || die "embed on the merged store computed something: $again"
cmp "$WORK/again.npy" "$WORK/single.npy" || die "embed on the merged store gives other embeddings"
rows=$(wc -l < "$WORK/merged.names.txt")
echo "slurm_ci: OK: $SHARDS shards on Slurm, merged, $rows embeddings identical to the single-process run (cmp), nothing recomputed; $(( $(date +%s) - START )) s" >&2
