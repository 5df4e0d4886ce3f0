import Chronology
import Compliance
import ComplianceStore
import JCS
import Postgres

/// Writes rows of a record type as JSON objects straight from libpq's binary result, from the
/// column description: no record values, no Strings per field — the hot path of list endpoints
/// (a page of 500 backup events is 14,500 fields). The output is byte for byte what
/// `RecordJSONWriter` writes for the decoded rows (RecordRowWriterTests).
struct RecordRowWriter<Column: RecordColumns>: Sendable {
    /// One member as the writer needs it, resolved once from the description (no `spec` per
    /// field: 14,500 fields a page).
    enum Step: Sendable {
        case column(index: Int, type: ColumnType, nullable: Bool)
        case secondsBetween(from: Int, to: Int)
    }

    /// `{"name":` for the first member, `,"name":` for the others, all in one buffer;
    /// member `i` is `prefixBytes[prefixStart[i]..<prefixStart[i + 1]]`.
    private let prefixBytes: [UInt8]
    private let prefixStart: [Int]
    private let steps: [Step]
    private let columns: [Column]
    /// The binary type each column must have.
    let expectedTypes: [PostgresType]

    init() {
        columns = Column.allCases
        expectedTypes = columns.map { RecordSQL.postgresType($0.spec.type) }
        let members = Column.members
        steps = members.map { member in
            switch member {
            case .column(let c): .column(index: c.index, type: c.spec.type, nullable: c.spec.nullable)
            case .secondsBetween(_, let from, let to): .secondsBetween(from: from.index, to: to.index)
            }
        }
        var bytes: [UInt8] = []
        var starts: [Int] = []
        for (i, member) in members.enumerated() {
            starts.append(bytes.count)
            bytes += Array(((i == 0 ? "{" : ",") + "\"\(member.name)\":").utf8)
        }
        starts.append(bytes.count)
        prefixBytes = bytes
        prefixStart = starts
    }

    /// Checks the result's column names and types once, before any row is written.
    func check(_ result: QueryResult) throws(PostgresError) {
        try RecordSQL.check(result, Column.self)
        guard result.columnTypes == expectedTypes else {
            throw PostgresError(.decoding, "\(Column.table) result types differ from its column description")
        }
    }

    private func fail(_ index: Int, _ what: String) -> PostgresError {
        PostgresError(.decoding, "\(Column.table).\(columns[index].spec.column): \(what)")
    }

    /// The time in `column` of `row`, with the decoders' binary rules.
    func time(_ row: Row, _ column: Column) throws(PostgresError) -> Timestamp? { try time(row, at: column.index) }

    /// The integer in `column` of `row`.
    func integer(_ row: Row, _ column: Column) throws(PostgresError) -> Int64? { try integer(row, at: column.index) }

    private func time(_ row: Row, at index: Int) throws(PostgresError) -> Timestamp? {
        guard let raw = row.rawBytes(at: index) else { return nil }
        guard let t = Timestamp(postgresBinary: raw) else { throw fail(index, "an infinite or malformed time") }
        return t
    }

    private func integer(_ row: Row, at index: Int) throws(PostgresError) -> Int64? {
        guard let raw = row.rawBytes(at: index) else { return nil }
        guard let v = Int(postgresBinary: raw, type: expectedTypes[index]) else { throw fail(index, "not a \(expectedTypes[index])") }
        return Int64(v)
    }

    /// Room for one member's value beyond its name: the worst case of its rendering.
    private func room(_ raw: UnsafeRawBufferPointer?, _ index: Int, _ type: ColumnType, _ nullable: Bool) throws(PostgresError) -> Int {
        guard let raw else {
            guard nullable else { throw fail(index, "NULL in a NOT NULL column") }
            return 4
        }
        switch type {
        case .bigint, .smallint, .integer:
            guard Int(postgresBinary: raw, type: expectedTypes[index]) != nil else { throw fail(index, "not a \(expectedTypes[index])") }
            return 20
        case .text: return UncheckedJSONOutput.stringBound(raw)
        case .jsonObjectText: return raw.count
        case .uuid:
            guard raw.count == 16 else { throw fail(index, "a uuid is not 16 bytes") }
            return 38
        // RFC 3339 with a signed six-digit year at most, quoted.
        case .timestamptz:
            guard Timestamp(postgresBinary: raw) != nil else { throw fail(index, "an infinite or malformed time") }
            return 40
        case .bytea: return 2 * raw.count + 2
        }
    }

    /// Writes `row` as one JSON object value.
    func write(_ row: Row, to w: inout JSONWriter) throws(PostgresError) {
        let count = columns.count
        try withUnsafeTemporaryAllocation(of: UnsafeRawBufferPointer?.self, capacity: count) { fields throws(PostgresError) in
            // Each field's bytes once (two libpq calls each), kept for both passes.
            for index in 0..<count { fields[index] = row.rawBytes(at: index) }
            // First pass: every field checked (the write below cannot fail) and its room summed.
            var total = 2 + prefixBytes.count
            for step in steps {
                switch step {
                case .column(let index, let type, let nullable): total += try room(fields[index], index, type, nullable)
                case .secondsBetween(let from, let to):
                    if let raw = fields[from], Timestamp(postgresBinary: raw) == nil { throw fail(from, "an infinite or malformed time") }
                    if let raw = fields[to], Timestamp(postgresBinary: raw) == nil { throw fail(to, "an infinite or malformed time") }
                    total += 20
                }
            }
            prefixBytes.withUnsafeBytes { prefixes in
                w.rawValue(maxCount: total) { start in
                    var o = UncheckedJSONOutput(start)
                    for (i, step) in steps.enumerated() {
                        o.bytes(UnsafeRawBufferPointer(rebasing: prefixes[prefixStart[i]..<prefixStart[i + 1]]))
                        switch step {
                        case .column(let index, let type, _):
                            guard let raw = fields[index] else {
                                o.literal("null")
                                continue
                            }
                            switch type {
                            case .bigint, .smallint, .integer: o.integer(Int(postgresBinary: raw, type: expectedTypes[index]).map(Int64.init))
                            case .text: o.string(utf8: raw)
                            case .jsonObjectText: o.bytes(raw)
                            case .uuid: o.uuid(raw)
                            case .timestamptz: o.timestamp(Timestamp(postgresBinary: raw))
                            case .bytea: o.hex(raw)
                            }
                        case .secondsBetween(let from, let to):
                            if let s = fields[from].flatMap(Timestamp.init(postgresBinary:)),
                               let f = fields[to].flatMap(Timestamp.init(postgresBinary:)) {
                                o.integer(RecordMemberMath.secondsBetween(s, f))
                            } else {
                                o.literal("null")
                            }
                        }
                    }
                    o.byte(UInt8(ascii: "}"))
                    return o.count
                }
            }
        }
    }
}
