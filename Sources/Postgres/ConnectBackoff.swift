/// When a pool may try to open a connection while the database is unreachable (pure; the pool
/// holds it under a lock and passes the time in).
///
/// Without it every request during an outage opened a new connection — hundreds of thousands in
/// a short outage under load, each a socket, a TCP handshake and a libpq setup, and a flood for
/// the database the moment it comes back. After a failure, attempts wait `delay`
/// (100 ms, doubling up to 5 s), and only one attempt runs at a time; everything else fails at
/// once as `unavailable` (503 with Retry-After at the API). A success clears it, so the pool
/// recovers within one delay of the database's return.
struct ConnectBackoff: Sendable, Equatable {
    static let first: Duration = .milliseconds(100)
    static let longest: Duration = .seconds(5)

    enum Permit: Equatable {
        /// Connect now (and report the outcome).
        case attempt
        /// Do not: the last attempt failed; the next may start at the instant.
        case refuse(until: ContinuousClock.Instant)
        /// Do not: another attempt is running now.
        case busy
    }

    private(set) var failures = 0
    private(set) var retryAt: ContinuousClock.Instant?
    private(set) var attemptRunning = false

    /// Whether a connection may be opened at `now`.
    mutating func permit(now: ContinuousClock.Instant) -> Permit {
        guard failures > 0 else { return .attempt }
        if attemptRunning { return .busy }
        if let retryAt, now < retryAt { return .refuse(until: retryAt) }
        attemptRunning = true
        return .attempt
    }

    mutating func succeeded() {
        failures = 0
        retryAt = nil
        attemptRunning = false
    }

    mutating func failed(now: ContinuousClock.Instant) {
        failures += 1
        attemptRunning = false
        retryAt = now + delay
    }

    /// The wait after the current number of consecutive failures.
    var delay: Duration {
        guard failures > 0 else { return .zero }
        var d = Self.first
        for _ in 1..<min(failures, 10) where d < Self.longest { d = d * 2 }
        return min(d, Self.longest)
    }
}
