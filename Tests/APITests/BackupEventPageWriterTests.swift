@testable import API
import Chronology
import Compliance
import ComplianceStore
import ComplianceTesting
import DemoData
import JCS
import Postgres
import Testing

/// The transcoding writer (`RecordRowWriter`) must produce exactly what decoding +
/// `RecordJSONWriter` produce.
@Suite struct BackupEventPageWriterTests {
    @Test("byte for byte equal to the decoded path, with NULLs, escapes, umlauts and every page boundary")
    func equalToDecodedPath() async throws {
        let db = try await TestEnvironment.shared.database("page-writer")
        let pool = db.pool(size: 2)
        var events = DemoBackupHistory(now: Timestamp(rfc3339: "2026-11-26T15:00:00Z")!, days: 3, seed: 5).events()
        events.append(NewBackupEvent(
            eventID: "0b6f7a52-4f0e-4a34-9d55-2b1e8f1c0a11", type: .restoreTest, status: .failed,
            occurredAt: Timestamp(rfc3339: "2026-11-26T16:00:00.000001Z"), stanza: "prod", repo: 256, label: "L\"x\\y",
            startedAt: Timestamp(rfc3339: "1999-12-31T23:59:59.999999Z"), finishedAt: Timestamp(rfc3339: "2026-11-26T16:00:00.5Z"),
            sizeBytes: Int64.max, deltaBytes: 0, walStart: "000000010000000000000004", lsnStart: "0/4000028", exitCode: 29,
            errorMessage: "ERROR: [029]: Prüfung fehlgeschlagen\n\ttab \u{1} ctl 😀", host: "db-ä",
            details: #"{"a":[1,{"b":"c\"d"}],"ü":null}"#))
        _ = try await pool.withConnection { try await BackupAuditStore().append(events, on: $0) }
        // the writer-set columns (bytea and text) through a single append
        _ = try await pool.withConnection {
            try await BackupAuditStore().append(NewBackupEvent(type: .verify, status: .succeeded, occurredAt: Timestamp(rfc3339: "2026-11-26T17:00:00Z"),
                                                               idempotencyKey: "api:k\u{e4}y \"1\"", requestSHA256: Array(0..<32)), on: $0)
        }
        for limit in [1, 7, 50, 500] {
            var query = BackupEventQuery()
            query.limit = limit
            let result = try await pool.withConnection { try await BackupAuditStore().pageResult(query, on: $0) }
            var fast = JSONWriter()
            try BackupEventPageWriter.write(result, limit: limit, to: &fast)

            var decoded = try BackupAuditStore.events(result)
            var next: BackupEventCursor?
            if decoded.count > limit {
                decoded.removeLast(decoded.count - limit)
                next = decoded.last.map { BackupEventCursor(occurredAt: $0.occurredAt, seq: $0.seq) }
            }
            var slow = JSONWriter()
            slow.beginObject()
            slow.key("items")
            slow.beginArray()
            for event in decoded { RecordJSONWriter.write(event, to: &slow) }
            slow.endArray()
            slow.key("next_cursor")
            slow.string(next?.encoded)
            slow.endObject()
            #expect(fast.bytes == slow.bytes, "limit \(limit)")
            let parsed = try JSONParser.parse(fast.bytes)
            // every member of the description, in order, on every item
            for item in parsed["items"]?.array ?? [] {
                #expect(item.members?.map(\.key) == BackupAuditColumn.members.map(\.name))
            }
        }
        await pool.close()
    }
}
