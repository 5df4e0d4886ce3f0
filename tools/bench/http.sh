#!/usr/bin/env bash
# HTTP benchmark: our server against nginx (1 worker) on 127.0.0.1, same machine, same run.
# For each MODE — logged (as deployed: ours with its JSON access log to a file, nginx with
# `access_log` to a file) and unlogged (ours --no-access-log, nginx `access_log off`), both with
# keepalive_requests 1000 — prints req/s, p50, p99 and ours/nginx for keep-alive and
# `Connection: close` (wrk -t1 -c64 -d10s --latency, RUNS alternating rounds, medians). Then:
# /health on fresh connections while stdout is a pipe nobody reads and another client sends
# 100,000 requests; resident memory over a LONG_SECONDS keep-alive run; 10,000 idle keep-alive
# connections (RSS, /health p99 under them).
# Env: MODES ("logged unlogged"), RUNS (3), DURATION (10s), STALL_SECONDS (30; 0 skips),
#      STALL_REQUESTS (100000), LONG_SECONDS (300; 0 skips), IDLE_CONNECTIONS (10000; 0 skips).
set -euo pipefail
cd "$(dirname "$0")/../.."
. tools/lib/setup.sh
. tools/lib/bench.sh
MODES=${MODES:-logged unlogged}
RUNS=${RUNS:-3}
DURATION=${DURATION:-10s}
STALL_SECONDS=${STALL_SECONDS:-30}
STALL_REQUESTS=${STALL_REQUESTS:-100000}
LONG_SECONDS=${LONG_SECONDS:-300}
IDLE_CONNECTIONS=${IDLE_CONNECTIONS:-10000}

command -v nginx >/dev/null && command -v wrk >/dev/null || {
    [ "$(id -u)" -eq 0 ] || die "nginx and wrk are needed (apt-get install nginx wrk)"
    apt-get update -qq >/dev/null && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq nginx wrk >/dev/null
}
ensure_swift
build_release
ulimit -n 65536 2>/dev/null || true

WORK=$(mktemp -d /tmp/immoflow-bench-XXXXXX)
NGINX_PORT=$(free_port)
OUR_PORT=$(free_port)
PIDS=()
cleanup() { for p in "${PIDS[@]}"; do kill "$p" 2>/dev/null || true; done; wait 2>/dev/null || true; rm -rf "$WORK"; }
trap cleanup EXIT

# start_nginx MODE: nginx on $NGINX_PORT, its access log to a file (logged) or off.
start_nginx() {
    local log="access_log off;"
    [ "$1" = logged ] && log="access_log $WORK/nginx-access.log;"
    cat > "$WORK/nginx.conf" <<CONF
worker_processes 1;
daemon off;
pid $WORK/nginx.pid;
error_log $WORK/error.log warn;
worker_rlimit_nofile 65536;
events { worker_connections 20000; }
http {
    $log
    client_body_temp_path $WORK;
    keepalive_requests 1000;
    server {
        listen 127.0.0.1:$NGINX_PORT;
        location = /health { default_type application/json; return 200 '{"status":"ok"}'; }
    }
}
CONF
    nginx -c "$WORK/nginx.conf" & NGINX_PID=$!
    PIDS+=($NGINX_PID)
}

# start_ours MODE [serve flags]: ours on $OUR_PORT, stdout (its access log) to $OUR_STDOUT or
# --no-access-log. /health needs no database; the URL only has to be syntactically valid.
start_ours() {
    local mode=$1; shift
    local flags=(--max-connections 20000 --max-connections-per-client 20000 --idle-timeout 600)
    [ "$mode" = unlogged ] && flags+=(--no-access-log)
    DATABASE_URL=postgresql://bench@127.0.0.1:1/none "$BIN" serve --port "$OUR_PORT" "${flags[@]}" "$@" \
        > "${OUR_STDOUT:-$WORK/ours-access.log}" 2> "$WORK/serve.log" & OUR_PID=$!
    PIDS+=($OUR_PID)
}

wait_up() {
    for _ in $(seq 1 50); do curl -sf "http://127.0.0.1:$1/health" >/dev/null && return 0; sleep 0.2; done
    die "$2 did not start: $(cat "$WORK/serve.log" "$WORK/error.log" 2>/dev/null)"
}

stop() { kill "$1" 2>/dev/null || true; wait "$1" 2>/dev/null || true; }

# wrk output -> "rps p50_ms p99_ms errors"
measure() {
    local out; out=$(wrk -t1 -c64 -d"$DURATION" --latency "$@")
    local rps p50 p99 errs
    rps=$(echo "$out" | awk '/Requests\/sec/ {print $2}')
    p50=$(echo "$out" | awk '$1=="50%" {print $2}')
    p99=$(echo "$out" | awk '$1=="99%" {print $2}')
    errs=$(echo "$out" | awk '/Socket errors|Non-2xx/ {print}' | tr '\n' ' ')
    echo "$rps $(to_ms "$p50") $(to_ms "$p99") ${errs:-none}"
}

for MODE in $MODES; do
    start_nginx "$MODE"; start_ours "$MODE"
    wait_up "$OUR_PORT" "our server"; wait_up "$NGINX_PORT" nginx
    for conn in keep-alive close; do
        HDR=(); [ "$conn" = close ] && HDR=(-H "Connection: close")
        : > "$WORK/ours.$conn"; : > "$WORK/nginx.$conn"
        for i in $(seq 1 "$RUNS"); do
            measure "${HDR[@]}" "http://127.0.0.1:$NGINX_PORT/health" >> "$WORK/nginx.$conn"
            measure "${HDR[@]}" "http://127.0.0.1:$OUR_PORT/health" >> "$WORK/ours.$conn"
        done
        o_rps=$(cut -d' ' -f1 "$WORK/ours.$conn" | median); n_rps=$(cut -d' ' -f1 "$WORK/nginx.$conn" | median)
        o_p50=$(cut -d' ' -f2 "$WORK/ours.$conn" | median); n_p50=$(cut -d' ' -f2 "$WORK/nginx.$conn" | median)
        o_p99=$(cut -d' ' -f3 "$WORK/ours.$conn" | median); n_p99=$(cut -d' ' -f3 "$WORK/nginx.$conn" | median)
        ratio=$(awk -v a="$o_rps" -v b="$n_rps" 'BEGIN {printf "%.2f", a/b}')
        echo "== $MODE, $conn (wrk -t1 -c64 -d$DURATION, median of $RUNS)"
        echo "   ours : $o_rps req/s  p50 ${o_p50} ms  p99 ${o_p99} ms   [runs: $(cut -d' ' -f1 "$WORK/ours.$conn" | tr '\n' ' ')]"
        echo "   nginx: $n_rps req/s  p50 ${n_p50} ms  p99 ${n_p99} ms   [runs: $(cut -d' ' -f1 "$WORK/nginx.$conn" | tr '\n' ' ')]"
        echo "   p99 per run (ms), ours: $(cut -d' ' -f3 "$WORK/ours.$conn" | tr '\n' ' ')  nginx: $(cut -d' ' -f3 "$WORK/nginx.$conn" | tr '\n' ' ')"
        echo "   ratio ours/nginx: $ratio"
        grep -v ' none$' "$WORK/ours.$conn" "$WORK/nginx.$conn" | sed 's/^/   errors: /' || true
    done
    if [ "$MODE" = logged ]; then
        echo "   log lines: ours $(wc -l < "$WORK/ours-access.log"), nginx $(wc -l < "$WORK/nginx-access.log")"
    fi
    stop "$OUR_PID"; stop "$NGINX_PID"
    rm -f "$WORK/ours-access.log" "$WORK/nginx-access.log"
done

if [ "$STALL_SECONDS" -gt 0 ]; then
    echo "== stdout a pipe nobody reads: /health on fresh connections for ${STALL_SECONDS}s while another client sends $STALL_REQUESTS requests"
    mkfifo "$WORK/stalled"
    # A reader that opens the pipe and never reads: the pipe fills (64 KiB), then every write blocks.
    sleep $((STALL_SECONDS + 120)) < "$WORK/stalled" & STALL_READER=$!
    PIDS+=($STALL_READER)
    OUR_STDOUT=$WORK/stalled start_ours logged
    wait_up "$OUR_PORT" "our server"
    python3 tools/bench/stall_probe.py probe "$OUR_PORT" "$STALL_SECONDS" > "$WORK/probe.txt" & PROBE=$!
    python3 tools/bench/stall_probe.py load "$OUR_PORT" "$STALL_REQUESTS" "$STALL_SECONDS" > "$WORK/load.txt"
    wait $PROBE
    sed 's/^/   /' "$WORK/load.txt" "$WORK/probe.txt"
    curl -sf "http://127.0.0.1:$OUR_PORT/api/metrics" | grep '^http_access_log' | sed 's/^/   /' \
        || echo "   (metrics unavailable)"
    stop "$OUR_PID"; stop "$STALL_READER"
fi

rss() { awk '/VmRSS/ {print $2}' "/proc/$OUR_PID/status"; }
if [ "$LONG_SECONDS" -gt 0 ] || [ "$IDLE_CONNECTIONS" -gt 0 ]; then
    OUR_STDOUT=/dev/null start_ours logged
    wait_up "$OUR_PORT" "our server"
fi
if [ "$LONG_SECONDS" -gt 0 ]; then
    echo "== resident memory over a ${LONG_SECONDS}s keep-alive run (access log on, to /dev/null)"
    wrk -t1 -c64 -d"${LONG_SECONDS}s" "http://127.0.0.1:$OUR_PORT/health" > "$WORK/long.txt" & W=$!
    samples=()
    for _ in $(seq 1 $((LONG_SECONDS / 10))); do sleep 10; samples+=("$(rss)"); done
    wait $W || true
    echo "   RSS KiB every 10 s: ${samples[*]}"
    echo "   first $(echo "${samples[@]}" | awk '{print $1}') KiB, last $(echo "${samples[@]}" | awk '{print $NF}') KiB, max $(printf '%s\n' "${samples[@]}" | sort -n | tail -1) KiB; $(awk '/Requests\/sec/ {print $2}' "$WORK/long.txt") req/s"
fi

if [ "$IDLE_CONNECTIONS" -gt 0 ]; then
    echo "== $IDLE_CONNECTIONS idle keep-alive connections"
    before=$(rss)
    python3 tools/bench/hold_connections.py "$OUR_PORT" "$IDLE_CONNECTIONS" 40 > "$WORK/hold.txt" & H=$!
    for _ in $(seq 1 60); do grep -q opened "$WORK/hold.txt" 2>/dev/null && break; sleep 1; done
    cat "$WORK/hold.txt" | sed 's/^/   /'
    held=$(rss)
    probe=$(measure "http://127.0.0.1:$OUR_PORT/health")
    echo "   RSS before ${before} KiB, holding ${held} KiB ($(( (held - before) / 1024 )) MiB more; $(( held / 1024 )) MiB total)"
    echo "   /health under them (wrk -t1 -c64): $(echo "$probe" | awk '{print $1" req/s, p99 "$3" ms"}')"
    wait $H || true
    sed -n 2p "$WORK/hold.txt" | sed 's/^/   /'
fi
