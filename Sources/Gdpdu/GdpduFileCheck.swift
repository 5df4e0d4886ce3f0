import Chronology

/// Checks one data file against its declaration in `index.xml` (docs/gobd-bao-export.md §6,
/// items 4–6 and 8), record by record in flat memory: the header line is the declared column
/// names in order; every record has the declared number of fields; Numeric values are `-?\d+`
/// or `-?\d+,\d{Accuracy}`, Date values real `DD.MM.YYYY` dates, time columns `HH:MM:SS`;
/// AlphaNumeric values are quoted UTF-8 of at most `MaxLength` characters; Numeric and Date
/// values are never quoted. Every finding names the line; the first `keep` are kept, all counted.
/// Values are judged on the bytes in place (no value is copied on the way).
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
    private var scanner = GdpduRecordScanner()
    private let columns: [GdpduColumn]
    private let kinds: [GdpduColumn.Kind]

    public init(table: GdpduTable, keep: Int = 1000) {
        self.table = table
        self.keep = keep
        columns = table.allColumns
        kinds = columns.map(\.kind)
    }

    public mutating func feed(_ chunk: some Collection<UInt8>) {
        Array(chunk).withUnsafeBytes { feed($0) { _ in } }
    }

    /// Feeds `chunk`; `record` gets every data record after it was checked (for checks across
    /// records: keys, the audit chain).
    public mutating func feed(_ chunk: UnsafeRawBufferPointer, record: (GdpduRecord) -> Void) {
        var s = scanner
        s.feed(chunk, record: { r in
            check(r)
            if r.line > 1 { record(r) }
        }, finding: { add($0, $1) })
        scanner = s
    }

    public mutating func finish() {
        finish { _ in }
    }

    public mutating func finish(record: (GdpduRecord) -> Void) {
        var s = scanner
        s.finish(record: { r in
            check(r)
            if r.line > 1 { record(r) }
        }, finding: { add($0, $1) })
        scanner = s
        if scanner.line == 0 { add(1, "no header line") }
    }

    /// Adds a finding made outside this check (keys, the chain) to its list and count.
    public mutating func report(line: Int, _ message: String) {
        add(line, message)
    }

    private mutating func add(_ line: Int, _ message: String) {
        findingCount += 1
        if findings.count < keep { findings.append(Finding(line: line, message: message)) }
    }

    private mutating func check(_ r: GdpduRecord) {
        if r.line == 1 {
            let names = (0..<r.count).map { String(decoding: r[$0], as: UTF8.self) }
            if names != columns.map(\.name) || (0..<r.count).contains(where: r.isQuoted) {
                add(1, "the header line is \(names.joined(separator: ";")), not the declared \(columns.map(\.name).joined(separator: ";"))")
            }
            return
        }
        rows += 1
        guard r.count == kinds.count else {
            add(r.line, "\(r.count) fields, not the declared \(kinds.count)")
            return
        }
        for i in 0..<kinds.count {
            if let problem = Self.problem(r[i], quoted: r.isQuoted(i), kinds[i]) { add(r.line, "\(columns[i].name): \(problem)") }
        }
    }

    /// What is wrong with a value of a column of `kind`, or nil.
    @inline(__always)
    static func problem(_ b: UnsafeRawBufferPointer, quoted: Bool, _ kind: GdpduColumn.Kind) -> String? {
        switch kind {
        case .numeric(let accuracy):
            if b.isEmpty { return quoted ? "a quoted empty number" : nil }
            if quoted { return "a number in quotes" }
            return isNumber(b, accuracy: accuracy) ? nil
                : accuracy == 0 ? "'\(text(b))' is not an integer" : "'\(text(b))' is not a number with \(accuracy) decimals after a comma"
        case .date:
            if b.isEmpty { return quoted ? "a quoted empty date" : nil }
            if quoted { return "a date in quotes" }
            return GdpduField.parseDate(b) != nil ? nil : "'\(text(b))' is not a date DD.MM.YYYY"
        case .time:
            if b.isEmpty { return nil }
            if !quoted { return "an unquoted time" }
            return isTime(b) ? nil : "'\(text(b))' is not a time HH:MM:SS"
        case .alphaNumeric(let maxLength):
            if b.isEmpty { return quoted ? "a quoted empty value (empty is an empty field)" : nil }
            if !quoted { return "an unquoted text value" }
            guard let count = UTF8Text.characters(b) else { return "not UTF-8" }
            return count > maxLength ? "\(count) characters, more than its MaxLength \(maxLength)" : nil
        }
    }

    static func text(_ b: UnsafeRawBufferPointer) -> String { String(decoding: b.prefix(40), as: UTF8.self) }

    @inline(__always)
    static func isDigits(_ b: UnsafeRawBufferPointer.SubSequence) -> Bool { !b.isEmpty && b.allSatisfy { $0 >= 0x30 && $0 <= 0x39 } }

    static func isNumber(_ b: UnsafeRawBufferPointer, accuracy: Int) -> Bool {
        let unsigned = b.first == UInt8(ascii: "-") ? b.dropFirst() : b[...]
        guard accuracy > 0 else { return isDigits(unsigned) }
        guard unsigned.count > accuracy + 1 else { return false }
        let comma = unsigned.endIndex - accuracy - 1
        return b[comma] == UInt8(ascii: ",") && isDigits(unsigned[unsigned.startIndex..<comma]) && isDigits(unsigned[(comma + 1)...])
    }

    static func isTime(_ b: UnsafeRawBufferPointer) -> Bool {
        guard b.count == 8, b[2] == UInt8(ascii: ":"), b[5] == UInt8(ascii: ":"), isDigits(b[0..<2]), isDigits(b[3..<5]), isDigits(b[6..<8]) else {
            return false
        }
        let h = Int(b[0] - 0x30) * 10 + Int(b[1] - 0x30), m = Int(b[3] - 0x30) * 10 + Int(b[4] - 0x30), s = Int(b[6] - 0x30) * 10 + Int(b[7] - 0x30)
        return h < 24 && m < 60 && s < 60
    }
}
