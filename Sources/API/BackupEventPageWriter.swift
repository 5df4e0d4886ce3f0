import Chronology
import Compliance
import ComplianceStore
import JCS
import Postgres

/// Writes a page of `GET /api/compliance/backup-events` straight from the binary result of
/// `BackupAuditStore.pageResult`: no `BackupEvent` values, no Strings per field — the hot path
/// of the endpoint (a page of 500 events is 14,000 fields). The output is byte for byte what
/// `BackupEvent.write(to:)` produces for the decoded rows (BackupEventPageWriterTests).
enum BackupEventPageWriter {
    /// The binary types of `BackupAuditStore.columnNames`, checked once per result.
    static let expectedTypes: [PostgresType] = [
        .int8, .uuid, .uuid, .text, .text, .timestamptz, .timestamptz, .text, .int2, .text,
        .timestamptz, .timestamptz, .int8, .int8, .int8, .int8, .text,
        .text, .text, .text, .int4, .text, .text, .text, .text,
        .bytea, .bytea, .bytea,
    ]

    /// Writes `{"items":[…],"next_cursor":…}` for the first `limit` rows of `result`.
    static func write(_ result: QueryResult, limit: Int, to w: inout JSONWriter) throws(PostgresError) {
        guard result.columnTypes == expectedTypes else {
            throw PostgresError(.decoding, "backup_audit result types differ from BackupEventPageWriter.expectedTypes")
        }
        let count = min(result.count, limit)
        var last: (occurredAt: Timestamp, seq: Int64)?
        w.beginObject()
        w.key("items")
        w.beginArray()
        for index in 0..<count {
            last = try writeEvent(result[index], to: &w)
        }
        w.endArray()
        w.key("next_cursor")
        if result.count > limit, let last {
            w.string(BackupEventCursor(occurredAt: last.occurredAt, seq: last.seq).encoded)
        } else {
            w.null()
        }
        w.endObject()
    }

    private static func fail(_ what: String) -> PostgresError { PostgresError(.decoding, "backup_audit: \(what)") }

    private static func writeTimestamp(_ t: Timestamp?, to w: inout JSONWriter) {
        guard let t else { return w.null() }
        t.withRFC3339 { w.asciiString(raw: $0) }
    }

    private static func writeUUID(_ b: UnsafeRawBufferPointer?, to w: inout JSONWriter) throws(PostgresError) {
        guard let b else { return w.null() }
        guard b.count == 16 else { throw fail("uuid of \(b.count) bytes") }
        UUIDText.withText(b) { w.asciiString(raw: $0) }
    }

    /// One event, in `BackupEvent.write(to:)`'s member order; returns its keyset position.
    private static func writeEvent(_ row: Row, to w: inout JSONWriter) throws(PostgresError) -> (occurredAt: Timestamp, seq: Int64) {
        // Integers and times through the ordinary decoders (no allocation); text, uuids and
        // hashes are copied from the raw bytes.
        let seq = try row.decode(Int64.self, at: 0)
        let occurredAt = try row.decode(Timestamp.self, at: 5), recordedAt = try row.decode(Timestamp.self, at: 6)
        let startedAt = try row.decode(Timestamp?.self, at: 10), finishedAt = try row.decode(Timestamp?.self, at: 11)
        guard row.rawBytes(at: 3) != nil, row.rawBytes(at: 4) != nil, let details = row.rawBytes(at: 23),
              let prevHash = row.rawBytes(at: 26), let hash = row.rawBytes(at: 27)
        else { throw fail("a NOT NULL column is NULL") }
        w.beginObject()
        w.key("seq"); w.integer(seq)
        w.key("event_id"); try writeUUID(row.rawBytes(at: 1), to: &w)
        w.key("run_id"); try writeUUID(row.rawBytes(at: 2), to: &w)
        w.key("type"); w.string(utf8: row.rawBytes(at: 3))
        w.key("status"); w.string(utf8: row.rawBytes(at: 4))
        w.key("occurred_at"); writeTimestamp(occurredAt, to: &w)
        w.key("recorded_at"); writeTimestamp(recordedAt, to: &w)
        w.key("stanza"); w.string(utf8: row.rawBytes(at: 7))
        w.key("repo"); w.integer(try row.decode(Int64?.self, at: 8))
        w.key("label"); w.string(utf8: row.rawBytes(at: 9))
        w.key("started_at"); writeTimestamp(startedAt, to: &w)
        w.key("finished_at"); writeTimestamp(finishedAt, to: &w)
        w.key("duration_seconds")
        if let s = startedAt, let f = finishedAt {
            w.integer((f.microsecondsSinceEpoch - s.microsecondsSinceEpoch) / 1_000_000)
        } else {
            w.null()
        }
        w.key("size_bytes"); w.integer(try row.decode(Int64?.self, at: 12))
        w.key("delta_bytes"); w.integer(try row.decode(Int64?.self, at: 13))
        w.key("repo_size_bytes"); w.integer(try row.decode(Int64?.self, at: 14))
        w.key("repo_delta_bytes"); w.integer(try row.decode(Int64?.self, at: 15))
        w.key("wal_start"); w.string(utf8: row.rawBytes(at: 16))
        w.key("wal_stop"); w.string(utf8: row.rawBytes(at: 17))
        w.key("lsn_start"); w.string(utf8: row.rawBytes(at: 18))
        w.key("lsn_stop"); w.string(utf8: row.rawBytes(at: 19))
        w.key("exit_code"); w.integer(try row.decode(Int64?.self, at: 20))
        w.key("error"); w.string(utf8: row.rawBytes(at: 21))
        w.key("host"); w.string(utf8: row.rawBytes(at: 22))
        w.key("details"); w.raw(utf8: details)
        w.key("prev_hash"); w.hex(raw: prevHash)
        w.key("hash"); w.hex(raw: hash)
        w.endObject()
        return (occurredAt, seq)
    }
}
