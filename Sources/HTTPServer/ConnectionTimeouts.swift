/// The configuration's connection timeouts in nanoseconds, converted once per server instead of
/// on every request (see `MonotonicClock`).
struct ConnectionTimeouts: Sendable {
    let header: UInt64
    let body: UInt64
    let idle: UInt64
    let write: UInt64

    init(_ configuration: HTTPServerConfiguration) {
        header = MonotonicClock.nanoseconds(configuration.headerTimeout)
        body = MonotonicClock.nanoseconds(configuration.bodyTimeout)
        idle = MonotonicClock.nanoseconds(configuration.idleTimeout)
        write = MonotonicClock.nanoseconds(configuration.writeTimeout)
    }
}
