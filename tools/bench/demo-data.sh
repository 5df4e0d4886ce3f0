#!/usr/bin/env bash
# Benchmark: audit-log rows per second written through the chain trigger by `demo-data`.
# Builds a release binary, starts a throwaway cluster, loads N rows (default 200000) into a fresh
# database RUNS times (default 3), and prints each rate and the median.
set -euo pipefail
cd "$(dirname "$0")/../.."
. tools/lib/setup.sh
ROWS=${ROWS:-200000}
RUNS=${RUNS:-3}

ensure_packages
ensure_swift
build_release
trap stop_cluster EXIT
start_cluster
rates=()
for i in $(seq 1 "$RUNS"); do
    create_database bench_$i
    export DATABASE_URL="$(cluster_url "bench_$i")"
    "$BIN" migrate 2>/dev/null
    line=$("$BIN" demo-data --audit-logs "$ROWS" --seed "$i" 2>&1 | grep 'rows/s')
    rate=$(echo "$line" | sed -E 's/.*: ([0-9]+) rows\/s.*/\1/')
    echo "run $i: $line"
    rates+=("$rate")
done
median=$(printf '%s\n' "${rates[@]}" | sort -n | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}')
echo "demo-data audit-log rate over $RUNS runs of $ROWS rows: median $median rows/s (target >= 20000; $(nproc) cores)"
