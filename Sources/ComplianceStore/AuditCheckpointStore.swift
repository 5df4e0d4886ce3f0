import Chronology
import Compliance
import Foundation
import JCS
import Postgres

/// `audit_checkpoints` and what a verification reads beside the chain: the organizations to
/// verify, the head table and the recorded restores.
public struct AuditCheckpointStore: Sendable {
    public init() {}

    static let checkpointColumns: Query = """
        SELECT organization_id::text AS organization_id, seq, hash, created_at, encoding, key_id, signature, storage_key, version_id
        FROM audit_checkpoints
        """

    /// Every organization known to have a chain: listed, with a head, or with a checkpoint.
    public func organizations(on connection: PooledConnection) async throws -> [String] {
        try await connection.query("""
            SELECT id::text AS id FROM organizations
            UNION SELECT organization_id::text FROM audit_chain_head
            UNION SELECT organization_id::text FROM audit_checkpoints
            ORDER BY 1
            """).map { try $0.decode(String.self, "id") }
    }

    /// The recorded checkpoints of `organizations` (nil: all), oldest first per organization.
    public func checkpoints(organizations: [String]?, on connection: PooledConnection) async throws -> [String: [CheckpointEvidence.Recorded]] {
        var query = Self.checkpointColumns
        if let organizations { query.append(" WHERE organization_id::text = ANY (\(organizations))") }
        query.append(" ORDER BY organization_id, seq, id")
        var out: [String: [CheckpointEvidence.Recorded]] = [:]
        for row in try await connection.query(query) {
            let org = try row.decode(String.self, "organization_id")
            let checkpoint = AuditCheckpoint(organizationID: org, seq: try row.decode(Int64.self, "seq"),
                                             hash: try row.decode(PostgresBytes.self, "hash").bytes,
                                             createdAt: try row.decode(Timestamp.self, "created_at"),
                                             encoding: try row.decode(String.self, "encoding"), keyID: try row.decode(String.self, "key_id"))
            out[org, default: []].append(CheckpointEvidence.Recorded(checkpoint: checkpoint, signature: try row.decode(PostgresBytes.self, "signature").bytes,
                                                                     storageKey: try row.decode(String?.self, "storage_key"),
                                                                     versionID: try row.decode(String?.self, "version_id")))
        }
        return out
    }

    /// The newest checkpoint's seq per organization.
    public func latestSeqs(on connection: PooledConnection) async throws -> [String: Int64] {
        var out: [String: Int64] = [:]
        for row in try await connection.query("SELECT organization_id::text AS org, max(seq) AS seq FROM audit_checkpoints GROUP BY organization_id") {
            out[try row.decode(String.self, "org")] = try row.decode(Int64.self, "seq")
        }
        return out
    }

    /// `audit_chain_head` per organization.
    public func headTable(on connection: PooledConnection) async throws -> [String: (seq: Int64, hash: [UInt8])] {
        var out: [String: (seq: Int64, hash: [UInt8])] = [:]
        for row in try await connection.query("SELECT organization_id::text AS org, last_seq, last_hash FROM audit_chain_head") {
            out[try row.decode(String.self, "org")] = (try row.decode(Int64.self, "last_seq"), try row.decode(PostgresBytes.self, "last_hash").bytes)
        }
        return out
    }

    /// Restores of this database that succeeded (`restore` events), with their target time
    /// when the event's details name one (`target_time`).
    public func restores(on connection: PooledConnection) async throws -> [RestoreEvidence] {
        try await connection.query("""
            SELECT event_id::text AS id, occurred_at, details::jsonb ->> 'target_time' AS target
            FROM backup_audit WHERE event_type = 'restore' AND status = 'succeeded' ORDER BY seq
            """).map { row in
            RestoreEvidence(eventID: try row.decode(String.self, "id"), occurredAt: try row.decode(Timestamp.self, "occurred_at"),
                            targetTime: try row.decode(String?.self, "target").flatMap { Timestamp(rfc3339: $0) })
        }
    }

    /// Records a checkpoint stored at `storageKey`/`versionID`.
    public func insert(_ checkpoint: AuditCheckpoint, signature: [UInt8], storageKey: String?, versionID: String?, retainUntil: Timestamp?,
                       objectSHA256: [UInt8]?, on connection: PooledConnection) async throws {
        _ = try await connection.execute("""
            INSERT INTO audit_checkpoints (organization_id, seq, hash, format, encoding, key_id, signature, storage_key, version_id, created_at,
                                           retain_until, object_sha256)
            VALUES (\(checkpoint.organizationID)::uuid, \(checkpoint.seq), \(PostgresBytes(checkpoint.hash)), \(AuditCheckpoint.format), \(checkpoint.encoding),
                    \(checkpoint.keyID), \(PostgresBytes(signature)), \(storageKey), \(versionID), \(checkpoint.createdAt), \(retainUntil),
                    \(objectSHA256.map(PostgresBytes.init)))
            """)
    }
}
