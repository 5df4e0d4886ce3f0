import HTTPRouting
import Testing

/// RFC 9110 §12.5.1 Accept with q-values (issue 12, item 9: `text/csv;q=0.5, application/json`
/// returned CSV).
@Suite struct ContentNegotiationTests {
    static let offered = ["application/json", "text/csv"]

    @Test("the highest quality wins, the most specific range sets it, ties go to the server's first", arguments: [
        (nil as String?, 0 as Int?), ("*/*", 0), ("application/json", 0), ("text/csv", 1),
        ("text/csv;q=0.5, application/json", 0), ("text/csv, application/json;q=0.5", 1), ("text/csv;q=0.5,application/json;q=0.5", 0),
        ("text/*", 1), ("text/*;q=0.9, */*;q=0.1", 1), ("application/json;q=0, */*", 1), ("*/*;q=0", nil), ("application/xml", nil),
        ("TEXT/CSV", 1), ("text/csv; charset=utf-8", 1), ("text/csv;q=1.000", 1), ("text/csv;q=0.001, application/json;q=0", 1),
        // a malformed range is skipped; a header of only malformed ranges is no preference
        ("text/csv;q=2", 0), ("text/csv;q=0.5000, application/json;q=0.1", 0), ("garbage", 0), ("*/csv", 0),
    ])
    func choice(accept: String?, expected: Int?) {
        #expect(ContentNegotiation.choose(accept: accept, offered: Self.offered) == expected, "\(accept ?? "none")")
    }
}
