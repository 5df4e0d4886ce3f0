import Chronology
import Compliance
import JCS
import Postgres

/// Turns `pg_stat_archiver` into evidence (seed: "audit events for all backup actions"): the
/// postmaster runs `archive_command` itself, so no wrapper sees a failed archive-push. When
/// `failed_count` has risen since the last recorded `wal_archive` failure, a `failed` event is
/// written (the new failures, the last failed segment and time); when archiving has succeeded
/// after the newest recorded failure, one `succeeded` event marks the recovery. Each event has
/// an idempotency key derived from the statistics, so several servers polling the same database
/// record each change once. Called periodically by `serve` and after every `backup run`.
public struct WalArchiveMonitor: Sendable {
    public init() {}

    /// Checks once; returns the events written (empty when nothing changed or archiving is off).
    @discardableResult
    public func check(on connection: PooledConnection, host: String? = nil) async throws -> [BackupEvent] {
        let stats = try await connection.query("""
            SELECT current_setting('archive_mode') <> 'off' AS enabled, archived_count, failed_count,
                   last_archived_wal, last_archived_time, last_failed_wal, last_failed_time,
                   coalesce(stats_reset, 'epoch'::timestamptz) AS stats_reset
            FROM pg_stat_archiver
            """).single()
        guard try stats.decode(Bool.self, "enabled") else { return [] }
        let failedCount = try stats.decode(Int64.self, "failed_count")
        let statsReset = try stats.decode(Timestamp.self, "stats_reset")
        let lastFailedTime = try stats.decode(Timestamp?.self, "last_failed_time")
        let lastArchivedTime = try stats.decode(Timestamp?.self, "last_archived_time")

        // The newest recorded failure: its counter and statistics epoch.
        let previous = try await connection.query("""
            SELECT occurred_at, details FROM backup_audit
            WHERE event_type = 'wal_archive' AND status = 'failed'
            ORDER BY occurred_at DESC, seq DESC LIMIT 1
            """).first
        var previousCount: Int64 = 0
        var previousAt: Timestamp?
        if let previous {
            previousAt = try previous.decode(Timestamp.self, "occurred_at")
            let details = try JSONParser.parse(Array(try previous.decode(String.self, "details").utf8), mode: .lenient)
            if details["stats_reset"]?.string == statsReset.rfc3339 { previousCount = details["failed_count"]?.integer ?? 0 }
        }
        let store = BackupAuditStore()
        var written: [BackupEvent] = []
        if failedCount > previousCount, let lastFailedTime {
            let new = failedCount - previousCount
            let wal = try stats.decode(String?.self, "last_failed_wal") ?? "?"
            let details: CanonicalJSON = .object([
                "failed_count": .integer(failedCount), "new_failures": .integer(new),
                "stats_reset": .string(statsReset.rfc3339), "last_failed_wal": .string(wal),
                "source": .string("pg_stat_archiver"),
            ])
            let event = NewBackupEvent(
                type: .walArchive, status: .failed, occurredAt: lastFailedTime,
                errorMessage: "archive_command failed for WAL segment \(wal) (\(new) new failure\(new == 1 ? "" : "s"))", host: host,
                details: details.text,
                idempotencyKey: "wal_archive:failed:\(statsReset.microsecondsSinceEpoch):\(failedCount)")
            let (stored, created) = try await store.appendIdempotent(event, on: connection)
            if created { written.append(stored) }
            previousAt = lastFailedTime
        }
        // Recovered: a successful archive after the newest recorded failure, not yet recorded.
        if let failedAt = previousAt, let archivedAt = lastArchivedTime, archivedAt > failedAt,
           lastFailedTime.map({ archivedAt > $0 }) ?? true {
            let wal = try stats.decode(String?.self, "last_archived_wal") ?? "?"
            let event = NewBackupEvent(
                type: .walArchive, status: .succeeded, occurredAt: archivedAt, host: host,
                details: CanonicalJSON.object([
                    "archived_count": .integer(try stats.decode(Int64.self, "archived_count")),
                    "last_archived_wal": .string(wal), "source": .string("pg_stat_archiver"),
                    "recovered_after": .string(failedAt.rfc3339),
                ]).text,
                idempotencyKey: "wal_archive:recovered:\(failedAt.microsecondsSinceEpoch)")
            let (stored, created) = try await store.appendIdempotent(event, on: connection)
            if created { written.append(stored) }
        }
        return written
    }
}
