extension ConnectionStateMachine {
    /// Limits and timeouts of a connection, in the machine's units (bytes, nanoseconds of the
    /// clock the caller injects).
    public struct Configuration: Sendable {
        public var limits = HTTPLimits()
        /// Whole request head, measured from its first byte, not reset per byte (slowloris) → 408.
        public var headerTimeout: UInt64 = 10_000_000_000
        /// Between two reads of a request body → 408.
        public var bodyTimeout: UInt64 = 10_000_000_000
        /// Waiting for the next request on a kept-alive connection → close without a response.
        public var idleTimeout: UInt64 = 5_000_000_000
        /// Between two writes that made progress while the peer does not read → close.
        public var writeTimeout: UInt64 = 30_000_000_000
        /// After a refusal: how long the rest of the request is read and discarded.
        public var lingerTimeout: UInt64 = 2_000_000_000
        /// Requests on one connection; the last response carries `Connection: close`.
        public var maxRequestsPerConnection = 1000
        /// Unsent response bytes above which a streaming producer waits (back-pressure).
        public var streamHighWater = 256 * 1024
        /// Input buffered while a request is answered; above it the connection stops reading.
        public var maxBufferedInput = 64 * 1024
        /// An output buffer larger than this is given back once it is written.
        public var outputRetained = 256 * 1024
        /// An event without a transition traps (debug builds) instead of closing the connection
        /// with `Action.fail` (release builds; tests of that path turn it off).
        public var trapsIllegalTransitions = _isDebugAssertConfiguration()

        public init() {}
    }

    /// Why the timer is armed.
    public enum TimerKind: Sendable, Equatable {
        /// Waiting for the first byte of a request.
        case idle
        /// Reading a request head.
        case head
        /// Reading a request body.
        case body
        /// The peer does not take what is written.
        case write
        /// Discarding input after a refusal.
        case linger
    }
}
