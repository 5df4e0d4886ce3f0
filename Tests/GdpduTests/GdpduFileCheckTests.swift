import Chronology
import Gdpdu
import Testing

/// Data files written by `GdpduField` pass the check of their declaration, read whole or split at
/// every byte; the values round-trip; and each violation of §6 items 4–6 and 9 is found at its line.
@Suite struct GdpduFileCheckTests {
    static let table = GdpduTable(url: "ledger_entries.csv", name: "ledger_entries", description: "Buchungen",
                                  primaryKey: [GdpduColumn("id", .alphaNumeric(maxLength: 12))],
                                  columns: [GdpduColumn("text", .alphaNumeric(maxLength: 40)), GdpduColumn("amount", .numeric(accuracy: 2)),
                                            GdpduColumn("line", .numeric(accuracy: 0)), GdpduColumn("booked_on", .date),
                                            GdpduColumn("created_date", .date), GdpduColumn("created_time", .time),
                                            GdpduColumn("created_utc", .alphaNumeric(maxLength: 27))])
    static let texts = [#"Miete 01/2024; Top 3 – Größe "A" €"#, "", "x"]

    /// A file as the exporter writes it.
    static var file: [UInt8] {
        var out = Array(table.allColumns.map(\.name).joined(separator: ";").utf8) + GdpduField.recordEnd
        for (i, text) in texts.enumerated() {
            GdpduField.text(Array("e-\(i)".utf8), to: &out)
            out.append(GdpduField.delimiter)
            GdpduField.text(Array(text.utf8), to: &out)
            out.append(GdpduField.delimiter)
            _ = GdpduField.decimal(Array((i == 1 ? "-1782.9" : "1200").utf8), accuracy: 2, to: &out)
            out.append(GdpduField.delimiter)
            GdpduField.integer(Int64(i), to: &out)
            out.append(GdpduField.delimiter)
            if i != 2 { GdpduField.date(CalendarDate(year: 2024, month: 2, day: 29)!, to: &out) }   // a NULL date stays empty
            out.append(GdpduField.delimiter)
            GdpduField.timestamp(Timestamp(year: 2024, month: 1, day: 31, hour: 23, minute: 59, second: 59, microsecond: 1)!, to: &out)
            out += GdpduField.recordEnd
        }
        return out
    }

    static func check(_ chunks: [[UInt8]]) -> GdpduFileCheck {
        var check = GdpduFileCheck(table: table)
        for chunk in chunks { check.feed(chunk) }
        check.finish()
        return check
    }

    @Test("the exporter's file passes, whole and split at every byte; the values round-trip")
    func passes() {
        let file = Self.file
        let whole = Self.check([file])
        #expect(whole.findings.isEmpty && whole.rows == 3, "\(whole.findings)")
        for cut in 1..<file.count {
            let split = Self.check([Array(file[..<cut]), Array(file[cut...])])
            #expect(split.findings.isEmpty && split.rows == 3, "cut \(cut): \(split.findings)")
        }
        var reader = GdpduRecordReader()
        var records: [[GdpduRecordReader.Field]] = []
        reader.feed(file, record: { fields, _ in records.append(fields) }, finding: { line, what in Issue.record("line \(line): \(what)") })
        #expect(records.dropFirst().map { String(decoding: $0[1].bytes, as: UTF8.self) } == Self.texts)
        #expect(records[2].map { String(decoding: $0.bytes, as: UTF8.self) }[2...4] == ["-1782,90", "1", "29.02.2024"])
    }

    @Test("each violation is found at its line", arguments: [
        ("1200,00", "1000.00", 2, "amount: '1000.00' is not a number with 2 decimals after a comma"),
        ("29.02.2024;31.01.2024", "2024-02-29;31.01.2024", 2, "booked_on: '2024-02-29' is not a date DD.MM.YYYY"),
        ("\"Miete 01/2024; Top", "\"Miete 01/2024;\nTop", 2, "a line break inside a value"),
        ("\"x\"", "x", 4, "text: an unquoted text value"),
        ("1200,00;0", "\"1200,00\";0", 2, "amount: a number in quotes"),
        ("\"23:59:59\"", "\"24:00:00\"", 2, "created_time: '24:00:00' is not a time HH:MM:SS"),
        ("id;text", "id;txt", 1, "the header line is id;txt"),
        ("\"e-2\";\"x\"", "\"e-2\";\"x\";\"y\"", 4, "9 fields, not the declared 8"),
        ("\"x\"", "\"xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx\"", 4, "text: 41 characters, more than its MaxLength 40"),
        ("29.02.2024;31.01", "30.02.2024;31.01", 2, "booked_on: '30.02.2024' is not a date"),
    ])
    func violations(_ replace: String, _ with: String, _ line: Int, _ message: String) throws {
        let text = String(decoding: Self.file, as: UTF8.self)
        let range = try #require(text.range(of: replace))
        let bad = Array(text.replacingCharacters(in: range, with: with).utf8)
        let check = Self.check([bad])
        #expect(check.findings.contains { $0.line == line && $0.message.contains(message) }, "\(check.findings)")
    }

    @Test("framing: a BOM, a bare LF, a bare CR, a last record without CR LF, text after a closing quote")
    func framing() {
        let file = Self.file
        #expect(Self.check([[0xEF, 0xBB, 0xBF] + file]).findings.contains { $0.line == 1 && $0.message.contains("byte-order mark") })
        let header = Array(Self.table.allColumns.map(\.name).joined(separator: ";").utf8)
        #expect(Self.check([header + [0x0A]]).findings.contains { $0.message.contains("bare LF") })
        #expect(Self.check([header + [0x0D, 0x41, 0x0D, 0x0A]]).findings.contains { $0.message.contains("bare CR") })
        #expect(Self.check([Array(file.dropLast(2))]).findings.contains { $0.line == 4 && $0.message.contains("does not end with CR LF") })
        #expect(Self.check([header + GdpduField.recordEnd + Array("\"a\"b;".utf8) + GdpduField.recordEnd]).findings.contains { $0.message.contains("after a closing quote") })
        #expect(Self.check([[]]).findings.contains { $0.message.contains("no header line") })
    }
}
