import Compliance
import Crypto

/// The backup history as CSV (RFC 4180: CRLF lines, fields with comma, quote or line break
/// quoted, quotes doubled).
enum BackupEventCSV {
    static let columns = ["seq", "event_id", "run_id", "type", "status", "occurred_at", "recorded_at", "stanza", "repo", "label",
                          "started_at", "finished_at", "size_bytes", "delta_bytes", "repo_size_bytes", "repo_delta_bytes",
                          "wal_start", "wal_stop", "lsn_start", "lsn_stop", "exit_code", "error", "host", "details", "hash"]

    static func render(_ events: [BackupEvent]) -> String {
        var out = columns.joined(separator: ",") + "\r\n"
        for e in events {
            let fields: [String?] = [String(e.seq), e.eventID, e.runID, e.type.rawValue, e.status.rawValue, e.occurredAt.rfc3339,
                                     e.recordedAt.rfc3339, e.stanza, e.repo.map(String.init), e.label, e.startedAt?.rfc3339,
                                     e.finishedAt?.rfc3339, e.sizeBytes.map { String($0) }, e.deltaBytes.map { String($0) },
                                     e.repoSizeBytes.map { String($0) }, e.repoDeltaBytes.map { String($0) }, e.walStart, e.walStop,
                                     e.lsnStart, e.lsnStop, e.exitCode.map(String.init), e.errorMessage, e.host, e.details,
                                     Hex.encode(e.hash)]
            out += fields.map { quote($0 ?? "") }.joined(separator: ",") + "\r\n"
        }
        return out
    }

    static func quote(_ field: String) -> String {
        guard field.contains(where: { $0 == "," || $0 == "\"" || $0 == "\n" || $0 == "\r" }) else { return field }
        return "\"" + field.replacingOccurrences(of: "\"", with: "\"\"") + "\""
    }
}

private extension String {
    func replacingOccurrences(of target: String, with replacement: String) -> String {
        split(separator: Character(target), omittingEmptySubsequences: false).joined(separator: replacement)
    }
}
