/// The byte string that a chain hash is computed over: a version prefix, the previous hash, and
/// length-prefixed fields (docs/audit-chain.md §3).
///
///     F(s) = uint32 big-endian byte length of UTF-8(s) ‖ UTF-8(s)
///     N(s) = F(s), or FF FF FF FF for an absent value (backup-audit-v1 only)
///
/// Fields are taken from the `.utf8` view: no Unicode normalisation, because the hash is over
/// bytes and Swift's `==` treats canonically equivalent strings as equal.
public struct ChainPreimage: Sendable {
    public private(set) var bytes: [UInt8]

    /// Starts a preimage with the ASCII `prefix` (no length, no terminator) and `previousHash`.
    public init(prefix: String, previousHash: [UInt8]) {
        bytes = Array(prefix.utf8)
        bytes.reserveCapacity(256)
        bytes.append(contentsOf: previousHash)
    }

    /// Appends F(value).
    public mutating func append(_ value: String) {
        let utf8 = value.utf8
        appendLength(UInt32(utf8.count))
        bytes.append(contentsOf: utf8)
    }

    /// Appends N(value): F(value), or the NULL marker FF FF FF FF.
    public mutating func append(nullable value: String?) {
        guard let value else {
            appendLength(UInt32.max)
            return
        }
        append(value)
    }

    private mutating func appendLength(_ n: UInt32) {
        bytes.append(UInt8(truncatingIfNeeded: n >> 24))
        bytes.append(UInt8(truncatingIfNeeded: n >> 16))
        bytes.append(UInt8(truncatingIfNeeded: n >> 8))
        bytes.append(UInt8(truncatingIfNeeded: n))
    }
}
