#!/usr/bin/env bash
# Builds experiments on a real, throw-away Ray head on this machine and runs the executor checks of
# scripts/remote-checks.sh through Ray's Jobs REST API: two nodes run at once, exit codes and metrics reach the
# catalog, SIGINT leaves no live job, a rebuild after SIGINT submits new attempts under new submission ids, a rebuild
# after kill -9 of the driver re-attaches, and outputs are byte-identical to a local build.
# Then Ray without a shared file system (`--remote-data cache`): moto's S3 server on 127.0.0.1 is the content cache,
# and Ray's processes run in a mount namespace where the driver's workspace is hidden under an empty tmpfs, so a job
# can only get its spec and inputs from the cache; the smoke pipeline's outputs must equal the local build's.
# Ray comes from PyPI (`ray[default]`, which the dashboard's Jobs API needs) and moto from `moto[server]`, each in a
# venv under /tmp kept between runs. Everything else runs inside new network, PID and mount namespaces (`unshare`):
# the only interface is loopback (Ray otherwise binds every interface), and every process of Ray, moto and the test
# ends with the namespace.
# Usage: scripts/test-ray.sh [path/to/rlhf]   (default .build/release/rlhf)
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/.." && pwd)
RLHF=$(realpath "${1:-$ROOT/.build/release/rlhf}")
[ -x "$RLHF" ] || { echo "test-ray: no rlhf binary at $RLHF; build it first (swift build -c release)"; exit 1; }
RAY_VERSION=2.60.0
VENV=${RLHF_RAY_VENV:-/tmp/rlhf-ray-venv-$RAY_VERSION}
fail() { echo "test-ray: FAIL: $*"; exit 1; }
source "$ROOT/scripts/moto.sh"

if [ -z "${RLHF_RAY_INSIDE:-}" ]; then
    if ! "$VENV/bin/python" -c "import ray, ray.dashboard" 2>/dev/null; then
        started=$(date +%s)
        echo "test-ray: installing ray[default]==$RAY_VERSION into $VENV"
        rm -rf "$VENV"
        python3 -m venv "$VENV"
        "$VENV/bin/pip" install -q "ray[default]==$RAY_VERSION"
        echo "test-ray: pip install took $(( $(date +%s) - started ))s"
    fi
    moto_install  # outside: the namespace has no network
    exec unshare --net --pid --fork --mount-proc env RLHF_RAY_INSIDE=1 RLHF_RAY_VENV="$VENV" "$0" "$RLHF"
fi

# Inside the namespaces: this script is PID 1, loopback is the only interface, and the ports are ours.
started_at=$(date +%s)
ip link set lo up
TMP=$(mktemp -d /tmp/rlhf-ray.XXXXXX)
PIDS=()
cleanup() {
    status=$?
    stop_pids  # `ray start --block` takes its daemons down with it; `ray stop` sees only this PID namespace's leftovers
    "$VENV/bin/ray" stop --force >/dev/null 2>&1 || true
    moto_stop
    if [ $status -ne 0 ]; then
        echo "test-ray: FAILED; logs:"; tail -n 20 "$TMP"/*.log "$TMP"/ray/session_latest/logs/dashboard.log 2>/dev/null || true
    fi
    rm -rf "$TMP"
    exit $status
}
trap cleanup EXIT
BACKEND=ray
DASHBOARD=http://127.0.0.1:8265
BUILD_FLAGS="--ray-address $DASHBOARD"
source "$ROOT/scripts/remote-checks.sh"

# The content cache first: Ray's jobs inherit the AWS_* variables moto_start exports.
moto_install
moto_start "$TMP/moto.log"
CACHE=s3://rlhf-cache/ray

# Ray in a mount namespace of its own, where the workspace of the no-shared-file-system check is an empty tmpfs.
NOFS="$TMP/nofs"
mkdir -p "$NOFS"
export RAY_USAGE_STATS_ENABLED=0
unshare --mount --propagation private sh -c 'mount -t tmpfs -o size=1m rlhf-hidden "$0" && exec "$@"' "$NOFS" \
    "$VENV/bin/ray" start --head --block --node-ip-address=127.0.0.1 --port=6379 --dashboard-host=127.0.0.1 --dashboard-port=8265 \
    --num-cpus=2 --object-store-memory=100000000 --temp-dir="$TMP/ray" --disable-usage-stats > "$TMP/ray-start.log" 2>&1 &
PIDS+=($!)

# ray_jobs WHAT: the job list through the Jobs API; WHAT is `running-ab` (count of a/b jobs running), `live` (names of
# rlhf jobs queued or running), `ab` (submission ids of a/b jobs queued or running), `report` (every rlhf job with its
# state and message), `entrypoints PREFIX` (the entrypoints of jobs whose run directory starts with PREFIX) or `ready`
# (exit 0 once it answers).
ray_jobs() { python3 - "$DASHBOARD" "$@" <<'PY'
import json, sys, urllib.request
try:
    jobs = json.load(urllib.request.urlopen(sys.argv[1] + "/api/jobs/", timeout=10))
except Exception as error:
    print(f"(the Jobs API did not answer: {error})", file=sys.stderr)
    sys.exit(1)
jobs = list(jobs.values()) if isinstance(jobs, dict) else jobs
ours = [j for j in jobs if (j.get("metadata") or {}).get("name", "").startswith("rlhf-")]
live = [j for j in ours if j.get("status") in ("PENDING", "RUNNING")]
ab = [j for j in live if j["metadata"]["name"] in ("rlhf-a", "rlhf-b")]
what = sys.argv[2]
if what == "running-ab": print(sum(1 for j in ab if j["status"] == "RUNNING"))
elif what == "live": print(" ".join(f'{j["metadata"]["name"]}:{j["status"]}' for j in live))
elif what == "ab": print("\n".join(j["submission_id"] for j in ab))
elif what == "report":
    for j in sorted(ours, key=lambda j: j.get("start_time") or 0):
        message = (j.get("message") or "").split("\n")[0][:160]
        print(f'\n  {j["metadata"]["name"]} {j["submission_id"]} {j["status"]}: {message}', end="")
    print()
elif what == "entrypoints":
    print("\n".join(j["entrypoint"] for j in ours if j["metadata"].get("run_directory", "").startswith(sys.argv[3])))
PY
}
count_running_ab() { ray_jobs running-ab || echo 0; }
live_jobs() { ray_jobs live || echo "(the Jobs API did not answer)"; }
ab_jobs() { ray_jobs ab; }
scheduler_report() { ray_jobs report || true; }

deadline=$(( $(date +%s) + 180 ))  # a head takes about 10 s on a quiet machine, 40 s on a loaded one
while [ "$(date +%s)" -lt "$deadline" ]; do
    ray_jobs ready 2>/dev/null && break
    kill -0 "${PIDS[0]}" 2>/dev/null || fail "ray start exited: $(cat "$TMP/ray-start.log")"
    sleep 0.2
done
ray_jobs ready || fail "the Ray dashboard did not answer at $DASHBOARD within 180 s: $(tail -n 20 "$TMP/ray-start.log")"
echo "test-ray: Ray $RAY_VERSION head up after $(( $(date +%s) - started_at ))s (loopback only: $(ip -o link | awk -F': ' '{print $2}' | tr '\n' ' '))"

# Ray without a shared file system: the jobs run `rlhf run-node s3://…` outside the workspace, which they cannot see.
check_no_shared_file_system() {
    echo "test-ray: no shared file system: data through the content cache $CACHE"
    cp -r "$ROOT/experiments" "$NOFS/"
    rm -rf "$NOFS"/experiments/*/data "$NOFS"/experiments/*/models "$NOFS"/experiments/*/reports
    mkdir -p "$NOFS/experiments/hidden"
    printf 'from the driver\n' > "$NOFS/experiments/hidden/in.txt"
    cat > "$NOFS/experiments/hidden/pipeline.json" <<JSON
{"experiment": "hidden", "seed": 1, "nodes": {
  "src": {"kind": "file", "params": {"path": "experiments/hidden/in.txt"}},
  "look": {"kind": "command", "inputs": {"text": "src"}, "params": {"workspace": "$NOFS",
           "cmd": "{ if [ -e \"\$RLHF_PARAM_WORKSPACE/experiments\" ]; then echo visible; else echo hidden; fi; pwd; tr a-z A-Z < \"\$RLHF_IN_TEXT\"; } > \"\$RLHF_OUT_OUT\""},
           "outputs": {"out": "experiments/hidden/out.txt"}}
}}
JSON
    local flags=(--executor ray --remote-data cache --remote-cache-url "$CACHE" --jobs 2 --poll-interval 0.5 --ray-address "$DASHBOARD")
    (cd "$NOFS" && "$RLHF" build --pipeline experiments/hidden/pipeline.json "${flags[@]}") > "$TMP/hidden.log" 2>&1 \
        || fail "the hidden-workspace node failed: $(cat "$TMP/hidden.log")"
    grep -q "submit   look  (ray job .*data through the cache" "$TMP/hidden.log" || fail "look was not submitted through the cache: $(cat "$TMP/hidden.log")"
    local first rest
    first=$(sed -n 1p "$NOFS/experiments/hidden/out.txt")
    [ "$first" = "hidden" ] || fail "the Ray job could see the driver's workspace: $(cat "$NOFS/experiments/hidden/out.txt")"
    case "$(sed -n 2p "$NOFS/experiments/hidden/out.txt")" in "$NOFS"*) fail "the job ran inside the workspace";; esac
    rest=$(sed -n 3p "$NOFS/experiments/hidden/out.txt")
    [ "$rest" = "FROM THE DRIVER" ] || fail "the job did not get its input from the cache: $(cat "$NOFS/experiments/hidden/out.txt")"
    echo "test-ray: the job saw no workspace, ran in $(sed -n 2p "$NOFS/experiments/hidden/out.txt") and got its input from the cache"

    local t0
    t0=$(date +%s.%N)
    (cd "$NOFS" && "$RLHF" build --pipeline experiments/smoke/pipeline.json "${flags[@]}") > "$TMP/nofs-smoke.log" 2>&1 \
        || fail "smoke without a shared file system failed: $(cat "$TMP/nofs-smoke.log")"
    echo "test-ray: smoke without a shared file system took $(python3 -c "import time; print(round(time.time() - $t0, 1))")s"
    grep "ready→running" "$TMP/nofs-smoke.log" | sed 's/^/  overhead: /' || true
    overhead_medians "$TMP/nofs-smoke.log"
    [ "$(grep -c 'submit   .*data through the cache' "$TMP/nofs-smoke.log")" -ge 6 ] || fail "smoke's heavy nodes were not submitted through the cache: $(cat "$TMP/nofs-smoke.log")"
    ray_jobs entrypoints "$NOFS" | python3 -c '
import sys
lines = [l for l in sys.stdin.read().splitlines() if l]
bad = [l for l in lines if not l.startswith("exec ") or " '"'"'run-node'"'"' '"'"'s3://" not in l]
assert len(lines) >= 6 and not bad, (len(lines), bad)
print(f"test-ray: {len(lines)} Ray jobs ran run-node s3://… without cd into the workspace")' || fail "a job's entrypoint used the workspace: $(ray_jobs entrypoints "$NOFS")"
    compare_outputs "$TMP/local" "$NOFS" "test-ray (no shared file system)" smoke
    "$MOTO_PY" -c "import boto3; n = boto3.client('s3').list_objects_v2(Bucket='rlhf-cache', Prefix='ray/runs/').get('KeyCount', 0); assert n == 0, n" \
        || fail "specs or results were left under $CACHE/runs/"
    [ -z "$(ls -A "$NOFS/.rlhf/remote" 2>/dev/null)" ] || fail "run directories were left: $(ls "$NOFS/.rlhf/remote")"
}

prepare_workspaces
check_demo_and_smoke
check_no_shared_file_system
check_parallel_and_failure
check_interrupt_and_crashes

echo "test-ray: all checks passed in $(( $(date +%s) - started_at ))s"
