/// Size limits of the parser and decoder (docs: http-conformance §1.11). Every limit has a test.
public struct HTTPLimits: Sendable, Equatable {
    /// Request line, CRLF excluded: 8 KiB → 414 (RFC 9112 §3 recommends supporting ≥ 8000 octets).
    public var requestLine = 8 * 1024
    /// One header field line: 8 KiB → 431 (RFC 6585 §5).
    public var fieldLine = 8 * 1024
    /// Whole header section (field lines + CRLFs; trailers too): 16 KiB → 431.
    public var headerSection = 16 * 1024
    /// Number of header fields (and of trailer fields): 100 → 431.
    public var fieldCount = 100
    /// Request body (Content-Length or decoded chunked bytes): 1 MiB → 413, unless a route allows more.
    public var body = 1024 * 1024
    /// Chunk extensions of one chunk line: 4 KiB → 400.
    public var chunkExtension = 4 * 1024
    /// Longest method we could implement; longer → 501 (RFC 9112 §3).
    public var method = 16

    public init() {}
}
