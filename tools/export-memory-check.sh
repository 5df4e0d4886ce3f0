#!/usr/bin/env bash
# Issue 16's "a 2,000,000-row export with flat memory", run by tools/test.sh after the suite (alone,
# so that it disturbs no timing-sensitive test): one organization with ROWS audit-log rows
# (default 2,000,000) through the chain trigger, exported by the release build under
# /usr/bin/time, then verified. Fails unless the export's and the verifier's peak resident memory
# stay within LIMIT_MIB (default 64) and the package is valid. Not a benchmark: no time is judged
# (tools/bench/export.sh measures throughput).
set -euo pipefail
cd "$(dirname "$0")/.."
. tools/lib/setup.sh
ROWS=${ROWS:-2000000}
LIMIT_MIB=${LIMIT_MIB:-64}

release_workspace export-memory
make_signing_key
migrated_database big
log "loading $ROWS audit-log rows of one organization through the chain trigger ..."
"$BIN" demo-data --organizations 1 --audit-logs "$ROWS" --months 12 --seed 3 >/dev/null 2>&1 || die "demo-data failed"
ORG=$("$(pg_bin)/psql" -X -At -d "$DATABASE_URL" -c "SELECT id FROM organizations LIMIT 1")
/usr/bin/time -f "%M" -o "$WORK/export.rss" "$BIN" export --organization "$ORG" --from "$(date -u -d '-13 months' +%Y-%m-01)" --to "$(date -u +%F)" \
    --output "$WORK/package.tar.gz" --scratch "$WORK" > "$WORK/export.json" || die "export failed"
rows=$(python3 -c 'import json, sys; print(json.load(open(sys.argv[1]))["rows"]["audit_logs"])' "$WORK/export.json")
[ "$rows" = "$ROWS" ] || die "the package holds $rows audit rows, not $ROWS"
/usr/bin/time -f "%M" -o "$WORK/verify.rss" "$BIN" verify-package "$WORK/package.tar.gz" --public-key "$CLUSTER_DIR/signing-public.pem" > "$WORK/verify.out" \
    || die "verify-package found problems: $(head -5 "$WORK/verify.out")"
export_mib=$(( $(tail -1 "$WORK/export.rss") / 1024 )); verify_mib=$(( $(tail -1 "$WORK/verify.rss") / 1024 ))
log "export of $ROWS audit rows: peak RSS $export_mib MiB; verify-package: $verify_mib MiB (limit $LIMIT_MIB MiB); package $(stat -c %s "$WORK/package.tar.gz") bytes, valid"
[ "$export_mib" -le "$LIMIT_MIB" ] || die "export used $export_mib MiB, more than $LIMIT_MIB"
[ "$verify_mib" -le "$LIMIT_MIB" ] || die "verify-package used $verify_mib MiB, more than $LIMIT_MIB"
