#!/usr/bin/env bash
# Export package benchmark (issue 16): `immoflow-compliance export` of one organization with ROWS
# audit-log rows (default 2,000,000) plus its ledger over 12 months, against the server's own
# export of the same rows gzipped — psql running `COPY (<the same SELECTs: tables, columns,
# filters, order>) TO STDOUT` for the six tables into `gzip -6` (our level) — in the same run,
# alternating, RUNS rounds (default 3), medians. Ours renders GDPdU CSV, hashes every member,
# verifies the chain segment, writes tar and signs on top. Prints:
#   - MB/s of both (the uncompressed data: our CSV members, the peer's COPY text) and rows/s, and
#     the ratio of the times (target: ours ≥ 1.0x the peer),
#   - peak resident memory of the export at 10,000 and at ROWS rows (target ≤ 64 MiB, flat),
#   - verify-package on the package against `gzip -dc > /dev/null` of the same file (target ≥ 0.8x).
# Loopback only (a Unix socket); everything it starts it stops.
set -euo pipefail
cd "$(dirname "$0")/../.."
. tools/lib/setup.sh
. tools/lib/bench.sh
ROWS=${ROWS:-2000000}
RUNS=${RUNS:-3}

release_workspace export-bench
make_signing_key
PSQL="$(pg_bin)/psql"
FROM=$(date -u -d '-13 months' +%Y-%m-01); TO=$(date -u +%F)

migrated_database small
"$BIN" demo-data --organizations 1 --audit-logs 10000 --months 12 --seed 1 >/dev/null 2>&1 || die "demo-data (small) failed"
SMALL_URL=$DATABASE_URL
migrated_database big
log "loading $ROWS audit-log rows of one organization through the chain trigger…"
"$BIN" demo-data --organizations 1 --audit-logs "$ROWS" --months 12 --seed 2 >/dev/null 2>&1 || die "demo-data failed"
"$PSQL" -X -q -d "$DATABASE_URL" -c "VACUUM ANALYZE" >/dev/null
ORG=$("$PSQL" -X -At -d "$DATABASE_URL" -c "SELECT id FROM organizations LIMIT 1")
SMALL_ORG=$("$PSQL" -X -At -d "$SMALL_URL" -c "SELECT id FROM organizations LIMIT 1")

# The peer: the same six SELECTs (Sources/Export/PackageTables.swift) as COPY text, one psql, into gzip.
peer_sql() {
    local o="'$1'::uuid" f="'$FROM'::date" t="'$TO'::date" s="('$FROM'::date::timestamp AT TIME ZONE 'UTC')" e="(('$TO'::date + 1)::timestamp AT TIME ZONE 'UTC')"
    cat <<SQL
COPY (SELECT id, name, country, tax_number, vat_id, created_at FROM organizations WHERE id = $o ORDER BY id) TO STDOUT;
COPY (SELECT id, organization_id, name, unit, usage, created_at FROM tenants WHERE organization_id = $o ORDER BY id) TO STDOUT;
COPY (SELECT id, organization_id, tenant_id, invoice_number, period, issued_at, due_date, net_amount::text, vat_rate::text, vat_amount::text,
             gross_amount::text, currency, status, description, created_at FROM monthly_invoices
      WHERE organization_id = $o AND (period BETWEEN $f AND $t OR id IN (SELECT invoice_id FROM ledger_entries WHERE organization_id = $o AND booking_date BETWEEN $f AND $t))
      ORDER BY id) TO STDOUT;
COPY (SELECT id, organization_id, tenant_id, invoice_id, booking_date, account, amount::text, entry_type, description, created_at FROM ledger_entries
      WHERE organization_id = $o AND booking_date BETWEEN $f AND $t ORDER BY id) TO STDOUT;
COPY (SELECT organization_id, seq, occurred_at, actor, action, entity, entity_id, payload, prev_hash, hash FROM audit_logs
      WHERE organization_id = $o AND seq BETWEEN (SELECT min(seq) FROM audit_logs WHERE organization_id = $o AND occurred_at >= $s AND occurred_at < $e)
                                       AND (SELECT max(seq) FROM audit_logs WHERE organization_id = $o AND occurred_at >= $s AND occurred_at < $e)
      ORDER BY organization_id, seq) TO STDOUT;
COPY (SELECT seq, event_id, run_id, event_type, status, occurred_at, stanza, repo::bigint, label, size_bytes, repo_size_bytes, exit_code::bigint,
             error_message, prev_hash, hash FROM backup_audit
      WHERE occurred_at >= $s AND occurred_at < $e AND (event_type NOT IN ('export_created', 'worm_locked', 'legal_hold') OR details::jsonb ->> 'organization_id' = $o::text)
      ORDER BY seq) TO STDOUT;
SQL
}
peer_sql "$ORG" > "$WORK/peer.sql"
# The peer's uncompressed bytes (for its MB/s) and a warm cache for both.
peer_bytes=$("$PSQL" -X -q -d "$DATABASE_URL" -f "$WORK/peer.sql" | wc -c)
rows=$("$PSQL" -X -q -d "$DATABASE_URL" -f "$WORK/peer.sql" | wc -l)

seconds() { awk -v a="$1" -v b="$2" 'BEGIN {print b - a}'; }
peer() {
    local start end
    start=$(date +%s.%N)
    "$PSQL" -X -q -d "$DATABASE_URL" -f "$WORK/peer.sql" | gzip -6 > "$WORK/peer.gz" || die "psql | gzip failed"
    end=$(date +%s.%N)
    seconds "$start" "$end"
}
# ours URL ORG FILE -> "seconds maxrss_kib"
ours() {
    local start end status=0
    rm -f "$3"
    start=$(date +%s.%N)
    DATABASE_URL=$1 /usr/bin/time -f "%M" -o "$WORK/rss" "$BIN" export --organization "$2" --from "$FROM" --to "$TO" --output "$3" --scratch "$WORK" \
        > "$WORK/out" 2> "$WORK/err" || status=$?
    end=$(date +%s.%N)
    [ "$status" -eq 0 ] || die "export exited $status: $(tail -3 "$WORK/err")"
    echo "$(seconds "$start" "$end") $(tail -1 "$WORK/rss")"
}
verify() {
    local start end status=0
    start=$(date +%s.%N)
    "$BIN" verify-package "$WORK/ours.tar.gz" --public-key "$CLUSTER_DIR/signing-public.pem" > "$WORK/verify.out" 2>&1 || status=$?
    end=$(date +%s.%N)
    [ "$status" -eq 0 ] || die "verify-package exited $status: $(head -5 "$WORK/verify.out")"
    seconds "$start" "$end"
}
gunzip_peer() {
    local start end
    start=$(date +%s.%N)
    gzip -dc "$WORK/ours.tar.gz" > /dev/null
    end=$(date +%s.%N)
    seconds "$start" "$end"
}
: > "$WORK/t-peer"; : > "$WORK/t-ours"; : > "$WORK/t-small"; : > "$WORK/t-verify"; : > "$WORK/t-gunzip"
for i in $(seq 1 "$RUNS"); do
    peer >> "$WORK/t-peer"
    ours "$DATABASE_URL" "$ORG" "$WORK/ours.tar.gz" >> "$WORK/t-ours"
    ours "$SMALL_URL" "$SMALL_ORG" "$WORK/small.tar.gz" | cut -d' ' -f2 >> "$WORK/t-small"
    verify >> "$WORK/t-verify"
    gunzip_peer >> "$WORK/t-gunzip"
done
ours_bytes=$(gzip -dc "$WORK/ours.tar.gz" | wc -c)
p=$(median < "$WORK/t-peer"); o=$(cut -d' ' -f1 "$WORK/t-ours" | median)
rss=$(cut -d' ' -f2 "$WORK/t-ours" | median); small=$(median < "$WORK/t-small")
v=$(median < "$WORK/t-verify"); g=$(median < "$WORK/t-gunzip")
mbs() { awk -v b="$1" -v s="$2" 'BEGIN {printf "%.1f", b / 1e6 / s}'; }
echo "== export of one organization: $rows rows ($ROWS audit-log rows and 12 months of ledger), median of $RUNS alternating rounds"
echo "   immoflow-compliance export:        $o s  $(mbs "$ours_bytes" "$o") MB/s of CSV ($ours_bytes bytes), $(awk -v r="$rows" -v s="$o" 'BEGIN {printf "%.0f", r/s}') rows/s  [runs: $(cut -d' ' -f1 "$WORK/t-ours" | tr '\n' ' ')]"
echo "   psql COPY (same SELECTs) | gzip -6: $p s  $(mbs "$peer_bytes" "$p") MB/s of COPY text ($peer_bytes bytes)  [runs: $(tr '\n' ' ' < "$WORK/t-peer")]"
echo "   ratio (peer time / our time): $(awk -v a="$p" -v b="$o" 'BEGIN {printf "%.2f", a/b}')x (target >= 1.0)"
echo "   package $(stat -c %s "$WORK/ours.tar.gz") bytes, the peer's gzip $(stat -c %s "$WORK/peer.gz") bytes"
echo "   peak RSS of export: $rss KiB at $ROWS audit rows, $small KiB at 10,000: growth $(( (rss - small) / 1024 )) MiB (target <= 64 MiB, flat)"
echo "   verify-package: $v s, gzip -dc > /dev/null: $g s: ratio $(awk -v a="$g" -v b="$v" 'BEGIN {printf "%.2f", a/b}')x (target >= 0.8)  [runs: $(tr '\n' ' ' < "$WORK/t-verify")]"
