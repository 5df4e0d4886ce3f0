/// The rows of one completed query, decoded lazily from libpq's binary result.
public struct QueryResult: Sendable, RandomAccessCollection {
    let storage: ResultStorage?

    init(storage: ResultStorage?) { self.storage = storage }

    public var startIndex: Int { 0 }
    public var endIndex: Int { storage?.rowCount ?? 0 }
    public subscript(position: Int) -> Row { Row(storage: storage!, index: position) }

    /// Column names in result order.
    public var columns: [String] { storage?.columnNames ?? [] }

    /// Column types in result order (binary format: they define the bytes of `Row.rawBytes`).
    public var columnTypes: [PostgresType] { storage?.columnTypes ?? [] }

    /// Rows affected by an INSERT, UPDATE, DELETE, MERGE or COPY.
    public var affectedRows: Int { storage?.affectedRows ?? 0 }

    /// The only row, or an error naming how many there were.
    public func single() throws(PostgresError) -> Row {
        guard count == 1 else { throw PostgresError(.decoding, "expected exactly one row, got \(count)") }
        return self[0]
    }
}

/// One result row. Fields are decoded on access, by position or by column name.
public struct Row: Sendable {
    @usableFromInline let storage: ResultStorage
    /// Zero-based row index.
    public let index: Int

    /// The field's binary bytes without decoding (nil for SQL NULL), valid while the result is
    /// alive: for transcoders that write a response straight from the result. The column must
    /// exist; the caller checks `QueryResult.columnTypes` once per result.
    @inlinable
    public func rawBytes(at column: Int) -> UnsafeRawBufferPointer? {
        storage.rawBytes(row: index, column: column)
    }

    /// Decodes the field at `column` (zero-based). Inlinable so that callers get it specialized
    /// for their type (no generic metadata lookups per field on the API's hot path).
    @inlinable
    public func decode<T: PostgresDecodable>(_ type: T.Type = T.self, at column: Int) throws(PostgresError) -> T {
        guard column >= 0, column < storage.columnNames.count else {
            throw PostgresError(.decoding, "column index \(column) out of range (\(storage.columnNames.count) columns)")
        }
        return try T.decode(from: storage.cell(row: index, column: column))
    }

    /// Decodes the field named `column` (the first one, if several share the name).
    public func decode<T: PostgresDecodable>(_ type: T.Type = T.self, _ column: String) throws(PostgresError) -> T {
        guard let position = storage.columnIndex(column) else {
            throw PostgresError(.decoding, "no column \"\(column)\" in result", column: column)
        }
        return try T.decode(from: storage.cell(row: index, column: position))
    }

    /// True when the named field is SQL NULL.
    public func isNull(_ column: String) -> Bool {
        guard let position = storage.columnIndex(column) else { return true }
        return storage.cell(row: index, column: position).bytes == nil
    }
}
