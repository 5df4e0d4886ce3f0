/// `HTTP-version` of a request; minor versions above 1 are treated as 1.1 (RFC 9110 §2.5).
public struct HTTPVersion: Sendable, Equatable, CustomStringConvertible {
    public let major: Int
    public let minor: Int
    public static let http10 = HTTPVersion(major: 1, minor: 0)
    public static let http11 = HTTPVersion(major: 1, minor: 1)
    public var description: String { "HTTP/\(major).\(minor)" }
}

/// How a request's body is delimited (RFC 9112 §6.3).
public enum BodyFraming: Sendable, Equatable {
    case none
    case contentLength(Int64)
    case chunked

    /// The 413 for a body over `limit`, decided from the header before reading the body
    /// (chunked bodies are counted while decoding).
    public func exceeds(_ limit: Int) -> Bool {
        if case .contentLength(let n) = self { return n > Int64(limit) }
        return false
    }
}

/// A parsed request head: the request line, the fields, and what they mean for framing and the
/// connection.
public struct RequestHead: Sendable, Equatable {
    public let method: String
    /// The request-target as sent.
    public let target: String
    public let version: HTTPVersion
    public let headers: HTTPHeaders
    public let framing: BodyFraming
    /// Whether the connection may stay open after the response (RFC 9112 §9.3).
    public let keepAlive: Bool
    /// `Expect: 100-continue` in an HTTP/1.1 request (ignored in 1.0, RFC 9110 §10.1.1).
    public let expectContinue: Bool
    /// The authority: from an absolute-form target, else the Host field (nil if neither).
    public let authority: String?
    /// The path of an origin- or absolute-form target (`*` for asterisk-form), without the query.
    public let path: String
    /// The query without `?`, nil if there is none.
    public let query: String?
}
