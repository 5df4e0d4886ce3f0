import Foundation

/// What the wrapper reads from a pgBackRest command's console output (docs/pgbackrest.md §5):
/// `ERROR: [NNN]: message` lines on stderr (continuation lines indented), `WARN: invalid page
/// checksum` lines, and `INFO: new backup label = <label>` on stdout. Pure: text in, facts out.
public struct PgBackRestOutput: Sendable, Equatable {
    /// The last `ERROR: [NNN]: …` line, from `ERROR:` on, trimmed (at most 1,000 characters).
    public var lastError: String?
    /// The NNN of that line.
    public var lastErrorCode: Int?
    /// A backup that completed but found page-checksum errors (`completed_with_errors`).
    public var pageChecksumWarning: Bool
    /// `INFO: new backup label = …`, when the backup logged it.
    public var newBackupLabel: String?

    public init(_ text: String) {
        lastError = nil
        lastErrorCode = nil
        pageChecksumWarning = false
        newBackupLabel = nil
        for line in text.split(omittingEmptySubsequences: true, whereSeparator: { $0 == "\n" || $0 == "\r" }) {
            if let range = line.range(of: "ERROR: [") {
                let rest = line[range.upperBound...]
                if let close = rest.firstIndex(of: "]"), let code = Int(rest[..<close]), rest[..<close].allSatisfy(\.isASCII) {
                    lastError = String(line[range.lowerBound...].prefix(1000)).trimmingCharacters(in: .whitespaces)
                    lastErrorCode = code
                }
            } else if line.contains("WARN: invalid page checksum") {
                pageChecksumWarning = true
            } else if let range = line.range(of: "new backup label = ") {
                let label = line[range.upperBound...].prefix { !$0.isWhitespace }
                if !label.isEmpty { newBackupLabel = String(label) }
            }
        }
    }
}
