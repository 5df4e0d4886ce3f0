import JCS
import Testing

/// The API's hot-path JSON writer: output must parse back to what was written.
@Suite struct JSONWriterTests {
    @Test func writesWhatItWasGiven() throws {
        var w = JSONWriter()
        w.beginObject()
        w.key("s"); w.string("quote \" backslash \\ nl \n tab \t nul \u{0} ctl \u{1F} ä 😀")
        w.key("n"); w.string(nil)
        w.key("i"); w.integer(Int64.min)
        w.key("j"); w.integer(Int64.max)
        w.key("k"); w.integer(0 as Int)
        w.key("m"); w.integer(-42 as Int?)
        w.key("x"); w.hex([0x00, 0xAB, 0xFF])
        w.key("t"); Array("2026-11-26T12:00:00.000000Z".utf8).withUnsafeBytes { w.asciiString(raw: $0) }
        w.key("a"); w.beginArray(); w.integer(1 as Int); w.beginObject(); w.endObject(); w.null(); w.endArray()
        w.key("r"); w.raw(#"{"z":1}"#)
        w.endObject()
        let v = try JSONParser.parse(w.bytes)
        #expect(v["s"] == .string("quote \" backslash \\ nl \n tab \t nul \u{0} ctl \u{1F} ä 😀"))
        #expect(v["n"] == .null)
        #expect(v["i"] == .integer(.min) && v["j"] == .integer(.max) && v["k"] == .integer(0) && v["m"] == .integer(-42))
        #expect(v["x"] == .string("00abff"))
        #expect(v["t"] == .string("2026-11-26T12:00:00.000000Z"))
        #expect(v["a"] == .array([.integer(1), .object([]), .null]))
        #expect(v["r"]?["z"] == .integer(1))
        #expect(String(decoding: w.bytes, as: UTF8.self).contains(#"\u0000"#))
    }

    @Test("raw UTF-8 strings: plain ones copied, others escaped; in-place values get their comma; the buffer grows")
    func rawBytesAndInPlaceValues() throws {
        var w = JSONWriter(capacity: 1)
        w.beginArray()
        for text in ["plain", "", "q\"b\\c\u{1}", "ü😀"] {
            Array(text.utf8).withUnsafeBytes { w.string(utf8: $0) }
        }
        w.string(utf8: nil)
        w.rawValue(maxCount: 16) { p in
            for (i, b) in #"{"k":[]}"#.utf8.enumerated() { p[i] = b }
            return 8
        }
        w.beginObject(); w.key("a_rather_long_member_name_to_force_growth"); w.integer(7 as Int); w.endObject()
        w.endArray()
        #expect(String(decoding: w.bytes, as: UTF8.self)
                == #"["plain","","q\"b\\c\u0001","ü😀",null,{"k":[]},{"a_rather_long_member_name_to_force_growth":7}]"#)
    }
}
