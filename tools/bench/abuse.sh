#!/usr/bin/env bash
# Abuse benchmark (issue 13, item 6), against `serve` as deployed (access log on, to a file;
# default limits unless said): every client to 127.0.0.1, bounded in count and time.
#  1. 2,100 idle connections reopened as fast as the server closes them (default limits: 1,024
#     connections, 256 per client) while 8 probes ask /health over 30 s.
#  2. 900 connections each pipelining 20 backup-events pages (limit=500) without reading
#     (per-client limit lifted to 2,000, as from many addresses): RSS before, at the peak, and
#     after they close; /health probes meanwhile.
#  3. malformed requests as fast as they are refused while probes ask /health, against probes alone.
# Env: EVENTS (20000), HOLD (20 s), RECOVERY (15 s).
set -euo pipefail
cd "$(dirname "$0")/../.."
. tools/lib/setup.sh
. tools/lib/bench.sh
EVENTS=${EVENTS:-20000}
HOLD=${HOLD:-20}
RECOVERY=${RECOVERY:-15}

prepare_bench
PGBIN=$(pg_bin)
trap stop_serve_and_cluster EXIT
start_cluster
make_token_pepper
migrated_database abuse
"$PGBIN/psql" -X -q -d "$DATABASE_URL" -v ON_ERROR_STOP=1 <<SQL
INSERT INTO backup_audit (run_id, event_type, status, occurred_at, stanza, repo, label, size_bytes, exit_code, host, details)
SELECT gen_random_uuid(), 'backup_diff', 'succeeded', now() - make_interval(secs => ($EVENTS - g) * 60), 'prod', 1, 'L' || g,
       2000000000 + g, 0, 'db-prod-1', '{"note": "padding to make pages realistic in size"}'
FROM generate_series(1, $EVENTS) g;
SQL
TOKEN=$("$BIN" token create --name abuse --role viewer --expires-in 1d 2>/dev/null)
ulimit -n 65536 2>/dev/null || true
rss() { awk '/VmRSS/ {print int($2 / 1024)}' "/proc/$SERVE_PID/status"; }

start_serve "$CLUSTER_DIR/serve.log"
echo "== 1. 2,100 idle connections reopened as fast as they are closed (limits 1,024 / 256 per client), 8 /health probes over 30 s"
python3 tools/bench/abuse.py reopen "$PORT" 2100 32 > "$CLUSTER_DIR/reopen.txt" & R=$!
sleep 2
python3 tools/bench/abuse.py probe "$PORT" 8 30 | sed 's/^/   /'
wait $R; sed 's/^/   /' "$CLUSTER_DIR/reopen.txt"
kill "$SERVE_PID"; wait "$SERVE_PID" 2>/dev/null || true

start_serve "$CLUSTER_DIR/serve.log" --max-connections-per-client 2000
page=$(curl -s -o /dev/null -w '%{size_download}' -H "Authorization: Bearer $TOKEN" "http://127.0.0.1:$PORT/api/compliance/backup-events?limit=500")
echo "== 2. 900 connections pipelining 20 pages of 500 events ($page bytes each) without reading, held ${HOLD} s"
before=$(rss)
python3 tools/bench/abuse.py pipeline "$PORT" "$TOKEN" 900 20 "$HOLD" > "$CLUSTER_DIR/pipeline.txt" & P=$!
peak=$before
for _ in $(seq 1 "$HOLD"); do sleep 1; now=$(rss); [ "$now" -gt "$peak" ] && peak=$now; done
python3 tools/bench/abuse.py probe "$PORT" 8 4 | sed 's/^/   during: /'
wait $P
sleep "$RECOVERY"
after=$(rss)
echo "   RSS: before $before MiB, peak $peak MiB, ${RECOVERY} s after they closed $after MiB"
kill "$SERVE_PID"; wait "$SERVE_PID" 2>/dev/null || true

start_serve "$CLUSTER_DIR/serve.log"
echo "== 3. /health on fresh connections, alone and during a flood of malformed requests (20 s each)"
python3 tools/bench/abuse.py probe "$PORT" 400 20 | sed 's/^/   alone : /'
python3 tools/bench/abuse.py malformed "$PORT" 22 > "$CLUSTER_DIR/malformed.txt" & M=$!
sleep 1
python3 tools/bench/abuse.py probe "$PORT" 400 20 | sed 's/^/   flood : /'
wait $M; sed 's/^/   /' "$CLUSTER_DIR/malformed.txt"
