import Compliance
import ComplianceStore
import Postgres

/// Where recorded events go: `backup_audit` through a pool (`DatabaseEventStore`); fakes in tests
/// (a database down at the start, at the end, or throughout).
public protocol EventStoring: Sendable {
    /// Inserts `events` in order, each at most once (by event id), all or none.
    func store(_ events: [NewBackupEvent]) async throws
    /// Records WAL-archiving evidence from `pg_stat_archiver` (best effort: never throws).
    func checkWalArchive(host: String?) async
    func close() async
}

/// `EventStoring` on our database.
public struct DatabaseEventStore: EventStoring {
    let pool: ConnectionPool

    public init(pool: ConnectionPool) { self.pool = pool }

    public func store(_ events: [NewBackupEvent]) async throws {
        guard !events.isEmpty else { return }
        try await pool.withTransaction { connection in
            for event in events { _ = try await BackupAuditStore().appendIfAbsent(event, on: connection) }
        }
    }

    public func checkWalArchive(host: String?) async {
        // The database may be the one that is down: evidence of WAL archiving is best effort here
        // (`serve` checks it periodically too).
        _ = try? await pool.withConnection { try await WalArchiveMonitor().check(on: $0, host: host) }
    }

    public func close() async { await pool.close() }
}
