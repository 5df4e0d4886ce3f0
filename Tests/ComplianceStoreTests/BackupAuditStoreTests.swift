import Chronology
import Compliance
import ComplianceStore
import ComplianceTesting
import Foundation
import Postgres
import Testing

/// backup_audit: one global chain; the database's backup-audit-v1 equals the Swift encoding.
@Suite(.serialized) struct BackupAuditStoreTests {
    let pool: ConnectionPool
    let store = BackupAuditStore()

    init() async throws {
        pool = try await TestEnvironment.shared.database("backup-audit").pool(size: 4)
    }

    @Test("single and batched events, with and without NULLs, hash the same in SQL and Swift")
    func hashesAgree() async throws {
        let full = NewBackupEvent(eventID: UUID().uuidString.lowercased(), runID: UUID().uuidString.lowercased(),
                                  type: .backupFull, status: .succeeded, occurredAt: Timestamp(rfc3339: "2026-11-26T00:41:07.5Z"),
                                  stanza: "prod", repo: 1, label: "20261126-003012F",
                                  startedAt: Timestamp(rfc3339: "2026-11-26T00:30:12Z"), finishedAt: Timestamp(rfc3339: "2026-11-26T00:41:07.5Z"),
                                  sizeBytes: 36_845_299, deltaBytes: 36_845_299, repoSizeBytes: 8_038_128, repoDeltaBytes: 8_038_128,
                                  walStart: "000000010000000000000004", walStop: "000000010000000000000004",
                                  lsnStart: "0/4000028", lsnStop: "0/4000100", exitCode: 0, host: "db-prod-1",
                                  details: #"{"annotation":{"audit_event_id":"42"},"note":"Größe"}"#,
                                  idempotencyKey: "key-1", requestSHA256: [UInt8](repeating: 0xab, count: 32))
        let failed = NewBackupEvent(type: .backupDiff, status: .failed, exitCode: 50,
                                    errorMessage: "ERROR: [050]: unable to acquire lock on file '/tmp/x.lock': Resource temporarily unavailable")
        let stored = try await pool.withConnection { c in
            [try await store.append(full, on: c), try await store.append(failed, on: c)]
        }
        _ = try await pool.withConnection { c in
            try await store.append([NewBackupEvent(type: .check, status: .started, stanza: "prod"),
                                    NewBackupEvent(type: .check, status: .succeeded, stanza: "", repo: 2, details: "{}")], on: c)
        }
        #expect(stored[0].sizeBytes == 36_845_299 && stored[0].label == "20261126-003012F" && stored[0].idempotencyKey == "key-1")
        #expect(stored[1].stanza == nil && stored[1].exitCode == 50)
        let all = try await pool.withConnection { try await store.events(afterSeq: 0, limit: 10_000, on: $0) }
        var previous = AuditChain.genesis
        for (i, event) in all.enumerated() {
            #expect(event.seq == Int64(i + 1))
            #expect(event.prevHash == previous)
            #expect(BackupAuditChain.hash(of: event, previousHash: previous) == event.hash, "seq \(event.seq)")
            previous = event.hash
        }
        let head = try await pool.query("SELECT last_seq, last_hash FROM backup_audit_head").single()
        #expect(try head.decode(Int.self, "last_seq") == all.count)
        #expect(try head.decode(PostgresBytes.self, "last_hash").bytes == previous)
        // an empty string and NULL are different values in the chain
        #expect(all.contains { $0.stanza == "" } && all.contains { $0.stanza == nil })
    }

    @Test("invalid events are refused and nothing is stored", arguments: [
        "INSERT INTO backup_audit (event_type, status) VALUES ('backup_weekly', 'succeeded')",
        "INSERT INTO backup_audit (event_type, status) VALUES ('check', 'running')",
        "INSERT INTO backup_audit (event_type, status, details) VALUES ('check', 'failed', '[1]')",
        "INSERT INTO backup_audit (event_type, status, size_bytes) VALUES ('check', 'failed', -1)",
        "INSERT INTO backup_audit (event_type, status, started_at, finished_at) VALUES ('check', 'failed', '2026-01-02', '2026-01-01')",
        // migration 0005: times outside 0001–9999 would hash differently in SQL and Swift
        "INSERT INTO backup_audit (event_type, status, occurred_at) VALUES ('check', 'failed', '0001-06-01 BC')",
        "INSERT INTO backup_audit (event_type, status, occurred_at) VALUES ('check', 'failed', '10000-01-01T00:00:00Z')",
        "INSERT INTO backup_audit (event_type, status, started_at) VALUES ('check', 'failed', '0001-12-31T23:59:59Z BC')",
        "INSERT INTO backup_audit (event_type, status, finished_at) VALUES ('check', 'failed', 'infinity')",
    ])
    func refused(sql: String) async throws {
        let before = try await pool.query("SELECT count(*) AS n FROM backup_audit").single().decode(Int.self, "n")
        await #expect(throws: PostgresError.self) { try await pool.withConnection { try await $0.executeScript(sql) } }
        #expect(try await pool.query("SELECT count(*) AS n FROM backup_audit").single().decode(Int.self, "n") == before)
    }

    @Test("times beyond 0001–9999 bind as ±infinity: bounds compare exactly, nothing fails", arguments: [
        (Int64.min, "-infinity"), (Timestamp.earliest.microsecondsSinceEpoch - 1, "-infinity"),
        (Timestamp.latest.microsecondsSinceEpoch + 1, "infinity"), (Int64.max, "infinity"),
        (Timestamp.earliest.microsecondsSinceEpoch, "0001-01-01T00:00:00.000000Z"),
        (Timestamp.latest.microsecondsSinceEpoch, "9999-12-31T23:59:59.999999Z"),
    ])
    func bindingBeyondTheRange(micros: Int64, expected: String) async throws {
        let t = Timestamp(microsecondsSinceEpoch: micros)
        let row = try await pool.query("""
            SELECT CASE WHEN isfinite(\(t)::timestamptz) THEN to_char(\(t)::timestamptz AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"')
                        ELSE \(t)::timestamptz::text END AS v
            """).single()
        #expect(try row.decode(String.self, "v") == expected)
    }
}
