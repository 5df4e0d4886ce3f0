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

    /// Writes the preimage of `row` chained to `previousHash` into `buffer` (emptied first,
    /// its capacity kept): the same bytes as `preimage(of:previousHash:)`, from the row's bytes.
    public static func preimage(of row: AuditRowBytes, previousHash: [UInt8], into buffer: inout [UInt8]) {
        buffer.removeAll(keepingCapacity: true)
        buffer.append(contentsOf: version.utf8)
        buffer.append(contentsOf: previousHash)
        func field(_ bytes: UnsafeRawBufferPointer) {
            let n = UInt32(bytes.count)
            buffer.append(UInt8(truncatingIfNeeded: n >> 24))
            buffer.append(UInt8(truncatingIfNeeded: n >> 16))
            buffer.append(UInt8(truncatingIfNeeded: n >> 8))
            buffer.append(UInt8(truncatingIfNeeded: n))
            buffer.append(contentsOf: bytes)
        }
        field(row.organization)
        var seq = row.seq
        if seq < 0 {
            // Never written by the trigger (it counts from 1), but a tampered row may carry one.
            Array(String(seq).utf8).withUnsafeBytes { field($0) }
        } else { withUnsafeTemporaryAllocation(byteCount: 20, alignment: 1) { digits in
            var k = 20
            repeat {
                k -= 1
                digits[k] = UInt8(truncatingIfNeeded: seq % 10) &+ 0x30
                seq /= 10
            } while seq > 0 && k > 0
            field(UnsafeRawBufferPointer(rebasing: digits[k...]))
        } }
        row.occurredAt.withRFC3339 { field($0) }
        field(row.actor)
        field(row.action)
        field(row.entity)
        field(row.entityID)
        field(row.payload)
    }
}
