#!/usr/bin/env bash
# Builds the libFuzzer harness for the HTTP/1.1 parser and chunked decoder (coverage + ASan) and
# runs it for SECONDS (default 600) on the seed corpus. Crashes are written to .fuzz/crash-*;
# reproduce with `.build-fuzz/debug/FuzzHTTP .fuzz/crash-…`. Recipe: docs/http-conformance.md §6.
set -euo pipefail
cd "$(dirname "$0")/.."
SECONDS_TO_RUN=${1:-600}
# Only the last -sanitize= flag counts: fuzzer,address in one flag gives coverage and ASan.
swift build -c debug --scratch-path .build-fuzz --sanitize fuzzer \
    -Xswiftc -sanitize=fuzzer,address -Xswiftc -parse-as-library --product FuzzHTTP >&2
mkdir -p .fuzz/corpus
# Without SWIFT_BACKTRACE=enable=no, Swift's backtracer trips ASan and hides the real trap.
SWIFT_BACKTRACE=enable=no .build-fuzz/debug/FuzzHTTP -max_total_time="$SECONDS_TO_RUN" -max_len=16384 \
    -dict=Fuzz/http.dict -timeout=5 -rss_limit_mb=2048 -print_final_stats=1 -artifact_prefix=.fuzz/ \
    .fuzz/corpus Fuzz/seeds
