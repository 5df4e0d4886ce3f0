#!/usr/bin/env bash
# Audit chain verification benchmark (issue 15): `immoflow-compliance audit verify` over ROWS
# audit-log rows (default 2,000,000) of 4 organizations, against the server's own export of the
# same rows — `COPY (SELECT <the same columns> … ORDER BY organization_id, seq) TO STDOUT` by
# psql into /dev/null — in the same run, alternating, RUNS rounds (default 5), medians. Prints
# rows/s of both and the ratio (target ≥ 0.8x), and the peak resident memory of the
# verification against one of a 1,000-row database (target: growth < 32 MiB).
# Loopback only (a Unix socket); everything it starts it stops.
set -euo pipefail
cd "$(dirname "$0")/../.."
. tools/lib/setup.sh
. tools/lib/bench.sh
ROWS=${ROWS:-2000000}
RUNS=${RUNS:-5}

release_workspace audit-bench
PSQL="$(pg_bin)/psql"

migrated_database small
"$BIN" demo-data --organizations 4 --audit-logs 1000 --months 1 --seed 1 >/dev/null 2>&1 || die "demo-data (small) failed"
SMALL_URL=$DATABASE_URL
migrated_database big
log "loading $ROWS audit-log rows through the chain trigger…"
"$BIN" demo-data --organizations 4 --audit-logs "$ROWS" --months 1 --seed 2 >/dev/null 2>&1 || die "demo-data failed"
"$PSQL" -X -q -d "$DATABASE_URL" -c "VACUUM ANALYZE audit_logs" >/dev/null
count=$("$PSQL" -X -At -d "$DATABASE_URL" -c "SELECT count(*) FROM audit_logs")
"$PSQL" -X -q -d "$DATABASE_URL" -c "COPY audit_logs TO STDOUT" > /dev/null   # in shared buffers / the page cache for both

COLUMNS="organization_id, seq, occurred_at, actor, action, entity, entity_id, payload, prev_hash, hash"
copy_peer() {
    local start end
    start=$(date +%s.%N)
    "$PSQL" -X -q -d "$DATABASE_URL" -c "COPY (SELECT $COLUMNS FROM audit_logs ORDER BY organization_id, seq) TO STDOUT" > /dev/null || die "COPY failed"
    end=$(date +%s.%N)
    awk -v a="$start" -v b="$end" 'BEGIN {print b - a}'
}
# verify URL -> "seconds maxrss_kib"
verify() {
    local start end status=0
    start=$(date +%s.%N)
    DATABASE_URL=$1 /usr/bin/time -f "%M" -o "$WORK/rss" "$BIN" audit verify > "$WORK/out" 2> "$WORK/err" || status=$?
    end=$(date +%s.%N)
    [ "$status" -eq 0 ] || die "audit verify exited $status: $(tail -3 "$WORK/err")"
    echo "$(awk -v a="$start" -v b="$end" 'BEGIN {print b - a}') $(tail -1 "$WORK/rss")"
}
: > "$WORK/copy"; : > "$WORK/verify"; : > "$WORK/small"
for i in $(seq 1 "$RUNS"); do
    copy_peer >> "$WORK/copy"
    verify "$DATABASE_URL" >> "$WORK/verify"
    verify "$SMALL_URL" | cut -d' ' -f2 >> "$WORK/small"
done
rate() { awk -v n="$count" '{printf "%.0f\n", n / $1}'; }
c=$(rate < "$WORK/copy" | median); v=$(cut -d' ' -f1 "$WORK/verify" | rate | median)
rss=$(cut -d' ' -f2 "$WORK/verify" | median); small=$(median < "$WORK/small")
echo "== audit verify of $count rows over 4 organizations (median of $RUNS alternating rounds)"
echo "   audit verify:                     $v rows/s   [runs: $(cut -d' ' -f1 "$WORK/verify" | rate | tr '\n' ' ')]"
echo "   COPY … ORDER BY … TO STDOUT (psql → /dev/null): $c rows/s   [runs: $(rate < "$WORK/copy" | tr '\n' ' ')]"
echo "   ratio verify/COPY: $(awk -v a="$v" -v b="$c" 'BEGIN {printf "%.2f", a/b}') (target >= 0.8)"
echo "   peak RSS of audit verify: $rss KiB for $count rows, $small KiB for 1,000: growth $(( (rss - small) / 1024 )) MiB (target < 32)"
