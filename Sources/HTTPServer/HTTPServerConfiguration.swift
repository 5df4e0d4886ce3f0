import HTTP1

/// Listening address, limits and timeouts of the server (docs/http-conformance.md §1.11, §3).
public struct HTTPServerConfiguration: Sendable {
    public var host: String
    /// 0 picks a free port (tests); `HTTPServer.port` tells which.
    public var port: Int
    public var limits = HTTPLimits()
    /// Whole request head, measured from its first byte, not reset per byte (slowloris) → 408.
    public var headerTimeout: Duration = .seconds(10)
    /// Between two reads of a request body → 408.
    public var bodyTimeout: Duration = .seconds(10)
    /// Waiting for the next request on a kept-alive connection → close without a response.
    public var idleTimeout: Duration = .seconds(5)
    /// Between two successful writes while the peer does not read → close.
    public var writeTimeout: Duration = .seconds(30)
    /// Open connections; at the limit the oldest idle keep-alive connection makes room for a new
    /// one, and without an idle one the server stops accepting until one closes (`Admission`).
    public var maxConnections = 1024
    /// Open connections of one client address; above it the client's own oldest idle connection
    /// makes room, and without one the new connection is closed at once.
    public var maxConnectionsPerClient = 256
    /// Requests on one connection; the last response carries `Connection: close`.
    public var maxRequestsPerConnection = 1000
    /// Graceful shutdown: how long in-flight requests may take before connections are cut.
    public var drainTimeout: Duration = .seconds(10)
    /// Pending response bytes above which a streaming producer is paused (back-pressure).
    public var streamHighWater = 256 * 1024
    /// Pipelined input buffered while a request is processed; above it the server stops reading.
    public var maxBufferedInput = 64 * 1024
    /// `listen(2)` backlog.
    public var backlog: Int32 = 1024

    public init(host: String = "127.0.0.1", port: Int = 8080) {
        self.host = host
        self.port = port
    }

    /// The connection state machine's configuration: timeouts in nanoseconds of `MonotonicClock`.
    var machineConfiguration: ConnectionStateMachine.Configuration {
        var c = ConnectionStateMachine.Configuration()
        c.limits = limits
        c.headerTimeout = MonotonicClock.nanoseconds(headerTimeout)
        c.bodyTimeout = MonotonicClock.nanoseconds(bodyTimeout)
        c.idleTimeout = MonotonicClock.nanoseconds(idleTimeout)
        c.writeTimeout = MonotonicClock.nanoseconds(writeTimeout)
        c.maxRequestsPerConnection = maxRequestsPerConnection
        c.streamHighWater = streamHighWater
        c.maxBufferedInput = maxBufferedInput
        return c
    }
}
