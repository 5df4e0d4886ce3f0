#!/usr/bin/env bash
# Restore benchmark (issue 17): a database of at least MIN_GIB GiB (default 1) backed up by
# pgBackRest to a posix repository with the deployed settings (AES-256-CBC, zstd level 3,
# process-max 4), then restored RUNS times (default 3), alternating with `cp -r` of the same data
# directory in the same run; medians. Prints the restore's throughput against cp's (ratio:
# pgBackRest decrypts and decompresses what cp merely copies), the RTO phases of a full
# `dr restore-test` (restore, recovery, checks), and the database size at which the measured
# throughput would miss the 2 h RTO. Loopback and local disk only; everything it starts it stops.
# Both sides read and write through the page cache of this machine: the figures are this host's
# CPU-bound ceiling (decrypt + decompress vs copy), not a restore from S3 over a network, whose
# throughput a production estimate must measure on its own link.
set -euo pipefail
cd "$(dirname "$0")/../.."
. tools/lib/setup.sh
. tools/lib/bench.sh
RUNS=${RUNS:-3}
MIN_GIB=${MIN_GIB:-1}
AUDIT_ROWS=${AUDIT_ROWS:-2500000}

release_workspace restore-bench /var/tmp
chown postgres:postgres "$WORK"; chmod 700 "$WORK"
PSQL="$(pg_bin)/psql"
CONFIG=$WORK/pgbackrest.conf
mkdir -p "$WORK"/{repo,log,lock,spool}
cat > "$CONFIG" <<CONF
[global]
repo1-type=posix
repo1-path=$WORK/repo
repo1-cipher-type=aes-256-cbc
repo1-cipher-pass=$(openssl rand -base64 48 | tr -d '\n')
compress-type=zst
compress-level=3
repo1-retention-full=2
process-max=4
start-fast=y
archive-timeout=60
log-path=$WORK/log
lock-path=$WORK/lock
spool-path=$WORK/spool
log-level-console=warn

[bench]
pg1-path=$CLUSTER_DIR/data
pg1-socket-path=$CLUSTER_DIR
CONF
chown -R postgres:postgres "$WORK"; chmod 600 "$CONFIG"
cat >> "$CLUSTER_DIR/data/postgresql.auto.conf" <<CONF
wal_level = replica
archive_mode = on
archive_command = 'pgbackrest --config=$CONFIG --stanza=bench archive-push %p'
full_page_writes = on
CONF
as_postgres "$(pg_bin)/pg_ctl" -D "$CLUSTER_DIR/data" -w -t 60 restart -l "$CLUSTER_DIR/postgres.log" >/dev/null
pgbr() { as_postgres pgbackrest --config="$CONFIG" --stanza=bench "$@"; }

migrated_database immoflow
log "loading $AUDIT_ROWS audit-log rows through the chain trigger and the demo books …"
"$BIN" demo-data --organizations 4 --audit-logs "$AUDIT_ROWS" --months 12 --seed 5 >/dev/null 2>&1 || die "demo-data failed"
size=$("$PSQL" -X -At -d "$DATABASE_URL" -c "SELECT sum(pg_database_size(datname)) FROM pg_database")
if [ "$size" -lt $(( MIN_GIB * 1024 * 1024 * 1024 )) ]; then
    log "topping up to $MIN_GIB GiB with a filler table (the books are $((size / 1048576)) MiB)"
    rows=$(( (MIN_GIB * 1024 * 1024 * 1024 - size) / 190 + 1 ))
    "$PSQL" -X -q -d "$DATABASE_URL" -c "CREATE TABLE bench_filler AS SELECT g, md5(g::text) || md5((g * 7)::text) || repeat(chr(65 + g % 26), 60) AS t FROM generate_series(1, $rows) g" \
        || die "filler failed"
fi
"$PSQL" -X -q -d "$DATABASE_URL" -c "CHECKPOINT" >/dev/null
pgbr stanza-create >/dev/null || die "stanza-create failed"
start=$(date +%s.%N)
pgbr --type=full backup >/dev/null || die "the full backup failed"
backup_s=$(awk -v a="$start" -v b="$(date +%s.%N)" 'BEGIN {print b - a}')
pgbr check >/dev/null || die "pgbackrest check failed"
data_bytes=$(du -sb "$CLUSTER_DIR/data" | cut -f1)
repo_bytes=$(du -sb "$WORK/repo" | cut -f1)

seconds() { awk -v a="$1" -v b="$2" 'BEGIN {print b - a}'; }
copy() {
    local start; start=$(date +%s.%N)
    cp -r "$CLUSTER_DIR/data" "$WORK/copy"
    seconds "$start" "$(date +%s.%N)"
    rm -rf "$WORK/copy"
}
restore() {
    local start; start=$(date +%s.%N)
    pgbr --pg1-path="$WORK/restored" --archive-mode=off restore >/dev/null || die "pgbackrest restore failed"
    seconds "$start" "$(date +%s.%N)"
    rm -rf "$WORK/restored"
}
: > "$WORK/t-copy"; : > "$WORK/t-restore"
for i in $(seq 1 "$RUNS"); do
    copy >> "$WORK/t-copy"
    restore >> "$WORK/t-restore"
done
c=$(median < "$WORK/t-copy"); r=$(median < "$WORK/t-restore")
# The whole restore test once: restore, recovery to promotion, dr check.
"$BIN" dr restore-test --stanza bench --pgbackrest-config "$CONFIG" --database immoflow --pg-bin "$(pg_bin)" --scratch "$WORK" \
    --json > "$WORK/rt.json" 2> "$WORK/rt.err" || die "dr restore-test failed: $(tail -2 "$WORK/rt.err")"
phases=$(python3 -c 'import json, sys; d = json.load(open(sys.argv[1]))["durations"]; print(", ".join("%s %.1f s" % (k[:-len("_seconds")], float(v)) for k, v in d.items()))' "$WORK/rt.json")
overhead=$(python3 -c 'import json, sys; d = json.load(open(sys.argv[1]))["durations"]; print(float(d["total_seconds"]) - float(d["restore_seconds"]))' "$WORK/rt.json")
mb=$(awk -v b="$data_bytes" 'BEGIN {printf "%.0f", b / 1e6}')
echo "== restore of a ${mb} MB data directory (repository $(awk -v b="$repo_bytes" 'BEGIN {printf "%.0f", b / 1e6}') MB: zstd-3, AES-256-CBC, process-max 4), median of $RUNS alternating rounds"
echo "   pgbackrest restore: $r s = $(awk -v b="$data_bytes" -v s="$r" 'BEGIN {printf "%.1f", b / 1e6 / s}') MB/s   [runs: $(tr '\n' ' ' < "$WORK/t-restore")]"
echo "   cp -r of the data directory: $c s = $(awk -v b="$data_bytes" -v s="$c" 'BEGIN {printf "%.1f", b / 1e6 / s}') MB/s   [runs: $(tr '\n' ' ' < "$WORK/t-copy")]"
echo "   ratio restore/cp (throughput): $(awk -v a="$c" -v b="$r" 'BEGIN {printf "%.2f", a / b}')x (pgBackRest decrypts and decompresses)"
echo "   the full backup took $backup_s s"
echo "   dr restore-test phases: $phases"
echo "   RTO 2 h: at $(awk -v b="$data_bytes" -v s="$r" 'BEGIN {printf "%.1f", b / 1e6 / s}') MB/s and $(awk -v o="$overhead" 'BEGIN {printf "%.1f", o}') s of recovery and checks (which grow with WAL and rows; measured here for this size), a restore test misses 7200 s at about $(awk -v b="$data_bytes" -v s="$r" -v o="$overhead" 'BEGIN {printf "%.0f", (7200 - o * 1) * b / s / 1e9}') GB of data directory (throughput extrapolated linearly)"
