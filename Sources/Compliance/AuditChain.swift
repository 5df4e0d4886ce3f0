import Crypto

/// The `audit-v1` hash chain of `audit_logs` (docs/audit-chain.md §3), reproduced outside the
/// database: the same bytes as the trigger's `audit_v1_hash`, so auditors and this server can
/// recompute every hash.
public enum AuditChain {
    /// Encoding version prefix; any change to fields or renderings needs a new one.
    public static let version = "audit-v1"

    /// The `prev_hash` of the first entry: 32 zero bytes.
    public static let genesis = [UInt8](repeating: 0, count: 32)

    /// The preimage of `entry` chained to `previousHash` (the entry's own `prevHash` is not
    /// used, so a verifier hashes against the hash it actually saw before).
    public static func preimage(of entry: AuditEntry, previousHash: [UInt8]) -> [UInt8] {
        var p = ChainPreimage(prefix: version, previousHash: previousHash)
        p.append(entry.organizationID)
        p.append(String(entry.seq))
        p.append(entry.occurredAt.rfc3339)
        p.append(entry.actor)
        p.append(entry.action)
        p.append(entry.entity)
        p.append(entry.entityID)
        p.append(entry.payload)
        return p.bytes
    }

    /// SHA-256 of the preimage.
    public static func hash(of entry: AuditEntry, previousHash: [UInt8]) -> [UInt8] {
        SHA256.hash(preimage(of: entry, previousHash: previousHash))
    }
}
