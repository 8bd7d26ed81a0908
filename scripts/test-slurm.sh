#!/usr/bin/env bash
# Builds experiments on a real, throw-away Slurm cluster on this machine (one node, 127.0.0.1 only) and runs the
# executor checks of scripts/remote-checks.sh through Slurm: two nodes run at once, exit codes and metrics reach the
# catalog, SIGINT leaves no job in squeue, a rebuild after kill -9 of the driver re-attaches, and outputs are
# byte-identical to a local build.
# Installs Debian's slurmctld, slurmd, slurm-client and munge when missing; every daemon is stopped by PID.
# Usage: scripts/test-slurm.sh [path/to/rlhf]   (default .build/release/rlhf)
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/.." && pwd)
RLHF=$(realpath "${1:-$ROOT/.build/release/rlhf}")
[ -x "$RLHF" ] || { echo "test-slurm: no rlhf binary at $RLHF; build it first (swift build -c release)"; exit 1; }
started_at=$(date +%s)

missing=""
for p in slurmctld slurmd slurm-client munge; do dpkg -s "$p" >/dev/null 2>&1 || missing="$missing $p"; done
if [ -n "$missing" ]; then
    echo "test-slurm: installing$missing"
    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $missing >/dev/null
fi

TMP=$(mktemp -d /tmp/rlhf-slurm.XXXXXX)
PIDS=()
cleanup() {
    status=$?
    stop_pids
    if [ $status -ne 0 ]; then
        echo "test-slurm: FAILED; logs:"; tail -n 20 "$TMP"/*.log 2>/dev/null || true
    fi
    rm -rf "$TMP"
    exit $status
}
trap cleanup EXIT
BACKEND=slurm
BUILD_FLAGS=""
source "$ROOT/scripts/remote-checks.sh"

# munge with its own key and socket in the temp folder.
mkdir -p "$TMP/munge" "$TMP/state" "$TMP/spool"
chmod 700 "$TMP/munge"
dd if=/dev/urandom of="$TMP/munge/munge.key" bs=1024 count=1 status=none
chmod 400 "$TMP/munge/munge.key"
munged --force --foreground --key-file="$TMP/munge/munge.key" --socket="$TMP/munge/munge.socket" \
    --pid-file="$TMP/munge/munged.pid" --log-file="$TMP/munged.log" --seed-file="$TMP/munge/seed" >/dev/null 2>&1 &
PIDS+=($!)

free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'; }
CTLD_PORT=$(free_port); SLURMD_PORT=$(free_port)
export SLURM_CONF="$TMP/slurm.conf"
cat > "$SLURM_CONF" <<CONF
ClusterName=rlhftest
SlurmctldHost=localhost(127.0.0.1)
SlurmctldPort=$CTLD_PORT
SlurmdPort=$SLURMD_PORT
AuthType=auth/munge
AuthInfo=socket=$TMP/munge/munge.socket
CredType=cred/munge
CommunicationParameters=NoCtldInAddrAny,NoInAddrAny
SlurmUser=root
SlurmdUser=root
StateSaveLocation=$TMP/state
SlurmdSpoolDir=$TMP/spool
SlurmctldPidFile=$TMP/slurmctld.pid
SlurmdPidFile=$TMP/slurmd.pid
SlurmctldLogFile=$TMP/slurmctld.log
SlurmdLogFile=$TMP/slurmd.log
ProctrackType=proctrack/linuxproc
TaskPlugin=task/none
JobAcctGatherType=jobacct_gather/none
AccountingStorageType=accounting_storage/none
SchedulerType=sched/builtin
SelectType=select/cons_tres
SelectTypeParameters=CR_CPU
MpiDefault=none
ReturnToService=2
MinJobAge=300
NodeName=localhost NodeAddr=127.0.0.1 CPUs=2 State=UNKNOWN
PartitionName=debug Nodes=localhost Default=YES MaxTime=INFINITE State=UP
CONF
for _ in $(seq 50); do [ -S "$TMP/munge/munge.socket" ] && break; sleep 0.1; done
slurmctld -D -f "$SLURM_CONF" >"$TMP/slurmctld.out" 2>&1 &
PIDS+=($!)
slurmd -D -f "$SLURM_CONF" -N localhost >"$TMP/slurmd.out" 2>&1 &
PIDS+=($!)
for _ in $(seq 100); do
    sinfo -h -o %T 2>/dev/null | grep -q '^idle' && break
    sleep 0.2
done
sinfo -h -o %T | grep -q '^idle' || fail "the Slurm node did not become idle"
echo "test-slurm: cluster up after $(( $(date +%s) - started_at ))s"

count_running_ab() { squeue -h -t RUNNING -o %j | grep -c '^rlhf-[ab]$' || true; }
live_jobs() { squeue -h -o %j | grep '^rlhf-' || true; }
ab_jobs() { squeue -h -o %i -n rlhf-a,rlhf-b; }
prepare_workspaces
check_demo_and_smoke
check_parallel_and_failure
check_interrupt_and_crashes

echo "test-slurm: all checks passed in $(( $(date +%s) - started_at ))s"
