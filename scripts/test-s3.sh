#!/usr/bin/env bash
# Checks the shared content cache against a real S3-compatible server on this machine: moto's server (PyPI
# `moto[server]`, in a venv under /tmp) on 127.0.0.1 only, stopped by PID at the end.
#   1. workspace 1 builds the smoke pipeline with --remote-cache readwrite (pushes every node);
#   2. the server's request log shows every ac/ entry written after all the cas/ objects it names;
#   3. a fresh workspace 2 builds it entirely from the cache: no node runs but the report (which reads the local
#      catalog), outputs are byte-identical, and `runs`/`trace` name the producer;
#   4. a corrupted cas/ object is a miss: a fresh workspace 3 reruns that node (readwrite also repairs the object);
#   5. `rlhf pull` into workspace 4 and `rlhf push` of workspace 1 (everything already cached);
#   6. a worker without the driver's file system: `rlhf run-node s3://…/spec.json` pulls its input by hash, pushes
#      its output and writes its result to the cache.
# The server does not check signatures: signing is tested against AWS's published vectors (S3Tests).
# Usage: scripts/test-s3.sh [path/to/rlhf]   (default .build/release/rlhf)
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/.." && pwd)
RLHF=$(realpath "${1:-$ROOT/.build/release/rlhf}")
[ -x "$RLHF" ] || { echo "test-s3: no rlhf binary at $RLHF; build it first (swift build -c release)"; exit 1; }
started_at=$(date +%s)
source "$ROOT/scripts/moto.sh"
fail() { echo "test-s3: FAIL: $*"; exit 1; }
moto_install
PY="$MOTO_PY"

TMP=$(mktemp -d /tmp/rlhf-s3.XXXXXX)
cleanup() {
    status=$?
    moto_stop
    if [ $status -ne 0 ]; then echo "test-s3: FAILED; server log tail:"; tail -n 20 "$TMP/moto.log" 2>/dev/null || true; fi
    rm -rf "$TMP"
    exit $status
}
trap cleanup EXIT
moto_start "$TMP/moto.log"
CACHE=s3://rlhf-cache/ci
s3py() { "$PY" - "$@"; }
echo "test-s3: moto up at $AWS_ENDPOINT_URL after $(( $(date +%s) - started_at ))s"

workspace() {
    mkdir -p "$TMP/$1"
    cp -r "$ROOT/experiments" "$TMP/$1/"
    rm -rf "$TMP/$1"/experiments/*/data "$TMP/$1"/experiments/*/models "$TMP/$1"/experiments/*/reports
}
build() { local ws=$1; shift; (cd "$TMP/$ws" && "$RLHF" build --pipeline experiments/smoke/pipeline.json --remote-cache-url "$CACHE" "$@"); }
seconds_since() { python3 -c "import time; print(round(time.time() - $1, 2))"; }

echo "test-s3: workspace 1 builds smoke and pushes it"
workspace ws1
t0=$(date +%s.%N)
build ws1 --remote-cache readwrite --jobs 2 > "$TMP/ws1.log" 2>&1 || fail "workspace 1: $(tail -n 30 "$TMP/ws1.log")"
echo "test-s3: build + push took $(seconds_since "$t0")s"
pushes=$(grep -c "^  push     " "$TMP/ws1.log" || true)
[ "$pushes" -ge 10 ] || fail "workspace 1 pushed $pushes nodes: $(cat "$TMP/ws1.log")"
grep -q "warning: push" "$TMP/ws1.log" && fail "a push failed: $(grep 'warning: push' "$TMP/ws1.log")"
grep "^  push     sft " "$TMP/ws1.log" | sed 's/^/  /'

echo "test-s3: every ac/ entry was written after the objects it names"
s3py "$TMP/moto.log" <<'PY' || fail "an ac/ entry was written before its objects"
import boto3, json, re, sys
s3 = boto3.client("s3")
seen, entries = set(), 0
for line in open(sys.argv[1]):
    m = re.search(r'"(PUT|HEAD) /rlhf-cache/ci/(ac|cas)/([0-9a-f]+) HTTP/1\.1" (\d+)', line)
    if not m: continue
    method, area, name, status = m.groups()
    if area == "cas" and status == "200": seen.add(name)
    if area == "ac" and method == "PUT" and status == "200":
        entries += 1
        entry = json.loads(s3.get_object(Bucket="rlhf-cache", Key="ci/ac/" + name)["Body"].read())
        needed = set()
        for output in entry["outputs"]:
            needed.add(output["sha256"])
            if output["isDirectory"]:
                manifest = json.loads(s3.get_object(Bucket="rlhf-cache", Key="ci/cas/" + output["sha256"])["Body"].read())
                needed.update(f["sha256"] for f in manifest["files"])
        missing = needed - seen
        if missing: print("ac/" + name, "written before", sorted(missing)); sys.exit(1)
if entries < 10: print("only", entries, "entries in the log"); sys.exit(1)
print(f"test-s3: {entries} entries, each after its {len(seen)} objects")
PY

echo "test-s3: a second writer of the same key loses (If-None-Match: *)"
s3py <<'PY' || fail "a conditional write replaced an existing entry"
import boto3, botocore
s3 = boto3.client("s3")
key = s3.list_objects_v2(Bucket="rlhf-cache", Prefix="ci/ac/")["Contents"][0]["Key"]
try:
    s3.put_object(Bucket="rlhf-cache", Key=key, Body=b"{}", IfNoneMatch="*")
except botocore.exceptions.ClientError as e:
    assert e.response["Error"]["Code"] == "PreconditionFailed", e.response
else:
    raise SystemExit("the second PUT succeeded")
PY

echo "test-s3: fresh workspace 2 builds entirely from the cache"
workspace ws2
t0=$(date +%s.%N)
build ws2 --remote-cache read --jobs 2 --json > "$TMP/ws2.json" 2> "$TMP/ws2.log" || fail "workspace 2: $(tail -n 30 "$TMP/ws2.log")"
echo "test-s3: build from the cache took $(seconds_since "$t0")s"
python3 - "$TMP/ws2.json" "$TMP/ws1.log" <<'PY' || fail "workspace 2 ran nodes: $(cat "$TMP/ws2.log")"
import json, re, sys
summary = json.load(open(sys.argv[1]))
pushed = {m.group(1) for m in re.finditer(r"^  push     (\S+)", open(sys.argv[2]).read(), re.M)}
assert summary["built"] == ["report"], summary["built"]
assert set(summary["reused"]) == pushed, (summary["reused"], pushed)
assert not summary["failed"] and not summary["blocked"], summary
print(f"test-s3: {len(summary['reused'])} nodes served by the cache; only the report (it reads the local catalog) ran")
PY
grep -q "^  run      report" "$TMP/ws2.log" || fail "the report did not run"
[ "$(grep -c '^  run      ' "$TMP/ws2.log")" = "1" ] || fail "nodes ran in workspace 2: $(grep '^  run' "$TMP/ws2.log")"
python3 - "$TMP/ws1" "$TMP/ws2" <<'PY' || fail "outputs differ between workspace 1 and 2"
import hashlib, os, sys
def tree(root):
    out = {}
    for d, _, files in os.walk(os.path.join(root, "experiments", "smoke")):
        for f in files:
            p = os.path.join(d, f)
            rel = os.path.relpath(p, root)
            if rel.startswith("experiments/smoke/reports/report"): continue
            out[rel] = hashlib.sha256(open(p, "rb").read()).hexdigest()
    return out
a, b = tree(sys.argv[1]), tree(sys.argv[2])
bad = sorted(k for k in set(a) | set(b) if a.get(k) != b.get(k))
if bad or len(a) < 10: print("differ:", bad[:10], len(a)); sys.exit(1)
print(f"test-s3: {len(a)} output files byte-identical")
PY
(cd "$TMP/ws2" && "$RLHF" runs --pipeline experiments/smoke/pipeline.json --node sft) > "$TMP/runs.txt"
grep -q "remote cache $CACHE: built by .*@" "$TMP/runs.txt" || fail "runs does not name the producer: $(cat "$TMP/runs.txt")"
(cd "$TMP/ws2" && "$RLHF" trace --pipeline experiments/smoke/pipeline.json sft --depth 1) > "$TMP/trace.txt"
grep -q "from remote cache $CACHE: built by" "$TMP/trace.txt" || fail "trace does not name the producer: $(cat "$TMP/trace.txt")"
metrics=$(python3 -c "import sqlite3,sys; print(sqlite3.connect(sys.argv[1]).execute(\"SELECT count(*) FROM metrics m JOIN runs r ON r.id = m.runId WHERE r.node = 'sft' AND r.status = 'reused'\").fetchone()[0])" "$TMP/ws2/.rlhf/catalog.sqlite")
[ "$metrics" -gt 0 ] || fail "the served sft run has no metrics"
(cd "$TMP/ws2" && "$RLHF" build --pipeline experiments/smoke/pipeline.json) > "$TMP/ws2-again.log"
grep -q "built 0, reused 0" "$TMP/ws2-again.log" || fail "workspace 2 is not up to date after serving: $(cat "$TMP/ws2-again.log")"

echo "test-s3: a corrupted object is a cache miss and the node is rebuilt"
key=$(python3 -c "import sqlite3,sys; print(sqlite3.connect(sys.argv[1]).execute(\"SELECT key FROM runs WHERE node = 'sft_data' AND status = 'succeeded'\").fetchone()[0])" "$TMP/ws1/.rlhf/catalog.sqlite")
sha=$(s3py "$key" <<'PY'
import boto3, json, sys
s3 = boto3.client("s3")
entry = json.loads(s3.get_object(Bucket="rlhf-cache", Key="ci/ac/" + sys.argv[1])["Body"].read())
sha = entry["outputs"][0]["sha256"]
s3.put_object(Bucket="rlhf-cache", Key="ci/cas/" + sha, Body=b"corrupted bytes\n")
print(sha)
PY
)
workspace ws3
build ws3 --remote-cache readwrite --jobs 2 > "$TMP/ws3.log" 2>&1 || fail "workspace 3 failed: $(cat "$TMP/ws3.log")"
grep -q "remote   sft_data  miss: output 'data': cas/$sha is corrupt" "$TMP/ws3.log" || fail "no corrupt-object miss: $(cat "$TMP/ws3.log")"
grep -q "^  run      sft_data" "$TMP/ws3.log" || fail "sft_data was not rebuilt"
[ "$(grep -c '^  run      ' "$TMP/ws3.log")" = "2" ] || fail "more than sft_data and the report ran: $(grep '^  run' "$TMP/ws3.log")"
s3py "$sha" <<'PY' || fail "the rebuild's push did not repair the object"
import boto3, hashlib, sys
body = boto3.client("s3").get_object(Bucket="rlhf-cache", Key="ci/cas/" + sys.argv[1])["Body"].read()
assert hashlib.sha256(body).hexdigest() == sys.argv[1]
PY
echo "test-s3: sft_data rebuilt (its downstream still served: early cutoff), the object repaired"

echo "test-s3: rlhf push into an empty prefix and rlhf pull into a fresh workspace"
t0=$(date +%s.%N)
(cd "$TMP/ws1" && "$RLHF" push --pipeline experiments/smoke/pipeline.json --remote-cache-url s3://rlhf-cache/timing) > "$TMP/push-timing.log" \
    || fail "push failed: $(cat "$TMP/push-timing.log")"
bytes=$(du -sb "$TMP/ws1/.rlhf/objects" | cut -f1)
echo "test-s3: push of $(grep -c '^  push     ' "$TMP/push-timing.log") nodes ($bytes bytes in the store) took $(seconds_since "$t0")s"
workspace ws4
t0=$(date +%s.%N)
(cd "$TMP/ws4" && "$RLHF" pull --pipeline experiments/smoke/pipeline.json --remote-cache-url "$CACHE") > "$TMP/pull.log" || fail "pull failed: $(cat "$TMP/pull.log")"
echo "test-s3: pull took $(seconds_since "$t0")s"
grep -q "not in $CACHE: report; build them" "$TMP/pull.log" || fail "pull did not list the report as not cached: $(cat "$TMP/pull.log")"
grep -q "^  run      " "$TMP/pull.log" && fail "pull ran a node"
(cd "$TMP/ws1" && "$RLHF" push --pipeline experiments/smoke/pipeline.json --remote-cache-url "$CACHE" --json) > "$TMP/push.json" 2> "$TMP/push.log"
python3 -c "import json,sys; s=json.load(open(sys.argv[1])); assert not s['pushed'] and not s['errors'] and len(s['alreadyCached']) >= 10, s" "$TMP/push.json" \
    || fail "push of an already pushed workspace: $(cat "$TMP/push.json")"

echo "test-s3: a worker without the driver's file system runs a node through the cache"
# The driver side, by hand: the input's bytes go to cas/<sha256>; the spec names it by SHA-256 and by the XXH3 the
# driver knows (taken from a throw-away workspace that records the file).
mkdir -p "$TMP/ws5"
printf 'hello from the driver\n' > "$TMP/ws5/input.txt"
echo '{"experiment": "w", "nodes": {"in": {"kind": "file", "params": {"path": "input.txt"}}}}' > "$TMP/ws5/pipeline.json"
(cd "$TMP/ws5" && "$RLHF" build >/dev/null)
in_hash=$(python3 -c "import sqlite3,sys; print(sqlite3.connect(sys.argv[1]).execute(\"SELECT hash FROM artifacts WHERE path = 'input.txt'\").fetchone()[0])" "$TMP/ws5/.rlhf/catalog.sqlite")
version=$("$RLHF" kinds command --json | python3 -c "import json,sys; print(json.load(sys.stdin)['version'])")
s3py "$TMP/ws5/input.txt" "$in_hash" "$version" <<'PY'
import boto3, hashlib, json, sys
s3 = boto3.client("s3")
data = open(sys.argv[1], "rb").read()
sha = hashlib.sha256(data).hexdigest()
s3.put_object(Bucket="rlhf-cache", Key="ci/cas/" + sha, Body=data)
spec = {"node": "upper", "kind": "command", "kindVersion": int(sys.argv[3]),
        "params": json.dumps({"cmd": "tr a-z A-Z < \"$RLHF_IN_TEXT\" > \"$RLHF_OUT_OUT\""}),
        "seed": 1, "workspace": "/nonexistent/driver/workspace", "inputs": {"text": "/nonexistent/input.txt"},
        "outputs": {"out": "/nonexistent/out"}, "scratch": "/nonexistent/scratch", "result": "/nonexistent/result.json", "cpuFlags": [],
        "cache": {"inputs": {"text": {"name": "text", "hash": sys.argv[2], "size": len(data), "isDirectory": False, "sha256": sha}}}}
s3.put_object(Bucket="rlhf-cache", Key="ci/runs/t1/spec.json", Body=json.dumps(spec).encode())
PY
(cd "$TMP" && "$RLHF" run-node "$CACHE/runs/t1/spec.json") || fail "run-node from the cache failed"
s3py <<'PY' || fail "the worker's result or output is wrong"
import boto3, hashlib, json
s3 = boto3.client("s3")
result = json.loads(s3.get_object(Bucket="rlhf-cache", Key="ci/runs/t1/result.json")["Body"].read())
assert result["exitStatus"] == 0, result
out = result["outputs"][0]
body = s3.get_object(Bucket="rlhf-cache", Key="ci/cas/" + out["sha256"])["Body"].read()
assert body == b"HELLO FROM THE DRIVER\n" and hashlib.sha256(body).hexdigest() == out["sha256"], (body, out)
print("test-s3: the worker pulled its input by hash and pushed", out["size"], "bytes")
PY

echo "test-s3: all checks passed in $(( $(date +%s) - started_at ))s"
