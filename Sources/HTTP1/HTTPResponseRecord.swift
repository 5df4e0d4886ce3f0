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
    public var loop: Int

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
