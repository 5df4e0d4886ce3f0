#!/usr/bin/env bash
# The seed's tools/dr_restore_test.sh, with its argument: validates a restored database —
#   tools/dr_restore_test.sh "$DATABASE_URL"
# — by `immoflow-compliance dr check` (rows against the backup's fingerprint, audit chains,
# ledger reconciliation, schema). Its exit code passes through: 0 sound, 2 findings, 1 could not
# check. Extra arguments go to dr check (e.g. --report-dir DIR, --target-time T). The weekly
# restore probe itself (a real pgBackRest restore into a scratch cluster) is
# `immoflow-compliance dr restore-test` (deploy/systemd/immoflow-restore-test.*).
set -euo pipefail
[ $# -ge 1 ] || { echo "usage: tools/dr_restore_test.sh DATABASE_URL [dr check options]" >&2; exit 64; }
url=$1; shift
exec "${IMMOFLOW_BIN:-immoflow-compliance}" dr check --database-url "$url" "$@"
