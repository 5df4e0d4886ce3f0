import Chronology

/// The columns of one record type, in table order: an enum whose cases are the columns and whose
/// `spec` describes each. The SQL select list, row decoding, the INSERT, JSON, CSV, the page
/// writer and the hash chain all follow from it, so a column exists in one place; a new case
/// breaks the build until every record type that stores it says how (`ColumnRecord`).
public protocol RecordColumns: CaseIterable, Hashable, Sendable where AllCases == [Self] {
    /// The table.
    static var table: String { get }
    var spec: ColumnSpec { get }
    /// Position in table order (the select list's order).
    var index: Int { get }
    /// Every column's SQL name in table order (a record type keeps it in a `static let`: result
    /// checks compare against it on every query).
    static var columnNames: [String] { get }
    /// The members shown in JSON and CSV: the columns, plus derived ones where they belong.
    static var members: [RecordMember<Self>] { get }
}

extension RecordColumns {
    public static var members: [RecordMember<Self>] { allCases.map { .column($0) } }

    public var index: Int { Self.allCases.firstIndex(of: self)! }
    public static var columnNames: [String] { allCases.map { $0.spec.column } }
}

/// One member of a record's JSON and CSV: a column, or a value derived from columns.
public enum RecordMember<Column: RecordColumns>: Sendable, Equatable {
    case column(Column)
    /// Whole seconds from one time column to another (null if either is null).
    case secondsBetween(member: String, from: Column, to: Column)

    public var name: String {
        switch self {
        case .column(let c): c.spec.member
        case .secondsBetween(let member, _, _): member
        }
    }
}

/// A value of a record type that stores `Column`s: read by column, built from a full row.
public protocol ColumnRecord: Sendable {
    associatedtype Column: RecordColumns
    /// The stored value of `column` (NULL for columns the type does not hold).
    func value(_ column: Column) -> ColumnValue
}

/// A record type read back from the table: built from one value per column, in table order.
public protocol DecodableColumnRecord: ColumnRecord {
    init(values: RecordValues<Column>) throws(RecordError)
}

extension ColumnRecord {
    /// The value of a derived or stored member.
    public func value(_ member: RecordMember<Column>) -> ColumnValue {
        switch member {
        case .column(let c):
            return value(c)
        case .secondsBetween(_, let from, let to):
            guard let start = value(from).time, let end = value(to).time else { return .null }
            return .integer(RecordMemberMath.secondsBetween(start, end))
        }
    }
}

/// Shared arithmetic of derived members, so every writer computes them alike.
public enum RecordMemberMath {
    /// Whole seconds from `start` to `end`, truncated toward zero, never trapping.
    public static func secondsBetween(_ start: Timestamp, _ end: Timestamp) -> Int64 {
        let (delta, overflow) = end.microsecondsSinceEpoch.subtractingReportingOverflow(start.microsecondsSinceEpoch)
        if overflow { return end > start ? .max / 1_000_000 : .min / 1_000_000 }
        return delta / 1_000_000
    }
}
