# The executor checks shared by scripts/test-slurm.sh and scripts/test-ray.sh (sourced, not run): two nodes run at
# once, exit codes and metrics reach the catalog, SIGINT leaves no live job and registers nothing, a rebuild after
# kill -9 of the driver re-attaches, a worker killed without a result is resubmitted, and experiments/demo and the
# smoke pipeline are byte-identical to a local build.
# The caller sets ROOT, RLHF, TMP, PIDS, BACKEND (slurm or ray) and BUILD_FLAGS (extra `rlhf build` flags), and defines:
#   count_running_ab   prints how many jobs of nodes a and b the scheduler shows running
#   live_jobs          prints the rlhf jobs the scheduler still shows queued or running (nothing when none)
#   ab_jobs            prints the ids of the jobs of nodes a and b
#   scheduler_report   prints every rlhf job the scheduler knows with its state and message (for a failed wait)

fail() { echo "test-$BACKEND: FAIL: $*"; exit 1; }
scheduler_report() { live_jobs; }  # the caller may define a fuller one after sourcing this file

# Stops the daemons whose PIDs are in the array PIDS: SIGTERM, up to 5 s each to exit, then SIGKILL.
stop_pids() {
    for pid in "${PIDS[@]}"; do kill "$pid" 2>/dev/null || true; done
    for pid in "${PIDS[@]}"; do
        for _ in $(seq 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
        kill -9 "$pid" 2>/dev/null || true
    done
}

catalog() { python3 - "$1/.rlhf/catalog.sqlite" "$2" <<'PY'
import sqlite3, sys
db = sqlite3.connect(sys.argv[1])
for row in db.execute(sys.argv[2]): print("|".join(str(v) for v in row))
PY
}

remote_build() { (cd "$TMP/$BACKEND" && "$RLHF" build --executor "$BACKEND" --jobs 2 --poll-interval 0.5 $BUILD_FLAGS "$@"); }

# Starts a remote build of the par pipeline in the background; its pid lands in $driver.
remote_build_in_background() {
    (cd "$TMP/$BACKEND" && exec "$RLHF" build --executor "$BACKEND" --jobs 2 --poll-interval 0.5 $BUILD_FLAGS --pipeline experiments/par/pipeline.json) > "$1" 2>&1 &
    driver=$!
}

# wait_running N LOG: waits until N jobs of nodes a and b run; the build writing LOG must still be running. Up to 90 s:
# a loaded 2-core machine has taken 20 s to start a Ray job. A timeout prints what the scheduler reports.
wait_running() {
    local deadline=$(( $(date +%s) + 90 ))
    while [ "$(date +%s)" -lt "$deadline" ]; do
        [ "$(count_running_ab)" -ge "$1" ] && return 0
        kill -0 "$driver" 2>/dev/null || fail "the build exited before $1 jobs ran: $(cat "$2")"
        sleep 0.2
    done
    fail "$1 jobs of a and b did not run within 90 s; the build printed: $(cat "$2"); $BACKEND reports: $(scheduler_report)"
}

# wait_no_live_jobs SECONDS: waits until the scheduler shows no rlhf job queued or running.
wait_no_live_jobs() {
    local deadline=$(( $(date +%s) + $1 ))
    while [ "$(date +%s)" -lt "$deadline" ]; do
        [ -z "$(live_jobs)" ] && return 0
        sleep 0.2
    done
    fail "jobs still live $1 s after the build ended: $(live_jobs); $BACKEND reports: $(scheduler_report)"
}

# compare_outputs REFERENCE OTHER LABEL EXPERIMENT...: the experiments' files in workspace OTHER equal REFERENCE's.
compare_outputs() {
    python3 - "$@" <<'PY' || fail "outputs differ between the local build and $3"
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
def tree(root, experiments):
    sums = {}
    for exp in experiments:
        for d, _, files in os.walk(os.path.join(root, "experiments", exp)):
            for f in files:
                p = os.path.join(d, f)
                rel = os.path.relpath(p, root)
                if "/src/" in rel: continue
                raw = open(p, "rb").read()
                sums[rel] = (hashlib.sha256(raw).hexdigest(), hashlib.sha256(normalise(rel, raw)).hexdigest())
    return sums
local, remote = tree(sys.argv[1], sys.argv[4:]), tree(sys.argv[2], sys.argv[4:])
bad = sorted(k for k in set(local) | set(remote) if local.get(k, (0, 0))[1] != remote.get(k, (1, 1))[1])
same = sum(1 for k in local if k in remote and local[k][0] == remote[k][0])
print(f"{sys.argv[3]}: {same} of {len(local)} files byte-identical to the local build, {len(local) - same - len(bad)} equal but for wall-clock times")
if bad or len(local) < 10: print("differ:", bad); sys.exit(1)
PY
}

# overhead_medians LOG...: the median dispatch overhead of the `done` lines in the build logs.
overhead_medians() {
    python3 - "$@" <<'PY'
import re, statistics, sys
pairs = [tuple(map(float, m)) for f in sys.argv[1:] for m in re.findall(r"ready→running ([0-9.]+)s, finished→recorded ([0-9.]+)s", open(f).read())]
if pairs:
    start, end = zip(*pairs)
    print(f"  overhead over {len(pairs)} nodes: ready→running median {statistics.median(start):.2f}s (max {max(start):.2f}s), "
          f"finished→recorded median {statistics.median(end):.2f}s (max {max(end):.2f}s)")
PY
}

# Workspaces: local (reference) and the backend's, each a copy of the experiments, plus two sleeping nodes
# (parallelism, SIGINT, kill -9) and a node whose program fails (exit code, no retry).
prepare_workspaces() {
    for ws in local "$BACKEND"; do
        mkdir -p "$TMP/$ws"
        cp -r "$ROOT/experiments" "$TMP/$ws/"
        rm -rf "$TMP/$ws"/experiments/*/data "$TMP/$ws"/experiments/*/models "$TMP/$ws"/experiments/*/reports
    done
    mkdir -p "$TMP/$BACKEND/experiments/par"
    cat > "$TMP/$BACKEND/experiments/par/pipeline.json" <<'JSON'
{"experiment": "par", "seed": 1, "nodes": {
  "a": {"kind": "command", "params": {"cmd": "sleep ${RLHF_PARAM_SECONDS}; echo a > \"$RLHF_OUT_OUT\"", "seconds": "5"},
        "outputs": {"out": "experiments/par/a.txt"}, "resources": {"cpus": 1}},
  "b": {"kind": "command", "params": {"cmd": "sleep ${RLHF_PARAM_SECONDS}; echo b > \"$RLHF_OUT_OUT\"", "seconds": "5"},
        "outputs": {"out": "experiments/par/b.txt"}, "resources": {"cpus": 1}}
}}
JSON
    cat > "$TMP/$BACKEND/experiments/par/fail.json" <<'JSON'
{"experiment": "fail", "seed": 1, "nodes": {
  "bad": {"kind": "command", "params": {"cmd": "echo to-stdout; echo to-stderr >&2; exit 3"}, "outputs": {"out": "experiments/par/bad.txt"}}
}}
JSON
}

check_demo_and_smoke() {
    echo "test-$BACKEND: local reference builds"
    (cd "$TMP/local" && "$RLHF" build --pipeline experiments/demo/pipeline.json >/dev/null && "$RLHF" build --pipeline experiments/smoke/pipeline.json --jobs 2 >/dev/null)

    echo "test-$BACKEND: demo and smoke through $BACKEND"
    remote_build --pipeline experiments/demo/pipeline.json | tee "$TMP/demo.log"
    grep -q "submit   pairs" "$TMP/demo.log" || fail "demo's command nodes were not submitted to $BACKEND"
    local t0
    t0=$(date +%s.%N)
    remote_build --pipeline experiments/smoke/pipeline.json | tee "$TMP/smoke.log"
    echo "test-$BACKEND: smoke through $BACKEND took $(python3 -c "import time; print(round(time.time() - $t0, 1))")s"
    grep -q "submit   sft" "$TMP/smoke.log" || fail "smoke's sft was not submitted to $BACKEND"
    grep "ready→running" "$TMP/demo.log" "$TMP/smoke.log" | sed 's/^/  overhead: /' || true
    overhead_medians "$TMP/demo.log" "$TMP/smoke.log"
    # Byte-identical, except the wall-clock training times some reports carry (they differ between any two runs).
    compare_outputs "$TMP/local" "$TMP/$BACKEND" "test-$BACKEND" demo smoke
    local metrics
    metrics=$(catalog "$TMP/$BACKEND" "SELECT count(*) FROM metrics m JOIN runs r ON r.id = m.runId WHERE r.node = 'sft' AND r.experiment = 'smoke'")
    [ "$metrics" -gt 0 ] || fail "sft's metrics did not reach the catalog"
    echo "test-$BACKEND: outputs byte-identical to the local build; sft recorded $metrics metric points"
}

check_parallel_and_failure() {
    # 5 s each: on a loaded machine a scheduler may start the second job a few seconds after the first.
    echo "test-$BACKEND: two nodes at once"
    remote_build --pipeline experiments/par/pipeline.json > "$TMP/par.log"
    local overlap row
    overlap=$(catalog "$TMP/$BACKEND" "SELECT (SELECT max(started) FROM runs WHERE experiment='par' AND status='succeeded') < (SELECT min(finished) FROM runs WHERE experiment='par' AND status='succeeded')")
    [ "$overlap" = "1" ] || fail "nodes a and b did not run at the same time: $(cat "$TMP/par.log")"

    echo "test-$BACKEND: a failing program is recorded with its exit code and not retried"
    if remote_build --pipeline experiments/par/fail.json > "$TMP/fail.log" 2>&1; then fail "the failing node built"; fi
    row=$(catalog "$TMP/$BACKEND" "SELECT status, exitCode, lastStdout, lastStderr FROM runs WHERE experiment='fail' ORDER BY id DESC LIMIT 1")
    [ "$row" = "failed|3|to-stdout|to-stderr" ] || fail "failed run recorded as '$row'"
    [ "$(grep -c 'submit   bad' "$TMP/fail.log")" = "1" ] || fail "the failing node was resubmitted"
}

check_interrupt_and_crashes() {
    local par="$TMP/$BACKEND/experiments/par/pipeline.json" code runs_before jobs_before worker
    echo "test-$BACKEND: SIGINT cancels the jobs and registers nothing"
    sed -i 's/"seconds": "5"/"seconds": "10"/' "$par"
    runs_before=$(catalog "$TMP/$BACKEND" "SELECT count(*) FROM runs WHERE experiment='par'")
    remote_build_in_background "$TMP/int.log"
    wait_running 2 "$TMP/int.log"
    kill -INT "$driver"
    set +e; wait "$driver"; code=$?; set -e
    [ "$code" = "130" ] || fail "the interrupted build exited with $code: $(cat "$TMP/int.log")"
    wait_no_live_jobs 10
    [ "$(catalog "$TMP/$BACKEND" "SELECT count(*) FROM runs WHERE experiment='par'")" = "$runs_before" ] || fail "the interrupted build registered a run"
    [ "$(catalog "$TMP/$BACKEND" "SELECT count(*) FROM remote_runs")" = "0" ] || fail "pending remote runs left after SIGINT"

    # Same nodes and keys again: new attempts after a cancel, under new submission ids (Ray keeps a stopped job's id).
    echo "test-$BACKEND: kill -9 of the driver, then a rebuild re-attaches"
    remote_build_in_background "$TMP/k9.log"
    wait_running 2 "$TMP/k9.log"
    jobs_before=$(ab_jobs | sort | tr '\n' ' ')
    python3 - "$TMP/int.log" "$TMP/k9.log" <<'PY' || fail "the build after SIGINT reused a job id: $(grep 'submit   ' "$TMP/int.log" "$TMP/k9.log")"
import re, sys
ids = [set(re.findall(r"^  submit   \S+  \(\S+ job (\S+),", open(f).read(), re.M)) for f in sys.argv[1:]]
assert len(ids[0]) == 2 and len(ids[1]) == 2 and not ids[0] & ids[1], ids
PY
    kill -9 "$driver"; wait "$driver" 2>/dev/null || true
    remote_build --pipeline experiments/par/pipeline.json | tee "$TMP/reattach.log"
    [ "$(grep -c 'attach   ' "$TMP/reattach.log")" = "2" ] || fail "the rebuild did not re-attach to both jobs"
    grep -q "submit   " "$TMP/reattach.log" && fail "the rebuild submitted a job again"
    [ "$(cat "$TMP/$BACKEND/experiments/par/a.txt")" = "a" ] || fail "a.txt not materialised after re-attaching"
    echo "test-$BACKEND: re-attached to jobs $jobs_before"

    echo "test-$BACKEND: a worker killed without a result is an infrastructure failure and is resubmitted"
    sed -i 's/"seconds": "10"/"seconds": "4"/' "$par"
    remote_build_in_background "$TMP/retry.log"
    wait_running 2 "$TMP/retry.log"
    worker=""
    for _ in $(seq 100); do
        worker=$(pgrep -f "run-node $TMP/$BACKEND/.rlhf/remote/a-" | head -n 1 || true)
        [ -n "$worker" ] && break
        sleep 0.1
    done
    [ -n "$worker" ] || fail "no worker process for node a"
    kill -9 "$worker"
    wait "$driver" || fail "the build did not recover from the killed worker: $(cat "$TMP/retry.log")"
    grep -q "RETRY    a" "$TMP/retry.log" || fail "node a was not resubmitted: $(cat "$TMP/retry.log")"
    grep -q "retry 1 of 2" "$TMP/retry.log" || fail "the retry was not counted: $(cat "$TMP/retry.log")"
    grep -q "submit   a  (.*attempt 2" "$TMP/retry.log" || fail "no second attempt: $(cat "$TMP/retry.log")"
    grep "RETRY" "$TMP/retry.log"
}
