#!/usr/bin/env bash
# HTTP benchmark: our server against nginx (1 worker, access log off) on 127.0.0.1, same machine,
# same run. Prints req/s, p50, p99 and ours/nginx for keep-alive and Connection: close
# (wrk -t1 -c64 -d10s --latency, RUNS alternating rounds, medians), then resident memory over a
# LONG_SECONDS keep-alive run, then 10,000 idle keep-alive connections (RSS, /health p99 under them).
# Env: RUNS (3), DURATION (10s), LONG_SECONDS (300; 0 skips), IDLE_CONNECTIONS (10000; 0 skips),
#      ACCESS_LOG (off|on; ours writes its JSON access log to /dev/null when on).
set -euo pipefail
cd "$(dirname "$0")/../.."
. tools/lib/setup.sh
. tools/lib/bench.sh
RUNS=${RUNS:-3}
DURATION=${DURATION:-10s}
LONG_SECONDS=${LONG_SECONDS:-300}
IDLE_CONNECTIONS=${IDLE_CONNECTIONS:-10000}
ACCESS_LOG=${ACCESS_LOG:-off}

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

cat > "$WORK/nginx.conf" <<CONF
worker_processes 1;
daemon off;
pid $WORK/nginx.pid;
error_log $WORK/error.log warn;
worker_rlimit_nofile 65536;
events { worker_connections 20000; }
http {
    access_log off;
    client_body_temp_path $WORK;
    keepalive_requests 1000;
    server {
        listen 127.0.0.1:$NGINX_PORT;
        location = /health { default_type application/json; return 200 '{"status":"ok"}'; }
    }
}
CONF
nginx -c "$WORK/nginx.conf" & PIDS+=($!)
LOG_FLAG=--no-access-log; [ "$ACCESS_LOG" = on ] && LOG_FLAG=
# /health needs no database; the URL only has to be syntactically valid.
DATABASE_URL=postgresql://bench@127.0.0.1:1/none "$BIN" serve --port "$OUR_PORT" $LOG_FLAG \
    --max-connections 20000 --idle-timeout 600 > /dev/null 2> "$WORK/serve.log" & OUR_PID=$!
PIDS+=($OUR_PID)
sleep 1
curl -sf "http://127.0.0.1:$OUR_PORT/health" >/dev/null || die "our server did not start: $(cat "$WORK/serve.log")"
curl -sf "http://127.0.0.1:$NGINX_PORT/health" >/dev/null || die "nginx did not start"

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

for mode in keep-alive close; do
    HDR=(); [ "$mode" = close ] && HDR=(-H "Connection: close")
    : > "$WORK/ours.$mode"; : > "$WORK/nginx.$mode"
    for i in $(seq 1 "$RUNS"); do
        measure "${HDR[@]}" "http://127.0.0.1:$NGINX_PORT/health" >> "$WORK/nginx.$mode"
        measure "${HDR[@]}" "http://127.0.0.1:$OUR_PORT/health" >> "$WORK/ours.$mode"
    done
    o_rps=$(cut -d' ' -f1 "$WORK/ours.$mode" | median); n_rps=$(cut -d' ' -f1 "$WORK/nginx.$mode" | median)
    o_p50=$(cut -d' ' -f2 "$WORK/ours.$mode" | median); n_p50=$(cut -d' ' -f2 "$WORK/nginx.$mode" | median)
    o_p99=$(cut -d' ' -f3 "$WORK/ours.$mode" | median); n_p99=$(cut -d' ' -f3 "$WORK/nginx.$mode" | median)
    ratio=$(awk -v a="$o_rps" -v b="$n_rps" 'BEGIN {printf "%.2f", a/b}')
    echo "== $mode (wrk -t1 -c64 -d$DURATION, median of $RUNS; access log $ACCESS_LOG)"
    echo "   ours : $o_rps req/s  p50 ${o_p50} ms  p99 ${o_p99} ms   [runs: $(cut -d' ' -f1 "$WORK/ours.$mode" | tr '\n' ' ')]"
    echo "   nginx: $n_rps req/s  p50 ${n_p50} ms  p99 ${n_p99} ms   [runs: $(cut -d' ' -f1 "$WORK/nginx.$mode" | tr '\n' ' ')]"
    echo "   p99 per run (ms), ours: $(cut -d' ' -f3 "$WORK/ours.$mode" | tr '\n' ' ')  nginx: $(cut -d' ' -f3 "$WORK/nginx.$mode" | tr '\n' ' ')"
    echo "   ratio ours/nginx: $ratio"
    grep -v ' none$' "$WORK/ours.$mode" "$WORK/nginx.$mode" | sed 's/^/   errors: /' || true
done

rss() { awk '/VmRSS/ {print $2}' "/proc/$OUR_PID/status"; }
if [ "$LONG_SECONDS" -gt 0 ]; then
    echo "== resident memory over a ${LONG_SECONDS}s keep-alive run"
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
