#!/usr/bin/env bash
# The seed's tools/dr_full_exercise.sh (no arguments): the monthly DR exercise —
#   immoflow-compliance dr exercise --stanza "$STANZA" [--webhook "$DR_WEBHOOK_URL"]
# — a restore test, the API server probed on the restored database, an export package built and
# verified, the report written to $DR_REPORT_DIR (default /var/log/immoflow-compliance/dr-exercise)
# and sent to the webhook. Settings from the environment: STANZA (default prod), DATABASE (the
# database checked, default immoflow), DR_WEBHOOK_URL, DR_REPORT_DIR, and DATABASE_URL, the
# pgBackRest secrets as for the backups. Its exit code passes through: 0 passed, 2 failed, 1 could
# not run. Extra arguments go to dr exercise.
set -euo pipefail
args=(dr exercise --stanza "${STANZA:-prod}" --database "${DATABASE:-immoflow}" --report-dir "${DR_REPORT_DIR:-/var/log/immoflow-compliance/dr-exercise}")
[ -n "${DR_WEBHOOK_URL:-}" ] && args+=(--webhook "$DR_WEBHOOK_URL")
exec "${IMMOFLOW_BIN:-immoflow-compliance}" "${args[@]}" "$@"
