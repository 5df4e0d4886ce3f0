import Archive
import ComplianceTesting
import Testing

/// CSV fields by bytes (RFC 4180 §2) with spreadsheet safety (issue 12, item C). Each row is
/// written, then parsed back with a strict RFC 4180 reader.
@Suite struct CSVFieldTests {
    func row(_ fields: [String]) -> [UInt8] {
        var out: [UInt8] = []
        for (i, f) in fields.enumerated() {
            if i > 0 { out.append(UInt8(ascii: ",")) }
            CSVField.append(text: f.utf8, to: &out)
        }
        return out + [0x0D, 0x0A]
    }

    @Test("fields read back as written, one record per row", arguments: [
        ("plain", "plain"),
        ("a,b", "a,b"),
        ("say \"hi\"", "say \"hi\""),
        // a CR LF pair is one Swift Character, equal to neither "\r" nor "\n": it was not quoted
        ("line1\r\nline2", "line1\r\nline2"),
        ("only\nLF", "only\nLF"),
        ("only\rCR", "only\rCR"),
        ("", ""),
        ("Größe ✓ 😀", "Größe ✓ 😀"),
        ("tab\tinside", "tab\tinside"),
    ])
    func roundTrip(value: String, expected: String) throws {
        let parsed = try CSVReader.parse(row(["x", value, "y"]))
        #expect(parsed == [["x", expected, "y"]])
    }

    @Test("formula starts are neutralised with a leading quote (OWASP CSV injection)", arguments: [
        "=HYPERLINK(\"http://evil\",\"x\")", "+1+2", "-2+3", "@SUM(A1)", "\tstart", "\rstart", "=1,2",
    ])
    func formulas(value: String) throws {
        let parsed = try CSVReader.parse(row([value]))
        #expect(parsed == [["'" + value]])
    }

    @Test("terminal and spreadsheet control characters become U+FFFD; TAB, CR, LF stay", arguments: [
        ("a\u{1b}[31mred", "a\u{fffd}[31mred"), ("bell\u{07}", "bell\u{fffd}"), ("nul\u{0}x", "nul\u{fffd}x"),
        ("del\u{7f}", "del\u{fffd}"), ("csi\u{9b}2J", "csi\u{fffd}2J"), ("vt\u{0b}ff\u{0c}", "vt\u{fffd}ff\u{fffd}"),
    ])
    func controls(value: String, expected: String) throws {
        #expect(try CSVReader.parse(row([value])) == [[expected]])
    }

    @Test("invalid UTF-8 becomes U+FFFD")
    func invalidUTF8() throws {
        var out: [UInt8] = []
        CSVField.append(text: [0x61, 0xFF, 0x62], to: &out)
        #expect(String(decoding: out, as: UTF8.self) == "a\u{fffd}b")
    }

    @Test("numbers are written as numbers, negative ones too")
    func numbers() throws {
        var out: [UInt8] = []
        CSVField.append(number: -5, to: &out)
        out.append(UInt8(ascii: ","))
        CSVField.append(number: .max, to: &out)
        #expect(try CSVReader.parse(out + [0x0D, 0x0A]) == [["-5", "9223372036854775807"]])
    }

    @Test("the reader refuses a row broken by a bare line end")
    func readerIsStrict() {
        #expect(throws: CSVReader.Malformed.self) { try CSVReader.parse(Array("a,b\r\nc\nd\r\n".utf8)) }
        #expect(throws: CSVReader.Malformed.self) { try CSVReader.parse(Array("a\"b\r\n".utf8)) }
    }
}
