import HTTP1
import Testing

@Suite struct ResponseSerializerTests {
    static let date = "Sun, 06 Nov 1994 08:49:37 GMT"

    func head(_ status: Int, _ headers: HTTPHeaders, _ framing: ResponseSerializer.Framing, close: Bool = false) -> (String, Int) {
        var out: [UInt8] = []
        let dropped = ResponseSerializer.head(status: status, headers: headers, framing: framing, close: close, date: Self.date, into: &out)
        return (String(decoding: out, as: UTF8.self), dropped)
    }

    @Test("status line, fields in order, Date, Content-Length")
    func contentLength() {
        let (text, _) = head(200, HTTPHeaders([("Content-Type", "application/json"), ("X-Request-Id", "abc")]), .contentLength(15))
        #expect(text == "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nX-Request-Id: abc\r\nDate: \(Self.date)\r\nContent-Length: 15\r\n\r\n")
    }

    @Test("RFC 9110 §8.6: Content-Length as decimal digits", arguments: [
        (0, "0"), (9, "9"), (10, "10"), (4096, "4096"), (1_234_567_890, "1234567890"), (Int.max, "9223372036854775807"),
    ])
    func contentLengthDigits(length: Int, digits: String) {
        #expect(head(200, HTTPHeaders(), .contentLength(length)).0.hasSuffix("\r\nContent-Length: \(digits)\r\n\r\n"))
    }

    @Test("the extra field follows the shared fields, before Date; checked like them")
    func extraField() {
        var out: [UInt8] = []
        let shared = HTTPHeaders([("Cache-Control", "no-store")])
        var dropped = ResponseSerializer.head(status: 200, headers: shared, extra: ("X-Request-Id", "r-1"), framing: .contentLength(0),
                                              close: false, date: Self.date, into: &out)
        #expect(dropped == 0)
        #expect(String(decoding: out, as: UTF8.self)
            == "HTTP/1.1 200 OK\r\nCache-Control: no-store\r\nX-Request-Id: r-1\r\nDate: \(Self.date)\r\nContent-Length: 0\r\n\r\n")
        out = []
        dropped = ResponseSerializer.head(status: 200, headers: shared, extra: ("X-Request-Id", "a\r\nSet-Cookie: x=1"),
                                          framing: .contentLength(0), close: false, date: Self.date, into: &out)
        let text = String(decoding: out, as: UTF8.self)
        #expect(dropped == 1 && !text.contains("X-Request-Id") && !text.contains("Set-Cookie"))
    }

    @Test("heads of any size come out whole: below, at and beyond the serializer's stack buffer")
    func largeHeads() {
        // 2,048 bytes of stack buffer; the fixed part of this head is 64 bytes + the value
        for valueLength in [0, 1, 1900, 1983, 1984, 1985, 2100, 40_000] {
            let value = String(repeating: "v", count: valueLength)
            let (text, dropped) = head(503, HTTPHeaders([("X-Big", value)]), .contentLength(7), close: true)
            let expected = "HTTP/1.1 503 Service Unavailable\r\nX-Big: \(value)\r\nDate: \(Self.date)\r\n"
                + "Content-Length: 7\r\nConnection: close\r\n\r\n"
            #expect(dropped == 0 && text == expected, "value of \(valueLength) bytes")
        }
        var out = Array("kept".utf8)
        ResponseSerializer.head(status: 200, headers: HTTPHeaders([("X-Big", String(repeating: "w", count: 5000))]), framing: .none,
                                close: false, date: Self.date, into: &out)
        #expect(out.starts(with: Array("keptHTTP/1.1 200 OK\r\nX-Big: www".utf8)) && out.count == 4 + 17 + 7 + 5000 + 2 + 37 + 2)
    }

    @Test("chunked and close-delimited framing; Connection: close")
    func framing() {
        #expect(head(200, HTTPHeaders(), .chunked).0.contains("Transfer-Encoding: chunked\r\n"))
        let closing = head(200, HTTPHeaders(), .closeDelimited).0
        #expect(closing.contains("Connection: close\r\n") && !closing.contains("Content-Length") && !closing.contains("Transfer-Encoding"))
        #expect(head(404, HTTPHeaders(), .contentLength(0), close: true).0.hasSuffix("Content-Length: 0\r\nConnection: close\r\n\r\n"))
    }

    @Test("RFC 9110 §6.4.1: 204 has neither Content-Length nor Transfer-Encoding")
    func noContent() {
        let text = head(204, HTTPHeaders(), .none).0
        #expect(text == "HTTP/1.1 204 No Content\r\nDate: \(Self.date)\r\n\r\n")
        #expect(HTTPStatus.forbidsBody(204) && HTTPStatus.forbidsBody(304) && HTTPStatus.forbidsBody(100) && !HTTPStatus.forbidsBody(200))
    }

    @Test("response splitting: values with CR, LF, NUL or CTLs and non-token names never reach the wire")
    func splitting() {
        let (text, dropped) = head(200, HTTPHeaders([("X-Ok", "fine"), ("X-Evil", "a\r\nSet-Cookie: x=1"), ("X-Nul", "a\u{0}b"),
                                                    ("X-Lf", "a\nb"), ("Bad Name", "v"), ("X-Tab", "a\tb")]), .contentLength(0))
        #expect(dropped == 4)
        #expect(!text.contains("Set-Cookie") && !text.contains("Bad Name") && text.contains("X-Tab: a\tb"))
    }

    @Test("handler-set framing fields are ignored: the serializer owns them")
    func ownedFields() {
        let text = head(200, HTTPHeaders([("Content-Length", "999"), ("Transfer-Encoding", "gzip"), ("Connection", "keep-alive")]), .contentLength(2)).0
        #expect(!text.contains("999") && !text.contains("gzip") && text.contains("Content-Length: 2"))
    }

    @Test func chunks() {
        var out: [UInt8] = []
        ResponseSerializer.chunk(Array("hello world, this is 26 by".utf8), into: &out)
        ResponseSerializer.chunk([], into: &out)
        out += ResponseSerializer.lastChunk
        #expect(String(decoding: out, as: UTF8.self) == "1a\r\nhello world, this is 26 by\r\n0\r\n\r\n")
    }

    @Test("RFC 9110 §5.6.7: IMF-fixdate", arguments: [
        (Int64(784_111_777), "Sun, 06 Nov 1994 08:49:37 GMT"), (0, "Thu, 01 Jan 1970 00:00:00 GMT"),
        (1_795_701_476, "Thu, 26 Nov 2026 13:57:56 GMT"), (951_782_400, "Tue, 29 Feb 2000 00:00:00 GMT"),
    ])
    func date(seconds: Int64, text: String) {
        #expect(HTTPDate.format(secondsSinceEpoch: seconds) == text)
    }
}
