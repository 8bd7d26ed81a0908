#!/usr/bin/env bash
# Builds experiments on a real, throw-away Slurm cluster on this machine (one node, 127.0.0.1 only) and checks
# the Slurm executor: two nodes run at once, exit codes and metrics reach the catalog, SIGINT leaves no job in
# squeue, a rebuild after kill -9 of the driver re-attaches, and outputs are byte-identical to a local build.
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
    for pid in "${PIDS[@]}"; do kill "$pid" 2>/dev/null || true; done
    for pid in "${PIDS[@]}"; do
        for _ in $(seq 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
        kill -9 "$pid" 2>/dev/null || true
    done
    if [ $status -ne 0 ]; then
        echo "test-slurm: FAILED; logs:"; tail -n 20 "$TMP"/*.log 2>/dev/null || true
    fi
    rm -rf "$TMP"
    exit $status
}
trap cleanup EXIT
fail() { echo "test-slurm: FAIL: $*"; exit 1; }

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

# Workspaces: local (reference) and slurm, each a copy of the experiments.
for ws in local slurm; do
    mkdir -p "$TMP/$ws"
    cp -r "$ROOT/experiments" "$TMP/$ws/"
    rm -rf "$TMP/$ws"/experiments/*/data "$TMP/$ws"/experiments/*/models "$TMP/$ws"/experiments/*/reports
done
# Two sleeping nodes (checks parallelism, SIGINT, kill -9) and a node whose program fails (exit code, no retry).
mkdir -p "$TMP/slurm/experiments/par"
cat > "$TMP/slurm/experiments/par/pipeline.json" <<'JSON'
{"experiment": "par", "seed": 1, "nodes": {
  "a": {"kind": "command", "params": {"cmd": "sleep ${RLHF_PARAM_SECONDS}; echo a > \"$RLHF_OUT_OUT\"", "seconds": "3"},
        "outputs": {"out": "experiments/par/a.txt"}, "resources": {"cpus": 1}},
  "b": {"kind": "command", "params": {"cmd": "sleep ${RLHF_PARAM_SECONDS}; echo b > \"$RLHF_OUT_OUT\"", "seconds": "3"},
        "outputs": {"out": "experiments/par/b.txt"}, "resources": {"cpus": 1}}
}}
JSON
cat > "$TMP/slurm/experiments/par/fail.json" <<'JSON'
{"experiment": "fail", "seed": 1, "nodes": {
  "bad": {"kind": "command", "params": {"cmd": "echo to-stdout; echo to-stderr >&2; exit 3"}, "outputs": {"out": "experiments/par/bad.txt"}}
}}
JSON
catalog() { python3 - "$1/.rlhf/catalog.sqlite" "$2" <<'PY'
import sqlite3, sys
db = sqlite3.connect(sys.argv[1])
for row in db.execute(sys.argv[2]): print("|".join(str(v) for v in row))
PY
}
slurm_build() { (cd "$TMP/slurm" && "$RLHF" build --executor slurm --jobs 2 --poll-interval 0.5 "$@"); }

echo "test-slurm: local reference builds"
(cd "$TMP/local" && "$RLHF" build --pipeline experiments/demo/pipeline.json >/dev/null && "$RLHF" build --pipeline experiments/smoke/pipeline.json --jobs 2 >/dev/null)

echo "test-slurm: demo and smoke through Slurm"
slurm_build --pipeline experiments/demo/pipeline.json | tee "$TMP/demo.log"
grep -q "submit   pairs" "$TMP/demo.log" || fail "demo's command nodes were not submitted to Slurm"
t0=$(date +%s.%N)
slurm_build --pipeline experiments/smoke/pipeline.json | tee "$TMP/smoke.log"
echo "test-slurm: smoke through Slurm took $(python3 -c "import time; print(round(time.time() - $t0, 1))")s"
grep -q "submit   sft" "$TMP/smoke.log" || fail "smoke's sft was not submitted to Slurm"
grep "ready→running" "$TMP/demo.log" "$TMP/smoke.log" | sed 's/^/  overhead: /' || true
# Byte-identical, except the wall-clock training times some reports carry (they differ between any two runs).
python3 - "$TMP/local" "$TMP/slurm" <<'PY' || fail "outputs differ between the local and the Slurm build"
import hashlib, json, os, re, sys
def normalise(path, data):
    if path.endswith(".json") or path.endswith(".jsonl"):
        def strip(v):
            if isinstance(v, dict): return {k: strip(x) for k, x in v.items() if not re.search("second|time", k)}
            if isinstance(v, list): return [strip(x) for x in v]
            return v
        try:
            lines = [json.loads(l) for l in data.decode().splitlines() if l.strip()] if path.endswith(".jsonl") else json.loads(data)
            return json.dumps(strip(lines), sort_keys=True).encode()
        except ValueError:
            return data
    if path.endswith(".txt") or path.endswith(".md"):
        return b"\n".join(l for l in data.split(b"\n") if not re.search(rb"time|seconds", l))
    return data
def tree(root):
    sums = {}
    for exp in ("demo", "smoke"):
        for d, _, files in os.walk(os.path.join(root, "experiments", exp)):
            for f in files:
                p = os.path.join(d, f)
                rel = os.path.relpath(p, root)
                if "/src/" in rel: continue
                raw = open(p, "rb").read()
                sums[rel] = (hashlib.sha256(raw).hexdigest(), hashlib.sha256(normalise(rel, raw)).hexdigest())
    return sums
local, slurm = tree(sys.argv[1]), tree(sys.argv[2])
bad = sorted(k for k in set(local) | set(slurm) if local.get(k, (0, 0))[1] != slurm.get(k, (1, 1))[1])
same = sum(1 for k in local if k in slurm and local[k][0] == slurm[k][0])
print(f"test-slurm: {same} of {len(local)} files byte-identical, {len(local) - same - len(bad)} equal but for wall-clock times")
if bad or len(local) < 20: print("differ:", bad); sys.exit(1)
PY
metrics=$(catalog "$TMP/slurm" "SELECT count(*) FROM metrics m JOIN runs r ON r.id = m.runId WHERE r.node = 'sft' AND r.experiment = 'smoke'")
[ "$metrics" -gt 0 ] || fail "sft's metrics did not reach the catalog"
echo "test-slurm: outputs byte-identical to the local build; sft recorded $metrics metric points"

echo "test-slurm: two nodes at once"
slurm_build --pipeline experiments/par/pipeline.json > "$TMP/par.log"
overlap=$(catalog "$TMP/slurm" "SELECT (SELECT max(started) FROM runs WHERE experiment='par' AND status='succeeded') < (SELECT min(finished) FROM runs WHERE experiment='par' AND status='succeeded')")
[ "$overlap" = "1" ] || fail "nodes a and b did not run at the same time: $(cat "$TMP/par.log")"

echo "test-slurm: a failing program is recorded with its exit code and not retried"
if slurm_build --pipeline experiments/par/fail.json > "$TMP/fail.log" 2>&1; then fail "the failing node built"; fi
row=$(catalog "$TMP/slurm" "SELECT status, exitCode, lastStdout, lastStderr FROM runs WHERE experiment='fail' ORDER BY id DESC LIMIT 1")
[ "$row" = "failed|3|to-stdout|to-stderr" ] || fail "failed run recorded as '$row'"
[ "$(grep -c 'submit   bad' "$TMP/fail.log")" = "1" ] || fail "the failing node was resubmitted"

wait_running() {  # waits until $1 jobs named rlhf-a/rlhf-b are RUNNING
    for _ in $(seq 100); do
        [ "$(squeue -h -t RUNNING -o %j | grep -c '^rlhf-[ab]$')" -ge "$1" ] && return 0
        sleep 0.2
    done
    fail "jobs did not start: $(squeue)"
}

echo "test-slurm: SIGINT cancels the jobs and registers nothing"
sed -i 's/"seconds": "3"/"seconds": "30"/' "$TMP/slurm/experiments/par/pipeline.json"
runs_before=$(catalog "$TMP/slurm" "SELECT count(*) FROM runs WHERE experiment='par'")
(cd "$TMP/slurm" && exec "$RLHF" build --executor slurm --jobs 2 --poll-interval 0.5 --pipeline experiments/par/pipeline.json) > "$TMP/int.log" 2>&1 &
driver=$!
wait_running 2
kill -INT "$driver"
set +e; wait "$driver"; code=$?; set -e
[ "$code" = "130" ] || fail "the interrupted build exited with $code: $(cat "$TMP/int.log")"
sleep 1
[ -z "$(squeue -h -o %j | grep '^rlhf-')" ] || fail "jobs left in squeue after SIGINT: $(squeue)"
[ "$(catalog "$TMP/slurm" "SELECT count(*) FROM runs WHERE experiment='par'")" = "$runs_before" ] || fail "the interrupted build registered a run"
[ "$(catalog "$TMP/slurm" "SELECT count(*) FROM remote_runs")" = "0" ] || fail "pending remote runs left after SIGINT"

echo "test-slurm: kill -9 of the driver, then a rebuild re-attaches"
sed -i 's/"seconds": "30"/"seconds": "6"/' "$TMP/slurm/experiments/par/pipeline.json"
(cd "$TMP/slurm" && exec "$RLHF" build --executor slurm --jobs 2 --poll-interval 0.5 --pipeline experiments/par/pipeline.json) > "$TMP/k9.log" 2>&1 &
driver=$!
wait_running 2
jobs_before=$(squeue -h -o %i -n rlhf-a,rlhf-b | sort | tr '\n' ' ')
kill -9 "$driver"; wait "$driver" 2>/dev/null || true
slurm_build --pipeline experiments/par/pipeline.json | tee "$TMP/reattach.log"
[ "$(grep -c 'attach   ' "$TMP/reattach.log")" = "2" ] || fail "the rebuild did not re-attach to both jobs"
grep -q "submit   " "$TMP/reattach.log" && fail "the rebuild submitted a job again"
[ "$(cat "$TMP/slurm/experiments/par/a.txt")" = "a" ] || fail "a.txt not materialised after re-attaching"
echo "test-slurm: re-attached to jobs $jobs_before"

echo "test-slurm: a worker killed without a result is an infrastructure failure and is resubmitted"
sed -i 's/"seconds": "6"/"seconds": "4"/' "$TMP/slurm/experiments/par/pipeline.json"
(cd "$TMP/slurm" && exec "$RLHF" build --executor slurm --jobs 2 --poll-interval 0.5 --pipeline experiments/par/pipeline.json) > "$TMP/retry.log" 2>&1 &
driver=$!
wait_running 2
worker=""
for _ in $(seq 50); do
    worker=$(pgrep -f "run-node $TMP/slurm/.rlhf/remote/a-" | head -n 1 || true)
    [ -n "$worker" ] && break
    sleep 0.1
done
[ -n "$worker" ] || fail "no worker process for node a"
kill -9 "$worker"
wait "$driver" || fail "the build did not recover from the killed worker: $(cat "$TMP/retry.log")"
grep -q "RETRY    a" "$TMP/retry.log" || fail "node a was not resubmitted: $(cat "$TMP/retry.log")"
grep -q "attempt 2" "$TMP/retry.log" || fail "no second attempt"
grep "RETRY" "$TMP/retry.log"

echo "test-slurm: all checks passed in $(( $(date +%s) - started_at ))s"
