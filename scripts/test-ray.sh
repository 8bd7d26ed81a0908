#!/usr/bin/env bash
# Builds experiments on a real, throw-away Ray head on this machine and runs the executor checks of
# scripts/remote-checks.sh through Ray's Jobs REST API: two nodes run at once, exit codes and metrics reach the
# catalog, SIGINT leaves no live job, a rebuild after kill -9 of the driver re-attaches, and outputs are
# byte-identical to a local build.
# Ray comes from PyPI (`ray[default]`, which the dashboard's Jobs API needs) in a venv under /tmp, kept between runs.
# Everything else runs inside new network, PID and mount namespaces (`unshare`): the only interface is loopback (Ray
# otherwise binds every interface), and every process of Ray and of the test ends with the namespace.
# Usage: scripts/test-ray.sh [path/to/rlhf]   (default .build/release/rlhf)
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/.." && pwd)
RLHF=$(realpath "${1:-$ROOT/.build/release/rlhf}")
[ -x "$RLHF" ] || { echo "test-ray: no rlhf binary at $RLHF; build it first (swift build -c release)"; exit 1; }
RAY_VERSION=2.60.0
VENV=${RLHF_RAY_VENV:-/tmp/rlhf-ray-venv-$RAY_VERSION}

if [ -z "${RLHF_RAY_INSIDE:-}" ]; then
    if ! "$VENV/bin/python" -c "import ray, ray.dashboard" 2>/dev/null; then
        started=$(date +%s)
        echo "test-ray: installing ray[default]==$RAY_VERSION into $VENV"
        rm -rf "$VENV"
        python3 -m venv "$VENV"
        "$VENV/bin/pip" install -q "ray[default]==$RAY_VERSION"
        echo "test-ray: pip install took $(( $(date +%s) - started ))s"
    fi
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

export RAY_USAGE_STATS_ENABLED=0
"$VENV/bin/ray" start --head --block --node-ip-address=127.0.0.1 --port=6379 --dashboard-host=127.0.0.1 --dashboard-port=8265 \
    --num-cpus=2 --object-store-memory=100000000 --temp-dir="$TMP/ray" --disable-usage-stats > "$TMP/ray-start.log" 2>&1 &
PIDS+=($!)

# ray_jobs WHAT: the job list through the Jobs API; WHAT is `running-ab` (count of a/b jobs running), `live` (names of
# rlhf jobs queued or running), `ab` (submission ids of a/b jobs queued or running) or `ready` (exit 0 once it answers).
ray_jobs() { python3 - "$DASHBOARD" "$1" <<'PY'
import json, sys, urllib.request
try:
    jobs = json.load(urllib.request.urlopen(sys.argv[1] + "/api/jobs/", timeout=10))
except Exception:
    sys.exit(1)
jobs = list(jobs.values()) if isinstance(jobs, dict) else jobs
live = [j for j in jobs if j.get("status") in ("PENDING", "RUNNING") and (j.get("metadata") or {}).get("name", "").startswith("rlhf-")]
ab = [j for j in live if j["metadata"]["name"] in ("rlhf-a", "rlhf-b")]
what = sys.argv[2]
if what == "running-ab": print(sum(1 for j in ab if j["status"] == "RUNNING"))
elif what == "live": print(" ".join(f'{j["metadata"]["name"]}:{j["status"]}' for j in live))
elif what == "ab": print("\n".join(j["submission_id"] for j in ab))
PY
}
count_running_ab() { ray_jobs running-ab || echo 0; }
live_jobs() { ray_jobs live || echo "(the Jobs API did not answer)"; }
ab_jobs() { ray_jobs ab; }

deadline=$(( $(date +%s) + 180 ))  # a head takes about 10 s on a quiet machine, 40 s on a loaded one
while [ "$(date +%s)" -lt "$deadline" ]; do
    ray_jobs ready && break
    kill -0 "${PIDS[0]}" 2>/dev/null || fail "ray start exited: $(cat "$TMP/ray-start.log")"
    sleep 0.2
done
ray_jobs ready || fail "the Ray dashboard did not answer at $DASHBOARD"
echo "test-ray: Ray $RAY_VERSION head up after $(( $(date +%s) - started_at ))s (loopback only: $(ip -o link | awk -F': ' '{print $2}' | tr '\n' ' '))"

prepare_workspaces
check_demo_and_smoke
check_parallel_and_failure
check_interrupt_and_crashes

echo "test-ray: all checks passed in $(( $(date +%s) - started_at ))s"
