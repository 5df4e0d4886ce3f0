import HTTPRouting
import Testing

@Suite struct RequestIDTests {
    @Test("generated IDs: 32 lowercase hex digits, one prefix per process run, never repeated")
    func generated() {
        let ids = (0..<10_000).map { _ in RequestID.generate() }
        let hex = Set("0123456789abcdef".utf8)
        #expect(ids.allSatisfy { $0.utf8.count == 32 && $0.utf8.allSatisfy(hex.contains) })
        #expect(Set(ids.map { $0.prefix(16) }).count == 1)
        #expect(Set(ids).count == ids.count)
        // the counter half is mixed, not counted: neighbours differ in many digits
        let a = Array(ids[0].utf8.suffix(16)), b = Array(ids[1].utf8.suffix(16))
        #expect(zip(a, b).filter { $0 != $1 }.count > 4)
    }

    @Test("taken from the request only when 1–128 characters of [A-Za-z0-9._:-]", arguments: [
        ("abc-123", true), ("A.b_c:d-e", true), (String(repeating: "x", count: 128), true), ("", false),
        (String(repeating: "x", count: 129), false), ("no spaces", false), ("a\r\nb", false), ("ä", false), ("a/b", false),
    ])
    func accepted(value: String, taken: Bool) {
        #expect((RequestID.accept(value) == value) == taken)
        #expect(RequestID.accept(nil) == nil)
    }
}
