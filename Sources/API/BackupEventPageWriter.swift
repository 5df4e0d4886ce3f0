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

    /// Room for one event beyond its variable-length fields: member names and punctuation
    /// (~330 bytes), two uuids, four times (at most 36 each, wide years included), seven integers,
    /// two hashes of 32 bytes in hex, with ample slack.
    static let fixedRoom = 1536

    /// One event, in `BackupEvent.write(to:)`'s member order; returns its keyset position.
    /// Integers and times are read with the decoders' binary rules (`Int(postgresBinary:)`,
    /// `Timestamp(postgresBinary:)`); text, uuids and hashes are copied from the raw bytes,
    /// straight into room reserved for the worst case.
    private static func writeEvent(_ row: Row, to w: inout JSONWriter) throws(PostgresError) -> (occurredAt: Timestamp, seq: Int64) {
        // The column types were checked once for the result (`expectedTypes`); a field that does
        // not decode is an error naming its column, as with the ordinary decoders.
        func integer(_ column: Int) throws(PostgresError) -> Int64? {
            guard let raw = row.rawBytes(at: column) else { return nil }
            guard let value = Int(postgresBinary: raw, type: expectedTypes[column]) else {
                throw fail("\(BackupAuditStore.columnNames[column]): not a \(expectedTypes[column])")
            }
            return Int64(value)
        }
        func time(_ column: Int) throws(PostgresError) -> Timestamp? {
            guard let raw = row.rawBytes(at: column) else { return nil }
            guard let value = Timestamp(postgresBinary: raw) else {
                throw fail("\(BackupAuditStore.columnNames[column]): an infinite or malformed time")
            }
            return value
        }
        guard let seq = try integer(0), let occurredAt = try time(5), let recordedAt = try time(6) else {
            throw fail("a NOT NULL column is NULL")
        }
        let startedAt = try time(10), finishedAt = try time(11)
        let repo = try integer(8), exitCode = try integer(20)
        let sizes = (try integer(12), try integer(13), try integer(14), try integer(15))
        guard let eventID = row.rawBytes(at: 1), let type = row.rawBytes(at: 3), let status = row.rawBytes(at: 4),
              let details = row.rawBytes(at: 23), let prevHash = row.rawBytes(at: 26), let hash = row.rawBytes(at: 27)
        else { throw fail("a NOT NULL column is NULL") }
        let runID = row.rawBytes(at: 2)
        guard eventID.count == 16, runID == nil || runID?.count == 16 else { throw fail("a uuid is not 16 bytes") }
        let stanza = row.rawBytes(at: 7), label = row.rawBytes(at: 9)
        let wal = (row.rawBytes(at: 16), row.rawBytes(at: 17), row.rawBytes(at: 18), row.rawBytes(at: 19))
        let error = row.rawBytes(at: 21), host = row.rawBytes(at: 22)
        let bound = UncheckedJSONOutput.stringBound
        let room = fixedRoom + details.count + 2 * (prevHash.count + hash.count)
            + bound(type) + bound(status) + bound(stanza) + bound(label) + bound(wal.0) + bound(wal.1)
            + bound(wal.2) + bound(wal.3) + bound(error) + bound(host)
        w.rawValue(maxCount: room) { start in
            var o = UncheckedJSONOutput(start)
            o.literal(#"{"seq":"#); o.integer(seq)
            o.literal(#","event_id":"#); o.uuid(eventID)
            o.literal(#","run_id":"#)
            if let runID { o.uuid(runID) } else { o.literal("null") }
            o.literal(#","type":"#); o.string(utf8: type)
            o.literal(#","status":"#); o.string(utf8: status)
            o.literal(#","occurred_at":"#); o.timestamp(occurredAt)
            o.literal(#","recorded_at":"#); o.timestamp(recordedAt)
            o.literal(#","stanza":"#); o.string(utf8: stanza)
            o.literal(#","repo":"#); o.integer(repo)
            o.literal(#","label":"#); o.string(utf8: label)
            o.literal(#","started_at":"#); o.timestamp(startedAt)
            o.literal(#","finished_at":"#); o.timestamp(finishedAt)
            o.literal(#","duration_seconds":"#)
            if let s = startedAt, let f = finishedAt {
                o.integer((f.microsecondsSinceEpoch - s.microsecondsSinceEpoch) / 1_000_000)
            } else {
                o.literal("null")
            }
            o.literal(#","size_bytes":"#); o.integer(sizes.0)
            o.literal(#","delta_bytes":"#); o.integer(sizes.1)
            o.literal(#","repo_size_bytes":"#); o.integer(sizes.2)
            o.literal(#","repo_delta_bytes":"#); o.integer(sizes.3)
            o.literal(#","wal_start":"#); o.string(utf8: wal.0)
            o.literal(#","wal_stop":"#); o.string(utf8: wal.1)
            o.literal(#","lsn_start":"#); o.string(utf8: wal.2)
            o.literal(#","lsn_stop":"#); o.string(utf8: wal.3)
            o.literal(#","exit_code":"#); o.integer(exitCode)
            o.literal(#","error":"#); o.string(utf8: error)
            o.literal(#","host":"#); o.string(utf8: host)
            o.literal(#","details":"#); o.bytes(details)
            o.literal(#","prev_hash":"#); o.hex(prevHash)
            o.literal(#","hash":"#); o.hex(hash)
            o.byte(UInt8(ascii: "}"))
            return o.count
        }
        return (occurredAt, seq)
    }
}
