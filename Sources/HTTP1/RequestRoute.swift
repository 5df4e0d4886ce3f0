/// What the application decided about a request when its head arrived (`HTTPResponder.route`),
/// handed back with the request: the request is matched once, however it is answered.
public struct RequestRoute: Sendable {
    /// The largest body accepted (413 above it, decided before the body is read).
    public var bodyLimit: Int
    /// The application's own name for the match (an index into its routes; negative: none).
    public var index: Int
    /// Parameters bound by the match (`:id` of `/api/items/:id`).
    public var parameters: [String: String]
    /// The request's ID, made once (sent back as `X-Request-Id` and logged).
    public var requestID: String?

    public init(bodyLimit: Int, index: Int = -1, parameters: [String: String] = [:], requestID: String? = nil) {
        self.bodyLimit = bodyLimit
        self.index = index
        self.parameters = parameters
        self.requestID = requestID
    }
}
