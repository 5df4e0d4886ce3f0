#!/usr/bin/env bash
# API conformance: validates openapi.yaml (openapi-spec-validator) and runs schemathesis against a
# live server (release build, throwaway PostgreSQL with demo data, a viewer token). Called by
# tools/test.sh; installs openapi-spec-validator and schemathesis from PyPI when missing.
# `positive_data_acceptance` is excluded: a schema cannot express "a cursor this server wrote"
# or "to after from", so schema-valid values may rightly get 400.
set -euo pipefail
cd "$(dirname "$0")/.."
. tools/lib/setup.sh
MAX_TIME=${SCHEMATHESIS_MAX_TIME:-60}

for tool in openapi-spec-validator schemathesis; do
    command -v "$tool" >/dev/null || python3 -m pip install -q "$tool" >/dev/null 2>&1 || die "pip install $tool failed"
done
log "validating openapi.yaml ..."
openapi-spec-validator openapi.yaml

ensure_packages
ensure_swift
build_release
trap stop_serve_and_cluster EXIT
start_cluster
make_token_pepper
migrated_database api
"$BIN" demo-data --organizations 2 --months 2 --audit-logs 500 --days 10 2>/dev/null
TOKEN=$("$BIN" token create --name schemathesis --role operator --expires-in 1d 2>/dev/null)
PORT=$(free_port)
"$BIN" serve --port "$PORT" --no-access-log > "$CLUSTER_DIR/serve.log" 2>&1 & SERVE_PID=$!
for _ in $(seq 1 50); do curl -sf "http://127.0.0.1:$PORT/health" >/dev/null && break; sleep 0.2; done
log "schemathesis (max ${MAX_TIME}s) ..."
schemathesis run openapi.yaml --url "http://127.0.0.1:$PORT" -H "Authorization: Bearer $TOKEN" \
    --checks all --exclude-checks positive_data_acceptance --max-examples 50 --max-time "$MAX_TIME" \
    --workers 1 --seed 1 --report junit --report-dir "$CLUSTER_DIR/st-report"
