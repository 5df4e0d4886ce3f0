import Crypto

/// One `migrations/NNNN_name.sql` file: its version, name, text and SHA-256 checksum.
public struct MigrationFile: Sendable, Equatable {
    public let version: Int
    public let name: String
    public let fileName: String
    public let sql: String
    /// Lowercase hex SHA-256 of the file's bytes, recorded in `schema_migrations.checksum`.
    public let checksum: String

    /// Parses a file name `NNNN_name.sql` (four or more digits, then `_`, then `[a-z0-9_]+`).
    public init(fileName: String, contents: [UInt8]) throws(MigrationError) {
        guard fileName.hasSuffix(".sql"),
              let underscore = fileName.firstIndex(of: "_") else { throw MigrationError(.invalidFileName, fileName) }
        let digits = fileName[..<underscore]
        let name = fileName[fileName.index(after: underscore)..<fileName.index(fileName.endIndex, offsetBy: -4)]
        guard digits.count >= 4, digits.utf8.allSatisfy({ $0 >= 48 && $0 <= 57 }),
              !name.isEmpty, name.utf8.allSatisfy({ ($0 >= 97 && $0 <= 122) || ($0 >= 48 && $0 <= 57) || $0 == 95 }),
              let version = Int(digits), version > 0
        else { throw MigrationError(.invalidFileName, fileName) }
        guard let text = String(validating: contents, as: UTF8.self) else {
            throw MigrationError(.invalidEncoding, fileName)
        }
        self.version = version
        self.name = String(name)
        self.fileName = fileName
        self.sql = text
        self.checksum = Hex.encode(SHA256.hash(contents))
    }
}
