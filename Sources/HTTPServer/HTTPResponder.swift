import HTTP1

/// The application behind the server: the core knows nothing of routing or formats.
public protocol HTTPResponder: Sendable {
    /// The largest body accepted for a request with this head (413 above it).
    func bodyLimit(for head: RequestHead) -> Int

    /// A response computed without suspending (answered on the connection's queue, no task hop),
    /// or nil to use `respond(to:)`. Probes such as `/health` take this path.
    func immediateResponse(to request: HTTPRequest) -> HTTPResponse?

    /// Starts a response that needs no Swift task: `reply` is called exactly once, from any
    /// thread, and the connection writes what it gets (or drops it if the client left). Returns
    /// false, having started nothing, to have `respond(to:)` answer instead. For handlers whose
    /// work runs on a thread of their own (a database connection's), so that a request costs no
    /// hop to the cooperative pool and back.
    func startResponse(to request: HTTPRequest, reply: @escaping @Sendable (HTTPResponse) -> Void) -> Bool

    /// The response to a request.
    func respond(to request: HTTPRequest) async -> HTTPResponse

    /// The response the core sends when it refuses a request itself (400, 408, 413, 431, 505, …).
    func errorResponse(status: Int, reason: String, head: RequestHead?) -> HTTPResponse

    /// Called once per response sent, for access logs and metrics.
    func didRespond(_ record: HTTPResponseRecord)
}

extension HTTPResponder {
    public func startResponse(to request: HTTPRequest, reply: @escaping @Sendable (HTTPResponse) -> Void) -> Bool { false }
}

/// What happened to one request, for logging.
public struct HTTPResponseRecord: Sendable {
    public let method: String?
    public let target: String?
    public let status: Int
    /// Body bytes sent (excluding the head and chunk framing).
    public let bodyBytes: Int
    /// From the request's first byte to its response's last.
    public let durationNanoseconds: UInt64
    public let remoteAddress: String
    public let requestID: String?
    /// The response's `routeLabel` (nil for a refusal by the core).
    public let routeLabel: String?
    /// Why the server refused the request itself, if it did.
    public let refusal: String?
    /// The event loop that served it (0…loops − 1): a producer slot for per-loop log buffers.
    public let loop: Int

    public init(method: String?, target: String?, status: Int, bodyBytes: Int, durationNanoseconds: UInt64, remoteAddress: String,
                requestID: String?, routeLabel: String?, refusal: String?, loop: Int = 0) {
        self.method = method
        self.target = target
        self.status = status
        self.bodyBytes = bodyBytes
        self.durationNanoseconds = durationNanoseconds
        self.remoteAddress = remoteAddress
        self.requestID = requestID
        self.routeLabel = routeLabel
        self.refusal = refusal
        self.loop = loop
    }

    /// `durationNanoseconds` as a `Duration`.
    public var duration: Duration { .nanoseconds(Int64(clamping: durationNanoseconds)) }
}
