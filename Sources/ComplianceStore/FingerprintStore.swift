import Chronology
import Compliance
import JCS
import Postgres

/// Database fingerprints (`DatabaseFingerprint`): taken from the tables in the caller's
/// transaction (one snapshot), and the newest one recorded with a backup's `started` event.
public struct FingerprintStore: Sendable {
    public init() {}

    /// The fingerprint of what this connection's snapshot sees.
    public func take(on connection: PooledConnection) async throws -> DatabaseFingerprint {
        let now = try await connection.query("SELECT now() AS now").single().decode(Timestamp.self, "now")
        var counts: [String: Int64] = [:]
        for table in DatabaseFingerprint.tables {
            counts[table] = try await connection.query(Query(unsafeSQL: "SELECT count(*) FROM \(table)")).single().decode(Int64.self, at: 0)
        }
        var heads: [String: (seq: Int64, hash: [UInt8])] = [:]
        for row in try await connection.query("""
            SELECT DISTINCT ON (organization_id) organization_id::text AS org, seq, hash FROM audit_logs ORDER BY organization_id, seq DESC
            """) {
            heads[try row.decode(String.self, "org")] = (try row.decode(Int64.self, "seq"), try row.decode(PostgresBytes.self, "hash").bytes)
        }
        let backupHead = try await connection.query("SELECT coalesce(max(seq), 0) AS seq FROM backup_audit").single().decode(Int64.self, "seq")
        let migration = try await connection.query("SELECT coalesce(max(version), 0) AS v FROM schema_migrations").single().decode(Int64.self, "v")
        return DatabaseFingerprint(takenAt: now, counts: counts, auditHeads: heads, backupAuditHead: backupHead, migration: Int(migration))
    }

    /// The newest fingerprint recorded with a backup's `started` event, and that event's run.
    public func recorded(on connection: PooledConnection) async throws -> (fingerprint: DatabaseFingerprint, runID: String?, label: String?)? {
        let rows = try await connection.query("""
            SELECT s.details::jsonb -> 'fingerprint' AS f, s.run_id::text AS run,
                   (SELECT o.label FROM backup_audit o WHERE o.run_id = s.run_id AND o.status <> 'started' ORDER BY o.seq DESC LIMIT 1) AS label
            FROM backup_audit s
            WHERE s.status = 'started' AND s.event_type IN ('backup_full', 'backup_diff', 'backup_incr') AND s.details::jsonb ? 'fingerprint'
            ORDER BY s.seq DESC LIMIT 1
            """)
        guard let row = rows.first, let text = try row.decode(String?.self, "f"),
              let fingerprint = DatabaseFingerprint(json: try JSONParser.parse(Array(text.utf8))) else { return nil }
        return (fingerprint, try row.decode(String?.self, "run"), try row.decode(String?.self, "label"))
    }

    /// The hash of an organization's entry at `seq`, nil when there is none.
    public func hash(organization: String, seq: Int64, on connection: PooledConnection) async throws -> [UInt8]? {
        try await connection.query("SELECT hash FROM audit_logs WHERE organization_id::text = \(organization) AND seq = \(seq)")
            .first?.decode(PostgresBytes.self, at: 0).bytes
    }
}
