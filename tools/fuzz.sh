#!/usr/bin/env bash
# Builds a libFuzzer harness (coverage + ASan) and runs it for SECONDS (default 600) on its seeds:
#   tools/fuzz.sh [SECONDS] [http|api]
#   http  the HTTP/1.1 parser and chunked decoder (Sources/FuzzHTTP, Fuzz/seeds, Fuzz/http.dict)
#   api   the API's input decoding: query string, cursor, JSON body (Sources/FuzzAPI, Fuzz/api-seeds)
# Crashes are written to .fuzz/<target>/crash-*; reproduce with `.build-fuzz/debug/FuzzHTTP <file>`
# (or FuzzAPI). Recipe: docs/http-conformance.md §6.
set -euo pipefail
cd "$(dirname "$0")/.."
SECONDS_TO_RUN=${1:-600}
TARGET=${2:-http}
case "$TARGET" in
    http) PRODUCT=FuzzHTTP; SEEDS=Fuzz/seeds; EXTRA=(-dict=Fuzz/http.dict -max_len=16384) ;;
    api) PRODUCT=FuzzAPI; SEEDS=Fuzz/api-seeds; EXTRA=(-max_len=8192) ;;
    *) echo "usage: tools/fuzz.sh [SECONDS] [http|api]" >&2; exit 64 ;;
esac
# Only the last -sanitize= flag counts: fuzzer,address in one flag gives coverage and ASan.
swift build -c debug --scratch-path .build-fuzz --sanitize fuzzer \
    -Xswiftc -sanitize=fuzzer,address -Xswiftc -parse-as-library --product "$PRODUCT" >&2
mkdir -p ".fuzz/$TARGET/corpus"
# Without SWIFT_BACKTRACE=enable=no, Swift's backtracer trips ASan and hides the real trap.
SWIFT_BACKTRACE=enable=no ".build-fuzz/debug/$PRODUCT" -max_total_time="$SECONDS_TO_RUN" "${EXTRA[@]}" \
    -timeout=5 -rss_limit_mb=2048 -print_final_stats=1 -artifact_prefix=".fuzz/$TARGET/" \
    ".fuzz/$TARGET/corpus" "$SEEDS"
