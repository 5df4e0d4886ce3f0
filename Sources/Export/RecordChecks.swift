import Chronology
import Gdpdu
import Glibc

/// The checks across the records of one data file (docs/gobd-bao-export.md §6 items 7 and 12):
/// each primary key after the one before (unique, in the key's order, in constant memory), every
/// non-empty foreign key found among the keys of the table it references (read before it), the
/// organizations named, and the range of the period's dates. Keys other tables refer to are
/// collected. Values are compared in place; nothing is copied per record but the previous key.
struct RecordChecks {
    let table: GdpduTable
    private let keyColumns: [(index: Int, kind: GdpduColumn.Kind)]
    /// The previous record's key: its fields' bytes one after the other, and where each ends.
    private var previous: [UInt8] = []
    private var previousEnds: [Int] = []
    private var hasPrevious = false
    /// Whether another table refers to this one (its keys are collected).
    let collecting: Bool
    private(set) var collected = Set<[UInt8]>()
    private let foreign: [(columns: [Int], references: String, keys: Set<[UInt8]>?)]
    /// Per foreign key the last value found (most records of a file share their organization).
    private var lastResolved: [[UInt8]]
    private var probe: [UInt8] = []
    private var reportedMissing = Set<String>()
    private let organizationColumn: Int?
    private var lastOrganization: [UInt8] = []
    private(set) var organizations = Set<String>()
    private let dateColumn: Int?
    private(set) var dateRange: (CalendarDate, CalendarDate)?
    private let width: Int

    /// Columns whose dates must lie in the period: the booking date, the event date.
    static let periodDates = ["booking_date", "event_date"]

    init(table: GdpduTable, tables: [GdpduTable], keys: [String: Set<[UInt8]>]) {
        self.table = table
        let columns = table.allColumns
        width = columns.count
        keyColumns = table.primaryKey.indices.map { ($0, table.primaryKey[$0].kind) }
        collecting = tables.contains { t in t.foreignKeys.contains { $0.references == table.name } }
        foreign = table.foreignKeys.map { fk in
            (fk.columns.compactMap { name in columns.firstIndex { $0.name == name } }, fk.references, keys[fk.references])
        }
        lastResolved = Array(repeating: [], count: table.foreignKeys.count)
        organizationColumn = columns.firstIndex { $0.name == "organization_id" }
        dateColumn = columns.firstIndex { Self.periodDates.contains($0.name) && $0.kind == .date }
    }

    /// The fields at `columns` joined by U+001F (a key as the sets hold it), into `out`.
    static func join(_ r: GdpduRecord, _ columns: [Int], into out: inout [UInt8]) {
        out.removeAll(keepingCapacity: true)
        for (i, c) in columns.enumerated() {
            if i > 0 { out.append(0x1F) }
            out.append(contentsOf: r[c])
        }
    }

    /// What is wrong with this record across records.
    mutating func check(_ r: GdpduRecord) -> [String] {
        var problems: [String] = []
        guard r.count == width else { return problems }
        if hasPrevious {
            var order = 0
            var start = 0
            for (k, column) in keyColumns.enumerated() {
                let end = previousEnds[k]
                order = previous.withUnsafeBytes { Self.compare(UnsafeRawBufferPointer(rebasing: $0[start..<end]), r[column.index], column.kind) }
                if order != 0 { break }
                start = end
            }
            switch order {
            case 0: problems.append("primary key (\(key(r))) repeats the previous record's: keys are not unique")
            case 1: problems.append("primary key (\(key(r))) comes after the previous record's: records are not in key order, uniqueness cannot be shown")
            default: break
            }
        }
        previous.removeAll(keepingCapacity: true)
        previousEnds.removeAll(keepingCapacity: true)
        for column in keyColumns {
            previous.append(contentsOf: r[column.index])
            previousEnds.append(previous.count)
        }
        hasPrevious = true
        if collecting {
            Self.join(r, keyColumns.map(\.index), into: &probe)
            collected.insert(probe)
        }
        for (n, fk) in foreign.enumerated() {
            if fk.columns.allSatisfy({ r[$0].isEmpty }) { continue }
            if fk.columns.count == 1, Self.same(r[fk.columns[0]], lastResolved[n]) { continue }
            guard let keys = fk.keys else {
                if reportedMissing.insert(fk.references).inserted {
                    problems.append("refers to \(fk.references), whose records were not read before this file: its keys cannot be resolved")
                }
                continue
            }
            Self.join(r, fk.columns, into: &probe)
            if keys.contains(probe) {
                if fk.columns.count == 1 { lastResolved[n] = probe }
            } else {
                problems.append("foreign key (\(fk.columns.map { String(decoding: r[$0], as: UTF8.self) }.joined(separator: ", "))) is not a key of \(fk.references)")
            }
        }
        if let o = organizationColumn, !Self.same(r[o], lastOrganization) {
            lastOrganization = Array(r[o])
            if organizations.count < 100 { organizations.insert(String(decoding: lastOrganization, as: UTF8.self)) }
        }
        if let d = dateColumn, let date = GdpduField.parseDate(r[d]) {
            dateRange = dateRange.map { (min($0.0, date), max($0.1, date)) } ?? (date, date)
        }
        return problems
    }

    /// Byte equality by memcmp.
    @inline(__always)
    static func same(_ a: UnsafeRawBufferPointer, _ b: [UInt8]) -> Bool {
        a.count == b.count && (a.isEmpty || b.withUnsafeBytes { memcmp(a.baseAddress!, $0.baseAddress!, a.count) == 0 })
    }

    func key(_ r: GdpduRecord) -> String {
        keyColumns.map { String(decoding: r[$0.index].prefix(64), as: UTF8.self) }.joined(separator: ", ")
    }

    /// -1, 0, 1 as `a` sorts before, with or after `b`, by the column's kind.
    static func compare(_ a: UnsafeRawBufferPointer, _ b: UnsafeRawBufferPointer, _ kind: GdpduColumn.Kind) -> Int {
        switch kind {
        case .numeric(0):
            if let x = integer(a), let y = integer(b) { return x < y ? -1 : x == y ? 0 : 1 }
        case .date:
            if let x = GdpduField.parseDate(a), let y = GdpduField.parseDate(b) { return x < y ? -1 : x == y ? 0 : 1 }
        default:
            break
        }
        return a.lexicographicallyPrecedes(b) ? -1 : a.elementsEqual(b) ? 0 : 1
    }

    /// `-?\d{1,18}` as a number.
    static func integer(_ b: UnsafeRawBufferPointer) -> Int64? {
        var i = 0
        var negative = false
        if b.first == UInt8(ascii: "-") {
            negative = true
            i = 1
        }
        guard i < b.count, b.count - i <= 18 else { return nil }
        var v: Int64 = 0
        while i < b.count {
            let c = b[i]
            guard c >= 0x30 && c <= 0x39 else { return nil }
            v = v * 10 + Int64(c - 0x30)
            i += 1
        }
        return negative ? -v : v
    }
}
