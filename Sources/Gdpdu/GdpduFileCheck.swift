import Chronology

/// Checks one data file against its declaration in `index.xml` (docs/gobd-bao-export.md §6,
/// items 4–6 and 8), record by record in flat memory: the header line is the declared column
/// names in order; every record has the declared number of fields; Numeric values are `-?\d+`
/// or `-?\d+,\d{Accuracy}`, Date values real `DD.MM.YYYY` dates, time columns `HH:MM:SS`;
/// AlphaNumeric values are quoted UTF-8 of at most `MaxLength` characters; Numeric and Date
/// values are never quoted. Every finding names the line; the first `keep` are kept, all counted.
public struct GdpduFileCheck: Sendable {
    public struct Finding: Sendable, Equatable, CustomStringConvertible {
        public let line: Int
        public let message: String

        public var description: String { "line \(line): \(message)" }
    }

    public let table: GdpduTable
    public let keep: Int
    public private(set) var findings: [Finding] = []
    public private(set) var findingCount = 0
    /// Data records read (the header line not counted).
    public private(set) var rows: Int64 = 0
    private var reader = GdpduRecordReader()
    private let columns: [GdpduColumn]

    public init(table: GdpduTable, keep: Int = 1000) {
        self.table = table
        self.keep = keep
        columns = table.allColumns
    }

    public mutating func feed(_ chunk: some Collection<UInt8>) {
        feed(chunk) { _, _ in }
    }

    /// Feeds `chunk`; `record` gets every data record with its line, after it was checked (for
    /// checks across records: keys, the audit chain).
    public mutating func feed(_ chunk: some Collection<UInt8>, record: ([GdpduRecordReader.Field], Int) -> Void) {
        var found: [(Int, String)] = []
        var records: [([GdpduRecordReader.Field], Int)] = []
        reader.feed(chunk, record: { records.append(($0, $1)) }, finding: { found.append(($0, $1)) })
        for (line, message) in found { add(line, message) }
        for (fields, line) in records {
            check(fields, line: line)
            if line > 1 { record(fields, line) }
        }
    }

    public mutating func finish() {
        finish { _, _ in }
    }

    public mutating func finish(record: ([GdpduRecordReader.Field], Int) -> Void) {
        var found: [(Int, String)] = []
        var records: [([GdpduRecordReader.Field], Int)] = []
        reader.finish(record: { records.append(($0, $1)) }, finding: { found.append(($0, $1)) })
        for (line, message) in found { add(line, message) }
        for (fields, line) in records {
            check(fields, line: line)
            if line > 1 { record(fields, line) }
        }
        if reader.line == 0 { add(1, "no header line") }
    }

    /// Adds a finding made outside this check (keys, the chain) to its list and count.
    public mutating func report(line: Int, _ message: String) {
        add(line, message)
    }

    private mutating func add(_ line: Int, _ message: String) {
        findingCount += 1
        if findings.count < keep { findings.append(Finding(line: line, message: message)) }
    }

    private mutating func check(_ fields: [GdpduRecordReader.Field], line: Int) {
        if line == 1 {
            let names = fields.map { String(decoding: $0.bytes, as: UTF8.self) }
            if names != columns.map(\.name) || fields.contains(where: \.quoted) {
                add(1, "the header line is \(names.joined(separator: ";")), not the declared \(columns.map(\.name).joined(separator: ";"))")
            }
            return
        }
        rows += 1
        guard fields.count == columns.count else {
            add(line, "\(fields.count) fields, not the declared \(columns.count)")
            return
        }
        for (field, column) in zip(fields, columns) {
            if let problem = Self.problem(field, column) { add(line, "\(column.name): \(problem)") }
        }
    }

    /// What is wrong with `field` as a value of `column`, or nil.
    static func problem(_ field: GdpduRecordReader.Field, _ column: GdpduColumn) -> String? {
        let b = field.bytes
        guard String(validating: b, as: UTF8.self) != nil else { return "not UTF-8" }
        switch column.kind {
        case .numeric(let accuracy):
            if b.isEmpty { return field.quoted ? "a quoted empty number" : nil }
            if field.quoted { return "a number in quotes" }
            return isNumber(b, accuracy: accuracy) ? nil
                : accuracy == 0 ? "'\(text(b))' is not an integer" : "'\(text(b))' is not a number with \(accuracy) decimals after a comma"
        case .date:
            if b.isEmpty { return field.quoted ? "a quoted empty date" : nil }
            if field.quoted { return "a date in quotes" }
            return isDate(b) ? nil : "'\(text(b))' is not a date DD.MM.YYYY"
        case .time:
            if b.isEmpty { return nil }
            if !field.quoted { return "an unquoted time" }
            return isTime(b) ? nil : "'\(text(b))' is not a time HH:MM:SS"
        case .alphaNumeric(let maxLength):
            if b.isEmpty { return field.quoted ? "a quoted empty value (empty is an empty field)" : nil }
            if !field.quoted { return "an unquoted text value" }
            let count = GdpduField.characters(b)
            return count > maxLength ? "\(count) characters, more than its MaxLength \(maxLength)" : nil
        }
    }

    static func text(_ b: [UInt8]) -> String { String(decoding: b.prefix(40), as: UTF8.self) }

    static func isDigits(_ b: ArraySlice<UInt8>) -> Bool { !b.isEmpty && b.allSatisfy { $0 >= 0x30 && $0 <= 0x39 } }

    static func isNumber(_ b: [UInt8], accuracy: Int) -> Bool {
        let unsigned = b.first == UInt8(ascii: "-") ? b.dropFirst() : b[...]
        guard accuracy > 0 else { return isDigits(unsigned) }
        let parts = unsigned.split(separator: UInt8(ascii: ","), omittingEmptySubsequences: false)
        return parts.count == 2 && isDigits(parts[0]) && isDigits(parts[1]) && parts[1].count == accuracy
    }

    static func isDate(_ b: [UInt8]) -> Bool { GdpduField.parseDate(b) != nil }

    static func isTime(_ b: [UInt8]) -> Bool {
        guard b.count == 8, b[2] == UInt8(ascii: ":"), b[5] == UInt8(ascii: ":"), isDigits(b[0..<2]), isDigits(b[3..<5]), isDigits(b[6..<8]),
              let h = Int(text(Array(b[0..<2]))), let m = Int(text(Array(b[3..<5]))), let s = Int(text(Array(b[6..<8]))) else { return false }
        return h < 24 && m < 60 && s < 60
    }
}
