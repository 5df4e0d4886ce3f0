import Chronology
import Gdpdu

/// The checks across the records of one data file (docs/gobd-bao-export.md §6 items 7 and 12):
/// each primary key after the one before (unique, in the key's order, in constant memory), every
/// non-empty foreign key found among the keys of the table it references (read before it), the
/// organizations named, and the range of the period's dates. Keys other tables refer to are
/// collected.
struct RecordChecks {
    let table: GdpduTable
    private let keyColumns: [(index: Int, kind: GdpduColumn.Kind)]
    private var previousKey: [[UInt8]]?
    /// Whether another table refers to this one (its keys are collected).
    let collecting: Bool
    private(set) var collected = Set<[UInt8]>()
    private let foreign: [(columns: [Int], references: String, keys: Set<[UInt8]>?)]
    private var reportedMissing = Set<String>()
    private let organizationColumn: Int?
    private(set) var organizations = Set<String>()
    private let dateColumn: Int?
    private(set) var dateRange: (CalendarDate, CalendarDate)?

    /// Columns whose dates must lie in the period: the booking date, the event date.
    static let periodDates = ["booking_date", "event_date"]

    init(table: GdpduTable, tables: [GdpduTable], keys: [String: Set<[UInt8]>]) {
        self.table = table
        let columns = table.allColumns
        keyColumns = table.primaryKey.indices.map { ($0, table.primaryKey[$0].kind) }
        collecting = tables.contains { t in t.foreignKeys.contains { $0.references == table.name } }
        foreign = table.foreignKeys.map { fk in
            (fk.columns.compactMap { name in columns.firstIndex { $0.name == name } }, fk.references, keys[fk.references])
        }
        organizationColumn = columns.firstIndex { $0.name == "organization_id" }
        dateColumn = columns.firstIndex { Self.periodDates.contains($0.name) && $0.kind == .date }
    }

    static func joined(_ fields: [[UInt8]]) -> [UInt8] {
        var out: [UInt8] = []
        for (i, f) in fields.enumerated() {
            if i > 0 { out.append(0x1F) }
            out += f
        }
        return out
    }

    /// What is wrong with this record across records.
    mutating func check(_ fields: [GdpduRecordReader.Field]) -> [String] {
        var problems: [String] = []
        guard fields.count == table.allColumns.count else { return problems }
        let key = keyColumns.map { fields[$0.index].bytes }
        if let previous = previousKey {
            switch Self.compare(previous, key, keyColumns.map(\.kind)) {
            case 0: problems.append("primary key (\(Self.text(key))) repeats the previous record's: keys are not unique")
            case 1: problems.append("primary key (\(Self.text(key))) comes after (\(Self.text(previous))): records are not in key order, uniqueness cannot be shown")
            default: break
            }
        }
        previousKey = key
        if collecting { collected.insert(Self.joined(key)) }
        for fk in foreign {
            let values = fk.columns.map { fields[$0].bytes }
            if values.allSatisfy(\.isEmpty) { continue }
            guard let keys = fk.keys else {
                if reportedMissing.insert(fk.references).inserted {
                    problems.append("refers to \(fk.references), whose records were not read before this file: its keys cannot be resolved")
                }
                continue
            }
            if !keys.contains(Self.joined(values)) { problems.append("foreign key (\(Self.text(values))) is not a key of \(fk.references)") }
        }
        if let o = organizationColumn, organizations.count < 100 { organizations.insert(String(decoding: fields[o].bytes, as: UTF8.self)) }
        if let d = dateColumn, let date = GdpduField.parseDate(fields[d].bytes) {
            dateRange = dateRange.map { (min($0.0, date), max($0.1, date)) } ?? (date, date)
        }
        return problems
    }

    static func text(_ key: [[UInt8]]) -> String {
        key.map { String(decoding: $0.prefix(64), as: UTF8.self) }.joined(separator: ", ")
    }

    /// -1, 0, 1 as `a` sorts before, with or after `b`, column by column by its kind.
    static func compare(_ a: [[UInt8]], _ b: [[UInt8]], _ kinds: [GdpduColumn.Kind]) -> Int {
        for (i, kind) in kinds.enumerated() {
            let c: Int
            switch kind {
            case .numeric(0):
                if let x = Int64(String(decoding: a[i], as: UTF8.self)), let y = Int64(String(decoding: b[i], as: UTF8.self)) {
                    c = x < y ? -1 : x == y ? 0 : 1
                } else {
                    c = bytes(a[i], b[i])
                }
            case .date:
                if let x = GdpduField.parseDate(a[i]), let y = GdpduField.parseDate(b[i]) {
                    c = x < y ? -1 : x == y ? 0 : 1
                } else {
                    c = bytes(a[i], b[i])
                }
            default:
                c = bytes(a[i], b[i])
            }
            if c != 0 { return c }
        }
        return 0
    }

    static func bytes(_ a: [UInt8], _ b: [UInt8]) -> Int {
        a.lexicographicallyPrecedes(b) ? -1 : a == b ? 0 : 1
    }
}
