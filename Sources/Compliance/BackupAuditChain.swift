import Crypto

/// The `backup-audit-v1` hash chain of `backup_audit`: one global chain, the same bytes as the
/// SQL function `backup_audit_hash` (migrations/0003_backup_audit.sql). The fields are the
/// chained columns of `BackupAuditColumn` in table order (`RecordChain`); the test
/// `RecordDescriptionTests` holds the SQL function's field list to the same columns.
public enum BackupAuditChain {
    public static let version = "backup-audit-v1"

    /// The preimage of `event` chained to `previousHash`.
    public static func preimage(of e: BackupEvent, previousHash: [UInt8]) -> [UInt8] {
        RecordChain.preimage(of: e, prefix: version, previousHash: previousHash)
    }

    public static func hash(of event: BackupEvent, previousHash: [UInt8]) -> [UInt8] {
        SHA256.hash(preimage(of: event, previousHash: previousHash))
    }
}
