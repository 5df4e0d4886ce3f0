import Chronology
import Compliance
import Crypto
import Postgres

/// The SQL of a record type, generated from its column description (`RecordColumns`): the select
/// list, row decoding by position, the single and the batched INSERT. Identifiers come only from
/// the description (string literals in the code), values are always bound.
public enum RecordSQL {
    /// `seq, event_id, …`: every column in table order.
    public static func selectList<Column: RecordColumns>(_: Column.Type) -> Query {
        Query(unsafeSQL: Column.allCases.map(\.spec.column).joined(separator: ", "))
    }

    /// The binary type a result column of `type` has.
    public static func postgresType(_ type: ColumnType) -> PostgresType {
        switch type {
        case .bigint: .int8
        case .smallint: .int2
        case .integer: .int4
        case .text, .jsonObjectText: .text
        case .uuid: .uuid
        case .timestamptz: .timestamptz
        case .bytea: .bytea
        }
    }

    /// Checks that `result` has exactly the columns of the description (positional decoding is
    /// what keeps a page of 500 records cheap).
    public static func check<Column: RecordColumns>(_ result: QueryResult, _: Column.Type) throws(PostgresError) {
        guard result.columns == Column.columnNames else {
            throw PostgresError(.decoding, "\(Column.table) result columns differ from its column description")
        }
    }

    /// The records of a result selected with `selectList`.
    public static func records<R: DecodableColumnRecord>(_ result: QueryResult, as _: R.Type = R.self) throws -> [R] {
        try check(result, R.Column.self)
        return try result.map { row in
            do {
                return try R(values: try values(row, R.Column.self))
            } catch let error as RecordError {
                throw PostgresError(.decoding, "\(R.Column.table) row \(row.index): \(error.description)")
            }
        }
    }

    /// One value per column of `row`, by position, NOT NULL columns checked.
    public static func values<Column: RecordColumns>(_ row: Row, _: Column.Type) throws(PostgresError) -> RecordValues<Column> {
        var values = RecordValues<Column>()
        for (i, column) in Column.allCases.enumerated() {
            let spec = column.spec
            let value: ColumnValue
            switch spec.type {
            case .bigint, .smallint, .integer: value = try row.decode(Int64?.self, at: i).columnValue
            case .text, .uuid, .jsonObjectText: value = try row.decode(String?.self, at: i).columnValue
            case .timestamptz: value = try row.decode(Timestamp?.self, at: i).columnValue
            case .bytea: value = try row.decode(PostgresBytes?.self, at: i).map { .bytes($0.bytes) } ?? .null
            }
            if value.isNull && !spec.nullable {
                throw PostgresError(.decoding, "\(Column.table).\(spec.column) (row \(row.index)) is NULL but declared NOT NULL")
            }
            values[column] = value
        }
        return values
    }

    /// A value bound with its column's type (times beyond 0001–9999 as ±infinity, see
    /// `Timestamp.postgresBinding`).
    public static func binding(_ value: ColumnValue, _ type: ColumnType) -> PostgresBinding {
        switch value {
        case .null: return .null(type: postgresType(type))
        case .integer(let i): return .text(String(i), type: postgresType(type))
        case .text(let s): return .text(s, type: postgresType(type))
        case .time(let t): return t.postgresBinding
        case .bytes(let b): return PostgresBytes(b).postgresBinding
        }
    }

    /// `INSERT INTO <table> (<written columns>) VALUES ($1, …)` for `record`, without RETURNING.
    public static func insert<R: ColumnRecord>(_ record: R) -> Query {
        let columns = R.Column.allCases.filter(\.spec.isWritten)
        let placeholders = (1...columns.count).map { "$\($0)" }.joined(separator: ", ")
        return Query(unsafeSQL: "INSERT INTO \(R.Column.table) (\(columns.map(\.spec.column).joined(separator: ", "))) VALUES (\(placeholders))",
                     bindings: columns.map { binding(record.value($0), $0.spec.type) })
    }

    /// One INSERT of many records, in array order (one `text[]` per column, cast back in SQL):
    /// for bulk loads. `columns` are the written columns to fill; the others get their defaults.
    public static func insertMany<R: ColumnRecord>(_ records: [R], columns: [R.Column]) -> Query {
        let names = columns.map(\.spec.column)
        let arrays = (1...columns.count).map { "$\($0)::text[]" }.joined(separator: ", ")
        let casts = columns.map { "\($0.spec.column)::\($0.spec.type.sqlName)" }.joined(separator: ", ")
        let sql = "INSERT INTO \(R.Column.table) (\(names.joined(separator: ", "))) SELECT \(casts) FROM unnest(\(arrays))"
            + " WITH ORDINALITY AS t(\(names.joined(separator: ", ")), n) ORDER BY n"
        let bindings = columns.map { column in records.map { sqlText(of: $0.value(column)) }.postgresBinding }
        return Query(unsafeSQL: sql, bindings: bindings)
    }

    /// PostgreSQL's text input for a value (nil for NULL).
    static func sqlText(of value: ColumnValue) -> String? {
        switch value {
        case .null: nil
        case .integer(let i): String(i)
        case .text(let s): s
        case .time(let t): t.postgresBinding.bytes.map { String(decoding: $0, as: UTF8.self) }
        case .bytes(let b): "\\x" + Hex.encode(b)
        }
    }
}
