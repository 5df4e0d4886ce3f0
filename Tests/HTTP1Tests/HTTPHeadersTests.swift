import HTTP1
import Testing

/// Field names compare ASCII case-insensitively (RFC 9110 §5.1), and only whole names match.
@Suite struct HTTPHeadersTests {
    @Test("RFC 9110 §5.1: names match whatever their case; other names, prefixes and non-ASCII folds do not", arguments: [
        ("Content-Type", "content-type", true), ("X-REQUEST-ID", "x-request-id", true), ("a", "A", true),
        ("Content-Type", "Content-Typf", false), ("Content-Type", "Content-Typ", false), ("Host", "Hos\u{74}", true),
        ("", "", true), ("ä", "Ä", false), ("a-very-long-field-name-beyond-fifteen", "A-VERY-LONG-FIELD-NAME-BEYOND-FIFTEEN", true),
        ("Cache-Control", "Cache_Control", false), ("@", "`", false),
    ])
    func names(name: String, other: String, equal: Bool) {
        #expect(HTTPHeaders.Field(name: name, value: "v").hasName(other) == equal)
        var headers = HTTPHeaders([(name, "v")])
        #expect((headers[other] == "v") == equal)
        headers.remove(other)
        #expect(headers.count == (equal ? 0 : 1))
    }
}

@Suite struct HTTPHeadersLookupTests {
    @Test("a lookup answers the first field of that name, past others of the same length")
    func firstOfName() {
        let headers = HTTPHeaders([("Hosx", "0"), ("host", "1"), ("HOST", "2"), ("X-Request-Id", "r")])
        #expect(headers["Host"] == "1" && headers.values("Host") == ["1", "2"])
        #expect(headers["x-request-id"] == "r" && headers["X-Request-Ie"] == nil && headers["Hos"] == nil)
        #expect(HTTPHeaders()["Host"] == nil)
    }
}
