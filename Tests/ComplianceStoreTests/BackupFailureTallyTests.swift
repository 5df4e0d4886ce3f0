import Compliance
import ComplianceStore
import ComplianceTesting
import Postgres
import Testing

/// Failure counts kept between scrapes: equal to a full count after every append, and counted
/// anew when the history behind them is another one.
@Suite struct BackupFailureTallyTests {
    /// The reference: every failure counted from scratch.
    static func fullCount(_ pool: ConnectionPool) async throws -> [String: [String: Int64]] {
        var counts: [String: [String: Int64]] = [:]
        for row in try await pool.query("""
            SELECT stanza, event_type, count(*) AS n FROM backup_audit
            WHERE status = 'failed' AND stanza IS NOT NULL GROUP BY stanza, event_type
            """) {
            counts[try row.decode(String.self, "stanza"), default: [:]][try row.decode(String.self, "event_type")] = try row.decode(Int64.self, "n")
        }
        return counts
    }

    static func append(_ pool: ConnectionPool, _ events: [NewBackupEvent]) async throws {
        _ = try await pool.withConnection { try await BackupAuditStore().append(events, on: $0) }
    }

    @Test("after each append the kept counts equal a full count, new stanzas and types included")
    func incremental() async throws {
        let pool = try await TestEnvironment.shared.database("failure-tally").pool(size: 2)
        let tally = BackupFailureTally()
        #expect(try await pool.withConnection { try await tally.counts(on: $0) }.isEmpty)
        let batches: [[NewBackupEvent]] = [
            [NewBackupEvent(type: .backupFull, status: .failed, stanza: "prod"),
             NewBackupEvent(type: .backupFull, status: .succeeded, stanza: "prod"),
             NewBackupEvent(type: .check, status: .failed)],   // no stanza: not counted
            [NewBackupEvent(type: .backupDiff, status: .failed, stanza: "prod"),
             NewBackupEvent(type: .backupDiff, status: .failed, stanza: "prod")],
            [],
            [NewBackupEvent(type: .restoreTest, status: .failed, stanza: "dr"),
             NewBackupEvent(type: .backupFull, status: .failed, stanza: "prod"),
             NewBackupEvent(type: .backupFull, status: .started, stanza: "prod")],
        ]
        for batch in batches {
            if !batch.isEmpty { try await Self.append(pool, batch) }
            let kept = try await pool.withConnection { try await tally.counts(on: $0) }
            #expect(kept == (try await Self.fullCount(pool)))
        }
        #expect(try await pool.withConnection { try await tally.counts(on: $0) }
                == ["prod": ["backup_full": 2, "backup_diff": 2], "dr": ["restore_test": 1]])
        await pool.close()
    }

    @Test("pointed at another history (a restore, another database) it counts everything anew")
    func otherHistory() async throws {
        let first = try await TestEnvironment.shared.database("failure-tally-a").pool(size: 1)
        let second = try await TestEnvironment.shared.database("failure-tally-b").pool(size: 1)
        // Overlapping seq ranges: at seq 4 only the chain hash tells the histories apart.
        try await Self.append(first, (0..<4).map { _ in NewBackupEvent(type: .backupFull, status: .failed, stanza: "a") })
        try await Self.append(second, (0..<4).map { _ in NewBackupEvent(type: .backupDiff, status: .failed, stanza: "b") }
                                      + [NewBackupEvent(type: .backupDiff, status: .failed, stanza: "b")])
        let tally = BackupFailureTally()
        #expect(try await first.withConnection { try await tally.counts(on: $0) } == (try await Self.fullCount(first)))
        #expect(try await second.withConnection { try await tally.counts(on: $0) } == ["b": ["backup_diff": 5]])
        #expect(try await first.withConnection { try await tally.counts(on: $0) } == ["a": ["backup_full": 4]])
        await first.close()
        await second.close()
    }
}
