import Crypto

/// The `backup-audit-v1` hash chain of `backup_audit`: one global chain, the same bytes as the
/// SQL function `backup_audit_hash` (migrations/0003_backup_audit.sql).
public enum BackupAuditChain {
    public static let version = "backup-audit-v1"

    /// The preimage of `event` chained to `previousHash`.
    public static func preimage(of e: BackupEvent, previousHash: [UInt8]) -> [UInt8] {
        var p = ChainPreimage(prefix: version, previousHash: previousHash)
        p.append(String(e.seq))
        p.append(e.eventID)
        p.append(nullable: e.runID)
        p.append(e.type.rawValue)
        p.append(e.status.rawValue)
        p.append(e.occurredAt.rfc3339)
        p.append(e.recordedAt.rfc3339)
        p.append(nullable: e.stanza)
        p.append(nullable: e.repo.map(String.init))
        p.append(nullable: e.label)
        p.append(nullable: e.startedAt?.rfc3339)
        p.append(nullable: e.finishedAt?.rfc3339)
        p.append(nullable: e.sizeBytes.map { String($0) })
        p.append(nullable: e.deltaBytes.map { String($0) })
        p.append(nullable: e.repoSizeBytes.map { String($0) })
        p.append(nullable: e.repoDeltaBytes.map { String($0) })
        p.append(nullable: e.walStart)
        p.append(nullable: e.walStop)
        p.append(nullable: e.lsnStart)
        p.append(nullable: e.lsnStop)
        p.append(nullable: e.exitCode.map(String.init))
        p.append(nullable: e.errorMessage)
        p.append(nullable: e.host)
        p.append(e.details)
        p.append(nullable: e.idempotencyKey)
        p.append(nullable: e.requestSHA256.map { Hex.encode($0) })
        return p.bytes
    }

    public static func hash(of event: BackupEvent, previousHash: [UInt8]) -> [UInt8] {
        SHA256.hash(preimage(of: event, previousHash: previousHash))
    }
}
