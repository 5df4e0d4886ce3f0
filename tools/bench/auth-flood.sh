#!/usr/bin/env bash
# A flood of random `imfc_…` tokens against the legitimate traffic (issue 12, item E: each random
# token cost a database lookup, and 9,600 a second of them raised a legitimate request's p50 from
# 1.2 to 8.5 ms). Prints the legitimate p50/p99 alone and under the flood, and the flood's rate.
# Env: EVENTS (100000), DURATION (10s), RUNS (3); BENCH_BIN (another build to measure, e.g. an
# older one) and FLOOD_CHARS (the random tokens' length after imfc_: 54, or 43 for builds before
# the check part).
set -euo pipefail
cd "$(dirname "$0")/../.."
. tools/lib/setup.sh
. tools/lib/bench.sh
EVENTS=${EVENTS:-100000}
DURATION=${DURATION:-10s}
RUNS=${RUNS:-3}

prepare_bench
BIN=${BENCH_BIN:-$BIN}
FLOOD_CHARS=${FLOOD_CHARS:-54}
trap stop_serve_and_cluster EXIT
start_cluster
make_token_pepper
migrated_database bench
"$(pg_bin)/psql" -X -q -d "$DATABASE_URL" -v ON_ERROR_STOP=1 <<SQL
INSERT INTO backup_audit (event_type, status, occurred_at, stanza, repo, host)
SELECT (ARRAY['backup_full','backup_diff'])[1 + g % 2], 'succeeded', now() - make_interval(secs => ($EVENTS - g) * 60), 'prod', 1, 'db'
FROM generate_series(1, $EVENTS) g;
ANALYZE backup_audit;
SQL
TOKEN=$("$BIN" token create --name bench --role viewer --expires-in 1d 2>/dev/null)
start_serve "$CLUSTER_DIR/serve.log"
URL="http://127.0.0.1:$PORT/api/compliance/backup-events?limit=20"
# Every request of the flood carries a new random token of the right shape.
{ echo "FLOOD_CHARS = $FLOOD_CHARS"; cat <<'LUA'
local alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"
math.randomseed(os.time())
request = function()
  local t = {}
  for i = 1, FLOOD_CHARS do local k = math.random(1, 64); t[i] = alphabet:sub(k, k) end
  return wrk.format("GET", nil, { ["Authorization"] = "Bearer imfc_" .. table.concat(t) })
end
LUA
} > "$CLUSTER_DIR/flood.lua"
legit() { wrk -t1 -c4 -d"$DURATION" --latency -H "Authorization: Bearer $TOKEN" "$URL" > "$CLUSTER_DIR/legit.txt"; }
: > "$CLUSTER_DIR/alone"; : > "$CLUSTER_DIR/flooded"; : > "$CLUSTER_DIR/flood"
# The access log goes to a file, as deployed it goes to journald.
for _ in $(seq 1 "$RUNS"); do
    legit
    echo "$(to_ms "$(awk '$1=="50%" {print $2}' "$CLUSTER_DIR/legit.txt")") $(to_ms "$(awk '$1=="99%" {print $2}' "$CLUSTER_DIR/legit.txt")")" >> "$CLUSTER_DIR/alone"
    wrk -t1 -c16 -d"$DURATION" -s "$CLUSTER_DIR/flood.lua" "$URL" > "$CLUSTER_DIR/flood.txt" & FLOOD=$!
    sleep 1
    legit
    wait "$FLOOD"
    echo "$(to_ms "$(awk '$1=="50%" {print $2}' "$CLUSTER_DIR/legit.txt")") $(to_ms "$(awk '$1=="99%" {print $2}' "$CLUSTER_DIR/legit.txt")")" >> "$CLUSTER_DIR/flooded"
    awk '/Requests\/sec/ {print $2}' "$CLUSTER_DIR/flood.txt" >> "$CLUSTER_DIR/flood"
done
lookups=$(grep -c '"status":401' "$CLUSTER_DIR/serve.log" || true)
echo "== legitimate backup-events (wrk -c4), alone and under a flood of random tokens (wrk -c16), median of $RUNS"
echo "   alone  : p50 $(cut -d' ' -f1 "$CLUSTER_DIR/alone" | median) ms  p99 $(cut -d' ' -f2 "$CLUSTER_DIR/alone" | median) ms"
echo "   flooded: p50 $(cut -d' ' -f1 "$CLUSTER_DIR/flooded" | median) ms  p99 $(cut -d' ' -f2 "$CLUSTER_DIR/flooded" | median) ms  (flood $(median < "$CLUSTER_DIR/flood") req/s, all 401: $lookups logged)"
