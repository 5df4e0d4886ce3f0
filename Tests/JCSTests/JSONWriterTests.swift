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
}
