#!/usr/bin/env bash
# WORM upload benchmark (issue 14): a 256 MiB file put into a SeaweedFS Object Lock bucket by
# `immoflow-compliance worm put` (multipart, each part and the whole file hashed, COMPLIANCE lock)
# against `curl --aws-sigv4` putting the same file to the same server in the same run: plain (one
# PUT, no lock, no checksums: the transport alone), with our integrity and lock headers (digests
# computed before the clock starts), and as a whole shell client doing our work (openssl computes
# the MD5 and SHA-256, then curl PUTs with them, timed together). RUNS alternating rounds, medians; the throughput
# ratio, and the resident memory of `worm put` (peak, /usr/bin/time) against a put of a 1 KiB
# file (the growth the file's size causes). It also takes the CPU time of every upload, the
# client's (/usr/bin/time) and SeaweedFS's (/proc/PID/stat of `weed mini`, one process): with both
# cores busy, a wall time is at least (client CPU + server CPU) / 2, so the ratio of those sums is
# the best ratio these two cores allow for the work each upload asks (printed as the ceiling).
# Loopback only; everything it starts it stops.
# Env: RUNS (5), SIZE_MIB (256), SCHEME (http | https).
set -euo pipefail
cd "$(dirname "$0")/../.."
. tools/lib/setup.sh
. tools/lib/bench.sh
RUNS=${RUNS:-5}
SIZE_MIB=${SIZE_MIB:-256}
SCHEME=${SCHEME:-http}

ensure_packages
ensure_swift
ensure_seaweedfs
build_release
ensure_time

WORK=$(mktemp -d /tmp/immoflow-worm-bench-XXXXXX)
BASE=$(( ( $(free_port) % 200 + 300 ) * 100 ))
cleanup() {
    WEED="$IMMOFLOW_WEED" tools/lib/s3-worm-testenv.sh stop "$WORK/s3" "$BASE" >/dev/null 2>&1 || true
    rm -rf "$WORK"
}
trap cleanup EXIT
eval "$(WEED="$IMMOFLOW_WEED" tools/lib/s3-worm-testenv.sh start "$WORK/s3" "$BASE")"
ENDPOINT=$S3_HTTP
[ "$SCHEME" = https ] && ENDPOINT=$S3_HTTPS
export AWS_ACCESS_KEY_ID=AKIATESTADMIN0000001 AWS_SECRET_ACCESS_KEY=testsecret-admin-0000000000000000000000 AWS_REGION=us-east-1
export AWS_ENDPOINT_URL_S3=$ENDPOINT AWS_CA_BUNDLE=$S3_CA_CERT IMMOFLOW_WORM_BUCKET=bench-worm IMMOFLOW_SPOOL=$WORK/spool.jsonl
CURL=(curl -sS --fail --cacert "$S3_CA_CERT" --aws-sigv4 "aws:amz:$AWS_REGION:s3" --user "$AWS_ACCESS_KEY_ID:$AWS_SECRET_ACCESS_KEY")
"${CURL[@]}" -X PUT -H "x-amz-bucket-object-lock-enabled: true" "$ENDPOINT/bench-worm" >/dev/null || die "cannot create the bucket"

head -c $((SIZE_MIB << 20)) /dev/urandom > "$WORK/file.bin"
head -c 1024 /dev/urandom > "$WORK/small.bin"
cat "$WORK/file.bin" > /dev/null   # in the page cache for both

# weed_cpu: SeaweedFS's CPU seconds so far (utime + stime of the one `weed mini` process).
TICKS=$(getconf CLK_TCK)
weed_cpu() { awk -v t="$TICKS" '{sub(/^.*\) /, ""); print ($12 + $13) / t}' "/proc/$S3_PID/stat"; }
# timed DESCRIPTION COMMAND... -> "seconds maxrss_kib client_cpu server_cpu" (the command's output to $WORK/out)
timed() {
    local what=$1 start end w0 w1
    shift
    w0=$(weed_cpu)
    start=$(date +%s.%N)
    /usr/bin/time -f "%M %U %S" -o "$WORK/time" "$@" > "$WORK/out" 2> "$WORK/err" || die "$what failed: $(cat "$WORK/err")"
    end=$(date +%s.%N)
    w1=$(weed_cpu)
    tail -1 "$WORK/time" | awk -v a="$start" -v b="$end" -v w0="$w0" -v w1="$w1" '{print b - a, $1, $2 + $3, w1 - w0}'
}
put_ours() { timed "worm put" "$BIN" worm put "$2" --key "$1" --country DE --class books --year 2024; }
put_curl() { timed "curl put" "${CURL[@]}" -T "$2" "${@:3}" "$ENDPOINT/bench-worm/$1"; }
# The same integrity and lock headers as ours sends (digests computed before the clock starts),
# so the server verifies and locks as much for curl as for us.
MD5=$(openssl dgst -md5 -binary "$WORK/file.bin" | base64)
SHA_B64=$(openssl dgst -sha256 -binary "$WORK/file.bin" | base64)
SHA_HEX=$(openssl dgst -sha256 -r "$WORK/file.bin" | cut -d' ' -f1)
CHECKED=(-H "Content-MD5: $MD5" -H "x-amz-checksum-sha256: $SHA_B64" -H "x-amz-content-sha256: $SHA_HEX"
         -H "x-amz-object-lock-mode: COMPLIANCE" -H "x-amz-object-lock-retain-until-date: 2035-01-01T00:00:00Z")

# The shell client: hashes, then PUTs with the digests (what worm put does, by other tools).
shell_client() {
    local md5 b64 hex
    md5=$(openssl dgst -md5 -binary "$2" | base64)
    b64=$(openssl dgst -sha256 -binary "$2" | base64)
    hex=$(openssl dgst -sha256 -r "$2" | cut -d' ' -f1)
    "${CURL[@]}" -T "$2" -H "Content-MD5: $md5" -H "x-amz-checksum-sha256: $b64" -H "x-amz-content-sha256: $hex" \
        -H "x-amz-object-lock-mode: COMPLIANCE" -H "x-amz-object-lock-retain-until-date: 2035-01-01T00:00:00Z" "$ENDPOINT/bench-worm/$1"
}
export -f shell_client
export ENDPOINT
put_shell() { CURL_ARGS="${CURL[*]}" timed "shell put" bash -c 'CURL=($CURL_ARGS); shell_client "$@"' shell "$1" "$2"; }

: > "$WORK/ours"; : > "$WORK/curl"; : > "$WORK/curl-checked"; : > "$WORK/shell"; : > "$WORK/rss-small"
for i in $(seq 1 "$RUNS"); do
    put_curl "curl-$i" "$WORK/file.bin" >> "$WORK/curl"
    put_curl "curl-checked-$i" "$WORK/file.bin" "${CHECKED[@]}" >> "$WORK/curl-checked"
    put_shell "shell-$i" "$WORK/file.bin" >> "$WORK/shell"
    put_ours "ours-$i" "$WORK/file.bin" >> "$WORK/ours"
    put_ours "small-$i" "$WORK/small.bin" | cut -d' ' -f2 >> "$WORK/rss-small"
done
mib_s() { awk -v s="$SIZE_MIB" '{printf "%.0f\n", s / $1}'; }
# col FILE N: the Nth field of every line
col() { cut -d' ' -f"$2" "$1"; }
speed() { col "$1" 1 | mib_s | median; }
runs() { col "$1" 1 | mib_s | tr '\n' ' '; }
cpu() { echo "client $(col "$1" 3 | median) s + SeaweedFS $(col "$1" 4 | median) s"; }
ratio() { awk -v a="$1" -v b="$2" 'BEGIN {printf "%.2f", a/b}'; }
# ceiling A B: (client + server CPU of B) / (client + server CPU of A), medians — the ratio of A's
# throughput to B's that two saturated cores allow at most.
ceiling() {
    local a b
    a=$(awk '{print $3 + $4}' "$1" | median); b=$(awk '{print $3 + $4}' "$2" | median)
    awk -v a="$a" -v b="$b" 'BEGIN {printf "%.2f", b/a}'
}
o=$(speed "$WORK/ours"); c=$(speed "$WORK/curl"); cc=$(speed "$WORK/curl-checked"); sh=$(speed "$WORK/shell")
rss=$(col "$WORK/ours" 2 | median); small=$(median < "$WORK/rss-small")
echo "== $SIZE_MIB MiB to SeaweedFS over $SCHEME (median of $RUNS alternating rounds; CPU seconds per upload)"
echo "   worm put (multipart, checksummed, COMPLIANCE): $o MiB/s   [runs: $(runs "$WORK/ours")]   CPU: $(cpu "$WORK/ours")"
echo "   curl --aws-sigv4 (one PUT, no lock):           $c MiB/s   [runs: $(runs "$WORK/curl")]   CPU: $(cpu "$WORK/curl")"
echo "   curl --aws-sigv4 with our headers (Content-MD5, checksum, payload hash, COMPLIANCE lock; digests precomputed): $cc MiB/s   [runs: $(runs "$WORK/curl-checked")]   CPU: $(cpu "$WORK/curl-checked")"
echo "   openssl (MD5, SHA-256) then curl with those headers, timed together: $sh MiB/s   [runs: $(runs "$WORK/shell")]   CPU: $(cpu "$WORK/shell")"
echo "   ratio ours/curl: $(ratio "$o" "$c") (CPU ceiling $(ceiling "$WORK/ours" "$WORK/curl"))   ours/curl with our headers: $(ratio "$o" "$cc") (ceiling $(ceiling "$WORK/ours" "$WORK/curl-checked"))   ours/openssl+curl: $(ratio "$o" "$sh")"
echo "   peak RSS of worm put: $rss KiB for $SIZE_MIB MiB, $small KiB for 1 KiB: growth $(( (rss - small) / 1024 )) MiB"
