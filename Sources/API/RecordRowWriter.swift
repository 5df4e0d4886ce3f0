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
    /// `{"name":` for the first member, `,"name":` for the others.
    private let prefixes: [[UInt8]]
    private let members: [RecordMember<Column>]
    private let columns: [Column]
    /// The binary type each column must have.
    let expectedTypes: [PostgresType]

    init() {
        members = Column.members
        columns = Column.allCases
        expectedTypes = columns.map { RecordSQL.postgresType($0.spec.type) }
        prefixes = members.enumerated().map { i, member in Array(((i == 0 ? "{" : ",") + "\"\(member.name)\":").utf8) }
    }

    /// Checks the result's column names and types once, before any row is written.
    func check(_ result: QueryResult) throws(PostgresError) {
        try RecordSQL.check(result, Column.self)
        guard result.columnTypes == expectedTypes else {
            throw PostgresError(.decoding, "\(Column.table) result types differ from its column description")
        }
    }

    private func fail(_ column: Column, _ what: String) -> PostgresError {
        PostgresError(.decoding, "\(Column.table).\(column.spec.column): \(what)")
    }

    /// The time in `column` of `row`, with the decoders' binary rules.
    func time(_ row: Row, _ column: Column) throws(PostgresError) -> Timestamp? {
        guard let raw = row.rawBytes(at: column.index) else { return nil }
        guard let t = Timestamp(postgresBinary: raw) else { throw fail(column, "an infinite or malformed time") }
        return t
    }

    /// The integer in `column` of `row`.
    func integer(_ row: Row, _ column: Column) throws(PostgresError) -> Int64? {
        guard let raw = row.rawBytes(at: column.index) else { return nil }
        guard let v = Int(postgresBinary: raw, type: expectedTypes[column.index]) else {
            throw fail(column, "not a \(expectedTypes[column.index])")
        }
        return Int64(v)
    }

    /// Room for one member's value beyond its name: the worst case of its rendering.
    private func room(_ row: Row, _ column: Column) throws(PostgresError) -> Int {
        guard let raw = row.rawBytes(at: column.index) else {
            guard column.spec.nullable else { throw fail(column, "NULL in a NOT NULL column") }
            return 4
        }
        switch column.spec.type {
        case .bigint, .smallint, .integer:
            _ = try integer(row, column)
            return 20
        case .text: return UncheckedJSONOutput.stringBound(raw)
        case .jsonObjectText: return raw.count
        case .uuid:
            guard raw.count == 16 else { throw fail(column, "a uuid is not 16 bytes") }
            return 38
        // RFC 3339 with a signed six-digit year at most, quoted.
        case .timestamptz:
            _ = try time(row, column)
            return 40
        case .bytea: return 2 * raw.count + 2
        }
    }

    /// Writes `row` as one JSON object value.
    func write(_ row: Row, to w: inout JSONWriter) throws(PostgresError) {
        // First pass: every field checked (the write below cannot fail) and its room summed.
        var total = 2
        for (i, member) in members.enumerated() {
            total += prefixes[i].count
            switch member {
            case .column(let column): total += try room(row, column)
            case .secondsBetween(_, let from, let to):
                _ = try time(row, from)
                _ = try time(row, to)
                total += 20
            }
        }
        w.rawValue(maxCount: total) { start in
            var o = UncheckedJSONOutput(start)
            for (i, member) in members.enumerated() {
                prefixes[i].withUnsafeBytes { o.bytes($0) }
                switch member {
                case .column(let column):
                    guard let raw = row.rawBytes(at: column.index) else {
                        o.literal("null")
                        continue
                    }
                    switch column.spec.type {
                    case .bigint, .smallint, .integer: o.integer(Int(postgresBinary: raw, type: expectedTypes[column.index]).map(Int64.init))
                    case .text: o.string(utf8: raw)
                    case .jsonObjectText: o.bytes(raw)
                    case .uuid: o.uuid(raw)
                    case .timestamptz: o.timestamp(Timestamp(postgresBinary: raw))
                    case .bytea: o.hex(raw)
                    }
                case .secondsBetween(_, let from, let to):
                    if let s = row.rawBytes(at: from.index).flatMap(Timestamp.init(postgresBinary:)),
                       let f = row.rawBytes(at: to.index).flatMap(Timestamp.init(postgresBinary:)) {
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
