import HTTP1
import Testing

/// `HeadScanner` resumes where it stopped; its agreement with `RequestParser` on every prefix
/// runs inside every parser table (`scanEveryPrefix`) and in the fuzz invariants.
@Suite struct HeadScannerTests {
    static let head = Array(("GET /api/x?y=1 HTTP/1.1\r\nHost: example.com\r\n" + String(repeating: "X-Filler: abcdefghij\r\n", count: 600)
                              + "\r\nBODY").utf8)

    @Test("a 13 KB head fed a byte at a time: every byte looked at once, the end where the parser ends it")
    func byteAtATime() throws {
        var scanner = HeadScanner()
        var limits = HTTPLimits()
        limits.fieldCount = 1000
        var result = HeadScanner.Result.needMore
        var k = 0
        while case .needMore = result, k < Self.head.count {
            k += 1
            let before = scanner
            result = Array(Self.head[0..<k]).withUnsafeBytes { scanner.scan($0, limits: limits) }
            // Never back: a call starts where the previous one stopped (at most one byte before
            // the end, a CR waiting for its LF).
            #expect(scanner.position >= before.position && scanner.position >= k - 1, "at \(k): \(scanner.position)")
        }
        let end = Self.head.count - 4
        #expect(result == .complete(end: end))
        guard case .complete(let parsed, let consumed) = RequestParser.parse(Self.head, limits: limits) else {
            Issue.record("the parser did not complete the head")
            return
        }
        #expect(consumed == end && parsed.headers.count == 601)
    }

    @Test("refused as soon as the parser would refuse: a bad byte in the first line of a long head")
    func early() {
        var scanner = HeadScanner()
        let bytes = Array("GET /a\u{1}b HTTP/1.1\r\n".utf8)
        let result = bytes.withUnsafeBytes { scanner.scan(UnsafeRawBufferPointer(rebasing: $0[0..<7]), limits: HTTPLimits()) }
        #expect(result == .invalid(HTTPError(400, "invalid_target")))
    }

    @Test("limits apply to the bytes so far, as the parser applies them")
    func limits() {
        var limits = HTTPLimits()
        limits.fieldLine = 64
        var scanner = HeadScanner()
        let bytes = Array(("GET / HTTP/1.1\r\nX-Long: " + String(repeating: "v", count: 100)).utf8)
        #expect(bytes.withUnsafeBytes { scanner.scan($0, limits: limits) } == .invalid(HTTPError(431, "field_line_too_large")))
        #expect(RequestParser.parse(bytes, limits: limits) == .invalid(HTTPError(431, "field_line_too_large")))
    }
}
