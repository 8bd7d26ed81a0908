# moto's S3 server for the test scripts (sourced, not run): scripts/test-s3.sh, and scripts/test-ray.sh for Ray workers
# without a shared file system. moto[server] comes from PyPI into a venv under /tmp, kept between runs.
#   moto_install            makes the venv when it lacks moto.server or boto3; sets MOTO_PY
#   moto_start LOG          starts the server on a free port of 127.0.0.1 (its PID in MOTO_PID), exports the AWS_*
#                           variables that point rlhf and boto3 at it, and creates the bucket rlhf-cache
#   moto_stop               stops the server by PID (SIGTERM, up to 5 s, then SIGKILL)
# The caller defines fail().
MOTO_VENV=${RLHF_MOTO_VENV:-/tmp/rlhf-moto-venv}
MOTO_PID=""

moto_install() {
    if ! "$MOTO_VENV/bin/python" -c "import moto.server, boto3" 2>/dev/null; then
        local started
        started=$(date +%s)
        echo "moto: installing moto[server] into $MOTO_VENV"
        python3 -m venv "$MOTO_VENV"
        "$MOTO_VENV/bin/pip" install -q "moto[server]"
        echo "moto: pip install took $(( $(date +%s) - started ))s"
    fi
    MOTO_PY="$MOTO_VENV/bin/python"
}

moto_start() {
    local port
    port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
    "$MOTO_PY" -m moto.server -H 127.0.0.1 -p "$port" >"$1" 2>&1 &
    MOTO_PID=$!
    export AWS_ACCESS_KEY_ID=rlhf-test AWS_SECRET_ACCESS_KEY=rlhf-test-secret AWS_REGION=us-east-1
    export AWS_ENDPOINT_URL="http://127.0.0.1:$port" AWS_CONFIG_FILE=/nonexistent AWS_SHARED_CREDENTIALS_FILE=/nonexistent
    unset AWS_PROFILE AWS_SESSION_TOKEN RLHF_REMOTE_CACHE RLHF_REMOTE_CACHE_URL || true
    local deadline=$(( $(date +%s) + 60 ))
    while [ "$(date +%s)" -lt "$deadline" ]; do
        "$MOTO_PY" -c "import boto3; boto3.client('s3').create_bucket(Bucket='rlhf-cache')" 2>/dev/null && break
        kill -0 "$MOTO_PID" 2>/dev/null || fail "moto exited: $(tail -n 20 "$1")"
        sleep 0.2
    done
    "$MOTO_PY" -c "import boto3; boto3.client('s3').head_bucket(Bucket='rlhf-cache')" || fail "moto did not answer on 127.0.0.1:$port within 60 s: $(tail -n 20 "$1")"
}

moto_stop() {
    [ -n "$MOTO_PID" ] || return 0
    kill "$MOTO_PID" 2>/dev/null || true
    for _ in $(seq 50); do kill -0 "$MOTO_PID" 2>/dev/null || break; sleep 0.1; done
    kill -9 "$MOTO_PID" 2>/dev/null || true
    MOTO_PID=""
}
