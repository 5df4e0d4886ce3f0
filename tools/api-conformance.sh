#!/usr/bin/env bash
# API conformance: validates openapi.yaml (openapi-spec-validator) and runs schemathesis with all
# its checks against a live server (release build, throwaway PostgreSQL with demo data, an
# operator token). Called by tools/test.sh; installs the pinned tool versions from PyPI.
# The constraints JSON Schema cannot express (a time not in the future, finished_at not before
# started_at, no U+0000 inside details) are documented in openapi.yaml and applied to generated
# bodies by tools/schemathesis_hooks.py; every other value is what schemathesis generates.
set -euo pipefail
cd "$(dirname "$0")/.."
. tools/lib/setup.sh
MAX_TIME=${SCHEMATHESIS_MAX_TIME:-60}

SCHEMATHESIS_VERSION=4.32.5
VALIDATOR_VERSION=0.9.0
installed() { python3 -m pip show "$1" 2>/dev/null | awk '/^Version:/ {print $2}'; }
[ "$(installed schemathesis)" = "$SCHEMATHESIS_VERSION" ] || python3 -m pip install -q "schemathesis==$SCHEMATHESIS_VERSION" >/dev/null 2>&1 \
    || die "pip install schemathesis==$SCHEMATHESIS_VERSION failed"
[ "$(installed openapi-spec-validator)" = "$VALIDATOR_VERSION" ] || python3 -m pip install -q "openapi-spec-validator==$VALIDATOR_VERSION" >/dev/null 2>&1 \
    || die "pip install openapi-spec-validator==$VALIDATOR_VERSION failed"
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
# The exports endpoints need a role that may export (admin) and a server that can sign packages.
ADMIN=$("$BIN" token create --name schemathesis-admin --role admin --expires-in 1d 2>/dev/null)
make_signing_key
start_serve "$CLUSTER_DIR/serve.log" --no-access-log
log "schemathesis (max ${MAX_TIME}s) ..."
PYTHONPATH="$PWD/tools${PYTHONPATH:+:$PYTHONPATH}" SCHEMATHESIS_HOOKS=schemathesis_hooks \
schemathesis run openapi.yaml --url "http://127.0.0.1:$PORT" -H "Authorization: Bearer $TOKEN" \
    --checks all --max-examples 50 --max-time "$MAX_TIME" \
    --workers 1 --seed 1 --report junit --report-dir "$CLUSTER_DIR/st-report"
log "schemathesis on the exports endpoints with an admin token (max 25s) ..."
PYTHONPATH="$PWD/tools${PYTHONPATH:+:$PYTHONPATH}" SCHEMATHESIS_HOOKS=schemathesis_hooks \
schemathesis run openapi.yaml --url "http://127.0.0.1:$PORT" -H "Authorization: Bearer $ADMIN" \
    --include-path-regex '^/api/compliance/exports' \
    --checks all --max-examples 30 --max-time 25 \
    --workers 1 --seed 1 --report junit --report-dir "$CLUSTER_DIR/st-report-exports"
