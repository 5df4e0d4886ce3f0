#!/usr/bin/env bash
# The README's run command: a throwaway local PostgreSQL, migrated and filled with demo data,
# then the server. Everything is removed again when it stops (Ctrl-C).
# Extra arguments go to `demo-data` (e.g. --organizations 8 --audit-logs 100000).
set -euo pipefail
cd "$(dirname "$0")/.."
. tools/lib/setup.sh

ensure_packages
ensure_swift
log "building (release) ..."
build_release

trap stop_cluster EXIT
trap 'exit 130' INT TERM
start_cluster
create_database immoflow
export DATABASE_URL="$(cluster_url immoflow)"
log "PostgreSQL: $DATABASE_URL (data in $CLUSTER_DIR, removed on exit)"

"$BIN" migrate
"$BIN" demo-data "$@"

# A throwaway token pepper (removed with the cluster) and a demo admin token for the curl lines.
make_token_pepper
TOKEN=$("$BIN" token create --name demo-admin --role admin --expires-in 1d)

if "$BIN" --help 2>/dev/null | grep -qE "^ +serve( |$)"; then
    PORT=${PORT:-8080}
    cat >&2 <<MSG

immoflow-compliance is starting on http://127.0.0.1:$PORT (Ctrl-C stops it and removes the database)
demo token (admin, valid 1 day): $TOKEN
  curl -s http://127.0.0.1:$PORT/health
  curl -s http://127.0.0.1:$PORT/health/ready
  curl -s -H "Authorization: Bearer $TOKEN" "http://127.0.0.1:$PORT/api/compliance/backup-events?limit=5"
  curl -s -H "Authorization: Bearer $TOKEN" "http://127.0.0.1:$PORT/api/compliance/backup-events?type=backup_full&status=failed"
  curl -s -H "Authorization: Bearer $TOKEN" -H "Accept: text/csv" "http://127.0.0.1:$PORT/api/compliance/backup-events?limit=20"
  curl -s -H "Authorization: Bearer $TOKEN" "http://127.0.0.1:$PORT/api/compliance/worm-status"
  curl -s http://127.0.0.1:$PORT/api/metrics
  curl -s -X POST -H "Authorization: Bearer $TOKEN" -H "Content-Type: application/json" -H 'Idempotency-Key: "restore-test-demo-1"' \
       -d '{"type":"restore_test","status":"succeeded","stanza":"prod","details":{"verified_rows":1200}}' \
       http://127.0.0.1:$PORT/api/compliance/backup-events
MSG
    "$BIN" serve --host 127.0.0.1 --port "$PORT"
else
    cat >&2 <<MSG

'serve' is not in this build, so this stops after loading the demo data.
Look at the data while it runs next time, e.g.:
  psql "$DATABASE_URL" -c "SELECT event_type, status, count(*) FROM backup_audit GROUP BY 1, 2"
The throwaway cluster is removed now.
MSG
fi
