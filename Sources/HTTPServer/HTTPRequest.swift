import HTTP1

/// A complete request as handed to the application: head, whole body, trailers.
public struct HTTPRequest: Sendable {
    public let head: RequestHead
    public let body: [UInt8]
    public let trailers: HTTPHeaders
    /// `address:port` of the peer.
    public let remoteAddress: String
    /// Set by a router for patterns such as `/api/items/:id`.
    public var pathParameters: [String: String] = [:]

    public init(head: RequestHead, body: [UInt8] = [], trailers: HTTPHeaders = HTTPHeaders(), remoteAddress: String = "") {
        self.head = head
        self.body = body
        self.trailers = trailers
        self.remoteAddress = remoteAddress
    }

    public var method: String { head.method }
    public var path: String { head.path }
    public var headers: HTTPHeaders { head.headers }
}
