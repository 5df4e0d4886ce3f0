import Postgres
import Synchronization

/// The number of failed backup events per stanza and event type, kept up to date incrementally:
/// each call counts only the events appended since the previous one, so a Prometheus scrape costs
/// index probes instead of a scan over every failure ever recorded.
///
/// Exact because `backup_audit` is append-only (UPDATE, DELETE and TRUNCATE are refused) and its
/// `seq` follows commit order: the chain trigger assigns `seq` while holding the chain head's row
/// lock until commit, so once a snapshot shows `seq` n, no event with a lower `seq` can appear
/// later. The row at the last counted `seq` is identified by its chain hash: if the history was
/// replaced (a restore, another database), the hash differs and everything is counted anew.
public final class BackupFailureTally: Sendable {
    /// What has been counted: events up to `seq`, whose row has chain hash `hash`.
    struct State: Sendable {
        var seq: Int64 = 0
        var hash: [UInt8]?
        var counts: [String: [String: Int64]] = [:]
    }

    private let state = Mutex(State())

    public init() {}

    /// Failed events by stanza, then event type.
    public func counts(on connection: PooledConnection) async throws -> [String: [String: Int64]] {
        let base = state.withLock { $0 }
        var fresh = try await count(after: base, on: connection)
        if fresh == nil {
            // The history differs from what was counted: count it all.
            fresh = try await count(after: State(), on: connection)
        }
        guard let fresh else { throw PostgresError(.decoding, "backup_audit changed while it was being counted") }
        return state.withLock { current in
            // Concurrent scrapes: only a count from the current base may advance it; the other
            // one answers with what the first stored.
            if current.seq == base.seq && current.hash == base.hash { current = fresh }
            return current.counts
        }
    }

    /// `base` advanced by the failures appended after it, in one snapshot; nil when the row at
    /// `base.seq` is gone or has another hash.
    private func count(after base: State, on connection: PooledConnection) async throws -> State? {
        let rows = try await connection.query("""
            WITH w AS (SELECT coalesce(max(seq), 0) AS top FROM backup_audit),
                 f AS (SELECT stanza, event_type, count(*) AS n FROM backup_audit, w
                       WHERE seq > \(base.seq) AND seq <= w.top AND status = 'failed' AND stanza IS NOT NULL
                       GROUP BY stanza, event_type)
            SELECT w.top,
                   (SELECT hash FROM backup_audit WHERE seq = w.top) AS top_hash,
                   (SELECT hash FROM backup_audit WHERE seq = \(base.seq)) AS base_hash,
                   f.stanza, f.event_type, f.n
            FROM w LEFT JOIN f ON true
            """)
        guard let first = rows.first else { return nil }
        let top = try first.decode(Int64.self, "top")
        if base.seq > 0 {
            let baseHash = try first.decode(PostgresBytes?.self, "base_hash")?.bytes
            guard top >= base.seq, baseHash == base.hash else { return nil }
        }
        var next = base
        next.seq = top
        next.hash = try first.decode(PostgresBytes?.self, "top_hash")?.bytes
        for row in rows {
            guard let stanza = try row.decode(String?.self, "stanza") else { continue }
            next.counts[stanza, default: [:]][try row.decode(String.self, "event_type"), default: 0] += try row.decode(Int64.self, "n")
        }
        return next
    }
}
