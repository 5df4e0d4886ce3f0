import JCS
import Testing

/// RFC 8259 parsing, strict (request bodies) and lenient (pgbackrest info output).
@Suite struct JSONParserTests {
    func parse(_ text: String, _ mode: JSONParser.Mode = .strict) throws -> JSONValue {
        try JSONParser.parse(Array(text.utf8), mode: mode)
    }

    @Test func values() throws {
        let v = try parse(#" {"a": [1, -2, 0, 1.5, -0.25e3, true, false, null, "x\"y\\z\/\n\u00e4\ud83d\ude00"], "b": {}} "#)
        #expect(v["a"] == .array([.integer(1), .integer(-2), .integer(0), .number("1.5"), .number("-0.25e3"),
                                  .bool(true), .bool(false), .null, .string("x\"y\\z/\nä😀")]))
        #expect(v["b"] == .object([]))
        #expect(v.members?.map(\.key) == ["a", "b"])
    }

    @Test("integers beyond 2^53 stay exact (pgbackrest system-id, docs/pgbackrest.md G13)")
    func bigIntegers() throws {
        #expect(try parse("7712479056685684044") == .integer(7_712_479_056_685_684_044))
        #expect(try parse("-9223372036854775808") == .integer(.min))
        #expect(try parse("9223372036854775808") == .number("9223372036854775808"))
    }

    @Test("strict refusals name the offset", arguments: [
        "", " ", "{", "[1,]", "{\"a\":1,}", "01", "-", "1.", "1e", "+1", ".5", "tru", "nul", "\"abc", "\"\\x\"",
        "\"\\u12\"", "[1 2]", "{\"a\" 1}", "{1:2}", "1 2", "\"a\tb\"", "\"\\ud800\"", "{\"a\":1,\"a\":2}",
    ])
    func strictRefusals(text: String) {
        #expect(throws: JSONParser.Failure.self) { try parse(text) }
    }

    @Test func invalidUTF8IsRefusedStrictlyAndReplacedLeniently() throws {
        let bytes: [UInt8] = Array("{\"m\":\"a".utf8) + [0xFF, 0x01] + Array("b\"}".utf8)
        #expect(throws: JSONParser.Failure.self) { try JSONParser.parse(bytes, mode: .strict) }
        let lenient = try JSONParser.parse(bytes, mode: .lenient)
        #expect(lenient["m"] == .string("a\u{FFFD}\u{01}b"))
    }

    @Test func depthIsBounded() {
        let deep = String(repeating: "[", count: 65) + String(repeating: "]", count: 65)
        #expect(throws: JSONParser.Failure.self) { try parse(deep) }
        let ok = String(repeating: "[", count: 64) + String(repeating: "]", count: 64)
        #expect((try? parse(ok)) != nil)
    }

    @Test func canonicalFormSortsMembers() throws {
        #expect(try parse(#"{"b":1,"a":{"d":null,"c":[true]}}"#).canonical.text == #"{"a":{"c":[true],"d":null},"b":1}"#)
    }
}
