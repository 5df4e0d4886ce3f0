import HTTP1
import Testing

@Suite struct RequestHeadTests {
    func parsed(_ text: String) -> RequestHead? {
        if case .complete(let head, _) = RequestParser.parse(Array(text.utf8)) { return head }
        return nil
    }

    @Test("heads compare by value: the same bytes parsed twice are equal, any difference is not")
    func equality() throws {
        let a = try #require(parsed("GET /a?x=1 HTTP/1.1\r\nHost: h\r\nX-One: 1\r\n\r\n"))
        let copy = a
        #expect(copy == a)
        #expect(parsed("GET /a?x=1 HTTP/1.1\r\nHost: h\r\nX-One: 1\r\n\r\n") == a)
        for other in ["GET /a?x=2 HTTP/1.1\r\nHost: h\r\nX-One: 1\r\n\r\n", "HEAD /a?x=1 HTTP/1.1\r\nHost: h\r\nX-One: 1\r\n\r\n",
                      "GET /a?x=1 HTTP/1.0\r\nHost: h\r\nX-One: 1\r\n\r\n", "GET /a?x=1 HTTP/1.1\r\nHost: h\r\nX-One: 2\r\n\r\n",
                      "GET /a?x=1 HTTP/1.1\r\nHost: i\r\nX-One: 1\r\n\r\n",
                      "GET /a?x=1 HTTP/1.1\r\nHost: h\r\nX-One: 1\r\nConnection: close\r\n\r\n"] {
            #expect(try #require(parsed(other)) != a, "\(other)")
        }
        #expect(a.method == "GET" && a.target == "/a?x=1" && a.path == "/a" && a.query == "x=1" && a.authority == "h")
        #expect(a.headers["x-one"] == "1" && a.keepAlive && !a.expectContinue && a.framing == .none && a.version == .http11)
    }
}
