import HTTP1
import Testing

/// The client side of RFC 9112: response heads (§4, §5) and how their bodies are framed (§6.3).
@Suite struct ResponseParserTests {
    static func parse(_ text: String) -> ResponseParser.Result {
        ResponseParser.parse(Array(text.utf8))
    }

    static let seaweed = "HTTP/1.1 200 OK\r\nAccept-Ranges: bytes\r\nContent-Length: 18\r\nEtag: \"4f6d\"\r\n"
        + "X-Amz-Version-Id: 3a1f\r\nx-amz-object-lock-mode: COMPLIANCE\r\nDate: Wed, 02 Dec 2026 12:00:00 GMT\r\n\r\nGoBD test payload\n"

    @Test("a response head: version, status, reason, fields in order, where the body starts")
    func complete() throws {
        guard case .complete(let head, let consumed) = Self.parse(Self.seaweed) else {
            Issue.record("not complete")
            return
        }
        #expect(head.version == .http11 && head.status == 200 && head.reason == "OK")
        #expect(head.headers["x-amz-version-id"] == "3a1f" && head.headers["ETag"] == "\"4f6d\"" && head.headers.count == 6)
        #expect(Array(Self.seaweed.utf8)[consumed...] == Array("GoBD test payload\n".utf8)[...])
        #expect(head.framing(requestMethod: "GET") == .success(.contentLength(18)))
        #expect(head.framing(requestMethod: "HEAD") == .success(ResponseFraming.none))
        #expect(head.keepsAlive)
    }

    @Test("every proper prefix of the head is incomplete")
    func prefixes() {
        let bytes = Array(Self.seaweed.utf8)
        let headEnd = bytes.count - "GoBD test payload\n".utf8.count
        for n in 0..<headEnd {
            #expect(ResponseParser.parse(Array(bytes[..<n])) == .incomplete, "prefix \(n)")
        }
    }

    @Test("status lines: an empty reason, with or without its space; HTTP/1.0", arguments: [
        ("HTTP/1.1 204 \r\n\r\n", 204, ""), ("HTTP/1.1 204\r\n\r\n", 204, ""), ("HTTP/1.0 503 Slow Down\r\n\r\n", 503, "Slow Down"),
    ])
    func statusLines(text: String, status: Int, reason: String) {
        guard case .complete(let head, _) = Self.parse(text) else {
            Issue.record("refused: \(text.debugDescription)")
            return
        }
        #expect(head.status == status && head.reason == reason)
    }

    @Test("refused heads (the connection is not reused)", arguments: [
        "HTTP/2 200 OK\r\n\r\n", "HTTP/1.1 20 OK\r\n\r\n", "HTTP/1.1 2000 OK\r\n\r\n", "HTTP/1.1 099 X\r\n\r\n", "HTTP/1.1 600 X\r\n\r\n",
        "http/1.1 200 OK\r\n\r\n", "HTTP/1.1 200OK\r\n\r\n", "HTTP/1.1 200 OK\rX\r\n\r\n", "HTTP/1.1 200 OK\r\nA: b\nC: d\r\n\r\n",
        "HTTP/1.1 200 OK\r\nName : v\r\n\r\n", "HTTP/1.1 200 OK\r\n folded\r\n\r\n", "HTTP/1.1 200 OK\r\nNo-Colon\r\n\r\n",
        "HTTP/1.1 200 OK\r\nA: b\u{0}c\r\n\r\n", "HTTP/1.1 200 OK\r\n: empty-name\r\n\r\n",
    ])
    func refused(text: String) {
        guard case .invalid = Self.parse(text) else {
            Issue.record("accepted: \(text.debugDescription)")
            return
        }
    }

    @Test("a head larger than the limits is refused, not buffered forever")
    func tooLarge() {
        var limits = HTTPLimits()
        limits.headerSection = 100
        limits.requestLine = 50
        let endless = Array(("HTTP/1.1 200 OK\r\n" + String(repeating: "X-A: b\r\n", count: 40)).utf8)
        #expect(ResponseParser.parse(endless, limits: limits) == .invalid(HTTPError(502, "response_head_too_large")))
    }

    static func head(_ fields: [(String, String)], status: Int = 200) -> ResponseHead {
        ResponseHead(version: .http11, status: status, reason: "", headers: HTTPHeaders(fields))
    }

    @Test("framing by RFC 9112 §6.3: no body, chunked, a length, until close; errors refused")
    func framing() {
        #expect(Self.head([("Content-Length", "5")], status: 204).framing(requestMethod: "GET") == .success(ResponseFraming.none))
        #expect(Self.head([], status: 304).framing(requestMethod: "GET") == .success(ResponseFraming.none))
        #expect(Self.head([("Transfer-Encoding", "chunked")]).framing(requestMethod: "GET") == .success(.chunked))
        #expect(Self.head([("Content-Length", "7, 7"), ("Content-Length", "7")]).framing(requestMethod: "PUT") == .success(.contentLength(7)))
        #expect(Self.head([]).framing(requestMethod: "GET") == .success(.untilClose))
        for bad in [[("Content-Length", "5"), ("Transfer-Encoding", "chunked")], [("Transfer-Encoding", "gzip")],
                    [("Transfer-Encoding", "gzip, chunked")], [("Content-Length", "+5")], [("Content-Length", "5, 6")], [("Content-Length", "")]] {
            guard case .failure = Self.head(bad).framing(requestMethod: "GET") else {
                Issue.record("framed: \(bad)")
                continue
            }
        }
    }

    @Test("keep-alive: 1.1 unless close; 1.0 only with keep-alive")
    func keepAlive() {
        #expect(!Self.head([("Connection", "close")]).keepsAlive)
        #expect(!ResponseHead(version: .http10, status: 200, reason: "", headers: HTTPHeaders()).keepsAlive)
        #expect(ResponseHead(version: .http10, status: 200, reason: "", headers: HTTPHeaders([("Connection", "Keep-Alive")])).keepsAlive)
    }
}
