import HTTP1

/// `Retry-After` on a 503 whose cause (the database unreachable, busy or slow) usually passes
/// within seconds (RFC 9110 §10.2.3, §15.6.4): one value for every endpoint.
enum RetryAfter {
    static let name = "Retry-After"
    static let seconds = "5"

    /// `headers` with the field set.
    static func adding(to headers: HTTPHeaders = HTTPHeaders()) -> HTTPHeaders {
        var out = headers
        out.set(name, seconds)
        return out
    }
}
