# Shared by the benchmarks in tools/bench (sourced after tools/lib/setup.sh, not run).

# wrk from Debian's packages (installed when missing and run as root).
ensure_wrk() {
    command -v wrk >/dev/null && return 0
    [ "$(id -u)" -eq 0 ] || die "wrk is needed (apt-get install wrk)"
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq wrk >/dev/null || die "apt-get install wrk failed"
}

# What every database benchmark needs first: wrk, the packages, Swift, the release build ($BIN).
prepare_bench() {
    ensure_wrk
    ensure_packages
    ensure_swift
    build_release
}

# to_ms 1.23ms|456.00us|1.02s: a wrk latency in milliseconds.
to_ms() { echo "$1" | awk '/us$/ {sub("us",""); printf "%.3f", $1/1000; next} /ms$/ {sub("ms",""); printf "%.3f", $1; next} /s$/ {sub("s",""); printf "%.3f", $1*1000}'; }

# median: of the numbers on stdin, one a line (the lower middle of an even count).
median() { sort -g | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }
