import Chronology
import Gdpdu
import Postgres

/// Writes the rows of one table, as a binary COPY delivers them, as records of its data file
/// (docs/gobd-bao-export.md §4), and keeps per package column the most characters seen — the
/// `MaxLength` index.xml declares (§4: at least the real maximum, or the importer truncates).
public struct RowRenderer: Sendable {
    public struct Failure: Error, Sendable, Equatable, CustomStringConvertible {
        public let message: String
        public var description: String { message }
    }

    public let table: ExportTable
    /// Characters of the longest value per package column.
    public private(set) var maxLengths: [Int]
    public private(set) var rows: Int64 = 0
    private let sources: [ExportColumn.Source]
    private let firsts: [Int]

    public init(_ table: ExportTable) {
        self.table = table
        sources = table.columns.map(\.source)
        var firsts: [Int] = []
        var at = 0
        for c in table.columns {
            firsts.append(at)
            at += c.names.count
        }
        self.firsts = firsts
        maxLengths = Array(repeating: 0, count: at)
    }

    /// The header line: the package column names, unquoted, in order (§4 "Header row").
    public var header: [UInt8] {
        Array(table.columnNames.joined(separator: ";").utf8) + GdpduField.recordEnd
    }

    /// Appends the record of one row; `field(i)` is the i-th SELECT expression's bytes (nil: NULL).
    public mutating func render(fieldCount: Int, into out: inout [UInt8], _ field: (Int) -> UnsafeRawBufferPointer?) throws(Failure) {
        guard fieldCount == sources.count else { throw fail("\(fieldCount) fields in a row, \(sources.count) selected") }
        for i in 0..<sources.count {
            if i > 0 { out.append(GdpduField.delimiter) }
            guard let raw = field(i) else {
                // NULL: an empty field (for a timestamp: three).
                if case .timestamp = sources[i] { out += [GdpduField.delimiter, GdpduField.delimiter] }
                continue
            }
            let column = firsts[i]
            switch sources[i] {
            case .uuid:
                guard raw.count == 16 else { throw fail("\(table.columnNames[column]): a uuid of \(raw.count) bytes") }
                UUIDText.withText(raw) { GdpduField.text($0, to: &out) }
            case .text:
                GdpduField.text(raw, to: &out)
                note(column, characters: GdpduField.characters(raw))
            case .hashedText:
                guard GdpduField.hashedText(raw, to: &out) else {
                    throw fail("\(table.columnNames[column]) of row \(rows + 1) holds a line break: it cannot be written without changing the hashed bytes")
                }
                note(column, characters: GdpduField.characters(raw))
            case .date:
                guard raw.count == 4 else { throw fail("\(table.columnNames[column]): a date of \(raw.count) bytes") }
                let days = Int32(bigEndian: raw.loadUnaligned(as: Int32.self))
                // PostgreSQL counts days from 2000-01-01 (10,957 days after 1970-01-01); ±infinity are the extremes.
                guard days != Int32.max, days != Int32.min else { throw fail("\(table.columnNames[column]): an infinite date") }
                GdpduField.date(CalendarDate(daysSinceEpoch: Int(days) + 10_957), to: &out)
            case .timestamp:
                guard let t = Timestamp(postgresBinary: raw) else { throw fail("\(table.columnNames[column]): an infinite or malformed time") }
                GdpduField.timestamp(t, to: &out)
                let iso = t.withRFC3339 { $0.count }
                if iso > maxLengths[column + 2] { maxLengths[column + 2] = iso }
            case .integer:
                guard let v = Int(postgresBinary: raw, type: raw.count == 8 ? .int8 : raw.count == 4 ? .int4 : .int2) else {
                    throw fail("\(table.columnNames[column]): an integer of \(raw.count) bytes")
                }
                GdpduField.integer(Int64(v), to: &out)
            case .decimal(let accuracy):
                guard GdpduField.decimal(raw, accuracy: accuracy, to: &out) else {
                    throw fail("\(table.columnNames[column]) \(String(decoding: raw, as: UTF8.self)) has more than \(accuracy) decimals")
                }
            case .hex:
                let digits: StaticString = "0123456789abcdef"
                out.append(UInt8(ascii: "\""))
                for b in raw {
                    out.append(digits.utf8Start[Int(b >> 4)])
                    out.append(digits.utf8Start[Int(b & 0x0F)])
                }
                out.append(UInt8(ascii: "\""))
                if 2 * raw.count > maxLengths[column] { maxLengths[column] = 2 * raw.count }
            }
        }
        out += GdpduField.recordEnd
        rows += 1
    }

    @inline(__always)
    private mutating func note(_ column: Int, characters: Int) {
        if characters > maxLengths[column] { maxLengths[column] = characters }
    }

    private func fail(_ message: String) -> Failure { Failure(message: "\(table.fileName): \(message)") }
}
