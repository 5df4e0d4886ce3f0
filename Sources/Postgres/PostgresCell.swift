/// One field of a result row, in binary format, valid while its `QueryResult` is alive.
public struct PostgresCell {
    /// The raw bytes; nil for SQL NULL.
    public let bytes: UnsafeRawBufferPointer?
    /// The column's type as the server reported it.
    public let type: PostgresType
    /// Zero-based row index, for error messages.
    public let row: Int
    /// Where the column name comes from. A result's cells borrow it from the result (no reference
    /// counting per field: decoding a page of events touches thousands of cells); a cell is only
    /// valid while its result is alive anyway, as `bytes` points into it.
    private let name: Name

    private enum Name {
        case given(String)
        case column(Int, of: Unmanaged<ResultStorage>)
    }

    /// The column name, for error messages.
    public var columnName: String {
        switch name {
        case .given(let text): return text
        case .column(let index, let storage): return storage.takeUnretainedValue().columnNames[index]
        }
    }

    /// A cell with its column name spelled out (tests, hand-made values).
    public init(bytes: UnsafeRawBufferPointer?, type: PostgresType, columnName: String, row: Int) {
        self.bytes = bytes
        self.type = type
        self.row = row
        name = .given(columnName)
    }

    /// A cell of `storage`, which must outlive it.
    @usableFromInline
    init(bytes: UnsafeRawBufferPointer?, type: PostgresType, column: Int, of storage: ResultStorage, row: Int) {
        self.bytes = bytes
        self.type = type
        self.row = row
        name = .column(column, of: Unmanaged.passUnretained(storage))
    }

    /// A decoding error naming this cell's column, the expected and the actual type.
    public func mismatch(expected: String, reason: String? = nil) -> PostgresError {
        var message = "column \"\(columnName)\" (row \(row)): expected \(expected), got \(bytes == nil ? "NULL" : type.description)"
        if let reason { message += ": \(reason)" }
        return PostgresError(.decoding, message, column: columnName)
    }

    /// The bytes, or a decoding error if the cell is NULL.
    func nonNull(expected: String) throws(PostgresError) -> UnsafeRawBufferPointer {
        guard let bytes else { throw mismatch(expected: expected) }
        return bytes
    }
}
