import Chronology
import Compliance
import Foundation
import Postgres

/// Reads and appends `audit_logs` rows. Appends go through the chaining trigger.
public struct AuditLogStore: Sendable {
    public init() {}

    /// Appends entries for one organization in a single statement (one transaction in
    /// autocommit), returning how many were written. Rows get consecutive `seq` numbers in the
    /// order the function scan yields them (array order in practice; not relied upon).
    @discardableResult
    public func append(_ entries: [NewAuditEntry], organization: UUID, on connection: PooledConnection) async throws -> Int {
        guard !entries.isEmpty else { return 0 }
        return try await connection.execute("""
            INSERT INTO audit_logs (organization_id, actor, action, entity, entity_id, payload)
            SELECT \(organization), a, b, c, d, e
            FROM unnest(\(entries.map(\.actor))::text[], \(entries.map(\.action))::text[],
                        \(entries.map(\.entity))::text[], \(entries.map(\.entityID))::text[],
                        \(entries.map(\.payload))::text[]) AS t(a, b, c, d, e)
            """)
    }

    /// Appends one entry and returns the stored row (with seq, time and hashes).
    public func append(_ entry: NewAuditEntry, organization: UUID, on connection: PooledConnection) async throws -> AuditEntry {
        let rows = try await connection.query("""
            INSERT INTO audit_logs (organization_id, actor, action, entity, entity_id, payload)
            VALUES (\(organization), \(entry.actor), \(entry.action), \(entry.entity), \(entry.entityID), \(entry.payload))
            RETURNING organization_id, seq, occurred_at, actor, action, entity, entity_id, payload, prev_hash, hash
            """)
        return try AuditEntry(row: rows.single())
    }

    /// Up to `limit` entries of an organization with `seq > afterSeq`, in seq order (keyset).
    public func entries(organization: UUID, afterSeq: Int64, limit: Int,
                        on connection: PooledConnection) async throws -> [AuditEntry] {
        let rows = try await connection.query("""
            SELECT organization_id, seq, occurred_at, actor, action, entity, entity_id, payload, prev_hash, hash
            FROM audit_logs WHERE organization_id = \(organization) AND seq > \(afterSeq)
            ORDER BY seq LIMIT \(limit)
            """)
        return try rows.map { try AuditEntry(row: $0) }
    }

    /// One page of `q` in seq order, and whether more follow (`limit + 1` rows are read).
    public func page(_ q: AuditLogQuery, on connection: PooledConnection) async throws -> (entries: [AuditEntry], more: Bool) {
        let rows = try await connection.query("""
            SELECT organization_id, seq, occurred_at, actor, action, entity, entity_id, payload, prev_hash, hash
            FROM audit_logs
            WHERE organization_id = \(q.organizationID)::uuid AND seq > \(q.afterSeq)
              AND (\(q.from)::timestamptz IS NULL OR occurred_at >= \(q.from)::timestamptz)
              AND (\(q.to)::timestamptz IS NULL OR occurred_at < \(q.to)::timestamptz)
              AND (\(q.actor)::text IS NULL OR actor = \(q.actor)::text)
              AND (\(q.action)::text IS NULL OR action = \(q.action)::text)
              AND (\(q.entity)::text IS NULL OR entity = \(q.entity)::text)
            ORDER BY seq LIMIT \(q.limit + 1)
            """)
        let entries = try rows.map { try AuditEntry(row: $0) }
        return (Array(entries.prefix(q.limit)), entries.count > q.limit)
    }

    /// Verifies an organization's whole chain page by page (constant memory).
    public func verify(organization: UUID, pageSize: Int = 5000, pool: ConnectionPool) async throws -> AuditChainVerifier {
        var verifier = AuditChainVerifier()
        var after: Int64 = 0
        while true {
            let page = try await pool.withConnection { try await entries(organization: organization, afterSeq: after, limit: pageSize, on: $0) }
            for entry in page { verifier.consume(entry) }
            guard let last = page.last, page.count == pageSize else { return verifier }
            after = last.seq
        }
    }
}

extension AuditEntry {
    /// Decodes a row selected with the columns of `audit_logs`.
    init(row: Row) throws {
        self.init(organizationID: try row.decode(String.self, "organization_id"),
                  seq: try row.decode(Int64.self, "seq"),
                  occurredAt: try row.decode(Timestamp.self, "occurred_at"),
                  actor: try row.decode(String.self, "actor"),
                  action: try row.decode(String.self, "action"),
                  entity: try row.decode(String.self, "entity"),
                  entityID: try row.decode(String.self, "entity_id"),
                  payload: try row.decode(String.self, "payload"),
                  prevHash: try row.decode(PostgresBytes.self, "prev_hash").bytes,
                  hash: try row.decode(PostgresBytes.self, "hash").bytes)
    }
}
