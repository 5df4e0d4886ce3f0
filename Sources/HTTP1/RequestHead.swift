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
///
/// The values live in one immutable object: a head is copied into the request, the connection's
/// state and the log record, and each copy is then one reference count instead of one per string
/// (seven per copy, about a fifth of a keep-alive `/health` request's runtime calls before;
/// tools/bench/http.sh).
public struct RequestHead: Sendable, Equatable {
    private let box: Box

    public var method: String { box.fields.method }
    /// The request-target as sent.
    public var target: String { box.fields.target }
    public var version: HTTPVersion { box.fields.version }
    public var headers: HTTPHeaders { box.fields.headers }
    public var framing: BodyFraming { box.fields.framing }
    /// Whether the connection may stay open after the response (RFC 9112 §9.3).
    public var keepAlive: Bool { box.fields.keepAlive }
    /// `Expect: 100-continue` in an HTTP/1.1 request (ignored in 1.0, RFC 9110 §10.1.1).
    public var expectContinue: Bool { box.fields.expectContinue }
    /// The authority: from an absolute-form target, else the Host field (nil if neither).
    public var authority: String? { box.fields.authority }
    /// The path of an origin- or absolute-form target (`*` for asterisk-form), without the query.
    public var path: String { box.fields.path }
    /// The query without `?`, nil if there is none.
    public var query: String? { box.fields.query }

    init(method: String, target: String, version: HTTPVersion, headers: HTTPHeaders, framing: BodyFraming,
         keepAlive: Bool, expectContinue: Bool, authority: String?, path: String, query: String?) {
        box = Box(fields: Fields(method: method, target: target, version: version, headers: headers, framing: framing,
                                 keepAlive: keepAlive, expectContinue: expectContinue, authority: authority,
                                 path: path, query: query))
    }

    public static func == (a: RequestHead, b: RequestHead) -> Bool {
        a.box === b.box || a.box.fields == b.box.fields
    }

    private struct Fields: Sendable, Equatable {
        let method: String
        let target: String
        let version: HTTPVersion
        let headers: HTTPHeaders
        let framing: BodyFraming
        let keepAlive: Bool
        let expectContinue: Bool
        let authority: String?
        let path: String
        let query: String?
    }

    private final class Box: Sendable {
        let fields: Fields
        init(fields: Fields) { self.fields = fields }
    }
}
