import Chronology
import Compliance
import Postgres

/// Reads `AuditChainStatus` per chain: every organization (listed or with a head) with its head
/// row, newest verification and newest checkpoint, and — for an unscoped reader — the global
/// `backup_audit` chain. `organization`: an organization-scoped token's organization.
public struct AuditChainStatusStore: Sendable {
    public init() {}

    public func statuses(organization: String?, on connection: PooledConnection) async throws -> [AuditChainStatus] {
        let rows = try await connection.query("""
            SELECT o.id::text AS org, h.last_seq, h.last_hash,
                   v.verified_at, v.ok, v.entries, v.problem_count, v.first_problem,
                   c.seq AS c_seq, c.created_at AS c_at, c.key_id, c.storage_key, c.version_id
            FROM (SELECT id FROM organizations UNION SELECT organization_id FROM audit_chain_head) o(id)
            LEFT JOIN audit_chain_head h ON h.organization_id = o.id
            LEFT JOIN LATERAL (SELECT verified_at, ok, entries, problem_count, first_problem FROM audit_chain_verifications
                               WHERE organization_id = o.id AND chain = 'audit_logs' ORDER BY verified_at DESC, id DESC LIMIT 1) v ON true
            LEFT JOIN LATERAL (SELECT seq, created_at, key_id, storage_key, version_id FROM audit_checkpoints
                               WHERE organization_id = o.id ORDER BY created_at DESC, id DESC LIMIT 1) c ON true
            WHERE \(organization)::uuid IS NULL OR o.id = \(organization)::uuid
            ORDER BY o.id
            """)
        var out = try rows.map { row in
            AuditChainStatus(organizationID: try row.decode(String.self, "org"), headSeq: try row.decode(Int64?.self, "last_seq"),
                             headHash: try row.decode(PostgresBytes?.self, "last_hash")?.bytes,
                             lastVerification: try Self.verification(row), lastCheckpoint: try Self.checkpoint(row))
        }
        if organization == nil {
            let row = try await connection.query("""
                SELECT h.last_seq, h.last_hash, v.verified_at, v.ok, v.entries, v.problem_count, v.first_problem
                FROM backup_audit_head h
                LEFT JOIN LATERAL (SELECT verified_at, ok, entries, problem_count, first_problem FROM audit_chain_verifications
                                   WHERE chain = 'backup_audit' ORDER BY verified_at DESC, id DESC LIMIT 1) v ON true
                """).first
            if let row {
                out.append(AuditChainStatus(organizationID: nil, headSeq: try row.decode(Int64?.self, "last_seq"),
                                            headHash: try row.decode(PostgresBytes?.self, "last_hash")?.bytes,
                                            lastVerification: try Self.verification(row), lastCheckpoint: nil))
            }
        }
        return out
    }

    static func verification(_ row: Row) throws -> AuditChainStatus.Verification? {
        guard let at = try row.decode(Timestamp?.self, "verified_at") else { return nil }
        return AuditChainStatus.Verification(at: at, ok: try row.decode(Bool.self, "ok"), entries: try row.decode(Int64.self, "entries"),
                                             problemCount: try row.decode(Int64.self, "problem_count"),
                                             firstProblem: try row.decode(String?.self, "first_problem"))
    }

    static func checkpoint(_ row: Row) throws -> AuditChainStatus.Checkpoint? {
        guard let seq = try row.decode(Int64?.self, "c_seq") else { return nil }
        return AuditChainStatus.Checkpoint(seq: seq, createdAt: try row.decode(Timestamp.self, "c_at"), keyID: try row.decode(String.self, "key_id"),
                                           storageKey: try row.decode(String?.self, "storage_key"), versionID: try row.decode(String?.self, "version_id"))
    }
}
