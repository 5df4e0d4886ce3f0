/// The one error type of the `Migrations` module.
public struct MigrationError: Error, Sendable, CustomStringConvertible {
    public enum Code: String, Sendable {
        case directoryNotFound = "directory_not_found"
        case invalidFileName = "invalid_file_name"
        case invalidEncoding = "invalid_encoding"
        case duplicateVersion = "duplicate_version"
        /// An already-applied file was edited: its checksum no longer matches the record.
        case checksumMismatch = "checksum_mismatch"
        /// The database has a migration this build does not know (a newer release applied it).
        case unknownAppliedVersion = "unknown_applied_version"
        /// A migration's SQL failed; it was rolled back.
        case failed
        /// Another `migrate` holds the lock for longer than we wait.
        case locked
    }

    public let code: Code
    /// The file or version the error is about.
    public let subject: String
    public let reason: String?
    public let hint: String?

    public init(_ code: Code, _ subject: String, reason: String? = nil, hint: String? = nil) {
        self.code = code
        self.subject = subject
        self.reason = reason
        self.hint = hint
    }

    public var description: String {
        var text: String
        switch code {
        case .directoryNotFound: text = "migrations directory '\(subject)' not found"
        case .invalidFileName: text = "migration file name '\(subject)' is not NNNN_name.sql"
        case .invalidEncoding: text = "migration '\(subject)' is not valid UTF-8"
        case .duplicateVersion: text = "two migration files share version \(subject)"
        case .checksumMismatch: text = "migration '\(subject)' was changed after it was applied"
        case .unknownAppliedVersion: text = "the database has migration \(subject), which this build does not know"
        case .failed: text = "migration '\(subject)' failed and was rolled back"
        case .locked: text = "another migrate run holds the migration lock"
        }
        if let reason { text += ": \(reason)" }
        if let hint { text += " (hint: \(hint))" }
        return text
    }
}
