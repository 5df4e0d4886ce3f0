#!/usr/bin/env bash
# API benchmark: GET /api/compliance/backup-events (a page of 50, one filter) at 64 concurrent
# keep-alive connections against 1,000,000 events, compared with pgbench running the same SQL at
# the same concurrency in the same run; and worm-status latency. Prints req/s, p50/p99 and ratios.
# Env: EVENTS (1000000), DURATION (10s), RUNS (3).
set -euo pipefail
cd "$(dirname "$0")/../.."
. tools/lib/setup.sh
. tools/lib/bench.sh
EVENTS=${EVENTS:-1000000}
DURATION=${DURATION:-10s}
RUNS=${RUNS:-3}

prepare_bench
PGBIN=$(pg_bin)
trap stop_serve_and_cluster EXIT
start_cluster
make_token_pepper
migrated_database bench

log "loading $EVENTS backup events through the chain trigger ..."
start=$(date +%s)
"$PGBIN/psql" -X -q -d "$DATABASE_URL" -v ON_ERROR_STOP=1 <<SQL
SET synchronous_commit = off;
INSERT INTO backup_audit (run_id, event_type, status, occurred_at, stanza, repo, label, size_bytes, exit_code, host, details)
SELECT gen_random_uuid(),
       (ARRAY['backup_full','backup_diff','backup_diff','backup_diff','check','expire','restore_test','offsite_copy'])[1 + g % 8],
       (ARRAY['started','succeeded','succeeded','failed'])[1 + (g / 8) % 4],
       now() - make_interval(secs => ($EVENTS - g) * 60),
       'prod', 1, 'L' || g, 2000000000 + g, 0, 'db-prod-1', '{}'
FROM generate_series(1, $EVENTS) g;
ANALYZE backup_audit;
SQL
log "loaded in $(( $(date +%s) - start )) s"
TOKEN=$("$BIN" token create --name bench --role viewer --expires-in 1d 2>/dev/null)
start_serve "$CLUSTER_DIR/serve.log" --no-access-log

URL="http://127.0.0.1:$PORT/api/compliance/backup-events?type=backup_full&limit=50"
curl -sf -o /dev/null -H "Authorization: Bearer $TOKEN" "$URL" || die "the endpoint did not answer: $(curl -s -H "Authorization: Bearer $TOKEN" "$URL" | head -c 300)"
# The same SQL the endpoint runs for this request (limit + 1 to know about a next page).
cat > "$CLUSTER_DIR/page.sql" <<'SQL'
SELECT seq, event_id, run_id, event_type, status, occurred_at, recorded_at, stanza, repo, label, started_at, finished_at,
       size_bytes, delta_bytes, repo_size_bytes, repo_delta_bytes, wal_start, wal_stop, lsn_start, lsn_stop, exit_code,
       error_message, host, details, idempotency_key, request_sha256, prev_hash, hash
FROM backup_audit WHERE true AND event_type = ANY('{backup_full}'::text[]) ORDER BY occurred_at DESC, seq DESC LIMIT 51;
SQL

: > "$CLUSTER_DIR/ours"; : > "$CLUSTER_DIR/pgbench"
for i in $(seq 1 "$RUNS"); do
    out=$(wrk -t1 -c64 -d"$DURATION" --latency -H "Authorization: Bearer $TOKEN" "$URL")
    echo "$(echo "$out" | awk '/Requests\/sec/ {print $2}') $(to_ms "$(echo "$out" | awk '$1=="50%" {print $2}')") $(to_ms "$(echo "$out" | awk '$1=="99%" {print $2}')") $(echo "$out" | grep -c Non-2xx || true)" >> "$CLUSTER_DIR/ours"
    # Per-transaction log (-l) for pgbench's own latency percentiles: the same p50/p99 as wrk's.
    rm -rf "$CLUSTER_DIR/pglog"; mkdir "$CLUSTER_DIR/pglog"
    tps=$(cd "$CLUSTER_DIR/pglog" && PGOPTIONS="-c plan_cache_mode=force_generic_plan" "$PGBIN/pgbench" -n -f "$CLUSTER_DIR/page.sql" -c 64 -j 2 -T "${DURATION%s}" -M prepared \
        -l --log-prefix=tx "$DATABASE_URL" 2>/dev/null | awk '/^tps/ {print $3}')
    echo "$tps $(cat "$CLUSTER_DIR"/pglog/tx* | awk '{print $3 / 1000}' | sort -g \
        | awk '{a[NR]=$1} END {printf "%.3f %.3f", a[int((NR+1)/2)], a[int(NR*0.99)]}')" >> "$CLUSTER_DIR/pgbench"
done
ours=$(cut -d' ' -f1 "$CLUSTER_DIR/ours" | median); pg=$(cut -d' ' -f1 "$CLUSTER_DIR/pgbench" | median)
echo "== backup-events, page of 50 with one filter, $EVENTS events, 64 connections (median of $RUNS)"
echo "   ours   : $ours req/s  p50 $(cut -d' ' -f2 "$CLUSTER_DIR/ours" | median) ms  p99 $(cut -d' ' -f3 "$CLUSTER_DIR/ours" | median) ms  [runs: $(cut -d' ' -f1 "$CLUSTER_DIR/ours" | tr '\n' ' ')]"
echo "   pgbench: $pg tps  p50 $(cut -d' ' -f2 "$CLUSTER_DIR/pgbench" | median) ms  p99 $(cut -d' ' -f3 "$CLUSTER_DIR/pgbench" | median) ms (same SQL, -c 64 -j 2, prepared, plan_cache_mode as the API's sessions)  [runs: $(cut -d' ' -f1 "$CLUSTER_DIR/pgbench" | tr '\n' ' ')]"
# Each round runs ours and pgbench back to back; the ratio within a round is less exposed to the
# shared machine's drift than the ratio of the medians, so both are printed.
paired=$(paste -d' ' "$CLUSTER_DIR/ours" "$CLUSTER_DIR/pgbench" | awk '{printf "%.3f\n", $1 / $5}' | median)
echo "   ratio ours/pgbench: $(awk -v a="$ours" -v b="$pg" 'BEGIN {printf "%.2f", a/b}') (of the medians), $(printf '%.2f' "$paired") (median of the rounds' ratios)  (target >= 0.70, p99 < 20 ms)"
errors=$(awk '{s += $4} END {print s}' "$CLUSTER_DIR/ours"); [ "$errors" = 0 ] || echo "   non-2xx responses seen: $errors"

out=$(wrk -t1 -c4 -d"$DURATION" --latency -H "Authorization: Bearer $TOKEN" "http://127.0.0.1:$PORT/api/compliance/worm-status")
echo "== worm-status (wrk -t1 -c4 -d$DURATION)"
echo "   $(echo "$out" | awk '/Requests\/sec/ {print $2}') req/s  p50 $(to_ms "$(echo "$out" | awk '$1=="50%" {print $2}')") ms  p99 $(to_ms "$(echo "$out" | awk '$1=="99%" {print $2}')") ms  (target p50 < 5 ms)"

# /api/metrics: the first scrape counts every failure once, later ones only new events.
first=$(curl -s -o /dev/null -w '%{time_total}' "http://127.0.0.1:$PORT/api/metrics")
out=$(wrk -t1 -c1 -d5s --latency "http://127.0.0.1:$PORT/api/metrics")
echo "== /api/metrics ($(( EVENTS / 4 )) failed events among $EVENTS)"
echo "   first scrape $(awk -v t="$first" 'BEGIN {printf "%.1f", t * 1000}') ms; then p50 $(to_ms "$(echo "$out" | awk '$1=="50%" {print $2}')") ms, p99 $(to_ms "$(echo "$out" | awk '$1=="99%" {print $2}')") ms (wrk -t1 -c1 -d5s)"

