import Chronology
import Gdpdu
import Testing

/// The data-file conventions of docs/gobd-bao-export.md §4, value by value.
@Suite struct GdpduFieldTests {
    static func render(_ body: (inout [UInt8]) -> Void) -> String {
        var out: [UInt8] = []
        body(&out)
        return String(decoding: out, as: UTF8.self)
    }

    @Test("text: quoted, inner quotes doubled, umlauts, € and – as UTF-8, CR and LF a space, empty nothing")
    func text() {
        #expect(Self.render { GdpduField.text(Array(#"Miete 01/2024; Top 3 – Größe "A" €"#.utf8), to: &$0) } == #""Miete 01/2024; Top 3 – Größe ""A"" €""#)
        #expect(Self.render { GdpduField.text(Array("Zeile 1\r\nZeile 2\n".utf8), to: &$0) } == #""Zeile 1  Zeile 2 ""#)
        #expect(Self.render { GdpduField.text([UInt8](), to: &$0) } == "")
    }

    @Test("hashed text: exact, or refused (nothing written) when it holds CR or LF")
    func hashedText() {
        var out: [UInt8] = []
        #expect(GdpduField.hashedText(Array(#"{"a":"\"x\""}"#.utf8), to: &out))
        #expect(String(decoding: out, as: UTF8.self) == #""{""a"":""\""x\""""}""#)
        var refused: [UInt8] = []
        #expect(!GdpduField.hashedText(Array("a\nb".utf8), to: &refused) && refused.isEmpty)
    }

    @Test("decimals: exactly Accuracy places with a comma, no grouping, no plus; more places, exponents and junk refused", arguments: [
        ("1200", 2, "1200,00"), ("-1782.9", 2, "-1782,90"), ("0.5", 2, "0,50"), ("1200.0000", 2, "1200,00"), ("-0.00", 2, "0,00"),
        ("42", 0, "42"), ("-7", 0, "-7"), ("12345678901234.56", 2, "12345678901234,56"),
    ])
    func decimals(_ input: String, _ accuracy: Int, _ expected: String) {
        var out: [UInt8] = []
        #expect(GdpduField.decimal(Array(input.utf8), accuracy: accuracy, to: &out))
        #expect(String(decoding: out, as: UTF8.self) == expected)
    }

    @Test("decimals refused", arguments: ["1.005", "1e5", "", "-", "1.", ".5", "1,5", "NaN", "+1", "1.2.3"])
    func refusedDecimals(_ input: String) {
        var out: [UInt8] = []
        #expect(!GdpduField.decimal(Array(input.utf8), accuracy: 2, to: &out) && out.isEmpty, "\(input)")
    }

    @Test("dates DD.MM.YYYY; a timestamp as date, time and the hashed ISO rendering, in UTC")
    func datesAndTimes() {
        #expect(Self.render { GdpduField.date(CalendarDate(year: 2024, month: 1, day: 31)!, to: &$0) } == "31.01.2024")
        #expect(Self.render { GdpduField.date(CalendarDate(year: 987, month: 12, day: 5)!, to: &$0) } == "05.12.0987")
        let t = Timestamp(year: 2024, month: 1, day: 31, hour: 9, minute: 15, second: 2, microsecond: 123_456)!
        #expect(Self.render { GdpduField.timestamp(t, to: &$0) } == #"31.01.2024;"09:15:02";"2024-01-31T09:15:02.123456Z""#)
    }

    @Test("MaxLength counts characters, not bytes")
    func characters() {
        #expect(GdpduField.characters(Array("Größe €–".utf8)) == 8)
        #expect(GdpduField.characters([UInt8]()) == 0)
    }
}
