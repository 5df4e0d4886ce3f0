#!/usr/bin/env bash
# The README's run command: a throwaway local PostgreSQL (archiving WAL), migrated and filled with
# demo data, then the server. Everything is removed again when it stops (Ctrl-C).
# Extra arguments go to `demo-data` (e.g. --organizations 8 --audit-logs 100000).
# IMMOFLOW_RUN_SMOKE=1: instead of serving until Ctrl-C, run every printed curl line against the
# server and fail unless each answers 2xx with data (tools/test.sh does this).
set -euo pipefail
cd "$(dirname "$0")/.."
. tools/lib/setup.sh

ensure_packages
ensure_swift
log "building (release) ..."
build_release

trap stop_serve_and_cluster EXIT
trap 'exit 130' INT TERM
start_cluster archive
create_database immoflow
export DATABASE_URL="$(cluster_url immoflow)"
log "PostgreSQL: $DATABASE_URL (data in $CLUSTER_DIR, removed on exit)"

"$BIN" migrate
"$BIN" demo-data "$@"

# A throwaway token pepper and signing key (removed with the cluster) and a demo admin token.
make_token_pepper
make_signing_key
TOKEN=$("$BIN" token create --name demo-admin --role admin --expires-in 1d)
# An organization for the audit-log example, and the chains verified once (serve repeats it daily).
ORG=$("$(pg_bin)/psql" -X -At -d "$DATABASE_URL" -c "SELECT id FROM organizations ORDER BY id LIMIT 1")
"$BIN" audit verify --backup-audit > /dev/null || die "audit verify of the demo data failed"
# A demo audit package of this month (the demo's audit entries are written now), recorded like
# any export, so the download line below has something to fetch.
PACKAGE=$("$BIN" export --organization "$ORG" --from "$(date -u +%Y-%m-01)" --to "$(date -u +%F)" \
    --output "$IMMOFLOW_EXPORT_DIR/demo.tar.gz") || die "the demo export failed"
EXPORT_ID=$(printf '%s' "$PACKAGE" | python3 -c 'import json, sys; print(json.load(sys.stdin)["export_id"])')
DOWNLOAD=/tmp/immoflow-demo-package-$$.tar.gz

# The example requests, printed for the user and, in smoke mode, each run and checked.
examples() {
    local base="http://127.0.0.1:$1" auth="Authorization: Bearer $TOKEN"
    cat <<LINES
curl -s $base/health
curl -s $base/health/ready
curl -s -H "$auth" "$base/api/compliance/backup-events?limit=5"
curl -s -H "$auth" "$base/api/compliance/backup-events?type=backup_full&status=failed"
curl -s -H "$auth" -H "Accept: text/csv" "$base/api/compliance/backup-events?limit=20"
curl -s -H "$auth" "$base/api/compliance/worm-status"
curl -s -H "$auth" "$base/api/compliance/audit-chain"
curl -s -H "$auth" "$base/api/compliance/audit-logs?organization=$ORG&limit=5"
curl -s $base/api/metrics
curl -s $base/openapi.yaml
curl -s -H "$auth" "$base/api/compliance/exports"
curl -s -H "$auth" -o $DOWNLOAD "$base/api/compliance/exports/$EXPORT_ID/package"
curl -s -X POST -H "$auth" -H "Content-Type: application/json" -d '{"organization_id":"$ORG","from":"$(date -u +%Y-%m-01)","to":"$(date -u +%F)"}' $base/api/compliance/exports
curl -s -X POST -H "$auth" -H "Content-Type: application/json" -H 'Idempotency-Key: "restore-test-demo-1"' -d '{"type":"restore_test","status":"succeeded","stanza":"prod","details":{"verified_rows":1200}}' $base/api/compliance/backup-events
LINES
}

if [ "${IMMOFLOW_RUN_SMOKE:-}" = 1 ]; then
    start_serve "$CLUSTER_DIR/serve.log" --host 127.0.0.1
    failed=0
    while IFS= read -r line; do
        # -w appends the status; every example must answer 2xx with a body that holds data.
        out=$(eval "${line/curl -s/curl -s -w '\\n%{http_code}'}")
        status=${out##*$'\n'}; body=${out%$'\n'*}
        # A download (-o FILE): the file is the body, and it must pass verify-package.
        if [[ "$line" == *" -o $DOWNLOAD "* ]]; then
            body=$("$BIN" verify-package "$DOWNLOAD" --public-key "$CLUSTER_DIR/signing-public.pem" | head -n 1) || body=
            rm -f "$DOWNLOAD"
        fi
        if [[ "$status" != 2?? ]] || [ -z "$body" ] || [[ "$body" == *'"items":[]'* ]]; then
            log "smoke: FAILED ($status): $line"
            log "       ${body:0:300}"
            failed=1
        else
            log "smoke: ok ($status, ${#body} bytes): ${line:0:110}"
            [[ "$line" == *worm-status* ]] && log "       worm-status: $(printf '%s' "$body" | python3 -c 'import json, sys; d = json.load(sys.stdin); print(d["status"], {c["id"]: c["status"] for c in d["controls"]})')"
        fi
    done < <(examples "$PORT")
    [ "$failed" = 0 ] || die "an example request of tools/run.sh did not return data"
    log "smoke: every example request returned data"
    exit 0
fi

PORT=${PORT:-8080}
{
    echo
    echo "immoflow-compliance is starting on http://127.0.0.1:$PORT (Ctrl-C stops it and removes the database)"
    echo "demo token (admin, valid 1 day): $TOKEN"
    examples "$PORT" | sed 's/^/  /'
    echo "  $BIN verify-package $DOWNLOAD --public-key $CLUSTER_DIR/signing-public.pem"
} >&2
"$BIN" serve --host 127.0.0.1 --port "$PORT"
