import Glibc

/// `CLOCK_MONOTONIC` in nanoseconds, the one clock of the server's deadlines and request
/// durations (the sweeper compares against it too). Plain integers: `ContinuousClock` and
/// `Duration` arithmetic cost 128-bit multiplications on every request.
enum MonotonicClock {
    static func now() -> UInt64 {
        var ts = timespec()
        clock_gettime(CLOCK_MONOTONIC, &ts)
        return UInt64(ts.tv_sec) &* 1_000_000_000 &+ UInt64(ts.tv_nsec)
    }

    /// `duration` in nanoseconds; negative as 0, beyond `UInt64` (584 years) as `UInt64.max`.
    static func nanoseconds(_ duration: Duration) -> UInt64 {
        let (seconds, attoseconds) = duration.components
        guard seconds >= 0, attoseconds >= 0 else { return 0 }
        let (whole, overflow) = UInt64(seconds).multipliedReportingOverflow(by: 1_000_000_000)
        let (sum, overflow2) = whole.addingReportingOverflow(UInt64(attoseconds / 1_000_000_000))
        return overflow || overflow2 ? UInt64.max : sum
    }
}
