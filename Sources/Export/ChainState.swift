import Chronology
import Compliance
import Crypto
import Gdpdu

/// The audit chain recomputed from audit_logs.csv alone (docs/audit-chain.md §3, §6 item 10 of
/// docs/gobd-bao-export.md): each record's hash from the CSV's own bytes — the organization, seq,
/// the ISO time, actor, action, entity, entity id and payload — chained to the hash before it; the
/// first record anchors the segment (judged against integrity.xml at the end). seq and the time
/// must be written exactly as the hash renders them (a different spelling of the same value would
/// otherwise pass unseen).
struct ChainState {
    static let required = ["organization_id", "seq", "occurred_at_utc", "actor", "action", "entity", "entity_id", "payload", "prev_hash", "hash"]
    /// The column of each required name, in that order (nil: one is missing).
    private let columns: [Int]?
    private let missing: [String]
    private var missingReported = false
    private var verifier: AuditChainVerifier?
    private(set) var first: (seq: Int64, prevHash: [UInt8])?
    private(set) var entries: Int64 = 0
    private var prev = [UInt8](repeating: 0, count: 32)
    private var hash = [UInt8](repeating: 0, count: 32)

    init(table: GdpduTable) {
        let names = table.allColumns.map(\.name)
        let found = Self.required.map { names.firstIndex(of: $0) }
        missing = zip(Self.required, found).filter { $0.1 == nil }.map(\.0)
        columns = missing.isEmpty ? found.map { $0! } : nil
    }

    var head: (seq: Int64, hash: [UInt8])? { verifier.flatMap { $0.entries > 0 ? $0.head : nil } }

    /// Consumes one record; what is wrong with it, or nil.
    mutating func consume(_ r: GdpduRecord) -> String? {
        guard let c = columns else {
            if missingReported { return nil }
            missingReported = true
            return "no column \(missing.joined(separator: ", ")): the chain cannot be recomputed"
        }
        guard r.count > c.max()! else { return nil }
        let seqText = r[c[1]], iso = r[c[2]]
        guard let seq = RecordChecks.integer(seqText), seq >= 0, Self.hex(r[c[8]], into: &prev), Self.hex(r[c[9]], into: &hash) else {
            return "seq, prev_hash or hash unreadable: the entry cannot be chained"
        }
        guard let time = Timestamp(canonicalRFC3339: iso) else {
            return "occurred_at_utc '\(String(decoding: iso.prefix(40), as: UTF8.self))' is not the hashed rendering YYYY-MM-DDTHH:MM:SS.ffffffZ"
        }
        if seqText[0] == 0x2D || (seqText.count > 1 && seqText[0] == 0x30) { return "seq '\(String(decoding: seqText, as: UTF8.self))' is not written as the hash renders it" }
        if verifier == nil {
            verifier = AuditChainVerifier(firstSeq: seq, previousHash: prev)
            first = (seq, prev)
        }
        prev.withUnsafeBytes { p in
            hash.withUnsafeBytes { h in
                verifier!.consume(AuditRowBytes(organization: r[c[0]], seq: seq, occurredAt: time, actor: r[c[3]], action: r[c[4]], entity: r[c[5]],
                                                entityID: r[c[6]], payload: r[c[7]], prevHash: p, hash: h))
            }
        }
        entries += 1
        let problems = verifier!.takeProblems()
        return problems.isEmpty ? nil : problems.map { "audit chain: \($0.description)" }.joined(separator: "; ")
    }

    /// The value of each lowercase hex digit, 0xFF for any other byte.
    static let digits: [UInt8] = (0..<256).map { c in
        switch c {
        case 0x30...0x39: UInt8(c - 0x30)
        case 0x61...0x66: UInt8(c - 0x61 + 10)
        default: 0xFF
        }
    }

    /// 64 lowercase hex digits into 32 bytes; false for anything else.
    static func hex(_ text: UnsafeRawBufferPointer, into out: inout [UInt8]) -> Bool {
        guard text.count == 64 else { return false }
        return digits.withUnsafeBufferPointer { d in
            out.withUnsafeMutableBufferPointer { o in
                var bad: UInt8 = 0
                for i in 0..<32 {
                    let hi = d[Int(text[2 * i])], lo = d[Int(text[2 * i + 1])]
                    bad |= hi | lo
                    o[i] = hi << 4 | (lo & 0x0F)
                }
                return bad & 0xF0 == 0
            }
        }
    }
}
