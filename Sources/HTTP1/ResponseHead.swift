/// A response's status line and fields (RFC 9112 §4, §5), as the S3 client reads them.
public struct ResponseHead: Sendable, Equatable {
    public let version: HTTPVersion
    public let status: Int
    public let reason: String
    public let headers: HTTPHeaders

    public init(version: HTTPVersion, status: Int, reason: String, headers: HTTPHeaders) {
        self.version = version
        self.status = status
        self.reason = reason
        self.headers = headers
    }

    /// How the body that follows is delimited (RFC 9112 §6.3): none for a HEAD request's
    /// answer, 1xx, 204 and 304 (rule 1); chunked when the last transfer coding is chunked
    /// (rule 2, 4); Content-Length (rule 5, one valid value); else until the connection closes
    /// (rule 8). A response with both, an unknown coding, or a bad length is refused (a client
    /// MUST treat it as an error: rule 4, 5), and the connection must not be reused.
    public func framing(requestMethod: String) -> Result<ResponseFraming, HTTPError> {
        if requestMethod == "HEAD" || (100...199).contains(status) || status == 204 || status == 304 { return .success(.none) }
        let codings = headers.values("Transfer-Encoding")
        let lengths = headers.values("Content-Length")
        if !codings.isEmpty {
            guard lengths.isEmpty else { return .failure(HTTPError(502, "content_length_with_transfer_encoding")) }
            // Only chunked alone: we decode no other coding (gzip, …).
            let list = codings.flatMap { $0.split(separator: ",").map { $0.trimmingWhitespace().lowercased() } }
            guard list == ["chunked"] else { return .failure(HTTPError(502, "unsupported_transfer_coding")) }
            return .success(.chunked)
        }
        guard !lengths.isEmpty else { return .success(.untilClose) }
        // Identical repeated values (or a list of them) are one length; anything else is an error.
        let values = lengths.flatMap { $0.split(separator: ",", omittingEmptySubsequences: false) }
            .map { DecimalParsing.decimal(Array($0.trimmingWhitespace().utf8)) }
        guard let n = values.first ?? nil, values.allSatisfy({ $0 == n }) else {
            return .failure(HTTPError(502, "invalid_content_length"))
        }
        return .success(.contentLength(n))
    }

    /// Whether the server keeps the connection open after this response (RFC 9112 §9.3).
    public var keepsAlive: Bool {
        let tokens = headers.values("Connection").flatMap { $0.split(separator: ",").map { $0.trimmingWhitespace().lowercased() } }
        if tokens.contains("close") { return false }
        return version == .http11 || tokens.contains("keep-alive")
    }
}

/// How a response body is delimited.
public enum ResponseFraming: Sendable, Equatable {
    case none
    case contentLength(Int64)
    case chunked
    /// Until the server closes the connection (no reuse).
    case untilClose
}
