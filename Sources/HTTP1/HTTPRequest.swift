/// A complete request as handed to the application: head, whole body, trailers, and what the
/// application decided when the head arrived (`route`).
public struct HTTPRequest: Sendable {
    public let head: RequestHead
    public let body: [UInt8]
    public let trailers: HTTPHeaders
    /// `address:port` of the peer.
    public let remoteAddress: String
    /// The application's match for this request, made once when its head arrived
    /// (`HTTPResponder.route`).
    public var route: RequestRoute

    public init(head: RequestHead, body: [UInt8] = [], trailers: HTTPHeaders = HTTPHeaders(), remoteAddress: String = "",
                route: RequestRoute = RequestRoute(bodyLimit: 0)) {
        self.head = head
        self.body = body
        self.trailers = trailers
        self.remoteAddress = remoteAddress
        self.route = route
    }

    public var method: String { head.method }
    public var path: String { head.path }
    public var headers: HTTPHeaders { head.headers }
    /// Bound by the route for patterns such as `/api/items/:id`.
    public var pathParameters: [String: String] {
        get { route.parameters }
        set { route.parameters = newValue }
    }
}
