import Compliance
import ComplianceStore
import Postgres

/// Stores events, or spools them when the database cannot be reached (I/O shell). Before storing
/// anything new it delivers what is spooled, so the history keeps the order events happened in.
public final class EventRecorder: Sendable {
    public enum Outcome: Sendable, Equatable {
        case stored
        /// Stored, but the spool could not be read (events waiting there stay undelivered).
        case storedSpoolUnusable(String)
        /// Written to the spool; the reason the database was not used.
        case spooled(String)
    }

    let pool: ConnectionPool?
    let spool: EventSpool
    /// Why there is no pool (no DATABASE_URL), for the spool message.
    let unavailableReason: String?

    public init(pool: ConnectionPool?, spool: EventSpool, unavailableReason: String? = nil) {
        self.pool = pool
        self.spool = spool
        self.unavailableReason = unavailableReason
    }

    /// Stores `event` (after the spool), or spools it. Throws only when both fail.
    public func record(_ event: NewBackupEvent) async throws -> Outcome {
        guard let pool else {
            try spool.append(event)
            return .spooled(unavailableReason ?? "no database configured")
        }
        var spoolFailure: EventSpool.Failure?
        do {
            try await spool.deliver { pending in try await Self.store(pending, pool: pool) }
        } catch let failure as EventSpool.Failure {
            // An unusable spool must not cost this event: store it directly.
            spoolFailure = failure
        } catch {
            try spool.append(event)
            return .spooled(String(describing: error))
        }
        do {
            try await Self.store([event], pool: pool)
        } catch {
            if let spoolFailure { throw spoolFailure }
            try spool.append(event)
            return .spooled(String(describing: error))
        }
        return spoolFailure.map { .storedSpoolUnusable($0.description) } ?? .stored
    }

    /// Delivers the spool; returns how many events it held.
    public func flush() async throws -> Int {
        guard let pool else { throw EventSpool.Failure(description: unavailableReason ?? "no database configured") }
        return try await spool.deliver { pending in try await Self.store(pending, pool: pool) }
    }

    /// Inserts in order, each at most once (by event id), in one transaction.
    static func store(_ events: [NewBackupEvent], pool: ConnectionPool) async throws {
        guard !events.isEmpty else { return }
        try await pool.withTransaction { connection in
            for event in events { _ = try await BackupAuditStore().appendIfAbsent(event, on: connection) }
        }
    }
}
