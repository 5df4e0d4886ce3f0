import HTTP1
import Testing

/// Every table runs whole, one byte at a time, and split at every index: a prefix of the input
/// must give `incomplete` (or, for invalid input, the same error early), and the full input the
/// expected result (picohttpparser's discipline; docs/http-conformance.md principle 4).
func parseEverySplit(_ text: String, limits: HTTPLimits = HTTPLimits()) -> RequestParser.Result {
    let bytes = Array(text.utf8)
    return parseEverySplit(bytes, limits: limits)
}

func parseEverySplit(_ bytes: [UInt8], limits: HTTPLimits = HTTPLimits()) -> RequestParser.Result {
    let whole = RequestParser.parse(bytes, limits: limits)
    let end: Int
    switch whole {
    case .complete(_, let consumed): end = consumed
    default: end = bytes.count
    }
    // one byte at a time == every split point: the parser is stateless, so feeding byte k after
    // bytes 0..<k is parsing the prefix of length k+1.
    for k in 0..<end {
        let prefix = RequestParser.parse(Array(bytes[0..<k]), limits: limits)
        switch (prefix, whole) {
        case (.incomplete, _): continue
        case (.invalid(let a), .invalid(let b)) where a == b: continue
        default:
            Issue.record("prefix of \(k) bytes gave \(prefix), whole input gave \(whole)")
            return prefix
        }
    }
    scanEveryPrefix(bytes, limits: limits)
    return whole
}

/// `HeadScanner` fed one byte at a time agrees with `RequestParser` on every prefix: where the
/// parser needs more, the scanner does; where the parser refuses, the scanner refuses with the
/// same error — or, for what only the whole head shows (Host, framing), finds the head complete
/// at the same end; where the parser completes, the scanner ends the head where it does. Fed the
/// whole input at once it says the same as fed byte by byte.
func scanEveryPrefix(_ bytes: [UInt8], limits: HTTPLimits) {
    var scanner = HeadScanner()
    for k in 0...bytes.count {
        let parsed = RequestParser.parse(Array(bytes[0..<k]), limits: limits)
        let scanned = Array(bytes[0..<k]).withUnsafeBytes { scanner.scan($0, limits: limits) }
        var whole = HeadScanner()
        let atOnce = Array(bytes[0..<k]).withUnsafeBytes { whole.scan($0, limits: limits) }
        #expect(atOnce == scanned, "prefix of \(k) bytes: \(atOnce) at once, \(scanned) byte by byte")
        switch (parsed, scanned) {
        case (.incomplete, .needMore):
            continue
        case (.invalid(let a), .invalid(let b)) where a == b:
            return
        case (.invalid, .complete(let end)) where end == k:
            return
        case (.complete(_, let consumed), .complete(let end)) where consumed == end:
            return
        default:
            Issue.record("prefix of \(k) bytes: the parser gave \(parsed), the scanner \(scanned)")
            return
        }
    }
}

func head(_ result: RequestParser.Result) -> RequestHead? {
    if case .complete(let head, _) = result { return head }
    Issue.record("expected a complete head, got \(result)")
    return nil
}

func error(_ result: RequestParser.Result) -> HTTPError? {
    if case .invalid(let e) = result { return e }
    return nil
}

@Suite struct RequestParserValidTests {
    @Test("RFC 9112 §3: a minimal HTTP/1.1 request")
    func minimal() {
        let r = parseEverySplit("GET /health HTTP/1.1\r\nHost: example.com\r\n\r\n")
        guard let h = head(r) else { return }
        #expect(h.method == "GET" && h.path == "/health" && h.query == nil && h.version == .http11)
        #expect(h.keepAlive && h.framing == .none && h.authority == "example.com")
        if case .complete(_, let consumed) = r { #expect(consumed == 43) }
    }

    @Test("RFC 9112 §9.3: persistence by version and Connection", arguments: [
        ("GET / HTTP/1.0\r\n\r\n", false),
        ("GET / HTTP/1.0\r\nConnection: keep-alive\r\n\r\n", true),
        ("GET / HTTP/1.1\r\nHost: a\r\n\r\n", true),
        ("GET / HTTP/1.1\r\nHost: a\r\nConnection: close\r\n\r\n", false),
        ("GET / HTTP/1.1\r\nHost: a\r\nConnection: Upgrade, CLOSE\r\n\r\n", false),
        ("GET / HTTP/1.1\r\nHost: a\r\nconnection: keep-alive\r\n\r\n", true),
    ])
    func persistence(text: String, keepAlive: Bool) {
        #expect(head(parseEverySplit(text))?.keepAlive == keepAlive)
    }

    @Test("RFC 9112 §6.3: body framing from Content-Length (leading zeros allowed) and chunked", arguments: [
        ("POST /x HTTP/1.1\r\nHost: a\r\nContent-Length: 5\r\n\r\n", BodyFraming.contentLength(5)),
        ("POST /x HTTP/1.1\r\nHost: a\r\nContent-Length: 007\r\n\r\n", .contentLength(7)),
        ("POST /x HTTP/1.1\r\nHost: a\r\nContent-Length: 0\r\n\r\n", .none),
        ("POST /x HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n", .chunked),
        ("POST /x HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: Chunked\r\n\r\n", .chunked),
        ("POST /x HTTP/1.1\r\nHost: a\r\n\r\n", .none),
    ])
    func framing(text: String, framing: BodyFraming) {
        #expect(head(parseEverySplit(text))?.framing == framing)
    }

    @Test("RFC 9112 §3.2.2: absolute-form is accepted and its authority wins over Host")
    func absoluteForm() {
        let h = head(parseEverySplit("GET http://api.example:8080/a/b?c=1&d HTTP/1.1\r\nHost: other\r\n\r\n"))
        #expect(h?.authority == "api.example:8080" && h?.path == "/a/b" && h?.query == "c=1&d")
        let bare = head(parseEverySplit("GET HTTPS://api.example HTTP/1.1\r\nHost: x\r\n\r\n"))
        #expect(bare?.path == "/" && bare?.authority == "api.example")
    }

    @Test("RFC 9112 §3.2.4: OPTIONS * (asterisk-form)")
    func asteriskForm() {
        #expect(head(parseEverySplit("OPTIONS * HTTP/1.1\r\nHost: a\r\n\r\n"))?.path == "*")
    }

    @Test("RFC 9112 §2.2: empty lines before the request line are ignored")
    func leadingEmptyLines() {
        #expect(head(parseEverySplit("\r\n\r\nGET / HTTP/1.1\r\nHost: a\r\n\r\n"))?.path == "/")
    }

    @Test("RFC 9110 §2.5: a higher minor version is handled as 1.1")
    func higherMinor() {
        #expect(head(parseEverySplit("GET / HTTP/1.7\r\nHost: a\r\n\r\n"))?.version == .http11)
    }

    @Test("RFC 9110 §5.5: OWS trimmed, obs-text kept, empty values allowed, order and duplicates kept")
    func fieldValues() {
        let bytes = Array("GET /?q=ä HTTP/1.1\r\n".utf8.filter { $0 < 0x80 }) + Array("Host: a\r\nX-A:   v 1 \t\r\nX-Empty:\r\nx-a: two\r\nX-Latin: ".utf8)
            + [0xE4, 0xFF] + Array("\r\n\r\n".utf8)
        let h = head(parseEverySplit(bytes))
        #expect(h?.headers.values("X-A") == ["v 1", "two"])
        #expect(h?.headers["x-empty"] == "")
        #expect(h?.headers["X-Latin"]?.isEmpty == false)
        #expect(h?.headers.fields.map(\.name) == ["Host", "X-A", "X-Empty", "x-a", "X-Latin"])
    }

    @Test("RFC 9110 §10.1.1: Expect: 100-continue in 1.1 only")
    func expectContinue() {
        #expect(head(parseEverySplit("POST / HTTP/1.1\r\nHost: a\r\nExpect: 100-Continue\r\nContent-Length: 3\r\n\r\n"))?.expectContinue == true)
        #expect(head(parseEverySplit("POST / HTTP/1.0\r\nExpect: 100-continue\r\nContent-Length: 3\r\n\r\n"))?.expectContinue == false)
    }

    @Test("RFC 9112 §3.2: Host forms: IPv4, IPv6 literal, port, empty")
    func hostForms() {
        for host in ["127.0.0.1:8080", "[::1]:80", "[2001:db8::1]", "xn--mnchen-3ya.de", "a", "a:", "[::1]:", "a%20b.c~d!e$f&g'h(i)j*k+l;m=n"] {
            #expect(head(parseEverySplit("GET / HTTP/1.1\r\nHost: \(host)\r\n\r\n"))?.authority == host)
        }
        #expect(head(parseEverySplit("GET / HTTP/1.1\r\nHost:\r\n\r\n")) != nil)
    }

    @Test("pipelined bytes after the head are not consumed")
    func pipelined() {
        let first = "GET /a HTTP/1.1\r\nHost: a\r\n\r\n"
        let r = RequestParser.parse(Array((first + "GET /b HTTP/1.1\r\nHost: a\r\n\r\n").utf8))
        guard case .complete(let h, let consumed) = r else { Issue.record("\(r)"); return }
        #expect(h.path == "/a" && consumed == first.utf8.count)
    }
}

@Suite struct RequestParserInvalidTests {
    @Test("RFC 9112 §3 request line (strict profile)", arguments: [
        ("GET  / HTTP/1.1\r\nHost: a\r\n\r\n", 400, "empty_target"),
        ("GET\t/ HTTP/1.1\r\nHost: a\r\n\r\n", 400, "invalid_method"),
        ("GET / HTTP/1.1 \r\nHost: a\r\n\r\n", 400, "invalid_version"),
        (" / HTTP/1.1\r\nHost: a\r\n\r\n", 400, "empty_method"),
        ("G(T / HTTP/1.1\r\nHost: a\r\n\r\n", 400, "invalid_method"),
        ("ABCDEFGHIJKLMNOPQ / HTTP/1.1\r\nHost: a\r\n\r\n", 501, "method_too_long"),
        ("GET /a\u{01}b HTTP/1.1\r\nHost: a\r\n\r\n", 400, "invalid_target"),
        ("GET /a\u{7f} HTTP/1.1\r\nHost: a\r\n\r\n", 400, "invalid_target"),
        ("GET /ä HTTP/1.1\r\nHost: a\r\n\r\n", 400, "invalid_target"),
        ("GET /a#frag HTTP/1.1\r\nHost: a\r\n\r\n", 400, "fragment_in_target"),
        ("GET * HTTP/1.1\r\nHost: a\r\n\r\n", 400, "asterisk_form_not_options"),
        ("GET a/b HTTP/1.1\r\nHost: a\r\n\r\n", 400, "invalid_target"),
        ("GET ftp://x/ HTTP/1.1\r\nHost: a\r\n\r\n", 400, "invalid_target"),
        ("GET http:///x HTTP/1.1\r\nHost: a\r\n\r\n", 400, "invalid_absolute_form"),
        ("GET http://u@h/ HTTP/1.1\r\nHost: a\r\n\r\n", 400, "invalid_absolute_form"),
        ("CONNECT /x HTTP/1.1\r\nHost: a\r\n\r\n", 400, "invalid_authority_form"),
        ("GET / http/1.1\r\nHost: a\r\n\r\n", 400, "invalid_version"),
        ("GET / HTTP/1\r\nHost: a\r\n\r\n", 400, "invalid_version"),
        ("GET / HTTP/11.1\r\nHost: a\r\n\r\n", 400, "invalid_version"),
        ("GET / HTTP/1.1.1\r\nHost: a\r\n\r\n", 400, "invalid_version"),
        ("GET / HTTP/2.0\r\nHost: a\r\n\r\n", 505, "unsupported_version"),
        ("GET / HTTP/0.9\r\nHost: a\r\n\r\n", 505, "unsupported_version"),
        ("PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n", 505, "unsupported_version"),
        ("GET /\r\n\r\n", 400, "missing_version"),
        ("\r\n\r\n\r\n\r\n\r\nGET / HTTP/1.1\r\nHost: a\r\n\r\n", 400, "empty_lines_before_request"),
    ])
    func requestLine(text: String, status: Int, reason: String) {
        #expect(error(parseEverySplit(text)) == HTTPError(status, reason))
    }

    @Test("RFC 9112 §2.2: bare CR and bare LF are refused everywhere", arguments: [
        ("GET / HTTP/1.1\rHost: a\r\n\r\n", "bare_cr"),
        ("GET / HTTP/1.1\nHost: a\r\n\r\n", "bare_lf"),
        ("GET / HTTP/1.1\r\nHost: a\nX: b\r\n\r\n", "bare_lf"),
        ("GET / HTTP/1.1\r\nHost: a\rb\r\n\r\n", "bare_cr"),
        ("GET / HTTP/1.1\r\nHost: a\r\n\r\r\n", "bare_cr"),
        ("GET / HTTP/1.1\r\nHost: a\r\n\n", "bare_lf"),
        ("\nGET / HTTP/1.1\r\nHost: a\r\n\r\n", "bare_lf"),
        ("\rGET / HTTP/1.1\r\nHost: a\r\n\r\n", "bare_cr"),
    ])
    func lineEndings(text: String, reason: String) {
        #expect(error(parseEverySplit(text)) == HTTPError(400, reason))
    }

    @Test("RFC 9112 §5, RFC 9110 §5.5: field lines", arguments: [
        ("GET / HTTP/1.1\r\nHost : a\r\n\r\n", "whitespace_before_colon"),
        ("GET / HTTP/1.1\r\nHost\t: a\r\n\r\n", "whitespace_before_colon"),
        ("GET / HTTP/1.1\r\nHost: a\r\nX: a\r\n b\r\n\r\n", "obs_fold"),
        ("GET / HTTP/1.1\r\n Host: a\r\n\r\n", "obs_fold"),
        ("GET / HTTP/1.1\r\n\tHost: a\r\n\r\n", "obs_fold"),
        ("GET / HTTP/1.1\r\nHost: a\r\n: empty\r\n\r\n", "empty_field_name"),
        ("GET / HTTP/1.1\r\nHost: a\r\nNoColon\r\n\r\n", "invalid_field_name"),
        ("GET / HTTP/1.1\r\nHost: a\r\nBad(Name: v\r\n\r\n", "invalid_field_name"),
        ("GET / HTTP/1.1\r\nHost: a\r\nX: a\u{00}b\r\n\r\n", "nul_in_field_value"),
        ("GET / HTTP/1.1\r\nHost: a\r\nX: a\u{01}b\r\n\r\n", "control_in_field_value"),
        ("GET / HTTP/1.1\r\nHost: a\r\nX: a\u{0b}b\r\n\r\n", "control_in_field_value"),
        ("GET / HTTP/1.1\r\nHost: a\r\nX: a\u{7f}\r\n\r\n", "control_in_field_value"),
    ])
    func fieldLines(text: String, reason: String) {
        #expect(error(parseEverySplit(text)) == HTTPError(400, reason))
    }

    @Test("RFC 9112 §3.2: Host rules", arguments: [
        ("GET / HTTP/1.1\r\n\r\n", "missing_host"),
        ("GET / HTTP/1.1\r\nHost: a\r\nHost: a\r\n\r\n", "duplicate_host"),
        ("GET / HTTP/1.0\r\nHost: a\r\nHost: b\r\n\r\n", "duplicate_host"),
        ("GET / HTTP/1.1\r\nHost: a,b\r\n\r\n", "invalid_host"),
        ("GET / HTTP/1.1\r\nHost: user@a\r\n\r\n", "invalid_host"),
        ("GET / HTTP/1.1\r\nHost: a/b\r\n\r\n", "invalid_host"),
        ("GET / HTTP/1.1\r\nHost: a b\r\n\r\n", "invalid_host"),
        ("GET / HTTP/1.1\r\nHost: a:8o\r\n\r\n", "invalid_host"),
        ("GET / HTTP/1.1\r\nHost: a:123456\r\n\r\n", "invalid_host"),
        ("GET / HTTP/1.1\r\nHost: [::1\r\n\r\n", "invalid_host"),
        ("GET / HTTP/1.1\r\nHost: []\r\n\r\n", "invalid_host"),
        ("GET / HTTP/1.1\r\nHost: [::1]x\r\n\r\n", "invalid_host"),
        ("GET / HTTP/1.1\r\nHost: [::1]:8o\r\n\r\n", "invalid_host"),
        ("GET / HTTP/1.1\r\nHost: [g::1]\r\n\r\n", "invalid_host"),
        ("GET / HTTP/1.1\r\nHost: :80\r\n\r\n", "invalid_host"),
        ("GET / HTTP/1.1\r\nHost: \u{e4}.example\r\n\r\n", "invalid_host"),
    ])
    func host(text: String, reason: String) {
        #expect(error(parseEverySplit(text)) == HTTPError(400, reason))
    }

    @Test("RFC 9112 §6.3 (5): Content-Length is 1*DIGIT, once", arguments: [
        ("+5", "invalid_content_length"), ("-1", "invalid_content_length"), ("0x5", "invalid_content_length"),
        ("5_0", "invalid_content_length"), ("1e3", "invalid_content_length"), ("5.0", "invalid_content_length"),
        ("5 5", "invalid_content_length"), ("", "invalid_content_length"), ("5a", "invalid_content_length"),
        ("99999999999999999999", "invalid_content_length"), ("٥", "invalid_content_length"),
        ("5, 5", "duplicate_content_length"), ("5,6", "duplicate_content_length"), (",5", "duplicate_content_length"),
    ])
    func contentLength(value: String, reason: String) {
        #expect(error(parseEverySplit("POST / HTTP/1.1\r\nHost: a\r\nContent-Length: \(value)\r\n\r\n")) == HTTPError(400, reason))
    }

    @Test("RFC 9112 §6.3: two Content-Length lines, even identical, are refused")
    func repeatedContentLength() {
        #expect(error(parseEverySplit("POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 5\r\nContent-Length: 5\r\n\r\n"))
                == HTTPError(400, "duplicate_content_length"))
    }

    @Test("RFC 9112 §6.1, §6.3: Transfer-Encoding", arguments: [
        ("Transfer-Encoding: chunked\r\nContent-Length: 5", 400, "content_length_with_transfer_encoding"),
        ("Content-Length: 5\r\nTransfer-Encoding: chunked", 400, "content_length_with_transfer_encoding"),
        ("Transfer-Encoding: gzip", 501, "unsupported_transfer_coding"),
        ("Transfer-Encoding: identity", 501, "unsupported_transfer_coding"),
        ("Transfer-Encoding: gzip, chunked", 501, "unsupported_transfer_coding"),
        ("Transfer-Encoding: chunked, gzip", 400, "chunked_not_final"),
        ("Transfer-Encoding: chunked, chunked", 400, "chunked_not_final"),
        ("Transfer-Encoding: chunked\r\nTransfer-Encoding: chunked", 400, "duplicate_transfer_encoding"),
        ("Transfer-Encoding: , chunked", 400, "invalid_transfer_encoding"),
        ("Transfer-Encoding: chunked,", 400, "invalid_transfer_encoding"),
        ("Transfer-Encoding: \"chunked\"", 400, "invalid_transfer_encoding"),
        ("Transfer-Encoding: chunked;q=1", 400, "invalid_transfer_encoding"),
        ("Transfer-Encoding: chunk ed", 400, "invalid_transfer_encoding"),
        ("Transfer-Encoding: chunked\u{0b}", 400, "control_in_field_value"),
    ])
    func transferEncoding(fields: String, status: Int, reason: String) {
        #expect(error(parseEverySplit("POST / HTTP/1.1\r\nHost: a\r\n\(fields)\r\n\r\n")) == HTTPError(status, reason))
    }

    @Test("RFC 9112 §6.1: Transfer-Encoding in HTTP/1.0 is faulty framing")
    func transferEncodingInHTTP10() {
        #expect(error(parseEverySplit("POST / HTTP/1.0\r\nTransfer-Encoding: chunked\r\n\r\n")) == HTTPError(400, "transfer_encoding_in_http10"))
    }

    @Test("RFC 9110 §10.1.1: an expectation other than 100-continue is 417")
    func expectation() {
        #expect(error(parseEverySplit("GET / HTTP/1.1\r\nHost: a\r\nExpect: 200-ok\r\n\r\n")) == HTTPError(417, "unsupported_expectation"))
    }
}

@Suite struct RequestParserLimitTests {
    @Test("RFC 9112 §3: a request line over the limit is 414")
    func requestLine() {
        var limits = HTTPLimits()
        limits.requestLine = 64
        #expect(error(parseEverySplit("GET /\(String(repeating: "a", count: 70)) HTTP/1.1\r\nHost: a\r\n\r\n", limits: limits))
                == HTTPError(414, "request_line_too_long"))
        #expect(head(parseEverySplit("GET /\(String(repeating: "a", count: 40)) HTTP/1.1\r\nHost: a\r\n\r\n", limits: limits)) != nil)
        // the default is 8 KiB
        let long = "GET /" + String(repeating: "a", count: 8 * 1024) + " HTTP/1.1\r\nHost: a\r\n\r\n"
        #expect(error(RequestParser.parse(Array(long.utf8))) == HTTPError(414, "request_line_too_long"))
    }

    @Test("RFC 6585 §5: a field line over the limit is 431")
    func fieldLine() {
        var limits = HTTPLimits()
        limits.fieldLine = 100
        #expect(error(parseEverySplit("GET / HTTP/1.1\r\nHost: a\r\nX: \(String(repeating: "v", count: 120))\r\n\r\n", limits: limits))
                == HTTPError(431, "field_line_too_large"))
    }

    @Test("RFC 6585 §5: a header section over 16 KiB is 431")
    func headerSection() {
        let fields = (0..<40).map { "X-\($0): \(String(repeating: "v", count: 500))\r\n" }.joined()
        #expect(error(RequestParser.parse(Array("GET / HTTP/1.1\r\nHost: a\r\n\(fields)\r\n".utf8)))
                == HTTPError(431, "header_section_too_large"))
        // incomplete but already over the limit: refused without waiting for the rest
        #expect(error(RequestParser.parse(Array("GET / HTTP/1.1\r\nHost: a\r\n\(fields)".utf8)))
                == HTTPError(431, "header_section_too_large"))
    }

    @Test("RFC 6585 §5: more than 100 fields is 431")
    func fieldCount() {
        let fields = (0..<101).map { "X-\($0): v\r\n" }.joined()
        #expect(error(parseEverySplit("GET / HTTP/1.1\r\nHost: a\r\n\(fields)\r\n")) == HTTPError(431, "too_many_fields"))
        let ok = (0..<99).map { "X-\($0): v\r\n" }.joined()
        #expect(head(parseEverySplit("GET / HTTP/1.1\r\nHost: a\r\n\(ok)\r\n"))?.headers.count == 100)
    }

    @Test("a body over the limit is known from Content-Length before reading it (413)")
    func bodyLimit() {
        let h = head(parseEverySplit("POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 1048577\r\n\r\n"))
        #expect(h?.framing.exceeds(HTTPLimits().body) == true)
        #expect(BodyFraming.contentLength(1_048_576).exceeds(1_048_576) == false)
    }
}

@Suite struct DecimalParsingTests {
    @Test("1*DIGIT strictly (http-conformance §2)", arguments: [
        ("0", Int64(0)), ("005", 5), ("9223372036854775807", .max),
    ])
    func decimals(text: String, value: Int64) {
        #expect(DecimalParsing.decimal(Array(text.utf8)) == value)
    }

    @Test("what Int(String) would accept is refused", arguments: ["+5", "-0", "", " 5", "5 ", "9223372036854775808", "٥", "0x10"])
    func refused(text: String) {
        #expect(DecimalParsing.decimal(Array(text.utf8)) == nil)
    }

    @Test func hex() {
        #expect(DecimalParsing.hex(Array("7fffffffffffffff".utf8)) == .max)
        #expect(DecimalParsing.hex(Array("8000000000000000".utf8)) == nil)
        #expect(DecimalParsing.hex(Array("aBc".utf8)) == 0xabc)
        for bad in ["+f", "0x1", "", "g", " 1"] { #expect(DecimalParsing.hex(Array(bad.utf8)) == nil) }
    }
}

@Suite struct RequestParserOriginFormTests {
    @Test("RFC 9112 §3.2.1: origin-form path and query split at the first ?", arguments: [
        ("/a?x=1", "/a", "x=1"), ("/a?", "/a", ""), ("/a?b?c", "/a", "b?c"), ("/?x", "/", "x"), ("/a/b/", "/a/b/", nil),
        ("/a%3Fb", "/a%3Fb", nil),
    ] as [(String, String, String?)])
    func split(target: String, path: String, query: String?) {
        let h = head(parseEverySplit("GET \(target) HTTP/1.1\r\nHost: h\r\n\r\n"))
        #expect(h?.target == target && h?.path == path && h?.query == query)
    }

    @Test("RFC 9110 §7.1: a fragment is never sent in a target (400)", arguments: ["/a#f", "/a?x#f", "/#", "http://h/a#f"])
    func fragment(target: String) {
        #expect(error(parseEverySplit("GET \(target) HTTP/1.1\r\nHost: h\r\n\r\n"))?.reason == "fragment_in_target")
    }
}
