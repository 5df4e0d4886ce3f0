import Chronology

/// One value per column of a record type, in table order, with typed accessors that throw a
/// `RecordError` naming the column instead of trapping (values come from the database).
public struct RecordValues<Column: RecordColumns>: Sendable {
    public private(set) var values: [ColumnValue]

    /// `values` must hold one value per column.
    public init(_ values: [ColumnValue]) throws(RecordError) {
        guard values.count == Column.allCases.count else {
            throw RecordError(column: Column.table, reason: "expected \(Column.allCases.count) values, got \(values.count)")
        }
        self.values = values
    }

    /// Every column NULL (for building a row value by value).
    public init() { values = Array(repeating: .null, count: Column.allCases.count) }

    public subscript(_ column: Column) -> ColumnValue {
        get { values[column.index] }
        set { values[column.index] = newValue }
    }

    private func fail(_ column: Column, _ reason: String) -> RecordError { RecordError(column: column.spec.column, reason: reason) }

    public func integer(_ column: Column) throws(RecordError) -> Int64 {
        guard let v = self[column].integer else { throw fail(column, "expected an integer, got \(self[column])") }
        return v
    }

    public func optionalInteger(_ column: Column) throws(RecordError) -> Int64? {
        if self[column].isNull { return nil }
        return try integer(column)
    }

    /// An integer that must fit `Int` (smallint/integer columns).
    public func optionalInt(_ column: Column) throws(RecordError) -> Int? {
        guard let v = try optionalInteger(column) else { return nil }
        guard let i = Int(exactly: v) else { throw fail(column, "\(v) does not fit Int") }
        return i
    }

    public func text(_ column: Column) throws(RecordError) -> String {
        guard let v = self[column].text else { throw fail(column, "expected text, got \(self[column])") }
        return v
    }

    public func optionalText(_ column: Column) throws(RecordError) -> String? {
        if self[column].isNull { return nil }
        return try text(column)
    }

    public func time(_ column: Column) throws(RecordError) -> Timestamp {
        guard let v = self[column].time else { throw fail(column, "expected a time, got \(self[column])") }
        return v
    }

    public func optionalTime(_ column: Column) throws(RecordError) -> Timestamp? {
        if self[column].isNull { return nil }
        return try time(column)
    }

    public func bytes(_ column: Column) throws(RecordError) -> [UInt8] {
        guard let v = self[column].bytes else { throw fail(column, "expected bytes, got \(self[column])") }
        return v
    }

    public func optionalBytes(_ column: Column) throws(RecordError) -> [UInt8]? {
        if self[column].isNull { return nil }
        return try bytes(column)
    }

    /// A text column holding one of an enum's raw values.
    public func enumeration<E: RawRepresentable>(_ column: Column, _: E.Type) throws(RecordError) -> E where E.RawValue == String {
        let raw = try text(column)
        guard let value = E(rawValue: raw) else { throw fail(column, "unknown value '\(raw.prefix(40))'") }
        return value
    }
}
