/// One field of a result row, in binary format, valid while its `QueryResult` is alive.
public struct PostgresCell {
    /// The raw bytes; nil for SQL NULL.
    public let bytes: UnsafeRawBufferPointer?
    /// The column's type as the server reported it.
    public let type: PostgresType
    /// The column name, for error messages.
    public let columnName: String
    /// Zero-based row index, for error messages.
    public let row: Int

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
