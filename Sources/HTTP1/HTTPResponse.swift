/// A response: status, fields and a body that is either in memory or produced as a stream.
public struct HTTPResponse: Sendable {
    public enum Body: Sendable {
        case empty
        case bytes([UInt8])
        /// Produced by writing chunks to the writer; `write` suspends while the client is slow
        /// (back-pressure) and throws once the client has gone (the producer should stop).
        case stream(Producer)
        /// A stream of exactly this many bytes, framed by `Content-Length` (RFC 9112 §6.2) — a
        /// file download whose size is known, so a client sees its total and can resume with
        /// Range. A producer that writes more is stopped, and one that ends short leaves the
        /// body truncated: either way the connection closes (§6.3: the client sees it incomplete).
        case sized(Int, Producer)
    }

    /// Writes a streamed body; a thrown error ends the response truncated (the head is out).
    public typealias Producer = @Sendable (HTTPBodyWriter) async throws -> Void

    public var status: Int
    public var headers: HTTPHeaders
    public var body: Body
    /// What metrics and logs call the resource answered (a route pattern such as
    /// `/api/items/:id`), set by the application that matched the request; it is not sent.
    public var routeLabel: String?
    /// The request's ID, sent as `X-Request-Id` after `headers` and logged; set by the
    /// application. Kept out of `headers`, which are often a shared constant: adding a field to
    /// them would copy the whole set on every response.
    public var requestID: String?

    public init(status: Int, headers: HTTPHeaders = HTTPHeaders(), body: Body = .empty) {
        self.status = status
        self.headers = headers
        self.body = body
    }

    /// A response with an in-memory body and its content type.
    public init(status: Int, contentType: String, body: [UInt8], headers: HTTPHeaders = HTTPHeaders()) {
        var fields = headers
        fields.set("Content-Type", contentType)
        self.init(status: status, headers: fields, body: .bytes(body))
    }
}
