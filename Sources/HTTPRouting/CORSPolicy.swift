import HTTP1

/// Cross-origin access for the dashboard front-ends (Fetch standard, CORS protocol): an exact
/// allow-list of origins (or `*`), the request headers they may send, and how long a preflight
/// may be cached.
public struct CORSPolicy: Sendable, Equatable {
    public var allowedOrigins: [String]
    public var allowedHeaders = ["Authorization", "Content-Type", "Idempotency-Key", "X-Request-Id"]
    /// The response fields a dashboard's script may read beyond the CORS-safelisted ones.
    public var exposedHeaders = ["X-Request-Id", "WWW-Authenticate", "X-Next-Cursor", "Retry-After"]
    public var maxAgeSeconds = 600

    public init(allowedOrigins: [String]) { self.allowedOrigins = allowedOrigins }

    /// Parses a comma-separated list (`IMMOFLOW_CORS_ORIGINS`).
    public init(list: String) {
        self.init(allowedOrigins: list.split(separator: ",").map { String($0.trimmingWhitespace()) }.filter { !$0.isEmpty })
    }

    public func allows(_ origin: String) -> Bool {
        allowedOrigins.contains("*") || allowedOrigins.contains(origin)
    }

    /// Fields for an actual (non-preflight) response to `origin`.
    public func responseHeaders(origin: String?, into headers: inout HTTPHeaders) {
        guard let origin, allows(origin) else { return }
        headers.set("Access-Control-Allow-Origin", allowedOrigins.contains("*") ? "*" : origin)
        headers.add("Vary", "Origin")
        headers.set("Access-Control-Expose-Headers", exposedHeaders.joined(separator: ", "))
    }

    /// Fields for a preflight, or nil when it must not be granted (unknown origin, method not
    /// allowed on the resource, or a request header outside the list).
    public func preflight(origin: String, method: String, requestHeaders: String?, allowedMethods: [String]) -> HTTPHeaders? {
        guard allows(origin), allowedMethods.contains(method) else { return nil }
        let requested = (requestHeaders ?? "").split(separator: ",").map { $0.trimmingWhitespace().lowercased() }.filter { !$0.isEmpty }
        let permitted = Set(allowedHeaders.map { $0.lowercased() })
        guard requested.allSatisfy({ permitted.contains($0) }) else { return nil }
        var headers = HTTPHeaders()
        headers.set("Access-Control-Allow-Origin", allowedOrigins.contains("*") ? "*" : origin)
        headers.add("Vary", "Origin")
        headers.set("Access-Control-Allow-Methods", allowedMethods.joined(separator: ", "))
        headers.set("Access-Control-Allow-Headers", allowedHeaders.joined(separator: ", "))
        headers.set("Access-Control-Max-Age", String(maxAgeSeconds))
        return headers
    }
}
