import Chronology
import Crypto

/// One field of a record, as the generic layers (SQL, JSON, CSV, hash chain) see it. uuids and
/// JSON object texts are `.text`; the column's `ColumnType` tells them apart.
public enum ColumnValue: Sendable, Equatable {
    case null
    case integer(Int64)
    case text(String)
    case time(Timestamp)
    case bytes([UInt8])

    public var isNull: Bool { self == .null }

    /// PostgreSQL's `::text` rendering of the value as the chain encodings hash it
    /// (docs/audit-chain.md): decimal integers, the text itself, times as `audit_time_text`
    /// (RFC 3339 UTC, six fraction digits), bytes as lowercase hex; nil for NULL.
    public var textForm: String? {
        switch self {
        case .null: nil
        case .integer(let i): String(i)
        case .text(let s): s
        case .time(let t): t.rfc3339
        case .bytes(let b): Hex.encode(b)
        }
    }

    public var integer: Int64? { if case .integer(let i) = self { i } else { nil } }
    public var text: String? { if case .text(let s) = self { s } else { nil } }
    public var time: Timestamp? { if case .time(let t) = self { t } else { nil } }
    public var bytes: [UInt8]? { if case .bytes(let b) = self { b } else { nil } }
}

extension Optional where Wrapped == String {
    /// `.text`, or `.null` for nil.
    public var columnValue: ColumnValue { map { .text($0) } ?? .null }
}

extension Optional where Wrapped == Timestamp {
    public var columnValue: ColumnValue { map { .time($0) } ?? .null }
}

extension Optional where Wrapped == Int64 {
    public var columnValue: ColumnValue { map { .integer($0) } ?? .null }
}

extension Optional where Wrapped == Int {
    public var columnValue: ColumnValue { map { .integer(Int64($0)) } ?? .null }
}

extension Optional where Wrapped == [UInt8] {
    public var columnValue: ColumnValue { map { .bytes($0) } ?? .null }
}
