import Chronology
import Crypto

/// One S3 request before it is sent: method, unencoded path, query, headers, and the body's
/// SHA-256 (hex, for `x-amz-content-sha256`; the real hash of the body, never guessed).
/// `signed` adds SigV4; `head` is the bytes of the request line and fields.
public struct S3Request: Sendable {
    public var method: String
    public var path: String
    public var query: [(name: String, value: String)]
    public var headers: [(name: String, value: String)]
    public var payloadHash: String

    public init(method: String, path: String, query: [(name: String, value: String)] = [], headers: [(name: String, value: String)] = [],
                payloadHash: String = SigV4.emptyPayloadHash) {
        self.method = method
        self.path = path
        self.query = query
        self.headers = headers
        self.payloadHash = payloadHash
    }

    /// The request with `x-amz-date`, `x-amz-content-sha256` and `Authorization`.
    public func signed(credentials: S3Credentials, region: String, time: Timestamp) -> S3Request {
        var copy = self
        SigV4.sign(method: method, path: path, query: query, headers: &copy.headers, payloadHash: payloadHash,
                   credentials: credentials, scope: SigV4.Scope(time: time, region: region))
        return copy
    }

    /// The request target: the path encoded as it was signed, then the canonical query.
    public var target: String {
        let query = SigV4.canonicalQuery(self.query)
        return SigV4.canonicalURI(path) + (query.isEmpty ? "" : "?" + query)
    }

    /// `METHOD target HTTP/1.1` CRLF, the fields, CRLF.
    public var head: [UInt8] {
        var text = "\(method) \(target) HTTP/1.1\r\n"
        for (name, value) in headers { text += "\(name): \(value)\r\n" }
        text += "\r\n"
        return Array(text.utf8)
    }
}
