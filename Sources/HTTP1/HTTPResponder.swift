/// The application behind the server: the core knows nothing of routing or formats. A class
/// (one reference to hold, where an existential of any type is a box copied at every call).
public protocol HTTPResponder: AnyObject, Sendable {
    /// Called once per request when its head is complete, before its body is read: the
    /// application matches the request once (the match travels with it as `HTTPRequest.route`),
    /// makes its request ID, and says how large a body it accepts (413 above it).
    func route(_ head: RequestHead) -> RequestRoute

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

    /// A connection was closed because its state machine met an event it has no transition for
    /// (a bug, `ConnectionStateMachine.Action.fail`): for the log and a counter.
    func connectionFailed(_ reason: String)
}

extension HTTPResponder {
    public func startResponse(to request: HTTPRequest, reply: @escaping @Sendable (HTTPResponse) -> Void) -> Bool { false }
    public func connectionFailed(_ reason: String) {}
}
