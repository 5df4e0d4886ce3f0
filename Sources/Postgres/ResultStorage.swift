import CLibPQ

/// Owns one `PGresult` and frees it in `deinit`.
///
/// `@unchecked Sendable`: a `PGresult` is immutable once libpq hands it out, and libpq documents
/// results as safe to read from any thread; this class exposes reads only.
@usableFromInline
final class ResultStorage: @unchecked Sendable {
    let handle: OpaquePointer
    let rowCount: Int
    @usableFromInline let columnNames: [String]
    @usableFromInline let columnTypes: [PostgresType]

    init(_ handle: OpaquePointer) {
        self.handle = handle
        rowCount = Int(PQntuples(handle))
        let columns = Int(PQnfields(handle))
        var names: [String] = []
        var types: [PostgresType] = []
        for c in 0..<columns {
            let name = PQfname(handle, Int32(c)).map { String(cString: $0) } ?? "?column?"
            names.append(name)
            types.append(PostgresType(rawValue: PQftype(handle, Int32(c))))
        }
        columnNames = names
        columnTypes = types
    }

    deinit { PQclear(handle) }

    /// The position of the first column named `name`. A linear search: results have a few dozen
    /// columns, and a dictionary built per result cost more than the lookups it served.
    func columnIndex(_ name: String) -> Int? {
        columnNames.firstIndex(of: name)
    }

    /// Rows affected by INSERT/UPDATE/DELETE/COPY (`PQcmdTuples`), 0 when not applicable.
    var affectedRows: Int {
        guard let text = PQcmdTuples(handle) else { return 0 }
        var value = 0
        for c in String(cString: text).utf8 where c >= 48 && c <= 57 { value = value &* 10 &+ Int(c - 48) }
        return value
    }

    @usableFromInline
    func rawBytes(row: Int, column: Int) -> UnsafeRawBufferPointer? {
        let r = Int32(row), c = Int32(column)
        // A NULL has length 0, so only empty fields need the NULL check (two libpq calls per
        // field instead of three on the transcoding hot path).
        let length = PQgetlength(handle, r, c)
        if length == 0 && PQgetisnull(handle, r, c) == 1 { return nil }
        return UnsafeRawBufferPointer(start: PQgetvalue(handle, r, c), count: Int(length))
    }

    @usableFromInline
    func cell(row: Int, column: Int) -> PostgresCell {
        PostgresCell(bytes: rawBytes(row: row, column: column), type: columnTypes[column], column: column, of: self, row: row)
    }
}
