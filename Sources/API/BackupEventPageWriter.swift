import Chronology
import Compliance
import ComplianceStore
import JCS
import Postgres

/// Writes a page of `GET /api/compliance/backup-events` straight from the binary result of
/// `BackupAuditStore.pageResult` (`RecordRowWriter`), with the keyset cursor of its last row.
enum BackupEventPageWriter {
    static let rows = RecordRowWriter<BackupAuditColumn>()

    /// Writes `{"items":[…],"next_cursor":…}` for the first `limit` rows of `result`.
    static func write(_ result: QueryResult, limit: Int, to w: inout JSONWriter) throws(PostgresError) {
        try rows.check(result)
        let count = min(result.count, limit)
        w.beginObject()
        w.key("items")
        w.beginArray()
        for index in 0..<count { try rows.write(result[index], to: &w) }
        w.endArray()
        w.key("next_cursor")
        if result.count > limit, count > 0 {
            let last = result[count - 1]
            guard let occurredAt = try rows.time(last, .occurredAt), let seq = try rows.integer(last, .seq) else {
                throw PostgresError(.decoding, "backup_audit: a NOT NULL column is NULL")
            }
            w.string(BackupEventCursor(occurredAt: occurredAt, seq: seq).encoded)
        } else {
            w.null()
        }
        w.endObject()
    }
}
